"""Settings page: API usage samples for the 24-hour chart, and sync-log rows that point at one item.

* ``api_usage_sample``: the org's daily API usage (from ``Sforce-Limit-Info``) at most once per
  five minutes, plus the calls Notebridge itself made in that slot, so the settings page can draw the
  last 24 hours after a restart.  Goes with its connection (CASCADE).
* ``sync_log.item_kind`` / ``item_id``: a push writes one log row per note/task/person, and the row
  links back to the local item ("note", 12).  Plain nullable columns: SQLite's ``ADD COLUMN`` needs no
  table rebuild, and pull rows simply leave them empty.

Revision ID: 0004_settings
Revises: 0003_push
Create Date: 2026-05-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_settings"
down_revision: str | None = "0003_push"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_usage_sample",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.Column("max_calls", sa.Integer(), nullable=False),
        sa.Column("own_calls", sa.Integer(), nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_api_usage_sample_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_usage_sample")),
    )
    op.create_index("ix_api_usage_sample_connection_taken", "api_usage_sample", ["connection_id", "taken_at"])
    op.add_column("sync_log", sa.Column("item_kind", sa.String(), nullable=True))
    op.add_column("sync_log", sa.Column("item_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sync_log") as batch:
        batch.drop_column("item_id")
        batch.drop_column("item_kind")
    op.drop_index("ix_api_usage_sample_connection_taken", table_name="api_usage_sample")
    op.drop_table("api_usage_sample")
