"""An organisation's privacy notice: who collects the answers, why, for how long, and whom to ask.

Written from what the platform knows (the organisation's name, its retention policy, the anonymity thresholds) and
what only the organisation knows (its contact for data questions and its own paragraph, per language). The survey
pages link to it: the customer survey on its first page, the employee survey from its anonymity statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from surveys.audit.services import record
from surveys.org.models import Organisation
from surveys.privacy.retention import policy_of
from surveys.text_checks import checked_text

CONTACT_LENGTH = 320
PARAGRAPH_LENGTH = 2000
NOTICE_FIELDS = {"contact": "privacy_contact", "fr": "privacy_notice_fr", "en": "privacy_notice_en"}
"""The notice's settings as the forms and the command name them, and their columns."""


def notice_url(organisation_id: uuid.UUID | None, language: str) -> str | None:
    """Where the organisation's notice is read, in `language` (None for no organisation: a preview)."""
    return None if organisation_id is None else f"/notice/{organisation_id}?lang={language}"


def checked_notice(values: Mapping[str, str]) -> dict[str, str | None]:
    """The notice's settings from text ("" clears one), or a refusal naming the field."""
    checked: dict[str, str | None] = {}
    for field, text in values.items():
        limit = CONTACT_LENGTH if field == "contact" else PARAGRAPH_LENGTH
        text = text.strip()
        checked[field] = checked_text(text, field=field, max_length=limit) or None
    return checked


async def set_notice(
    session: AsyncSession, organisation: Organisation, values: Mapping[str, str | None], *, actor: str
) -> None:
    """Change the notice's settings under the organisation's row lock; audited with the lengths, not the text."""
    locked = await session.scalar(
        sa.select(Organisation).where(Organisation.id == organisation.id).with_for_update().execution_options(
            populate_existing=True
        )
    )  # fmt: skip
    assert locked is not None  # the caller just read it
    changed = {}
    for field, value in values.items():
        column = NOTICE_FIELDS[field]
        if getattr(locked, column) != value:
            setattr(locked, column, value)
            changed[field] = len(value or "")
    await session.flush()
    if changed:
        await record(
            session, actor=actor, action="privacy.notice", organisation_id=locked.id, details={"lengths": changed}
        )


async def notice_context(session: AsyncSession, organisation: Organisation, language: str) -> dict[str, Any]:
    """What the notice page says of this organisation, in `language`."""
    paragraph = organisation.privacy_notice_fr if language == "fr" else organisation.privacy_notice_en
    return {
        "organisation_name": organisation.name,
        "contact": organisation.privacy_contact,
        "paragraph": paragraph,
        "retention": await policy_of(session, organisation.id),
    }
