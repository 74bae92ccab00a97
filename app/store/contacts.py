"""Contacts repository: bulk upsert from sync, soft delete, the lazy list, detail — and search
(implemented in ``contact_search``, re-exported here so callers have one module to import).

All functions take the ``Session`` that :meth:`app.store.db.Database.run` hands out, e.g.::

    hits = await db.run(lambda s: contacts.search(s, connection_id, "jo"))

Rows from Salesforce are dictionaries keyed by :class:`~app.store.models.Contact` column names
(``sf_id``, ``first_name``, ``email``, ``system_modstamp`` …).  Datetimes may be ``datetime`` or
Salesforce's ISO strings.  The search columns are derived here, never by the caller.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import func, select, update
from sqlmodel import Session, col

from app.store import fuzzy_index, fuzzy_text, search_text
from app.store.contact_rows import (
    MAX_LIMIT,
    SUMMARY_COLUMNS,
    ContactSummary,
    raw_connection,
    source_filter,
    summary,
)
from app.store.contact_search import MatchTier, SearchHit, search
from app.store.models import SOURCE_OBJECTS, Contact
from app.store.tables import table_of
from app.store.types import UTCDateTime, to_sqlite_text, utcnow

__all__ = [
    "MAX_LIMIT",
    "WRITABLE_FIELDS",
    "ContactSummary",
    "MatchTier",
    "PreparedContacts",
    "SearchHit",
    "count",
    "get",
    "get_by_sf_id",
    "mark_deleted",
    "page",
    "prepare",
    "reindex",
    "search",
    "upsert_many",
    "write_prepared",
]

_TABLE = table_of(Contact)
_IDENTITY = frozenset({"id", "connection_id", "updated_at"})
_DERIVED = frozenset({"name_key", "sort_key", "email_key", "search_name", "search_phone"})
WRITABLE_FIELDS = frozenset(c.name for c in _TABLE.columns) - _IDENTITY - _DERIVED
_NAME_GROUP = frozenset({"name", "first_name", "last_name"})
_PHONE_GROUP = frozenset({"phone", "mobile_phone"})
_MAX_IN_LIST = 500
# Values bound per INSERT.  SQLite allows 32,766 (since 3.32), but binding is one C call that holds
# the GIL throughout: 32,766 values held it ~5 ms, long enough to stall the UI thread; 4,000 hold
# it ~0.7 ms, for the same total time.  Older SQLite builds may allow fewer (asked at run time).
_MAX_PARAMS = 4_000


# --------------------------------------------------------------------------------------- writes
_COLUMNS = tuple(c.name for c in _TABLE.columns if c.name != "id")
_DATETIME_COLUMNS = frozenset(c.name for c in _TABLE.columns if isinstance(c.type, UTCDateTime))
_STAGE_DDL = f"CREATE TEMP TABLE IF NOT EXISTS contact_stage ({', '.join(_COLUMNS)})"


@dataclass(frozen=True, slots=True)
class PreparedContacts:
    """Rows checked and given their search columns, ready to write: see :func:`prepare`."""

    columns: tuple[str, ...]
    params: list[tuple[Any, ...]]  # each row's values, connection_id included
    connection_id: int = 0
    # The rows' name words for the typo-tolerant index (``fuzzy_index``), found here on the
    # prepare thread so the database thread only looks up a page's few hundred distinct words.
    name_words: frozenset[str] = frozenset()


def prepare(connection_id: int, rows: Iterable[Mapping[str, Any]]) -> PreparedContacts:
    """Check rows and derive their search columns — pure Python, no database.

    Any thread may call this, which is the point: a sync prepares page *n+1* while the database
    thread writes page *n* (SQLite releases the GIL while it works, so the two overlap).
    Raises ``ValueError`` for rows :func:`upsert_many` would refuse.
    """
    batch = list(rows)
    if not batch:
        return PreparedContacts((), [])
    keys = frozenset(batch[0])
    _check_keys(keys)
    columns = _write_columns(keys)
    now = to_sqlite_text(utcnow())
    params = []
    for index, row in enumerate(batch):
        if frozenset(row) != keys:
            raise ValueError(f"row {index} has different keys from row 0; send uniform batches")
        params.append(_prepare(row, keys, columns, connection_id, now))
    return PreparedContacts(columns, params, connection_id, _name_words(batch, keys))


def _name_words(batch: list[Mapping[str, Any]], keys: frozenset[str]) -> frozenset[str]:
    """The batch's name words: split on spaces first, so each distinct word is keyed once (first
    and last names repeat across a page; keying whole names would key every one)."""
    fields = [f for f in ("name", "first_name", "last_name", "account_name") if f in keys]
    pieces: set[str] = set()
    for row in batch:
        for field in fields:
            text = row[field]
            if text:
                pieces.update(text.split())
    return frozenset(fuzzy_text.name_words(*pieces))


def upsert_many(session: Session, connection_id: int, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert or update contacts by ``(connection_id, sf_id)``; returns how many rows were written.

    Every row must carry the same keys.  Keys that are absent are left as they are on existing
    rows (and take the column default on new ones), so a partial refresh cannot wipe columns it
    did not fetch.  ``name``/``first_name``/``last_name`` come together (``name`` may be None: it
    is then built from the parts), as do ``phone`` and ``mobile_phone``, because the search columns
    are derived from each group as a whole.  Delivering the same page twice changes nothing and
    creates no duplicates; an unchanged record does not touch the search index.
    """
    return write_prepared(session, prepare(connection_id, rows))


