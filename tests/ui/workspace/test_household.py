"""Households in the client view: a person's other household members, each one click away, and the
household view (members, meetings, notes, open tasks) — from the Account's Contacts, and from
AccountContactRelation when the org has it.

Real widgets on the workspace page, a demo org over HTTP (with and without "Contacts to Multiple
Accounts"), the real pull through the scheduler, a real workspace file.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlmodel import func, select

from app.store import contacts as contacts_repo
from app.store import notes as notes_repo
from app.store import tasks as tasks_repo
from app.store.models import AccountContactRelation
from tests.support.qt_loop import until
from tests.ui.workspace.conftest import Env, make_env


async def _local_id(env: Env, sf_id: str) -> int:
    row = await env.db.run(lambda s: contacts_repo.get_by_sf_id(s, env.connection_id, sf_id))
    assert row is not None and row.id is not None, f"{sf_id} was synced"
    return row.id


async def _relations(env: Env) -> int:
    return int(await env.db.run(lambda s: s.exec(select(func.count()).select_from(AccountContactRelation)).one()))


def _households(env: Env) -> dict[str, list[dict[str, Any]]]:
    by_account: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for contact in env.org.records("Contact"):
        if contact.get("AccountId"):
            by_account[contact["AccountId"]].append(contact)
    return by_account


async def test_household_members_are_listed_and_open_the_person(tmp_path: Path, qtbot: Any) -> None:
    async with make_env(tmp_path, qtbot, contacts=30) as env:
        assert await _relations(env) == 0, "an org without AccountContactRelation has none"
        account_id, people = next((a, p) for a, p in _households(env).items() if len(p) >= 2)
        person, others = people[0], people[1:]
        detail = env.page.detail
        await detail.show_contact(await _local_id(env, person["Id"]))
        text = detail.household_view.text()
        for other in others:
            assert f'href="contact:{await _local_id(env, other["Id"])}"' in text
            assert other["Name"] in text
        assert person["Name"] not in text, "the person is not listed as their own household member"
        assert f'href="household:{account_id}"' in text

        # A member is one click away: the link opens them in the client view.
        target = others[0]
        detail.household_view.linkActivated.emit(f"contact:{await _local_id(env, target['Id'])}")
        await until(lambda: detail.data is not None and detail.data.contact.sf_id == target["Id"],
                    "the member opens")
        assert person["Name"] in detail.household_view.text(), "and lists the first person back"


async def test_household_view_lists_members_meetings_notes_and_open_tasks(tmp_path: Path, qtbot: Any) -> None:
    async with make_env(tmp_path, qtbot, contacts=30) as env:
        account_id, people = next((a, p) for a, p in _households(env).items() if len(p) >= 2)
        first, second = await _local_id(env, people[0]["Id"]), await _local_id(env, people[1]["Id"])

        def write(session: Any) -> tuple[int, int, int]:
            note = notes_repo.create(session, env.connection_id, contact_id=second, title="Family trust review",
                                     body_markdown="Both want the trust updated.")
            open_task = tasks_repo.create(session, env.connection_id, contact_id=first, subject="Send the forms")
            done = tasks_repo.create(session, env.connection_id, contact_id=second, subject="Old finished call",
                                     status="Completed")
            return note.id, open_task.id, done.id

        note_id, task_id, _done_id = await env.db.run(write)
        detail = env.page.detail
        await detail.show_contact(first)
        detail.household_view.linkActivated.emit(f"household:{account_id}")
        view = detail.household
        await until(lambda: detail.stack.currentWidget() is view, "the household view opens")
        assert view.data is not None and view.data.household.sf_id == account_id
        members = view.members_view.text()
        for person in people:
            assert person["Name"] in members
        work = view.work_view.text()
        assert f'href="note:{note_id}"' in work and "Family trust review" in work
        assert f'href="task:{task_id}"' in work and "Send the forms" in work
        assert "Old finished call" not in work, "only open tasks"
        org_meetings = [e for e in env.org.records("Event")
                        if e.get("WhatId") == account_id or e.get("WhoId") in {p["Id"] for p in people}]
        if org_meetings:  # the seed gives most households a meeting; the view shows what was synced
            assert "No meetings" not in view.meetings_view.text()

        opened: list[int] = []
        detail.open_note_requested.connect(opened.append)
        view.work_view.linkActivated.emit(f"note:{note_id}")
        assert opened == [note_id]

        view.members_view.linkActivated.emit(f"contact:{second}")
        await until(lambda: detail.data is not None and detail.data.contact.id == second
                    and detail.stack.currentIndex() == 3, "a member opens from the household view")

        detail.household_view.linkActivated.emit(f"household:{account_id}")
        await until(lambda: detail.stack.currentWidget() is view, "the household view again")
        view.back_button.click()
        assert detail.stack.currentIndex() == 3 and detail.data is not None and detail.data.contact.id == second


async def test_household_includes_related_members_when_the_org_has_account_contact_relation(
        tmp_path: Path, qtbot: Any) -> None:
    async with make_env(tmp_path, qtbot, contacts=30, contacts_to_multiple_accounts=True, sync=False) as env:
        # As in the app: the wizard's Preferences page reads the org's global describe on this client
        # before the first sync, and the pull learns from it that the org has AccountContactRelation.
        await (await env.connections.client()).describe_global()
        await env.page.sync_now()
        await until(lambda: env.page.model.total > 0 and not env.page.syncing, "first sync shown")
        relations = env.org.records("AccountContactRelation")
        assert await _relations(env) == len(relations), "the pull stored every relation"
        indirect = next(r for r in relations if not r["IsDirect"])
        households = _households(env)
        related = next(c for c in env.org.records("Contact") if c["Id"] == indirect["ContactId"])
        assert related["AccountId"] != indirect["AccountId"], "a member whose Contact sits under another Account"
        direct_member = households[indirect["AccountId"]][0]

        detail = env.page.detail
        await detail.show_contact(await _local_id(env, direct_member["Id"]))
        text = detail.household_view.text()
        related_id = await _local_id(env, related["Id"])
        assert f'href="contact:{related_id}"' in text and related["Name"] in text
        assert indirect["Roles"] in text, "their role in the household is named"

        # The related person's own view lists both households: their own and the one they are related to.
        detail.household_view.linkActivated.emit(f"contact:{related_id}")
        await until(lambda: detail.data is not None and detail.data.contact.id == related_id, "they open")
        own = detail.household_view.text()
        assert f'href="household:{related["AccountId"]}"' in own
        assert f'href="household:{indirect["AccountId"]}"' in own
        assert direct_member["Name"] in own


async def test_household_kept_as_a_client_lists_its_members_from_account_contact_relation(
        tmp_path: Path, qtbot: Any) -> None:
    from app.services.sync_choices import SyncChoices, SyncChoicesService

    async with make_env(tmp_path, qtbot, contacts=20, contacts_to_multiple_accounts=True, sync=False) as env:
        await SyncChoicesService(env.db, env.connections, env.page.events).apply(SyncChoices(client_object="Account"))
        await (await env.connections.client()).describe_global()  # as the wizard does before the first sync
        await env.page.sync_now()
        await until(lambda: env.page.model.total > 0 and not env.page.syncing, "the households are synced")
        account_id, people = next((a, p) for a, p in _households(env).items() if len(p) >= 2)
        detail = env.page.detail
        await detail.show_contact(await _local_id(env, account_id))
        assert detail.data is not None and detail.data.contact.source_object == "Account"
        text = detail.household_view.text()
        for person in people:  # named from the relations; their Contacts are not clients in this mode
            assert person["Name"] in text
        assert "not synced to this computer" in text

        detail.household_view.linkActivated.emit(f"household:{account_id}")
        await until(lambda: detail.stack.currentWidget() is detail.household, "the household view opens")
        assert all(p["Name"] in detail.household.members_view.text() for p in people)
        assert detail.household.open_client_button.isVisibleTo(detail.household)
