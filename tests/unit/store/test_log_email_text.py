"""An email's Description: the whole email when it fits, else the body cut at the end — said first, never silently."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.store import activity_forms
from app.store.email_text import DESCRIPTION_MAX, cut_notice, description
from app.store.kinds import ItemKind
from app.sync.push.kinds.email import email_record


def _fields(body: str, **extra: object) -> dict[str, object]:
    return activity_forms.clean(ItemKind.EMAIL, {
        "subject": "Rollover", "sender": "Ann <ann@example.com>", "to": "advisor@firm.example",
        "sent": "2026-12-01T09:00:00+00:00", "body": body, **extra})


def test_log_email_that_fits_is_sent_whole_with_its_headers_and_attachments() -> None:
    fields = _fields("Please call me.", attachments=[{"name": "statement.pdf", "size": 120 * 1024}])
    described = description(fields)
    assert described.cut_chars == 0 and cut_notice(fields) == ""
    assert described.text == ("From: Ann <ann@example.com>\nTo: advisor@firm.example\nDate: 1 Dec 2026 09:00 UTC"
                              "\n\nPlease call me.\n\nAttachments (not uploaded): statement.pdf (120 KB)")
    assert activity_forms.warnings(ItemKind.EMAIL, fields) == []


def test_log_email_over_long_body_message_says_what_is_cut_and_push_stays_possible() -> None:
    body = "A" * 40_000 + "\nTHE END"
    fields = _fields(body)
    described = description(fields)
    assert len(described.text) <= DESCRIPTION_MAX
    assert described.text.endswith("more characters of this email were not kept: Salesforce keeps 32,000.]")
    assert "THE END" not in described.text and described.text.startswith("From: Ann")
    kept = described.text.split("\n\n")[1]
    assert described.cut_chars == len(body) - len(kept) > 8_000
    notice = cut_notice(fields)
    assert f"{len(body):,} characters long" in notice and f"the last {described.cut_chars:,} characters" in notice
    assert activity_forms.warnings(ItemKind.EMAIL, fields) == [("body", notice)]
    assert activity_forms.problems(ItemKind.EMAIL, fields) == []  # the body never stops Push; the subject can


def test_log_email_subject_over_255_is_a_problem_not_a_cut() -> None:
    fields = _fields("x", subject="S" * 256)
    assert [name for name, _ in activity_forms.problems(ItemKind.EMAIL, fields)] == ["subject"]


@settings(max_examples=150, deadline=None)
@given(body=st.text(max_size=200).map(lambda s: s * 250), head=st.text(max_size=300),
       files=st.lists(st.text(min_size=1, max_size=40), max_size=5))
def test_log_email_description_always_fits_and_reports_the_cut_exactly(body: str, head: str, files: list[str]) -> None:
    fields = _fields(body, sender=head, attachments=[{"name": n, "size": 10} for n in files])
    described = description(fields)
    assert len(described.text) <= DESCRIPTION_MAX
    whole_body = body.strip()
    if described.cut_chars == 0:
        assert whole_body in described.text
    else:
        assert cut_notice(fields) and f"{described.cut_chars:,} more characters" in described.text
    record = email_record(fields, status="Completed", owner_id="005", who_id="003X", what_id="001X")
    assert record["TaskSubtype"] == "Email" and len(record["Subject"]) <= 255
    assert record["Description"] == (described.text or None)


def test_log_email_task_record_is_a_completed_email_on_the_client() -> None:
    record = email_record(_fields("Hi"), status="Completed", owner_id="005A", who_id="003A", what_id="001A")
    assert record["Subject"] == "Email: Rollover" and record["Status"] == "Completed"
    assert (record["WhoId"], record["WhatId"], record["TaskSubtype"]) == ("003A", "001A", "Email")
    lead = email_record(_fields("Hi"), status="Completed", owner_id=None, who_id="00QA", what_id="001A")
    assert lead["WhatId"] is None  # a Lead takes no WhatId


def test_log_email_forgotten_unsent_is_exported_with_its_attachments_listed() -> None:
    from datetime import UTC, datetime

    from app.store.activities import ActivityDraftValue
    from app.sync.connection import OrgConnection
    from app.sync.forget import export_markdown

    moment = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
    email = ActivityDraftValue(
        id=1, uid="u", connection_id=1, kind=ItemKind.EMAIL, contact_id=None, who_id=None, what_id=None,
        fields=_fields("Please call.", attachments=[{"name": "statement.pdf", "size": 2048}]), state="draft",
        remote_id=None, last_pushed_hash=None, created_at=moment, updated_at=moment)
    connection = OrgConnection(1, "00D", "Org", "https://x", "https://login", "005", "a@b.c", "A", "66.0", "k",
                               "ContentNote", "Contact")
    text = export_markdown(connection, [], [], {}, moment, activities=[email])
    assert "## Calls, meetings and emails (1)" in text and "### Email: Rollover" in text
    assert "- Attachments: statement.pdf (2 KB)" in text and "Please call." in text
    assert "[{" not in text  # the list is written as words, not as data
