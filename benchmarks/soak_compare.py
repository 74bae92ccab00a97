"""The end of the soak: the workspace against the org, and both against what the children acknowledged.

* **items**: everything queued — what the journal saw acknowledged, and what the workspace holds as
  queued or pushed (a kill can land between the commit and the line that says so).
* **duplicates**: extra copies in the org (a note, its link to the client, a task, a person or their
  household), plus records in the org for something that was never queued.
* **lost**: an item with no record in the org (a note without its link to the client included), or one
  the workspace never settled as pushed.
* **drafts_lost**: drafts whose workspace text does not hold every character a save acknowledged.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

from benchmarks.soak_child import typed_text
from benchmarks.soak_procs import Journal, SoakOrg

NOTE, TASK, PERSON = "note", "task", "person"


def _workspace(db: Path, connection_id: int) -> dict[str, Any]:
    with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True) as conn:
        notes = conn.execute("SELECT id, title, body_markdown, state FROM note WHERE connection_id = ? "
                             "AND title LIKE 'Soak note %'", (connection_id,)).fetchall()
        tasks = conn.execute("SELECT id, subject, coalesce(description, ''), state FROM task WHERE connection_id = ? "
                             "AND subject LIKE 'Soak task %'", (connection_id,)).fetchall()
        people = conn.execute("SELECT id, last_name, sf_id FROM contact WHERE connection_id = ? "
                              "AND last_name LIKE 'Soak%'", (connection_id,)).fetchall()
        outbox = dict(conn.execute("SELECT state, count(*) FROM outbox_item WHERE connection_id = ? "
                                   "GROUP BY state", (connection_id,)).fetchall())
    return {"notes": notes, "tasks": tasks, "people": people, "outbox": outbox}


def _live(org: SoakOrg, sobject: str) -> list[dict[str, Any]]:
    return [r for r in org.records(sobject) if not r.get("IsDeleted")]


def compare(org: SoakOrg, db: Path, connection_id: int, journal: Journal) -> dict[str, Any]:
    ws = _workspace(db, connection_id)
    # (kind, key) -> whether the workspace settled it as pushed
    items: dict[tuple[str, str], bool] = {}
    texts: dict[tuple[str, int], str] = {}
    for draft_id, title, body, state in ws["notes"]:
        texts[(NOTE, draft_id)] = body
        if state != "draft":
            items[(NOTE, title.split()[-1])] = state == "pushed"
    for draft_id, subject, description, state in ws["tasks"]:
        texts[(TASK, draft_id)] = description
        if state != "draft":
            items[(TASK, subject.split()[-1])] = state == "pushed"
    for _contact_id, last_name, sf_id in ws["people"]:
        items[(PERSON, last_name.removeprefix("Soak"))] = not str(sf_id).startswith("new-")
    acknowledged = {(kind, key) for (kind, _id), key in journal.queued.items()}
    never_in_workspace = acknowledged - set(items)

    notes = _live(org, "ContentNote")
    note_ids = {r["Id"]: str(r["Title"]).split()[-1] for r in notes if str(r.get("Title", "")).startswith("Soak note ")}
    in_org: Counter[tuple[str, str]] = Counter((NOTE, key) for key in note_ids.values())
    in_org.update((TASK, str(r["Subject"]).split()[-1]) for r in _live(org, "Task")
                  if str(r.get("Subject", "")).startswith("Soak task "))
    in_org.update((PERSON, str(r["LastName"]).removeprefix("Soak")) for r in _live(org, "Contact")
                  if str(r.get("LastName", "")).startswith("Soak"))
    households = Counter(str(r["Name"]) for r in _live(org, "Account") if str(r.get("Name", "")).startswith("Soak"))
    links = Counter(note_ids[r["ContentDocumentId"]] for r in _live(org, "ContentDocumentLink")
                    if r.get("ContentDocumentId") in note_ids and not str(r.get("LinkedEntityId")).startswith("005"))

    expected = set(items) | acknowledged
    duplicates = sum(n - 1 for n in in_org.values() if n > 1) + sum(n - 1 for n in households.values() if n > 1)
    duplicates += sum(n - 1 for n in links.values() if n > 1)
    extra = sorted(f"{kind} {key}" for kind, key in set(in_org) - expected)
    missing = sorted(f"{kind} {key}" for kind, key in expected if in_org[(kind, key)] == 0)
    unlinked = sorted(f"note {key}" for kind, key in expected
                      if kind == NOTE and in_org[(kind, key)] and not links[key])
    unsettled = sorted(f"{kind} {key}" for (kind, key), pushed in items.items() if not pushed)

    drafts_lost = []
    for (kind, draft_id), (key, chars) in journal.saved.items():
        text = texts.get((kind, draft_id))
        full = typed_text(key, 4000)
        if text is None or not text.startswith(full[:chars]) or not full.startswith(text):
            drafts_lost.append(f"{kind} {draft_id} {key}: saved {chars} chars, workspace has "
                               f"{'nothing' if text is None else len(text)}")
    by_kind = Counter(kind for kind, _key in expected)
    return {
        "items": len(expected), "items_by_kind": dict(by_kind), "acknowledged_queued": len(acknowledged),
        "duplicates": duplicates + len(extra), "lost": len(missing) + len(unlinked) + len(unsettled),
        "drafts_lost": len(drafts_lost), "drafts_checked": len(journal.saved),
        "details": {"extra_in_org": extra[:20], "missing_in_org": missing[:20], "notes_without_link": unlinked[:20],
                    "not_settled_in_workspace": unsettled[:20], "acknowledged_but_not_in_workspace":
                    sorted(f"{k} {v}" for k, v in never_in_workspace)[:20], "drafts_lost": drafts_lost[:20],
                    "outbox_states": ws["outbox"]},
    }
