"""A new task's reminder "where the org allows": set in the real editor, pushed through the real push
loop to the demo org over HTTP, refused when already past, kept on a re-send, and absent (no control,
no fields in the payload) in an org whose field-level security hides Task's IsReminderSet and
ReminderDateTime."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, Qt, QTime
from pytestqt.qtbot import QtBot

from app.salesforce.errors import SalesforceError
from app.store import contacts
from app.store import outbox as outbox_repo
from app.store import tasks as tasks_repo
from app.store.kinds import ItemKind
from app.sync.push.limits import REMINDER_PASSED
from app.ui.editor.reminder_field import NOT_ALLOWED, NOT_KNOWN
from app.ui.editor.task_editor import TaskEditor
from app.ui.editor.window import EditorLauncher, EditorWindow
from app.ui.widgets.stored_choice import AS_IN_SALESFORCE
from tests.support.qt_loop import until
from tests.ui.live.conftest import LiveApp, live_app


def _tasks_named(app: LiveApp, subject: str) -> list[dict[str, Any]]:
    return [r for r in app.org.records("Task") if r.get("Subject") == subject and not r.get("IsDeleted")]


def _sf_time(value: Any) -> datetime:
    """Salesforce's ``2026-12-05T09:30:00.000+0000`` as an aware datetime."""
    text = str(value)
    return datetime.fromisoformat(text[:-5] + text[-5:-2] + ":" + text[-2:])


def _local_time(days_ahead: int, hour: int, minute: int) -> QDateTime:
    """A whole-minute local time, as an advisor would pick it."""
    moment = QDateTime.currentDateTime().addDays(days_ahead)
    moment.setTime(QTime(hour, minute))
    return moment


def _utc(moment: QDateTime) -> datetime:
    return datetime.fromtimestamp(moment.toSecsSinceEpoch(), UTC)


async def _new_task(app: LiveApp, qtbot: QtBot) -> tuple[EditorLauncher, EditorWindow, TaskEditor, Any]:
    cid = app.connection_id
    contact = (await app.db.run(lambda s: contacts.page(s, cid, 0, 1)))[0]
    launcher = EditorLauncher(app.db, cid, events=app.events, client=app.manager.client)
    window = await launcher.open_task_editor(contact.id)
    qtbot.addWidget(window)
    editor = window.editor
    assert isinstance(editor, TaskEditor)
    return launcher, window, editor, contact


def _tick_reminder(qtbot: QtBot, editor: TaskEditor, when: QDateTime) -> None:
    qtbot.mouseClick(editor.reminder.enabled, Qt.MouseButton.LeftButton)
    assert editor.reminder.enabled.isChecked() and editor.reminder.when.isEnabled()
    editor.reminder.when.setDateTime(when)


async def _pushed(editor: TaskEditor) -> None:
    assert await editor.push()
    await until(lambda: editor.state_label.text() == "Pushed · saved", "the task is pushed")


async def test_new_task_reminder_set_in_the_editor_reaches_salesforce(qtbot: QtBot, tmp_path: Path) -> None:
    async with live_app(tmp_path) as app:
        launcher, _window, editor, contact = await _new_task(app, qtbot)
        # The org's describe has both fields (cached with Status/Priority by the pull): the control shows.
        assert not editor.reminder.enabled.isHidden() and not editor.reminder.when.isHidden()
        assert editor.reminder.unavailable.isHidden()
        assert not editor.reminder.enabled.isChecked() and not editor.reminder.when.isEnabled()

        qtbot.keyClicks(editor.subject, "Call about the rollover")
        when = _local_time(3, 9, 30)
        _tick_reminder(qtbot, editor, when)
        assert editor.problems.message == ""
        await _pushed(editor)

        sent = _tasks_named(app, "Call about the rollover")
        assert len(sent) == 1, sent
        record = sent[0]
        assert record["IsReminderSet"] is True
        assert _sf_time(record["ReminderDateTime"]) == _utc(when)
        assert record["WhoId"][:15] == contact.sf_id[:15]
        task = await app.db.run(lambda s: tasks_repo.get(s, editor.task.id))
        assert task is not None and task.reminder_set is True and task.reminder_at == _utc(when)
        await launcher.close_all()


