"""Client-tagged meeting notes: our section of the Event's Description, the rest kept.

Several notes about one meeting become one update of that Event; each note's own section is its
fingerprint, so editing one note later changes only its section.
"""

from __future__ import annotations

from app.salesforce import soql
from app.store.outbox import PushWork
from app.sync.push import mapping as push_mapping
from app.sync.push.ledger import Sent
from app.sync.push.run import PushRun

EVENT = "Event"


async def send(chunk: list[PushWork], run: PushRun) -> list[int]:
    ledger = run.ledger
    event_ids = sorted({w.note.event_sf_id for w in chunk if w.note and w.note.event_sf_id})
    await run.gate.spend(2)
    query = soql.select(["Id", "Description"], EVENT, where=soql.fmt("Id IN {}", event_ids))
    rows = await run.gate.call(run.client.query_list(query))
    descriptions = {str(r["Id"])[:15]: r.get("Description") for r in rows}
    merged: dict[str, str] = {}
    members: dict[str, list[PushWork]] = {}
    for w in chunk:
        assert w.note is not None and w.note.event_sf_id
        key = w.note.event_sf_id[:15]
        if key not in descriptions:
            ledger.failed(w, "ENTITY_IS_DELETED", "The meeting was deleted in Salesforce.",
                          "Choose another meeting, or remove the Client tag, then push again.")
            continue
        text = push_mapping.merge_event_description(merged.get(key, descriptions[key]), w.note)
        if len(text) > push_mapping.EVENT_DESCRIPTION_MAX:
            ledger.failed(w, "LIMIT", "The meeting's description would exceed Salesforce's 32,000 characters.",
                          "Shorten the note, then push again. Nothing was sent.")
            continue
        merged[key] = text
        members.setdefault(key, []).append(w)
    if not merged:
        return []
    records = []
    sent: list[Sent] = []
    for key, text in merged.items():
        event_id = members[key][0].note.event_sf_id  # type: ignore[union-attr]
        records.append({"attributes": {"type": EVENT}, "Id": event_id, "Description": text})
        for w in members[key]:
            section = push_mapping.event_section(w.note)  # type: ignore[arg-type]
            sent.append(Sent(w, records[-1], push_mapping.fingerprint({"s": section}, ("s",))))
    answer = await run.protocol.send(sent, lambda: run.client.update_many(records), calls=0, creates=False)
    if answer.results is None:
        return answer.retry
    by_event = {str(r["Id"])[:15]: res for r, res in zip(records, answer.results, strict=True)}
    retry: list[int] = []
    for s in sent:
        result = by_event[str(s.record["Id"])[:15]]
        if result.success:
            ledger.pushed(s.work, str(s.record["Id"]), EVENT, s.fp)
        else:
            retry += await run.protocol.item_failed(s.work, result.errors)
    return retry


__all__ = ["send"]
