"""Push bookkeeping on outbox items: what was sent and when, the note's link, conflicts, notices.

* ``sent_at`` / ``sent_payload`` are written in the same transaction that marks an item "sending",
  *before* the request leaves.  An item with ``sent_at`` set and no ``remote_id`` is a create whose
  outcome is unknown (a lost response or a kill -9): the push engine looks it up in Salesforce
  (using ``sent_payload``, the exact fields sent) before it may send it again.
* ``link_id``: the ContentDocumentLink that attaches a ContentNote to its client.
* ``conflict``: Salesforce's version of a record that changed there since our last push.
* ``notice``: something the advisor should know about a successful push ("re-targeted to …").

All columns are nullable additions, so SQLite's plain ``ADD COLUMN`` suffices (no table rebuild).

Revision ID: 0003_push
Revises: 0002_sync
Create Date: 2026-05-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_push"
# The contact sync needed no schema change, so there is no 0002: this follows the initial schema.
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (
    ("sent_at", sa.DateTime()),
    ("sent_payload", sa.JSON()),
    ("link_id", sa.String()),
    ("conflict", sa.JSON()),
    ("notice", sa.String()),
)


def upgrade() -> None:
    for name, type_ in _COLUMNS:
        op.add_column("outbox_item", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_item") as batch:
        for name, _type in reversed(_COLUMNS):
            batch.drop_column(name)