async def test_new_task_reminder_absent_where_the_org_hides_the_fields(qtbot: QtBot, tmp_path: Path) -> None:
    async with live_app(tmp_path, task_reminders=False) as app:
        launcher, _window, editor, contact = await _new_task(app, qtbot)
        assert editor.reminder.enabled.isHidden() and editor.reminder.when.isHidden()
        assert not editor.reminder.unavailable.isHidden()
        assert editor.reminder.unavailable.text() == NOT_ALLOWED
        assert "reminder_set" not in editor.values()

        qtbot.keyClicks(editor.subject, "Send the beneficiary form")
        await _pushed(editor)
        record = _tasks_named(app, "Send the beneficiary form")[0]
        assert "IsReminderSet" not in record and "ReminderDateTime" not in record

        # A draft holding a reminder (chosen before the org hid the fields) still goes out: the payload
        # leaves both fields out — the org refuses a write that names them.
        cid = app.connection_id
        client = await app.manager.client()
        try:
            await client.create("Task", {"Subject": "probe", "IsReminderSet": True})
        except SalesforceError as error:
            refused: SalesforceError | None = error
        else:
            refused = None
        assert refused is not None, "the org must refuse a hidden field, or this test proves nothing"
        draft = await app.db.run(lambda s: tasks_repo.create(s, cid, contact_id=contact.id,
                                                             subject="Review the trust deed"))
        await app.db.run(lambda s: tasks_repo.save(s, draft.id, reminder_set=True,
                                                   reminder_at=datetime.now(UTC) + timedelta(days=2)))
        await app.db.run(lambda s: outbox_repo.enqueue_many(s, ItemKind.TASK, [draft.id]))

        async def pushed() -> bool:
            task = await app.db.run(lambda s: tasks_repo.get(s, draft.id))
            if task is not None and task.state == "pushed":
                return True
            app.push.loop.wake()  # as the Outbox's ItemStateChanged would
            return False

        await until(pushed, "the task with a reminder the org hides is pushed")
        assert len(_tasks_named(app, "Review the trust deed")) == 1
        await launcher.close_all()


async def test_new_task_reminder_in_the_past_is_refused(qtbot: QtBot, tmp_path: Path) -> None:
    async with live_app(tmp_path) as app:
        launcher, _window, editor, _contact = await _new_task(app, qtbot)
        qtbot.keyClicks(editor.subject, "Chase the transfer")
        _tick_reminder(qtbot, editor, QDateTime.currentDateTime().addSecs(-3600))
        assert editor.problems.message == REMINDER_PASSED
        assert not editor.push_button.isEnabled()
        # Ctrl+Enter goes through "queue for push", which refuses it too, in the same words.
        assert await editor.push() is False
        assert editor.problems.message == REMINDER_PASSED
        row = await app.db.run(lambda s: outbox_repo.active_for(s, "task", editor.task.id))
        assert row is None
        assert _tasks_named(app, "Chase the transfer") == []

        # A time ahead clears it, and the task goes out with it.
        later = _local_time(1, 16, 0)
        editor.reminder.when.setDateTime(later)
        assert editor.problems.message == "" and editor.push_button.isEnabled()
        await _pushed(editor)
        assert _sf_time(_tasks_named(app, "Chase the transfer")[0]["ReminderDateTime"]) == _utc(later)
        await launcher.close_all()


