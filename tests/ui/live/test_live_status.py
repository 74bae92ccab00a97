"""Item 12: after a push, every open view follows the item — the editor window's state line and the
client view's "Notes and tasks" — without reopening anything."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.store import contacts
from app.ui.editor.window import EditorLauncher
from app.ui.workspace.detail import ContactDetail
from tests.support.qt_loop import until
from tests.ui.live.conftest import live_app


async def test_live_status_editor_and_client_view_follow_the_push(qtbot: QtBot, tmp_path: Path) -> None:
    async with live_app(tmp_path) as app:
        cid = app.connection_id
        contact = (await app.db.run(lambda s: contacts.page(s, cid, 0, 1)))[0]
        detail = ContactDetail(app.db, events=app.events)
        qtbot.addWidget(detail)
        detail.set_connection(cid, app.org.base_url)
        assert await detail.show_contact(contact.id) is not None
        assert "Untitled note" not in detail.work_view.text()

        launcher = EditorLauncher(app.db, cid, events=app.events)
        window = await launcher.open_note_editor(contact.id)
        qtbot.addWidget(window)
        editor = window.editor
        # The new note shows in the client view at once, without choosing the client again.
        await until(lambda: "Untitled note" in detail.work_view.text(), "the new note listed")

        qtbot.keyClicks(editor.title, "Rebalance review")
        qtbot.keyClicks(editor.body, "Talked about the harvest.")
        before = app.org.stats()["api_calls"]
        assert await editor.push()
        assert editor.state_label.text().startswith(("Queued", "Pushed"))
        # The push loop sends it; the editor and the client view both say so, by themselves.
        await until(lambda: editor.state_label.text() == "Pushed · saved", "the editor shows Pushed")
        await until(lambda: "Rebalance review" in detail.work_view.text()
                    and "In Salesforce" in detail.work_view.text(), "the client view shows it pushed")
        assert app.org.stats()["api_calls"] > before
        assert any(r.get("Title") == "Rebalance review" for r in app.org.records("ContentNote"))

        # A task from the same window follows the same way.
        task_window = await launcher.open_task_editor(contact.id)
        qtbot.addWidget(task_window)
        task_editor = task_window.editor
        await until(lambda: "Untitled task" in detail.work_view.text(), "the new task listed")
        qtbot.keyClicks(task_editor.subject, "Call about harvest")
        assert await task_editor.push()
        await until(lambda: task_editor.state_label.text() == "Pushed · saved", "the task editor shows Pushed")
        await until(lambda: "Call about harvest" in detail.work_view.text(), "the client view shows the task")
        await launcher.close_all()  # the windows save and close while the workspace is still open
