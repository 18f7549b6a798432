"""Waves open and close by themselves on their dates where their organisation is, never a day early.

Two organisations a day apart (Kiritimati, UTC+14, and UTC-12: at any instant their dates differ by one or two
days) hold waves with the same dates: the scheduler opens and closes only those whose date has come there.
"""

from __future__ import annotations

import datetime as dt
import uuid

import msgspec
import pytest
import sqlalchemy as sa

from surveys.db import alchemy_config
from surveys.instruments.services import register_instrument
from surveys.org.models import Employee, Organisation, Team
from surveys.org.services import checked_time_zone, local_today
from surveys.settings import Settings
from surveys.waves.actions import launch
from surveys.waves.models import Invitation, Wave, WaveState
from surveys.waves.services import create_wave, launch_wave, schedule_wave
from surveys.worker.queue import InlineJobs, JobRequest
from tests.integration.mailbox import Inbox

EAST, WEST = "Pacific/Kiritimati", "Etc/GMT+12"


def test_a_date_is_read_where_the_organisation_is() -> None:
    instant = dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC)
    assert local_today("Europe/Paris", instant) == dt.date(2026, 12, 2)
    assert local_today("America/Montreal", instant) == dt.date(2026, 12, 1)
    assert local_today(EAST, instant) - local_today(WEST, instant) == dt.timedelta(days=1)
    eleven = dt.datetime(2026, 12, 1, 11, tzinfo=dt.UTC)  # 1 am tomorrow in the east, 11 pm yesterday in the west
    assert local_today(EAST, eleven) - local_today(WEST, eleven) == dt.timedelta(days=2)
    assert checked_time_zone("Europe/Paris") == "Europe/Paris"
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        checked_time_zone("Mars/Olympus")


async def _organisation(settings: Settings, time_zone: str) -> dict[str, uuid.UUID]:
    """An organisation in `time_zone` with a scheduled wave opening and an open wave closing on the same dates."""
    config = alchemy_config(settings)
    west_today = local_today(WEST)
    try:
        async with config.get_session() as session, session.begin():
            organisation = Organisation(slug=f"org-{uuid.uuid4().hex[:8]}", name=time_zone, time_zone=time_zone)
            session.add(organisation)
            await session.flush()
            team = Team(organisation_id=organisation.id, external_id="T1", name="Team")
            session.add(team)
            await session.flush()
            session.add(Employee(organisation_id=organisation.id, team_id=team.id, email="a@x.example", language="fr"))
            version, _ = await register_instrument(session, "attention")
            # Opens on the east's today: come in the east, tomorrow or later in the west.
            opening = await create_wave(
                session, organisation, name="Opening", instrument_version_id=version.id,
                opens_on=local_today(EAST), closes_on=local_today(EAST) + dt.timedelta(days=20),
            )  # fmt: skip
            await schedule_wave(session, opening)
            # Closes on the west's today: still open there, past its date in the east.
            closing = await create_wave(
                session, organisation, name="Closing", instrument_version_id=version.id,
                opens_on=west_today - dt.timedelta(days=10), closes_on=west_today,
            )  # fmt: skip
            await launch_wave(session, closing)
            # A lead's launch: in the west its opening date is still to come, so it is scheduled instead.
            draft = await create_wave(
                session, organisation, name="Draft", instrument_version_id=version.id,
                opens_on=local_today(EAST), closes_on=local_today(EAST) + dt.timedelta(days=20),
            )  # fmt: skip
            await launch(session, draft, settings, actor="test")
            return {"opening": opening.id, "closing": closing.id, "draft": draft.id}
    finally:
        await config.get_engine().dispose()


async def _states(settings: Settings, ids: dict[str, uuid.UUID]) -> dict[str, WaveState]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            rows = await session.execute(sa.select(Wave.id, Wave.state).where(Wave.id.in_(ids.values())))
            by_id = dict(rows.all())
            return {name: by_id[wave_id] for name, wave_id in ids.items()}
    finally:
        await config.get_engine().dispose()


