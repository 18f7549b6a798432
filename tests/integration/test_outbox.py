"""Any number of senders at once send each e-mail of the outbox once, with a link that works."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import uuid
from collections import Counter

import pytest
import sqlalchemy as sa

from surveys.db import alchemy_config
from surveys.mail.jobs import INVITATION_KINDS, deliver
from surveys.mail.models import DeliveryStatus, EmailDelivery, MailKind
from surveys.mail.outbox import SmtpMailer
from surveys.mail.services import queue
from surveys.settings import Settings
from surveys.waves.models import Invitation, Wave
from surveys.waves.services import hash_token, launch_wave
from tests.integration.mailbox import Inbox
from tests.integration.test_wave_concurrency import _draft

PEOPLE = 5


def _mail_settings(database: Settings, port: int) -> Settings:
    return Settings(
        environment="test",
        database_url=database.database_url,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        mail_per_second=1000.0,
    )


async def _launched_with_outbox(settings: Settings) -> uuid.UUID:
    wave_id = await _draft(settings)
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            wave = await session.get_one(Wave, wave_id)
            issued = await launch_wave(session, wave)
            await queue(session, wave, MailKind.INVITATION, [invitation.invitation_id for invitation in issued])
    finally:
        await config.get_engine().dispose()
    return wave_id


async def test_three_senders_at_once_send_each_invitation_once_with_a_live_link(
    clean_database: Settings, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    settings = _mail_settings(clean_database, port)
    wave_id = await _launched_with_outbox(settings)
    engines = [alchemy_config(settings) for _ in range(3)]
    try:
        reports = await asyncio.gather(
            *(
                deliver(
                    c.create_session_maker(), settings, SmtpMailer(settings), wave_id=wave_id, kinds=INVITATION_KINDS
                )
                for c in engines
            )
        )
        assert sum(report.sent for report in reports) == PEOPLE
        assert sum(report.failed for report in reports) == 0
        assert sorted(Counter(message["To"] for message in inbox.messages).values()) == [1] * PEOPLE
        async with engines[0].get_session() as session:
            hashes = set(await session.scalars(sa.select(Invitation.token_hash)))
            statuses = list(await session.scalars(sa.select(EmailDelivery.status)))
        links = [re.search(r"/r/(\S+)", str(message.get_body(("plain",)).get_content())) for message in inbox.messages]  # type: ignore[union-attr]
        assert {hash_token(link.group(1)) for link in links if link} == hashes  # every link e-mailed works
        assert statuses == [DeliveryStatus.SENT] * PEOPLE
    finally:
        for config in engines:
            await config.get_engine().dispose()


async def test_a_row_held_by_a_dead_sender_is_sent_once_its_lease_expires(
    clean_database: Settings, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    settings = _mail_settings(clean_database, port)
    wave_id = await _launched_with_outbox(settings)
    config = alchemy_config(settings)
    now = dt.datetime.now(dt.UTC)
    try:
        async with config.get_session() as session, session.begin():
            rows = list(await session.scalars(sa.select(EmailDelivery).order_by(EmailDelivery.id)))
            rows[0].status, rows[0].lease_until = DeliveryStatus.SENDING, now + dt.timedelta(minutes=5)
            rows[1].status, rows[1].lease_until = DeliveryStatus.SENDING, now - dt.timedelta(seconds=1)
            held = rows[0].id
        sender = SmtpMailer(settings)
        report = await deliver(config.create_session_maker(), settings, sender, wave_id=wave_id)
        assert report.sent == PEOPLE - 1  # the row whose sender may still be alive is left to it
        async with config.get_session() as session:
            left = list(await session.scalars(sa.select(EmailDelivery.id).where(EmailDelivery.status != "sent")))
        assert left == [held]
        assert len(inbox.messages) == PEOPLE - 1
    finally:
        await config.get_engine().dispose()


async def test_the_waves_own_paragraph_reaches_each_invitee_in_their_language_until_it_closes(
    clean_database: Settings, smtp: tuple[Inbox, int]
) -> None:
    from surveys.waves.services import WaveStateError, close_wave, set_introduction

    inbox, port = smtp
    settings = _mail_settings(clean_database, port)
    wave_id = await _draft(settings)  # five employees who read English
    config = alchemy_config(settings)
    paragraph = {
        "fr": "Cette année, la direction s'engage à répondre à chaque équipe.",
        "en": "This year <b>we</b> answer.",
    }
    try:
        async with config.get_session() as session, session.begin():
            wave = await session.get_one(Wave, wave_id)
            with pytest.raises(ValueError, match=r"^introduction_fr: longer than 1000 characters"):
                await set_introduction(session, wave, {"fr": "x" * 1001, "en": ""})
            await set_introduction(session, wave, paragraph)
            issued = await launch_wave(session, wave)
            await queue(session, wave, MailKind.INVITATION, [invitation.invitation_id for invitation in issued])
        report = await deliver(
            config.create_session_maker(), settings, SmtpMailer(settings), wave_id=wave_id, kinds=INVITATION_KINDS
        )
        assert report.sent == PEOPLE
        for message in inbox.messages:
            plain = str(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
            html = str(message.get_body(("html",)).get_content())  # type: ignore[union-attr]
            assert "This year <b>we</b> answer." in plain and "la direction" not in plain
            assert "This year &lt;b&gt;we&lt;/b&gt; answer." in html  # the lead's text, never markup
        async with config.get_session() as session, session.begin():
            wave = await session.get_one(Wave, wave_id)
            await close_wave(session, wave)
        async with config.get_session() as session, session.begin():
            wave = await session.get_one(Wave, wave_id)
            with pytest.raises(WaveStateError, match="its introduction can no longer change"):
                await set_introduction(session, wave, {"fr": "", "en": "Too late."})
    finally:
        await config.get_engine().dispose()
