"""An org's picklist values for a field, as its describe lists them: the active ones, and the default.

Describe lists every value of a picklist with ``active`` (an admin can retire a value: it stays on old
records but a save with it is refused where the list is restricted — Opportunity ``StageName`` among
them) and ``defaultValue``.  The push (new opportunities) and the editor (its stage list, through
``app.services.picklist_choices``) read the same describe, which the client caches per session.
https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_sobject_describe.htm
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.salesforce.client import SalesforceClient


@dataclass(frozen=True)
class PicklistFacts:
    values: tuple[str, ...]  # the active values, in the org's order
    default: str | None      # the org's default, else the first active value, else None


def picklist_facts(describe: Mapping[str, Any], field_name: str) -> PicklistFacts:
    """The active values and the default of ``field_name`` in an object's describe (pure)."""
    field = next((f for f in describe.get("fields", []) if isinstance(f, dict) and f.get("name") == field_name), {})
    entries = [p for p in field.get("picklistValues") or [] if isinstance(p, dict) and p.get("active", True)]
    values = tuple(str(p.get("value")) for p in entries if p.get("value"))
    default = next((str(p.get("value")) for p in entries if p.get("defaultValue") and p.get("value")), None)
    return PicklistFacts(values, default or (values[0] if values else None))


async def active_values(client: SalesforceClient, sobject: str, field_name: str) -> PicklistFacts:
    """One describe (cached by the client) read for one field's picklist."""
    return picklist_facts(await client.describe(sobject), field_name)


__all__ = ["PicklistFacts", "active_values", "picklist_facts"]
