"""The relying party's side of OpenID Connect: the authorization-code flow with PKCE, state and nonce.

:func:`start` reads the provider's discovery document and builds the authorization URL with a fresh state, nonce and
PKCE verifier (S256), which the caller keeps in the visitor's server-side session. :func:`finish` exchanges the code
(with the verifier and the client's credentials) at the token endpoint and validates the ID token: its signature
against the issuer's JWKS, then ``iss``, ``aud`` (and ``azp`` when there are several audiences), ``exp``, ``iat``,
``sub`` and the ``nonce``; userinfo claims are added when the provider has the endpoint and names the same ``sub``.
Authlib's httpx client carries the OAuth requests, joserfc checks the token. Nothing here logs or returns a token.
"""

from __future__ import annotations

import hmac
import time
import uuid
import warnings
from dataclasses import dataclass, field
from typing import Any

import authlib.deprecate  # noqa: F401 - its filter first, ours after (below)
import httpx
import msgspec
from authlib.common.security import generate_token
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from surveys.accounts.models import Role
from surveys.explained import N_, Explained

with warnings.catch_warnings():
    # Authlib 1.9 says on import that it would rather drive its httpx fork, httpx2; httpx is what this app uses.
    # (Its `authlib.deprecate`, imported above, has already put its own "always" filter first.)
    warnings.filterwarnings("ignore", "The httpx module is deprecated", DeprecationWarning)
    from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError

DISCOVERY_PATH = "/.well-known/openid-configuration"
SCOPE = "openid email profile"
TIMEOUT_SECONDS = 10.0
LEEWAY_SECONDS = 60
"""Clock skew allowed between the provider and this server for ``exp`` and ``iat``."""
PENDING_SECONDS = 600
"""How long a started sign-in may take at the provider before its callback is refused."""
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
"""Asymmetric algorithms only: an ID token signed with the client secret (HS256) or unsigned is refused."""


class SsoRefusal(Explained):
    """A sign-in that cannot go on; `reason` is a short code for the audit log (never a token or a secret)."""

    def __init__(self, reason: str, message: str, **values: object) -> None:
        self.reason = reason
        super().__init__(message, **values)


FAILED = N_("The sign-in through your organisation's account did not succeed. Start again from the sign-in page.")
UNREACHABLE = N_("Your organisation's sign-in service cannot be reached just now. Try again in a few minutes.")


@dataclass(frozen=True)
class Provider:
    """An organisation's provider as the flow needs it, its secret opened (never in its repr)."""

    organisation_id: uuid.UUID
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)


class PendingSignIn(msgspec.Struct, frozen=True, kw_only=True):
    """What the visitor's session keeps between the redirect to the provider and the callback."""

    organisation_id: str
    state: str
    nonce: str
    verifier: str
    next: str
    started_at: float

    def expired(self) -> bool:
        """Whether the visitor took longer than :data:`PENDING_SECONDS` at the provider."""
        return not 0 <= time.time() - self.started_at <= PENDING_SECONDS


class Metadata(msgspec.Struct, frozen=True, kw_only=True):
    """The parts of a discovery document the flow uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None = None
    id_token_signing_alg_values_supported: list[str] = msgspec.field(default_factory=lambda: ["RS256"])
    token_endpoint_auth_methods_supported: list[str] = msgspec.field(default_factory=lambda: ["client_secret_basic"])


def _client(provider: Provider, redirect_uri: str, auth_method: str = "client_secret_basic") -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        token_endpoint_auth_method=auth_method,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        timeout=TIMEOUT_SECONDS,
        follow_redirects=False,
        trust_env=False,
    )


async def _json(client: AsyncOAuth2Client, url: str, reason: str) -> Any:
    try:
        response = await client.request("GET", url, withhold_token=True, headers={"Accept": "application/json"})
    except httpx.HTTPError:
        raise SsoRefusal("unreachable", UNREACHABLE) from None
    if response.status_code != 200:
        raise SsoRefusal(reason, FAILED)
    try:
        return response.json()
    except ValueError:
        raise SsoRefusal(reason, FAILED) from None


def _allowed_endpoint(url: str, issuer: str) -> bool:
    # https, or plain http only when the issuer itself is (configuration allows that for this machine only).
    return url.startswith("https://") or (issuer.startswith("http://") and url.startswith("http://"))


async def discover(client: AsyncOAuth2Client, issuer: str) -> Metadata:
    """The provider's discovery document: it must name this very issuer, and its endpoints must be https."""
    document = await _json(client, issuer.rstrip("/") + DISCOVERY_PATH, "discovery")
    try:
        metadata = msgspec.convert(document, Metadata)
    except msgspec.ValidationError:
        raise SsoRefusal("discovery", FAILED) from None
    endpoints = [metadata.authorization_endpoint, metadata.token_endpoint, metadata.jwks_uri]
    if metadata.userinfo_endpoint:
        endpoints.append(metadata.userinfo_endpoint)
    if metadata.issuer != issuer or not all(_allowed_endpoint(url, issuer) for url in endpoints):
        raise SsoRefusal("discovery", FAILED)
    return metadata


