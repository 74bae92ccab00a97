"""The push under the demo org's strict write rules (docs/salesforce-fidelity.md): the advisor is told
which field and what to do, and the app recovers where it can (issue 20, "write-path rules")."""

from __future__ import annotations

from pathlib import Path

from app.demo_org import DemoOrg
from app.store import tasks as tasks_repo
from app.store.tasks import TaskPicklists
from app.sync.push import actions as push_actions
from tests.integration.push.conftest import PushEnv, workspace_env

STALE = TaskPicklists(statuses=("Open", "Done"), priorities=("Normal",), default_status="Open",
                      default_priority="Normal", closed_statuses=("Done",))


async def test_fidelity_write_restricted_status_names_the_field_and_reloads_the_org_list(env: PushEnv) -> None:
    # The org's admin renamed the statuses since Notebridge cached them: the cached default is refused.
    await env.db.run(lambda s: tasks_repo.save_picklists(s, env.connection_id, STALE))
    task = await env.task(subject="fidelity_write stale default", status=None, priority=None)
    [row] = await env.queue("task", task.id)

    report = await env.push()

    assert report.needs_attention == 1
    failed = await env.outbox(row.id)
    assert failed.last_error_code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert "Status" in (failed.last_error_message or "")
    assert "does not offer 'Open' for Status" in (failed.last_error_hint or "")
    cached = await env.db.run(lambda s: tasks_repo.picklists(s, env.connection_id))
    assert cached.default_status == "Not Started" and "Open" not in cached.statuses  # the org's list now

    # The advisor opens the task and picks a Status from the list the editor now offers.
    await env.db.run(lambda s: tasks_repo.save(s, task.id, status=cached.statuses[0]))
    await push_actions.retry_now(env.db, [row.id])
    assert (await env.push()).pushed == 1
    [sent] = [t for t in env.live("Task") if t["Subject"] == "fidelity_write stale default"]
    assert sent["Status"] == "Not Started"


async def test_fidelity_write_classic_notes_off_tells_the_advisor_to_switch(tmp_path: Path) -> None:
    with DemoOrg(contacts=6, seed=5, classic_notes=False) as org:
        async with workspace_env(org, tmp_path / "workspace.db") as env:
            note = await env.note(title="fidelity_write classic note")
            [row] = await env.queue("note", note.id)

            report = await env.push(note_type="Note")  # the connection writes classic Notes

            assert report.needs_attention == 1
            failed = await env.outbox(row.id)
            assert failed.last_error_code == "INVALID_TYPE_FOR_OPERATION"
            assert "switch the note type to Enhanced Notes" in (failed.last_error_hint or "")
            assert not [n for n in org.records("Note") if n["Title"] == "fidelity_write classic note"]
