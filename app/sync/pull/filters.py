"""Filter rules: which records of a synced object (Contact, Lead, Account) come to this computer.

A filter is groups of rules: the rules of a group must all hold (AND), and a record is kept when any
group holds (OR). It compiles to a SOQL ``WHERE`` built only with ``app.salesforce.soql``: field names
are validated names, every value the advisor typed or picked is a quoted, escaped literal (``LIKE``
patterns with ``%`` and ``_`` escaped too), and day counts are integers checked against a range.

"Has a meeting with me in the next N days" is not sent as a semi-join on Event: Salesforce refuses
Event and Task as the inner select of a semi-join, and allows a semi-join only at the top level of a
WHERE (never inside an OR). It is resolved first — one query for the Who (or What) Ids of the
advisor's coming meetings — and the filter then names those Ids in an ``IN`` list.
https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import quote_plus

from app.salesforce import soql

FILTERED_OBJECTS = ("Contact", "Lead", "Account")
MAX_DAYS = 3650  # ten years back or ahead is the widest window a rule may name
MAX_VALUES = 50  # values in one rule (picklist values, domains, record types)
MAX_GROUPS = 5
MAX_RULES_PER_GROUP = 8
MAX_MEETING_IDS = 200  # "Id IN (…)" of 200 Ids is ~5,600 URL-encoded bytes: inside WHERE_BUDGET
MAX_VALUE_LENGTH = 255
# A query goes in the URL (GET …/query?q=), which Salesforce caps at 16,384 bytes; SOQL text itself is
# capped at 100,000 characters. The filter may use this many URL-encoded bytes, leaving the rest for the
# select list (the workspace's fields plus the largest allowed set of extra fields), the resume and
# "changed since" conditions, and ORDER BY — twice over for a filter change, whose query names the new
# filter and the old one (``difference``). tests/integration/sync/test_filter_rules.py checks the sums.
# https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_soslsoql.htm
WHERE_BUDGET = 6_000


class RuleKind(StrEnum):
    """What a rule looks at. The stored text never changes."""

    OWNER_IS_ME = "owner_is_me"
    OWNER_IN_MY_ROLE = "owner_in_my_role"  # "my team": records owned by anyone in my role
    RECORD_TYPE = "record_type"
    PICKLIST = "picklist"
    DATE_WINDOW = "date_window"  # the field's date is within the last N days
    EMAIL_DOMAIN = "email_domain"
    MEETING_SOON = "meeting_soon"  # has a meeting with me in the next N days


class FilterError(ValueError):
    """A rule that cannot be used, in words an advisor can act on."""


@dataclass(frozen=True)
class FilterRule:
    kind: RuleKind
    field: str = ""  # PICKLIST / DATE_WINDOW: the field's API name
    values: tuple[str, ...] = ()  # PICKLIST values, RECORD_TYPE Ids, EMAIL_DOMAIN domains
    days: int = 0  # DATE_WINDOW / MEETING_SOON

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "field": self.field, "values": list(self.values), "days": self.days}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FilterRule:
        return cls(RuleKind(data["kind"]), str(data.get("field") or ""),
                   tuple(str(v) for v in data.get("values") or ()), int(data.get("days") or 0))


@dataclass(frozen=True)
class RuleGroup:
    rules: tuple[FilterRule, ...]


@dataclass(frozen=True)
class ObjectFilter:
    """The filter of one synced object; no groups means every record the advisor can see."""

    sobject: str
    groups: tuple[RuleGroup, ...] = ()

    @property
    def empty(self) -> bool:
        return not any(group.rules for group in self.groups)

    def needs_meetings(self) -> int | None:
        """The widest "next N days" of its meeting rules (one query answers them all), or None."""
        days = [r.days for g in self.groups for r in g.rules if r.kind is RuleKind.MEETING_SOON]
        return max(days) if days else None

    def to_json(self) -> dict[str, Any]:
        return {"sobject": self.sobject, "groups": [[r.to_json() for r in g.rules] for g in self.groups]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ObjectFilter:
        groups = tuple(RuleGroup(tuple(FilterRule.from_json(r) for r in g)) for g in data.get("groups") or ())
        return cls(str(data["sobject"]), groups)


@dataclass(frozen=True)
class FilterContext:
    """What the rules about "me" need: the signed-in user, their role, and (for meeting rules) the Ids
    of the people they meet in the window, keyed by the window's days."""

    user_id: str
    role_id: str | None = None
    meeting_ids: Mapping[int, tuple[str, ...]] = field(default_factory=dict)


def check(flt: ObjectFilter) -> None:
    """Raise ``FilterError`` for a filter the pull must not send."""
    if flt.sobject not in FILTERED_OBJECTS:
        raise FilterError(f"Filters apply to contacts, leads and accounts, not {flt.sobject}.")
    if len(flt.groups) > MAX_GROUPS:
        raise FilterError(f"Use at most {MAX_GROUPS} groups of rules.")
    for group in flt.groups:
        if len(group.rules) > MAX_RULES_PER_GROUP:
            raise FilterError(f"Use at most {MAX_RULES_PER_GROUP} rules in a group.")
        for rule in group.rules:
            _check_rule(flt.sobject, rule)


