"""Settings → Sync steps through the real widgets: the table lists every step with its last run,
follows the event bus when a real push ends, and "Show in log" opens the Sync log on that step only."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.services.drafts import Drafts
from app.services.outbox_sync import OutboxSync
from app.services.sync_steps import STEP_NAMES, SyncStep
from app.store.kinds import ItemKind
from app.sync.push.engine import PushEngine
from app.ui import aio
from app.ui.settings.sync_steps_view import COLUMNS, NOT_RUN
from tests.integration.settings.settings_env import first_contacts
from tests.support.qt_loop import until
from tests.ui.settings.conftest import Env

LAST_RUN, COUNTS = COLUMNS.index("Last run"), COLUMNS.index("What it did")


def _cell(env: Env, step: SyncStep, column: int) -> str:
    panel = env.page.steps_panel
    item = panel.table.item(panel.row_of(step), column)
    return item.text() if item is not None else ""


async def _queue_notes_and_a_task(env: Env, drafts: Drafts) -> None:
    people = await first_contacts(env.db, env.cid, 2)
    for n, person in enumerate(people):
        note = await drafts.new_note(env.cid, person.id or 0)
        await drafts.save(ItemKind.NOTE, note.id, {"title": f"Review {n}", "body_markdown": "Went well."})
        assert (await drafts.queue_for_push(ItemKind.NOTE, [note.id])).queued
    task = await drafts.new_task(env.cid, people[0].id)
    await drafts.save(ItemKind.TASK, task.id, {"subject": "Send the forms"})
    assert (await drafts.queue_for_push(ItemKind.TASK, [task.id])).queued


async def test_sync_steps_tab_lists_every_step_and_follows_a_real_push(env: Env) -> None:
    panel = env.page.steps_panel
    env.page.tabs.setCurrentWidget(env.page.tabs.steps_tab)
    await until(lambda: panel.table.rowCount() == len(SyncStep), "every step is listed")
    assert not panel.empty.isVisible() and panel.table.isVisible()
    names = [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]
    assert names[0] == "Contacts and meetings" and "Notes" in names and "Logged calls" in names
    assert _cell(env, SyncStep.PULL_CLIENTS, LAST_RUN).startswith("Today ")  # the fixture's pull
    assert "contacts" in _cell(env, SyncStep.PULL_CLIENTS, COUNTS)
    assert _cell(env, SyncStep.PUSH_NOTES, LAST_RUN) == NOT_RUN
    assert _cell(env, SyncStep.PUSH_NOTES, COLUMNS.index("When it runs")) == "When you send"

    await _queue_notes_and_a_task(env, Drafts(env.db, env.page.events))
    # The real push loop on the page's bus: its run goes out with all three, and its end is heard.
    push = await OutboxSync.for_connection(env.db, env.cid, env.manager.client, env.page.events)
    try:
        push.start()
        await until(lambda: _cell(env, SyncStep.PUSH_TASKS, COUNTS) == "1 sent", "the push's end refreshes the table")
    finally:
        await push.aclose()
    assert _cell(env, SyncStep.PUSH_NOTES, COUNTS) == "2 sent"
    assert _cell(env, SyncStep.PUSH_NOTES, LAST_RUN).startswith("Today ")
    assert _cell(env, SyncStep.PUSH_TASKS, COLUMNS.index("Errors")) == "None"
    assert _cell(env, SyncStep.PUSH_CALLS, LAST_RUN) == NOT_RUN


async def test_sync_steps_show_in_log_filters_the_log_by_step(env: Env, qtbot: Any) -> None:
    drafts = Drafts(env.db, env.page.events)
    await _queue_notes_and_a_task(env, drafts)
    gone = (await first_contacts(env.db, env.cid, 3))[2]
    doomed = await drafts.new_task(env.cid, gone.id)
    await drafts.save(ItemKind.TASK, doomed.id, {"subject": "Call about the trust"})
    assert (await drafts.queue_for_push(ItemKind.TASK, [doomed.id])).queued
    env.org.delete_record(gone.sf_id or "")  # deleted in Salesforce: its task needs attention
    client = await env.manager.client()
    report = await PushEngine(client, env.db, env.cid).push()
    assert (report.pushed, report.needs_attention) == (3, 1)
    panel, log = env.page.steps_panel, env.page.log_panel
    env.page.tabs.setCurrentWidget(env.page.tabs.steps_tab)
    await until(lambda: _cell(env, SyncStep.PUSH_NOTES, COUNTS) == "2 sent", "the steps tab reads the push")
    assert _cell(env, SyncStep.PUSH_TASKS, COUNTS) == "1 sent, 1 needing attention"
    assert _cell(env, SyncStep.PUSH_TASKS, COLUMNS.index("Errors")).startswith(
        "1 error in the last 24 hours. Latest: The client was deleted in Salesforce.")

    qtbot.mouseClick(panel.log_button(SyncStep.PUSH_NOTES), Qt.MouseButton.LeftButton)
    assert env.page.tabs.currentWidget() is env.page.tabs.log_tab
    assert log.step.currentText() == STEP_NAMES[SyncStep.PUSH_NOTES]
    await until(lambda: log.model.rowCount() >= 6, "the log reads the pull, the notes, the tasks and the run")
    shown = log.proxy.visible_rows()
    assert len(shown) == 2 and {r.step for r in shown} == {SyncStep.PUSH_NOTES}
    assert {r.item_kind for r in shown} == {"note"} and log.count.text() == f"2 of {log.model.rowCount()} entries"

    log.step.setCurrentIndex(log.step.findData(SyncStep.PULL_CLIENTS))
    assert [r.step for r in log.proxy.visible_rows()] == [SyncStep.PULL_CLIENTS]
    log.step.setCurrentIndex(log.step.findText("All steps"))
    assert log.proxy.rowCount() == log.model.rowCount()  # the push run's own row too

    env.page.tabs.setCurrentWidget(env.page.tabs.steps_tab)
    qtbot.mouseClick(panel.log_button(SyncStep.PUSH_CALLS), Qt.MouseButton.LeftButton)
    assert log.proxy.rowCount() == 0 and log.step.currentText() == STEP_NAMES[SyncStep.PUSH_CALLS]
    await until(lambda: aio.running_tasks() == 0, "the tabs' reads finish before the page goes")
    assert log.proxy.rowCount() == 0 and log.model.rowCount() >= 6  # the re-read kept the step filter
