"""The client list's index also holds ``source_object``.

The list shows rows ``offset … offset+100`` in name order, filtered to the record types the
connection syncs (Contacts, Leads, households).  With the filter outside the index, SQLite had to
read every skipped row from the table to check its type, so a block deep in a 100,000-client list
took ~80 ms instead of ~5 ms (scrolling froze more the further down it went).  With
``source_object`` in the index the offset walk stays inside it ("covering index",
https://www.sqlite.org/optoverview.html#covering_indexes).

Revision ID: 0005_list_index
Revises: 0004_settings
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_list_index"
down_revision: str | None = "0004_settings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_contact_live_sort", table_name="contact")
    # ``id`` spelled out: ORDER BY sort_key, id then comes straight from the index, no sort step.
    op.create_index(
        "ix_contact_live_sort", "contact", ["connection_id", "is_deleted", "sort_key", "id", "source_object"]
    )


def downgrade() -> None:
    op.drop_index("ix_contact_live_sort", table_name="contact")
    op.create_index("ix_contact_live_sort", "contact", ["connection_id", "is_deleted", "sort_key"])