async def test_new_task_reminder_kept_when_only_the_subject_changes_on_resend(
        qtbot: QtBot, tmp_path: Path) -> None:
    async with live_app(tmp_path) as app:
        launcher, window, editor, _contact = await _new_task(app, qtbot)
        qtbot.keyClicks(editor.subject, "Rebalance")
        when = _local_time(5, 11, 15)
        _tick_reminder(qtbot, editor, when)
        await _pushed(editor)
        task_id = editor.task.id
        window.close()

        window = await launcher.open_task(task_id)
        qtbot.addWidget(window)
        editor = window.editor
        assert isinstance(editor, TaskEditor)
        assert editor.reminder.enabled.isChecked() and _utc(editor.reminder.when.dateTime()) == _utc(when)
        editor.subject.setFocus()
        editor.subject.end(False)
        qtbot.keyClicks(editor.subject, " the IRA")
        await _pushed(editor)
        record = _tasks_named(app, "Rebalance the IRA")[0]
        assert record["IsReminderSet"] is True and _sf_time(record["ReminderDateTime"]) == _utc(when)
        assert _tasks_named(app, "Rebalance") == []  # the same record, updated
        window.close()

        # A task whose reminder was never chosen, given one in Salesforce: the editor says it is
        # Salesforce's, and a re-send of another field leaves it there.
        window = await launcher.open_task_editor(None)
        qtbot.addWidget(window)
        editor = window.editor
        assert isinstance(editor, TaskEditor)
        qtbot.keyClicks(editor.subject, "Update the risk profile")
        await _pushed(editor)
        task_id = editor.task.id
        sent = await app.db.run(lambda s: tasks_repo.get(s, task_id))
        assert sent is not None and sent.remote_id and sent.reminder_set is None
        remote_id = sent.remote_id
        record = next(r for r in app.org.records("Task") if r["Id"][:15] == remote_id[:15])
        assert record["IsReminderSet"] is False
        theirs = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=7)
        app.org.update_record("Task", record["Id"], {
            "IsReminderSet": True, "ReminderDateTime": theirs.strftime("%Y-%m-%dT%H:%M:%S.000+0000")})
        window.close()

        window = await launcher.open_task(task_id)
        qtbot.addWidget(window)
        editor = window.editor
        assert isinstance(editor, TaskEditor)
        assert not editor.reminder.as_in_salesforce.isHidden()
        assert editor.reminder.as_in_salesforce.text() == AS_IN_SALESFORCE
        assert editor.values()["reminder_set"] is None
        editor.subject.setFocus()
        editor.subject.end(False)
        qtbot.keyClicks(editor.subject, " today")
        await _pushed(editor)
        record = _tasks_named(app, "Update the risk profile today")[0]
        assert record["IsReminderSet"] is True and _sf_time(record["ReminderDateTime"]) == theirs
        await launcher.close_all()


async def test_new_task_reminder_asked_of_the_org_when_the_cache_predates_it(
        qtbot: QtBot, tmp_path: Path) -> None:
    """Status/Priority cached by a version that never asked about the reminder: the editor offers
    the values at once and asks the org about the reminder (once), then shows the control."""
    async with live_app(tmp_path) as app:
        cid = app.connection_id
        lists = await app.db.run(lambda s: tasks_repo.picklists(s, cid))
        assert lists.statuses and lists.reminders is True
        older = replace(lists, reminders=None)
        await app.db.run(lambda s: tasks_repo.save_picklists(s, cid, older))
        launcher, _window, editor, _contact = await _new_task(app, qtbot)
        assert editor.status.count() == len(lists.statuses)
        await until(lambda: not editor.reminder.enabled.isHidden(), "the reminder offered once the org answered")
        assert editor.reminder.unavailable.isHidden() and editor.choices_notice.message == ""
        assert (await app.db.run(lambda s: tasks_repo.picklists(s, cid))).reminders is True
        await launcher.close_all()

        # Offline with such a cache: the values still serve, and the editor says plainly why no reminder.
        await app.db.run(lambda s: tasks_repo.save_picklists(s, cid, older))
        app.org.faults.fail_next(10_000, status=503)
        launcher = EditorLauncher(app.db, cid, events=app.events, client=app.manager.client)
        window = await launcher.open_task_editor(None)
        qtbot.addWidget(window)
        editor = window.editor
        assert isinstance(editor, TaskEditor)
        assert launcher.choices_loading is not None
        await launcher.choices_loading  # the org could not be asked
        assert editor.reminder.enabled.isHidden() and editor.reminder.unavailable.text() == NOT_KNOWN
        assert editor.status.count() == len(lists.statuses) and editor.choices_notice.message == ""
        await launcher.close_all()


async def test_new_task_reminder_first_task_before_any_sync_learns_the_org_hides_it(
        qtbot: QtBot, tmp_path: Path) -> None:
    """Nothing cached yet (right after signing in): the editor asks the org, and says plainly that this
    org does not allow reminders once it knows."""
    async with live_app(tmp_path, pull=False, task_reminders=False) as app:
        launcher = EditorLauncher(app.db, app.connection_id, events=app.events, client=app.manager.client)
        window = await launcher.open_task_editor(None)
        qtbot.addWidget(window)
        editor = window.editor
        assert isinstance(editor, TaskEditor)
        await until(lambda: editor.reminder.unavailable.text() == NOT_ALLOWED, "the org's answer shown")
        assert editor.reminder.enabled.isHidden() and editor.status.count() > 0
        cached = await app.db.run(lambda s: tasks_repo.picklists(s, app.connection_id))
        assert cached.reminders is False
        await launcher.close_all()
