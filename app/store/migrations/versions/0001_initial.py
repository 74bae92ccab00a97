"""Initial workspace schema: every domain table, plus the contact search index.

The tables are spelled out here (not built from ``app.store.models``) so this revision stays what
it was when released; later changes are new revisions.  Types are plain SQLAlchemy types — the
models' ``UTCDateTime``/``AutoString`` store exactly the same DATETIME/VARCHAR columns.

Contact search: an FTS5 table over the person's name, e-mail, phone fragments, account/household
name and city, kept in step by triggers (so every writer, including a future migration, keeps it
right).  ``unicode61 remove_diacritics 2`` folds case and accents ("Zoë" = "zoe"); see
https://www.sqlite.org/fts5.html#unicode61_tokenizer.  Deleted contacts are taken out of the index
so searches never have to skip over them.

Revision ID: 0001
Revises:
Create Date: 2026-05-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTACT_SEARCH_DDL = (
    # Words: names, e-mail parts, account/household, city.  Prefix indexes make 2–3 letter prefix
    # queries a single doclist lookup instead of a merge over every matching term.  Search ranks by
    # its own tiers, not BM25, so per-row column sizes are not kept (columnsize=0: cheaper writes).
    """
    CREATE VIRTUAL TABLE contact_fts USING fts5(
        name, email, account_name, city,
        tokenize = 'unicode61 remove_diacritics 2',
        prefix = '2 3',
        columnsize = 0
    )
    """,
    # Digits of each number ("5551234567 5559876543"): trigrams turn "contains 555123" into an
    # index lookup whatever punctuation the number was typed with.
    # https://www.sqlite.org/fts5.html#the_trigram_tokenizer
    """
    CREATE VIRTUAL TABLE contact_phone_fts USING fts5(phone, tokenize = 'trigram', columnsize = 0)
    """,
    """
    CREATE TRIGGER contact_fts_insert AFTER INSERT ON contact WHEN NOT new.is_deleted BEGIN
        INSERT INTO contact_fts (rowid, name, email, account_name, city)
        VALUES (new.id, new.search_name, new.email, new.account_name, new.mailing_city);
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
    # Update triggers fire only when an indexed value (or deletion) changed: a re-delivered,
    # unchanged record costs no index work.
    """
    CREATE TRIGGER contact_fts_update AFTER UPDATE ON contact
    WHEN old.is_deleted IS NOT new.is_deleted
      OR old.search_name IS NOT new.search_name
      OR old.email IS NOT new.email
      OR old.account_name IS NOT new.account_name
      OR old.mailing_city IS NOT new.mailing_city
    BEGIN
        DELETE FROM contact_fts WHERE rowid = old.id;
        INSERT INTO contact_fts (rowid, name, email, account_name, city)
        SELECT new.id, new.search_name, new.email, new.account_name, new.mailing_city
        WHERE NOT new.is_deleted;
    END
    """,
    """
    CREATE TRIGGER contact_phone_fts_update AFTER UPDATE ON contact
    WHEN old.is_deleted IS NOT new.is_deleted OR old.search_phone IS NOT new.search_phone
    BEGIN
        DELETE FROM contact_phone_fts WHERE rowid = old.id;
        INSERT INTO contact_phone_fts (rowid, phone)
        SELECT new.id, new.search_phone WHERE NOT new.is_deleted AND new.search_phone <> '';
    END
    """,
)

_TABLES_NEWEST_FIRST = (
    "task",
    "note",
    "sync_log",
    "sync_cursor",
    "sf_user",
    "setting",
    "outbox_item",
    "event",
    "contact",
    "account",
    "connection",
)


