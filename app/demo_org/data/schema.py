"""Schema vocabulary: what a field and an sObject type are, and the lookups the rest of the org needs.

Field names in Salesforce are case-insensitive on input (SOQL, JSON bodies) but always come back in
their canonical spelling, so every lookup here goes through a lower-cased index and returns the
canonical ``Field``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STRING_TYPES = frozenset({"string", "textarea", "email", "phone", "url", "picklist", "multipicklist", "combobox"})
SOAP_TYPES = {
    "id": "tns:ID", "reference": "tns:ID", "string": "xsd:string", "textarea": "xsd:string",
    "email": "xsd:string", "phone": "xsd:string", "url": "xsd:string", "picklist": "xsd:string",
    "multipicklist": "xsd:string",
    "combobox": "xsd:string", "boolean": "xsd:boolean", "date": "xsd:date", "datetime": "xsd:dateTime",
    "double": "xsd:double", "int": "xsd:int", "currency": "xsd:double", "percent": "xsd:double",
    "base64": "xsd:base64Binary",
}


@dataclass(frozen=True)
class Picklist:
    value: str
    default: bool = False
    label: str | None = None
    active: bool = True  # an admin can deactivate a value: describe still lists it, with "active": false


@dataclass(frozen=True)
class Field:
    """One field as describe reports it, plus the write rules the DML layer enforces."""

    name: str
    type: str
    length: int = 0
    label: str = ""
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    defaulted: bool = False
    external_id: bool = False
    unique: bool = False
    picklist: tuple[Picklist, ...] = ()
    restricted: bool = False
    reference_to: tuple[str, ...] = ()
    relationship: str | None = None
    calculated: bool = False
    custom: bool = False

    @property
    def required_on_create(self) -> bool:
        """Salesforce's rule: not nillable, createable, and not defaulted on create."""
        return not self.nillable and self.createable and not self.defaulted

    @property
    def is_string(self) -> bool:
        return self.type in STRING_TYPES

    @property
    def polymorphic(self) -> bool:
        return len(self.reference_to) > 1

    def picklist_values(self) -> set[str]:
        """The values a save may use: the active ones (rule opportunity-stage-active)."""
        return {p.value for p in self.picklist if p.active}

    def default_value(self) -> str | None:
        for p in self.picklist:
            if p.default:
                return p.value
        return None


@dataclass
class SObjectType:
    """An sObject: its fields (canonical order) and the object-level permissions describe reports."""

    name: str
    label: str
    label_plural: str
    key_prefix: str
    fields: list[Field]
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    queryable: bool = True
    replicateable: bool = True
    _by_lower: dict[str, Field] = field(default_factory=dict, repr=False)
    _by_relationship: dict[str, Field] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_lower = {f.name.lower(): f for f in self.fields}
        self._by_relationship = {f.relationship.lower(): f for f in self.fields if f.relationship}

    def field(self, name: str) -> Field | None:
        return self._by_lower.get(name.lower())

    def remove_field(self, name: str) -> Field:
        """An admin deleted the field (or hid it by field-level security): describe no longer lists it and
        SOQL naming it fails with INVALID_FIELD. Stored values stay in the rows, unreadable."""
        found = self.field(name)
        if found is None:
            raise KeyError(name)
        self.fields = [f for f in self.fields if f is not found]
        self.__post_init__()
        return found

    def relationship(self, name: str) -> Field | None:
        """The reference field behind a parent relationship name (``Account`` -> ``AccountId``)."""
        return self._by_relationship.get(name.lower())

    def external_id_fields(self) -> list[Field]:
        return [f for f in self.fields if f.external_id]

    def blank_record(self) -> dict[str, Any]:
        """A record with every field present and null: records are always 'full' rows."""
        return dict.fromkeys((f.name for f in self.fields), None)


class Schema:
    """All sObject types of the org, looked up case-insensitively."""

    def __init__(self, types: list[SObjectType]) -> None:
        self._types = {t.name.lower(): t for t in types}
        self.ordered = types

    def get(self, name: str) -> SObjectType | None:
        return self._types.get(name.lower())

    def require(self, name: str) -> SObjectType:
        """A type the org always has (Contact, ContentDocument …); KeyError for any other name."""
        found = self._types.get(name.lower())
        if found is None:
            raise KeyError(name)
        return found

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._types

    def names(self) -> list[str]:
        return [t.name for t in self.ordered]


# A polymorphic relationship (WhoId, WhatId, ParentId …) resolves to the "Name" entity, whose fields
# are the ones any target can answer. Salesforce documents these as the Name object's fields.
NAME_FIELDS = ("Id", "Name", "Type", "FirstName", "LastName", "Email", "Phone", "Title", "Alias", "Username")
