"""A meeting's other attendees through the real editor, chooser and push loop: the form says what
becomes of them in this org before Push, and the push does exactly that."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app.services.meeting_attendees import NOT_SHARED_WORDS, SHARED_WORDS
from app.store import activities as activities_repo
from app.store import contacts
from app.ui.editor.activity_editor import ActivityEditor
from app.ui.editor.attendees_field import ALREADY, AttendeesField
from app.ui.editor.client_chooser import ClientChooser
from tests.support.qt_loop import until
from tests.ui.activities.conftest import ClientView, client_view


async def _add(field: AttendeesField, qtbot: QtBot, name: str) -> None:
    """"Add someone…", type the name, choose the first person found."""
    choosing = asyncio.ensure_future(field.choose())
    await until(lambda: isinstance(field.chooser, ClientChooser) and field.chooser.isVisible(), "the chooser opened")
    chooser = field.chooser
    assert chooser is not None
    qtbot.keyClicks(chooser.query, name)
    await until(lambda: chooser.results.count() > 0, f"{name} is found")
    qtbot.mouseClick(chooser.choose_button, Qt.MouseButton.LeftButton)
    await choosing


async def _others(view: ClientView, n: int) -> list[Any]:
    cid = view.app.connection_id
    people = await view.app.db.run(lambda s: contacts.page(s, cid, 0, 20))
    return [p for p in people if p.source_object == "Contact" and p.sf_id != view.contact_sf_id][:n]


async def _meeting_with_two_others(view: ClientView, qtbot: QtBot, words: str) -> tuple[ActivityEditor, list[Any]]:
    editor = await view.open("meeting", qtbot)
    field = editor.inputs["attendees"]
    assert isinstance(field, AttendeesField)
    await until(lambda: field.hint.text() == words, "the form says what becomes of the others")
    subject = editor.inputs["subject"]
    assert isinstance(subject, QLineEdit)
    subject.clear()
    qtbot.keyClicks(subject, "Family review")
    others = await _others(view, 2)
    for person in others:
        await _add(field, qtbot, person.name)
    assert [field.list.item(i).text() for i in range(field.list.count())] == [p.name for p in others]
    return editor, others


async def test_log_meeting_attendees_with_shared_activities_are_related(qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot, shared_activities=True) as view:
        editor, others = await _meeting_with_two_others(view, qtbot, SHARED_WORDS)
        assert await editor.push()

        await until(lambda: editor.state_label.text() == "Pushed · saved", "the editor shows Pushed")
        [event] = [r for r in view.live("Event") if r["Subject"] == "Family review"]
        related = sorted(r["RelationId"] for r in view.live("EventRelation") if r["EventId"] == event["Id"])
        assert related == sorted([view.contact_sf_id, *(p.sf_id for p in others)])
        assert "Also attending" not in (event.get("Description") or "")


async def test_log_meeting_attendees_without_shared_activities_are_named(qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot) as view:
        editor, others = await _meeting_with_two_others(view, qtbot, NOT_SHARED_WORDS)
        field = editor.inputs["attendees"]
        assert isinstance(field, AttendeesField)
        # The client is there already: choosing them again says so and adds no one.
        client = next(p for p in await view.app.db.run(
            lambda s: contacts.page(s, view.app.connection_id, 0, 20)) if p.sf_id == view.contact_sf_id)
        await _add(field, qtbot, client.name)
        assert field.list.count() == 2 and ALREADY in field.message.text()
        assert await editor.push()

        await until(lambda: editor.state_label.text() == "Pushed · saved", "the editor shows Pushed")
        [event] = [r for r in view.live("Event") if r["Subject"] == "Family review"]
        assert event["WhoId"] == view.contact_sf_id
        assert event["Description"] == f"Also attending: {others[0].name}, {others[1].name}"
        assert not [r for r in view.live("EventRelation") if r["EventId"] == event["Id"]]


async def test_log_meeting_attendees_while_salesforce_does_not_answer_wait_then_go_once(
        qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot, shared_activities=True) as view:
        editor, others = await _meeting_with_two_others(view, qtbot, SHARED_WORDS)
        view.app.org.faults.fail_next(10, status=503)  # Salesforce (or the network) is down for a while
        assert await editor.push()

        await until(lambda: editor.state_label.text() == "Pushed · saved", "pushed once it answers again")
        [event] = [r for r in view.live("Event") if r["Subject"] == "Family review"]
        related = sorted(r["RelationId"] for r in view.live("EventRelation") if r["EventId"] == event["Id"])
        assert related == sorted([view.contact_sf_id, *(p.sf_id for p in others)])
        kept = await view.app.db.run(lambda s: activities_repo.get(s, editor.draft.id))
        assert kept is not None and [p["id"] for p in kept.fields["attendees"]] == [p.id for p in others]


async def test_log_meeting_attendees_lost_answers_relate_each_once(qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot, shared_activities=True) as view:
        editor, others = await _meeting_with_two_others(view, qtbot, SHARED_WORDS)
        view.app.org.faults.drop_after_commit(2)  # the Event's answer and the relations' answer are lost
        assert await editor.push()

        await until(lambda: editor.state_label.text() == "Pushed · saved", "found, not sent again")
        [event] = [r for r in view.live("Event") if r["Subject"] == "Family review"]
        related = sorted(r["RelationId"] for r in view.live("EventRelation") if r["EventId"] == event["Id"])
        assert related == sorted([view.contact_sf_id, *(p.sf_id for p in others)])
        assert view.app.org.faults.pending["drops"] == 0