def write_prepared(session: Session, prepared: PreparedContacts) -> int:
    """Write what :func:`prepare` made (the database-thread half of :func:`upsert_many`).

    Speed: the rows go into a TEMP staging table (a few multi-row INSERTs), then into ``contact``
    with ONE ``INSERT … SELECT … ON CONFLICT DO UPDATE``.  Upserting row by row would make SQLite
    open a statement savepoint per row, and FTS5 flushes its pending index on every savepoint —
    that alone made a 2000-row page several times slower.
    """
    if not prepared.params:
        return 0
    columns = prepared.columns
    names = ", ".join(columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("connection_id", "sf_id"))
    raw = raw_connection(session)
    raw.execute(_STAGE_DDL)
    raw.execute("DELETE FROM temp.contact_stage")
    # Many rows per INSERT (``_MAX_PARAMS`` values), not ``executemany``: that releases and re-takes
    # the GIL around every row, and each re-take can wait for the threads preparing the next page
    # (measured: ~4% of a 100,000-contact pull).
    per_statement = min(_MAX_PARAMS, raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)) // len(columns)
    row_marks = f"({', '.join('?' for _ in columns)})"
    for start in range(0, len(prepared.params), per_statement):
        chunk = prepared.params[start : start + per_statement]
        raw.execute(
            f"INSERT INTO temp.contact_stage ({names}) VALUES {', '.join([row_marks] * len(chunk))}",  # noqa: S608
            [value for row in chunk for value in row],
        )
    raw.execute(
        f"INSERT INTO contact ({names}) SELECT {names} FROM temp.contact_stage WHERE true"  # noqa: S608
        f" ON CONFLICT (connection_id, sf_id) DO UPDATE SET {updates}"
    )
    raw.execute("DELETE FROM temp.contact_stage")  # client data does not linger in memory
    fuzzy_index.remember(raw, prepared.connection_id, prepared.name_words)
    return len(prepared.params)


def _check_keys(keys: frozenset[str]) -> None:
    if "sf_id" not in keys:
        raise ValueError("contact rows need an sf_id")
    unknown = keys - WRITABLE_FIELDS
    if unknown:
        raise ValueError(f"unknown contact fields: {sorted(unknown)}")
    for group in (_NAME_GROUP, _PHONE_GROUP):
        present = keys & group
        if present and present != group:
            raise ValueError(f"send {sorted(group)} together (missing {sorted(group - present)})")


