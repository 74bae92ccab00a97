"""Resolving SOQL field paths (``Name``, ``Account.Name``, ``Who.Type``) against the schema.

A path walks parent relationships (``Account`` is the relationship behind ``AccountId``); polymorphic
ones (``Who``, ``What``, ``Parent``) lead to Salesforce's ``Name`` entity, whose fields any target can
answer. The result carries a getter that reads the value from a stored record, following lookups
through the store's tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.demo_org.data.schema import NAME_FIELDS, Field, SObjectType
from app.demo_org.data.store import Record, Store
from app.demo_org.soql.lexer import SoqlError
from app.demo_org.soql.parser import FieldRef

_NAME_ENTITY = {name: Field(name, "id" if name == "Id" else "string", 255) for name in NAME_FIELDS}
_UNKNOWN_FIELD = ("No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, "
                  "be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
                  "describe call for the appropriate names.")
_UNKNOWN_REL = ("Didn't understand relationship '{name}' in field path. If you are attempting to use a custom "
                "relationship, be sure to append the '__r' after the custom relationship name. Please reference "
                "your WSDL or the describe call for the appropriate names.")


@dataclass(frozen=True)
class Step:
    """One hop of a relationship path: read ``ref_field`` and look the Id up in ``target`` (or anywhere)."""

    relationship: str  # canonical relationship name, e.g. "Account"
    ref_field: str  # e.g. "AccountId"
    target: str | None  # the parent type, or None when polymorphic ("Name" entity)


@dataclass(frozen=True)
class Resolved:
    field: Field
    steps: tuple[Step, ...]
    getter: Callable[[Record], Any]

    @property
    def key(self) -> tuple[str, ...]:
        return (*(s.relationship for s in self.steps), self.field.name)


class Resolver:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.schema = store.schema

    def resolve(self, base: SObjectType, ref: FieldRef) -> Resolved:
        path = list(ref.path)
        if len(path) > 1 and path[0].lower() == base.name.lower() and base.relationship(path[0]) is None:
            path = path[1:]  # "SELECT Contact.Name FROM Contact" is allowed
        current: SObjectType | None = base
        steps: list[Step] = []
        for part in path[:-1]:
            ref_field = current.relationship(part) if current is not None else None
            if ref_field is None:
                raise SoqlError("INVALID_FIELD", _UNKNOWN_REL.format(name=part), ref.pos)
            target = None if ref_field.polymorphic else ref_field.reference_to[0]
            steps.append(Step(ref_field.relationship or part, ref_field.name, target))
            current = self.schema.get(target) if target else None
        last = path[-1]
        if current is None:
            field = next((f for n, f in _NAME_ENTITY.items() if n.lower() == last.lower()), None)
            entity = "Name"
        else:
            field = current.field(last)
            entity = current.name
        if field is None:
            raise SoqlError("INVALID_FIELD", _UNKNOWN_FIELD.format(name=last, entity=entity), ref.pos)
        return Resolved(field, tuple(steps), self._getter(tuple(steps), field.name, current is None))

    def _getter(self, steps: tuple[Step, ...], name: str, via_name_entity: bool) -> Callable[[Record], Any]:
        if not steps:
            return lambda record: record[name]
        store = self.store
        hops = [(s.ref_field, store.tables.get(s.target) if s.target else None) for s in steps]

        def get(record: Record) -> Any:
            parent_id = None
            for ref_field, table in hops:
                parent_id = record[ref_field]
                if parent_id is None:
                    return None
                if table is not None:
                    found = table.get(parent_id)
                else:
                    hit = store.find(parent_id)
                    found = hit[1] if hit else None
                if found is None:
                    return None
                record = found
            if via_name_entity and name == "Type":
                return store.type_of_id(parent_id) if parent_id else None
            return record.get(name)

        return get

    def parent(self, step: Step, record: Record) -> tuple[str, Record] | None:
        """The parent record one step up (used by projection to nest relationship objects)."""
        parent_id = record[step.ref_field]
        if parent_id is None:
            return None
        if step.target is not None:
            found = self.store.tables[step.target].get(parent_id)
            return (step.target, found) if found is not None else None
        return self.store.find(parent_id)
