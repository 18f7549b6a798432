"""A real OpenID Connect provider for the tests, on 127.0.0.1 and a free port, in a thread.

A small honest implementation over the standard library's HTTP server, with joserfc signing RS256 ID tokens: the
discovery document, the JWKS, ``/authorize`` (a form where the test, or the browser, picks who to be and consents;
``response_type=code``, a registered redirect URI, PKCE S256, state and nonce required), ``/token`` (client
authentication by HTTP Basic or in the body, codes used once and for 60 s, the PKCE verifier checked, the redirect
URI compared) and ``/userinfo`` (Bearer). The users and their claims are the test's; `tamper` makes the next ID
tokens wrong in one way, to see the relying party refuse them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

Tampering = Literal["nonce", "foreign_key", "audience", "expired", "issuer", "authorized_party"]
CODE_SECONDS = 60
KEY_ID = "test-signing-key"


@dataclass
class ProviderUser:
    """Someone the provider knows, with the claims it asserts about them."""

    sub: str
    email: str
    email_verified: bool = True
    groups: list[str] = field(default_factory=list)

    def claims(self) -> dict[str, Any]:
        return {"sub": self.sub, "email": self.email, "email_verified": self.email_verified, "groups": self.groups}


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    user: ProviderUser
    nonce: str
    code_challenge: str
    issued_at: float
    used: bool = False


class OidcProvider:
    """The provider's state: its signing key, client, users, codes and access tokens."""

    def __init__(self, *, client_id: str, client_secret: str, redirect_uris: list[str]) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = list(redirect_uris)
        self.key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        self.users: dict[str, ProviderUser] = {}
        self.tamper: Tampering | None = None
        self.grants: dict[str, Grant] = {}
        self.access_tokens: dict[str, ProviderUser] = {}
        self.refusals: list[str] = []
        """Why the token endpoint refused, in order: what the tests check the relying party ran into."""
        self.issued_codes: list[str] = []
        self.issuer = ""
        self._lock = threading.Lock()

    def add_user(self, user: ProviderUser) -> ProviderUser:
        self.users[user.sub] = user
        return user

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "email", "profile"],
            "claims_supported": ["sub", "email", "email_verified", "groups"],
        }

    def jwks(self) -> dict[str, Any]:
        return dict(KeySet([self.key]).as_dict(private=False))

    def authorization_problem(self, params: dict[str, str]) -> str | None:
        """Why an authorization request cannot be served (None: it can), before any redirect."""
        if params.get("client_id") != self.client_id:
            return "unknown client"
        if params.get("redirect_uri") not in self.redirect_uris:
            return "unregistered redirect_uri"
        if params.get("response_type") != "code":
            return "response_type must be code"
        if "openid" not in params.get("scope", "").split():
            return "scope must include openid"
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "PKCE with S256 is required"
        if not params.get("state") or not params.get("nonce"):
            return "state and nonce are required"
        return None

    def issue_code(self, params: dict[str, str], user: ProviderUser) -> str:
        code = secrets.token_urlsafe(32)
        with self._lock:
            self.grants[code] = Grant(
                client_id=params["client_id"],
                redirect_uri=params["redirect_uri"],
                user=user,
                nonce=params["nonce"],
                code_challenge=params["code_challenge"],
                issued_at=time.time(),
            )
            self.issued_codes.append(code)
        return code

    def exchange(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        """The token endpoint: (status, JSON body)."""
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            decoded = base64.b64decode(authorization.removeprefix("Basic ")).decode()
            client_id, _, client_secret = decoded.partition(":")
        if client_id != self.client_id or not hmac.compare_digest(client_secret or "", self.client_secret):
            return self._refuse(401, "invalid_client", "client authentication failed")
        if form.get("grant_type") != "authorization_code":
            return self._refuse(400, "unsupported_grant_type", "only authorization_code")
        with self._lock:
            grant = self.grants.get(form.get("code", ""))
            if grant is None:
                return self._refuse(400, "invalid_grant", "unknown code")
            if grant.used:
                return self._refuse(400, "invalid_grant", "code used already")
            grant.used = True
        if time.time() - grant.issued_at > CODE_SECONDS:
            return self._refuse(400, "invalid_grant", "code expired")
        if grant.client_id != client_id or grant.redirect_uri != form.get("redirect_uri"):
            return self._refuse(400, "invalid_grant", "redirect_uri or client differs")
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not verifier or not hmac.compare_digest(challenge, grant.code_challenge):
            return self._refuse(400, "invalid_grant", "PKCE verifier does not match")
        access_token = secrets.token_urlsafe(32)
        self.access_tokens[access_token] = grant.user
        body = {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "scope": "openid email profile",
            "id_token": self.id_token(grant),
        }
        return 200, body

    def _refuse(self, status: int, error: str, reason: str) -> tuple[int, dict[str, Any]]:
        self.refusals.append(reason)
        return status, {"error": error, "error_description": reason}

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "auth_time": now,
            "nonce": grant.nonce,
            **grant.user.claims(),
        }
        key = self.key
        if self.tamper == "nonce":
            claims["nonce"] = secrets.token_urlsafe(16)
        elif self.tamper == "audience":
            claims["aud"] = "another-client"
        elif self.tamper == "expired":
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        elif self.tamper == "issuer":
            claims["iss"] = "https://impostor.example"
        elif self.tamper == "authorized_party":  # issued to another client, though naming this one as audience
            claims["azp"] = "another-client"
        elif self.tamper == "foreign_key":
            key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})
        return jwt.encode({"alg": "RS256", "kid": KEY_ID, "typ": "JWT"}, claims, key)


