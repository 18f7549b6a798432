"""open links per team: one permanent code per front-line team, across waves

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 09:30:00.000000

A team keeps the code of its newest wave's link, so the cards printed for the latest wave go on working; the codes
of older waves' links stop. Downgrading ties each team's code to the newest wave that covers the team.
"""

from collections.abc import Sequence

import advanced_alchemy
import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "DELETE FROM open_link WHERE EXISTS (SELECT 1 FROM open_link AS newer WHERE newer.team_id = open_link.team_id"
        " AND (newer.created_at > open_link.created_at"
        " OR (newer.created_at = open_link.created_at AND newer.code > open_link.code)))"
    )
    with op.batch_alter_table("open_link") as table:
        table.drop_index("ix_open_link_wave_id")
        table.drop_constraint("uq_open_link_wave_id", type_="unique")
        table.drop_constraint("fk_open_link_wave_id_wave", type_="foreignkey")
        table.drop_column("wave_id")
        table.create_unique_constraint("uq_open_link_team_id", ["team_id"])


def downgrade() -> None:
    with op.batch_alter_table("open_link") as table:
        table.add_column(sa.Column("wave_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True))
    op.execute(
        "UPDATE open_link SET wave_id = (SELECT wave_team.wave_id FROM wave_team JOIN wave ON wave.id ="
        " wave_team.wave_id WHERE wave_team.team_id = open_link.team_id ORDER BY wave.opens_on DESC LIMIT 1)"
    )
    op.execute("DELETE FROM open_link WHERE wave_id IS NULL")
    with op.batch_alter_table("open_link") as table:
        table.drop_constraint("uq_open_link_team_id", type_="unique")
        table.alter_column("wave_id", existing_type=advanced_alchemy.types.guid.GUID(length=16), nullable=False)
        table.create_foreign_key("fk_open_link_wave_id_wave", "wave", ["wave_id"], ["id"], ondelete="CASCADE")
        table.create_unique_constraint("uq_open_link_wave_id", ["wave_id", "team_id"])
        table.create_index("ix_open_link_wave_id", ["wave_id"], unique=False)
