"""Adding a person from the workspace (items 13 and 15) and a converted lead's notes (item 14), through
the real widgets against the demo org: the button, Ctrl+Shift+N and the no-results offer open Settings'
"Add a person" dialog prefilled from the search; the person is found at once, reaches Salesforce through
the real push loop, keeps its workspace row (now with the Salesforce Id) through Sync now, and the Outbox
calls it a person."""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import Qt

from app.services.client_sync import PullOutcome
from app.services.outbox_sync import OutboxSync
from app.services.sync_settings import ProspectPreferences, SyncSettings
from app.store import contacts
from app.store import outbox as outbox_repo
from app.store.kinds import ItemKind
from app.ui.outbox.page import OutboxPage
from app.ui.settings.prospects import NewPersonDialog
from app.ui.workspace.list_model import ContactIdRole
from tests.ui.workspace.conftest import Env, until


def shown_ids(env: Env) -> list[int]:
    model = env.page.model
    return [model.index(row).data(ContactIdRole) for row in range(model.rowCount())]


async def type_search(env: Env, qtbot: Any, text: str) -> None:
    """Type into the search box as the advisor does, and wait for the list to answer."""
    page = env.page
    page.search.clear()
    await until(lambda: not page.model.query, "search cleared")
    qtbot.keyClicks(page.search, text)
    await until(lambda: page.model.query == text, f"searched for {text!r}")
    for row in range(page.model.rowCount()):
        await page.model.load_row(row)


async def open_dialog(env: Env, trigger: Any) -> NewPersonDialog:
    env.page.person_dialog = None
    trigger()
    await until(lambda: env.page.person_dialog is not None and env.page.person_dialog.isVisible(), "dialog open")
    dialog = env.page.person_dialog
    assert dialog is not None
    return dialog


async def test_no_match_clears_details_and_offers_add_person(env: Env, qtbot: Any) -> None:
    page = env.page
    someone = env.org.records("Contact")[0]
    await type_search(env, qtbot, someone["LastName"])
    page.open_current()
    await until(lambda: page.detail.data is not None, "a client open")
    assert page.detail.stack.currentWidget() is not page.detail.placeholder

    await type_search(env, qtbot, "Zanzibar Quixotic")
    assert page.model.rowCount() == 0
    assert page.list_stack.currentWidget() is page.no_results
    assert page.detail.data is None and page.detail.stack.currentWidget() is page.detail.placeholder
    assert page.no_results_add.isVisibleTo(page)
    assert page.no_results_add.text() == "Add “Zanzibar Quixotic” as a new person"

    dialog = await open_dialog(env, page.no_results_add.click)
    assert (dialog.first_name.text(), dialog.last_name.text()) == ("Zanzibar", "Quixotic")
    assert dialog.account.text() == "Quixotic Household"  # the dialog's own suggestion still applies
    dialog.reject()
    await until(lambda: page.person_dialog is None, "dialog closed")
    assert await env.db.run(lambda s: contacts.count(s, env.connection_id)) == page.model.total  # nothing added


