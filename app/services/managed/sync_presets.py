"""Apply the firm's filter rules and field mappings (``notebridge.json`` → ``sync``) to a connection.

Runs once signed in, because only the org can say which fields it has (describe) and which Id each
named record type has. Per object:

* a filter naming a field (or record type) the org does not have is not applied: half a filter would
  keep other records than the firm meant; a field mapping leaves out just the fields the org lacks.
  Either is reported in plain words (the result, the app log and the Sync log) and the sync goes on;
* **not locked** (the default): the preset is the starting point. It is applied while the advisor has
  not changed that setting (nothing saved yet, or still what the firm set last time), so a newer file
  reaches advisors who kept the firm's choice and never overwrites one who made their own;
* **locked**: the preset is applied whatever the advisor had, and the What to sync / Fields screens
  show "Set by your firm" with editing turned off (the use cases refuse changes:
  ``app.services.firm_presets``).

Saving goes through the same use cases as the screens (``SyncFilters.save``, ``FieldMappings.save``),
so the pull then syncs the difference only and never removes a person with drafts or queued items.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.services.events import Events
from app.services.field_mappings import FieldMappings
from app.services.firm_presets import FIRM_PRESETS_KEY, PresetPart, applied, firm_presets
from app.services.managed.presets import ManagedSync, PresetMapping, PresetRule
from app.services.sync_filters import NOUNS, FilterError, SyncFilters, online_client
from app.store import settings as settings_rows
from app.store import sync_state
from app.sync.pull.field_map import MAPPINGS_KEY
from app.sync.pull.filters import FILTERS_KEY, FilterRule, ObjectFilter, RuleGroup, RuleKind
from app.sync.pull.types import Outcome
from app.wording import counted

if TYPE_CHECKING:
    from app.store.db import Database
    from app.sync.connection import ConnectionManager

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PresetsApplied:
    """What applying the firm's presets did, each entry in plain words."""

    applied: tuple[str, ...] = ()  # "the filter for contacts"
    kept_own: tuple[str, ...] = ()  # the advisor's own setting was kept (not locked)
    skipped: tuple[str, ...] = ()  # sentences: what the org lacks, what was left out

    def words(self) -> str:
        parts = []
        if self.applied:
            parts.append("Your firm's settings were applied: " + ", ".join(self.applied) + ".")
        if self.kept_own:
            parts.append("Your own choices were kept: " + ", ".join(self.kept_own) + ".")
        return " ".join([*parts, *self.skipped])


class _Org:
    """The describe of each object, asked once."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.described: dict[str, dict[str, Any]] = {}

    async def describe(self, sobject: str) -> dict[str, Any]:
        if sobject not in self.described:
            self.described[sobject] = await self.client.describe(sobject)
        return self.described[sobject]

    async def fields(self, sobject: str) -> dict[str, str]:
        """Lower-cased name → the org's spelling."""
        return {str(f["name"]).lower(): str(f["name"]) for f in (await self.describe(sobject)).get("fields") or ()
                if isinstance(f, dict) and f.get("name")}

    async def record_types(self, sobject: str) -> dict[str, str]:
        """Name, developer name or Id (lower-cased) → the record type's Id."""
        found: dict[str, str] = {}
        for info in (await self.describe(sobject)).get("recordTypeInfos") or ():
            if not isinstance(info, dict) or info.get("master") or not info.get("recordTypeId"):
                continue
            for key in (info.get("name"), info.get("developerName"), info.get("recordTypeId")):
                if isinstance(key, str) and key:
                    found[key.lower()] = str(info["recordTypeId"])
        return found


async def apply_sync_presets(db: Database, connections: ConnectionManager, presets: ManagedSync,
                             events: Events | None = None) -> PresetsApplied:
    """Apply ``presets`` to the active connection. Never raises for the org or the file: what could
    not be applied is in the result's ``skipped``."""
    active = connections.active
    if active is None:
        return PresetsApplied()
    cid = active.connection_id
    events = events or Events()
    state = await db.run(lambda s: firm_presets(s, cid))
    if presets.empty and not state:
        return PresetsApplied()
    result: dict[str, list[str]] = {"applied": [], "kept": [], "skipped": []}
    filters: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    if not presets.empty:
        try:
            org = _Org(await online_client(connections))
            for sobject, groups in presets.filter_rules.items():
                value = await _apply_filter(db, connections, events, org, cid, presets.locked, sobject, groups, result)
                if value is not None:
                    filters[sobject] = value
            for sobject, mapping in presets.field_mappings.items():
                value = await _apply_mapping(db, connections, events, org, cid, presets.locked, sobject, mapping,
                                             result)
                if value is not None:
                    fields[sobject] = value
        except Exception as exc:  # offline, signed out, the org refused: the advisor's setup goes on
            log.warning("the firm's sync presets could not be applied: %s", type(exc).__name__)
            result["skipped"].append("Your firm's sync settings could not be applied because Salesforce could not "
                                     "be asked about its fields; they are applied the next time you sign in.")
            return _done(result)
    new_state = {"locked": presets.locked, PresetPart.FILTERS.value: filters, PresetPart.FIELDS.value: fields}
    await db.run(lambda s: settings_rows.put(s, cid, FIRM_PRESETS_KEY, new_state))
    if result["skipped"]:
        await db.run(lambda s: _log_skipped(s, cid, result["skipped"]))
    return _done(result)