async def start(
    provider: Provider, *, redirect_uri: str, next_path: str, login_hint: str | None
) -> tuple[str, PendingSignIn]:
    """The provider's authorization URL to send the visitor to, and what to keep for the callback."""
    state, nonce, verifier = generate_token(43), generate_token(43), generate_token(64)
    async with _client(provider, redirect_uri) as client:
        metadata = await discover(client, provider.issuer)
        extra = {"login_hint": login_hint} if login_hint else {}
        url, _ = client.create_authorization_url(
            metadata.authorization_endpoint, state=state, code_verifier=verifier, nonce=nonce, **extra
        )
    pending = PendingSignIn(
        organisation_id=str(provider.organisation_id),
        state=state,
        nonce=nonce,
        verifier=verifier,
        next=next_path,
        started_at=time.time(),
    )
    return url, pending


def state_matches(pending: PendingSignIn | None, state: str | None) -> bool:
    """Whether the callback's state is the one this session sent (compared in constant time)."""
    return pending is not None and state is not None and hmac.compare_digest(pending.state, state)


async def finish(provider: Provider, pending: PendingSignIn, *, code: str, redirect_uri: str) -> dict[str, Any]:
    """The verified claims of the signed-in person: the code exchanged, the ID token checked, userinfo added."""
    async with _client(provider, redirect_uri) as probe:
        metadata = await discover(probe, provider.issuer)
    supported = metadata.token_endpoint_auth_methods_supported
    method = (
        "client_secret_post"
        if "client_secret_basic" not in supported and "client_secret_post" in supported
        else "client_secret_basic"
    )
    async with _client(provider, redirect_uri, method) as client:
        try:
            token = await client.fetch_token(
                metadata.token_endpoint, grant_type="authorization_code", code=code, code_verifier=pending.verifier
            )
        except httpx.HTTPError:
            raise SsoRefusal("unreachable", UNREACHABLE) from None
        except (OAuthError, ValueError, KeyError):
            raise SsoRefusal("token", FAILED) from None
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise SsoRefusal("token", FAILED)
        keys = await _json(client, metadata.jwks_uri, "jwks")
        algorithms = [name for name in metadata.id_token_signing_alg_values_supported if name in SIGNING_ALGORITHMS]
        claims = verify_id_token(
            id_token, keys, issuer=provider.issuer, client_id=provider.client_id, nonce=pending.nonce,
            algorithms=algorithms,
        )  # fmt: skip
        if metadata.userinfo_endpoint:
            claims = {**await _userinfo(client, metadata.userinfo_endpoint, claims["sub"]), **claims}
    return claims


def verify_id_token(
    id_token: str, keys: Any, *, issuer: str, client_id: str, nonce: str, algorithms: list[str]
) -> dict[str, Any]:
    """The ID token's claims once its signature (against the JWKS `keys`), issuer, audience, dates and nonce hold."""
    try:
        key_set = KeySet.import_key_set(keys)
        token = jwt.decode(id_token, key_set, algorithms=algorithms or ["RS256"])
    except (JoseError, ValueError, TypeError, KeyError):
        raise SsoRefusal("signature", FAILED) from None
    claims = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        raise SsoRefusal(f"claim {getattr(error, 'claim', '')}".strip(), FAILED) from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    # OpenID Connect Core 3.1.3.7: an azp, when present, must be this client; with several audiences it must be there.
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != client_id:
        raise SsoRefusal("claim azp", FAILED)
    if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(claims["nonce"], nonce):
        raise SsoRefusal("nonce", FAILED)
    return claims


async def _userinfo(client: AsyncOAuth2Client, url: str, subject: str) -> dict[str, Any]:
    try:
        response = await client.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError:
        raise SsoRefusal("unreachable", UNREACHABLE) from None
    try:
        info = response.json() if response.status_code == 200 else None
    except ValueError:
        info = None
    if not isinstance(info, dict) or info.get("sub") != subject:
        raise SsoRefusal("userinfo", FAILED)
    return info


def verified_email(claims: dict[str, Any]) -> str:
    """The claims' e-mail address, lower-cased, once the provider says it has verified it."""
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        raise SsoRefusal("no email", N_("Your organisation's account gives no e-mail address: ask its administrator."))
    if claims.get("email_verified") not in (True, "true"):
        raise SsoRefusal(
            "email not verified",
            N_("Your organisation's account has not verified the e-mail address %(email)s: ask its administrator."),
            email=email.strip().lower(),
        )
    return email.strip().lower()


def mapped_role(
    claims: dict[str, Any], email: str, *, role_claim: str | None, role_map: list[Any], email_roles: dict[str, str]
) -> Role | None:
    """The role the configuration gives: by e-mail first, then the first mapped value the claim holds; else None."""
    if email in email_roles:
        return Role(email_roles[email])
    if role_claim is None:
        return None
    held = claims.get(role_claim)
    values = {str(value) for value in held} if isinstance(held, list) else ({str(held)} if held is not None else set())
    for value, role in role_map:
        if value in values:
            return Role(role)
    return None
