""""What to sync": the advisor's filter rules per synced object, with a live preview before saving.

The rules editor (Settings → Sync → What to sync) asks three things of this use case: what it can
offer (``choices``: the object's picklists, date fields and record types, from describe, with the
org's own labels), how many records a filter keeps (``preview``: two ``COUNT()`` calls — "This keeps
12,430 of 100,000 contacts"), and to save it (``save``). Saving publishes :class:`SyncFiltersChanged`,
which wakes the pull (``ClientSync``); the pull then syncs the difference only
(``app.sync.pull.filtered``) and never removes a person that drafts or queued items are about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.services.events import Events
from app.services.firm_presets import SET_BY_FIRM, PresetPart, is_locked
from app.store import settings as settings_rows
from app.sync.connection import NOT_CONNECTED, NotConnected
from app.sync.pull.estimate import filter_context, preview_filter
from app.sync.pull.filters import (
    FILTERED_OBJECTS,
    FILTERS_KEY,
    MAX_DAYS,
    FilterError,
    FilterRule,
    ObjectFilter,
    RuleGroup,
    RuleKind,
    check,
    filters_from_json,
)

if TYPE_CHECKING:
    from app.store.db import Database
    from app.sync.connection import ConnectionManager

__all__ = ["FILTERED_OBJECTS", "MAX_DAYS", "SET_BY_FIRM", "FieldChoice", "FilterChoices", "FilterError",
           "FilterPreview", "FilterRule", "ObjectFilter", "RuleGroup", "RuleKind", "SalesforceUnreachable",
           "SyncFilters", "SyncFiltersChanged", "online_client"]

NOUNS = {"Contact": ("contact", "contacts"), "Lead": ("lead", "leads"), "Account": ("account", "accounts")}
DATE_TYPES = ("date", "datetime")


@dataclass(frozen=True)
class SyncFiltersChanged:
    """An event on the bus: the filter of ``sobject`` changed; the pull follows at once."""

    connection_id: int
    sobject: str


@dataclass(frozen=True)
class FilterPreview:
    sobject: str
    kept: int
    total: int

    @property
    def words(self) -> str:
        """"This keeps 12,430 of 100,000 contacts." """
        one, many = NOUNS[self.sobject]
        return f"This keeps {self.kept:,} of {self.total:,} {one if self.total == 1 else many}."


@dataclass(frozen=True)
class FieldChoice:
    name: str  # API name, never shown
    label: str  # the org's label
    values: tuple[tuple[str, str], ...] = ()  # picklists: (value, label)


@dataclass(frozen=True)
class FilterChoices:
    picklists: tuple[FieldChoice, ...]
    dates: tuple[FieldChoice, ...]
    record_types: tuple[tuple[str, str], ...]  # (Id, name), without the master record type


def choices_from_describe(described: dict[str, Any]) -> FilterChoices:
    picklists, dates = [], []
    for fld in described.get("fields") or ():
        if not isinstance(fld, dict) or not fld.get("filterable", True):
            continue
        name, label, kind = str(fld.get("name") or ""), str(fld.get("label") or fld.get("name") or ""), fld.get("type")
        if kind == "picklist":
            values = tuple((str(p.get("value")), str(p.get("label") or p.get("value")))
                           for p in fld.get("picklistValues") or () if isinstance(p, dict) and p.get("active", True))
            picklists.append(FieldChoice(name, label, values))
        elif kind in DATE_TYPES:
            dates.append(FieldChoice(name, label))
    types = tuple((str(i["recordTypeId"]), str(i.get("name") or i.get("developerName")))
                  for i in described.get("recordTypeInfos") or ()
                  if isinstance(i, dict) and not i.get("master") and i.get("active", True) and i.get("recordTypeId"))
    return FilterChoices(tuple(sorted(picklists, key=lambda c: c.label.lower())),
                         tuple(sorted(dates, key=lambda c: c.label.lower())), types)


class SalesforceUnreachable(Exception):
    """Offline or signed out: Salesforce is not asked (the screen says so; nothing is saved)."""


async def online_client(connections: ConnectionManager) -> Any:
    """The org's client when Salesforce can be asked now; never a call while offline."""
    if connections.status.state != "connected" or connections.status.offline:
        raise SalesforceUnreachable("Salesforce can't be reached right now.")
    return await connections.client()


class SyncFilters:
    def __init__(self, db: Database, connections: ConnectionManager, events: Events | None = None) -> None:
        self.db = db
        self.connections = connections
        self.events = events or Events()

    def _connection(self) -> tuple[int, str]:
        active = self.connections.active
        if active is None:
            raise NotConnected(NOT_CONNECTED)
        return active.connection_id, active.user_id

    async def load(self) -> dict[str, ObjectFilter]:
        cid, _user = self._connection()
        saved = await self.db.run(lambda s: settings_rows.get(s, cid, FILTERS_KEY))
        found = {f.sobject: f for f in filters_from_json(saved)}
        return {sobject: found.get(sobject, ObjectFilter(sobject)) for sobject in FILTERED_OBJECTS}

    async def locked(self, sobject: str) -> bool:
        """True when the firm's managed configuration set this object's filter and locked it."""
        cid, _user = self._connection()
        return await self.db.run(lambda s: is_locked(s, cid, PresetPart.FILTERS, sobject))

    async def choices(self, sobject: str) -> FilterChoices:
        """What the rules editor offers for ``sobject`` (one describe, cached by the client)."""
        client = await online_client(self.connections)
        return choices_from_describe(await client.describe(sobject))

    async def preview(self, flt: ObjectFilter) -> FilterPreview:
        """How many records ``flt`` keeps, asked of Salesforce now. ``FilterError`` says what to fix."""
        check(flt)
        _cid, user_id = self._connection()
        client = await online_client(self.connections)
        ctx = await filter_context(client, user_id, [flt])
        counted = await preview_filter(client, flt, ctx)
        return FilterPreview(flt.sobject, counted.kept, counted.total)

    async def save(self, flt: ObjectFilter, *, by_firm: bool = False) -> None:
        """Save ``flt``. ``FilterError`` for rules that cannot be used, or (unless ``by_firm``: the
        managed configuration applying its presets) when the firm locked this object's filter."""
        check(flt)
        cid, _user = self._connection()

        def write(session: Any) -> None:
            if not by_firm and is_locked(session, cid, PresetPart.FILTERS, flt.sobject):
                raise FilterError(SET_BY_FIRM)
            saved = settings_rows.get(session, cid, FILTERS_KEY)
            value = dict(saved) if isinstance(saved, dict) else {}
            value[flt.sobject] = flt.to_json()
            settings_rows.put(session, cid, FILTERS_KEY, value)

        await self.db.run(write)
        self.events.publish(SyncFiltersChanged(cid, flt.sobject))
