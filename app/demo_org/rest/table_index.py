"""Sorted copies of tables, so large queries are served at page speed rather than sort speed.

Real orgs answer ``ORDER BY SystemModstamp, Id`` from indexes; the demo org gets the same effect by
keeping each table sorted per ORDER BY, and for the two shapes sync code sends all the time it skips
work altogether:

* a full pull (no WHERE) reuses a cached list of the table's live rows in that order;
* an incremental pull (``WHERE SystemModstamp > X ORDER BY SystemModstamp, Id``) binary-searches the
  sorted table for X and evaluates the WHERE only on the tail;
* lookups by ``Id`` or an external-ID field (``=`` / ``IN``) fetch the rows by key.

After writes, an ascending single-string-key order (the sync shape) is *patched*: each written row is
moved to its new place by binary search, using the store's change log, instead of re-sorting 100,000
rows. The WHERE clause is always still applied to the rows that remain, so the shortcuts can only skip
rows that could never match. Cached lists are never mutated once handed out (query cursors hold them).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from app.demo_org import ids, timefmt
from app.demo_org.data.store import Record, Store
from app.demo_org.soql import Query, parse
from app.demo_org.soql.evaluate import Plan, compile_query
from app.demo_org.soql.parser import BoolOp, Compare, InList
from app.demo_org.soql.resolve import Resolver

WARM_OBJECTS = ("Contact", "Account", "Lead", "Event", "Task")
MAX_ORDERS = 32
_AFTER_ANY_ID = "~"  # sorts after every Id character: "value > X" <=> "value+Id > X~"


def _by_id(record: Record) -> str:
    return record["Id"]


def signature(sobject: str, query: Query) -> tuple[object, ...]:
    """Cache key of a table's sort order: canonical object name and the ORDER BY items."""
    return (sobject, tuple((i.field.text.lower(), i.descending, i.nulls_first) for i in query.order))


@dataclass
class _Sorted:
    version: int
    removals: int
    change_pos: int
    rows: list[Record]  # every row, deleted ones included, in ORDER BY order
    keys: list[str] | None = None  # the rows' sort keys, when the order has a single ascending string key
    key_of: dict[str, str] | None = None  # Id -> key at the time it was placed
    live: list[Record] | None = None  # rows with IsDeleted = false, same order
    live_keys: list[str] | None = None


def _find(keys: list[str], rows: list[Record], key: str, record_id: str) -> int | None:
    index = bisect.bisect_left(keys, key)
    while index < len(keys) and keys[index] == key:
        if rows[index]["Id"] == record_id:
            return index
        index += 1
    return None


