"""Every kind Notebridge pushes appears on the client's timeline once (issues 14 and 16), against the
demo org (real HTTP, a real workspace, the real push engine and history pull):

* drafted through the use cases (``Drafts``, ``Activities``) and pushed through ``OutboxSync``;
* before the history refresh, the local item, marked "Pushed", with its Salesforce Id;
* after it, exactly one entry: the Salesforce record, of the right kind and with Salesforce's fields,
  linked to the local item (``local_id``/``item_kind``), never beside a local twin;
* edited in Salesforce and refreshed: Salesforce's new text, still once;
* deleted in Salesforce and refreshed: gone from the timeline, the local copy kept and listed apart
  (``deleted_in_salesforce``), which the screen says in words.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.demo_org import DemoOrg
from app.services.activities import Activities
from app.services.clients import ClientDirectory
from app.services.drafts import Drafts, ItemKind
from app.services.events import Events, PushFinished
from app.services.history import ClientHistory, EntryKind, RefreshOutcome, Timeline, TimelineEntry
from app.services.outbox_sync import OutboxSync
from app.store import Database
from app.store.models import Contact
from app.sync.connection import ConnectionManager
from app.ui.workspace.detail_html import work_html
from app.ui.workspace.timeline import timeline_html
from tests.integration.settings.settings_env import connect, first_contacts, make_org, pull

CLOSE = (date.today() + timedelta(days=45)).isoformat()
YESTERDAY = (datetime.now(UTC) - timedelta(days=1)).replace(hour=15, minute=0, second=0, microsecond=0)


@dataclasses.dataclass
class OrgEnv:
    org: DemoOrg
    db: Database
    manager: ConnectionManager
    cid: int


async def _open(tmp_path: Path, **org_options: Any) -> AsyncIterator[OrgEnv]:
    with make_org(contacts=15, seed=8, **org_options) as org:
        db = await Database.open(tmp_path / "ws.db")
        manager, connection = await connect(org, db)
        try:
            await pull(manager, db)
            yield OrgEnv(org, db, manager, connection.connection_id)
        finally:
            await manager.aclose()
            await db.close()


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[OrgEnv]:
    async for opened in _open(tmp_path):
        yield opened


@pytest.fixture
async def classic_env(tmp_path: Path) -> AsyncIterator[OrgEnv]:
    """An org without Enhanced Notes, the connection set to classic Notes."""
    async for opened in _open(tmp_path, enhanced_notes=False):
        await opened.manager.update_preferences(note_type="Note")
        yield opened


async def _client(env: OrgEnv) -> Contact:
    """A client with a household/account (an opportunity needs one)."""
    people = await first_contacts(env.db, env.cid, 15)
    person = next(p for p in people if p.account_sf_id and p.id is not None)
    return person


# ---------------------------------------------------------------------------------------- drafting
Draft = Callable[[OrgEnv, Drafts, int], Awaitable[int]]


async def _task(env: OrgEnv, drafts: Drafts, contact_id: int) -> int:
    task = await drafts.new_task(env.cid, contact_id)
    await drafts.save(ItemKind.TASK, task.id, {"subject": "Send the RMD schedule",
                                               "due_date": date.today() + timedelta(days=3)})
    return task.id


def _activity(kind: ItemKind, fields: dict[str, Any]) -> Draft:
    async def draft(env: OrgEnv, drafts: Drafts, contact_id: int) -> int:
        activity = await Activities(env.db, drafts.events).new(env.cid, kind, contact_id)
        await drafts.save(kind, activity.id, {"fields": fields})
        return activity.id
    return draft


def _note_titled(title: str) -> Draft:
    async def draft(env: OrgEnv, drafts: Drafts, contact_id: int) -> int:
        note = await drafts.new_note(env.cid, contact_id)
        await drafts.save(ItemKind.NOTE, note.id, {"title": title, "body_markdown": "The trust deed is signed."})
        return note.id
    return draft


_note = _note_titled("Classic note on the trust")


async def _push(env: OrgEnv, kind: ItemKind, draft: Draft, contact_id: int) -> tuple[int, str]:
    """Draft through the use cases, queue, and push through the real engine; (draft id, Salesforce Id)."""
    events = Events()
    reports: list[PushFinished] = []
    events.subscribe(PushFinished, reports.append)
    drafts = Drafts(env.db, events)
    draft_id = await draft(env, drafts, contact_id)
    push = await OutboxSync.for_connection(env.db, env.cid, env.manager.client, events)
    try:
        push.start()
        assert (await drafts.queue_for_push(kind, [draft_id])).queued
        async with asyncio.timeout(60):  # does not hang; no speed is asserted
            while not any(r.report.pushed for r in reports):
                await asyncio.sleep(0.05)
    finally:
        await push.aclose()
    sent = await drafts.get(kind, draft_id)
    assert sent is not None and sent.state == "pushed" and sent.remote_id, sent
    return draft_id, sent.remote_id


def _salesforce_title(env: OrgEnv, remote_id: str) -> str:
    for sobject, field in (("Task", "Subject"), ("Event", "Subject"), ("Opportunity", "Name"), ("Note", "Title"),
                           ("ContentNote", "Title")):
        for record in env.org.records(sobject):
            if record["Id"] == remote_id:
                return str(record[field])
    raise AssertionError(f"{remote_id} is not in the org")


def _entries(timeline: Timeline) -> list[tuple[str, TimelineEntry]]:
    return [(section, e) for section, entries in (("open_tasks", timeline.open_tasks), ("upcoming", timeline.upcoming),
                                                  ("past", timeline.past), ("opportunities", timeline.opportunities))
            for e in entries]


def _about(timeline: Timeline, remote_id: str, kind: ItemKind, local_id: int, title: str
           ) -> list[tuple[str, TimelineEntry]]:
    """Every timeline entry that is this item: its Salesforce record, its local copy, or its title."""
    return [(section, e) for section, e in _entries(timeline)
            if e.sf_id == remote_id or title in e.title or (e.local_id == local_id and e.item_kind == kind)]


async def _shown(history: ClientHistory, env: OrgEnv, person: Contact) -> Timeline:
    assert person.id is not None
    timeline = await history.timeline(env.cid, person.id)
    assert timeline is not None
    return timeline


@dataclasses.dataclass(frozen=True)
class Case:
    kind: ItemKind
    draft: Draft
    title: str  # what the advisor typed, which Salesforce's Subject / Name holds (after the title template)
    pulled: EntryKind  # how the Salesforce record shows
    section: str  # where it shows once pulled back
    local_section: str  # where the local item shows before that
    check: Callable[[TimelineEntry], None] = lambda entry: None


def _call(entry: TimelineEntry) -> None:
    assert entry.status == "Completed" and not entry.is_open and entry.preview == "Went through the RMD dates."


def _email(entry: TimelineEntry) -> None:
    assert entry.status == "Completed" and "beneficiary" in entry.preview


def _content_note(entry: TimelineEntry) -> None:
    assert "trust deed is signed" in entry.preview


def _meeting(entry: TimelineEntry) -> None:
    assert entry.when == YESTERDAY and entry.location == "Office" and entry.preview == "Annual review."


def _deal(entry: TimelineEntry) -> None:
    assert (entry.status, entry.amount, entry.due) == ("Proposal", 250_000.0, date.fromisoformat(CLOSE))
    assert entry.is_open


def _open_task(entry: TimelineEntry) -> None:
    assert entry.is_open and entry.due == date.today() + timedelta(days=3) and entry.status


CASES = [
    Case(ItemKind.NOTE, _note_titled("Enhanced note on the trust"), "Enhanced note on the trust", EntryKind.NOTE,
         "past", "past", _content_note),
    Case(ItemKind.TASK, _task, "Send the RMD schedule", EntryKind.TASK, "upcoming", "upcoming", _open_task),
    Case(ItemKind.CALL, _activity(ItemKind.CALL, {"when": YESTERDAY.isoformat(), "outcome": "Spoke to Helen",
                                                  "note": "Went through the RMD dates."}),
         "Outbound call — Spoke to Helen", EntryKind.CALL, "past", "past", _call),
    Case(ItemKind.EMAIL, _activity(ItemKind.EMAIL, {"subject": "Beneficiary forms", "sent": YESTERDAY.isoformat(),
                                                    "sender": "advisor@example.com", "to": "helen@example.com",
                                                    "body": "Please sign the beneficiary forms."}),
         "Beneficiary forms", EntryKind.EMAIL, "past", "past", _email),
    Case(ItemKind.MEETING, _activity(ItemKind.MEETING, {"subject": "Portfolio review", "location": "Office",
                                                        "start": YESTERDAY.isoformat(),
                                                        "end": (YESTERDAY + timedelta(hours=1)).isoformat(),
                                                        "note": "Annual review."}),
         "Portfolio review", EntryKind.MEETING, "past", "past", _meeting),
    Case(ItemKind.OPPORTUNITY, _activity(ItemKind.OPPORTUNITY, {"name": "IRA rollover", "stage": "Proposal",
                                                                "close_date": CLOSE, "amount": 250_000}),
         "IRA rollover", EntryKind.OPPORTUNITY, "opportunities", "opportunities", _deal),
]


@pytest.mark.parametrize("case", CASES, ids=[c.kind.value for c in CASES])
async def test_services_history_pushed_once_each_kind(env: OrgEnv, case: Case) -> None:
    person = await _client(env)
    history = ClientHistory(env.db, env.manager.client)
    assert person.id is not None
    local_id, remote_id = await _push(env, case.kind, case.draft, person.id)

    shown = await _shown(history, env, person)
    before = _about(shown, remote_id, case.kind, local_id, case.title)
    assert len(before) == 1, before  # not pulled yet: the local item, "Pushed"
    section, local = before[0]
    assert local.local_id == local_id and local.item_kind == case.kind and local.sf_id == remote_id
    assert local.status == "Pushed" and section == case.local_section
    assert not local.from_notebridge and local.history_id is None
    noun = case.kind.value.capitalize()
    assert f"<b>{noun} in Notebridge</b> · <a href=\"{case.kind.value}:{local_id}\">" in timeline_html(shown)

    assert await history.refresh(env.cid, person.id) is RefreshOutcome.REFRESHED
    shown = await _shown(history, env, person)
    assert f"<b>{noun}</b> · " in timeline_html(shown) and "written in Notebridge" in timeline_html(shown)
    after = _about(shown, remote_id, case.kind, local_id, case.title)
    assert len(after) == 1, after  # once: the Salesforce record, linked to the local item
    section, entry = after[0]
    assert (entry.kind, section) == (case.pulled, case.section) and case.title in entry.title
    assert entry.title == _salesforce_title(env, remote_id)  # Salesforce's own words, not the local title
    assert entry.sf_id == remote_id and entry.history_id is not None
    assert entry.from_notebridge and entry.local_id == local_id and entry.item_kind == case.kind
    case.check(entry)


async def test_services_history_pushed_once_classic_note(classic_env: OrgEnv) -> None:
    env = classic_env
    person = await _client(env)
    history = ClientHistory(env.db, env.manager.client)
    assert person.id is not None
    local_id, remote_id = await _push(env, ItemKind.NOTE, _note, person.id)
    assert remote_id in {r["Id"] for r in env.org.records("Note")}  # a classic Note, not a ContentNote

    before = _about(await _shown(history, env, person), remote_id, ItemKind.NOTE, local_id, "Classic note on the trust")
    assert [(s, e.kind, e.status) for s, e in before] == [("past", EntryKind.LOCAL_NOTE, "Pushed")]

    assert await history.refresh(env.cid, person.id) is RefreshOutcome.REFRESHED
    after = _about(await _shown(history, env, person), remote_id, ItemKind.NOTE, local_id, "Classic note on the trust")
    assert len(after) == 1, after
    entry = after[0][1]
    assert entry.kind is EntryKind.NOTE and entry.sf_id == remote_id and entry.from_notebridge
    assert entry.local_id == local_id and entry.history_id is not None
    text = await history.note_text(env.cid, entry.history_id)
    assert text is not None and text.text is not None and "trust deed is signed" in text.text


EDITS = {  # what a colleague changes in Salesforce, and how the timeline must show it after
    ItemKind.CALL: ("Task", {"Subject": "Call about the RMD (edited)", "Description": "Edited in Salesforce."},
                    "Call about the RMD (edited)"),
    ItemKind.OPPORTUNITY: ("Opportunity", {"Name": "IRA rollover (edited)", "StageName": "Paperwork",
                                           "Amount": 300_000}, "IRA rollover (edited)"),
}


@pytest.mark.parametrize("kind", list(EDITS), ids=[k.value for k in EDITS])
async def test_services_history_pushed_once_edited_in_salesforce(env: OrgEnv, kind: ItemKind) -> None:
    case = next(c for c in CASES if c.kind is kind)
    sobject, changes, new_title = EDITS[kind]
    person = await _client(env)
    history = ClientHistory(env.db, env.manager.client)
    assert person.id is not None
    local_id, remote_id = await _push(env, kind, case.draft, person.id)
    assert await history.refresh(env.cid, person.id) is RefreshOutcome.REFRESHED

    client = await env.manager.client()
    await client.update(sobject, remote_id, changes)  # a colleague's edit, through Salesforce's REST API
    assert await history.refresh(env.cid, person.id) is RefreshOutcome.REFRESHED

    timeline = await _shown(history, env, person)
    after = _about(timeline, remote_id, kind, local_id, new_title)
    assert len(after) == 1, after
    entry = after[0][1]
    assert entry.title == new_title and entry.sf_id == remote_id and entry.local_id == local_id
    assert not [e for _, e in _entries(timeline) if e.title == case.title]  # the old text is nowhere
    if kind is ItemKind.OPPORTUNITY:
        assert (entry.status, entry.amount) == ("Paperwork", 300_000.0)
    else:
        assert entry.preview == "Edited in Salesforce."


DELETED = {ItemKind.NOTE: "ContentNote", ItemKind.MEETING: "Event", ItemKind.OPPORTUNITY: "Opportunity"}


@pytest.mark.parametrize("kind", list(DELETED), ids=[k.value for k in DELETED])
async def test_services_history_pushed_once_deleted_in_salesforce(env: OrgEnv, kind: ItemKind) -> None:
    case = next(c for c in CASES if c.kind is kind)
    person = await _client(env)
    history = ClientHistory(env.db, env.manager.client)
    assert person.id is not None
    local_id, remote_id = await _push(env, kind, case.draft, person.id)
    assert await history.refresh(env.cid, person.id) is RefreshOutcome.REFRESHED
    assert len(_about(await _shown(history, env, person), remote_id, kind, local_id, case.title)) == 1

    client = await env.manager.client()
    await client.delete(DELETED[kind], remote_id)
    assert await history.refresh(env.cid, person.id) is RefreshOutcome.REFRESHED

    timeline = await _shown(history, env, person)
    assert _about(timeline, remote_id, kind, local_id, case.title) == []  # neither the record nor a local twin
    assert [(e.local_id, e.item_kind, e.sf_id) for e in timeline.deleted_in_salesforce] == [(local_id, kind, remote_id)]
    kept = await Drafts(env.db).get(kind, local_id)  # nothing the advisor typed is lost
    assert kept is not None and kept.remote_id == remote_id
    words = timeline_html(timeline)
    assert "Deleted in Salesforce" in words and case.title in words and "Your copy is kept" in words
    detail = await ClientDirectory(env.db).open(env.cid, person.id)  # the client's list of what was written
    assert detail is not None and detail.deleted_in_salesforce == {remote_id}
    assert "since deleted in Salesforce (this copy is kept)" in work_html(detail)