def upgrade() -> None:
    op.create_table(
        "connection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("org_name", sa.String(), nullable=True),
        sa.Column("instance_url", sa.String(), nullable=False),
        sa.Column("login_url", sa.String(), nullable=False),
        sa.Column("api_version", sa.String(), nullable=False),
        sa.Column("consumer_key", sa.String(), nullable=False),
        sa.Column("note_type", sa.String(), nullable=False),
        sa.Column("client_object", sa.String(), nullable=False),
        sa.Column("include_leads", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connection")),
        sa.UniqueConstraint("org_id", "user_id", name="uq_connection_org_user"),
    )
    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("sf_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=True),
        sa.Column("is_person_account", sa.Boolean(), nullable=False),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("billing_street", sa.String(), nullable=True),
        sa.Column("billing_city", sa.String(), nullable=True),
        sa.Column("billing_state", sa.String(), nullable=True),
        sa.Column("billing_postal_code", sa.String(), nullable=True),
        sa.Column("billing_country", sa.String(), nullable=True),
        sa.Column("owner_id", sa.String(), nullable=True),
        sa.Column("last_modified", sa.DateTime(), nullable=True),
        sa.Column("system_modstamp", sa.DateTime(), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_account_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("connection_id", "sf_id", name="uq_account_connection_sf_id"),
    )
    op.create_table(
        "contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("sf_id", sa.String(), nullable=False),
        sa.Column("source_object", sa.String(), server_default="Contact", nullable=False),
        sa.Column("first_name", sa.String(), nullable=True),
        sa.Column("last_name", sa.String(), nullable=True),
        sa.Column("name", sa.String(), server_default="", nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("phone", sa.String(), nullable=True),
        sa.Column("mobile_phone", sa.String(), nullable=True),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("account_sf_id", sa.String(), nullable=True),
        sa.Column("account_name", sa.String(), nullable=True),
        sa.Column("mailing_street", sa.String(), nullable=True),
        sa.Column("mailing_city", sa.String(), nullable=True),
        sa.Column("mailing_state", sa.String(), nullable=True),
        sa.Column("mailing_postal_code", sa.String(), nullable=True),
        sa.Column("mailing_country", sa.String(), nullable=True),
        sa.Column("owner_id", sa.String(), nullable=True),
        sa.Column("last_modified", sa.DateTime(), nullable=True),
        sa.Column("system_modstamp", sa.DateTime(), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("read_only", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("lead_status", sa.String(), nullable=True),
        sa.Column("is_converted", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("converted_contact_id", sa.String(), nullable=True),
        sa.Column("converted_account_id", sa.String(), nullable=True),
        sa.Column("name_key", sa.String(), server_default="", nullable=False),
        sa.Column("sort_key", sa.String(), server_default="", nullable=False),
        sa.Column("email_key", sa.String(), nullable=True),
        sa.Column("search_name", sa.String(), server_default="", nullable=False),
        sa.Column("search_phone", sa.String(), server_default="", nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_contact_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact")),
        sa.UniqueConstraint("connection_id", "sf_id", name="uq_contact_connection_sf_id"),
    )
    op.create_index("ix_contact_account", "contact", ["connection_id", "account_sf_id"], unique=False)
    op.create_index("ix_contact_email_key", "contact", ["connection_id", "email_key"], unique=False)
    op.create_index("ix_contact_live_name", "contact", ["connection_id", "is_deleted", "name_key"])
    op.create_index("ix_contact_live_sort", "contact", ["connection_id", "is_deleted", "sort_key"])

    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("sf_id", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("start_at", sa.DateTime(), nullable=True),
        sa.Column("end_at", sa.DateTime(), nullable=True),
        sa.Column("is_all_day", sa.Boolean(), nullable=False),
        sa.Column("location", sa.String(), nullable=True),
        sa.Column("who_id", sa.String(), nullable=True),
        sa.Column("what_id", sa.String(), nullable=True),
        sa.Column("owner_id", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=True),
        sa.Column("last_modified", sa.DateTime(), nullable=True),
        sa.Column("system_modstamp", sa.DateTime(), nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_event_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
        sa.UniqueConstraint("connection_id", "sf_id", name="uq_event_connection_sf_id"),
    )
    op.create_index("ix_event_what", "event", ["connection_id", "what_id", "start_at"], unique=False)
    op.create_index("ix_event_who", "event", ["connection_id", "who_id", "start_at"], unique=False)

    op.create_table(
        "outbox_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try_at", sa.DateTime(), nullable=True),
        sa.Column("last_error_code", sa.String(), nullable=True),
        sa.Column("last_error_message", sa.String(), nullable=True),
        sa.Column("last_error_hint", sa.String(), nullable=True),
        sa.Column("remote_id", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_outbox_item_connection_id_connection"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_item")),
        sa.UniqueConstraint("key", name=op.f("uq_outbox_item_key")),
    )
    op.create_index("ix_outbox_due", "outbox_item", ["connection_id", "state", "next_try_at"], unique=False)
    op.create_index("ix_outbox_item", "outbox_item", ["kind", "item_id"], unique=False)

    op.create_table(
        "setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_setting_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_setting")),
    )
    op.create_index(
        "ux_setting_connection_key",
        "setting",
        ["connection_id", "key"],
        unique=True,
        sqlite_where=sa.text("connection_id IS NOT NULL"),
    )
    op.create_index(
        "ux_setting_global_key",
        "setting",
        ["key"],
        unique=True,
        sqlite_where=sa.text("connection_id IS NULL"),
    )

    op.create_table(
        "sf_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("sf_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("username", sa.String(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("system_modstamp", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_sf_user_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sf_user")),
        sa.UniqueConstraint("connection_id", "sf_id", name="uq_sf_user_connection_sf_id"),
    )
    op.create_table(
        "sync_cursor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("object", sa.String(), nullable=False),
        sa.Column("phase", sa.String(), nullable=False),
        sa.Column("last_modstamp", sa.DateTime(), nullable=True),
        sa.Column("last_id", sa.String(), nullable=True),
        sa.Column("next_records_url", sa.String(), nullable=True),
        sa.Column("record_offset", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_sync_cursor_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_cursor")),
        sa.UniqueConstraint("connection_id", "object", name="uq_sync_cursor_connection_object"),
    )
    op.create_table(
        "sync_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("direction", sa.String(), nullable=False),
        sa.Column("object", sa.String(), nullable=True),
        sa.Column("record_ids", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("error_code", sa.String(), nullable=True),
        sa.Column("error_message", sa.String(), nullable=True),
        sa.Column("api_calls", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_sync_log_connection_id_connection"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_log")),
    )
    op.create_index(
        "ix_sync_log_connection_started", "sync_log", ["connection_id", "started_at"], unique=False
    )

    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("parent_sf_id", sa.String(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("event_sf_id", sa.String(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("body_markdown", sa.String(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("template", sa.String(), nullable=True),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("remote_id", sa.String(), nullable=True),
        sa.Column("remote_type", sa.String(), nullable=True),
        sa.Column("last_pushed_hash", sa.String(), nullable=True),
        sa.Column("last_pushed_modstamp", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_note_connection_id_connection"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_note_contact_id_contact"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_note_event_id_event"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_note")),
        sa.UniqueConstraint("uid", name=op.f("uq_note_uid")),
    )
    op.create_index("ix_note_connection_state", "note", ["connection_id", "state"], unique=False)
    op.create_index("ix_note_contact", "note", ["contact_id"], unique=False)
    op.create_index("ix_note_event", "note", ["event_id"], unique=False)
    op.create_index("ix_note_parent_sf_id", "note", ["connection_id", "parent_sf_id"], unique=False)

    op.create_table(
        "task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("note_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("priority", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=True),
        sa.Column("owner_id", sa.String(), nullable=True),
        sa.Column("who_id", sa.String(), nullable=True),
        sa.Column("what_id", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("remote_id", sa.String(), nullable=True),
        sa.Column("last_pushed_hash", sa.String(), nullable=True),
        sa.Column("last_pushed_modstamp", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connection.id"],
            name=op.f("fk_task_connection_id_connection"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contact.id"], name=op.f("fk_task_contact_id_contact"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["note_id"], ["note.id"], name=op.f("fk_task_note_id_note"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task")),
        sa.UniqueConstraint("uid", name=op.f("uq_task_uid")),
    )
    op.create_index("ix_task_connection_state", "task", ["connection_id", "state"], unique=False)
    op.create_index("ix_task_contact", "task", ["contact_id"], unique=False)
    op.create_index("ix_task_note", "task", ["note_id"], unique=False)
    op.create_index("ix_task_who", "task", ["connection_id", "who_id"], unique=False)
    for statement in CONTACT_SEARCH_DDL:
        op.execute(statement)


def downgrade() -> None:
    triggers = ("contact_phone_fts_update", "contact_fts_update", "contact_fts_delete", "contact_fts_insert")
    for trigger in triggers:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS contact_phone_fts")
    op.execute("DROP TABLE IF EXISTS contact_fts")
    for table in _TABLES_NEWEST_FIRST:
        op.drop_table(table)
