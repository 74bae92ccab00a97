"""Households: who belongs to which Account beyond the Contact's own ``AccountId``.

``account_contact_relation`` mirrors Salesforce's AccountContactRelation in orgs that have "Contacts
to Multiple Accounts" (the pull checks the global describe first), so the client view can list a
household's members, including a grown-up child or a trustee whose Contact sits under another
Account. Names are kept on the row so a member not synced here can still be named. Goes with its
connection (CASCADE). Members from the Contact's own ``AccountId`` need no table: ``contact``
already has ``account_sf_id`` and its index.

Revision ID: 0006_households
Revises: 0005_list_index
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_households"
down_revision: str | None = "0005_list_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_contact_relation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("sf_id", sa.String(), nullable=False),
        sa.Column("account_sf_id", sa.String(), nullable=False),
        sa.Column("contact_sf_id", sa.String(), nullable=False),
        sa.Column("account_name", sa.String(), nullable=True),
        sa.Column("contact_name", sa.String(), nullable=True),
        sa.Column("roles", sa.String(), nullable=True),
        sa.Column("is_direct", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("system_modstamp", sa.DateTime(), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"], ["connection.id"],
            name=op.f("fk_account_contact_relation_connection_id_connection"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_contact_relation")),
        sa.UniqueConstraint("connection_id", "sf_id", name="uq_account_contact_relation_connection_sf_id"),
    )
    with op.batch_alter_table("account_contact_relation", schema=None) as batch_op:
        batch_op.create_index("ix_acr_account", ["connection_id", "account_sf_id"], unique=False)
        batch_op.create_index("ix_acr_contact", ["connection_id", "contact_sf_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("account_contact_relation", schema=None) as batch_op:
        batch_op.drop_index("ix_acr_contact")
        batch_op.drop_index("ix_acr_account")
    op.drop_table("account_contact_relation")
