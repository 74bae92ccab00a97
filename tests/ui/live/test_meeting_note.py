"""Meetings are things to act on: "Write the meeting note" in the client view opens a note already tied
to that meeting, and a Client-tagged note written there ends up in the meeting's (Event's)
description in Salesforce, by the existing rule — no choosing the meeting inside the editor."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot
from sqlmodel import Session, col, select

from app.store import contacts
from app.store import notes as notes_repo
from app.store.models import Event
from app.ui.editor.note_editor import NoteEditor
from app.ui.editor.window import EditorLauncher
from app.ui.workspace.detail import ContactDetail
from tests.support.qt_loop import until
from tests.ui.live.conftest import live_app


def _a_client_with_a_meeting(session: Session, connection_id: int) -> tuple[int, int, str, str]:
    """(contact id, event id, event Salesforce id, event subject) for a synced meeting with a person."""
    for event in session.exec(select(Event).where(col(Event.connection_id) == connection_id,
                                                  col(Event.who_id).is_not(None))).all():
        person = contacts.get_by_sf_id(session, connection_id, event.who_id or "")
        if person is not None and person.id is not None and event.id is not None and not person.read_only:
            return person.id, event.id, event.sf_id, event.subject or "Meeting"
    raise AssertionError("the demo org's meetings were not synced")


async def test_meeting_note_from_the_client_view_goes_into_the_event_description(
        qtbot: QtBot, tmp_path: Path) -> None:
    async with live_app(tmp_path) as app:
        cid = app.connection_id
        contact_id, event_id, event_sf_id, subject = await app.db.run(lambda s: _a_client_with_a_meeting(s, cid))
        detail = ContactDetail(app.db, events=app.events)
        qtbot.addWidget(detail)
        detail.set_connection(cid, app.org.base_url)
        launcher = EditorLauncher(app.db, cid, events=app.events, client=app.manager.client)
        asked: list[tuple[int, int]] = []
        detail.meeting_note_requested.connect(lambda c, e: asked.append((c, e)))
        assert await detail.show_contact(contact_id) is not None
        shown = detail.meetings_view.text()
        assert subject in shown and f'href="meeting:{event_id}">Write the meeting note</a>' in shown

        detail.meetings_view.linkActivated.emit(f"meeting:{event_id}")  # the advisor clicks the link
        assert asked == [(contact_id, event_id)]
        client, meeting = asked[0]
        window = await launcher.open_note_editor(client, event_id=meeting)  # what the shell does with it
        qtbot.addWidget(window)
        editor = window.editor
        assert isinstance(editor, NoteEditor)
        assert editor.meeting.currentData() == event_id and subject in editor.meeting.currentText()
        note = await app.db.run(lambda s: notes_repo.get(s, editor.note.id))
        assert note is not None and note.event_sf_id == event_sf_id  # tied before a key is pressed
        # Once written, the meeting offers the note instead of a second one.
        await until(lambda: f'href="note:{editor.note.id}">Open the meeting note</a>' in detail.meetings_view.text(),
                    "the meeting links to its note")

        editor.client_tag.setChecked(True)
        qtbot.keyClicks(editor.title, "Review with the family")
        qtbot.keyClicks(editor.body, "Agreed to move the bond ladder to Treasuries.")
        assert await editor.push()
        await until(lambda: editor.state_label.text() == "Pushed · saved", "the meeting note is pushed")

        event = next(r for r in app.org.records("Event") if r["Id"][:15] == event_sf_id[:15])
        description = str(event.get("Description") or "")
        assert "Agreed to move the bond ladder to Treasuries." in description
        assert f"[Notebridge note {editor.note.uid}]" in description
        assert description.count(f"[Notebridge note {editor.note.uid}]") == 1
        await launcher.close_all()


async def test_meeting_note_link_is_not_offered_for_a_converted_lead_and_new_meeting_is_a_hook(
        qtbot: QtBot, tmp_path: Path) -> None:
    """A converted lead takes nothing new (the links stay text); "New meeting" asks whoever listens."""
    async with live_app(tmp_path) as app:
        cid = app.connection_id
        contact_id, event_id, _sf_id, _subject = await app.db.run(lambda s: _a_client_with_a_meeting(s, cid))
        detail = ContactDetail(app.db, events=app.events)
        qtbot.addWidget(detail)
        detail.set_connection(cid, app.org.base_url)
        meetings: list[int] = []
        detail.new_meeting_requested.connect(meetings.append)
        assert detail.new_meeting() is False  # no client on screen
        assert await detail.show_contact(contact_id) is not None
        assert detail.new_meeting() is True and meetings == [contact_id]
        assert detail.write_meeting_note(event_id + 10_000) is False  # not one of this client's meetings

        def make_read_only(session: Session) -> None:
            row = contacts.get(session, cid, contact_id)
            assert row is not None
            row.read_only = True
            session.add(row)

        await app.db.run(make_read_only)
        assert await detail.show_contact(contact_id) is not None
        assert "Write the meeting note" not in detail.meetings_view.text()
        assert not detail.task_button.isEnabled() and detail.new_task() is False
        assert detail.write_meeting_note(event_id) is False and detail.new_meeting() is False
