"""The seeding helper shared by the demo org's seed modules: one record at a time with its audit
fields, dates relative to the org's start, and cheap random picks (a big org calls them millions of
times)."""

from __future__ import annotations

import random
import time
from typing import Any

from app.demo_org.data.pools import LOCATIONS, MEETING_SUBJECTS, TASK_SUBJECTS, Pools
from app.demo_org.data.store import Record, Store
from app.demo_org.ids import IdFactory

DAY = 86_400

_DAYS: dict[int, str] = {}


def date_of(epoch: int) -> str:
    """UTC date of an epoch second; cached per day because seeding formats ~500,000 timestamps."""
    day = epoch // DAY
    text = _DAYS.get(day)
    if text is None:
        text = _DAYS[day] = time.strftime("%Y-%m-%d", time.gmtime(day * DAY))
    return text


def stamp(epoch: int) -> str:
    seconds = epoch % DAY
    return f"{date_of(epoch)}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.000+0000"


class Seeder:
    def __init__(self, store: Store, ids: IdFactory, rng: random.Random, pools: Pools, now: int) -> None:
        self.store, self.ids, self.rng, self.pools = store, ids, rng, pools
        self.now = now
        self.templates = {t.name: t.blank_record() for t in store.schema.ordered}
        for name in ("Task", "Event"):
            self.templates[name]["IsArchived"] = False
        self.prefixes = {t.name: t.key_prefix for t in store.schema.ordered}
        self.advisor = ""
        self.users: list[str] = []

    def add(self, sobject: str, created: int, modified: int | None = None, **values: Any) -> Record:
        """Insert one record with audit fields; ``modified`` defaults to a time after ``created``."""
        record = self.templates[sobject].copy()
        prefix = self.prefixes[sobject]
        if modified is None:
            modified = created + int(self.rng.random() * max(0, self.now - 60 - created))
        created_s, modified_s = stamp(created), stamp(min(modified, self.now - 60))
        record.update(Id=self.ids.new(prefix), IsDeleted=False, SystemModstamp=modified_s)
        if "CreatedDate" in record:
            owner = values.get("OwnerId") or self.advisor
            record.update(CreatedDate=created_s, CreatedById=owner, LastModifiedDate=modified_s,
                          LastModifiedById=owner)
        record.update(values)
        self.store.tables[sobject][record["Id"]] = record
        return record

    def past(self, low_days: float, high_days: float) -> int:
        return self.now - int(self.rng.uniform(low_days, high_days) * DAY)

    def owner(self) -> str:
        return self.advisor if self.rng.random() < 0.85 else self.rng.choice(self.users[1:])

    def phone(self) -> str:
        number = int(self.rng.random() * 1e10)
        return f"({201 + number % 789}) {200 + number // 1000 % 799}-{number // 1000000 % 10000:04d}"

    def between(self, low: int, high: int) -> int:
        """``rng.randrange(low, high)``, several times cheaper."""
        return low + int(self.rng.random() * (high - low))

    def pick(self, values: tuple[Any, ...] | list[Any]) -> Any:
        """``rng.choice`` without its overhead (called a million times for a big org)."""
        return values[int(self.rng.random() * len(values))]


def add_meeting(s: Seeder, contact: Record, day: int) -> None:
    """A meeting with ``contact`` on ``day`` (epoch seconds of its midnight), 9:00–16:30 US Eastern-ish."""
    start = day + (13 + s.between(0, 8)) * 3600 + s.pick((0, 1800))
    minutes = s.pick((30, 60, 60, 90))
    created = min(start, s.now) - s.between(1, 30) * DAY
    s.add("Event", created, OwnerId=contact["OwnerId"], WhoId=contact["Id"], WhatId=contact["AccountId"],
          Subject=s.pick(MEETING_SUBJECTS), Location=s.pick(LOCATIONS), StartDateTime=stamp(start),
          EndDateTime=stamp(start + minutes * 60), ActivityDateTime=stamp(start), ActivityDate=date_of(start),
          DurationInMinutes=minutes, IsAllDayEvent=False, ShowAs="Busy")


def add_task(s: Seeder, contact: Record, due: int, today: int) -> None:
    """A task about ``contact`` due on ``due``: done or open as a past or future due date suggests."""
    status = s.pick(("Completed", "Completed", "Not Started")) if due < today else \
        s.pick(("Not Started", "In Progress", "Waiting on someone else"))
    priority = s.pick(("Normal", "Normal", "High", "Low"))
    created = min(due, s.now) - s.between(1, 20) * DAY
    reminder_off = {"IsReminderSet": False} if "IsReminderSet" in s.templates["Task"] else {}
    s.add("Task", created, OwnerId=contact["OwnerId"], WhoId=contact["Id"], WhatId=contact["AccountId"],
          Subject=s.pick(TASK_SUBJECTS), ActivityDate=date_of(due), Status=status, Priority=priority,
          IsClosed=status == "Completed", IsHighPriority=priority == "High", TaskSubtype="Task",
          CompletedDateTime=stamp(min(due, s.now - 120)) if status == "Completed" else None, **reminder_off)
