"""Engine level: an update sends what the draft holds and leaves unset fields to Salesforce.

A draft with no Status/Priority/assignee on disk (pushed by an older version, or an editor showing
"As in Salesforce") is updated without those fields — never with the org's *current* default or the
signed-in user — and the fingerprint remembered is of the record as Salesforce then holds it, so the
next push of an unrelated edit is not mistaken for a conflict.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from app.store import tasks as tasks_repo
from app.store.models import Task
from app.sync import picklists
from tests.integration.push.conftest import PushEnv


def _remote(env: PushEnv, remote_id: str) -> dict[str, Any]:
    return next(r for r in env.live("Task") if r["Id"][:15] == remote_id[:15])


async def _forget_values(env: PushEnv, task_id: int) -> None:
    def work(session: Any) -> None:
        table = Task.__table__  # type: ignore[attr-defined]
        session.execute(update(table).where(table.c.id == task_id).values(status=None, priority=None, owner_id=None))

    await env.db.run(work)


async def test_priority_kept_update_of_unset_fields_sends_none_and_raises_no_false_conflict(env: PushEnv) -> None:
    task = await env.task(subject="Call about the rollover")
    await env.queue("task", task.id)
    assert (await env.push()).pushed == 1
    task = await env.get_task(task.id)
    assert task.remote_id and (task.status, task.priority, task.owner_id) == (
        "Not Started", "Normal", env.org.user_id)  # what the org filled in is now on disk

    high = next(r for r in env.org.records("TaskPriority") if r["ApiName"] == "High")
    normal = next(r for r in env.org.records("TaskPriority") if r["ApiName"] == "Normal")
    env.org.update_record("TaskPriority", high["Id"], {"IsDefault": True})
    env.org.update_record("TaskPriority", normal["Id"], {"IsDefault": False})
    assert (await picklists.refresh(env.client, env.db, env.connection_id)).default_priority == "High"

    for n, subject in enumerate(("Call about the rollover today", "Call about the rollover at 3")):
        await _forget_values(env, task.id)
        await env.db.run(lambda s, subject=subject: tasks_repo.save(s, task.id, subject=subject))
        await env.queue("task", task.id)
        report = await env.push()
        assert (report.pushed, report.conflicts, report.needs_attention) == (1, 0, 0), (n, report)
        remote = _remote(env, task.remote_id)
        assert (remote["Subject"], remote["Priority"], remote["Status"], remote["OwnerId"]) == (
            subject, "Normal", "Not Started", env.org.user_id)
