"""In-memory record storage with an undo log, so multi-record requests can be all-or-none.

Records are plain dicts holding every field of their type (unset fields are None) in canonical
spelling; deleted records stay in their table with ``IsDeleted = true`` so ``queryAll`` and
``getDeleted`` can see them, as in a real org's recycle bin. The store is shared by the HTTP threads and
the in-process controls; callers hold ``store.lock`` around anything that must be consistent. The
store also keeps what the query layer needs to stay fast on 100,000-row tables: per-table version
counters and change logs, and an index of external-ID values.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from app.demo_org import ids
from app.demo_org.data.schema import Schema

Record = dict[str, Any]


class Transaction:
    """A span of the undo log; ``rollback()`` undoes everything recorded since it began."""

    def __init__(self, store: Store, start: int) -> None:
        self._store = store
        self._start = start

    def rollback(self) -> None:
        self._store._rollback_to(self._start)


class Store:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.lock = threading.RLock()
        self.tables: dict[str, dict[str, Record]] = {name: {} for name in schema.names()}
        # Which table owns an Id prefix: ContentNote shares 069 with ContentDocument, which owns it.
        self._prefix_owner: dict[str, str] = {}
        for sobject in schema.ordered:
            if sobject.name != "ContentNote":
                self._prefix_owner.setdefault(sobject.key_prefix, sobject.name)
        # Bumped on every write to a table: lets the query layer reuse a sorted copy of a table until it
        # changes (sorting 100,000 rows costs more than serving a page).
        self.versions: dict[str, int] = dict.fromkeys(self.tables, 0)
        # Bumped when a rollback removes inserted rows: a cached sorted copy can then no longer be
        # extended by "rows appended since", it must be rebuilt.
        self.removals: dict[str, int] = dict.fromkeys(self.tables, 0)
        # Ids written per table, in order: lets sorted copies be patched instead of re-sorted.
        self.changes: dict[str, list[str]] = {name: [] for name in self.tables}
        # External-ID fields are indexed (lower-cased value -> Ids), as Salesforce indexes them: upserts and
        # "WHERE External_Id__c IN (…)" reconciliation lookups must not scan 100,000 rows.
        self.external_fields: dict[str, tuple[str, ...]] = {
            t.name: tuple(f.name for f in t.external_id_fields()) for t in schema.ordered}
        self._external: dict[tuple[str, str], dict[str, set[str]]] = {
            (t, f): {} for t, fields in self.external_fields.items() for f in fields}
        self._undo: list[tuple[str, str, str, Record | None]] | None = None
        self._depth = 0

    # -- reads -------------------------------------------------------------------------------------
    def table(self, sobject: str) -> dict[str, Record]:
        return self.tables[sobject]

    def type_of_id(self, record_id: str) -> str | None:
        """The sObject type an Id belongs to, by key prefix (None for prefixes the org lacks)."""
        return self._prefix_owner.get(ids.prefix_of(record_id))

    def find(self, record_id: str) -> tuple[str, Record] | None:
        """Look a record up by any-length Id, in the table that owns its prefix."""
        try:
            id18 = ids.to18(record_id)
        except ValueError:
            return None
        sobject = self.type_of_id(id18)
        if sobject is None:
            return None
        record = self.tables[sobject].get(id18)
        return (sobject, record) if record is not None else None

    def by_external_id(self, sobject: str, field: str, value: str) -> list[Record]:
        """Records (deleted ones included) whose external-ID field equals ``value``, ignoring case."""
        found = self._external.get((sobject, field), {}).get(value.lower(), ())
        table = self.tables[sobject]
        return [table[i] for i in sorted(found) if i in table]

    def _index(self, sobject: str, record: Record, add: bool) -> None:
        for field in self.external_fields.get(sobject, ()):
            value = record.get(field)
            if value is None:
                continue
            bucket = self._external[(sobject, field)].setdefault(str(value).lower(), set())
            if add:
                bucket.add(record["Id"])
            else:
                bucket.discard(record["Id"])

    # -- writes (all recorded in the undo log when a transaction is open) ----------------------------
    def insert(self, sobject: str, record: Record) -> None:
        self.tables[sobject][record["Id"]] = record
        self._index(sobject, record, add=True)
        self.versions[sobject] += 1
        self.changes[sobject].append(record["Id"])
        if self._undo is not None:
            self._undo.append(("insert", sobject, record["Id"], None))

    def modify(self, sobject: str, record_id: str, changes: Record) -> Record:
        record = self.tables[sobject][record_id]
        if self._undo is not None:
            self._undo.append(("modify", sobject, record_id, dict(record)))
        self._index(sobject, record, add=False)
        record.update(changes)
        self._index(sobject, record, add=True)
        self.versions[sobject] += 1
        self.changes[sobject].append(record_id)
        return record

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Open a (possibly nested) transaction. Leaving the outermost one forgets the undo log."""
        with self.lock:
            if self._undo is None:
                self._undo = []
            self._depth += 1
            try:
                yield Transaction(self, len(self._undo))
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._undo = None

    def _rollback_to(self, start: int) -> None:
        assert self._undo is not None, "rollback outside a transaction"
        while len(self._undo) > start:
            action, sobject, record_id, before = self._undo.pop()
            self.versions[sobject] += 1
            self.changes[sobject].append(record_id)
            if action == "insert":
                removed = self.tables[sobject].pop(record_id, None)
                if removed is not None:
                    self._index(sobject, removed, add=False)
                self.removals[sobject] += 1
            else:
                record = self.tables[sobject][record_id]
                self._index(sobject, record, add=False)
                record.clear()
                record.update(before or {})
                self._index(sobject, record, add=True)
