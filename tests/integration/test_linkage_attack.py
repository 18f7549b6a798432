"""A database reader tries to name who gave each answer: from system columns, row order, ids and e-mail records.

Employees of two teams answer one transaction at a time, with reminders in between, as people do over the days
of a wave, and mixing admits their sealed answers a batch at a time, as its job does. Each answer carries its
author's number in two items, so the test knows the truth; the attacker does not use the content. Every pairing
below must do no better than chance, on the open wave and after it closes, and the answers still sealed must
say nothing. On PostgreSQL the reader sees ``xmin`` and ``ctid``; on SQLite, ``rowid``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Sequence

import pytest
import sqlalchemy as sa
from advanced_alchemy.config import SQLAlchemyAsyncConfig
from sqlalchemy.ext.asyncio import AsyncSession

import surveys.collection.mixing
from surveys.collection.mixing import MIXING_BATCH, admit_batch
from surveys.collection.models import Comment, Response
from surveys.collection.sealing import Sealer, UnsealError
from surveys.collection.services import submit_response
from surveys.db import alchemy_config
from surveys.instruments.loader import load_instrument
from surveys.instruments.services import register_instrument
from surveys.mail.models import MailKind
from surveys.mail.services import queue
from surveys.org.models import Employee, Organisation, Team
from surveys.settings import Settings
from surveys.waves.models import Wave
from surveys.waves.services import close_wave, create_wave, launch_wave
from symmetry.domain import Respondent
from tests.integration.factories import complete_answers

SIZES = {"A": 14, "B": 16}
# Under chance, the right guesses of a strategy over the two teams are about Poisson(2): 9 or more happens about
# once in 4,000 (with eight strategies and states checked, a run fails by chance about once in 500).
MOST_RIGHT_BY_CHANCE = 8


def _author_answers(answers: dict[str, object], number: int) -> dict[str, object]:
    return {**answers, "listening.employee": 1 + number % 5, "trust.employee": 1 + number // 5}


async def _world(session: AsyncSession) -> tuple[Wave, list[tuple[str, uuid.UUID, str]]]:
    organisation = Organisation(id=uuid.uuid4(), slug="linkage", name="Linkage")
    session.add(organisation)
    await session.flush()
    for key, size in SIZES.items():
        team = Team(id=uuid.uuid4(), organisation_id=organisation.id, external_id=key, name=f"Team {key}")
        session.add(team)
        await session.flush()
        session.add_all(
            Employee(organisation_id=organisation.id, team_id=team.id, email=f"{key}{i:02d}@x.example", language="en")
            for i in range(size)
        )
    version, _ = await register_instrument(session, "attention")
    wave = await create_wave(session, organisation, name="W", instrument_version_id=version.id,
                             opens_on=dt.date(2026, 1, 5), closes_on=dt.date(2026, 1, 25))  # fmt: skip
    invitations = await launch_wave(session, wave)
    emails = {e.id: e.email for e in await session.scalars(sa.select(Employee))}
    people = [
        (emails[i.person_id], i.invitation_id, i.token) for i in invitations if i.respondent is Respondent.EMPLOYEE
    ]
    return wave, sorted(people)


def _number(email: str) -> int:
    return int(email[1:3])


def _system_columns(postgres: bool) -> tuple[str, ...]:
    return ("xmin::text::bigint", "ctid::text") if postgres else ("rowid",)


def _sortable(value: object) -> tuple[int, ...]:
    """A system column's value in its physical order: a ctid "(page,item)" as a pair, a number as itself."""
    text = str(value)
    if text.startswith("("):
        return tuple(int(part) for part in text.strip("()").split(","))
    return (int(text),) if text.isdigit() else tuple(text.encode())


