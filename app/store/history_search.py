"""Searching synced notes and tasks: the second group under the people while the advisor types.

The ``LIKE`` below decides what matches: the title, the first lines or the whole text contain what
was typed, in any case (ASCII), wildcards taken as characters.  From three characters on, the
trigram index ``history_fts`` (migration 0013) first finds the rows holding every three letters of
the text in a row — a superset of the ``LIKE``'s matches (it folds case at least as widely), so the
answers are a scan's without reading 30,000 rows per keystroke.  Few such rows ("4821",
"Pershing"): only those are read and sorted.  Many ("rollover"): the rows are walked newest first
(``ix_history_item_recent``) and the walk stops at the limit, soon.  Two letters are below what a
trigram can look up: those walk the same way (a full scan when the letters are found nowhere).

Plain SQL on the sqlite3 connection, so a keystroke can use ``Database.read`` (no session, no write
lock), as the contact search does.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlmodel import Session

from app.store.contact_rows import raw_connection
from app.store.history import HistoryKind

TRIGRAM = 3  # the trigram index looks up three characters or more
FEW = 400  # up to this many candidates are read by rowid and sorted; more are walked newest first

_CANDIDATES = "SELECT rowid FROM history_fts WHERE history_fts MATCH ? LIMIT ?"
_KINDS = (HistoryKind.CONTENT_NOTE.value, HistoryKind.NOTE.value, HistoryKind.TASK.value, HistoryKind.CALL.value,
          HistoryKind.EMAIL.value)

# The only text spliced into it: placeholders for the kinds, and one of the two fixed "narrowed" clauses
# in ``search``.
_SELECT = """
SELECT h.id, c.id, c.name, h.kind, h.title, h.preview
FROM history_item AS h
JOIN contact AS c ON c.connection_id = h.connection_id AND c.sf_id = h.client_sf_id
WHERE h.connection_id = ? AND h.is_deleted = 0 AND c.is_deleted = 0 AND h.kind IN ({kinds})
  AND (lower(h.title) LIKE lower(?) ESCAPE '\\' OR lower(h.preview) LIKE lower(?) ESCAPE '\\'
       OR lower(h.body) LIKE lower(?) ESCAPE '\\')
  {narrowed}
ORDER BY h.occurs_at DESC
LIMIT ?
"""


@dataclass(frozen=True, slots=True)
class HistoryHit:
    """A history row whose words matched a search, with the client it opens."""

    history_id: int
    contact_id: int
    client_name: str
    kind: HistoryKind
    title: str
    preview: str


def search(source: Session | sqlite3.Connection, connection_id: int, text: str, limit: int = 20) -> list[HistoryHit]:
    """Notes and tasks whose title, first lines or whole text contain ``text``, newest first."""
    words = text.encode("utf-8", "replace").decode("utf-8").strip()  # a lone surrogate cannot reach SQLite
    if len(words) < 2:
        return []
    raw = raw_connection(source)
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    params: list[object] = [connection_id, *_KINDS, pattern, pattern, pattern]
    narrowed = ""
    if len(words) >= TRIGRAM:
        phrase = '"' + words.replace('"', '""') + '"'  # an FTS5 phrase: quoted, quotes doubled
        few = [r[0] for r in raw.execute(_CANDIDATES, (phrase, FEW))]
        if not few:
            return []
        if len(few) < FEW:
            narrowed = f"AND h.id IN ({', '.join('?' * len(few))})"
            params += few
        else:
            narrowed = "AND h.id IN (SELECT rowid FROM history_fts WHERE history_fts MATCH ?)"
            params.append(phrase)
    statement = _SELECT.format(kinds=", ".join("?" * len(_KINDS)), narrowed=narrowed)
    rows = raw.execute(statement, [*params, limit]).fetchall()
    return [HistoryHit(r[0], r[1], r[2] or "", HistoryKind(r[3]), r[4], r[5]) for r in rows]
