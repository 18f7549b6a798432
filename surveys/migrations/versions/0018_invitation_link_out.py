"""invitation link out: whether somebody holds the invitation's current link

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 19:00:00.000000

A link is out once an e-mail carrying it was sent or ``symmetry wave links`` wrote it; the launch's own token is
held by nobody. ``wave links`` then writes links only for the people who have none, unless told to replace them
all. Invitations whose e-mail was sent before this revision are marked; links written by ``wave links`` before it
cannot be known, and count as not out.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitation") as table:
        table.add_column(sa.Column("link_out", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        "UPDATE invitation SET link_out = TRUE WHERE EXISTS (SELECT 1 FROM email_delivery "
        "WHERE email_delivery.invitation_id = invitation.id AND email_delivery.status = 'sent')"
    )


def downgrade() -> None:
    with op.batch_alter_table("invitation") as table:
        table.drop_column("link_out")
