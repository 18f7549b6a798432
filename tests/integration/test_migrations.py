"""The schema comes from the migrations only, and they match the models."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import pytest
import sqlalchemy as sa
from advanced_alchemy.types import GUID
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from surveys.collection.models import Comment, Response
from surveys.collection.services import submit_response
from surveys.db import alchemy_config
from surveys.migrations import alembic_config, compare_type
from surveys.models import metadata
from surveys.org.models import Organisation, Team
from surveys.settings import Settings
from surveys.waves.models import OpenLink, Wave, WaveTeam
from surveys.waves.services import close_wave
from symmetry.domain import Respondent
from tests.integration.factories import StoredResponse, build_open_wave, complete_answers, stored_responses

ORG, TEAM, WAVE, RESPONSE = (uuid.uuid4() for _ in range(4))
NOW = dt.datetime(2026, 1, 15, 9, 30, tzinfo=dt.UTC)


def _differences(connection: sa.Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": compare_type})
    return list(compare_metadata(context, metadata))


async def test_models_and_migrations_do_not_drift(migrated: Settings) -> None:
    engine = alchemy_config(migrated).get_engine()
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        await engine.dispose()
    assert differences == []


async def test_drift_check_notices_a_table_the_migrations_lack(migrated: Settings) -> None:
    extra = sa.Table("not_migrated", metadata, sa.Column("id", sa.Integer, primary_key=True))
    engine = alchemy_config(migrated).get_engine()
    try:
        async with engine.connect() as connection:
            differences = await connection.run_sync(_differences)
    finally:
        metadata.remove(extra)
        await engine.dispose()
    assert [difference[0] for difference in differences] == ["add_table"]


async def test_migrations_create_every_model_table(migrated: Settings) -> None:
    engine = alchemy_config(migrated).get_engine()
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(sa.inspect(sync).get_table_names()))
    finally:
        await engine.dispose()
    assert set(metadata.tables) | {"alembic_version"} == tables


# The response table as it was before revision 0008 dropped its day, and before 0015 packed its answers.
RESPONSE_AT_0004 = sa.Table(
    "response",
    sa.MetaData(),
    *(
        column._copy()
        for column in Response.__table__.columns
        if not column.name.endswith("_score") and column.name not in ("mixing_group", "answers")
    ),
    sa.Column("submitted_on", sa.Date),
)
RESPONSE_AT_0014 = sa.Table(
    "response", sa.MetaData(), *(column._copy() for column in Response.__table__.columns if column.name != "answers")
)
ANSWER_BEFORE_0015 = sa.Table(
    "answer",
    sa.MetaData(),
    sa.Column("response_id", GUID(length=16), primary_key=True),
    sa.Column("item_id", sa.String(64), primary_key=True),
    sa.Column("value", sa.SmallInteger),
)


def _seed(
    settings: Settings,
    response_table: sa.Table,
    given: Mapping[uuid.UUID, tuple[str, Mapping[str, int]]],
    **response_columns: object,
) -> None:
    """A closed wave of one team with `given` responses (respondent and answers), as the schema of its revision has
    them: Core inserts of the columns that exist then (the tables' types bind the ids), answers a row each."""
    from surveys.instruments.services import register_instrument
    from tests.support import run_sync

    async def seed() -> None:
        config = alchemy_config(settings)
        engine = config.get_engine()
        try:
            async with config.get_session() as session, session.begin():
                version, _ = await register_instrument(session, "attention")
                version_id = version.id
            async with engine.begin() as connection:
                await connection.execute(
                    sa.insert(Organisation.__table__).values(id=ORG, slug="o", name="O", created_at=NOW, updated_at=NOW)
                )
                await connection.execute(
                    sa.insert(Team.__table__).values(
                        id=TEAM, organisation_id=ORG, external_id="T", name="T", created_at=NOW, updated_at=NOW
                    )
                )
                await connection.execute(
                    sa.insert(Wave.__table__).values(
                        id=WAVE, organisation_id=ORG, instrument_version_id=version_id, name="W", opens_on=NOW.date(),
                        closes_on=NOW.date(), state="closed", created_at=NOW, updated_at=NOW,
                    )
                )  # fmt: skip
                for response_id, (respondent, answers) in given.items():
                    await connection.execute(
                        sa.insert(response_table).values(
                            id=response_id, wave_id=WAVE, team_id=TEAM, instrument_version_id=version_id,
                            respondent=respondent, channel="invitation", **response_columns,
                        )
                    )  # fmt: skip
                    for item, value in answers.items():
                        await connection.execute(
                            sa.insert(ANSWER_BEFORE_0015).values(response_id=response_id, item_id=item, value=value)
                        )
        finally:
            await engine.dispose()

    run_sync(seed())


def test_score_columns_are_backfilled_from_earlier_answers(empty_database_url: str) -> None:
    from surveys.migrations import upgrade
    from tests.support import in_thread, run_sync

    settings = Settings(environment="test", database_url=empty_database_url)
    in_thread(upgrade, settings, "0004")

    answers = {"listening.employee": 4, "trust.employee": 5, "listening.mirror": 2}
    _seed(settings, RESPONSE_AT_0004, {RESPONSE: ("employee", answers)}, submitted_on=NOW.date())
    in_thread(upgrade, settings, "0014")

    async def scores() -> tuple[object, ...]:
        engine = alchemy_config(settings).get_engine()
        try:
            async with engine.connect() as connection:
                row = (await connection.execute(
                    sa.text("SELECT employee_score, mirror_score, customer_score FROM response")
                )).one()  # fmt: skip
                return tuple(row)
        finally:
            await engine.dispose()

    assert run_sync(scores()) == (4.5, 2.0, None)
    # The answers came through every revision since, into the packed column of revision 0015.
    in_thread(upgrade, settings, "head")
    assert [stored.answers for stored in run_sync(_stored(settings))] == [
        {"listening.employee": 4, "trust.employee": 5, "listening.mirror": 2}
    ]


async def _stored(settings: Settings) -> list[StoredResponse]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session:
            return await stored_responses(session)
    finally:
        await config.get_engine().dispose()


def test_packing_refuses_an_answer_its_layout_cannot_hold_and_changes_nothing(empty_database_url: str) -> None:
    from surveys.migrations import upgrade
    from tests.support import in_thread, run_sync

    settings = Settings(environment="test", database_url=empty_database_url)
    in_thread(upgrade, settings, "0014")

    async def answers_and_revision() -> tuple[int, str]:
        engine = alchemy_config(settings).get_engine()
        try:
            async with engine.connect() as connection:
                count = await connection.scalar(sa.select(sa.func.count()).select_from(ANSWER_BEFORE_0015))
                revision = await connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
                return int(count or 0), str(revision)
        finally:
            await engine.dispose()

    # A customer item in an employee's response: the layout has no byte for it.
    _seed(settings, RESPONSE_AT_0014, {RESPONSE: ("employee", {"listening.employee": 4, "outcome.nps": 9})})
    with pytest.raises(RuntimeError, match=r"outcome\.nps"):
        in_thread(upgrade, settings, "head")
    assert run_sync(answers_and_revision()) == (2, "0014")


def test_packing_the_answers_converts_a_populated_database_both_ways(empty_database_url: str) -> None:
    from surveys.migrations import upgrade
    from tests.support import in_thread, run_sync

    settings = Settings(environment="test", database_url=empty_database_url)
    in_thread(upgrade, settings, "0014")
    given = {
        uuid.uuid4(): (
            "employee",
            {"listening.employee": 1, "trust.employee": 5, "listening.mirror": 3, "outcome.enps": 0},
        ),
        uuid.uuid4(): ("employee", {"listening.employee": 2}),  # the rest unanswered
        uuid.uuid4(): ("customer", {"listening.customer": 4, "outcome.nps": 10}),
        uuid.uuid4(): ("customer", {}),
    }
    seeded = sorted(
        (response_id, item, value) for response_id, (_, answers) in given.items() for item, value in answers.items()
    )

    async def comment_on(response_id: uuid.UUID) -> None:
        engine = alchemy_config(settings).get_engine()
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    sa.insert(Comment.__table__).values(
                        response_id=response_id, item_id="comment.employee", text="Merci"
                    )
                )
        finally:
            await engine.dispose()

    async def answer_rows() -> list[tuple[object, ...]]:
        engine = alchemy_config(settings).get_engine()
        try:
            async with engine.connect() as connection:
                rows = await connection.execute(sa.select(ANSWER_BEFORE_0015))
                return sorted(tuple(row) for row in rows)
        finally:
            await engine.dispose()

    async def comments() -> list[str]:
        engine = alchemy_config(settings).get_engine()
        try:
            async with engine.connect() as connection:
                return list(await connection.scalars(sa.select(Comment.__table__.c.text)))
        finally:
            await engine.dispose()

    async def means(response_id: uuid.UUID) -> tuple[object, ...]:
        engine = alchemy_config(settings).get_engine()
        try:
            async with engine.connect() as connection:
                columns = sa.text("SELECT employee_score, mirror_score, customer_score FROM response WHERE id = :id")
                row = (
                    await connection.execute(
                        columns.bindparams(sa.bindparam("id", type_=GUID(length=16))), {"id": response_id}
                    )
                ).one()
                return tuple(row)
        finally:
            await engine.dispose()

    def packed() -> dict[uuid.UUID, tuple[str, dict[str, int]]]:
        return {stored.id: (stored.respondent.value, stored.answers) for stored in run_sync(_stored(settings))}

    _seed(settings, RESPONSE_AT_0014, given)
    run_sync(comment_on(next(iter(given))))
    in_thread(upgrade, settings, "head")
    assert packed() == given and run_sync(comments()) == ["Merci"]
    in_thread(command.downgrade, alembic_config(settings), "0014")
    assert run_sync(answer_rows()) == seeded and run_sync(comments()) == ["Merci"]
    # The per-voice means come back, computed from the answers: (1 + 5) / 2 for the first employee's own items.
    assert run_sync(means(next(iter(given)))) == (3.0, 3.0, None)
    in_thread(upgrade, settings, "head")
    assert packed() == given and run_sync(comments()) == ["Merci"]


