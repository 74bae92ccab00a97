"""A task draft keeps its reminder: ``reminder_set`` and ``reminder_at``.

Salesforce's Task has ``IsReminderSet`` and ``ReminderDateTime`` where the org's field-level security
shows them.  ``reminder_set`` is three-valued on purpose: NULL means the advisor never chose, so the
push sends neither field and Salesforce keeps what the record holds (the rule every task field
follows); true/false is the advisor's choice, sent as shown.  ``reminder_at`` is UTC.

Revision ID: 0009_task_reminder
Revises: 0008_filter_scope
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_task_reminder"
down_revision: str | None = "0008_filter_scope"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("task", sa.Column("reminder_set", sa.Boolean(), nullable=True))
    op.add_column("task", sa.Column("reminder_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.drop_column("reminder_at")
        batch.drop_column("reminder_set")
