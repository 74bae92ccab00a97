"""The kind registry and what each handler declares: grouping, limits, lookups (pure, no I/O)."""

from __future__ import annotations

import pytest

from app.store.kinds import ItemKind
from app.sync.push.kinds import HANDLERS, DraftHandler, draft_handlers
from app.sync.push.kinds.note import NoteHandler
from app.sync.push.kinds.task import TaskHandler
from app.sync.push.ledger import Sent
from app.sync.push.mapping import content_note_record, sent_fingerprint
from tests.unit.sync.push.push_fixtures import note_work, run_view, task_work

# The order requests went out in before handlers existed; a run must keep it (new people first).
LEGACY_ORDER = ["ContentNote", "Note", "link", "update:ContentNote", "update:Note", "Event", "Task", "update:Task"]


def test_push_registry_has_one_handler_per_kind() -> None:
    assert set(HANDLERS) == set(ItemKind)
    assert all(handler.kind == kind for kind, handler in HANDLERS.items())


def test_push_registry_sends_new_people_first_then_groups_in_the_legacy_order() -> None:
    assert next(iter(HANDLERS)) == ItemKind.PERSON
    drafts = draft_handlers()
    assert ItemKind.PERSON not in drafts and set(drafts) == {ItemKind.NOTE, ItemKind.TASK, ItemKind.CALL,
                                                             ItemKind.MEETING, ItemKind.EMAIL, ItemKind.OPPORTUNITY}
    # Logged calls, meetings, emails and new opportunities go after everything that went before them;
    # a meeting's other attendees are related right after the Events are created.
    assert [g for handler in drafts.values() for g in handler.groups] == \
        [*LEGACY_ORDER, "Task", "update:Task", "Event", "relate:EventRelation", "update:Event", "Task", "update:Task",
         "Opportunity", "update:Opportunity"]


def test_push_handlers_never_declare_two_lookups_for_one_object() -> None:
    seen: dict[str, object] = {}
    for handler in HANDLERS.values():
        for spec in handler.lookups:
            assert spec.sobject in handler.sobjects, (handler.kind, spec.sobject)
            assert seen.setdefault(spec.sobject, spec) is spec, f"two lookups for {spec.sobject}"
    assert set(seen) == {"Task", "Note", "ContentNote", "Event", "Opportunity"}


@pytest.mark.parametrize(("changes", "operation", "note_type", "settings", "group"), [
    ({}, "create", "ContentNote", {}, "ContentNote"),
    ({}, "create", "Note", {}, "Note"),
    ({}, "create", "Attachment", {}, "ContentNote"),  # an unknown preference falls back to ContentNote
    ({"remote_id": "069A", "remote_type": "ContentNote"}, "create", "Note", {}, "link"),
    ({"remote_id": "069A", "remote_type": "ContentNote"}, "update", "Note", {}, "update:ContentNote"),
    ({"remote_id": "002A", "remote_type": "Note"}, "update", "ContentNote", {}, "update:Note"),
    ({"event_sf_id": "00U1", "tags": ("Client",)}, "create", "ContentNote", {}, "Event"),
    ({"event_sf_id": "00U1", "tags": ("Client",)}, "create", "Note", {"meeting_summaries": False}, "Note"),
    # Already a meeting summary: never a second copy as a note, even with summaries turned off.
    ({"event_sf_id": "00U1", "tags": ("client",), "remote_type": "Event", "remote_id": "00U1"}, "update",
     "ContentNote", {"meeting_summaries": False}, "Event"),
])
def test_push_note_handler_groups_each_note(changes: dict, operation: str, note_type: str, settings: dict,
                                           group: str) -> None:
    w = note_work(operation=operation, **changes)
    assert NoteHandler().group_of(w, run_view(note_type, **settings)) == group


def test_push_task_handler_creates_new_tasks_and_updates_pushed_ones() -> None:
    handler, run = TaskHandler(), run_view()
    assert handler.group_of(task_work(), run) == "Task"
    assert handler.group_of(task_work(remote_id="00T1"), run) == "update:Task"
    assert handler.record_object(task_work(remote_id="00T1"), run) == "Task"
    assert handler.lead_id(task_work(who_id="00Q1")) == "00Q1"
    assert not handler.keeps_target(task_work(remote_id="00T1"))


def test_push_handlers_check_salesforce_limits_of_what_is_sent() -> None:
    assert not NoteHandler().problems(note_work())
    assert NoteHandler().problems(note_work(title="x" * 81))
    assert NoteHandler().problems(note_work(parent_sf_id=None))  # a new note needs a client
    assert not NoteHandler().problems(note_work(parent_sf_id=None, remote_id="069A"))  # an update does not
    assert not TaskHandler().problems(task_work())
    assert TaskHandler().problems(task_work(subject="x" * 256))


def test_push_note_handler_keeps_pushed_notes_on_their_record_and_names_their_object() -> None:
    handler = NoteHandler()
    assert handler.keeps_target(note_work(remote_id="069A", remote_type="ContentNote"))
    assert not handler.keeps_target(note_work())
    assert handler.lead_id(note_work(parent_sf_id="00Q1")) == "00Q1"
    assert handler.record_object(note_work(), run_view("Note")) == "Note"
    assert handler.record_object(note_work(remote_type="Event"), run_view("Note")) == "Event"


def test_push_note_handler_tells_an_edit_after_sending_from_none() -> None:
    w = note_work()
    assert w.note is not None
    sent_as_built = content_note_record(w.note)
    unchanged = Sent(w, sent_as_built, sent_fingerprint(sent_as_built))
    assert not NoteHandler().edited_since(unchanged, "ContentNote")
    older = Sent(w, sent_as_built, "fingerprint of an earlier version")
    assert NoteHandler().edited_since(older, "ContentNote")
    assert not NoteHandler().edited_since(older, "Event")  # no fingerprint to compare: the store decides


def test_push_draft_handlers_are_the_abstract_kind() -> None:
    assert all(isinstance(h, DraftHandler) for h in draft_handlers().values())
    with pytest.raises(TypeError):
        DraftHandler()  # type: ignore[abstract]


def test_push_protocol_refuses_two_different_lookups_for_one_object() -> None:
    import dataclasses
    from datetime import timedelta

    from app.sync.push.base import PushReport, PushSettings
    from app.sync.push.budget import ApiBudget
    from app.sync.push.gate import ApiGate
    from app.sync.push.kinds.task import TASK_LOOKUP
    from app.sync.push.ledger import Ledger
    from app.sync.push.protocol import ExactlyOnce

    class OtherTasks(TaskHandler):
        kind = ItemKind.PERSON  # any key: the clash is in what it declares
        lookups = (dataclasses.replace(TASK_LOOKUP, filter_field="Description"),)

    gate = ApiGate(client=None, budget=ApiBudget(), retry_after=timedelta(seconds=1))  # type: ignore[arg-type]
    ledger = Ledger(db=None, report=PushReport())  # type: ignore[arg-type]
    ExactlyOnce(gate, ledger, None, 1, PushSettings(), draft_handlers())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="two lookups for Task"):
        ExactlyOnce(gate, ledger, None, 1, PushSettings(),  # type: ignore[arg-type]
                    {**draft_handlers(), ItemKind.PERSON: OtherTasks()})