class TableIndex:
    def __init__(self, store: Store, resolver: Resolver) -> None:
        self.store = store
        self.resolver = resolver
        self._sorted: dict[tuple[object, ...], _Sorted] = {}

    def rows(self, query: Query, plan: Plan, *, include_deleted: bool) -> list[Record]:
        """Rows matching the query's WHERE, in ORDER BY order, before OFFSET/LIMIT. Call under the lock."""
        table = self.store.table(plan.sobject.name)
        candidates = self._candidates(query, plan)
        if candidates is not None:
            rows = plan.filter(candidates, include_deleted=include_deleted)
            plan.sort(rows)
            return rows
        if not plan.order:
            return plan.filter(table.values(), include_deleted=include_deleted)
        entry = self._entry(signature(plan.sobject.name, query), plan)
        if query.where is None and not include_deleted:
            return self._live(entry)
        start = self._range_start(query, plan, entry.rows)
        return plan.filter(entry.rows[start:] if start else entry.rows, include_deleted=include_deleted)

    def _candidates(self, query: Query, plan: Plan) -> list[Record] | None:
        """For ``Id = …`` / ``Id IN (…)`` and the same on external-ID fields (alone or AND-ed with other
        conditions): the few rows that can match, found by key instead of by scanning the table."""
        where = query.where
        items = where.items if isinstance(where, BoolOp) and where.op == "AND" else (where,)
        name = plan.sobject.name
        for item in items:
            if isinstance(item, Compare) and item.op == "=":
                ref, values = item.field, [item.value]
            elif isinstance(item, InList) and not item.negate:
                ref, values = item.field, list(item.values)
            else:
                continue
            field = plan.sobject.field(ref.path[-1]) if len(ref.path) == 1 else None
            if field is None or any(v.kind != "string" for v in values):
                continue
            found: dict[str, Record] = {}
            if field.name == "Id":
                table = self.store.table(name)
                for value in values:
                    if ids.is_valid(value.value):
                        record = table.get(ids.to18(str(value.value)))
                        if record is not None:
                            found[record["Id"]] = record
                return sorted(found.values(), key=_by_id)  # Ids ascend in insertion order
            if field.external_id:
                for value in values:
                    for record in self.store.by_external_id(name, field.name, str(value.value)):
                        found[record["Id"]] = record
                return sorted(found.values(), key=_by_id)  # Ids ascend in insertion order
        return None

    # -- the sorted table ------------------------------------------------------------------------------
    def _entry(self, key: tuple[object, ...], plan: Plan) -> _Sorted:
        name = str(key[0])
        version, removals = self.store.versions[name], self.store.removals[name]
        log = self.store.changes[name]
        entry = self._sorted.get(key)
        if entry is not None and entry.version == version:
            return entry
        patchable = entry is not None and entry.keys is not None and entry.removals == removals \
            and len(log) - entry.change_pos <= max(64, len(entry.rows) // 8)
        entry = self._patch(entry, name, plan, log) if entry is not None and patchable else self._build(name, plan)
        entry.version, entry.removals, entry.change_pos = version, removals, len(log)
        if key not in self._sorted and len(self._sorted) >= MAX_ORDERS:
            self._sorted.clear()
        self._sorted[key] = entry
        return entry

    def _build(self, name: str, plan: Plan) -> _Sorted:
        rows = list(self.store.table(name).values())
        plan.sort(rows)
        entry = _Sorted(0, 0, 0, rows)
        if plan.fast_key is not None and not plan.order[0][1]:
            entry.keys = [plan.fast_key(r) for r in rows]
            entry.key_of = {r["Id"]: k for r, k in zip(rows, entry.keys, strict=True)}
        return entry

    def _patch(self, old: _Sorted, name: str, plan: Plan, log: list[str]) -> _Sorted:
        """Move each row written since ``old`` was built to its new place (copy-on-write lists)."""
        assert old.keys is not None and old.key_of is not None and plan.fast_key is not None
        table = self.store.table(name)
        keys, key_of = list(old.keys), old.key_of
        entry = _Sorted(0, 0, 0, list(old.rows), keys, key_of)
        live = list(old.live) if old.live is not None else None
        live_keys = list(old.live_keys) if old.live_keys is not None else None
        for record_id in dict.fromkeys(log[old.change_pos:]):
            previous = key_of.get(record_id)
            if previous is not None:
                index = _find(keys, entry.rows, previous, record_id)
                if index is not None:
                    del entry.rows[index], keys[index]
                if live is not None and live_keys is not None:
                    index = _find(live_keys, live, previous, record_id)
                    if index is not None:
                        del live[index], live_keys[index]
            record = table.get(record_id)
            if record is None:
                key_of.pop(record_id, None)
                continue
            key = plan.fast_key(record)
            key_of[record_id] = key
            index = bisect.bisect_left(keys, key)
            keys.insert(index, key)
            entry.rows.insert(index, record)
            if live is not None and live_keys is not None and not record["IsDeleted"]:
                index = bisect.bisect_left(live_keys, key)
                live_keys.insert(index, key)
                live.insert(index, record)
        entry.live, entry.live_keys = live, live_keys
        return entry

    @staticmethod
    def _live(entry: _Sorted) -> list[Record]:
        if entry.live is None:
            entry.live = [r for r in entry.rows if not r["IsDeleted"]]
            if entry.keys is not None:
                entry.live_keys = [k for r, k in zip(entry.rows, entry.keys, strict=True) if not r["IsDeleted"]]
        return entry.live

    @staticmethod
    def _range_start(query: Query, plan: Plan, ordered: list[Record]) -> int:
        """Where ``WHERE <first ORDER BY field> > / >= literal`` can start in the sorted table (0: anywhere)."""
        where, first = query.where, query.order[0]
        if plan.fast_key is None or first.descending or not isinstance(where, Compare) or where.op not in (">", ">="):
            return 0
        if where.field.text.lower() != first.field.text.lower() or where.value.kind not in ("datetime", "date"):
            return 0
        field = plan.sobject.field(first.field.text)
        if field is None or field.type != where.value.kind:
            return 0
        value = str(where.value.value)
        if field.type == "datetime":
            value = timefmt.format_datetime(timefmt.parse_datetime(value))
        target = value + _AFTER_ANY_ID if where.op == ">" else value
        return bisect.bisect_left(ordered, target, key=plan.fast_key)

    def warm(self, sobjects: tuple[str, ...] = WARM_OBJECTS) -> None:
        """Pre-sort the big tables in the order incremental sync asks for (SystemModstamp, Id)."""
        for name in sobjects:
            sobject = self.store.schema.get(name)
            if sobject is None:
                continue
            query = parse(f"SELECT Id FROM {name} ORDER BY SystemModstamp, Id")  # noqa: S608 - fixed SOQL
            plan = compile_query(query, self.resolver, sobject)
            with self.store.lock:
                self._live(self._entry(signature(name, query), plan))
