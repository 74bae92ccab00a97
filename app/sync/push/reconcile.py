"""Finding creates whose response was lost, before anything is sent again.

When a create's response never arrives (connection dropped after Salesforce committed, a gateway
502/504, or Notebridge killed mid-request) the outbox still holds ``sent_at`` and the exact payload.
Before that item may be sent again we ask Salesforce whether the record exists.

Which field carries our marker?
* **Task** can carry the outbox key itself if the org adds an external-ID text field for us
  (``PushSettings.task_key_field``, e.g. ``Notebridge_Key__c``): the lookup is then exact
  (``WHERE Notebridge_Key__c IN (keys)``).
* **Note** and **ContentNote** cannot: classic Notes take no custom fields, and ContentNote exposes
  only ``Title``/``Content`` (custom fields would live on ContentVersion, which the ContentNote API
  does not set).  Putting the key into the title or text would show it to every user of the org.
  So the marker is the record itself: created by *this* user, no earlier than a day before we sent
  it (generous for clock skew between laptop and Salesforce), with exactly the fields we sent
  (title, parent, body — for ContentNote the title and its text).  The same test without a key
  field is used for Tasks (subject, dates, picklists, who/what, owner, description).
* Which fields, which filter and which comparison: each kind handler declares a :class:`LookupSpec`
  per object it creates (``app.sync.push.kinds``); this module only runs them.
* One Salesforce record is handed to at most one outbox item, and never to one when a note or task
  here already owns it — so two identical notes pushed at once still end up as two records.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.salesforce import soql
from app.salesforce.client import SalesforceClient
from app.sync.push.mapping import decode_content
from app.sync.push.markdown_html import html_to_text

SKEW = timedelta(days=1)
# Keep each query's literal list well under Salesforce's ~16K URI limit.
_MAX_LITERAL_CHARS = 6_000
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class SentCreate:
    """One create whose outcome is unknown, as recorded in the outbox before it was sent."""

    outbox_id: int
    key: str
    sent_at: datetime
    record: dict[str, Any]

    @property
    def sobject(self) -> str:
        return str(self.record.get("attributes", {}).get("type", ""))


def no_text(_item: SentCreate) -> str:
    return ""


@dataclass(frozen=True)
class LookupSpec:
    """How to find one object's lost creates: which records may be ours, and which one is.

    Candidates: records of ``sobject`` created by this user since we sent (less :data:`SKEW`) whose
    ``filter_field`` is one of the values we sent; ``fields`` are read for the comparison.
    ``bucket`` is a cheap key both sides share; ``plausible(item, our_text, candidate)`` says whether a
    candidate carries exactly what we sent (``our_text``: ``text_of(item)``, computed once).
    ``full_text``: when a preview cannot tell two of our records apart, read the candidates' full
    ``Content`` (ContentNote).  ``key_field``: the lookup may use ``PushSettings.task_key_field``.
    """

    sobject: str
    fields: tuple[str, ...]
    filter_field: str
    bucket: Callable[[Mapping[str, Any]], tuple[str, ...]]
    plausible: Callable[[SentCreate, str, Mapping[str, Any]], bool]
    text_of: Callable[[SentCreate], str] = no_text
    full_text: bool = False
    key_field: bool = False


Claimed = Callable[[list[str]], Awaitable[set[str]]]


async def find_created(
    client: SalesforceClient, sent: Sequence[SentCreate], *, specs: Mapping[str, LookupSpec], user_id: str,
    claimed: Claimed, task_key_field: str | None = None,
) -> dict[int, str | None]:
    """outbox id → the Salesforce Id of the record it created, or None (it was not created).

    ``specs``: the lookup for each object (by its API name); an object without one is never found."""
    found: dict[int, str | None] = {item.outbox_id: None for item in sent}
    by_type: dict[str, list[SentCreate]] = {}
    for item in sent:
        by_type.setdefault(item.sobject, []).append(item)
    for sobject, items in by_type.items():
        spec = specs.get(sobject)
        if spec is None:
            continue
        if spec.key_field and task_key_field and all(task_key_field in i.record for i in items):
            found.update(await _by_key(client, sobject, items, task_key_field))
            continue
        candidates = await _candidates(client, spec, items, user_id)
        taken = await claimed([c["Id"] for c in candidates]) if candidates else set()
        candidates = [c for c in candidates if c["Id"] not in taken]
        found.update(await _match(client, spec, items, candidates))
    return found


async def _by_key(client: SalesforceClient, sobject: str, items: list[SentCreate],
                  key_field: str) -> dict[int, str | None]:
    keys = {str(i.record[key_field]): i.outbox_id for i in items}
    out: dict[int, str | None] = {}
    for chunk in _chunk_literals(sorted(keys)):
        query = soql.select(["Id", key_field], sobject, where=soql.fmt("{:field} IN {}", key_field, chunk))
        for record in await client.query_list(query):
            outbox_id = keys.get(str(record.get(key_field)))
            if outbox_id is not None:
                out[outbox_id] = str(record["Id"])
    return out


async def _candidates(
    client: SalesforceClient, spec: LookupSpec, items: list[SentCreate], user_id: str,
) -> list[dict[str, Any]]:
    since = min(i.sent_at for i in items) - SKEW
    fields = ["Id", "CreatedDate", *spec.fields]
    values = sorted({str(i.record.get(spec.filter_field) or "") for i in items} - {""})
    out: list[dict[str, Any]] = []
    for chunk in _chunk_literals(values):
        where = soql.fmt("CreatedById = {} AND CreatedDate >= {} AND {:field} IN {}", user_id, since,
                         spec.filter_field, chunk)
        query = soql.select(fields, spec.sobject, where=where, order_by=["CreatedDate", "Id"])
        out.extend(await client.query_list(query))
    return out


def _chunk_literals(values: list[str]) -> list[list[str]]:
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for value in values:
        length = len(soql.quote(value)) + 2
        if current and size + length > _MAX_LITERAL_CHARS:
            chunks.append(current)
            current, size = [], 0
        current.append(value)
        size += length
    if current:
        chunks.append(current)
    return chunks


def squash(text: str) -> str:
    """Text without any whitespace: previews and rendered HTML disagree on spacing, never on words."""
    return _WS.sub("", text)


def html_text(content_b64: str | None) -> str:
    """The squashed words of a base64 HTML ``Content`` field."""
    return squash(html_to_text(decode_content(content_b64)))


async def _match(
    client: SalesforceClient, spec: LookupSpec, items: list[SentCreate], candidates: list[dict[str, Any]],
) -> dict[int, str | None]:
    """Assign candidates to items one-to-one.  Where a preview cannot tell two of our records apart,
    read the candidates' full content (rare: identical titles and first 255 characters)."""
    def compare() -> tuple[dict[int, str], dict[int, list[dict[str, Any]]]]:
        buckets: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for cand in candidates:
            buckets.setdefault(spec.bucket(cand), []).append(cand)
        texts = {i.outbox_id: spec.text_of(i) for i in items}
        return texts, {i.outbox_id: [c for c in buckets.get(spec.bucket(i.record), [])
                                     if spec.plausible(i, texts[i.outbox_id], c)] for i in items}

    # Decoding and comparing a batch of notes is CPU work: keep it off the UI's event loop.
    texts, options = compare() if len(items) <= 10 else await asyncio.to_thread(compare)
    if spec.full_text:
        await _disambiguate(client, spec.sobject, options, texts)
    out: dict[int, str | None] = {}
    used: set[str] = set()
    # Most constrained first, so a unique match is never taken by an item with alternatives.
    for item in sorted(items, key=lambda i: (len(options[i.outbox_id]), i.outbox_id)):
        choice = next((c["Id"] for c in options[item.outbox_id] if c["Id"] not in used), None)
        if choice is not None:
            used.add(choice)
        out[item.outbox_id] = choice
    return out


async def _disambiguate(
    client: SalesforceClient, sobject: str, options: dict[int, list[dict[str, Any]]], contents: dict[int, str],
) -> None:
    shared: dict[str, set[int]] = {}
    for outbox_id, cands in options.items():
        for cand in cands:
            shared.setdefault(cand["Id"], set()).add(outbox_id)
    ambiguous = {cid for cid, owners in shared.items() if len({contents[o] for o in owners}) > 1}
    if not ambiguous:
        return
    texts: dict[str, str] = {}
    for cid in sorted(ambiguous):
        record = await client.retrieve(sobject, cid, ["Content"])
        texts[cid] = squash(html_to_text(await content_of(client, record)))
    for outbox_id, cands in options.items():
        options[outbox_id] = [c for c in cands if c["Id"] not in texts or texts[c["Id"]] == contents[outbox_id]]


async def content_of(client: SalesforceClient, record: dict[str, Any]) -> str:
    """A base64 field comes back as a URL to the blob from a retrieve; some servers inline it."""
    value = record.get("Content")
    if isinstance(value, str) and value.startswith("/services/"):
        resp = await client.request("GET", value)
        return resp.content.decode("utf-8", "replace")
    return decode_content(value if isinstance(value, str) else None)
