"""Single sign-on's rules: storing a configuration, finding an organisation's provider, and the account it signs in.

Services flush and never commit (the request or the command owns the transaction), and audit what they change:
``sso.configure`` (the fields changed, never the secret), ``user.create`` and ``user.role_change`` (by ``sso``),
``login.sso`` and ``login.sso_refused`` (with a short reason code, never a token).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

import msgspec
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.accounts.models import Role, User
from surveys.audit.services import record
from surveys.db import dialect_insert
from surveys.explained import N_, Explained
from surveys.org.models import Organisation
from surveys.sso.config import CheckedSso, SsoConfigError
from surveys.sso.flow import Provider, SsoRefusal, mapped_role, verified_email
from surveys.sso.models import SsoConfig, SsoDomain
from surveys.sso.secret import open_secret, seal_secret

NO_PASSWORD = "!sso"
"""The password hash of an account made at its first SSO sign-in: no password verifies against it."""
SSO_ACTOR = "sso"


class SsoView(msgspec.Struct, frozen=True, kw_only=True):
    """An organisation's configuration as pages and commands show it: never the secret."""

    organisation_id: uuid.UUID
    organisation: str
    issuer: str
    client_id: str
    domains: list[str]
    role_claim: str | None
    role_map: list[tuple[str, str]]
    email_roles: dict[str, str]
    local_passwords: bool


async def config_of(session: AsyncSession, organisation_id: uuid.UUID) -> SsoConfig | None:
    """The organisation's stored configuration, if any."""
    return await session.scalar(sa.select(SsoConfig).where(SsoConfig.organisation_id == organisation_id))


async def domains_of(session: AsyncSession, organisation_id: uuid.UUID) -> list[str]:
    """The organisation's allowed e-mail domains, sorted."""
    query = sa.select(SsoDomain.domain).where(SsoDomain.organisation_id == organisation_id).order_by(SsoDomain.domain)
    return list(await session.scalars(query))


async def views(session: AsyncSession, organisation_id: uuid.UUID | None = None) -> list[SsoView]:
    """Every configuration (or one organisation's), by organisation slug."""
    query = sa.select(SsoConfig, Organisation.slug).join(Organisation, Organisation.id == SsoConfig.organisation_id)
    if organisation_id is not None:
        query = query.where(SsoConfig.organisation_id == organisation_id)
    result = []
    for config, slug in await session.execute(query.order_by(Organisation.slug)):
        result.append(
            SsoView(
                organisation_id=config.organisation_id,
                organisation=slug,
                issuer=config.issuer,
                client_id=config.client_id,
                domains=await domains_of(session, config.organisation_id),
                role_claim=config.role_claim,
                role_map=[(str(value), str(role)) for value, role in config.role_map],
                email_roles=dict(config.email_roles),
                local_passwords=config.local_passwords,
            )
        )
    return result


