""""Fields": which Salesforce fields fill the workspace's Phone, and the extra fields a client shows.

Settings → Sync → Fields asks this use case for the object's fields (``choices``: describe, with the
org's labels and types), saves a mapping (``save``: at most 20 extras; each keeps its label, type and
picklist labels, and currency fields the org's currency, so the client view needs no call), and the
client view shows the values typed (``shown``): a date as a date, a currency in the org's currency, a
picklist by its label. Saving publishes :class:`FieldMappingsChanged`; the next pull re-reads the
object once with the new fields (``app.sync.pull.people``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from app.services.events import Events
from app.services.firm_presets import SET_BY_FIRM, PresetPart, SetByFirm, is_locked
from app.services.sync_filters import online_client
from app.store import settings as settings_rows
from app.sync.connection import NOT_CONNECTED, NotConnected
from app.sync.pull.field_map import (
    MAPPINGS_KEY,
    MAX_EXTRAS,
    ExtraField,
    FieldMapping,
    check,
    mappings_from_json,
    org_currency,
)

if TYPE_CHECKING:
    from app.store.db import Database
    from app.sync.connection import ConnectionManager

__all__ = ["MAX_EXTRAS", "SET_BY_FIRM", "ExtraField", "FieldMapping", "FieldMappings", "FieldMappingsChanged",
           "FieldOption", "SetByFirm", "ShownField", "shown"]

PHONE_TYPES = ("phone",)
# Not offered as extra fields: binary and compound values, and record ids ("id", "reference": an
# advisor would see "0035g00000AbCdE" on the client's page), plus the bookkeeping every record has.
UNSHOWABLE = ("base64", "address", "location", "anyType", "id", "reference")
BOOKKEEPING = frozenset({"IsDeleted", "SystemModstamp", "MasterRecordId", "LastViewedDate", "LastReferencedDate"})


@dataclass(frozen=True)
class FieldMappingsChanged:
    connection_id: int
    sobject: str


@dataclass(frozen=True)
class FieldOption:
    name: str
    label: str
    type: str


@dataclass(frozen=True)
class ShownField:
    """One extra field as the client view shows it."""

    label: str
    text: str  # "" when the record has no value


def _date_text(value: str) -> str:
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{day.day} {day:%b %Y}"


def _money(value: Any, currency: str | None) -> str:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{amount:,.2f}"
    return f"{currency} {text}" if currency else text


def show_value(extra: ExtraField, value: Any, currency: str | None) -> str:
    """A raw Salesforce value as text of its type."""
    if value is None or value == "":
        return ""
    kind = extra.type
    if kind == "date" and isinstance(value, str):
        return _date_text(value)
    if kind == "datetime" and isinstance(value, str):
        return _date_text(value) + (f", {value[11:16]} UTC" if len(value) >= 16 else "")
    if kind in ("currency",):
        return _money(value, currency)
    if kind in ("double", "percent", "int") and isinstance(value, int | float):
        return f"{value:,}" + ("%" if kind == "percent" else "")
    if kind == "boolean":
        return "Yes" if value else "No"
    if kind in ("picklist", "multipicklist"):
        labels = dict(extra.picklist)
        return "; ".join(labels.get(part, part) for part in str(value).split(";"))
    return str(value)


def shown(mapping: FieldMapping | None, values: Mapping[str, Any] | None) -> tuple[ShownField, ...]:
    if mapping is None:
        return ()
    values = values or {}
    return tuple(ShownField(e.label, show_value(e, values.get(e.name), mapping.currency)) for e in mapping.extras)


def mapping_for(session: Any, connection_id: int, sobject: str) -> FieldMapping | None:
    """The saved mapping of ``sobject`` inside the caller's transaction."""
    saved = settings_rows.get(session, connection_id, MAPPINGS_KEY)
    return next((m for m in mappings_from_json(saved) if m.sobject == sobject), None)


class FieldMappings:
    def __init__(self, db: Database, connections: ConnectionManager, events: Events | None = None) -> None:
        self.db = db
        self.connections = connections
        self.events = events or Events()

    def _cid(self) -> int:
        active = self.connections.active
        if active is None:
            raise NotConnected(NOT_CONNECTED)
        return active.connection_id

    async def load(self, sobject: str) -> FieldMapping:
        cid = self._cid()
        found = await self.db.run(lambda s: mapping_for(s, cid, sobject))
        return found or FieldMapping(sobject)

    async def locked(self, sobject: str) -> bool:
        """True when the firm's managed configuration set this object's fields and locked them."""
        cid = self._cid()
        return await self.db.run(lambda s: is_locked(s, cid, PresetPart.FIELDS, sobject))

    async def choices(self, sobject: str) -> tuple[FieldOption, ...]:
        """The object's fields a client can show, by the org's label."""
        client = await online_client(self.connections)
        described = await client.describe(sobject)
        options = [FieldOption(str(f["name"]), str(f.get("label") or f["name"]), str(f.get("type") or "string"))
                   for f in described.get("fields") or () if isinstance(f, dict) and f.get("name")
                   and f.get("type") not in UNSHOWABLE and f["name"] not in BOOKKEEPING]
        return tuple(sorted(options, key=lambda o: o.label.lower()))

    async def save(self, sobject: str, *, phone: tuple[str, ...], extras: tuple[str, ...],
                   by_firm: bool = False) -> FieldMapping:
        """Save the mapping; each extra is described from the org (label, type, picklist labels).
        ``ValueError`` in plain words for too many fields or a field the org does not have, and
        ``SetByFirm`` when the firm locked this object's fields (``by_firm``: the firm's presets)."""
        if len(extras) > MAX_EXTRAS:
            raise ValueError(f"Choose at most {MAX_EXTRAS} extra fields.")
        cid = self._cid()
        if not by_firm and await self.locked(sobject):
            raise SetByFirm()
        client = await online_client(self.connections)
        described = {str(f["name"]).lower(): f for f in (await client.describe(sobject)).get("fields") or ()
                     if isinstance(f, dict) and f.get("name")}
        chosen = []
        for name in dict.fromkeys((*phone, *extras)):
            if name.lower() not in described:
                raise ValueError(f"Salesforce has no field {name} on {sobject}.")
        for name in dict.fromkeys(extras):
            fld = described[name.lower()]
            chosen.append(ExtraField(str(fld["name"]), str(fld.get("label") or fld["name"]), str(fld.get("type")),
                                     tuple((str(p["value"]), str(p.get("label") or p["value"]))
                                           for p in fld.get("picklistValues") or () if isinstance(p, dict))))
        currency = None
        if any(e.type == "currency" for e in chosen):
            currency = await org_currency(client)
        mapping = FieldMapping(sobject, tuple(str(described[p.lower()]["name"]) for p in phone), tuple(chosen),
                               currency)
        check(mapping)

        def write(session: Any) -> None:
            if not by_firm and is_locked(session, cid, PresetPart.FIELDS, sobject):
                raise SetByFirm()
            saved = settings_rows.get(session, cid, MAPPINGS_KEY)
            value = dict(saved) if isinstance(saved, dict) else {}
            value[sobject] = mapping.to_json()
            settings_rows.put(session, cid, MAPPINGS_KEY, value)

        await self.db.run(write)
        self.events.publish(FieldMappingsChanged(cid, sobject))
        return mapping
