"""Parent-to-child subqueries: ``SELECT Id, (SELECT Subject FROM Tasks) FROM Contact``.

Each parent row gets, under the relationship name, ``{"totalSize", "done": true, "records": [...]}``
with the children that match the subquery's WHERE, in its ORDER BY, up to its LIMIT — or ``null`` when
none match, as the REST API answers an empty child relationship.
Rules, from "Understanding Relationship Query Limitations"
(https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_query_limits.htm)
and "Using Relationship Queries" (…/sforce_api_calls_soql_relationships_query_using.htm):
no more than 20 parent-to-child relationships in a query; the relationship name is the child's plural
name (``Tasks``, ``Contacts``). Salesforce allows up to five levels since API 58.0; this demo org
answers one level and says so ("not supported by this demo org") for deeper ones. A large child set
is returned whole here (Salesforce may page it behind its own ``nextRecordsUrl``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from app.demo_org.data.schema import SObjectType
from app.demo_org.data.store import Record, Store
from app.demo_org.soql import SoqlError
from app.demo_org.soql.evaluate import Plan, compile_query
from app.demo_org.soql.parser import Query
from app.demo_org.soql.project import Projector, make_projector
from app.demo_org.soql.resolve import Resolver

MAX_CHILD_RELATIONSHIPS = 20
_ACTIVITY_CHILDREN = {"Tasks": ("Task", "WhoId"), "Events": ("Event", "WhoId"), "Notes": ("Note", "ParentId"),
                      "ContentDocumentLinks": ("ContentDocumentLink", "LinkedEntityId")}
# (parent sObject, relationship name) → (child sObject, the child's lookup to the parent)
CHILD_RELATIONSHIPS: dict[str, dict[str, tuple[str, str]]] = {
    "Contact": dict(_ACTIVITY_CHILDREN),
    "Lead": dict(_ACTIVITY_CHILDREN),
    "Account": {**_ACTIVITY_CHILDREN, "Tasks": ("Task", "WhatId"), "Events": ("Event", "WhatId"),
                "Contacts": ("Contact", "AccountId"), "ChildAccounts": ("Account", "ParentId")},
}


class _Child:
    def __init__(self, name: str, sobject: SObjectType, lookup: str, plan: Plan, projector: Projector) -> None:
        self.name, self.sobject, self.lookup, self.plan, self.projector = name, sobject, lookup, plan, projector


def child_projector(query: Query, parent: SObjectType, resolver: Resolver, store: Store, version: str,
                    base: Projector) -> Projector:
    """``base`` plus one key per subquery. Raises SoqlError for an unknown relationship or too many."""
    if len(query.subqueries) > MAX_CHILD_RELATIONSHIPS:
        raise SoqlError("MALFORMED_QUERY", f"No more than {MAX_CHILD_RELATIONSHIPS} parent-to-child "
                        "relationships can be specified in a query", query.subqueries[MAX_CHILD_RELATIONSHIPS].pos)
    children: list[_Child] = []
    for sub in query.subqueries:
        known = {k.lower(): (k, v) for k, v in CHILD_RELATIONSHIPS.get(parent.name, {}).items()}
        hit = known.get(sub.query.sobject.lower())
        if hit is None:
            raise SoqlError("INVALID_TYPE", f"Didn't understand relationship '{sub.query.sobject}' in FROM part of "
                            "query call. If you are attempting to use a custom relationship, be sure to append the "
                            "'__r' after the custom relationship name. Please reference your WSDL or the describe "
                            "call for the appropriate names.", sub.query.sobject_pos)
        name, (child_name, lookup) = hit
        child = store.schema.require(child_name)
        plan = compile_query(sub.query, resolver, child, parent_filtered=True)
        children.append(_Child(name, child, lookup, plan,
                               make_projector(plan.columns, resolver, child.name, version)))

    return ChildProjector(base, children, store)


class ChildProjector:
    """Projects a page of parents with their children; the child tables are grouped once per page."""

    def __init__(self, base: Projector, children: list[_Child], store: Store) -> None:
        self.base, self.children, self.store = base, children, store

    def __call__(self, record: Record) -> dict[str, Any]:
        return self.page([record])[0]

    def page(self, records: list[Record]) -> list[dict[str, Any]]:
        """Call under the store's lock."""
        wanted = {r["Id"] for r in records}
        groups = [self._group(child, wanted) for child in self.children]
        out = []
        for record in records:
            row = self.base(record)
            for child, by_parent in zip(self.children, groups, strict=True):
                rows = child.plan.run(by_parent.get(record["Id"], []))
                row[child.name] = ({"totalSize": len(rows), "done": True,
                                    "records": [child.projector(r) for r in rows]} if rows else None)
            out.append(row)
        return out

    def _group(self, child: _Child, parents: set[str]) -> dict[str, list[Record]]:
        groups: dict[str, list[Record]] = defaultdict(list)
        for row in self.store.table(child.sobject.name).values():
            key = row.get(child.lookup)
            if key in parents:
                groups[key].append(row)
        return groups
