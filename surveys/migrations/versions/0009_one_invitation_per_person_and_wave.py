"""one invitation per person and wave

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:10:00.000000

Two launches at once could invite everyone twice. Duplicates left by that are removed first, keeping for each
person and wave an answered invitation if there is one (their e-mail records go with the others).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PEOPLE = ("employee_id", "customer_id")


def upgrade() -> None:
    for person in PEOPLE:
        op.execute(
            sa.text(
                f"DELETE FROM invitation WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER ("
                f"PARTITION BY wave_id, {person} ORDER BY answered DESC, id) AS position FROM invitation "
                f"WHERE {person} IS NOT NULL) AS ranked WHERE position > 1)"
            )
        )
    with op.batch_alter_table("invitation") as batch:
        for person in PEOPLE:
            batch.create_unique_constraint(f"uq_invitation_wave_id_{person}", ["wave_id", person])


def downgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        for person in PEOPLE:
            batch.drop_constraint(f"uq_invitation_wave_id_{person}", type_="unique")
