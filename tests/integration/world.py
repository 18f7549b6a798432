"""A small world for the access tests: two organisations, a hierarchy, a launched wave, one user per role."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from litestar import Litestar
from litestar.testing import AsyncTestClient

from surveys.accounts.models import Role
from surveys.accounts.services import create_user
from surveys.db import alchemy_config
from surveys.instruments.services import register_instrument
from surveys.org.models import Employee, Organisation, Team
from surveys.settings import Settings
from surveys.waves.services import create_wave, launch_wave

PASSWORD = "correct horse battery"
SECRET = "Secret team of Beta"


@dataclass
class World:
    app: Litestar
    wave_id: uuid.UUID
    manager_team: uuid.UUID
    other_team: uuid.UUID
    viewer_id: uuid.UUID
    alpha_id: uuid.UUID
    version_id: uuid.UUID
    """The instrument version of the waves."""


async def build_world(settings: Settings) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID, uuid.UUID]:
    config = alchemy_config(settings)
    try:
        async with config.get_session() as session, session.begin():
            alpha = Organisation(id=uuid.uuid4(), slug="alpha", name="Alpha")
            beta = Organisation(id=uuid.uuid4(), slug="beta", name="Beta")
            session.add_all([alpha, beta])
            await session.flush()
            hq = Team(id=uuid.uuid4(), organisation_id=alpha.id, external_id="HQ", name="Head office")
            north = Team(id=uuid.uuid4(), organisation_id=alpha.id, external_id="N", name="North",
                         manager_email="manager@alpha.example")  # fmt: skip
            session.add_all([hq, north])
            await session.flush()
            branch = Team(
                id=uuid.uuid4(), organisation_id=alpha.id, external_id="N1", name="North one", parent_id=north.id
            )
            south = Team(id=uuid.uuid4(), organisation_id=alpha.id, external_id="S", name="South", parent_id=hq.id)
            north.parent_id = hq.id
            secret = Team(id=uuid.uuid4(), organisation_id=beta.id, external_id="B", name=SECRET)
            session.add_all([branch, south, secret])
            await session.flush()
            session.add_all(
                Employee(organisation_id=alpha.id, team_id=team.id, email=f"e{i}@alpha.example", language="en")
                for i, team in enumerate([branch, south, branch])
            )
            version, _ = await register_instrument(session, "attention")
            wave = await create_wave(session, alpha, name="Spring", instrument_version_id=version.id,
                                     opens_on=dt.date(2026, 3, 1), closes_on=dt.date(2026, 3, 31))  # fmt: skip
            await launch_wave(session, wave)
            await create_wave(session, beta, name="Beta wave", instrument_version_id=version.id,
                              opens_on=dt.date(2026, 3, 1), closes_on=dt.date(2026, 3, 31))  # fmt: skip
            users = {}
            for role, email, organisation in [
                (Role.ADMIN, "admin@alpha.example", None),
                (Role.HR_LEAD, "hr@alpha.example", alpha.id),
                (Role.CX_LEAD, "cx@alpha.example", alpha.id),
                (Role.MANAGER, "manager@alpha.example", alpha.id),
                (Role.VIEWER, "viewer@alpha.example", alpha.id),
                (Role.HR_LEAD, "hr@beta.example", beta.id),
            ]:
                users[email] = await create_user(
                    session, email=email, password=PASSWORD, role=role, organisation_id=organisation
                )
            return wave.id, branch.id, south.id, users["viewer@alpha.example"].id, alpha.id, version.id
    finally:
        await config.get_engine().dispose()


EMAILS = {
    "admin": "admin@alpha.example",
    "hr_lead": "hr@alpha.example",
    "cx_lead": "cx@alpha.example",
    "manager": "manager@alpha.example",
    "viewer": "viewer@alpha.example",
    "other_org": "hr@beta.example",
}


async def client_for(app: Litestar, role: str) -> AsyncTestClient:  # type: ignore[type-arg]
    client = AsyncTestClient(app=app)
    await client.__aenter__()
    await client.get("/login")
    if role != "anonymous":
        response = await client.post(
            "/login", data={"email": EMAILS[role], "password": PASSWORD, "_csrf_token": client.cookies["csrftoken"]},
            follow_redirects=False,
        )  # fmt: skip
        assert response.status_code == 303, response.text
    return client
