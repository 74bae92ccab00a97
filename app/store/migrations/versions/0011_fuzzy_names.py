"""Typo-tolerant name search: ``name_variant``, each name word under itself and its one-letter
deletions, so "hellen" finds Helen and "ramierz" finds Ramirez with one index lookup per keystroke
(see ``app/store/fuzzy_text.py``).  WITHOUT ROWID: the primary key is the whole row, so the table is
one b-tree.  Goes with its connection (CASCADE), like the contacts it describes.

The upgrade fills it from the contacts already in the workspace, with the word rules of this
revision spelled out here (so this file stays what it was when released); ``contacts.reindex``
rebuilds it with the app's current rules.

Revision ID: 0011_fuzzy_names
Revises: 0010_history
Create Date: 2026-12-04
"""

import re
import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_fuzzy_names"
down_revision: str | None = "0010_history"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_APOSTROPHES = str.maketrans("", "", "'’ʼ‘`´")
_NON_WORD = re.compile(r"[\W_]+")


def _words(text: str | None) -> set[str]:
    if not text:
        return set()
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    keyed = _NON_WORD.sub(" ", folded.casefold().translate(_APOSTROPHES))
    return {w for w in keyed.split() if 4 <= len(w) <= 32 and w.isalpha()}


def upgrade() -> None:
    op.create_table(
        "name_variant",
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("variant", sa.String(), nullable=False),
        sa.Column("word", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"], ["connection.id"],
            name=op.f("fk_name_variant_connection_id_connection"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("connection_id", "variant", "word", name=op.f("pk_name_variant")),
        sqlite_with_rowid=False,
    )
    bind = op.get_bind()
    words: set[tuple[int, str]] = set()
    for cid, name, account_name in bind.execute(
        sa.text("SELECT connection_id, name, account_name FROM contact WHERE is_deleted = 0")
    ):
        words.update((cid, w) for w in _words(name) | _words(account_name))
    rows = [
        {"c": cid, "v": variant, "w": word}
        for cid, word in words
        for variant in {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}
    ]
    if rows:
        bind.execute(sa.text("INSERT OR IGNORE INTO name_variant VALUES (:c, :v, :w)"), rows)


def downgrade() -> None:
    op.drop_table("name_variant")
