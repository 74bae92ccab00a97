"""Filter rules: a person who no longer matches the advisor's filter leaves the workspace, unless
drafts or queued items are about them — then they stay, marked ``outside_filter`` ("outside your
filter"), so no local work loses its client. Field mappings: the advisor's extra fields (up to 20 per
object, custom ones included) are kept per person in ``extra_fields`` (JSON, as Salesforce sent them),
and their searchable text (picklists by label) in ``extra_text``, which the word index ``contact_fts``
now holds as a fifth column (``extra``): the table and its three triggers are made again, and filled
from the rows, because FTS5 cannot add a column.

Revision ID: 0008_filter_scope
Revises: 0007_activity_drafts
Create Date: 2026-12-04
"""

# ruff: noqa: S608 - the SQL here is built from the fixed column lists below, never from data
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_filter_scope"
down_revision: str | None = "0007_activity_drafts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_TRIGGERS = ("contact_fts_insert", "contact_fts_delete", "contact_fts_update")


def _word_index(columns: str, values: str, changed: str) -> tuple[str, ...]:
    """contact_fts and its triggers (as in 0001_initial) over ``columns``, filled from ``values``."""
    return (
        f"""
        CREATE VIRTUAL TABLE contact_fts USING fts5(
            {columns},
            tokenize = 'unicode61 remove_diacritics 2',
            prefix = '2 3',
            columnsize = 0
        )
        """,
        f"""
        CREATE TRIGGER contact_fts_insert AFTER INSERT ON contact WHEN NOT new.is_deleted BEGIN
            INSERT INTO contact_fts (rowid, {columns})
            VALUES (new.id, {values.replace("@", "new.")});
            INSERT INTO contact_phone_fts (rowid, phone)
            SELECT new.id, new.search_phone WHERE new.search_phone <> '';
        END
        """,
        """
        CREATE TRIGGER contact_fts_delete AFTER DELETE ON contact WHEN NOT old.is_deleted BEGIN
            DELETE FROM contact_fts WHERE rowid = old.id;
            DELETE FROM contact_phone_fts WHERE rowid = old.id;
        END
        """,
        f"""
        CREATE TRIGGER contact_fts_update AFTER UPDATE ON contact
        WHEN old.is_deleted IS NOT new.is_deleted {changed}
        BEGIN
            DELETE FROM contact_fts WHERE rowid = old.id;
            INSERT INTO contact_fts (rowid, {columns})
            SELECT new.id, {values.replace("@", "new.")}
            WHERE NOT new.is_deleted;
        END
        """,
        f"INSERT INTO contact_fts (rowid, {columns}) SELECT id, {values.replace('@', '')} FROM contact"
        " WHERE is_deleted = 0",
    )


_OLD = ("name, email, account_name, city", "@search_name, @email, @account_name, @mailing_city")
_NEW = ("name, email, account_name, city, extra",
        "@search_name, @email, @account_name, @mailing_city, @extra_text")
_CHANGED = ("OR old.search_name IS NOT new.search_name OR old.email IS NOT new.email"
            " OR old.account_name IS NOT new.account_name OR old.mailing_city IS NOT new.mailing_city")


def _rebuild(columns: str, values: str, changed: str) -> None:
    for trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS contact_fts")
    for statement in _word_index(columns, values, changed):
        op.execute(statement)


def upgrade() -> None:
    op.add_column("contact", sa.Column("outside_filter", sa.Boolean(), nullable=False, server_default="0"))
    op.add_column("contact", sa.Column("extra_fields", sa.JSON(), nullable=True))
    op.add_column("contact", sa.Column("extra_text", sa.String(), nullable=True))
    _rebuild(*_NEW, _CHANGED + " OR old.extra_text IS NOT new.extra_text")


def downgrade() -> None:
    _rebuild(*_OLD, _CHANGED)
    with op.batch_alter_table("contact") as batch:
        batch.drop_column("extra_text")
        batch.drop_column("extra_fields")
        batch.drop_column("outside_filter")
