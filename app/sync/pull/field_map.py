"""Field mappings: which Salesforce fields fill the workspace's fields, and the extra fields shown.

A mapping per synced object says where "Phone" comes from (the first non-empty of, say,
``MobilePhone`` then ``Phone``) and names up to ``MAX_EXTRAS`` extra fields — any type, custom ones
included — that are pulled with each record and kept in ``contact.extra_fields`` as Salesforce sent
them. How they are shown (the org's label; a date as a date, a currency in the org's currency, a
picklist by its label) is kept beside each one (``ExtraField``), read from describe when the advisor
chose them, so the client view needs no call to Salesforce.

A field an admin deletes or hides later makes Salesforce refuse the whole query (INVALID_FIELD,
"No such column 'X'"); the pull then drops that field from the mapping, says so in the sync log and
goes on (``app.sync.pull.people``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.salesforce import soql
from app.salesforce.client import SalesforceClient
from app.sync.pull.records import RowMapper

MAPPINGS_KEY = "sync.field_mappings"  # per-connection setting: {sobject: FieldMapping.to_json()}
MAX_EXTRAS = 20
MAX_PHONE_SOURCES = 4
# Salesforce's INVALID_FIELD message for a field it does not know (or the user cannot see).
_NO_SUCH_COLUMN = re.compile(r"No such column '([A-Za-z0-9_.]+)'")


@dataclass(frozen=True)
class ExtraField:
    """One extra field and how to show it, as describe reported it."""

    name: str
    label: str
    type: str  # Salesforce's field type: date, datetime, currency, picklist, string, double …
    picklist: tuple[tuple[str, str], ...] = ()  # (value, label)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "type": self.type, "picklist": [list(p) for p in self.picklist]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ExtraField:
        return cls(str(data["name"]), str(data.get("label") or data["name"]), str(data.get("type") or "string"),
                   tuple((str(v), str(lbl)) for v, lbl in data.get("picklist") or ()))


@dataclass(frozen=True)
class FieldMapping:
    sobject: str
    phone: tuple[str, ...] = ()  # sources of the workspace's Phone, first non-empty wins; () = as before
    extras: tuple[ExtraField, ...] = ()
    currency: str | None = None  # the org's currency (ISO code) for currency fields

    def source_fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.phone, *(e.name for e in self.extras))))

    def without(self, name: str) -> FieldMapping:
        lowered = name.lower()
        return FieldMapping(self.sobject, tuple(p for p in self.phone if p.lower() != lowered),
                            tuple(e for e in self.extras if e.name.lower() != lowered), self.currency)

    def to_json(self) -> dict[str, Any]:
        return {"sobject": self.sobject, "phone": list(self.phone), "extras": [e.to_json() for e in self.extras],
                "currency": self.currency}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FieldMapping:
        return cls(str(data["sobject"]), tuple(str(p) for p in data.get("phone") or ()),
                   tuple(ExtraField.from_json(e) for e in data.get("extras") or ()),
                   str(data["currency"]) if data.get("currency") else None)


def check(mapping: FieldMapping) -> None:
    """ValueError (in plain words) for a mapping the pull must not send."""
    if len(mapping.extras) > MAX_EXTRAS:
        raise ValueError(f"Choose at most {MAX_EXTRAS} extra fields.")
    if len(mapping.phone) > MAX_PHONE_SOURCES:
        raise ValueError(f"Choose at most {MAX_PHONE_SOURCES} fields for the phone number.")
    for name in mapping.source_fields():
        if "." in name:
            raise ValueError("Choose fields of the record itself.")
        soql.field(name)


def mappings_from_json(value: Any) -> tuple[FieldMapping, ...]:
    if not isinstance(value, dict):
        return ()
    found = []
    for sobject, data in value.items():
        try:
            mapping = FieldMapping.from_json(data)
            check(mapping)
        except (KeyError, TypeError, ValueError):
            continue
        if mapping.sobject == sobject:
            found.append(mapping)
    return tuple(found)


def missing_field(message: str) -> str | None:
    """The field an INVALID_FIELD message says does not exist, if it names one."""
    match = _NO_SUCH_COLUMN.search(message or "")
    return match.group(1) if match else None


def _search_text(value: Any, labels: Mapping[str, str] | None) -> str:
    """What a search for this value should find: a picklist by its label (and code), others as sent."""
    if value is None or value == "" or isinstance(value, bool):
        return ""
    if labels is not None:
        return " ".join(f"{labels.get(part, part)} {part}" for part in str(value).split(";"))
    return str(value)


def mapped(base: RowMapper, mapping: FieldMapping) -> RowMapper:
    """``base`` plus the mapping: Phone from its sources, the extra fields kept as sent. Runs once per
    record on the prepare thread, so what does not change per record (names, picklist labels) is
    worked out once here."""
    phone = mapping.phone
    names = tuple(e.name for e in mapping.extras)
    labels = tuple(dict(e.picklist) if e.picklist else None for e in mapping.extras)
    pairs = tuple(zip(names, labels, strict=True))

    def row(record: Mapping[str, Any]) -> dict[str, Any]:
        out = base(record)
        if phone:
            out["phone"] = next((v.strip() for p in phone if isinstance(v := record.get(p), str) and v.strip()), None)
        if names:
            values = {n: record.get(n) for n in names}
            out["extra_fields"] = values
            texts = [text for n, known in pairs if (text := _search_text(values[n], known))]
            out["extra_text"] = " ".join(texts) or None
        else:
            out["extra_fields"] = out["extra_text"] = None
        return out

    return row


async def org_currency(client: SalesforceClient) -> str | None:
    """The org's currency (ISO code), for showing currency fields; None when the org does not say."""
    page = await client.query_page(soql.select(("DefaultCurrencyIsoCode",), "Organization", limit=1))
    code = page.records[0].get("DefaultCurrencyIsoCode") if page.records else None
    return code if isinstance(code, str) and code else None