def _write_columns(keys: frozenset[str]) -> tuple[str, ...]:
    derived: list[str] = []
    if "name" in keys:
        derived += ["name_key", "sort_key", "search_name"]
    if "email" in keys:
        derived.append("email_key")
    if "phone" in keys:
        derived.append("search_phone")
    return (*sorted(keys), *derived, "connection_id", "updated_at")


def _prepare(
    row: Mapping[str, Any],
    keys: frozenset[str],
    columns: tuple[str, ...],
    connection_id: int,
    now: str | None,
) -> tuple[Any, ...]:
    values = dict(row)
    sf_id = values["sf_id"]
    if not isinstance(sf_id, str) or not sf_id.strip():
        raise ValueError(f"invalid sf_id {sf_id!r}")
    values["sf_id"] = sf_id.strip()
    if "source_object" in keys and values["source_object"] not in SOURCE_OBJECTS:
        raise ValueError(f"source_object must be one of {SOURCE_OBJECTS}, not {values['source_object']!r}")
    for column in _DATETIME_COLUMNS & keys:
        values[column] = to_sqlite_text(values[column])
    if "extra_fields" in keys and values["extra_fields"] is not None:  # a JSON column, bound as text
        # orjson: a tenth of json.dumps's time, which was ~0.4 s of CPU per 100,000 contacts with 10 extra
        # fields (docs/performance.md). The values come from orjson-parsed JSON, so there is no NaN to refuse.
        values["extra_fields"] = orjson.dumps(values["extra_fields"], default=str).decode()
    if "name" in keys:
        first, last = values["first_name"], values["last_name"]
        name = search_text.display_name(values["name"], first, last)
        values["name"] = name
        values["name_key"] = search_text.name_key(name)
        values["sort_key"] = search_text.sort_key(name, first, last)
        values["search_name"] = search_text.search_name(name)
    if "email" in keys:
        values["email_key"] = search_text.email_key(values["email"])
    if "phone" in keys:
        values["search_phone"] = search_text.search_phone(values["phone"], values["mobile_phone"])
    values["connection_id"] = connection_id
    values["updated_at"] = now
    ordered: tuple[Any, ...] = itemgetter(*columns)(values)  # always several columns, so a tuple
    return ordered


def mark_deleted(session: Session, connection_id: int, sf_ids: Iterable[str]) -> int:
    """Soft-delete contacts (deleted or merged in Salesforce); returns how many changed.

    Rows stay so that notes and tasks keep their link; they leave the search index and the list.
    A later upsert with ``is_deleted=False`` (undelete in Salesforce) brings them back.
    """
    ids = sorted({i for i in sf_ids if i})
    changed = 0
    now = utcnow()
    for start in range(0, len(ids), _MAX_IN_LIST):
        chunk = ids[start : start + _MAX_IN_LIST]
        result = session.exec(
            update(_TABLE)
            .where(_TABLE.c.connection_id == connection_id, _TABLE.c.sf_id.in_(chunk), ~_TABLE.c.is_deleted)
            .values(is_deleted=True, updated_at=now)
        )
        changed += result.rowcount
    return changed


# ---------------------------------------------------------------------------------------- reads
def get(session: Session, connection_id: int, contact_id: int) -> Contact | None:
    """The full record for the detail panel (a detached snapshot), or None."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.connection_id != connection_id:
        return None
    return contact


def get_by_sf_id(session: Session, connection_id: int, sf_id: str) -> Contact | None:
    stmt = select(Contact).where(col(Contact.connection_id) == connection_id, col(Contact.sf_id) == sf_id)
    return session.execute(stmt).scalars().first()


def by_emails(session: Session, connection_id: int, emails: Sequence[str]) -> list[Contact]:
    """Live people whose email is one of ``emails`` (compared as ``email_key``: case-insensitive),
    for matching a logged email to its client.  Uses ``ix_contact_email_key``."""
    keys = sorted({k for k in (search_text.email_key(e) for e in emails) if k})
    if not keys:
        return []
    stmt = select(Contact).where(col(Contact.connection_id) == connection_id, col(Contact.email_key).in_(keys),
                                 col(Contact.is_deleted).is_(False)).order_by(col(Contact.id))
    return list(session.execute(stmt).scalars())


def count(session: Session, connection_id: int, *, source_objects: Sequence[str] | None = None) -> int:
    """Number of live (not deleted) contacts — the lazy list's row count."""
    stmt = select(func.count()).select_from(_TABLE).where(
        _TABLE.c.connection_id == connection_id, ~_TABLE.c.is_deleted
    )
    if source_objects:
        stmt = stmt.where(_TABLE.c.source_object.in_(list(source_objects)))
    return int(session.execute(stmt).scalar_one())


