"""Users: creation with an argon2 hash, sign-in, and what each role may see."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.accounts.models import Role, User
from surveys.catalog import ROLE_LABELS
from surveys.explained import N_, Explained
from surveys.org.models import Team
from surveys.text_checks import EMAIL, malformed_email
from surveys.waves.services import subtree_ids

PASSWORD_MIN_LENGTH = 12


def too_short() -> Explained:
    """What is wrong with a password shorter than the minimum."""
    return Explained(N_("at least %(length)s characters"), length=PASSWORD_MIN_LENGTH)


HASHER = PasswordHasher()
# Verifying against this when the e-mail is unknown makes a failed sign-in take as long either way.
_DUMMY_HASH = HASHER.hash("not a password of anyone")


class AccountError(Explained):
    """An account that cannot be created or changed; `field` names what is wrong."""

    def __init__(self, field: str, problem: Explained) -> None:
        self.field = field
        super().__init__(N_("%(field)s: %(problem)s"), field=field, problem=problem)

    def __reduce__(self) -> tuple[type[AccountError], tuple[str, Explained]]:  # copied or pickled like any error
        return type(self), (self.field, self.values["problem"])  # type: ignore[return-value]


def belongs_to_organisation(role: Role) -> AccountError:
    """The refusal of an account of `role` without an organisation (every role but an admin needs one)."""
    return AccountError(
        "organisation", Explained(N_("a %(role)s belongs to an organisation"), role=Explained(ROLE_LABELS[role.value]))
    )


async def create_user(
    session: AsyncSession, *, email: str, password: str, role: Role, organisation_id: uuid.UUID | None
) -> User:
    """A new active user. Everyone but an admin belongs to an organisation."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise AccountError("email", malformed_email(email))
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError("password", too_short())
    if role is not Role.ADMIN and organisation_id is None:
        raise belongs_to_organisation(role)
    if await session.scalar(sa.select(User.id).where(User.email == email)):
        raise AccountError("email", Explained(N_("a user %(email)s already exists"), email=email))
    user = User(email=email, password_hash=HASHER.hash(password), role=role, organisation_id=organisation_id)
    session.add(user)
    await session.flush()
    return user


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (whatever was wrong)."""
    user = await session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    # An account without a password (made by single sign-on) costs the same check as one with: timing tells nothing.
    stored = user.password_hash if user is not None and user.password_hash.startswith("$argon2") else _DUMMY_HASH
    try:
        HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active or stored is _DUMMY_HASH:
        return None
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    return user


def signed_in_session(user: User) -> dict[str, Any]:
    """What a session holds once `user` has signed in: who, and under which of their passwords."""
    return {"user_id": str(user.id), "generation": user.session_generation}


def session_is_current(session: dict[str, Any], user: User) -> bool:
    """Whether a session signed in as `user` was opened since their password last changed."""
    return bool(user.active) and session.get("generation", 0) == user.session_generation


async def end_other_sessions(session: AsyncSession, user: User) -> None:
    """Invalidate every session of `user` opened so far (the password changed); `user` gets the new count."""
    generation = await session.scalar(
        sa.update(User)
        .where(User.id == user.id)
        .values(session_generation=User.session_generation + 1)
        .returning(User.session_generation)
        .execution_options(synchronize_session=False)
    )
    assert generation is not None  # the user's row exists: it was just read
    user.session_generation = generation


async def visible_team_ids(session: AsyncSession, user: User) -> set[uuid.UUID] | None:
    """The teams a user may see: None for the whole organisation, else a manager's teams and those below them."""
    if user.role is not Role.MANAGER:
        return None
    if user.organisation_id is None:
        return set()
    managed = list(
        await session.scalars(
            sa.select(Team.id).where(Team.organisation_id == user.organisation_id, Team.manager_email == user.email)
        )
    )
    return await subtree_ids(session, user.organisation_id, managed)
