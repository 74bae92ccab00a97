"""The functions the pull hands to ``Database.run``: map one query page and write it, with its cursor,
in one transaction.

They run on the database thread, so turning 2000 JSON records into rows (and the search-column
work the store does) never stalls the UI's event loop.  They receive the store's session as an
opaque value and only call store repositories with it — no SQL lives here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.store import accounts, contacts, events, households, people, sync_state, users
from app.store.types import utcnow
from app.sync.pull import records as rec
from app.sync.pull.records import MalformedRecord, RecordKey, RowMapper
from app.sync.pull.types import SkippedRecord

log = logging.getLogger(__name__)

Records = Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class CursorPlan:
    """What to save as the cursor after this page (``key`` None = do not touch the cursor)."""

    key: str | None
    phase: str = "incremental"
    floor: RecordKey | None = None  # never move the position below this (overlap re-deliveries)
    next_records_url: str | None = None
    record_offset: int | None = None
    sweep_source: str | None = None  # full pull finished: soft-delete rows it did not deliver
    sweep_since: datetime | None = None
    drop_keys: tuple[str, ...] = ()  # helper cursors that are done with


@dataclass
class PageResult:
    written: int = 0
    deleted: int = 0
    ignored: int = 0
    swept: int = 0
    skipped: list[SkippedRecord] = field(default_factory=list)
    last_key: RecordKey | None = None
    new_ids: list[str] = field(default_factory=list)
    seen_ids: list[str] = field(default_factory=list)


@dataclass
class Mapped:
    rows: list[dict[str, Any]] = field(default_factory=list)
    mirror: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    skipped: list[SkippedRecord] = field(default_factory=list)
    last_key: RecordKey | None = None


def max_key(a: RecordKey | None, b: RecordKey | None) -> RecordKey | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if (a.modstamp, a.sf_id) >= (b.modstamp, b.sf_id) else b


def map_records(
    sobject: str, records: Records, mapper: RowMapper, *, mirror: RowMapper | None = None
) -> Mapped:
    out = Mapped()
    for record in records:
        try:
            key = rec.record_key(record)
            if rec.is_deleted(record):
                out.deleted.append(key.sf_id)
            else:
                row = mapper(record)
                extra = mirror(record) if mirror is not None else None
                out.rows.append(row)
                if extra is not None:
                    out.mirror.append(extra)
        except MalformedRecord as exc:
            # Only the Id and the reason: field values may be client details.
            log.warning("skipped a malformed %s record (%s): %s", sobject, exc.sf_id or "no Id", exc.reason)
            out.skipped.append(SkippedRecord(sobject, exc.sf_id, exc.reason))
            continue
        out.last_key = max_key(out.last_key, key)
    return out


def _save(session: Any, connection_id: int, plan: CursorPlan, last: RecordKey | None) -> RecordKey | None:
    key = max_key(plan.floor, last)
    if plan.key is not None:
        sync_state.save_cursor(
            session, connection_id, plan.key, phase=plan.phase,
            last_modstamp=key.modstamp if key else None, last_id=key.sf_id if key else None,
            next_records_url=plan.next_records_url, record_offset=plan.record_offset,
        )
    if plan.drop_keys:
        sync_state.delete_cursors(session, connection_id, list(plan.drop_keys))
    return key


@dataclass
class PeopleBatch:
    """A page of people mapped and given their search columns, ready for the database thread."""

    mapped: Mapped
    rows: contacts.PreparedContacts

    def big_lists(self) -> tuple[list[Any], ...]:
        """What ``page_release`` empties once the page is written."""
        return self.rows.params, self.mapped.rows, self.mapped.mirror


def prepare_people(
    connection_id: int, sobject: str, records: Records, mapper: RowMapper, *, mirror_accounts: bool = False
) -> PeopleBatch:
    """The pure-Python half of writing a page (mapping, checks, search columns), which a full pull
    runs in a worker thread while the database thread writes the page before."""
    mapped = map_records(sobject, records, mapper, mirror=rec.account_row if mirror_accounts else None)
    return PeopleBatch(mapped, contacts.prepare(connection_id, mapped.rows))


def people_page(
    connection_id: int,
    sobject: str,
    records: Records,
    mapper: RowMapper,
    plan: CursorPlan,
    *,
    mirror_accounts: bool = False,
    detect_new: bool = False,
    picked: Sequence[str] = (),
    batch: PeopleBatch | None = None,
) -> Callable[[Any], PageResult]:
    """Write a page of Contacts / Leads / Accounts (+ the cursor, + optional pick-mode picks).

    ``batch``: the page already prepared by :func:`prepare_people` (else that happens here, on the
    database thread)."""

    def write(session: Any) -> PageResult:
        ready = batch or prepare_people(connection_id, sobject, records, mapper, mirror_accounts=mirror_accounts)
        mapped = ready.mapped
        result = PageResult(skipped=mapped.skipped)
        ids = [row["sf_id"] for row in mapped.rows]
        if detect_new and ids:
            existing = people.existing_sf_ids(session, connection_id, ids)
            result.new_ids = [i for i in ids if i not in existing]
        result.written = contacts.write_prepared(session, ready.rows)
        if mapped.mirror:
            accounts.upsert_many(session, connection_id, mapped.mirror)
        if mapped.deleted:
            result.deleted = contacts.mark_deleted(session, connection_id, mapped.deleted)
            if mirror_accounts:
                accounts.mark_deleted(session, connection_id, mapped.deleted)
        if picked:
            sync_state.add_picked(session, connection_id, picked)
        result.seen_ids = ids
        result.last_key = _save(session, connection_id, plan, mapped.last_key)
        if plan.sweep_source and plan.sweep_since is not None and utcnow() > plan.sweep_since:
            result.swept = people.sweep_not_refreshed(session, connection_id, plan.sweep_source, plan.sweep_since)
        return result

    return write


def events_page(connection_id: int, records: Records, plan: CursorPlan) -> Callable[[Any], PageResult]:
    def write(session: Any) -> PageResult:
        mapped = map_records("Event", records, rec.event_row)
        result = PageResult(skipped=mapped.skipped)
        if mapped.deleted:
            result.deleted = events.mark_deleted(session, connection_id, mapped.deleted)
        result.written, result.ignored = events.upsert_linked(session, connection_id, mapped.rows)
        result.last_key = _save(session, connection_id, plan, mapped.last_key)
        return result

    return write


def relations_page(connection_id: int, records: Records, plan: CursorPlan) -> Callable[[Any], PageResult]:
    def write(session: Any) -> PageResult:
        mapped = map_records("AccountContactRelation", records, rec.relation_row)
        result = PageResult(skipped=mapped.skipped)
        if mapped.deleted:
            result.deleted = households.mark_relations_deleted(session, connection_id, mapped.deleted)
        result.written = households.upsert_relations(session, connection_id, mapped.rows)
        result.last_key = _save(session, connection_id, plan, mapped.last_key)
        return result

    return write


def users_page(
    connection_id: int, records: Records, plan: CursorPlan, *, active_ids: Sequence[str] | None
) -> Callable[[Any], PageResult]:
    """``active_ids`` on the last page: every active user seen, so the rest are marked inactive."""

    def write(session: Any) -> PageResult:
        mapped = map_records("User", records, rec.user_row)
        result = PageResult(skipped=mapped.skipped)
        result.written = users.upsert_many(session, connection_id, mapped.rows)
        result.seen_ids = [row["sf_id"] for row in mapped.rows]
        if active_ids is not None:
            result.deleted = users.deactivate_missing(session, connection_id, [*active_ids, *result.seen_ids])
        result.last_key = _save(session, connection_id, plan, mapped.last_key)
        return result

    return write