async def _saved_and_applied(db: Database, cid: int, key: str, part: PresetPart, sobject: str) -> tuple[Any, Any]:
    """What is saved for ``sobject`` under ``key`` now, and what the firm's presets last applied there."""
    def read(session: Any) -> tuple[Any, Any]:
        saved = settings_rows.get(session, cid, key)
        return saved.get(sobject) if isinstance(saved, dict) else None, applied(session, cid, part, sobject)

    result: tuple[Any, Any] = await db.run(read)
    return result


def _done(result: dict[str, list[str]]) -> PresetsApplied:
    outcome = PresetsApplied(tuple(result["applied"]), tuple(result["kept"]), tuple(result["skipped"]))
    if outcome.skipped:
        log.warning("firm's sync presets: %s skipped", counted(len(outcome.skipped), "part"))
    return outcome


def _log_skipped(session: Any, cid: int, sentences: list[str]) -> None:
    """One Sync log entry, so the advisor (and IT) can see what the firm's setup could not do."""
    log_id = sync_state.start_log(session, cid, "pull")
    sync_state.finish_log(session, log_id, outcome=Outcome.PARTIAL.value, api_calls=0, counts={},
                          error_code="FIRM_PRESETS", error_message=" ".join(sentences))


def _names(mapping: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A saved mapping's phone sources and extra fields, by name."""
    extras = mapping.get("extras") or ()
    return (tuple(mapping.get("phone") or ()),
            tuple(str(e.get("name")) for e in extras if isinstance(e, dict)) if isinstance(extras, list) else ())


def _own_choice(current: Any, previous: Any) -> bool:
    """The advisor saved something other than what the firm set last time."""
    return current is not None and current != previous


async def _apply_filter(db: Database, connections: ConnectionManager, events: Events, org: _Org, cid: int,
                        locked: bool, sobject: str, groups: tuple[tuple[PresetRule, ...], ...],
                        result: dict[str, list[str]]) -> Any:
    """The applied filter's JSON (None when skipped)."""
    nouns = NOUNS[sobject][1]
    names, types = await org.fields(sobject), await org.record_types(sobject)
    built: list[RuleGroup] = []
    for group in groups:
        rules = []
        for rule in group:
            kind = RuleKind(rule.kind)
            field, values = rule.field, rule.values
            if field:
                if field.lower() not in names:
                    result["skipped"].append(
                        f"Your firm's filter for {nouns} uses the field {field}, which this Salesforce org does not "
                        f"have (or you cannot see); the filter was not applied, so every {NOUNS[sobject][0]} you can "
                        "see syncs until your firm fixes it.")
                    return None
                field = names[field.lower()]
            if kind is RuleKind.RECORD_TYPE:
                unknown = [v for v in values if v.strip().lower() not in types]
                if unknown:
                    result["skipped"].append(
                        f"Your firm's filter for {nouns} names a record type this Salesforce org does not have; the "
                        f"filter was not applied, so every {NOUNS[sobject][0]} you can see syncs until your firm "
                        "fixes it.")
                    return None
                values = tuple(dict.fromkeys(types[v.strip().lower()] for v in values))
            rules.append(FilterRule(kind, field, values, rule.days))
        built.append(RuleGroup(tuple(rules)))
    flt = ObjectFilter(sobject, tuple(built))
    wanted = flt.to_json()

    now, before = await _saved_and_applied(db, cid, FILTERS_KEY, PresetPart.FILTERS, sobject)
    if not locked and _own_choice(now, before):
        result["kept"].append(f"the filter for {nouns}")
        return before  # still the firm's last word: a later file is compared with it
    if now != wanted:
        try:
            await SyncFilters(db, connections, events).save(flt, by_firm=True)
        except FilterError as exc:
            result["skipped"].append(f"Your firm's filter for {nouns} could not be used: {exc}")
            return None
    result["applied"].append(f"the filter for {nouns}")
    return wanted


async def _apply_mapping(db: Database, connections: ConnectionManager, events: Events, org: _Org, cid: int,
                         locked: bool, sobject: str, preset: PresetMapping, result: dict[str, list[str]]) -> Any:
    """The applied mapping's JSON (None when nothing was applied)."""
    nouns = NOUNS[sobject][1]
    names = await org.fields(sobject)
    missing = [n for n in (*preset.phone, *preset.extra_fields) if n.lower() not in names]
    for name in dict.fromkeys(missing):
        result["skipped"].append(f"Your firm's setup asks to show the field {name} for {nouns}, but this Salesforce "
                                 "org does not have it (or you cannot see it); it was left out.")
    phone = tuple(names[n.lower()] for n in preset.phone if n.lower() in names)
    extras = tuple(names[n.lower()] for n in preset.extra_fields if n.lower() in names)
    if not phone and not extras and (preset.phone or preset.extra_fields):
        return None  # none of the firm's fields is in this org: nothing to apply (each was said above)

    now, before = await _saved_and_applied(db, cid, MAPPINGS_KEY, PresetPart.FIELDS, sobject)
    if not locked and _own_choice(now, before):
        result["kept"].append(f"the fields for {nouns}")
        return before
    if isinstance(now, dict) and _names(now) == (phone, extras):
        result["applied"].append(f"the fields for {nouns}")
        return now  # already so: no re-read of every record
    try:
        mapping = await FieldMappings(db, connections, events).save(sobject, phone=phone, extras=extras, by_firm=True)
    except ValueError as exc:
        result["skipped"].append(f"Your firm's fields for {nouns} could not be used: {exc}")
        return None
    result["applied"].append(f"the fields for {nouns}")
    return mapping.to_json()
