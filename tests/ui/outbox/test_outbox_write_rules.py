"""The Outbox explains a write rule the org enforced, in words an advisor can act on: the field, the
value refused and what to do (docs/salesforce-fidelity.md, rule picklist-restricted)."""

from __future__ import annotations

from app.store import outbox as outbox_repo
from app.store import tasks as tasks_repo
from app.store.tasks import TaskPicklists
from app.sync.push.engine import PushEngine
from app.ui.outbox import OutboxPage
from tests.ui.editor.conftest import Workspace

# What Notebridge cached before the org's admin renamed the Task statuses.
STALE = TaskPicklists(statuses=("Open", "Done"), priorities=("Normal",), default_status="Open",
                      default_priority="Normal", closed_statuses=("Done",))


async def test_fidelity_write_outbox_shows_the_refused_field_and_the_fix(org_workspace: Workspace) -> None:
    ws = org_workspace
    assert ws.connections is not None
    await ws.db.run(lambda s: tasks_repo.save_picklists(s, ws.connection_id, STALE))
    task = await ws.db.run(lambda s: tasks_repo.create(s, ws.connection_id, subject="fidelity_write outbox"))
    row = await ws.db.run(lambda s: outbox_repo.enqueue(s, "task", task.id))

    report = await PushEngine(await ws.connections.client(), ws.db, ws.connection_id).push()
    assert report.needs_attention == 1

    page = OutboxPage(ws.db, ws.connection_id, instance_url="https://example.my.salesforce.com")
    await page.refresh()
    for i in range(page.tree.topLevelItemCount()):
        if page.tree.topLevelItem(i).data(0, 256) == row.id:
            assert page.tree.topLevelItem(i).text(0) == "⚠ Needs attention"
            page.tree.setCurrentItem(page.tree.topLevelItem(i))
    shown = page.message.plain_text()
    assert "Status: bad value for restricted picklist field: Open" in shown  # Salesforce's words
    assert "does not offer 'Open' for Status" in shown and "choose a Status from the list" in shown
    page.close()
