"""What we are about to send is compared with what Salesforce holds by content: ``comparable`` must agree
with the fingerprint of the same record as a query returns it (18-character Ids, CRLF, null for empty)."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

from app.store.notes import NoteDraft
from app.store.tasks import TaskDraft
from app.sync.push.conflicts import RemoteVersion, comparable
from app.sync.push.mapping import (
    classic_note_fingerprint,
    content_note_fingerprint,
    content_note_record,
    note_update_record,
    task_fingerprint,
    task_record,
)

NOW = datetime(2026, 5, 1, tzinfo=UTC)
CONTACT = "003000000000001AAA"


def _task(subject: str = "Send IRA transfer form") -> TaskDraft:
    return TaskDraft(1, "u-1", 1, 1, None, subject, date(2026, 5, 8), "Normal", "Not Started", "005000000000001",
                     CONTACT[:15], None, "Bring:\n- statement", "draft", "00T000000000001AAA", None, NOW, NOW)


def _note(body: str = "Met with Maria.\n\nShe wants to move the IRA.") -> NoteDraft:
    return NoteDraft(1, "0f0e0d0c-0000-4000-8000-000000000001", 1, 1, CONTACT, None, None, "Annual review", body,
                     (), None, "pushed", "002000000000001AAA", "Note", "x", NOW, NOW)


def test_sync_comparable_task_equals_the_queried_task() -> None:
    sent = task_record(_task(), default_owner=None)
    queried = {"attributes": {"type": "Task", "url": "/services/data/v62.0/sobjects/Task/00T000000000001AAA"},
               "Id": "00T000000000001AAA", "Subject": "Send IRA transfer form", "ActivityDate": "2026-05-08",
               "Status": "Not Started", "Priority": "Normal", "OwnerId": "005000000000001AAA", "WhoId": CONTACT,
               "WhatId": None, "Description": "Bring:\r\n- statement"}
    assert comparable("Task", sent) == task_fingerprint(queried)
    assert comparable("Task", task_record(_task("Call Maria"), default_owner=None)) != task_fingerprint(queried)


def test_sync_comparable_classic_note_update_takes_the_parent_it_keeps() -> None:
    update = note_update_record(_note(), "Note", "002000000000001AAA")  # an update carries no ParentId
    queried = {"attributes": {"type": "Note"}, "Id": "002000000000001AAA", "Title": "Annual review",
               "Body": "Met with Maria.\r\n\r\nShe wants to move the IRA.", "ParentId": CONTACT}
    assert comparable("Note", update, CONTACT[:15]) == classic_note_fingerprint(queried)
    # Without the parent the comparison would wrongly see a change.
    assert comparable("Note", update) != classic_note_fingerprint(queried)
    assert comparable("Note", {**update, "ParentId": CONTACT}) == classic_note_fingerprint(queried)


def test_sync_comparable_content_note_compares_the_text_salesforce_stores() -> None:
    sent = content_note_record(_note())
    stored_html = "<p>Met with Maria.</p><p>She wants to move the IRA.</p>"
    assert base64.b64decode(sent["Content"]).decode() == stored_html
    assert comparable("ContentNote", sent) == content_note_fingerprint("Annual review", stored_html)
    assert comparable("ContentNote", sent) != content_note_fingerprint("Annual review", "<p>Met with Maria.</p>")


def test_sync_remote_version_of_a_deleted_record_has_nothing_to_compare() -> None:
    gone = RemoteVersion("00T000000000001AAA", False)
    assert not gone.exists and gone.fingerprint == "" and gone.shown == {} and gone.changes == {}
