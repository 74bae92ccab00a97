"""Each sync-log entry names the step of the sync it was part of: ``sync_log.step``.

Settings → Sync steps lists what runs in which direction and when, each with its last run, counts and
errors, and the Sync log filters by step; both read this column (``app.store.sync_steps.SyncStep``
holds the values).  The index answers "the newest entry of each step" and "errors of a step in the last
24 hours" without reading the whole log.

Entries written before this revision get their step from what they already say, with the values of
this revision spelled out here (so this file stays what it was when released): a pull run is the
clients pull; a push item's kind names its step; a push run's own row keeps NULL (it spans every kind).

Revision ID: 0012_sync_log_step
Revises: 0011_fuzzy_names
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_sync_log_step"
down_revision: str | None = "0011_fuzzy_names"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KIND_STEPS = {
    "person": "push_people", "note": "push_notes", "task": "push_tasks", "call": "push_calls",
    "meeting": "push_meetings", "email": "push_emails", "opportunity": "push_opportunities",
}


def upgrade() -> None:
    op.add_column("sync_log", sa.Column("step", sa.String(), nullable=True))
    op.create_index("ix_sync_log_connection_step_started", "sync_log", ["connection_id", "step", "started_at"],
                    unique=False)
    log = sa.table("sync_log", sa.column("direction", sa.String()), sa.column("item_kind", sa.String()),
                   sa.column("step", sa.String()))
    op.execute(log.update().where(log.c.direction == "pull").values(step="pull_clients"))
    for kind, step in _KIND_STEPS.items():
        op.execute(log.update().where(log.c.direction == "push", log.c.item_kind == kind).values(step=step))


def downgrade() -> None:
    op.drop_index("ix_sync_log_connection_step_started", table_name="sync_log")
    with op.batch_alter_table("sync_log") as batch:
        batch.drop_column("step")
