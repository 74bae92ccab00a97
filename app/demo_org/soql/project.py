"""Shaping query rows the way the REST API returns them.

Each row starts with ``attributes`` (type and URL), then the selected fields in query order with
canonical spelling; parent fields nest under the relationship name (``"Account": {"attributes": …,
"Name": …}``) or are ``null`` when the lookup is empty. Polymorphic parents report type ``Name``.
Base64 fields are never inlined: the API returns the blob's URL instead.
See https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.demo_org.data.store import Record
from app.demo_org.soql.resolve import Resolved, Resolver, Step

Projector = Callable[[Record], dict[str, Any]]


def _tree(columns: list[Resolved]) -> dict[str, Any]:
    """Columns grouped by relationship path: {field: None, relationship: (step, subtree)}."""
    root: dict[str, Any] = {}
    for column in columns:
        node = root
        for step in column.steps:
            entry = node.get(step.relationship)
            if entry is None:
                entry = node[step.relationship] = (step, {})
            node = entry[1]
        node.setdefault(column.field.name, None)
    return root


def make_projector(columns: list[Resolved], resolver: Resolver, sobject: str, version: str) -> Projector:
    """Compile the select list into nested closures (one per relationship level): a 2000-row page is
    projected per request, so the per-row work is kept to dict reads and writes."""
    base = f"/services/data/v{version}/sobjects/"
    store = resolver.store
    tree = _tree(columns)
    blobs = {c.field.name for c in columns if c.field.type == "base64" and not c.steps}

    def compile_node(node: dict[str, Any], top: bool, polymorphic: bool) -> Callable[[str, Record], dict[str, Any]]:
        ops: list[tuple[str, Any, str, Any]] = []
        for key, entry in node.items():
            if entry is None:
                kind = "blob" if top and key in blobs else "type" if polymorphic and key == "Type" else "field"
                ops.append((key, None, kind, None))
            else:
                step, subtree = entry
                assert isinstance(step, Step)
                table = store.tables[step.target] if step.target else None
                ops.append((key, compile_node(subtree, False, step.target is None), step.ref_field,
                            (table, step.target)))
        shown_type = "Name" if polymorphic else None

        def project(type_name: str, record: Record) -> dict[str, Any]:
            url = f"{base}{type_name}/{record['Id']}"
            out: dict[str, Any] = {"attributes": {"type": shown_type or type_name, "url": url}}
            for key, sub, how, target in ops:
                if sub is None:
                    value = record.get(key)
                    if how == "blob" and value is not None:
                        value = f"{url}/{key}"
                    elif how == "type":
                        value = type_name  # the Name entity's Type is the parent's actual sObject type
                    out[key] = value
                    continue
                parent_id = record[how]
                if parent_id is None:
                    out[key] = None
                    continue
                table, parent_type = target
                if table is not None:
                    parent = table.get(parent_id)
                else:
                    hit = store.find(parent_id)
                    parent, parent_type = (hit[1], hit[0]) if hit else (None, None)
                out[key] = sub(parent_type, parent) if parent is not None else None
            return out

        return project

    root = compile_node(tree, True, False)
    return lambda record: root(sobject, record)