async def test_add_person_as_lead_found_at_once_pushed_and_kept_through_sync(env: Env, qtbot: Any) -> None:
    page, cid = env.page, env.connection_id
    assert page.settings is not None and not page.settings.include_leads  # leads are not synced here
    # As Settings does, on the shell's one bus: the workspace hears it and lists Leads from now on.
    await SyncSettings(env.db, page.events).change_prospects(cid, ProspectPreferences(create_as="Lead"))
    await until(lambda: page.model.source_objects == ("Contact", "Lead"), "the list follows the setting")
    push = await OutboxSync.for_connection(env.db, cid, env.connections.client, page.events)
    push.start()
    outbox = OutboxPage(env.db, cid)
    qtbot.addWidget(outbox)
    try:
        await type_search(env, qtbot, "Priya Raman")
        assert page.model.rowCount() == 0
        page.search.setFocus()
        dialog = await open_dialog(
            env, lambda: qtbot.keyClick(page.search, Qt.Key.Key_N,
                                        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier))
        assert (dialog.first_name.text(), dialog.last_name.text()) == ("Priya", "Raman")
        dialog.account.setText("Raman Consulting")
        dialog.email.setText("priya.raman@example.org")
        dialog.phone.setText("+1 476 496 3197")
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
        await until(lambda: page.person_dialog is None, "dialog closed")
        contact_id = dialog.contact_id
        assert contact_id is not None

        # At once: shown and open, and found every way the advisor might look for her.
        await until(lambda: page.detail.data is not None and page.detail.data.contact.id == contact_id, "opened")
        assert contact_id in shown_ids(env)
        for text in ("Raman", "priya r", "priya.raman@example.org", "(476) 496-3197"):
            await type_search(env, qtbot, text)
            assert contact_id in shown_ids(env), text

        # The Outbox calls her a person.
        await outbox.refresh()
        labels = [outbox.tree.topLevelItem(i).text(1) for i in range(outbox.tree.topLevelItemCount())]
        assert "New person: Priya Raman" in labels and not any(label.startswith("Task:") for label in labels)

        # The push (woken by the bus, no explicit wake) creates the Lead and gives the same row its Id.
        async def pushed() -> bool:
            row = await env.db.run(lambda s: outbox_repo.active_for(s, ItemKind.PERSON, contact_id))
            return row is None

        await until(pushed, "the person pushed")
        leads = [r for r in env.org.records("Lead") if r.get("LastName") == "Raman" and not r.get("IsDeleted")]
        assert len(leads) == 1 and leads[0]["Company"] == "Raman Consulting"
        row = await env.db.run(lambda s: contacts.get(s, cid, contact_id))
        assert row is not None and row.sf_id == leads[0]["Id"] and row.source_object == "Lead"

        # After the push and after Sync now: still found, once, on the same row.
        for full in (False, True):
            result = await page.sync_now(full=full)
            assert result is not None and result.outcome is not PullOutcome.FAILED
            await until(lambda: not page.syncing, "sync over")
            await type_search(env, qtbot, "Raman")
            assert shown_ids(env).count(contact_id) == 1
            assert await env.db.run(lambda s: len([c for c in contacts.search(s, cid, "Priya Raman", 50)
                                                   if c.contact.name == "Priya Raman"])) == 1

        # Leads synced from now on: the pull meets the same Id on the same row, not a second Raman.
        await env.connections.update_preferences(include_leads=True)
        await page.refresh()
        await page.sync_now(full=True)
        await until(lambda: not page.syncing, "sync with leads over")
        await type_search(env, qtbot, "Raman")
        assert shown_ids(env).count(contact_id) == 1
        assert await env.db.run(lambda s: len([c for c in contacts.search(s, cid, "Priya Raman", 50)
                                               if c.contact.name == "Priya Raman"])) == 1
    finally:
        await push.aclose()
        await asyncio.sleep(0)


async def test_converted_lead_says_where_its_notes_go_with_a_link(env: Env, qtbot: Any) -> None:
    """Item 14: not "Choose New note" while New note is greyed out, but the contact it became."""
    await env.connections.update_preferences(include_leads=True)
    lead = next(r for r in env.org.records("Lead") if not r["IsConverted"] and not r.get("IsDeleted"))
    contact_sf_id = env.org.convert_lead(lead["Id"])
    await env.page.refresh()
    await env.page.sync_now()
    await until(lambda: not env.page.syncing, "sync finished")
    row = await env.db.run(lambda s: contacts.get_by_sf_id(s, env.connection_id, lead["Id"]))
    target = await env.db.run(lambda s: contacts.get_by_sf_id(s, env.connection_id, contact_sf_id))
    assert row is not None and row.read_only and target is not None
    detail = env.page.detail
    await detail.show_contact(row.id)
    work = detail.work_view.text()
    assert not detail.note_button.isEnabled()
    assert "Choose “New note”" not in work and "Choose" not in work
    assert f'<a href="contact:{target.id}">' in work and "the contact this lead became" in work
    detail.work_view.linkActivated.emit(f"contact:{target.id}")
    await until(lambda: detail.data is not None and detail.data.contact.id == target.id, "its contact opened")
    assert detail.note_button.isEnabled()


async def test_add_person_button_opens_an_empty_form_when_nothing_was_searched(env: Env, qtbot: Any) -> None:
    page = env.page
    assert page.add_person_button.isEnabled()
    dialog = await open_dialog(env, page.add_person_button.click)
    assert dialog.last_name.text() == ""  # nothing searched: an empty form
    dialog.reject()
    await until(lambda: page.person_dialog is None, "dialog closed")
