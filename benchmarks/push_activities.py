"""The activity kinds in the push benchmark (:mod:`benchmarks.push`): logged calls, logged emails,
meetings and new opportunities — their drafts, what the baseline sends for each, and how each is
counted afterwards.

Each kind is one create per record through the collections API, so its minimum is ⌈n/200⌉ calls.
Each record carries a unique marker (the call's outcome, the email's and the meeting's subject, the
opportunity's name) so duplicates and missing records are counted by it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.store import activities as activities_repo
from app.store import outbox as outbox_repo
from app.store.kinds import ItemKind
from app.store.models import Contact

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class BenchKind:
    kind: ItemKind
    sobject: str
    marker_field: str        # where the unique marker is in Salesforce
    marker: str              # the marker's prefix ("Bench call ")
    fields: Callable[[int], dict[str, Any]]  # the draft's form fields for item n
    needs_account: bool = False

    def baseline_record(self, n: int, person: dict[str, Any]) -> dict[str, Any]:
        """What a simple client would POST for item n (one record, no batching)."""
        if self.kind == ItemKind.CALL:
            return {"Subject": f"Outbound call — {self.marker}{n}", "WhoId": person["Id"], "Status": "Completed",
                    "TaskSubtype": "Call", "CallType": "Outbound", "CallDisposition": f"{self.marker}{n}"}
        if self.kind == ItemKind.EMAIL:
            return {"Subject": f"Email: {self.marker}{n}", "WhoId": person["Id"], "Status": "Completed",
                    "TaskSubtype": "Email", "ActivityDate": START.date().isoformat(),
                    "Description": f"From: client{n}@example.com\nTo: advisor@firm.example\n\nAbout plan #{n}."}
        if self.kind == ItemKind.MEETING:
            start = START + timedelta(minutes=30 * n)
            return {"Subject": f"{self.marker}{n}", "WhoId": person["Id"],
                    "StartDateTime": start.isoformat(), "EndDateTime": (start + timedelta(hours=1)).isoformat()}
        return {"Name": f"{self.marker}{n}", "AccountId": person["AccountId"], "StageName": "Prospecting",
                "CloseDate": "2027-03-31", "Amount": 1000 + n}


def _call(n: int) -> dict[str, Any]:
    return {"when": (START + timedelta(minutes=n)).isoformat(), "duration_minutes": 5, "direction": "Outbound",
            "outcome": f"Bench call {n}", "note": f"Talked about plan #{n}."}


def _email(n: int) -> dict[str, Any]:
    return {"subject": f"Bench email {n}", "sent": (START + timedelta(minutes=n)).isoformat(),
            "sender": f"client{n}@example.com", "to": "advisor@firm.example", "cc": "",
            "body": f"Hello,\n\nAbout plan #{n}: please call me back.\n\nThanks", "attachments": []}


def _meeting(n: int) -> dict[str, Any]:
    start = START + timedelta(minutes=30 * n)
    return {"subject": f"Bench meeting {n}", "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(), "location": "Office"}


def _opportunity(n: int) -> dict[str, Any]:
    return {"name": f"Bench opportunity {n}", "stage": "Prospecting", "close_date": "2027-03-31",
            "amount": 1000 + n}


KINDS: tuple[BenchKind, ...] = (
    BenchKind(ItemKind.CALL, "Task", "CallDisposition", "Bench call ", _call),
    BenchKind(ItemKind.EMAIL, "Task", "Subject", "Bench email ", _email),
    BenchKind(ItemKind.MEETING, "Event", "Subject", "Bench meeting ", _meeting),
    BenchKind(ItemKind.OPPORTUNITY, "Opportunity", "Name", "Bench opportunity ", _opportunity, needs_account=True),
)


def make_drafts(session: Any, connection_id: int, people: list[Contact], counts: dict[ItemKind, int]) -> None:
    """``counts[kind]`` drafts of each kind, queued (the people in turn; opportunities on those with an account)."""
    with_account = [p for p in people if p.account_sf_id]
    for bench in KINDS:
        pool = with_account if bench.needs_account else people
        ids = [activities_repo.create(session, connection_id, bench.kind, contact_id=pool[n % len(pool)].id,
                                      fields=bench.fields(n)).id for n in range(counts.get(bench.kind, 0))]
        outbox_repo.enqueue_many(session, bench.kind, ids)


def minimum_calls(counts: dict[ItemKind, int]) -> int:
    return sum(math.ceil(counts.get(b.kind, 0) / 200) for b in KINDS)


def counted(records: Callable[[str], Iterable[dict[str, Any]]], counts: dict[ItemKind, int]) -> dict[str, int]:
    """Duplicates and missing records over every activity kind, by each record's marker (the marker
    may sit inside a templated title, so it is matched from the prefix on)."""
    duplicates = missing = 0
    for bench in KINDS:
        markers: Counter[str] = Counter()
        for record in records(bench.sobject):
            text = str(record.get(bench.marker_field) or "")
            at = text.find(bench.marker)
            if not record.get("IsDeleted") and at >= 0:
                markers[text[at:]] += 1
        duplicates += sum(n - 1 for n in markers.values())
        missing += counts.get(bench.kind, 0) - len(markers)
    return {"duplicates": duplicates, "missing": missing}


__all__ = ["KINDS", "BenchKind", "counted", "make_drafts", "minimum_calls"]
