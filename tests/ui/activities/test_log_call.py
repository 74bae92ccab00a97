"""Log a call from the client view, through the real editor, pushed by the real loop to the demo org:
online, while Salesforce does not answer, with a lost answer, and with an expired sign-in — once each."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QSpinBox
from pytestqt.qtbot import QtBot

from app.services.events import PushStatusChanged
from app.ui.editor.activity_editor import PUSHED_WORDS, ActivityEditor
from tests.support.qt_loop import until
from tests.ui.activities.conftest import ClientView, client_view


def _fill_call(editor: ActivityEditor, qtbot: QtBot, outcome: str) -> None:
    duration = editor.inputs["duration_minutes"]
    direction = editor.inputs["direction"]
    outcome_box = editor.inputs["outcome"]
    note = editor.inputs["note"]
    assert isinstance(duration, QSpinBox) and isinstance(direction, QComboBox)
    assert isinstance(outcome_box, QLineEdit) and isinstance(note, QPlainTextEdit)
    duration.setValue(14)
    direction.setCurrentIndex(direction.findData("Inbound"))
    qtbot.keyClicks(outcome_box, outcome)
    qtbot.keyClicks(note, "Asked about the rollover.")


def _calls(view: ClientView, outcome: str) -> list[dict[str, object]]:
    return [r for r in view.live("Task") if r.get("TaskSubtype") == "Call" and r.get("CallDisposition") == outcome]


async def _push_with_keys(editor: ActivityEditor, qtbot: QtBot) -> None:
    """Ctrl+Enter in the editor's window, as the advisor presses it (the window active, as it is then)."""
    window = editor.window()
    window.activateWindow()
    await until(window.isActiveWindow, "the editor's window is active")
    qtbot.keyClick(editor.inputs["outcome"], Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    await until(lambda: editor.state_label.text().startswith(("Queued", "Sending", "Waiting", "Pushed")),
                "the call queued")


async def test_log_call_online_from_the_client_view_is_one_completed_call_task(qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot) as view:
        assert view.detail.activity_buttons["call"].text() == "Log a call"
        editor = await view.open("call", qtbot)
        assert editor.person.text().startswith("With ")
        _fill_call(editor, qtbot, "Will send the forms")
        await _push_with_keys(editor, qtbot)

        await until(lambda: editor.state_label.text() == "Pushed · saved", "the editor shows Pushed")
        [task] = _calls(view, "Will send the forms")
        assert task["Subject"] == "Inbound call — Will send the forms"
        assert (task["CallType"], task["CallDurationInSeconds"], task["Status"], task["IsClosed"]) == \
            ("Inbound", 14 * 60, "Completed", True)
        assert task["WhoId"] == view.contact_sf_id and task["Description"] == "Asked about the rollover."
        # In Salesforce now: changed there, not here.
        assert editor.pushed_label.isVisible() and editor.pushed_label.text() == PUSHED_WORDS
        assert not editor.inputs["outcome"].isEnabled() and not editor.push_button.isEnabled()
        # The client view lists it with the notes and tasks, and opens it from there.
        await until(lambda: "Inbound call — Will send the forms" in view.detail.work_view.text()
                    and "call, In Salesforce" in view.detail.work_view.text(), "the client view lists the call")
        editor.window().close()
        await until(lambda: not view.launcher.windows, "the call's window closed")
        view.detail.work_view.linkActivated.emit(f"call:{editor.draft.id}")
        await until(lambda: len(view.launcher.windows) == 1, "the call opened from the client view")
        reopened = view.launcher.windows[0].editor
        assert isinstance(reopened, ActivityEditor) and reopened.draft.id == editor.draft.id
        assert reopened.pushed_label.isVisible()


async def test_log_call_while_salesforce_does_not_answer_waits_then_is_pushed_once(
        qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot) as view:
        states: list[str] = []
        view.app.events.subscribe(PushStatusChanged, lambda e: states.append(str(e.status.state)))
        editor = await view.open("call", qtbot)
        _fill_call(editor, qtbot, "Offline call")
        view.app.org.faults.fail_next(10, status=503)  # Salesforce (or the network) is down for a while
        await _push_with_keys(editor, qtbot)

        await until(lambda: editor.state_label.text() == "Pushed · saved", "pushed once it answers again")
        assert "offline" in states  # it waited, offline, and went by itself once Salesforce answered
        assert len(_calls(view, "Offline call")) == 1


async def test_log_call_dropped_response_is_not_duplicated(qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot) as view:
        editor = await view.open("call", qtbot)
        _fill_call(editor, qtbot, "Lost answer")
        view.app.org.faults.drop_after_commit(1)  # Salesforce saves it, the answer never arrives
        await _push_with_keys(editor, qtbot)

        await until(lambda: editor.state_label.text() == "Pushed · saved", "found, not sent again")
        assert len(_calls(view, "Lost answer")) == 1


async def test_log_call_expired_sign_in_is_renewed_and_pushed_once(qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot) as view:
        editor = await view.open("call", qtbot)
        _fill_call(editor, qtbot, "After sign-in expired")
        view.app.org.expire_access_tokens()
        await _push_with_keys(editor, qtbot)

        await until(lambda: editor.state_label.text() == "Pushed · saved", "pushed with a renewed session")
        assert len(_calls(view, "After sign-in expired")) == 1


@pytest.mark.parametrize("kind", ["call", "meeting"])
async def test_log_call_and_meeting_actions_need_a_client_on_screen(
        qtbot: QtBot, tmp_path: Path, kind: str) -> None:
    async with client_view(tmp_path, qtbot) as view:
        assert view.detail.new_activity(kind)
        view.detail.clear()
        assert not view.detail.new_activity(kind)  # no client on screen: nothing is asked for
        await until(lambda: len(view.launcher.windows) == 1, "only the first editor opened")