async def _attack(session: AsyncSession, postgres: bool) -> dict[str, int]:
    """Each strategy's number of answers paired with their real author, teams taken one by one."""
    columns = _system_columns(postgres)
    listed = ", ".join
    invitations = list(
        await session.execute(
            sa.text(
                f"SELECT e.email, i.team_id, {listed('i.' + c for c in columns)}, i.id "
                "FROM invitation i JOIN employee e ON e.id = i.employee_id WHERE i.answered"
            )
        )
    )
    responses = list(
        await session.execute(
            sa.text(
                f"SELECT r.team_id, {listed('r.' + c for c in columns)}, r.id, r.answers "
                "FROM response r WHERE r.respondent = 'employee'"
            )
        )
    )
    # While the wave is open, the admitted responses are those of the earliest answers: the attacker pairs them
    # with the invitations answered first, by the same order, and expects the rest to be sealed.
    sealed = list(await session.execute(sa.text("SELECT team_id, sealed FROM sealed_response")))
    assert len(invitations) == len(responses) + len(sealed) == sum(SIZES.values())
    _cannot_read(sealed)

    # The attacker reads the instrument too: which byte of the packed answers is which item.
    items = [item.id for item in load_instrument("attention").items_for(Respondent.EMPLOYEE)]

    def author(response: Sequence[object]) -> int:
        packed = bytes(response[-1])  # type: ignore[call-overload]
        listening, trust = packed[items.index("listening.employee")], packed[items.index("trust.employee")]
        return (listening - 1) + 5 * (trust - 1)

    right: dict[str, int] = {}
    for j, name in enumerate((*columns, "id")):
        count = 0
        for team in {row[1] for row in invitations}:
            people = sorted((row for row in invitations if row[1] == team), key=lambda row: _sortable(row[2 + j]))
            answers = sorted((row for row in responses if row[0] == team), key=lambda row: _sortable(row[1 + j]))
            count += sum(_number(str(i[0])) == author(r) for i, r in zip(people, answers, strict=False))
        right[name] = count
    if postgres:  # the response written in the transaction that consumed the invitation
        by_transaction = {row[1]: row for row in responses}
        right["same xmin"] = sum(
            row[2] in by_transaction and _number(str(row[0])) == author(by_transaction[row[2]]) for row in invitations
        )
    return right


def _cannot_read(sealed: Sequence[Sequence[object]]) -> None:
    """Sealed answers: no item id, no comment and no pattern shows, and no other key opens them."""
    blobs = [bytes(row[1]) for row in sealed]  # type: ignore[arg-type]
    assert len(set(blobs)) == len(blobs)  # a fresh nonce each: equal answers look different
    for blob in blobs:
        assert b"employee" not in blob and b"@x.example" not in blob
        with pytest.raises(UnsealError):
            Sealer(bytes(32)).open(blob)


async def _answer(config: SQLAlchemyAsyncConfig, token: str, answers: dict[str, object]) -> None:
    """One person's submission, then the mixing its job does (nothing until a batch waits)."""
    async with config.get_session() as session, session.begin():
        stored = await submit_response(session, token, answers)
    async with config.get_session() as session, session.begin():
        await admit_batch(session, stored.wave_id, stored.team_id, stored.respondent)


async def _answer_then_attack(clean_database: Settings) -> tuple[dict[str, int], dict[str, int]]:
    """Answer one transaction at a time with reminders in between; attack the open wave, then the closed one."""
    config = alchemy_config(clean_database)
    postgres = config.get_engine().dialect.name == "postgresql"
    try:
        async with config.get_session() as session, session.begin():
            wave, people = await _world(session)
            instrument_answers = complete_answers(load_instrument("attention"), Respondent.EMPLOYEE)
        for day, (email, _, token) in enumerate(people):
            await _answer(config, token, _author_answers(instrument_answers, _number(email)))
            if day % 5 == 4:  # a round of reminders to everyone who has not answered yet
                async with config.get_session() as session, session.begin():
                    remaining = [invitation for _, invitation, _ in people[day + 1 :]]
                    live = await session.get_one(Wave, wave.id)
                    await queue(session, live, MailKind.REMINDER, remaining)
        async with config.get_session() as session:
            open_wave = await _attack(session, postgres)
        async with config.get_session() as session, session.begin():
            await close_wave(session, await session.get_one(Wave, wave.id))
        async with config.get_session() as session:
            closed_wave = await _attack(session, postgres)
    finally:
        await config.get_engine().dispose()
    return open_wave, closed_wave


async def test_a_database_reader_pairs_no_answer_with_its_author(clean_database: Settings) -> None:
    open_wave, closed_wave = await _answer_then_attack(clean_database)
    assert len(open_wave) >= 2
    for strategy, right in {**{f"open, {k}": v for k, v in open_wave.items()},
                            **{f"closed, {k}": v for k, v in closed_wave.items()}}.items():  # fmt: skip
        assert right <= MOST_RIGHT_BY_CHANCE, f"{strategy}: {right} of {sum(SIZES.values())} answers paired"


