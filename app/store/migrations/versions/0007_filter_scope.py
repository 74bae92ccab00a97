"""Filter rules: a person who no longer matches the advisor's filter leaves the workspace, unless
drafts or queued items are about them — then they stay, marked ``outside_filter`` ("outside your
filter"), so no local work loses its client.

Revision ID: 0007_filter_scope
Revises: 0006_households
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_filter_scope"
down_revision: str | None = "0006_households"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("contact", sa.Column("outside_filter", sa.Boolean(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("outside_filter")
