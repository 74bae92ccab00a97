"""New meeting from the client view, through the real editor and loop: an Event on the client, and a
meeting Salesforce would refuse (over 14 days) stopped with plain words in the Outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import shiboken6
from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import QDateTimeEdit, QLineEdit
from pytestqt.qtbot import QtBot

from app.ui.editor.activity_editor import ActivityEditor
from app.ui.outbox import OutboxPage
from tests.support.qt_loop import until
from tests.ui.activities.conftest import ClientView, client_view

START = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)


def _set_times(editor: ActivityEditor, start: datetime, end: datetime) -> None:
    starts, ends = editor.inputs["start"], editor.inputs["end"]
    assert isinstance(starts, QDateTimeEdit) and isinstance(ends, QDateTimeEdit)
    starts.setDateTime(QDateTime.fromSecsSinceEpoch(int(start.timestamp())))
    ends.setDateTime(QDateTime.fromSecsSinceEpoch(int(end.timestamp())))


def _subject(editor: ActivityEditor, qtbot: QtBot, text: str) -> None:
    subject = editor.inputs["subject"]
    assert isinstance(subject, QLineEdit)
    subject.clear()
    qtbot.keyClicks(subject, text)


async def test_log_meeting_online_is_one_event_on_the_client(qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot) as view:
        assert view.detail.activity_buttons["meeting"].text() == "New meeting"
        editor = await view.open("meeting", qtbot)
        # The client is the main attendee, and the screen says so.
        assert editor.notice.isVisible() and "main attendee" in editor.notice.text()
        _subject(editor, qtbot, "Rollover planning")
        _set_times(editor, START, START + timedelta(minutes=45))
        qtbot.keyClicks(editor.inputs["location"], "Main Street office")
        assert await editor.push()

        await until(lambda: editor.state_label.text() == "Pushed · saved", "the editor shows Pushed")
        [event] = [r for r in view.live("Event") if r["Subject"] == "Rollover planning"]
        assert event["WhoId"] == view.contact_sf_id and event["Location"] == "Main Street office"
        assert event["DurationInMinutes"] == 45 and event["StartDateTime"].startswith("2026-12-08T15:00:00")


async def test_log_meeting_over_14_days_is_stopped_with_plain_words_in_the_outbox(
        qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot) as view:
        outbox = OutboxPage(view.app.db, view.app.connection_id, loop=view.app.push.loop, events=view.app.events)
        outbox.show()
        try:
            await _meeting_over_14_days(view, outbox, qtbot)
        finally:  # gone before the workspace closes: it follows the bus until it is destroyed
            outbox.close()
            shiboken6.delete(outbox)


async def _meeting_over_14_days(view: ClientView, outbox: OutboxPage, qtbot: QtBot) -> None:
    editor = await view.open("meeting", qtbot)
    _subject(editor, qtbot, "Fortnight retreat")
    _set_times(editor, START, START + timedelta(days=15))
    events_before = len(view.live("Event"))
    assert await editor.push()  # the form itself is fine; Salesforce's rule is checked before sending

    await until(lambda: editor.state_label.text() == "Needs attention · saved", "the meeting needs attention")
    await outbox.refresh()
    [entry] = [e for e in outbox.entries if e.title == "Fortnight retreat"]
    assert entry.outbox.state == "failed"
    words = outbox.tree.topLevelItem(0).text(3)
    assert "at most 14 days" in words and "15.0 days" in words
    assert outbox.tree.topLevelItem(0).text(1) == "Meeting: Fortnight retreat"
    assert len(view.live("Event")) == events_before  # nothing was sent