async def test_the_attack_pairs_every_admitted_answer_when_nothing_is_shuffled(
    clean_database: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def leave_as_written(*_: object, **__: object) -> int:
        return 0

    monkeypatch.setattr(surveys.collection.mixing, "rewrite_responses", leave_as_written)
    monkeypatch.setattr(surveys.collection.mixing, "shuffle", lambda rows: None)
    open_wave, _ = await _answer_then_attack(clean_database)
    admitted = sum(size // MIXING_BATCH * MIXING_BATCH for size in SIZES.values())
    assert max(open_wave.values()) == admitted


async def test_everyone_answering_at_once_is_stored_once_each(clean_database: Settings) -> None:
    # Concurrent submissions and the mixing of their batches: none deadlocks, none is lost or admitted twice.
    config = alchemy_config(clean_database)
    try:
        async with config.get_session() as session, session.begin():
            wave, people = await _world(session)
        answers = complete_answers(load_instrument("attention"), Respondent.EMPLOYEE)

        async def submit(email: str, token: str) -> None:
            async with config.get_session() as session, session.begin():
                stored = await submit_response(
                    session, token, _author_answers(answers, _number(email)), {"comment.employee": email}
                )
            async with config.get_session() as session, session.begin():
                await admit_batch(session, stored.wave_id, stored.team_id, stored.respondent)

        await asyncio.gather(*(submit(email, token) for email, _, token in people))
        async with config.get_session() as session, session.begin():
            await close_wave(session, await session.get_one(Wave, wave.id))
        async with config.get_session() as session:
            comments = sorted(await session.scalars(sa.select(Comment.text)))
            stored = await session.scalar(sa.select(sa.func.count()).select_from(Response))
    finally:
        await config.get_engine().dispose()
    assert stored == len(people)
    assert comments == sorted(email for email, _, _ in people)


async def test_a_batch_rewrites_the_mixing_groups_it_joins_and_closing_makes_one_group(
    clean_database: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(surveys.collection.mixing, "MIXING_GROUP", 5)
    monkeypatch.setattr(surveys.collection.mixing, "MIXING_BATCH", 4)
    config = alchemy_config(clean_database)
    postgres = config.get_engine().dialect.name == "postgresql"
    transaction = "r.xmin::text" if postgres else "r.rowid"
    answers = complete_answers(load_instrument("attention"), Respondent.EMPLOYEE)

    async def groups(session: AsyncSession) -> dict[int, list[str]]:
        rows = await session.execute(
            sa.text(f"SELECT mixing_group, {transaction} FROM response r JOIN team t ON t.id = r.team_id "
                    "WHERE t.external_id = 'A'")
        )  # fmt: skip
        found: dict[int, list[str]] = {}
        for group, written in rows:
            found.setdefault(int(group), []).append(str(written))
        return found

    try:
        async with config.get_session() as session, session.begin():
            wave, people = await _world(session)
        team_a = [person for person in people if person[0].startswith("A")][:12]
        for email, _, token in team_a:
            async with config.get_session() as session, session.begin():
                stored = await submit_response(session, token, _author_answers(answers, _number(email)))
            async with config.get_session() as session, session.begin():
                await admit_batch(session, stored.wave_id, stored.team_id, stored.respondent)
        async with config.get_session() as session:
            open_groups = await groups(session)
        async with config.get_session() as session, session.begin():
            await close_wave(session, await session.get_one(Wave, wave.id))
        async with config.get_session() as session:
            closed_groups = await groups(session)
    finally:
        await config.get_engine().dispose()
    assert {group: len(rows) for group, rows in open_groups.items()} == {0: 5, 1: 5, 2: 2}
    assert list(closed_groups) == [0] and len(closed_groups[0]) == 12
    if postgres:  # each group was last written as a whole, by the last batch joining it; closing wrote them all
        assert all(len(set(written)) == 1 for written in open_groups.values())
        assert len({written for rows in open_groups.values() for written in rows}) == 2  # batches 2 and 3
        assert len(set(closed_groups[0])) == 1