def page(
    session: Session | sqlite3.Connection,
    connection_id: int,
    offset: int,
    limit: int,
    *,
    source_objects: Sequence[str] | None = None,
) -> list[ContactSummary]:
    """Rows ``offset … offset+limit`` of the list, ordered by "last, first" name.

    The offset walk happens inside the covering index (connection_id, sort_key); only the rows
    returned are read from the table, so deep pages stay cheap.
    """
    if offset < 0 or not 0 < limit <= MAX_LIMIT:
        raise ValueError(f"offset must be ≥ 0 and limit in 1..{MAX_LIMIT}")
    source_sql, source_args = source_filter(source_objects)
    sql = (
        f"SELECT {SUMMARY_COLUMNS} FROM contact c WHERE c.id IN ("  # noqa: S608 (fixed column list)
        f" SELECT c.id FROM contact c WHERE c.connection_id = ? AND c.is_deleted = 0{source_sql}"
        " ORDER BY c.sort_key, c.id LIMIT ? OFFSET ?) ORDER BY c.sort_key, c.id"
    )
    rows = raw_connection(session).execute(sql, [connection_id, *source_args, limit, offset]).fetchall()
    return [summary(row) for row in rows]


def reindex(session: Session, connection_id: int | None = None) -> int:
    """Recompute the derived search columns, rebuild the FTS index and the typo-tolerant name index
    (``fuzzy_index``); returns rows visited.

    A repair tool (and the way to apply a change in how search text is derived): it streams the
    table in id order, 2000 rows at a time, so it never holds the whole workspace in memory.
    """
    raw = raw_connection(session)
    scope, scope_args = ("", []) if connection_id is None else (" AND connection_id = ?", [connection_id])
    total, last_id = 0, 0
    while True:
        rows = raw.execute(
            "SELECT id, name, first_name, last_name, email, phone, mobile_phone FROM contact"  # noqa: S608
            f" WHERE id > ?{scope} ORDER BY id LIMIT 2000",
            [last_id, *scope_args],
        ).fetchall()
        if not rows:
            break
        updates = []
        for contact_id, name, first, last, email, phone, mobile in rows:
            shown = search_text.display_name(name, first, last)
            updates.append((
                shown, search_text.name_key(shown), search_text.sort_key(shown, first, last),
                search_text.search_name(shown), search_text.email_key(email),
                search_text.search_phone(phone, mobile), contact_id,
            ))
        raw.executemany(
            "UPDATE contact SET name = ?, name_key = ?, sort_key = ?, search_name = ?, email_key = ?,"
            " search_phone = ? WHERE id = ?",
            updates,
        )
        total += len(rows)
        last_id = rows[-1][0]
    raw.execute("DELETE FROM contact_fts")
    raw.execute("DELETE FROM contact_phone_fts")
    raw.execute(
        "INSERT INTO contact_fts (rowid, name, email, account_name, city, extra)"
        " SELECT id, search_name, email, account_name, mailing_city, extra_text FROM contact WHERE is_deleted = 0"
    )
    raw.execute(
        "INSERT INTO contact_phone_fts (rowid, phone)"
        " SELECT id, search_phone FROM contact WHERE is_deleted = 0 AND search_phone <> ''"
    )
    fuzzy_index.rebuild(raw, connection_id)
    return total
