"""One table for the drafts of every activity kind that is neither a note nor a task (calls, meetings …).

Before it, a kind with drafts of its own needed its own table, model, migration and repository, so
adding one touched about seven files (issue 19).  ``activity_draft`` carries the kind (``ItemKind``
text) and the kind's fields as a JSON object that ``app.store.activity_forms.clean`` checks on every
save; the client, state and Salesforce Id stay real columns because the outbox and the views filter on
them.  Notes and tasks keep their own tables.

Revision ID: 0007_activity_drafts
Revises: 0006_households
Create Date: 2026-12-04
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_activity_drafts"
down_revision: str | None = "0006_households"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "activity_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("who_id", sa.String(), nullable=True),
        sa.Column("what_id", sa.String(), nullable=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("remote_id", sa.String(), nullable=True),
        sa.Column("last_pushed_hash", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["connection_id"], ["connection.id"],
                                name=op.f("fk_activity_draft_connection_id_connection"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"],
                                name=op.f("fk_activity_draft_contact_id_contact"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_draft")),
        sa.UniqueConstraint("uid", name=op.f("uq_activity_draft_uid")),
    )
    with op.batch_alter_table("activity_draft", schema=None) as batch_op:
        batch_op.create_index("ix_activity_draft_connection_state", ["connection_id", "state"], unique=False)
        batch_op.create_index("ix_activity_draft_contact", ["contact_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("activity_draft", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_draft_contact")
        batch_op.drop_index("ix_activity_draft_connection_state")
    op.drop_table("activity_draft")
