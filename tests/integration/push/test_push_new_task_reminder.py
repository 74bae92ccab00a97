"""Engine level: a task's reminder on update, against the demo org over HTTP.

A reminder changed alone is sent (it is outside the fingerprint, so "already there" must not swallow
it), and never raises a conflict; a draft that never chose one, pushed in the same run, learns the
reminder Salesforce holds, so its editor shows it instead of an empty box."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.store import tasks as tasks_repo
from tests.integration.push.conftest import PushEnv

SOON = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=2)


def _remote(env: PushEnv, remote_id: str) -> dict[str, Any]:
    return next(r for r in env.live("Task") if r["Id"][:15] == remote_id[:15])


def _wire(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


async def test_new_task_reminder_changed_alone_is_sent_and_an_unchosen_one_is_learned(env: PushEnv) -> None:
    chosen = await env.task(subject="Rebalance")
    await env.db.run(lambda s: tasks_repo.save(s, chosen.id, reminder_set=True, reminder_at=SOON))
    unchosen = await env.task(subject="Risk profile")
    await env.queue("task", chosen.id, unchosen.id)
    assert (await env.push()).pushed == 2
    chosen, unchosen = await env.get_task(chosen.id), await env.get_task(unchosen.id)
    assert chosen.remote_id and unchosen.remote_id
    assert _remote(env, chosen.remote_id)["ReminderDateTime"] == _wire(SOON)
    assert _remote(env, unchosen.remote_id)["IsReminderSet"] is False and unchosen.reminder_set is None

    # Only the reminder changes here; Salesforce gives the other task one of its own.
    later = SOON + timedelta(hours=3)
    await env.db.run(lambda s: tasks_repo.save(s, chosen.id, reminder_at=later))
    env.org.update_record("Task", _remote(env, unchosen.remote_id)["Id"],
                          {"IsReminderSet": True, "ReminderDateTime": _wire(later)})
    await env.db.run(lambda s: tasks_repo.save(s, unchosen.id, subject="Risk profile review"))
    await env.queue("task", chosen.id, unchosen.id)
    report = await env.push()
    assert (report.pushed, report.conflicts, report.needs_attention) == (2, 0, 0), report

    assert _remote(env, chosen.remote_id)["ReminderDateTime"] == _wire(later)
    theirs = _remote(env, unchosen.remote_id)
    assert theirs["Subject"] == "Risk profile review" and theirs["ReminderDateTime"] == _wire(later)
    learned = await env.get_task(unchosen.id)
    assert (learned.reminder_set, learned.reminder_at) == (True, later)
    assert learned.state == "pushed"  # learning is not an edit

    # Turned off in the editor: sent as off, and Salesforce's time is no longer the draft's business.
    await env.db.run(lambda s: tasks_repo.save(s, chosen.id, reminder_set=False, reminder_at=None))
    await env.queue("task", chosen.id)
    assert (await env.push()).pushed == 1
    assert _remote(env, chosen.remote_id)["IsReminderSet"] is False