def test_the_sealed_answers_migration_goes_back_only_once_no_answer_waits_sealed(empty_database_url: str) -> None:
    from surveys.migrations import upgrade
    from tests.support import in_thread, run_sync

    settings = Settings(environment="test", database_url=empty_database_url)
    in_thread(upgrade, settings, "head")

    async def answer_then(closing: bool) -> None:
        config = alchemy_config(settings)
        try:
            async with config.get_session() as session, session.begin():
                if closing:
                    await close_wave(
                        session, await session.get_one(Wave, (await session.scalars(sa.select(Wave.id))).one())
                    )
                    return
                wave = await build_open_wave(session)
                answers = complete_answers(wave.instrument, Respondent.EMPLOYEE)
                await submit_response(session, wave.token(Respondent.EMPLOYEE, "fr"), answers)
        finally:
            await config.get_engine().dispose()

    run_sync(answer_then(closing=False))
    with pytest.raises(RuntimeError, match="1 answers are still sealed"):
        in_thread(command.downgrade, alembic_config(settings), "0013")
    run_sync(answer_then(closing=True))  # closing admits it
    in_thread(command.downgrade, alembic_config(settings), "0013")

    async def tables() -> set[str]:
        engine = alchemy_config(settings).get_engine()
        try:
            async with engine.connect() as connection:
                return set(await connection.run_sync(lambda sync: sa.inspect(sync).get_table_names()))
        finally:
            await engine.dispose()

    assert "sealed_response" not in run_sync(tables())
    in_thread(upgrade, settings, "head")
    assert "sealed_response" in run_sync(tables())


