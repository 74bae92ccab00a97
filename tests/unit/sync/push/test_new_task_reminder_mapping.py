"""The task reminder's wire rules: sent only where the org allows and only once chosen; the time goes
out in Salesforce's form and reads back as the same instant; a past reminder is refused at queue time
for a task not yet sent, never for one already in Salesforce (its reminder may simply have fired)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from app.sync.push.kinds.task import reminder_time
from app.sync.push.limits import REMINDER_PASSED, draft_problems, reminder_problems
from app.sync.push.mapping import reminder_fields, task_record
from tests.unit.sync.push.push_fixtures import task

WHEN = datetime(2030, 3, 4, 9, 30, tzinfo=UTC)


def test_new_task_reminder_sent_only_when_chosen_and_the_org_allows() -> None:
    chosen = task(reminder_set=True, reminder_at=WHEN)
    assert task_record(chosen, default_owner=None, reminders=True)["ReminderDateTime"] == "2030-03-04T09:30:00.000+0000"
    assert task_record(chosen, default_owner=None, reminders=True)["IsReminderSet"] is True
    hidden = task_record(chosen, default_owner=None, reminders=False)
    assert "IsReminderSet" not in hidden and "ReminderDateTime" not in hidden
    unchosen = task_record(task(reminder_set=None, reminder_at=WHEN), default_owner=None, reminders=True)
    assert "IsReminderSet" not in unchosen and "ReminderDateTime" not in unchosen
    assert reminder_fields(task(reminder_set=False, reminder_at=WHEN)) == {"IsReminderSet": False}


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
       st.integers(min_value=-12 * 60, max_value=14 * 60))
def test_new_task_reminder_time_reads_back_as_the_same_instant(moment: datetime, offset_minutes: int) -> None:
    local = moment.replace(second=0, microsecond=0, tzinfo=timezone(timedelta(minutes=offset_minutes)))
    wire = reminder_fields(task(reminder_set=True, reminder_at=local))["ReminderDateTime"]
    assert reminder_time(wire) == local
    assert reminder_time(wire.replace(".000+0000", "Z")) == local


def test_new_task_reminder_in_the_past_refused_only_before_the_first_send() -> None:
    now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    assert reminder_problems(True, now - timedelta(minutes=1), now)[0].message == REMINDER_PASSED
    assert reminder_problems(True, now, now) != []
    assert reminder_problems(True, now + timedelta(minutes=1), now) == []
    assert reminder_problems(False, now - timedelta(days=1), now) == []
    assert reminder_problems(None, now - timedelta(days=1), now) == []
    past = datetime.now(UTC) - timedelta(hours=1)
    assert [p.field for p in draft_problems(task(reminder_set=True, reminder_at=past, remote_id=None))] == ["reminder"]
    assert draft_problems(task(reminder_set=True, reminder_at=past, remote_id="00T000000000001AAA")) == []
