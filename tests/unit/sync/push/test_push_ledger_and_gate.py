"""Settling in memory (the ledger and its listeners) and which failures stop a run (the gate)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.salesforce.errors import (
    NetworkError,
    OutcomeUnknown,
    RequestLimitExceeded,
    SalesforceError,
    ServerUnavailable,
    SessionExpired,
)
from app.store.kinds import ItemKind
from app.store.outbox import PushWork
from app.store.types import utcnow
from app.sync.push.base import SIGNED_OUT_REASON, PushReport, StopRun
from app.sync.push.budget import ApiBudget
from app.sync.push.gate import ApiGate
from app.sync.push.ledger import Ledger, Sent
from app.sync.push.placement import Placement
from app.sync.push.run_log import RunLog
from app.sync.push.status import PushStatus, Settled
from tests.unit.sync.push.push_fixtures import note_work, task_work


class Heard:
    def __init__(self) -> None:
        self.events: list[tuple[str, int, str]] = []

    def pushed(self, w: PushWork, remote_id: str, remote_type: str) -> None:
        self.events.append(("pushed", w.outbox.id, remote_type))

    def failed(self, w: PushWork, code: str, message: str) -> None:
        self.events.append(("failed", w.outbox.id, code))

    def waiting(self, w: PushWork, code: str, message: str) -> None:
        self.events.append(("waiting", w.outbox.id, code))


def _ledger(*listeners: Any) -> Ledger:
    return Ledger(db=None, report=PushReport(), listeners=listeners)  # type: ignore[arg-type] - nothing flushed


def test_push_ledger_counts_each_outcome_once_and_tells_listeners() -> None:
    heard = Heard()
    ledger = _ledger(heard)
    a, b, c, d = note_work(1), task_work(2), task_work(3), note_work(4)
    ledger.begin([a, b, c, d])
    ledger.created(Sent(d, {}, "fp"), "069D")  # created, still to link: stays open, not done
    ledger.pushed(a, "069A", "ContentNote", "fp")
    ledger.failed(b, "LIMIT", "Too long.", "Edit the task.")
    ledger.waiting(c, "UNABLE_TO_LOCK_ROW", "Busy.", utcnow())
    assert (ledger.report.pushed, ledger.report.needs_attention, ledger.report.waiting) == (1, 1, 1)
    assert ledger.done == 2 and ledger.total == 4  # a waiting item is not done
    assert list(ledger.open) == [4]
    assert heard.events == [("pushed", 1, "ContentNote"), ("failed", 2, "LIMIT"), ("waiting", 3, "UNABLE_TO_LOCK_ROW")]


def test_push_placement_links_only_pushed_content_notes_to_their_account() -> None:
    placement = Placement()
    ledger = _ledger(placement)
    content, classic = note_work(1), note_work(2)
    ledger.begin([content, classic])
    placement.account_links.update({1: "001HOUSE", 2: "001HOUSE"})
    ledger.pushed(content, "069A", "ContentNote", "fp")
    ledger.pushed(classic, "002B", "Note", "fp")  # a classic Note has one parent: no second link
    assert [(w.outbox.id, doc, account) for w, doc, account in placement.extra_links] == [(1, "069A", "001HOUSE")]
    assert placement.account_links == {}


def test_push_run_log_rows_name_kind_object_and_outcome() -> None:
    run_log = RunLog(db=None, connection_id=1, record_object=lambda w: "Task")  # type: ignore[arg-type]
    ledger = _ledger(run_log)
    done, refused = task_work(2), task_work(3, remote_id="00T3")
    ledger.begin([done, refused])
    ledger.pushed(done, "00T2", "Task", "fp")
    ledger.failed(refused, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Due date required.", "hint")
    rows = [(i.kind, i.sobject, i.outcome, i.record_id, i.error_code) for i in run_log.items]
    assert rows == [(ItemKind.TASK, "Task", Settled.PUSHED, "00T2", None),
                    (ItemKind.TASK, "Task", Settled.NEEDS_ATTENTION, "00T3", "FIELD_CUSTOM_VALIDATION_EXCEPTION")]


def _gate() -> ApiGate:
    return ApiGate(client=None, budget=ApiBudget(), retry_after=timedelta(seconds=30))  # type: ignore[arg-type]


@pytest.mark.parametrize(("error", "status"), [
    (RequestLimitExceeded("limit"), PushStatus.BUDGET),
    (SessionExpired("expired"), PushStatus.SIGNED_OUT),
    (NetworkError("no route"), PushStatus.OFFLINE),
    (ServerUnavailable("503"), PushStatus.OFFLINE),
    (OutcomeUnknown("lost"), PushStatus.OFFLINE),
])
def test_push_gate_stops_the_run_on_whole_request_trouble(error: SalesforceError, status: PushStatus) -> None:
    with pytest.raises(StopRun) as stopped:
        _gate().stop_if_fatal(error)
    assert stopped.value.status == status
    if status == PushStatus.SIGNED_OUT:
        assert stopped.value.reason == SIGNED_OUT_REASON and stopped.value.retry_at is None
    else:
        assert stopped.value.retry_at is not None and stopped.value.retry_at > utcnow()


def test_push_gate_leaves_a_record_error_to_the_item_and_never_raises_for_the_run() -> None:
    gate = _gate()
    refused = SalesforceError("Required fields are missing: [Subject]", error_code="REQUIRED_FIELD_MISSING")
    gate.stop_if_fatal(refused)  # not fatal: the items of that request settle one by one
    stop = gate.stop_for(refused)
    assert stop.status == PushStatus.OFFLINE and "Required fields are missing" in stop.reason
    assert gate.offline().status == PushStatus.OFFLINE
