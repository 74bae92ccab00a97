"""Settings → Sending for what the advisor logs: a switch and a title template per activity kind."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.services.email_log import EmailLog
from app.services.email_parse import parse_text
from app.store import activities as activities_repo
from app.store import contacts as contacts_repo
from app.store import outbox as outbox_repo
from app.store import outbox_holds
from app.store.kinds import ItemKind
from app.store.types import utcnow
from app.sync.push import preferences as prefs
from app.sync.push import prepare as prepare_push
from app.sync.push.base import UnmatchedEmail
from app.sync.push.kinds.email_client import NO_CLIENT_CODE
from app.sync.push.preferences import PushPreferences
from tests.support.qt_loop import until
from tests.ui.settings.conftest import Env
from tests.ui.wizard.helpers import press

KINDS = (ItemKind.CALL, ItemKind.MEETING, ItemKind.EMAIL, ItemKind.OPPORTUNITY)


async def _stored(env: Env) -> PushPreferences:
    return await prefs.load(env.db, env.cid)


async def test_sending_settings_each_kind_is_on_by_default_and_its_switch_saves_at_once(env: Env, qtbot: Any) -> None:
    rows = env.page.push_form.activities.rows
    env.page.tabs.setCurrentIndex(1)
    assert set(KINDS) <= set(rows)
    assert all(rows[k].switch.isChecked() for k in KINDS)
    assert [rows[k].switch.text() for k in KINDS] == ["Send calls", "Send meetings", "Send emails",
                                                      "Send opportunities"]
    for kind in KINDS:
        press(qtbot, rows[kind].switch)
        await until(lambda kind=kind: kind in env.page.push_prefs.activities_off, f"{kind} turned off")
        assert kind in (await _stored(env)).activities_off
    assert set((await _stored(env)).activities_off) == set(KINDS)
    press(qtbot, rows[ItemKind.MEETING].switch)
    await until(lambda: ItemKind.MEETING not in env.page.push_prefs.activities_off, "meetings back on")
    assert set((await _stored(env)).activities_off) == {ItemKind.CALL, ItemKind.EMAIL, ItemKind.OPPORTUNITY}


async def test_sending_settings_template_preview_is_live_and_saved_only_when_valid(env: Env, qtbot: Any) -> None:
    row = env.page.push_form.activities.rows[ItemKind.OPPORTUNITY]
    env.page.tabs.setCurrentIndex(1)
    assert row.template.text() == "{account} - {name}"
    assert row.preview.text() == "Example: Chen Household - IRA rollover"
    row.template.clear()
    qtbot.keyClicks(row.template, "{name} for {client}")
    assert row.message.kind == "error" and "{client}" in row.message.message and not row.preview.isVisible()
    await until(lambda: env.page.push_form.saved.text().startswith("Not saved"), "the invalid template waits")
    assert (await _stored(env)).activity_title_templates == {}

    row.template.setText("{name} for {contact}")
    assert row.preview.text() == "Example: IRA rollover for Maria Chen"
    await until(lambda: env.page.push_prefs.activity_title_templates.get(ItemKind.OPPORTUNITY) ==
                "{name} for {contact}", "the valid template is saved after the pause")
    assert (await _stored(env)).activity_title_templates == {ItemKind.OPPORTUNITY: "{name} for {contact}"}
    calls = env.page.push_form.activities.rows[ItemKind.CALL]
    calls.template.setText("{contact}")
    assert calls.preview.text() == "Example: Maria Chen"
    assert calls.message.kind == "warn" and "subject" in calls.message.message


async def test_sending_settings_turning_opportunities_back_on_releases_what_waited(env: Env, qtbot: Any) -> None:
    people = await env.db.run(lambda s: contacts_repo.page(s, env.cid, 0, 1))
    deal = await env.db.run(lambda s: activities_repo.create(s, env.cid, ItemKind.OPPORTUNITY,
                                                             contact_id=people[0].id, fields={"name": "IRA"}))

    def hold(session: Any) -> None:
        row = outbox_repo.enqueue(session, ItemKind.OPPORTUNITY, deal.id)
        outbox_repo.settle_waiting(session, [row.id], code=prepare_push.HELD_CODE, reason="off",
                                   next_try_at=utcnow() + timedelta(days=1))

    await env.db.run(hold)
    switch = env.page.push_form.activities.rows[ItemKind.OPPORTUNITY].switch
    env.page.tabs.setCurrentIndex(1)
    press(qtbot, switch)
    await until(lambda: ItemKind.OPPORTUNITY in env.page.push_prefs.activities_off, "turned off")
    assert await env.db.run(lambda s: outbox_holds.held_count(s, env.cid, prepare_push.HELD_CODE)) == 1
    press(qtbot, switch)
    await until(lambda: ItemKind.OPPORTUNITY not in env.page.push_prefs.activities_off, "turned on")
    row = await env.db.run(lambda s: outbox_repo.active_for(s, ItemKind.OPPORTUNITY, deal.id))
    assert row is not None and row.next_try_at is None and row.state == "waiting"


async def test_log_email_setting_holds_by_default_and_also_create_a_lead_releases_held_emails(
        env: Env, qtbot: Any) -> None:
    combo = env.page.push_form.activities.unmatched
    env.page.tabs.setCurrentIndex(1)
    assert combo.currentText() == "Only when the client exists in Salesforce"
    assert (await _stored(env)).unmatched_email == UnmatchedEmail.HOLD
    parsed = parse_text("From: someone@nowhere.example\nSubject: Hello\n\nHi")
    draft, _match = await EmailLog(env.db).log(env.cid, parsed)

    def hold(session: Any) -> None:
        row = outbox_repo.enqueue(session, ItemKind.EMAIL, draft.id)
        outbox_repo.settle_waiting(session, [row.id], code=NO_CLIENT_CODE, reason="no client",
                                   next_try_at=utcnow() + timedelta(days=1))

    await env.db.run(hold)
    combo.setCurrentIndex(combo.findData(UnmatchedEmail.CREATE_LEAD))
    await until(lambda: env.page.push_prefs.unmatched_email == UnmatchedEmail.CREATE_LEAD, "the choice is saved")
    assert (await _stored(env)).unmatched_email == UnmatchedEmail.CREATE_LEAD
    row = await env.db.run(lambda s: outbox_repo.active_for(s, ItemKind.EMAIL, draft.id))
    assert row is not None and row.next_try_at is None  # it goes in the next push, on a new Lead
