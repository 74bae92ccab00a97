"""Tasks on their own: "New task" from the client view and from the Outbox, online and offline, and
the first task on a new connection — through the real widgets, the real push loop and the demo org.

Each task must reach Salesforce exactly once, with the org's own Status/Priority values (asked of the
org when the workspace has none yet: nothing is seeded), the wizard's default assignee, and the client
it is about."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from pytestqt.qtbot import QtBot

from app.services.events import PushStatusChanged
from app.store import contacts, users
from app.store import settings as settings_repo
from app.store import tasks as tasks_repo
from app.store.tasks import DEFAULT_ASSIGNEE_SETTING
from app.sync.push.loop import LoopState
from app.ui.editor.client_chooser import ClientChooser
from app.ui.editor.task_editor import TaskEditor
from app.ui.editor.window import EditorLauncher, EditorWindow
from app.ui.outbox import OutboxPage
from app.ui.workspace.detail import ContactDetail
from tests.support.qt_loop import until
from tests.ui.live.conftest import LiveApp, live_app


def _org_values(app: LiveApp, sobject: str) -> list[str]:
    return [r["ApiName"] for r in sorted(app.org.records(sobject), key=lambda r: r["SortOrder"])]


def _org_default(app: LiveApp, sobject: str) -> str:
    return next(r["ApiName"] for r in app.org.records(sobject) if r.get("IsDefault"))


def _tasks_named(app: LiveApp, subject: str) -> list[dict[str, Any]]:
    return [r for r in app.org.records("Task") if r.get("Subject") == subject]


def _items(combo: Any) -> list[str]:
    return [combo.itemText(i) for i in range(combo.count())]


async def _nothing_more_to_send(app: LiveApp) -> None:
    """Wake the push and wait for it to report idle: whatever it would send again, it has sent.
    (Woken on every poll: a wake that lands while a run is finishing is taken by that run.)"""
    statuses: list[LoopState] = []
    unsubscribe = app.events.subscribe(PushStatusChanged, lambda e: statuses.append(e.status.state))

    def looked_again() -> bool:
        if LoopState.IDLE in statuses:
            return True
        app.push.loop.wake()
        return False

    try:
        await until(looked_again, "the push looked again and found nothing due")
    finally:
        unsubscribe()


async def test_new_task_from_the_client_view_goes_out_once_with_the_default_assignee(
        qtbot: QtBot, tmp_path: Path) -> None:
    async with live_app(tmp_path) as app:
        cid = app.connection_id
        contact = (await app.db.run(lambda s: contacts.page(s, cid, 0, 1)))[0]
        me = app.manager.active.user_id if app.manager.active else ""
        colleague = next(u for u in await app.db.run(lambda s: users.active(s, cid)) if u.sf_id != me)
        # The wizard's "assign new tasks to" choice.
        await app.db.run(lambda s: settings_repo.put(s, cid, DEFAULT_ASSIGNEE_SETTING, colleague.sf_id))

        detail = ContactDetail(app.db, events=app.events)
        qtbot.addWidget(detail)
        detail.set_connection(cid, app.org.base_url)
        launcher = EditorLauncher(app.db, cid, events=app.events, client=app.manager.client)
        opened: list[int] = []  # the shell opens the editor for it (tests/ui/live/test_new_task_shell.py)
        detail.new_task_requested.connect(opened.append)
        assert await detail.show_contact(contact.id) is not None
        assert detail.task_button.isEnabled() and detail.task_button.text() == "New task"

        qtbot.mouseClick(detail.task_button, Qt.MouseButton.LeftButton)
        assert opened == [contact.id]
        window = await launcher.open_task_editor(opened[0])
        qtbot.addWidget(window)
        editor = window.editor
        assert isinstance(editor, TaskEditor)
        assert _items(editor.status) == _org_values(app, "TaskStatus")
        assert _items(editor.priority) == _org_values(app, "TaskPriority")
        assert editor.status.currentText() == _org_default(app, "TaskStatus")
        assert editor.priority.currentText() == _org_default(app, "TaskPriority")
        assert editor.owner.currentData() == colleague.sf_id and editor.owner.currentText() == colleague.name
        assert editor.person.text() == contact.name
        await until(lambda: "Untitled task" in detail.work_view.text(), "the new task listed for the client")

        qtbot.keyClicks(editor.subject, "Send the rollover form")
        editor.has_due.setChecked(True)
        editor.due.setDate(QDate(2027, 1, 15))
        editor.priority.setCurrentIndex(editor.priority.findData(_org_values(app, "TaskPriority")[0]))
        assert await editor.push()
        await until(lambda: editor.state_label.text() == "Pushed · saved", "the task is pushed")

        sent = _tasks_named(app, "Send the rollover form")
        assert len(sent) == 1, sent
        record = sent[0]
        assert record["WhoId"][:15] == contact.sf_id[:15]
        assert record["OwnerId"][:15] == colleague.sf_id[:15]
        assert record["Status"] == _org_default(app, "TaskStatus")
        assert record["Priority"] == _org_values(app, "TaskPriority")[0]
        assert str(record["ActivityDate"]).startswith("2027-01-15")
        await until(lambda: "Send the rollover form" in detail.work_view.text()
                    and "In Salesforce" in detail.work_view.text(), "the client view shows it sent")

        # Nothing goes twice: another pass of the push finds nothing to send.
        await _nothing_more_to_send(app)
        assert len(_tasks_named(app, "Send the rollover form")) == 1
        await launcher.close_all()


async def test_new_task_from_the_outbox_offline_is_queued_then_pushed_once_on_reconnect(
        qtbot: QtBot, tmp_path: Path) -> None:
    async with live_app(tmp_path, follow_connection=True) as app:  # the push and the badge, as in the app
        cid = app.connection_id
        contact = (await app.db.run(lambda s: contacts.page(s, cid, 0, 1)))[0]
        launcher = EditorLauncher(app.db, cid, events=app.events, client=app.manager.client)
        page = OutboxPage(app.db, cid, instance_url=app.org.base_url, loop=app.push.loop, events=app.events)
        qtbot.addWidget(page)
        # What the shell does: the button opens the editor; the loop's status re-reads the list.
        app_tasks: list[Any] = []
        page.new_task_requested.connect(lambda: app_tasks.append(launcher.open_task_editor(None)))
        unsubscribe = app.events.subscribe(PushStatusChanged, lambda e: page.set_loop_status(e.status))
        await page.refresh()
        page.show()
        assert (await app.manager.test_connection()).state == "connected"  # the app's first check at start

        app.org.faults.fail_next(10_000, status=503)  # Salesforce can't be reached from here on
        qtbot.mouseClick(page.new_task_button, Qt.MouseButton.LeftButton)
        assert len(app_tasks) == 1
        window = await app_tasks[0]
        qtbot.addWidget(window)
        editor = window.editor
        assert isinstance(editor, TaskEditor)
        assert editor.person.text() == "—" and editor.choose_client.text() == "Choose a client…"
        # The values were cached by the first sync, so offline changes nothing in what is offered.
        assert _items(editor.status) == _org_values(app, "TaskStatus")

        chooser_task = asyncio.ensure_future(editor.choose_person())  # what "Choose a client…" runs
        await until(lambda: isinstance(editor.chooser, ClientChooser) and editor.chooser.isVisible(),
                    "the client chooser is open")
        chooser = editor.chooser
        assert chooser is not None
        qtbot.keyClicks(chooser.query, contact.name)
        await until(lambda: chooser.results.count() > 0, "the client is found")
        qtbot.mouseClick(chooser.choose_button, Qt.MouseButton.LeftButton)
        chosen = await chooser_task
        assert chosen is not None and chosen.id == contact.id
        assert editor.person.text() == contact.name and window.windowTitle() == f"Task — {contact.name}"

        qtbot.keyClicks(editor.subject, "Book the annual review")
        assert await editor.push()
        await until(lambda: any("Book the annual review" in page.tree.topLevelItem(i).text(1)
                                for i in range(page.tree.topLevelItemCount())), "the task waits in the Outbox")
        await until(lambda: app.push.loop.state == LoopState.OFFLINE, "the push waits for Salesforce")
        assert not _tasks_named(app, "Book the annual review")
        stored = await app.db.run(lambda s: tasks_repo.get(s, editor.task.id))
        assert stored is not None and stored.state in ("queued", "waiting")

        app.org.faults.clear()  # Salesforce answers again: the push's next look finds it and sends
        await until(lambda: editor.state_label.text() == "Pushed · saved", "the task is pushed after reconnect")
        sent = _tasks_named(app, "Book the annual review")
        assert len(sent) == 1, sent
        assert sent[0]["WhoId"][:15] == contact.sf_id[:15]
        await _nothing_more_to_send(app)
        assert len(_tasks_named(app, "Book the annual review")) == 1
        unsubscribe()
        await launcher.close_all()


async def test_new_task_first_on_a_new_connection_asks_the_org_or_says_it_cannot(
        qtbot: QtBot, tmp_path: Path) -> None:
    """Right after signing in (no sync yet, nothing cached): online the editor offers the org's own
    values; offline it says so plainly, and the task still goes with the org's defaults."""
    async with live_app(tmp_path, follow_connection=True, pull=False) as app:
        cid = app.connection_id
        assert not (await app.db.run(lambda s: tasks_repo.picklists(s, cid))).statuses
        launcher = EditorLauncher(app.db, cid, events=app.events, client=app.manager.client)
        assert (await app.manager.test_connection()).state == "connected"  # the app's first check at start

        app.org.faults.fail_next(10_000, status=503)
        offline: EditorWindow = await launcher.open_task_editor(None)
        qtbot.addWidget(offline)
        editor = offline.editor
        assert isinstance(editor, TaskEditor)
        await until(lambda: "Salesforce can't be reached" in editor.choices_notice.plain_text(), "the editor says why")
        assert editor.choices_notice.isVisibleTo(editor)
        assert "default status and priority" in editor.choices_notice.plain_text()
        assert _items(editor.status) == ["Org default"] and _items(editor.priority) == ["Org default"]
        qtbot.keyClicks(editor.subject, "Call about the estate plan")
        assert await editor.push()

        app.org.faults.clear()
        await until(lambda: editor.state_label.text() == "Pushed · saved", "pushed once back online")
        sent = _tasks_named(app, "Call about the estate plan")
        assert len(sent) == 1, sent
        assert sent[0]["Status"] == _org_default(app, "TaskStatus")
        assert sent[0]["Priority"] == _org_default(app, "TaskPriority")
        assert not sent[0].get("WhoId")  # a task on its own

        # Online now, and the org's values are cached (the push asked for them): a second task offers them.
        online = await launcher.open_task_editor(None)
        qtbot.addWidget(online)
        second = online.editor
        assert isinstance(second, TaskEditor)
        assert _items(second.status) == _org_values(app, "TaskStatus")
        assert second.status.currentText() == _org_default(app, "TaskStatus")
        assert not second.choices_notice.isVisibleTo(second)
        stored = await app.db.run(lambda s: tasks_repo.get(s, second.task.id))
        assert stored is not None and stored.status == _org_default(app, "TaskStatus")
        await launcher.close_all()
