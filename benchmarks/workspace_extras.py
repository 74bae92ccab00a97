"""``python -m benchmarks.workspace --extra-fields N``: the field mapping of issue 17, measured.

The workspace benchmark maps N extra Contact fields before its sync (as Settings → Sync → Fields
saves them), so the pull asks for them, stores them in ``contact.extra_fields`` and the search index
covers them; this module holds that setup and the extra figures: contacts stored with extra values,
a search for the extra fields' values, and the longest query the pull may send against Salesforce's
URI and SOQL limits.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

# The extra Contact fields ``--extra-fields`` maps, in order: the demo org's custom fields first.
EXTRA_FIELDS = ("AUM__c", "Next_Review__c", "Risk_Profile__c", "Birthdate", "HomePhone", "LeadSource", "Salutation",
                "Description", "DoNotCall", "HasOptedOutOfEmail")
# Salesforce's caps: a GET URI of 16,384 bytes, SOQL text of 100,000 characters.
# https://developer.salesforce.com/docs/atlas.en-us.salesforce_app_limits_cheatsheet.meta/salesforce_app_limits_cheatsheet/salesforce_app_limits_platform_soslsoql.htm
URI_LIMIT, SOQL_LIMIT = 16_384, 100_000


async def map_extra_fields(ca_file: str, tokens: dict[str, Any], db: Any, cid: int, names: tuple[str, ...]) -> Any:
    """Save a Contact field mapping with ``names`` as extra fields, described from the org as Settings →
    Sync → Fields saves it (label, type, picklist labels, the org's currency); the saved value, as the
    scheduler reads it back for the pull."""
    from app.salesforce.client import SalesforceClient
    from app.store import settings as settings_rows
    from app.sync.pull.field_map import MAPPINGS_KEY, ExtraField, FieldMapping, check, mappings_from_json, org_currency

    async with SalesforceClient(tokens["instance_url"], tokens["access_token"], ca_file=ca_file) as client:
        await client.ensure_api_version()
        described = {f["name"]: f for f in (await client.describe("Contact"))["fields"]}
        extras = tuple(ExtraField(n, str(described[n].get("label") or n), str(described[n]["type"]),
                                  tuple((str(p["value"]), str(p.get("label") or p["value"]))
                                        for p in described[n].get("picklistValues") or ())) for n in names)
        mapping = FieldMapping("Contact", (), extras, await org_currency(client))
    check(mapping)
    await db.run(lambda s: settings_rows.put(s, cid, MAPPINGS_KEY, {"Contact": mapping.to_json()}))
    saved = await db.run(lambda s: settings_rows.get(s, cid, MAPPINGS_KEY))
    return mappings_from_json(saved)


def longest_query(extras: tuple[str, ...]) -> dict[str, int]:
    """The longest Contact query the pull may send with these extras (a resumed, incremental one), as
    URL-encoded bytes of ``/services/data/vXX.X/query?q=…`` and as SOQL characters."""
    from datetime import UTC, datetime
    from urllib.parse import quote_plus

    from app.sync.pull import queries as q
    from app.sync.pull.records import RecordKey

    fields = (*q.CONTACT_FIELDS, *(e for e in extras if e not in q.CONTACT_FIELDS))
    stamp = datetime(2026, 12, 4, 20, 0, 0, tzinfo=UTC)
    text = q.people("Contact", fields, resume=RecordKey(stamp, "003000000000001AAA"), since=stamp)
    return {"soql_chars": len(text), "uri_bytes": len("/services/data/v62.0/query?q=") + len(quote_plus(text, safe="")),
            "uri_limit": URI_LIMIT, "soql_limit": SOQL_LIMIT}


def stored_extra_values(session: Any, cid: int, mapping: Any) -> int:
    """Contacts stored with at least one extra field's value (read in the benchmark's own SQL)."""
    from sqlalchemy import text

    names = [e.name for e in mapping.extras]
    rows = session.execute(text("SELECT extra_fields FROM contact WHERE connection_id = :c"), {"c": cid})
    return sum(1 for (value,) in rows if value and any(json.loads(value).get(n) not in (None, "") for n in names))


async def extra_search(db: Any, cid: int, rng: random.Random, search: Callable[[Any, str], Any],
                       count: int = 100) -> dict[str, float]:
    """Searches for the extra fields' values — a picklist by the label the org shows (Risk Profile:
    "Growth", stored "GROW"), another picklist's value (Lead Source) — the way a keystroke searches."""
    words = ["Conservative", "Balanced", "Growth", "Aggressive", "Seminar", "Referral", "Event"]
    timings: list[float] = []
    found = 0
    for text in (rng.choice(words) for _ in range(count)):
        started = time.perf_counter()
        hits = await db.read(lambda c, t=text: search(c, t))
        timings.append((time.perf_counter() - started) * 1000)
        found += bool(hits)
    timings.sort()
    return {"extra_search_p50_ms": statistics.median(timings),
            "extra_search_p95_ms": timings[int(len(timings) * 0.95) - 1],
            "extra_search_found_share": found / len(timings)}
