"""The use cases against a real workspace file, signed in to the demo org and pulled with the real engine.

They return values (never ORM rows) and publish what changed on the one event bus.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.services.clients import ClientDetail, ClientDirectory, ClientRecord, ContactSummary
from app.services.events import Events, HeldItemsReleased, ItemStateChanged, PushSettingsChanged
from app.services.prospects import NewPerson, People
from app.services.sync_log import SyncLog
from app.services.sync_settings import BUDGET_CODE, HELD_CODE, PushPreferences, SyncSettings
from app.store import outbox as outbox_repo
from app.store import tasks as tasks_repo
from app.store.models import Contact
from tests.integration.services.conftest import Env
from tests.integration.settings.settings_env import drafts, first_contacts


async def test_services_client_directory_lists_searches_and_opens_values(env: Env) -> None:
    directory = ClientDirectory(env.db)
    total = await directory.count(env.cid)
    assert total >= 15
    first_page = await directory.list_page(env.cid, 0, 5)
    assert len(first_page) == 5 and all(isinstance(row, ContactSummary) for row in first_page)
    assert await directory.list_page(env.cid, total, 5) == []

    someone = first_page[2]
    hits = await directory.search(env.cid, someone.name, 10)
    assert someone.id in [hit.contact.id for hit in hits]

    people = await first_contacts(env.db, env.cid)
    made = await drafts(env.db, env.cid, people)
    detail = await directory.open(env.cid, people[0].id or 0)
    assert isinstance(detail, ClientDetail)
    assert isinstance(detail.contact, ClientRecord) and not isinstance(detail.contact, Contact)
    assert detail.contact.sf_id == people[0].sf_id and detail.contact.email == people[0].email
    assert [n.id for n in detail.notes] == [made.draft_note.id]
    assert [t.id for t in detail.tasks] == [made.draft_task.id]
    with pytest.raises(dataclasses.FrozenInstanceError):
        detail.contact.name = "Changed"  # type: ignore[misc]
    assert await directory.open(env.cid, 10_000_000) is None


async def _held_task(env: Env, code: str) -> int:
    people = await first_contacts(env.db, env.cid, 1)

    def write(session: Any) -> int:
        task = tasks_repo.create(session, env.cid, contact_id=people[0].id, subject="Call back")
        row = outbox_repo.enqueue(session, "task", task.id)
        later = datetime.now(UTC) + timedelta(days=1)
        outbox_repo.settle_waiting(session, [row.id], code=code, reason="held", next_try_at=later)
        return row.id

    return await env.db.run(write)


async def _next_try(env: Env, outbox_id: int) -> datetime | None:
    row = await env.db.run(lambda s: outbox_repo.get(s, outbox_id))
    assert row is not None and row.state == "waiting"
    return row.next_try_at


async def test_services_turning_tasks_back_on_releases_the_tasks_held_for_it(env: Env) -> None:
    events = Events()
    seen: list[object] = []
    for kind in (HeldItemsReleased, ItemStateChanged, PushSettingsChanged):
        events.subscribe(kind, seen.append)
    settings = SyncSettings(env.db, events)
    held = await _held_task(env, HELD_CODE)
    off = PushPreferences(push_tasks=False)

    await settings.change_push(env.manager, off, off)  # nothing turned on: the task keeps waiting
    assert await _next_try(env, held) is not None
    assert not any(isinstance(e, HeldItemsReleased) for e in seen)

    await settings.change_push(env.manager, off, PushPreferences(push_tasks=True))
    assert await _next_try(env, held) is None  # due now
    assert HeldItemsReleased(env.cid, HELD_CODE, 1) in seen
    assert ItemStateChanged(env.cid, "task", None, "queued") in seen
    assert (await settings.load(env.cid)).push.push_tasks is True


async def test_services_a_smaller_api_reserve_releases_what_the_reserve_held(env: Env) -> None:
    settings = SyncSettings(env.db)
    held = await _held_task(env, BUDGET_CODE)
    before = PushPreferences(api_reserve_percent=40)
    await settings.change_push(env.manager, before, PushPreferences(api_reserve_percent=50))  # larger: stays
    assert await _next_try(env, held) is not None
    await settings.change_push(env.manager, before, PushPreferences(api_reserve_percent=10))
    assert await _next_try(env, held) is None


async def test_services_invalid_push_settings_save_and_release_nothing(env: Env) -> None:
    settings = SyncSettings(env.db)
    held = await _held_task(env, HELD_CODE)
    with pytest.raises(ValueError, match="other apps"):
        await settings.change_push(env.manager, PushPreferences(push_tasks=False),
                                   PushPreferences(push_tasks=True, api_reserve_percent=1000))
    assert await _next_try(env, held) is not None
    assert (await settings.load(env.cid)).push == PushPreferences()


async def test_services_add_person_queues_them_in_one_transaction(env: Env) -> None:
    events = Events()
    seen: list[ItemStateChanged] = []
    events.subscribe(ItemStateChanged, seen.append)
    people = People(env.db, events)
    someone = (await first_contacts(env.db, env.cid, 1))[0]
    assert someone.email
    assert [p.contact_id for p in await people.same_email(env.cid, someone.email.upper())] == [someone.id]

    robin = NewPerson("Robin", "Newcomer", "robin@example.com", account_name="Newcomer Household")
    contact_id = await people.add(env.cid, robin, "Contact")
    assert seen == [ItemStateChanged(env.cid, "person", contact_id, "queued")]
    detail = await ClientDirectory(env.db).open(env.cid, contact_id)
    assert detail is not None and detail.contact.name == "Robin Newcomer"

    before = await ClientDirectory(env.db).count(env.cid)
    with pytest.raises(ValueError, match="household"):
        await people.add(env.cid, NewPerson("Sam", "Nohouse", "sam@example.com"), "Contact")
    assert len(seen) == 1 and await ClientDirectory(env.db).count(env.cid) == before


async def test_services_sync_log_shows_the_pull_it_recorded(env: Env) -> None:
    page = await SyncLog(env.db).recent(env.cid, timedelta(days=1))
    assert page.rows and "pull" in {row.direction for row in page.rows}
    assert page.outcomes
