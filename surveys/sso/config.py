"""What an admin gives to configure an organisation's single sign-on, checked field by field.

Every problem is found before anything is stored, each naming its field; the page shows them beside their fields
and the command with its options. An issuer is an https URL; plain http is accepted only to this machine
(``127.0.0.1``, ``localhost``, ``::1``) and only when ``SYMMETRY_ENVIRONMENT`` is development or test, for a
provider run beside the app.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import msgspec

from surveys.accounts.models import Role
from surveys.explained import N_, Explained, one_of
from surveys.text_checks import EMAIL, text_problem

FIELD_LABELS = {
    "issuer": N_("Issuer URL"),
    "client_id": N_("Client id"),
    "client_secret": N_("Client secret"),
    "domains": N_("Allowed e-mail domains"),
    "role_claim": N_("Role claim (optional)"),
    "role_map": N_("Roles by claim value"),
    "email_roles": N_("Roles by e-mail (optional)"),
}
"""Each field of a configuration as the page names it; the command names its options instead."""
MAPPED_ROLES = (Role.HR_LEAD, Role.CX_LEAD, Role.MANAGER, Role.VIEWER)
"""The roles a provider may give: never admin (admins are made by admins)."""
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
DOMAIN = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]")
CLAIM_NAME = re.compile(r"[^\s\x00-\x1f\x7f]{1,100}")


class SsoForm(msgspec.Struct, frozen=True, kw_only=True):
    """The configuration as given, each value as typed (the page's fields, the command's options)."""

    issuer: str
    client_id: str
    client_secret: str = ""
    """Empty: keep the stored secret."""
    domains: list[str]
    role_claim: str = ""
    role_map: list[str] = msgspec.field(default_factory=list)
    """``value=role`` pairs, in order of precedence."""
    email_roles: list[str] = msgspec.field(default_factory=list)
    """``email=role`` pairs."""
    local_passwords: bool = True


class CheckedSso(msgspec.Struct, frozen=True, kw_only=True):
    """A configuration that may be stored."""

    issuer: str
    client_id: str
    client_secret: str | None
    """None: keep the stored one."""
    domains: tuple[str, ...]
    role_claim: str | None
    role_map: tuple[tuple[str, Role], ...]
    email_roles: dict[str, Role]
    local_passwords: bool


class SsoConfigError(ValueError):
    """Every problem of a configuration, by field (a key of :data:`FIELD_LABELS`)."""

    def __init__(self, problems: dict[str, Explained]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{field}: {problem}" for field, problem in problems.items()))


def split_list(text: str) -> list[str]:
    """The entries of a list typed with commas, spaces or one per line, empty ones left out."""
    return [entry for entry in re.split(r"[\s,;]+", text) if entry]


def split_lines(text: str) -> list[str]:
    """The non-empty lines of a text area (a claim value may hold commas: one pair per line)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def check_form(form: SsoForm, *, environment: str, has_secret: bool) -> CheckedSso:
    """The configuration to store, or :class:`SsoConfigError` with every problem found."""
    problems: dict[str, Explained] = {}
    issuer = form.issuer.strip()
    if problem := issuer_problem(issuer, environment):
        problems["issuer"] = problem
    client_id = form.client_id.strip()
    if problem := _required_text(client_id, 255):
        problems["client_id"] = problem
    secret = form.client_secret.strip()
    if secret:
        if problem := text_problem(secret, 2000):
            problems["client_secret"] = problem
    elif not has_secret:
        problems["client_secret"] = Explained(N_("required"))
    domains = tuple(dict.fromkeys(entry.strip().lower().removeprefix("@") for entry in form.domains if entry.strip()))
    if not domains:
        problems["domains"] = Explained(N_("give at least one e-mail domain, such as example.fr"))
    elif bad := [domain for domain in domains if not DOMAIN.fullmatch(domain)]:
        problems["domains"] = Explained(N_("not a domain name: %(values)s"), values=", ".join(bad[:5]))
    role_claim = form.role_claim.strip() or None
    if role_claim is not None and not CLAIM_NAME.fullmatch(role_claim):
        problems["role_claim"] = Explained(N_("a claim's name: up to 100 characters, no spaces"))
    role_map = _pairs(form.role_map, "role_map", problems, lambda value: bool(value) and not text_problem(value, 200))
    if role_map and role_claim is None:
        problems.setdefault("role_claim", Explained(N_("required with a role mapping")))
    if role_claim is not None and not role_map and "role_map" not in problems:
        problems["role_map"] = Explained(N_("give at least one value=role pair for the role claim"))
    email_roles = [
        (email.lower(), role)
        for email, role in _pairs(form.email_roles, "email_roles", problems, lambda value: bool(EMAIL.match(value)))
    ]
    outside = [email for email, _ in email_roles if email.rpartition("@")[2] not in domains]
    if domains and outside and "email_roles" not in problems:
        problems["email_roles"] = Explained(
            N_("outside the allowed domains: %(values)s"), values=", ".join(outside[:5])
        )
    if problems:
        raise SsoConfigError(problems)
    return CheckedSso(
        issuer=issuer,
        client_id=client_id,
        client_secret=secret or None,
        domains=domains,
        role_claim=role_claim,
        role_map=tuple(role_map),
        email_roles=dict(email_roles),
        local_passwords=form.local_passwords,
    )


def issuer_problem(issuer: str, environment: str) -> Explained | None:
    """What is wrong with an issuer URL, or None (see the module's note on http)."""
    if not issuer:
        return Explained(N_("required"))
    if problem := text_problem(issuer, 500):
        return problem
    try:
        parts = urlsplit(issuer)
        hostname = parts.hostname
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        hostname = None
    if not hostname or parts.query or parts.fragment or parts.username or parts.password:
        return Explained(N_("a URL such as https://login.example.fr/realms/staff, without query or fragment"))
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and hostname in LOOPBACK_HOSTS and environment in ("development", "test"):
        return None
    if parts.scheme == "http" and hostname in LOOPBACK_HOSTS:
        return Explained(N_("must be https: http is only for a provider on this machine in development or test"))
    return Explained(N_("must be https"))


def _required_text(value: str, max_length: int) -> Explained | None:
    if not value:
        return Explained(N_("required"))
    if any(character.isspace() for character in value):
        return Explained(N_("must not contain spaces"))
    return text_problem(value, max_length)


def _pairs(
    entries: Iterable[str], field: str, problems: dict[str, Explained], valid_key: Callable[[str], bool]
) -> list[tuple[str, Role]]:
    """``key=role`` entries as pairs (the last ``=`` separates: a claim value may hold one), or a problem."""
    pairs: list[tuple[str, Role]] = []
    for entry in entries:
        key, separator, role = entry.strip().rpartition("=")
        key = key.strip()
        if not separator or not valid_key(key):
            problems[field] = Explained(N_("not a value=role pair: %(entry)s"), entry=repr(entry[:100]))
            return []
        if role.strip() not in {mapped.value for mapped in MAPPED_ROLES}:
            problems[field] = Explained(
                N_("%(entry)s: the role must be %(roles)s"),
                entry=repr(entry[:100]),
                roles=one_of([mapped.value for mapped in MAPPED_ROLES]),
            )
            return []
        pairs.append((key, Role(role.strip())))
    return pairs