def _check_rule(sobject: str, rule: FilterRule) -> None:
    if rule.kind in (RuleKind.PICKLIST, RuleKind.DATE_WINDOW):
        try:
            soql.field(rule.field)
        except ValueError:
            raise FilterError("Choose a field for this rule.") from None
    if rule.kind in (RuleKind.PICKLIST, RuleKind.RECORD_TYPE, RuleKind.EMAIL_DOMAIN):
        if not rule.values:
            raise FilterError("Choose at least one value for this rule.")
        if len(rule.values) > MAX_VALUES:
            raise FilterError(f"Use at most {MAX_VALUES} values in one rule.")
        if any(len(v) > MAX_VALUE_LENGTH for v in rule.values):
            raise FilterError(f"A value can be at most {MAX_VALUE_LENGTH} characters long.")
    if rule.kind in (RuleKind.DATE_WINDOW, RuleKind.MEETING_SOON) and not 1 <= rule.days <= MAX_DAYS:
        raise FilterError(f"Choose between 1 and {MAX_DAYS:,} days.")
    if rule.kind is RuleKind.EMAIL_DOMAIN and sobject == "Account":
        raise FilterError("Accounts have no e-mail address to filter on.")


def _rule_where(sobject: str, rule: FilterRule, ctx: FilterContext) -> str:
    kind = rule.kind
    if kind is RuleKind.OWNER_IS_ME:
        return soql.fmt("OwnerId = {}", ctx.user_id)
    if kind is RuleKind.OWNER_IN_MY_ROLE:
        if ctx.role_id is None:  # a user without a role is a team of one
            return soql.fmt("OwnerId = {}", ctx.user_id)
        return soql.fmt("Owner.UserRoleId = {}", ctx.role_id)
    if kind is RuleKind.RECORD_TYPE:
        return soql.fmt("RecordTypeId IN {}", list(rule.values))
    if kind is RuleKind.PICKLIST:
        return soql.fmt("{:field} IN {}", rule.field, list(rule.values))
    if kind is RuleKind.DATE_WINDOW:
        # A date literal, not a string: LAST_N_DAYS:n covers today and the n days before it.
        return f"{soql.field(rule.field)} = LAST_N_DAYS:{int(rule.days)}"
    if kind is RuleKind.EMAIL_DOMAIN:
        email = "PersonEmail" if sobject == "Account" else "Email"
        parts = [soql.fmt("{:field} LIKE {:suffix}", email, "@" + domain.strip().lstrip("@"))
                 for domain in rule.values]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"
    ids = ctx.meeting_ids.get(rule.days)
    if ids is None:
        raise FilterError("The meetings for this rule were not looked up.")
    if len(ids) > MAX_MEETING_IDS:
        raise FilterError(f"More than {MAX_MEETING_IDS} people have meetings in the next {rule.days} days: "
                          "choose fewer days.")
    # No one to meet matches no record (Id is never null).
    return soql.fmt("Id IN {}", list(ids)) if ids else "Id = null"


def compile_where(flt: ObjectFilter, ctx: FilterContext) -> str | None:
    """The filter as one parenthesised SOQL condition, or None when it keeps everything."""
    check(flt)
    groups = []
    for group in flt.groups:
        if not group.rules:
            continue
        parts = [_rule_where(flt.sobject, rule, ctx) for rule in group.rules]
        groups.append(parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")")
    if not groups:
        return None
    where = "(" + " OR ".join(groups) + ")"
    if encoded_length(where) > WHERE_BUDGET:
        raise FilterError("This filter is too long to send to Salesforce: use fewer values or rules.")
    return where


def encoded_length(text: str) -> int:
    """Bytes ``text`` takes in a query string (UTF-8, percent-encoded as httpx sends it)."""
    return len(quote_plus(text, safe=""))


def difference(new: str | None, old: str | None) -> str | None:
    """Records the ``new`` filter keeps and the ``old`` one did not ("" = none: nothing to fetch)."""
    if new == old:
        return ""
    if old is None:
        return ""  # the old filter kept everything: nothing new can be kept
    return f"NOT {old}" if new is None else f"{new} AND (NOT {old})"


KEY_PREFIX = {"Contact": "003", "Lead": "00Q", "Account": "001"}


def meeting_people(sobject: str, user_id: str, start: datetime, end: datetime) -> str:
    """The advisor's meetings in [start, end] with someone (their Who, or for households their What).
    The Ids are narrowed to ``sobject`` by key prefix on this side: SOQL has no LIKE on Id fields."""
    target = "WhatId" if sobject == "Account" else "WhoId"
    where = soql.fmt(f"OwnerId = {{}} AND {target} != null AND StartDateTime >= {{}} AND StartDateTime <= {{}}",
                     user_id, start, end)
    return soql.select((target,), "Event", where=where, order_by=("Id",))


def people_of(sobject: str, records: Sequence[Mapping[str, Any]]) -> tuple[str, ...]:
    """The distinct Ids of ``sobject`` among the meetings' Who/What Ids, in a stable order."""
    target = "WhatId" if sobject == "Account" else "WhoId"
    prefix = KEY_PREFIX[sobject]
    found = {r.get(target) for r in records}
    return tuple(sorted(i for i in found if isinstance(i, str) and i.startswith(prefix)))


FILTERS_KEY = "sync.filters"  # per-connection setting: {sobject: ObjectFilter.to_json()}


def filters_from_json(value: Any) -> tuple[ObjectFilter, ...]:
    """The saved filters; a damaged entry is dropped (the pull then keeps everything of that object)."""
    if not isinstance(value, dict):
        return ()
    found = []
    for sobject in FILTERED_OBJECTS:
        data = value.get(sobject)
        if not isinstance(data, dict):
            continue
        try:
            flt = ObjectFilter.from_json(data)
            check(flt)
        except (KeyError, TypeError, ValueError):
            continue
        if flt.sobject == sobject:
            found.append(flt)
    return tuple(found)
