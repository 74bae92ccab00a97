"""Settings → Sync: every wizard choice is changeable, each change says what it does before it is
applied, is applied at once (the pull follows without a restart), and never loses a draft or a queued
item.  The wizard's Preferences page saves through the same use case.

Real widgets on a real Settings page, a demo org over HTTP, a real workspace file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from app.salesforce.errors import NetworkError
from app.services.client_sync import ClientSync
from app.services.sync_choices import RecordScope, SyncChoices, SyncChoicesChanged, SyncChoicesService
from app.store import connections as connection_rows
from app.store import contacts as contacts_repo
from app.store import notes as notes_repo
from app.store import outbox as outbox_repo
from app.store import people as people_repo
from app.store import settings as settings_rows
from app.store import sync_state
from app.store import tasks as tasks_repo
from app.store.kinds import ItemKind
from app.sync.pull.scheduler import PullScheduler
from app.ui.settings.sync_form import SyncChoicesPanel
from app.ui.wizard import preferences as wizard_prefs
from tests.integration.settings.settings_env import Drafts, drafts, first_contacts
from tests.support.qt_loop import until
from tests.ui.settings.conftest import Env, confirm_dialog
from tests.ui.wizard.helpers import press

SYNC_TAB = 3


def _panel(env: Env) -> SyncChoicesPanel:
    env.page.tabs.setCurrentIndex(SYNC_TAB)
    return env.page.sync_panel


async def _with_drafts(env: Env) -> Drafts:
    people = await first_contacts(env.db, env.cid, 3)
    return await drafts(env.db, env.cid, people)


async def _assert_drafts_kept(env: Env, made: Drafts) -> None:
    def read(session: Any) -> tuple[Any, Any, Any, Any]:
        return (notes_repo.get(session, made.draft_note.id), notes_repo.get(session, made.queued_note.id),
                outbox_repo.active_for(session, ItemKind.NOTE, made.queued_note.id),
                tasks_repo.get(session, made.draft_task.id))

    draft, queued, queued_row, task = await env.db.run(read)
    assert draft is not None and draft.body_markdown == made.draft_note.body_markdown
    assert queued is not None and queued.title == made.queued_note.title
    assert queued_row is not None and queued_row.state == "queued", "the queued note is still waiting to go"
    assert task is not None and task.subject == made.draft_task.subject
    assert (await env.db.run(lambda s: contacts_repo.get(s, env.cid, made.draft_note.contact_id))) is not None


async def _apply_with(env: Env, act: Callable[[SyncChoicesPanel], object]) -> str:
    """Do ``act`` on the panel, read the explanation it opens, press Apply; returns the words."""
    panel = _panel(env)
    act(panel)
    await confirm_dialog(env.page, "syncChangeDialog")
    await until(lambda: not panel._busy, "the change is applied")
    assert panel.last_effect is not None
    assert panel.message.kind == "ok", panel.message.message
    return panel.last_effect.text


async def _saved(env: Env) -> SyncChoices:
    return await SyncChoicesService(env.db, env.manager).load(env.cid)


# -------------------------------------------------------------------------- switching to Accounts
async def test_sync_settings_switch_to_accounts_counts_resyncs_now_and_keeps_drafts(env: Env, qtbot: Any) -> None:
    made = await _with_drafts(env)
    scheduler = PullScheduler(env.db, env.manager, first_delay=timedelta(hours=1))
    sync = ClientSync(env.db, env.manager, env.page.events, scheduler=scheduler)
    sync.start()  # waits an hour for its first run: only the change can make it pull now
    try:
        panel = _panel(env)
        assert panel.object_buttons["Contact"].isChecked()
        accounts = len(env.org.records("Account"))
        words = await _apply_with(env, lambda p: press(qtbot, p.object_buttons["Account"]))
        assert f"Switching to Accounts re-syncs about {accounts:,} records" in words
        assert "drafts" in words and "Outbox" in words

        row = await env.db.run(lambda s: connection_rows.get(s, env.cid))
        assert row is not None and row.client_object == "Account"
        assert env.manager.active is not None and env.manager.active.client_object == "Account"

        # Applied without a restart: the sleeping scheduler pulls at once, with Accounts.
        await until(lambda: scheduler.last_result is not None, "the change wakes the pull")
        assert scheduler.last_result is not None and scheduler.last_result.ok, scheduler.last_result.message
        synced = await env.db.run(lambda s: people_repo.live_count(s, env.cid, "Account"))
        assert synced == accounts
        await _assert_drafts_kept(env, made)
    finally:
        await sync.aclose()


async def test_sync_settings_offline_explains_in_plain_words_without_a_count(env: Env, qtbot: Any) -> None:
    made = await _with_drafts(env)
    env.manager.report_failure(NetworkError("the network is down"))
    assert env.manager.status.offline
    calls_before = env.org.stats().get("api_calls", None)
    words = await _apply_with(env, lambda p: press(qtbot, p.object_buttons["Account"]))
    assert "Switching to Accounts re-syncs your clients at the next sync" in words
    assert "about" not in words
    assert env.org.stats().get("api_calls", None) == calls_before, "offline: Salesforce is not asked"
    assert (await _saved(env)).client_object == "Account"
    await _assert_drafts_kept(env, made)


async def test_sync_settings_cancel_puts_the_control_back(env: Env, qtbot: Any) -> None:
    panel = _panel(env)
    press(qtbot, panel.include_leads)
    await confirm_dialog(env.page, "syncChangeDialog", accept=False)
    await until(lambda: not panel._busy, "the panel settles")
    assert not panel.include_leads.isChecked()
    assert panel.message.message == "Nothing changed."
    assert not (await _saved(env)).include_leads


# ---------------------------------------------------------------------------- each other change
@dataclass(frozen=True)
class Case:
    name: str
    act: Callable[[SyncChoicesPanel, Any], object]
    words: str
    check: Callable[[SyncChoices, sync_state.PullSettings], bool]


def _combo(combo: Any, data: object) -> None:
    combo.setCurrentIndex(combo.findData(data))


CASES = [
    Case("leads", lambda p, bot: press(bot, p.include_leads), "Leads join your clients: about",
         lambda c, s: c.include_leads and s.include_leads),
    Case("scope_mine", lambda p, bot: press(bot, p.scope_buttons[RecordScope.MINE]), "Only clients you own (about",
         lambda c, s: c.record_scope is RecordScope.MINE and s.record_scope == "mine"),
    Case("pick_mode", lambda p, bot: press(bot, p.pick_mode), "Only the clients you pick",
         lambda c, s: c.pick_mode and s.pick_mode),
    Case("contact_sync_off", lambda p, bot: press(bot, p.contacts_enabled), "stop updating from Salesforce",
         lambda c, s: not c.contacts_enabled and not s.contacts_enabled),
    Case("interval", lambda p, _bot: _combo(p.interval, 240), "every 4 hours from now on",
         lambda c, s: c.interval_minutes == 240 and s.interval_minutes == 240),
    Case("events_off", lambda p, bot: press(bot, p.include_events), "Meetings stop updating",
         lambda c, s: not c.include_events and not s.include_events),
    Case("event_window", lambda p, _bot: _combo(p.event_window, 365), "365 days back to 365 days ahead",
         lambda c, s: c.event_window_days == 365 and s.event_window_days == 365),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_sync_settings_each_change_is_explained_saved_and_keeps_drafts(env: Env, qtbot: Any,
                                                                             case: Case) -> None:
    made = await _with_drafts(env)
    heard: list[SyncChoicesChanged] = []
    env.page.events.subscribe(SyncChoicesChanged, heard.append)
    words = await _apply_with(env, lambda p: case.act(p, qtbot))
    assert case.words in words, words
    pulled = await env.db.run(lambda s: sync_state.pull_settings(s, env.cid))
    assert case.check(await _saved(env), pulled)
    assert heard and heard[-1].after == await _saved(env)
    await _assert_drafts_kept(env, made)


async def test_sync_settings_event_window_change_reads_meetings_afresh(env: Env, qtbot: Any) -> None:
    cursors = await env.db.run(lambda s: sync_state.get_cursor(s, env.cid, "Event"))
    assert cursors is not None
    await _apply_with(env, lambda p: _combo(p.event_window, 30))
    assert await env.db.run(lambda s: sync_state.get_cursor(s, env.cid, "Event")) is None


async def test_sync_settings_default_assignee_from_synced_users(env: Env, qtbot: Any) -> None:
    panel = _panel(env)
    colleagues = [c for c in panel.colleagues if c.user_id != env.connection.user_id]
    assert colleagues, "the demo org's users were synced"
    chosen = colleagues[0]
    words = await _apply_with(env, lambda p: _combo(p.assignee, chosen.user_id))
    assert f"New tasks are assigned to {chosen.name}" in words
    stored = await env.db.run(lambda s: tasks_repo.default_assignee(s, env.cid))
    assert stored == chosen.user_id
    assert panel.assignee.currentData() == chosen.user_id


# ------------------------------------------------------------------------- one path with the wizard
async def _stored_preferences(env: Env) -> dict[str, Any]:
    def read(session: Any) -> dict[str, Any]:
        row = connection_rows.get(session, env.cid)
        assert row is not None
        return {"row": (row.client_object, row.include_leads),
                "pull": settings_rows.get(session, env.cid, sync_state.PULL_SETTINGS_KEY),
                "scope": settings_rows.get(session, env.cid, wizard_prefs.SETTING_SCOPE),
                "assignee": settings_rows.get(session, env.cid, wizard_prefs.SETTING_TASK_ASSIGNEE)}

    return await env.db.run(read)


async def test_sync_settings_and_the_wizard_write_the_same_preferences(env: Env, qtbot: Any) -> None:
    panel = _panel(env)
    colleague = next(c for c in panel.colleagues if c.user_id != env.connection.user_id)
    chosen = wizard_prefs.Preferences(client_object="Account", include_leads=True, contact_sync=True,
                                      sync_interval_minutes=60, record_scope="mine",
                                      task_assignee_id=colleague.user_id)
    # The wizard saves on the app's bus: the Settings page hears it and shows the wizard's choices.
    await wizard_prefs.save(env.db, env.manager, chosen, env.page.events)
    by_wizard = await _stored_preferences(env)
    await until(lambda: panel.object_buttons["Account"].isChecked() and panel.include_leads.isChecked(),
                "Settings shows what the wizard saved")
    assert panel.scope_buttons[RecordScope.MINE].isChecked() and panel.interval.currentData() == 60
    assert panel.assignee.currentData() == colleague.user_id

    # Back to the defaults through the service, then the same choices through the Settings widgets.
    service = SyncChoicesService(env.db, env.manager, env.page.events)
    await service.apply(SyncChoices())
    await until(lambda: panel.object_buttons["Contact"].isChecked(), "Settings shows the defaults")
    assert (await _stored_preferences(env)) != by_wizard
    steps: list[Callable[[SyncChoicesPanel], object]] = [
        lambda p: press(qtbot, p.object_buttons["Account"]), lambda p: press(qtbot, p.include_leads),
        lambda p: press(qtbot, p.scope_buttons[RecordScope.MINE]), lambda p: _combo(p.interval, 60),
        lambda p: _combo(p.assignee, colleague.user_id)]
    for step in steps:
        await _apply_with(env, step)
    assert (await _stored_preferences(env)) == by_wizard


# ------------------------------------------------------------------- the workspace's More menu mirrors it
async def test_sync_settings_and_the_workspace_menu_are_one_choice(env: Env, qtbot: Any) -> None:
    from app.ui.workspace import WorkspacePage

    workspace = WorkspacePage(env.db, env.manager, events=env.page.events)
    qtbot.addWidget(workspace)
    await workspace.refresh()
    try:
        panel = _panel(env)
        assert workspace.toggle_action.isChecked() and panel.contacts_enabled.isChecked()
        workspace.toggle_action.setChecked(False)  # the menu's "contact sync" switch
        await until(lambda: not panel.contacts_enabled.isChecked(), "Settings → Sync shows the menu's change")
        assert not (await _saved(env)).contacts_enabled

        await _apply_with(env, lambda p: press(qtbot, p.pick_mode))
        await until(lambda: workspace.pick_action.isChecked(), "the menu shows the Settings change")
        assert workspace.settings is not None and workspace.settings.pick_mode

        # Where clients live: the workspace list and the Connection card follow at once.
        await _apply_with(env, lambda p: press(qtbot, p.object_buttons["Account"]))
        await until(lambda: "Account" in (workspace._source_objects() or ()), "the list shows households")
        assert env.page.card.clients.text().startswith("Accounts (households")
    finally:
        await workspace.aclose()
