"""Drafts → the records Salesforce receives, and fingerprints that compare what we sent with what it holds.

Record shapes from the Object Reference (Task, Note, ContentNote, ContentDocumentLink) and
/work/shared/reference/salesforce-api-notes.md: a queried record carries ``attributes`` with a ``url``,
18-character Ids, and CRLF line endings in long text.
"""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from app.store.notes import NoteDraft
from app.store.tasks import TaskDraft
from app.sync.push.mapping import (
    classic_note_fingerprint,
    classic_note_record,
    content_note_fingerprint,
    content_note_record,
    decode_content,
    event_section_of,
    link_record,
    merge_event_description,
    note_update_record,
    sent_fingerprint,
    task_fingerprint,
    task_record,
    without_owner,
)

NOW = datetime(2026, 5, 1, tzinfo=UTC)
UID = "0f0e0d0c-0000-4000-8000-000000000001"
CONTACT, ACCOUNT, LEAD, OWNER = "003000000000001AAA", "001000000000001AAA", "00Q000000000001AAA", "005000000000001AAA"
BODY = "Met with **Maria**.\n\n- IRA < 401k & more"


def _note(title: str = "Annual review", body: str = BODY, uid: str = UID) -> NoteDraft:
    return NoteDraft(1, uid, 1, 1, CONTACT, 1, "00U000000000001AAA", title, body, ("Client",), None, "draft",
                     None, None, None, NOW, NOW)


def _task(**changes: object) -> TaskDraft:
    fields: dict[str, object] = dict(
        id=1, uid=UID, connection_id=1, contact_id=1, note_id=None, subject="Send IRA transfer form",
        due_date=date(2026, 5, 8), priority="High", status="Not Started", owner_id=None, who_id=CONTACT,
        what_id=ACCOUNT, description="Line one\nLine two", state="draft", remote_id=None, last_pushed_hash=None,
        created_at=NOW, updated_at=NOW)
    fields.update(changes)
    return TaskDraft(**fields)  # type: ignore[arg-type]


def test_sync_task_record_is_what_salesforce_takes() -> None:
    assert task_record(_task(), default_owner=OWNER) == {
        "attributes": {"type": "Task"}, "Subject": "Send IRA transfer form", "ActivityDate": "2026-05-08",
        "Status": "Not Started", "Priority": "High", "OwnerId": OWNER, "WhoId": CONTACT, "WhatId": ACCOUNT,
        "Description": "Line one\nLine two"}


def test_sync_task_record_leaves_org_defaults_to_the_org_and_empty_fields_null() -> None:
    record = task_record(_task(status=None, priority=None, due_date=None, description=""), default_owner=None)
    assert "Status" not in record and "Priority" not in record and "OwnerId" not in record
    assert record["ActivityDate"] is None and record["Description"] is None


def test_sync_task_record_on_a_lead_sends_no_what_id() -> None:
    # With a Lead in WhoId, WhatId must be empty (Task, Object Reference).
    record = task_record(_task(who_id=LEAD), default_owner=OWNER)
    assert record["WhoId"] == LEAD and record["WhatId"] is None


def test_sync_task_record_carries_our_external_id_when_the_org_has_the_field() -> None:
    record = task_record(_task(), default_owner=OWNER, key_field="Notebridge_Id__c", key=UID)
    assert record["Notebridge_Id__c"] == UID
    assert "Notebridge_Id__c" not in task_record(_task(), default_owner=OWNER, key_field="Notebridge_Id__c")


def test_sync_content_note_is_base64_of_escaped_html() -> None:
    record = content_note_record(_note())
    assert record["attributes"] == {"type": "ContentNote"} and record["Title"] == "Annual review"
    html = base64.b64decode(record["Content"]).decode("utf-8")
    assert html == "<p>Met with <b>Maria</b>.</p><ul><li>IRA &lt; 401k &amp; more</li></ul>"
    assert decode_content(record["Content"]) == html


def test_sync_classic_note_is_plain_text_on_its_parent() -> None:
    assert classic_note_record(_note(), CONTACT) == {
        "attributes": {"type": "Note"}, "ParentId": CONTACT, "Title": "Annual review",
        "Body": "Met with Maria.\n\n• IRA < 401k & more"}
    assert classic_note_record(_note(body=""), CONTACT)["Body"] is None


def test_sync_link_record_shares_the_note_with_the_client() -> None:
    assert link_record("069000000000001AAA", CONTACT) == {
        "attributes": {"type": "ContentDocumentLink"}, "ContentDocumentId": "069000000000001AAA",
        "LinkedEntityId": CONTACT, "ShareType": "V", "Visibility": "AllUsers"}


def test_sync_note_updates_send_only_updatable_fields() -> None:
    content = note_update_record(_note(), "ContentNote", "069000000000001AAA")
    assert set(content) == {"attributes", "Title", "Content", "Id"}  # only Title and Content are updatable
    classic = note_update_record(_note(), "Note", "002000000000001AAA")
    assert set(classic) == {"attributes", "Title", "Body", "Id"} and classic["Id"] == "002000000000001AAA"


# -- fingerprints -------------------------------------------------------------------------------------------

