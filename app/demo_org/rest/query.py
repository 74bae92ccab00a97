"""``query`` / ``queryAll`` with server-side cursors, like the real API.

The first call runs the whole query and keeps the matching rows under a query locator (an ``01g`` Id);
each page is then a slice of that list, so paging through 100,000 rows costs the same per page as the
first 2000. ``nextRecordsUrl`` looks like ``/services/data/v62.0/query/01gHs0000001000IAA-2000``.
Page size comes from ``Sforce-Query-Options: batchSize=N`` (200–2000, default 2000). Rows are projected
when their page is fetched, so a page fetched later shows the current field values of the rows the
query matched (the set and order of rows are fixed when the query runs).
See https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm and
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_queryoptions.htm
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.demo_org.clock import OrgClock
from app.demo_org.data.store import Record, Store
from app.demo_org.errors import SfError
from app.demo_org.ids import IdFactory
from app.demo_org.rest.children import child_projector
from app.demo_org.rest.cursors import CursorTable
from app.demo_org.rest.table_index import TableIndex
from app.demo_org.soql import SoqlError, parse
from app.demo_org.soql.evaluate import compile_query
from app.demo_org.soql.project import Projector, make_projector
from app.demo_org.soql.resolve import Resolver

DEFAULT_BATCH, MIN_BATCH, MAX_BATCH = 2000, 200, 2000
_BATCH = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)


@dataclass
class Cursor:
    rows: list[Record]
    projector: Projector
    batch: int
    endpoint: str  # "query" or "queryAll"


def batch_size(header: str | None) -> int:
    """Page size from ``Sforce-Query-Options`` — clamped to Salesforce's 200–2000 range."""
    match = _BATCH.search(header or "")
    if not match:
        return DEFAULT_BATCH
    return max(MIN_BATCH, min(MAX_BATCH, int(match.group(1))))


class QueryService:
    def __init__(self, store: Store, id_factory: IdFactory, clock: OrgClock | None = None) -> None:
        self.store = store
        self.resolver = Resolver(store)
        self.ids = id_factory
        self.cursors: CursorTable[Cursor] = CursorTable(clock or OrgClock())  # 10 per user, 15 min idle
        self.index = TableIndex(store, self.resolver)

    def run(self, soql: str | None, version: str, *, include_deleted: bool, batch: int,
            user_id: str = "") -> dict[str, Any]:
        if not soql:
            raise SfError("MALFORMED_QUERY", "A query string has to be specified")
        try:
            query = parse(soql)
            sobject = self.store.schema.get(query.sobject)
            if sobject is None:
                raise SoqlError("INVALID_TYPE", f"\n{soql}\n{' ' * query.sobject_pos}^\nERROR at Row:1:Column:"
                                f"{query.sobject_pos + 1}\nsObject type '{query.sobject}' is not supported. If you "
                                "are attempting to use a custom object, be sure to append the '__c' after the "
                                "entity name. Please reference your WSDL or the describe call for the "
                                "appropriate names.")
            plan = compile_query(query, self.resolver, sobject)
        except SoqlError as error:
            raise SfError(error.code, error.message(soql)) from None
        with self.store.lock:
            rows = self.index.rows(query, plan, include_deleted=include_deleted)
            if not include_deleted and plan.sobject.field("IsArchived") is not None:
                # Archived activities are left out of ``query``; ``queryAll`` returns them.
                # https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_queryall.htm
                rows = [r for r in rows if not r["IsArchived"]]
            rows = plan.window(rows)
        if plan.count:
            return {"totalSize": len(rows), "done": True, "records": []}
        if plan.count_column is not None:
            get = plan.count_column.getter
            count = sum(1 for r in rows if get(r) is not None)
            return {"totalSize": 1, "done": True,
                    "records": [{"attributes": {"type": "AggregateResult"}, "expr0": count}]}
        projector = make_projector(plan.columns, self.resolver, sobject.name, version)
        if query.subqueries:
            try:
                projector = child_projector(query, sobject, self.resolver, self.store, version, projector)
            except SoqlError as error:
                raise SfError(error.code, error.message(soql)) from None
        cursor = Cursor(rows, projector, batch, "queryAll" if include_deleted else "query")
        locator = self.ids.new("01g")
        if len(rows) > batch:  # only a query with more to read keeps a cursor open
            self.cursors.open(locator, user_id, cursor)
        return self._page(locator, cursor, 0, version)

    def more(self, locator_and_offset: str, version: str, user_id: str = "") -> dict[str, Any]:
        locator, _, offset_text = locator_and_offset.partition("-")
        cursor = self.cursors.get(locator, user_id)
        if cursor is None or not offset_text.isdigit() or int(offset_text) > len(cursor.rows):
            raise SfError("INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(locator, cursor, int(offset_text), version)

    def _page(self, locator: str, cursor: Cursor, offset: int, version: str) -> dict[str, Any]:
        end = min(offset + cursor.batch, len(cursor.rows))
        with self.store.lock:
            page_of = getattr(cursor.projector, "page", None)  # parents with children: grouped per page
            rows = cursor.rows[offset:end]
            records = page_of(rows) if page_of is not None else [cursor.projector(r) for r in rows]
        page: dict[str, Any] = {"totalSize": len(cursor.rows), "done": end >= len(cursor.rows)}
        if not page["done"]:
            page["nextRecordsUrl"] = f"/services/data/v{version}/{cursor.endpoint}/{locator}-{end}"
        page["records"] = records
        return page
