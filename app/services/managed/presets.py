"""The ``sync`` section of a firm's ``notebridge.json``: filter rules and field mappings per object.

What the firm may preset is exactly what Settings → Sync → What to sync and → Fields let an advisor
choose (``app.sync.pull.filters``, ``app.sync.pull.field_map``), written by hand by an admin, so it is
checked piece by piece and every wrong piece is named with its path
(``sync.filter_rules.Contact[0][1].kind``) and what to write instead. A wrong piece never costs the
rest of the file: the one object's filter (or field mapping) it belongs to is ignored, because half a
filter keeps other records than the admin meant. Whether the org has the named fields is only known
once signed in; that is checked when the presets are applied (``app.services.managed.sync_presets``).

Values (picklist values, e-mail domains, record type names) are data: they are kept as written and
only ever reach Salesforce as quoted literals (``app.salesforce.soql``); messages never repeat them.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.sync.pull.field_map import MAX_EXTRAS, MAX_PHONE_SOURCES
from app.sync.pull.filters import (
    FILTERED_OBJECTS,
    MAX_DAYS,
    MAX_GROUPS,
    MAX_RULES_PER_GROUP,
    MAX_VALUE_LENGTH,
    MAX_VALUES,
    RuleKind,
)

Problem = tuple[str, str]  # (dotted field, message)

# A field of the record itself: letters, digits and single underscores, starting with a letter; custom
# fields end in __c (a namespace prefix, Ns__Field__c, is allowed). No dots: relationships are not offered.
_FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*(?:__[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*)*(?:__c)?")
_MAX_FIELD_NAME = 80
_NEEDS_FIELD = (RuleKind.PICKLIST, RuleKind.DATE_WINDOW)
_NEEDS_VALUES = (RuleKind.PICKLIST, RuleKind.RECORD_TYPE, RuleKind.EMAIL_DOMAIN)
_NEEDS_DAYS = (RuleKind.DATE_WINDOW, RuleKind.MEETING_SOON)
_RULE_KEYS = ("kind", "field", "values", "days")
_MAPPING_KEYS = ("phone", "extra_fields")
_NOUNS = {"Contact": "contacts", "Lead": "leads", "Account": "accounts"}


class _Frozen(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class PresetRule(_Frozen):
    """One rule as the firm wrote it. ``values`` of a record type rule are record type names (or Ids),
    matched against the org's record types when applied."""

    kind: str
    field: str = ""
    values: tuple[str, ...] = ()
    days: int = 0


class PresetMapping(_Frozen):
    phone: tuple[str, ...] = ()
    extra_fields: tuple[str, ...] = ()


class ManagedSync(_Frozen):
    """The firm's presets. ``locked``: advisors see "Set by your firm" and cannot change them;
    otherwise they are the starting point, each advisor's own change wins."""

    locked: bool = False
    filter_rules: dict[str, tuple[tuple[PresetRule, ...], ...]] = {}
    field_mappings: dict[str, PresetMapping] = {}

    @property
    def empty(self) -> bool:
        return not self.filter_rules and not self.field_mappings


def _kinds() -> str:
    return ", ".join(f'"{k.value}"' for k in RuleKind)


def _objects() -> str:
    return ", ".join(f'"{o}"' for o in FILTERED_OBJECTS)


def field_name_problem(value: Any, sobject: str) -> str | None:
    """Why ``value`` is not the API name of a field of ``sobject`` (None when it can be one)."""
    if not isinstance(value, str):
        return "must be a field's API name in double quotes, such as \"Risk_Profile__c\"."
    if "." in value:
        return f"must be a field of the {sobject} itself (no \".\": fields of related records are not offered)."
    if not value or len(value) > _MAX_FIELD_NAME or not _FIELD_NAME.fullmatch(value):
        return ("is not a field's API name: use letters, digits and _ only, starting with a letter, as "
                "Salesforce shows it under Field Name (custom fields end in __c, such as \"Risk_Profile__c\").")
    return None


def check_sync(value: Any) -> tuple[ManagedSync, list[Problem]]:
    """The usable presets in ``value`` (the file's ``sync``) and a problem for each ignored piece."""
    problems: list[Problem] = []
    if not isinstance(value, dict):
        return ManagedSync(), [("sync", "must be a group of settings in { }. It was ignored.")]
    locked = value.get("locked", False)
    if not isinstance(locked, bool):
        problems.append(("sync.locked", "must be true or false (without quotes). It was ignored; the presets are "
                                        "not locked."))
        locked = False
    for key in value:
        if isinstance(key, str) and key not in ("locked", "filter_rules", "field_mappings") and not key.startswith("_"):
            problems.append((f"sync.{key}", "is not a setting Notebridge knows (a spelling mistake?). It was ignored."))
    filters = _per_object(value.get("filter_rules", {}), "sync.filter_rules", problems, _check_filter)
    mappings = _per_object(value.get("field_mappings", {}), "sync.field_mappings", problems, _check_mapping)
    return ManagedSync(locked=locked, filter_rules=filters, field_mappings=mappings), problems