async def save_config(
    session: AsyncSession, organisation: Organisation, checked: CheckedSso, *, actor: str, database_url: str
) -> SsoConfig:
    """Store the organisation's configuration (a domain of another organisation refused, naming it); audited."""
    taken = (
        await session.execute(
            sa.select(SsoDomain.domain, Organisation.slug)
            .join(Organisation, Organisation.id == SsoDomain.organisation_id)
            .where(SsoDomain.domain.in_(checked.domains), SsoDomain.organisation_id != organisation.id)
            .order_by(SsoDomain.domain)
        )
    ).first()
    if taken is not None:
        raise SsoConfigError(
            {"domains": Explained(N_("%(domain)s signs in through %(org)s already"), domain=taken[0], org=taken[1])}
        )
    config = await config_of(session, organisation.id)
    if config is None and checked.client_secret is None:
        raise SsoConfigError({"client_secret": Explained(N_("required"))})
    before = _comparable(config, await domains_of(session, organisation.id)) if config else {}
    if config is None:
        config = SsoConfig(organisation_id=organisation.id)
        session.add(config)
    config.issuer = checked.issuer
    config.client_id = checked.client_id
    if checked.client_secret is not None:
        config.client_secret_sealed = seal_secret(database_url, organisation.id, checked.client_secret)
    config.role_claim = checked.role_claim
    config.role_map = [[value, role.value] for value, role in checked.role_map]
    config.email_roles = {email: role.value for email, role in checked.email_roles.items()}
    if config.local_passwords is not False and not checked.local_passwords:
        # Sessions opened with a password end now: a password no longer signs these people in.
        await session.execute(
            sa.update(User)
            .where(User.organisation_id == organisation.id, User.role != Role.ADMIN)
            .values(session_generation=User.session_generation + 1)
        )
    config.local_passwords = checked.local_passwords
    await session.execute(sa.delete(SsoDomain).where(SsoDomain.organisation_id == organisation.id))
    session.add_all(SsoDomain(organisation_id=organisation.id, domain=domain) for domain in checked.domains)
    await session.flush()
    after = _comparable(config, sorted(checked.domains))
    changed = sorted(name for name in after if before.get(name) != after[name])
    await record(
        session,
        actor=actor,
        action="sso.configure",
        organisation_id=organisation.id,
        target=organisation.slug,
        details={
            "changed": changed,
            "secret_changed": checked.client_secret is not None,
            "issuer": checked.issuer,
            "domains": sorted(checked.domains),
            "local_passwords": checked.local_passwords,
        },
    )
    return config


async def remove_config(session: AsyncSession, organisation: Organisation, *, actor: str) -> bool:
    """Stop single sign-on for the organisation (its configuration and domains deleted); whether it had one. Audited.

    Its people sign in with passwords again: accounts made through the provider have none until they reset it.
    """
    config = await session.scalar(
        sa.select(SsoConfig).where(SsoConfig.organisation_id == organisation.id).with_for_update()
    )
    if config is None:
        return False
    await session.execute(sa.delete(SsoDomain).where(SsoDomain.organisation_id == organisation.id))
    await session.delete(config)
    await session.flush()
    await record(session, actor=actor, action="sso.remove", organisation_id=organisation.id, target=organisation.slug)
    return True


def _comparable(config: SsoConfig, domains: list[str]) -> dict[str, Any]:
    return {
        "issuer": config.issuer,
        "client_id": config.client_id,
        "domains": sorted(domains),
        "role_claim": config.role_claim,
        "role_map": [list(pair) for pair in config.role_map],
        "email_roles": dict(config.email_roles),
        "local_passwords": config.local_passwords,
    }


async def organisation_for(session: AsyncSession, identity: str) -> uuid.UUID | None:
    """The organisation that signs in `identity` (an e-mail, by its domain, or an organisation's slug) through SSO."""
    identity = identity.strip().lower()
    if "@" in identity:
        query = sa.select(SsoDomain.organisation_id).where(SsoDomain.domain == identity.rpartition("@")[2])
    else:
        query = (
            sa.select(SsoConfig.organisation_id)
            .join(Organisation, Organisation.id == SsoConfig.organisation_id)
            .where(Organisation.slug == identity)
        )
    return await session.scalar(query)


async def provider_of(session: AsyncSession, organisation_id: uuid.UUID, database_url: str) -> Provider | None:
    """The organisation's provider with its secret opened, or None without a configuration."""
    config = await config_of(session, organisation_id)
    if config is None:
        return None
    secret = open_secret(database_url, organisation_id, config.client_secret_sealed)
    return Provider(organisation_id, config.issuer, config.client_id, secret)


