"""Batch writes of the push engine: a few statements per request of up to 200 records.

``mark_sending`` runs before every request and the settle functions after it; doing them row by
row through the ORM held the interpreter long enough (≈ 250 ms per batch) to stall the UI's event
loop, so they are plain executemany statements.  Same rules as the single-row functions in
:mod:`app.store.outbox`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from app.store import workspace_lock
from app.store.draft_models import model_of
from app.store.kinds import DRAFT_KINDS, ItemKind, is_note
from app.store.outbox import OutboxRow, T, row_of
from app.store.tables import table_of
from app.store.types import utcnow


def _kinds(session: Session, outbox_ids: Sequence[int]) -> dict[int, tuple[ItemKind, int]]:
    """outbox id → (kind, item id), in one query per 500 ids."""
    out: dict[int, tuple[ItemKind, int]] = {}
    ids = list(outbox_ids)
    for start in range(0, len(ids), 500):
        rows = session.execute(select(T.c.id, T.c.kind, T.c.item_id).where(T.c.id.in_(ids[start:start + 500])))
        out.update({int(r[0]): (ItemKind(r[1]), int(r[2])) for r in rows})
    return out


def _item_table(kind: ItemKind) -> Any:
    return table_of(model_of(kind))


def _bulk_item_update(session: Session, kind: ItemKind, rows: list[dict[str, Any]]) -> None:
    """executemany ``UPDATE note|task SET … WHERE id = :iid`` (rows carry ``iid`` and the values)."""
    if not rows:
        return
    item_table = _item_table(kind)
    names = [k for k in rows[0] if k != "iid"]
    session.execute(update(item_table).where(item_table.c.id == bindparam("iid"))
                    .values({n: bindparam(f"v_{n}") for n in names}),
                    [{"iid": r["iid"], **{f"v_{n}": r[n] for n in names}} for r in rows])


def mark_sending(session: Session, sent: Sequence[tuple[int, Any]], now: datetime | None = None) -> None:
    """Record, before the request leaves, that these items are being sent and exactly what is sent.

    Bulk statements: this runs before every batch of up to 200 records, and row-by-row ORM work
    here would hold the interpreter long enough to stall the UI's event loop.  Only the workspace's
    writer process may send (:func:`workspace_lock.require_writer`)."""
    workspace_lock.require_writer(session)
    now = now or utcnow()
    kinds = _kinds(session, [outbox_id for outbox_id, _ in sent])
    rows = [{"oid": oid, "payload": payload} for oid, payload in sent if oid in kinds]
    if not rows:
        return
    session.execute(update(T).where(T.c.id == bindparam("oid")).values(
        state="sending", attempts=T.c.attempts + 1, sent_at=now, sent_payload=bindparam("payload"),
        updated_at=now), rows)
    for kind in DRAFT_KINDS:
        item_ids = [item_id for k, item_id in kinds.values() if k == kind]
        if item_ids:
            item_table = _item_table(kind)
            session.execute(update(item_table).where(item_table.c.id.in_(item_ids)).values(state="sending"))


def record_created_many(session: Session, created: Sequence[tuple[int, str, str | None]]) -> None:
    """Record the created ContentNotes in bulk: (outbox id, remote id, pushed hash)."""
    kinds = _kinds(session, [c[0] for c in created])
    created = [c for c in created if c[0] in kinds]
    if not created:
        return
    session.execute(update(T).where(T.c.id == bindparam("oid")).values(
        remote_id=bindparam("rid"), sent_at=None, sent_payload=None, updated_at=utcnow()),
        [{"oid": oid, "rid": rid} for oid, rid, _ in created])
    _bulk_item_update(session, ItemKind.NOTE, [
        {"iid": kinds[oid][1], "remote_id": rid, "remote_type": "ContentNote", "last_pushed_hash": fp}
        for oid, rid, fp in created if is_note(kinds[oid][0])])


@dataclass(frozen=True, slots=True)
class Pushed:
    """One settled success, for :func:`settle_pushed_many`."""

    outbox_id: int
    remote_id: str
    remote_type: str
    pushed_hash: str | None
    built_from: datetime | None
    link_id: str | None = None
    edited: bool = False


def settle_pushed_many(session: Session, pushed: Sequence[Pushed]) -> None:
    """Bulk :func:`settle_pushed` (same rules), a few statements for a whole batch."""
    rows = {r.id: r for r in _rows(session, [p.outbox_id for p in pushed])}
    pushed = [p for p in pushed if p.outbox_id in rows]
    if not pushed:
        return
    now = utcnow()
    session.execute(update(T).where(T.c.id == bindparam("oid")).values(
        state="pushed", remote_id=bindparam("rid"), sent_at=None, sent_payload=None, next_try_at=None,
        last_error_code=None, last_error_message=None, last_error_hint=None, conflict=None,
        link_id=bindparam("lid"), updated_at=now),
        [{"oid": p.outbox_id, "rid": p.remote_id, "lid": p.link_id or rows[p.outbox_id].link_id} for p in pushed])
    for kind in DRAFT_KINDS:
        mine = [p for p in pushed if rows[p.outbox_id].kind == kind]
        if not mine:
            continue
        item_table = _item_table(kind)
        item_ids = [rows[p.outbox_id].item_id for p in mine]
        updated = dict(session.execute(select(item_table.c.id, item_table.c.updated_at)
                                       .where(item_table.c.id.in_(item_ids))).all())
        items = []
        for p in mine:
            item_id = rows[p.outbox_id].item_id
            changed_at = _aware(updated.get(item_id))
            edited = p.edited or (p.built_from is not None and changed_at is not None and changed_at > p.built_from)
            values: dict[str, Any] = {"iid": item_id, "state": "draft" if edited else "pushed",
                                      "remote_id": p.remote_id,
                                      "last_pushed_hash": p.pushed_hash if p.pushed_hash is not None else None}
            if is_note(kind):
                values["remote_type"] = p.remote_type
            items.append(values)
        keep_hash = [v for v in items if v["last_pushed_hash"] is None]
        set_hash = [v for v in items if v["last_pushed_hash"] is not None]
        _bulk_item_update(session, kind, set_hash)
        _bulk_item_update(session, kind, [{k: v for k, v in row.items() if k != "last_pushed_hash"}
                                          for row in keep_hash])


def _rows(session: Session, outbox_ids: Sequence[int]) -> list[OutboxRow]:
    ids = list(outbox_ids)
    out: list[OutboxRow] = []
    for start in range(0, len(ids), 500):
        out += [row_of(r) for r in session.execute(select(*T.columns).where(T.c.id.in_(ids[start:start + 500])))]
    return out


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

