"""Changing a password, and resetting a forgotten one through a single-use, expiring link sent by e-mail.

The link's token is made when the e-mail is composed and stored as its SHA-256 only once the SMTP server has
accepted it (the outbox's ``on_sent``), as survey tokens are. Asking for a reset says the same thing whether or not
the address has an account.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.accounts.models import PasswordReset, User
from surveys.accounts.services import HASHER, PASSWORD_MIN_LENGTH, AccountError, end_other_sessions, too_short
from surveys.catalog import LANGUAGES, Language, translation
from surveys.explained import N_, Explained
from surveys.mail.models import EmailDelivery, MailKind
from surveys.mail.outbox import Prepared
from surveys.settings import Settings
from surveys.waves.services import TOKEN_BYTES, hash_token

RESET_VALID = dt.timedelta(hours=1)


def _reset_letter(language: Language, link: str) -> tuple[str, str]:
    """The subject and text of the reset e-mail in `language`."""
    _ = translation(language).gettext
    text = "\n\n".join(
        (
            _("Hello,"),
            _("To choose a new Symmetry password, open this link within the hour (it works once):") + "\n" + link,
            _("If you did not ask for this, ignore this message: your password stays as it is."),
        )
    )
    return _("Symmetry: new password"), text


def reset_message(language: str | None, link: str) -> tuple[str, str]:
    """The reset e-mail in the account's language; in French then English while the user has not chosen one."""
    if language in LANGUAGES:
        return _reset_letter(language, link)
    letters = [_reset_letter(each, link) for each in LANGUAGES]
    return " / ".join(subject for subject, _ in letters), "\n\n---\n\n".join(text for _, text in letters) + "\n"


def check_new_password(password: str, confirmation: str) -> None:
    """An AccountError naming the field when the new password is too short or not confirmed."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError("password", too_short())
    if password != confirmation:
        raise AccountError("confirmation", Explained(N_("the two passwords differ")))


async def request_reset(session: AsyncSession, email: str) -> uuid.UUID | None:
    """For an active account with this e-mail, a reset and its e-mail in the outbox (its id); None otherwise."""
    user = await session.scalar(sa.select(User).where(User.email == email.strip().lower(), User.active.is_(True)))
    if user is None:
        return None
    reset = PasswordReset(id=uuid.uuid4(), user_id=user.id, expires_at=dt.datetime.now(dt.UTC) + RESET_VALID)
    session.add(reset)
    await session.flush()
    delivery = EmailDelivery(id=uuid.uuid4(), kind=MailKind.PASSWORD_RESET, password_reset_id=reset.id)
    session.add(delivery)
    await session.flush()
    return delivery.id


async def prepare_password_reset(session: AsyncSession, delivery: EmailDelivery, settings: Settings) -> Prepared | None:
    """The reset e-mail with a fresh token; None once the reset is used or expired, or its account inactive."""
    row = (
        await session.execute(
            sa.select(PasswordReset, User.email, User.language)
            .join(User, User.id == PasswordReset.user_id)
            .where(PasswordReset.id == delivery.password_reset_id, User.active.is_(True))
        )
    ).one_or_none()
    if row is None:
        return None
    reset, address, language = row
    if reset.used_at is not None or reset.expires_at <= dt.datetime.now(dt.UTC):
        return None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    message = EmailMessage()
    subject, text = reset_message(language, f"{settings.public_url}/password/reset/{token}")
    message["Subject"] = subject
    message["From"] = settings.smtp_from
    message["To"] = address
    message["Message-ID"] = make_msgid(domain="symmetry.invalid")
    message.set_content(text)
    reset_id = reset.id

    async def on_sent(session: AsyncSession) -> None:
        await session.execute(
            sa.update(PasswordReset)
            .where(PasswordReset.id == reset_id)
            .values(token_hash=hash_token(token))
            .execution_options(synchronize_session=False)
        )

    return Prepared(message, on_sent)


def _usable(token: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        PasswordReset.token_hash == hash_token(token),
        PasswordReset.used_at.is_(None),
        PasswordReset.expires_at > dt.datetime.now(dt.UTC),
    )


async def reset_is_usable(session: AsyncSession, token: str) -> bool:
    """Whether the link's token names a reset not used and not expired."""
    return bool(await session.scalar(sa.select(PasswordReset.id).where(_usable(token))))


async def reset_password(session: AsyncSession, token: str, password: str, confirmation: str) -> User | None:
    """Set the new password through the link; None if the link is unknown, used or expired.

    The reset is consumed by a conditional UPDATE, so of two uses at once only one succeeds; every other pending
    reset of the account is consumed with it.
    """
    check_new_password(password, confirmation)
    user_id = await session.scalar(
        sa.update(PasswordReset)
        .where(_usable(token))
        .values(used_at=dt.datetime.now(dt.UTC))
        .returning(PasswordReset.user_id)
        .execution_options(synchronize_session=False)
    )
    if user_id is None:
        return None
    user = await session.get_one(User, user_id)
    if not user.active:
        return None
    user.password_hash = HASHER.hash(password)
    await end_other_sessions(session, user)  # whoever held a session, with the old password, holds it no more
    await session.execute(
        sa.update(PasswordReset)
        .where(PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None))
        .values(used_at=dt.datetime.now(dt.UTC))
        .execution_options(synchronize_session=False)
    )
    return user


async def change_password(session: AsyncSession, user: User, current: str, password: str, confirmation: str) -> None:
    """Replace a signed-in user's password, once the current one is given; every session of theirs ends.

    `user` then carries the new session count, for the session of this request to continue under.
    """
    try:
        HASHER.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise AccountError("current", Explained(N_("this is not your current password"))) from None
    check_new_password(password, confirmation)
    stored = await session.get_one(User, user.id)
    stored.password_hash = HASHER.hash(password)
    await end_other_sessions(session, stored)
    user.session_generation = stored.session_generation
    await session.flush()
