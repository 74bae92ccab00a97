"""Client history: each client"s Salesforce notes, tasks, meetings and opportunities, offline.

* ``history_item``: one row per (Salesforce record, client); a ContentNote linked to two people is
  shown under both.  Mirrors the org, so it goes with its connection (CASCADE).  Bodies are plain text.
* ``history_state``: when each client"s history was last brought up to date ("as of 08:14 today")
  and the newest ``SystemModstamp`` seen, from which the next refresh asks for changes (with overlap).

Revision ID: 0010_history
Revises: 0009_task_reminder
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_history"
down_revision: str | None = "0009_task_reminder"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "history_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("sf_id", sa.String(), nullable=False),
        sa.Column("client_sf_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("preview", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=True),
        sa.Column("occurs_at", sa.DateTime(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(), nullable=True),
        sa.Column("is_closed", sa.Boolean(), nullable=False),
        sa.Column("is_archived", sa.Boolean(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=True),
        sa.Column("owner_id", sa.String(), nullable=True),
        sa.Column("system_modstamp", sa.DateTime(), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_history_item_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_item")),
        sa.UniqueConstraint("connection_id", "sf_id", "client_sf_id", name="uq_history_item_connection_sf_id_client"),
    )
    with op.batch_alter_table("history_item", schema=None) as batch_op:
        batch_op.create_index("ix_history_item_client", ["connection_id", "client_sf_id", "occurs_at"], unique=False)

    op.create_table(
        "history_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("client_sf_id", sa.String(), nullable=False),
        sa.Column("as_of", sa.DateTime(), nullable=False),
        sa.Column("last_modstamp", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_history_state_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_state")),
        sa.UniqueConstraint("connection_id", "client_sf_id", name="uq_history_state_connection_client"),
    )


def downgrade() -> None:
    op.drop_table("history_state")
    with op.batch_alter_table("history_item", schema=None) as batch_op:
        batch_op.drop_index("ix_history_item_client")

    op.drop_table("history_item")