def _per_object(value: Any, path: str, problems: list[Problem], check: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        problems.append((path, "must be a group in { } with one entry per object (\"Contact\", \"Lead\", "
                               "\"Account\"). It was ignored."))
        return {}
    out: dict[str, Any] = {}
    for sobject, item in value.items():
        if not isinstance(sobject, str) or sobject.startswith("_"):
            continue
        if sobject not in FILTERED_OBJECTS:
            problems.append((f"{path}.{sobject}", f"is not an object Notebridge syncs: use one of {_objects()} "
                                                  "(spelt exactly so). It was ignored."))
            continue
        found: list[Problem] = []
        checked = check(sobject, item, f"{path}.{sobject}", found)
        problems.extend(found)
        if not found:
            out[sobject] = checked
    return out


def _ignored(sobject: str, what: str) -> str:
    return f" The firm's {what} for {_NOUNS[sobject]} was ignored."


def _check_filter(sobject: str, value: Any, path: str, problems: list[Problem]) -> tuple[tuple[PresetRule, ...], ...]:
    ignored = _ignored(sobject, "filter")
    if not isinstance(value, list):
        problems.append((path, "must be a list of rule groups, [[rule, …], …]: a record is kept when all rules "
                               "of any one group hold." + ignored))
        return ()
    if len(value) > MAX_GROUPS:
        problems.append((path, f"has {len(value)} groups; at most {MAX_GROUPS} are allowed." + ignored))
        return ()
    groups = []
    for g, group in enumerate(value):
        where = f"{path}[{g}]"
        if not isinstance(group, list):
            problems.append((where, "must be a list of rules in [ ], each a group of settings in { }." + ignored))
            continue
        if len(group) > MAX_RULES_PER_GROUP:
            problems.append((where, f"has {len(group)} rules; at most {MAX_RULES_PER_GROUP} are allowed in a group."
                             + ignored))
            continue
        rules = [_check_rule(sobject, rule, f"{where}[{r}]", problems, ignored) for r, rule in enumerate(group)]
        groups.append(tuple(rule for rule in rules if rule is not None))
    return tuple(groups)


def _check_rule(sobject: str, value: Any, path: str, problems: list[Problem], ignored: str) -> PresetRule | None:
    before = len(problems)

    def bad(where: str, message: str) -> None:
        problems.append((where, message + ignored))

    if not isinstance(value, dict):
        bad(path, "must be a rule: a group of settings in { } with a \"kind\".")
        return None
    for key in value:
        if isinstance(key, str) and key not in _RULE_KEYS and not key.startswith("_"):
            bad(f"{path}.{key}", "is not a part of a rule (a rule has \"kind\", \"field\", \"values\", \"days\").")
    raw_kind = value.get("kind")
    if not isinstance(raw_kind, str) or raw_kind not in {k.value for k in RuleKind}:
        bad(f"{path}.kind", ("is missing" if raw_kind is None else "is not a kind of rule Notebridge knows")
            + f": use one of {_kinds()}.")
        return None
    kind = RuleKind(raw_kind)
    field = value.get("field", "")
    if kind in _NEEDS_FIELD:
        problem = (field_name_problem(field, sobject) if "field" in value
                   else "is missing: name the field this rule looks at.")
        if problem:
            bad(f"{path}.field", problem)
    elif "field" in value:
        bad(f"{path}.field", f"is not used by a \"{kind.value}\" rule: remove it.")
    values = value.get("values", [])
    if kind in _NEEDS_VALUES:
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            bad(f"{path}.values", "must be a list of texts in double quotes, [\"…\", \"…\"].")
        elif not any(v.strip() for v in values):
            bad(f"{path}.values", "needs at least one value.")
        elif len(values) > MAX_VALUES:
            bad(f"{path}.values", f"has {len(values)} values; at most {MAX_VALUES} are allowed in one rule.")
        elif any(len(v) > MAX_VALUE_LENGTH for v in values):
            bad(f"{path}.values", f"has a value longer than {MAX_VALUE_LENGTH} characters.")
    elif "values" in value:
        bad(f"{path}.values", f"is not used by a \"{kind.value}\" rule: remove it.")
    days = value.get("days", 0)
    if kind in _NEEDS_DAYS:
        if "days" not in value:
            bad(f"{path}.days", f"is missing: a whole number of days, 1 to {MAX_DAYS}.")
        elif not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_DAYS:
            bad(f"{path}.days", f"must be a whole number of days, 1 to {MAX_DAYS} (without quotes).")
    elif "days" in value:
        bad(f"{path}.days", f"is not used by a \"{kind.value}\" rule: remove it.")
    if kind is RuleKind.EMAIL_DOMAIN and sobject == "Account":
        bad(f"{path}.kind", "cannot be used for accounts: accounts have no e-mail address to filter on.")
    if len(problems) > before:
        return None
    return PresetRule(kind=kind.value, field=field if kind in _NEEDS_FIELD else "",
                      values=tuple(values) if kind in _NEEDS_VALUES else (), days=days if kind in _NEEDS_DAYS else 0)


def _check_mapping(sobject: str, value: Any, path: str, problems: list[Problem]) -> PresetMapping:
    ignored = _ignored(sobject, "field mapping")
    if not isinstance(value, dict):
        problems.append((path, "must be a group of settings in { }: \"phone\" and \"extra_fields\"." + ignored))
        return PresetMapping()
    for key in value:
        if isinstance(key, str) and key not in _MAPPING_KEYS and not key.startswith("_"):
            problems.append((f"{path}.{key}", "is not a part of a field mapping (it has \"phone\" and "
                                              "\"extra_fields\")." + ignored))
    lists: dict[str, tuple[str, ...]] = {}
    for key, most in (("phone", MAX_PHONE_SOURCES), ("extra_fields", MAX_EXTRAS)):
        names = value.get(key, [])
        where = f"{path}.{key}"
        if not isinstance(names, list):
            problems.append((where, "must be a list of field API names, [\"…\", \"…\"]." + ignored))
            continue
        if len(names) > most:
            problems.append((where, f"has {len(names)} fields; at most {most} are allowed." + ignored))
            continue
        for n, name in enumerate(names):
            problem = field_name_problem(name, sobject)
            if problem:
                problems.append((f"{where}[{n}]", problem + ignored))
        lists[key] = tuple(dict.fromkeys(n for n in names if isinstance(n, str)))
    return PresetMapping(phone=lists.get("phone", ()), extra_fields=lists.get("extra_fields", ()))
