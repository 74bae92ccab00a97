"""The Outbox page shows each state in words with its reason, flags what needs attention, resolves
conflicts side by side, and pushes one item or everything."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QListWidget, QMainWindow

from app.store import notes as notes_repo
from app.store import outbox as outbox_repo
from app.store import outbox_views
from app.store import tasks as tasks_repo
from app.store.types import utcnow
from app.sync.push.loop import status_text
from app.ui.main_window import MainWindow
from app.ui.outbox import OutboxPage, flag_sidebar
from tests.ui.editor.conftest import Workspace, until


class _Loop:
    def __init__(self) -> None:
        self.wakes = 0

    def wake(self) -> None:
        self.wakes += 1


async def _fill(ws: Workspace) -> dict[str, int]:
    cid = ws.connection_id

    def fill(s: object) -> dict[str, int]:
        ids: dict[str, int] = {}
        waiting = notes_repo.create(s, cid, contact_id=ws.contact.id, title="Plane note", body_markdown="x")
        ids["waiting"] = outbox_repo.enqueue(s, "note", waiting.id).id
        outbox_repo.settle_waiting(s, [ids["waiting"]], code="NETWORK_ERROR", reason="Salesforce can't be reached.",
                                   next_try_at=utcnow() + timedelta(minutes=5))
        bad = tasks_repo.create(s, cid, contact_id=ws.contact.id, subject="Rule breaker")
        ids["failed"] = outbox_repo.enqueue(s, "task", bad.id).id
        outbox_repo.settle_failed(s, ids["failed"], code="FIELD_CUSTOM_VALIDATION_EXCEPTION",
                                  message="Compliance: add a due date.", hint="Change the task, then push again.")
        clash = tasks_repo.create(s, cid, contact_id=ws.contact.id, subject="Mine")
        ids["conflict"] = outbox_repo.enqueue(s, "task", clash.id).id
        outbox_repo.settle_failed(s, ids["conflict"], code="CONFLICT", message="Changed in Salesforce.",
                                  hint="Choose.", conflict={"theirs": {"Subject": "Theirs"}, "theirs_hash": "h",
                                                            "changes": {"subject": "Theirs"}, "sobject": "Task"})
        done = notes_repo.create(s, cid, contact_id=ws.contact.id, title="Done note", body_markdown="y")
        ids["pushed"] = outbox_repo.enqueue(s, "note", done.id).id
        outbox_repo.settle_pushed(s, ids["pushed"], remote_id="069000000000001AAA", remote_type="ContentNote",
                                  pushed_hash="p", built_from=None)
        notes_repo.create(s, cid, contact_id=ws.contact.id, title="Ready draft", body_markdown="z")
        return ids

    return await ws.db.run(fill)


def _row_text(page: OutboxPage, outbox_id: int) -> list[str]:
    for i in range(page.tree.topLevelItemCount()):
        item = page.tree.topLevelItem(i)
        if item.data(0, 256) == outbox_id:
            return [item.text(c) for c in range(4)]
    raise AssertionError(f"no row for {outbox_id}")


def _select(page: OutboxPage, outbox_id: int) -> None:
    for i in range(page.tree.topLevelItemCount()):
        if page.tree.topLevelItem(i).data(0, 256) == outbox_id:
            page.tree.setCurrentItem(page.tree.topLevelItem(i))


async def test_states_reasons_and_attention_flag(workspace: Workspace) -> None:
    ids = await _fill(workspace)
    page = OutboxPage(workspace.db, workspace.connection_id, instance_url="https://example.my.salesforce.com")
    attention: list[int] = []
    page.attention_count_changed.connect(attention.append)
    await page.refresh()

    assert _row_text(page, ids["failed"])[0] == "⚠ Needs attention"
    assert _row_text(page, ids["failed"])[3] == "Compliance: add a due date."
    assert _row_text(page, ids["conflict"])[0] == "⚠ Conflict"
    waiting = _row_text(page, ids["waiting"])
    assert waiting[0] == "Waiting" and "can't be reached" in waiting[3] and "Next try at" in waiting[3]
    assert _row_text(page, ids["pushed"])[0] == "Pushed"
    # The status bar says this from the loop's status (the shell); the page counts the same items.
    assert attention[-1] == 2 and status_text(page.counts) == "1 waiting · 2 need attention"
    _select(page, ids["pushed"])
    assert page.open_sf.isVisibleTo(page)
    _select(page, ids["failed"])
    assert "Compliance: add a due date." in page.message.plain_text()
    assert not page.open_sf.isVisibleTo(page)

    window = MainWindow()
    flag_sidebar(window, 2)
    sidebar: QListWidget = window.sidebar
    assert sidebar.item(1).text() == "Outbox  ⚠ 2"
    window.set_page("outbox", page)
    assert isinstance(window, QMainWindow)
    window.close()


async def test_conflict_view_take_theirs(workspace: Workspace) -> None:
    ids = await _fill(workspace)
    loop = _Loop()
    page = OutboxPage(workspace.db, workspace.connection_id, loop=loop)
    page.show()
    await page.refresh()
    _select(page, ids["conflict"])
    await until(lambda: page.conflict.theirs.toPlainText() == "Subject: Theirs", "conflict shown")
    assert page.conflict.mine.toPlainText().startswith("Subject: Mine")
    page.conflict.take_theirs.click()
    await until(lambda: _row_text(page, ids["conflict"])[0] == "Pushed", "resolved")
    row = await workspace.db.run(lambda s: outbox_repo.get(s, ids["conflict"]))
    assert row is not None and row.conflict is None
    task = await workspace.db.run(lambda s: tasks_repo.get(s, row.item_id))
    assert task is not None and task.subject == "Theirs"
    page.close()


async def test_push_all_queues_ready_drafts_and_retries_waiting(workspace: Workspace) -> None:
    ids = await _fill(workspace)
    loop = _Loop()
    page = OutboxPage(workspace.db, workspace.connection_id, loop=loop)
    await page.refresh()
    await page.push_everything()
    assert loop.wakes == 1
    counts = await workspace.db.run(lambda s: outbox_views.counts(s, workspace.connection_id))
    # the ready draft and the waiting note are queued; the rule breaker is retried; the conflict waits
    assert counts.queued == 3 and counts.needs_attention == 1 and counts.waiting == 0
    assert _row_text(page, ids["waiting"])[0] == "Queued"