def _as_queried(sent: dict[str, object], sobject: str, record_id: str) -> dict[str, object]:
    """The record as a SOQL query returns it: attributes with a url, the Id, CRLF, 18-character Ids."""
    back = {k: (v.replace("\n", "\r\n") if isinstance(v, str) else v) for k, v in sent.items() if k != "attributes"}
    return {"attributes": {"type": sobject, "url": f"/services/data/v62.0/sobjects/{sobject}/{record_id}"},
            "Id": record_id, **back}


def test_sync_task_fingerprint_matches_what_salesforce_gives_back() -> None:
    sent = task_record(_task(who_id=CONTACT[:15], what_id=ACCOUNT[:15]), default_owner=OWNER)
    queried = _as_queried(sent, "Task", "00T000000000001AAA")
    queried.update(WhoId=CONTACT, WhatId=ACCOUNT)  # Salesforce answers with 18-character Ids
    assert task_fingerprint(queried) == task_fingerprint(sent) == sent_fingerprint(sent)


def test_sync_task_fingerprint_sees_a_change_made_in_salesforce() -> None:
    sent = task_record(_task(), default_owner=OWNER)
    for name, value in [("Subject", "Send IRA transfer form today"), ("ActivityDate", "2026-05-09"),
                        ("Status", "Completed"), ("Description", None), ("WhoId", "003000000000002AAA")]:
        assert task_fingerprint({**sent, name: value}) != task_fingerprint(sent), name


def test_sync_classic_note_fingerprint_ignores_line_endings_and_empty_versus_null() -> None:
    sent = classic_note_record(_note(), CONTACT)
    queried = _as_queried(sent, "Note", "002000000000001AAA")
    assert classic_note_fingerprint(queried) == classic_note_fingerprint(sent) == sent_fingerprint(sent)
    empty = classic_note_record(_note(body=""), CONTACT)
    assert classic_note_fingerprint({**empty, "Body": ""}) == classic_note_fingerprint(empty)
    assert classic_note_fingerprint({**sent, "Title": "Review"}) != classic_note_fingerprint(sent)


def test_sync_content_note_fingerprint_compares_the_words_not_the_markup() -> None:
    sent = content_note_record(_note())
    html = decode_content(sent["Content"])
    assert sent_fingerprint(sent) == content_note_fingerprint("Annual review", html)
    assert content_note_fingerprint("Annual review", html.replace("<b>", "<strong>").replace("</b>", "</strong>")) \
        == sent_fingerprint(sent)
    assert content_note_fingerprint("Annual review", "<p>Met with Maria.</p>") != sent_fingerprint(sent)
    assert content_note_fingerprint("Review", html) != sent_fingerprint(sent)


def test_sync_other_records_fingerprint_all_their_fields() -> None:
    link = link_record("069000000000001AAA", CONTACT)
    assert sent_fingerprint(link) == sent_fingerprint({**link, "LinkedEntityId": CONTACT[:15]})
    assert sent_fingerprint(link) != sent_fingerprint({**link, "ShareType": "C"})


def test_sync_without_owner() -> None:
    sent = task_record(_task(), default_owner=OWNER)
    assert "OwnerId" not in without_owner(sent) and without_owner(sent)["Subject"] == sent["Subject"]
    assert "OwnerId" in sent


@settings(deadline=None)
@given(st.one_of(st.none(), st.text(max_size=40)))
def test_sync_decode_content_never_raises(content: str | None) -> None:
    assert isinstance(decode_content(content), str)


# -- the meeting's description --------------------------------------------------------------------------------

def test_sync_event_section_is_added_then_replaced_and_the_rest_kept() -> None:
    existing = "Agenda:\r\n1. Portfolio\r\n2. IRA"
    once = merge_event_description(existing, _note())
    assert once.startswith("Agenda:\n1. Portfolio\n2. IRA\n\n[Notebridge note " + UID + "]\nAnnual review\n\n")
    edited = merge_event_description(once, _note(body="Moved the IRA."))
    assert edited == ("Agenda:\n1. Portfolio\n2. IRA\n\n[Notebridge note " + UID + "]\nAnnual review\n\n"
                      "Moved the IRA.\n[/Notebridge note " + UID + "]")
    assert event_section_of(edited, UID) == edited.split("\n\n", 1)[1]
    assert event_section_of(edited, "0f0e0d0c-0000-4000-8000-000000000009") is None
    assert merge_event_description(None, _note(body="")) == (
        f"[Notebridge note {UID}]\nAnnual review\n[/Notebridge note {UID}]")


other_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=80).filter(lambda t: "Notebridge" not in t)


@settings(deadline=None)
@given(other_text, other_text, st.text(max_size=60), st.text(max_size=60))
def test_sync_event_sections_of_two_notes_live_side_by_side(before: str, after: str, body_a: str, body_b: str) -> None:
    a = _note(title="Review", body=body_a)
    b = _note(title="Follow-up", body=body_b, uid="0f0e0d0c-0000-4000-8000-000000000002")
    merged = merge_event_description(merge_event_description(before, a) + after, b)
    assert merge_event_description(merged, a) == merged  # re-pushing the same note changes nothing
    assert merge_event_description(merged, b) == merged
    assert event_section_of(merged, a.uid) is not None and event_section_of(merged, b.uid) is not None
    without_sections = merged.replace(event_section_of(merged, a.uid) or "", "").replace(
        event_section_of(merged, b.uid) or "", "")
    for line in [*before.replace("\r\n", "\n").split("\n"), *after.replace("\r\n", "\n").split("\n")]:
        assert line.strip() in without_sections  # the advisor's and others' text is kept