async def passwords_off(
    session: AsyncSession, email: str, user: User | None
) -> Literal["domain", "organisation"] | None:
    """Why the password of `email` (`user`, when known) is refused, or None where passwords are still on.

    ``domain``: the address's domain belongs to an organisation that signs in through its provider only, which
    anyone may learn from the sign-in page; ``organisation``: the account's organisation does, though the address
    is outside its domains. Admins keep their password (an admin never signs in through a provider), those without
    an organisation as those of one.
    """
    if user is not None and (user.organisation_id is None or user.role is Role.ADMIN):
        return None
    domain = email.strip().lower().rpartition("@")[2]
    by_domain = (
        sa.select(SsoConfig.local_passwords)
        .join(SsoDomain, SsoDomain.organisation_id == SsoConfig.organisation_id)
        .where(SsoDomain.domain == domain)
    )
    if await session.scalar(by_domain) is False:
        return "domain"
    if user is None:
        return None
    by_user = sa.select(SsoConfig.local_passwords).where(SsoConfig.organisation_id == user.organisation_id)
    return "organisation" if await session.scalar(by_user) is False else None


async def refuse(session: AsyncSession, refusal: SsoRefusal, *, actor: str, organisation_id: uuid.UUID | None) -> None:
    """Record a refused SSO sign-in with its reason code."""
    await record(
        session,
        actor=actor[:320] or "(unknown)",
        action="login.sso_refused",
        organisation_id=organisation_id,
        details={"reason": refusal.reason},
    )


async def account_for(session: AsyncSession, organisation_id: uuid.UUID, claims: dict[str, Any]) -> User:
    """The account the provider's verified claims sign in: found, or made as a viewer unless mapped; audited.

    Refused: an unverified or missing e-mail, a domain the organisation does not allow, an admin account, an
    account of another organisation, a deactivated account. With a role mapping, the role it gives (viewer when
    nothing matches) is applied at every sign-in, lower or higher; without one, an account keeps its role.
    """
    email = verified_email(claims)
    config = await config_of(session, organisation_id)
    if config is None:
        raise SsoRefusal("no configuration", N_("Your organisation no longer signs in through its own account."))
    if email.rpartition("@")[2] not in await domains_of(session, organisation_id):
        raise SsoRefusal(
            "domain",
            N_("The address %(email)s is not one your organisation signs in with here."),
            email=email,
        )
    role = mapped_role(
        claims, email, role_claim=config.role_claim, role_map=config.role_map, email_roles=config.email_roles
    )
    has_mapping = bool(config.role_map or config.email_roles)
    created = await session.execute(  # two first sign-ins at once: one account, the constraint decides
        dialect_insert(session)(User)
        .values(id=uuid.uuid4(), email=email, password_hash=NO_PASSWORD, role=role or Role.VIEWER,
                organisation_id=organisation_id, active=True, session_generation=0,
                created_at=dt.datetime.now(dt.UTC), updated_at=dt.datetime.now(dt.UTC))
        .on_conflict_do_nothing(index_elements=["email"])
    )  # fmt: skip
    user = await session.scalar(
        sa.select(User).where(User.email == email).with_for_update().execution_options(populate_existing=True)
    )
    assert user is not None  # inserted just now, or by the sign-in that won
    if created.rowcount:  # type: ignore[attr-defined]
        await record(
            session, actor=SSO_ACTOR, action="user.create", organisation_id=organisation_id, target=email,
            details={"role": user.role.value, "via": "sso"},
        )  # fmt: skip
        return user
    if user.role is Role.ADMIN or user.organisation_id != organisation_id:
        raise SsoRefusal(
            "other account",
            N_("The account %(email)s does not sign in through this organisation's account: use your password."),
            email=email,
        )
    if not user.active:
        raise SsoRefusal("inactive", N_("The account %(email)s is deactivated: ask an administrator."), email=email)
    new_role = (role or Role.VIEWER) if has_mapping else user.role
    if new_role is not user.role:
        previous, user.role = user.role, new_role
        await record(
            session, actor=SSO_ACTOR, action="user.role_change", organisation_id=organisation_id, target=email,
            details={"from": previous.value, "to": new_role.value, "via": "sso"},
        )  # fmt: skip
    return user