def authorize_page(provider: OidcProvider, params: dict[str, str]) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(name)}" value="{html.escape(value)}">'
        for name, value in sorted(params.items())
    )
    choices = "".join(
        f'<p><input type="radio" id="user-{html.escape(user.sub)}" name="user" value="{html.escape(user.sub)}"'
        f'{" checked" if index == 0 else ""}><label for="user-{html.escape(user.sub)}">{html.escape(user.email)}'
        "</label></p>"
        for index, user in enumerate(provider.users.values())
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test provider</title></head><body>'
        f'<h1>Test identity provider</h1><form method="post" action="/authorize">{hidden}{choices}'
        '<button type="submit" name="consent" value="yes" id="consent">Consent</button>'
        '<button type="submit" name="consent" value="no" id="deny">Deny</button></form></body></html>'
    )


def _handler(provider: OidcProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, body: str, content_type: str, headers: dict[str, str] | None = None) -> None:
            encoded = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(encoded)))
            self.send_header("Cache-Control", "no-store")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(encoded)

        def _json(self, status: int, body: dict[str, Any]) -> None:
            self._send(status, json.dumps(body), "application/json")

        def _form(self) -> dict[str, str]:
            length = int(self.headers.get("Content-Length", "0"))
            fields = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            return {name: values[0] for name, values in fields.items()}

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = {name: values[0] for name, values in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                self._json(200, provider.discovery())
            elif parts.path == "/jwks":
                self._json(200, provider.jwks())
            elif parts.path == "/authorize":
                problem = provider.authorization_problem(params)
                if problem:
                    self._send(400, html.escape(problem), "text/plain")
                else:
                    self._send(200, authorize_page(provider, params), "text/html; charset=utf-8")
            elif parts.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                user = provider.access_tokens.get(token)
                if user is None:
                    self._json(401, {"error": "invalid_token"})
                else:
                    self._json(200, user.claims())
            else:
                self._send(404, "not found", "text/plain")

        def do_POST(self) -> None:
            form = self._form()
            if self.path == "/token":
                status, body = provider.exchange(form, self.headers.get("Authorization"))
                self._json(status, body)
                return
            if self.path != "/authorize":
                self._send(404, "not found", "text/plain")
                return
            params = {name: value for name, value in form.items() if name not in ("user", "consent")}
            problem = provider.authorization_problem(params)
            if problem:
                self._send(400, html.escape(problem), "text/plain")
                return
            answer = {"state": params["state"]}
            user = provider.users.get(form.get("user", ""))
            if form.get("consent") != "yes" or user is None:
                answer["error"] = "access_denied"
            else:
                answer["code"] = provider.issue_code(params, user)
            self._send(302, "", "text/plain", {"Location": f"{params['redirect_uri']}?{urlencode(answer)}"})

    return Handler


@contextmanager
def running_provider(*, client_id: str, client_secret: str, redirect_uris: list[str]) -> Iterator[OidcProvider]:
    """The provider served on 127.0.0.1 (its issuer set) for as long as the block lasts."""
    provider = OidcProvider(client_id=client_id, client_secret=client_secret, redirect_uris=redirect_uris)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    server.daemon_threads = True
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
