"""History search: an FTS5 trigram index over the history rows' title, first lines and whole text
(``history_fts``), so a keystroke's "find these letters in synced notes and tasks" looks the letters
up instead of scanning every row (a ``LIKE '%…%'`` scan of 30,000 notes and tasks missed the 15 ms
target of issue 14).  The trigram tokenizer indexes every three characters, so it answers the same
*substring* question the ``LIKE`` did, mid-word too ("ollover" finds "rollover"):
https://www.sqlite.org/fts5.html#the_trigram_tokenizer.  It is an external-content index on
``history_item`` (the text is not stored twice), kept by three triggers, and filled here from the
rows already in the workspace.  ``ix_history_item_recent`` lets the search walk a connection's rows
newest first and stop at its limit when the index cannot help (two letters).

Revision ID: 0013_history_search
Revises: 0012_sync_log_step
Create Date: 2026-12-04
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_history_search"
down_revision: str | None = "0012_sync_log_step"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATEMENTS = (
    """
    CREATE VIRTUAL TABLE history_fts USING fts5(
        title, preview, body,
        content = 'history_item', content_rowid = 'id',
        tokenize = 'trigram',
        columnsize = 0
    )
    """,
    # External content: the index is told the old values to forget ('delete'), exactly as indexed.
    """
    CREATE TRIGGER history_fts_insert AFTER INSERT ON history_item BEGIN
        INSERT INTO history_fts (rowid, title, preview, body) VALUES (new.id, new.title, new.preview, new.body);
    END
    """,
    """
    CREATE TRIGGER history_fts_delete AFTER DELETE ON history_item BEGIN
        INSERT INTO history_fts (history_fts, rowid, title, preview, body)
        VALUES ('delete', old.id, old.title, old.preview, old.body);
    END
    """,
    """
    CREATE TRIGGER history_fts_update AFTER UPDATE OF title, preview, body ON history_item
    WHEN old.title IS NOT new.title OR old.preview IS NOT new.preview OR old.body IS NOT new.body
    BEGIN
        INSERT INTO history_fts (history_fts, rowid, title, preview, body)
        VALUES ('delete', old.id, old.title, old.preview, old.body);
        INSERT INTO history_fts (rowid, title, preview, body) VALUES (new.id, new.title, new.preview, new.body);
    END
    """,
    "INSERT INTO history_fts (history_fts) VALUES ('rebuild')",
)


def upgrade() -> None:
    op.create_index("ix_history_item_recent", "history_item", ["connection_id", "occurs_at"], unique=False)
    for statement in _STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    for trigger in ("history_fts_insert", "history_fts_delete", "history_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS history_fts")
    op.drop_index("ix_history_item_recent", table_name="history_item")
