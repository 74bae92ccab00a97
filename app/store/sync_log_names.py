"""Names for sync log rows: the note's title, the task's subject, the client's name.

The log itself keeps only Ids (it is exported for support and must not carry client details); the
screen shows what the advisor recognises, read from the local rows when the log is shown.  A row
whose item was deleted keeps its Ids and shows no name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from sqlalchemy import select
from sqlmodel import Session

from app.store.models import Contact, Note, Task
from app.store.sync_log import LogRow
from app.store.tables import table_of

N, K, C = table_of(Note), table_of(Task), table_of(Contact)

_LOOKUP_CHUNK = 500  # bound the IN (...) lists well under SQLite's variable limit


def _chunks(values: Iterable[object]) -> Iterable[list[object]]:
    items = list(values)
    for start in range(0, len(items), _LOOKUP_CHUNK):
        yield items[start:start + _LOOKUP_CHUNK]


def with_names(session: Session, connection_id: int, rows: list[LogRow]) -> list[LogRow]:
    """``rows`` with ``title`` and ``client`` filled in where the local rows still exist."""
    note_ids = {r.item_id for r in rows if r.item_kind == "note" and r.item_id is not None}
    task_ids = {r.item_id for r in rows if r.item_kind == "task" and r.item_id is not None}
    person_ids = {r.item_id for r in rows if r.item_kind == "person" and r.item_id is not None}
    notes: dict[int, tuple[str, int | None, str | None]] = {}
    for chunk in _chunks(note_ids):
        for nid, title, contact_id, parent in session.execute(
                select(N.c.id, N.c.title, N.c.contact_id, N.c.parent_sf_id).where(N.c.id.in_(chunk))):
            notes[int(nid)] = (str(title or ""), contact_id, parent)
    tasks: dict[int, tuple[str, int | None, str | None]] = {}
    for chunk in _chunks(task_ids):
        for tid, subject, contact_id, who in session.execute(
                select(K.c.id, K.c.subject, K.c.contact_id, K.c.who_id).where(K.c.id.in_(chunk))):
            tasks[int(tid)] = (str(subject or ""), contact_id, who)
    contact_ids = person_ids | {c for _t, c, _s in [*notes.values(), *tasks.values()] if c is not None}
    sf_ids = {s for _t, _c, s in [*notes.values(), *tasks.values()] if s} | {r.record_id for r in rows
                                                                           if r.record_id and not r.item_kind}
    by_id: dict[int, str] = {}
    for chunk in _chunks(contact_ids):
        for cid, name in session.execute(select(C.c.id, C.c.name).where(C.c.id.in_(chunk))):
            by_id[int(cid)] = str(name or "")
    by_sf: dict[str, str] = {}
    for chunk in _chunks(sf_ids):
        for sf_id, name in session.execute(select(C.c.sf_id, C.c.name).where(
                C.c.connection_id == connection_id, C.c.sf_id.in_(chunk))):
            by_sf[str(sf_id)] = str(name or "")

    def named(row: LogRow) -> LogRow:
        title: str | None = None
        client: str | None = None
        if row.item_id is not None and row.item_kind in ("note", "task"):
            found = (notes if row.item_kind == "note" else tasks).get(row.item_id)
            if found is not None:
                title = found[0] or "(untitled)"
                client = (by_id.get(found[1]) if found[1] is not None else None) or by_sf.get(found[2] or "")
        elif row.item_id is not None and row.item_kind == "person":
            client = by_id.get(row.item_id)
        elif row.record_id:
            client = by_sf.get(row.record_id)
        return replace(row, title=title, client=client or None) if title or client else row

    return [named(row) for row in rows]