OPEN_LINK_AT_0020 = sa.Table(
    "open_link",
    sa.MetaData(),
    *(column._copy() for column in OpenLink.__table__.columns if column.name != "team_id"),
    sa.Column("team_id", GUID(length=16)),
    sa.Column("wave_id", GUID(length=16)),
)


def test_open_links_become_the_teams_keeping_the_newest_code_and_go_back(empty_database_url: str) -> None:
    from surveys.migrations import upgrade
    from tests.support import in_thread, run_sync

    settings = Settings(environment="test", database_url=empty_database_url)
    in_thread(upgrade, settings, "0020")
    _seed(settings, RESPONSE_AT_0014, {})  # an organisation, its team T, and its closed wave W
    later = uuid.uuid4()

    async def seed_links() -> None:
        engine = alchemy_config(settings).get_engine()
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    sa.insert(Wave.__table__).values(
                        id=later, organisation_id=ORG, name="Later", opens_on=NOW.date() + dt.timedelta(days=90),
                        closes_on=NOW.date() + dt.timedelta(days=120), state="open", created_at=NOW, updated_at=NOW,
                        instrument_version_id=sa.select(Wave.instrument_version_id).where(Wave.id == WAVE)
                        .scalar_subquery(),
                    )
                )  # fmt: skip
                for wave_id, code, created in ((WAVE, "old-code", NOW), (later, "new-code", NOW + dt.timedelta(90))):
                    await connection.execute(sa.insert(WaveTeam.__table__).values(wave_id=wave_id, team_id=TEAM))
                    await connection.execute(
                        sa.insert(OPEN_LINK_AT_0020).values(
                            id=uuid.uuid4(), wave_id=wave_id, team_id=TEAM, code=code, one_per_browser=False,
                            created_at=created, updated_at=created,
                        )
                    )  # fmt: skip
        finally:
            await engine.dispose()

    async def links(columns: str) -> list[tuple[object, ...]]:
        engine = alchemy_config(settings).get_engine()
        try:
            async with engine.connect() as connection:
                return [tuple(row) for row in await connection.execute(sa.text(f"SELECT {columns} FROM open_link"))]
        finally:
            await engine.dispose()

    run_sync(seed_links())
    in_thread(upgrade, settings, "head")
    assert run_sync(links("code, one_per_browser")) == [("new-code", False)]  # the latest wave's printed cards work
    in_thread(command.downgrade, alembic_config(settings), "0020")
    [(code, wave_id)] = run_sync(links("code, wave_id"))
    assert code == "new-code"
    assert (uuid.UUID(bytes=wave_id) if isinstance(wave_id, bytes) else uuid.UUID(str(wave_id))) == later
    in_thread(upgrade, settings, "head")
    assert run_sync(links("code")) == [("new-code",)]


def test_waves_before_the_customer_form_ask_the_full_one_and_the_column_goes_back(empty_database_url: str) -> None:
    from surveys.migrations import upgrade
    from tests.support import in_thread, run_sync

    settings = Settings(environment="test", database_url=empty_database_url)
    in_thread(upgrade, settings, "0022")
    _seed(settings, RESPONSE_AT_0014, {})  # an organisation, its team T, and its closed wave W

    async def read(query: str) -> list[tuple[object, ...]]:
        engine = alchemy_config(settings).get_engine()
        try:
            async with engine.connect() as connection:
                return [tuple(row) for row in await connection.execute(sa.text(query))]
        finally:
            await engine.dispose()

    async def wave_columns() -> set[str]:
        engine = alchemy_config(settings).get_engine()
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(lambda sync: {c["name"] for c in sa.inspect(sync).get_columns("wave")})
        finally:
            await engine.dispose()

    in_thread(upgrade, settings, "0023")
    assert run_sync(read("SELECT name, customer_form FROM wave")) == [("W", "full")]
    in_thread(command.downgrade, alembic_config(settings), "0022")
    assert "customer_form" not in run_sync(wave_columns())
    assert run_sync(read("SELECT name FROM wave")) == [("W",)]