async def test_the_scheduler_opens_and_closes_each_wave_on_its_organisations_dates(clean_database: Settings) -> None:
    east = await _organisation(clean_database, EAST)
    west = await _organisation(clean_database, WEST)
    assert (await _states(clean_database, east))["draft"] is WaveState.OPEN  # its date has come in the east
    assert (await _states(clean_database, west))["draft"] is WaveState.SCHEDULED  # not yet in the west
    jobs = InlineJobs(clean_database)
    try:
        await jobs.run(JobRequest("open_and_close_due_waves", key="schedule"))
    finally:
        await jobs.close()
    assert await _states(clean_database, east) == {
        "opening": WaveState.OPEN, "closing": WaveState.CLOSED, "draft": WaveState.OPEN,
    }  # fmt: skip
    assert await _states(clean_database, west) == {
        "opening": WaveState.SCHEDULED, "closing": WaveState.OPEN, "draft": WaveState.SCHEDULED,
    }  # fmt: skip


async def _reminded_wave(settings: Settings) -> dt.date:
    """An open wave closing in five days, reminders 7 and 2 days before, three employees of whom one answered."""
    config = alchemy_config(settings)
    today = local_today("Europe/Paris")
    try:
        async with config.get_session() as session, session.begin():
            organisation = Organisation(slug="reminded", name="Reminded", time_zone="Europe/Paris")
            session.add(organisation)
            await session.flush()
            team = Team(organisation_id=organisation.id, external_id="T1", name="Team")
            session.add(team)
            await session.flush()
            session.add_all(
                Employee(organisation_id=organisation.id, team_id=team.id, email=f"e{n}@x.example", language="fr")
                for n in range(3)
            )
            version, _ = await register_instrument(session, "attention")
            wave = await create_wave(
                session, organisation, name="Reminded", instrument_version_id=version.id,
                opens_on=today - dt.timedelta(days=10), closes_on=today + dt.timedelta(days=5), reminder_days="2, 7",
            )  # fmt: skip
            assert wave.reminder_days == "7,2"  # largest first, whatever the order given
            invitations = await launch_wave(session, wave)
            first = await session.get_one(Invitation, invitations[0].invitation_id)
            first.answered = True
            return wave.closes_on
    finally:
        await config.get_engine().dispose()


async def test_reminders_leave_on_the_waves_reminder_days_once_each_to_those_who_have_not_answered(
    clean_database: Settings, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    settings = msgspec.structs.replace(
        clean_database, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False, max_reminders=3
    )
    closes_on = await _reminded_wave(settings)

    async def sweep(day: dt.date) -> int:
        jobs = InlineJobs(settings)
        try:
            await jobs.run(JobRequest("open_and_close_due_waves", key="schedule", kwargs={"today": day.isoformat()}))
        finally:
            await jobs.close()
        return len(inbox.messages)

    assert await sweep(closes_on - dt.timedelta(days=8)) == 0  # before the first reminder day
    assert await sweep(closes_on - dt.timedelta(days=5)) == 2  # 7 days before has come: the two who have not answered
    assert await sweep(closes_on - dt.timedelta(days=5)) == 2  # run again the same day: nothing more
    assert await sweep(closes_on - dt.timedelta(days=2)) == 4  # the second day
    assert await sweep(closes_on) == 4  # no day left
    assert len({message["To"] for message in inbox.messages}) == 2  # the same two, twice each
    assert all(message["Subject"].startswith("Rappel") for message in inbox.messages)


def test_reminder_days_outside_the_wave_are_refused_naming_the_field() -> None:
    from surveys.waves.services import checked_reminder_days

    opens, closes = dt.date(2026, 12, 1), dt.date(2026, 12, 21)
    assert checked_reminder_days(" 7 ; 2,7", opens, closes) == [7, 2]
    for bad in ("30", "-1", "next week"):
        with pytest.raises(ValueError, match="reminder_days: days before the closing date, from 0 to 20"):
            checked_reminder_days(bad, opens, closes)
