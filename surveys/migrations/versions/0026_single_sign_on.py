"""single sign-on: per organisation, its OpenID Connect provider and the e-mail domains that sign in through it

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 15:00:00.000000

The client secret is stored sealed (surveys/sso/secret.py); a domain belongs to one organisation at most.
"""

from collections.abc import Sequence
from typing import Any

import advanced_alchemy
import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _audit_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "sso_config",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("organisation_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("client_id", sa.String(255), nullable=False),
        sa.Column("client_secret_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("role_claim", sa.String(100), nullable=True),
        sa.Column("role_map", sa.JSON(), nullable=False),
        sa.Column("email_roles", sa.JSON(), nullable=False),
        sa.Column("local_passwords", sa.Boolean(), nullable=False),
        *_audit_columns(),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_sso_config_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_config")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_sso_config_organisation_id")),
    )
    op.create_table(
        "sso_domain",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("organisation_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("domain", sa.String(253), nullable=False),
        *_audit_columns(),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_sso_domain_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_domain")),
        sa.UniqueConstraint("domain", name=op.f("uq_sso_domain_domain")),
    )
    op.create_index(op.f("ix_sso_domain_organisation_id"), "sso_domain", ["organisation_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sso_domain_organisation_id"), table_name="sso_domain")
    op.drop_table("sso_domain")
    op.drop_table("sso_config")
