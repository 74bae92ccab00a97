"""Push settings and new people on the Sending tab: every change is saved at once (and only when
valid), the note type follows what the org allows, and the "Add a person" dialog checks e-mails."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.store import connections as connection_rows
from app.store import contacts as contacts_repo
from app.store import outbox as outbox_repo
from app.store import outbox_holds
from app.store import prospects as prospect_rows
from app.store import tasks as tasks_repo
from app.store.types import utcnow
from app.sync.push import preferences as prefs
from app.sync.push import prepare as prepare_push
from app.sync.push.preferences import ProspectPreferences, PushPreferences
from tests.support.qt_loop import until
from tests.ui.settings.conftest import Env
from tests.ui.wizard.helpers import press


async def _stored(env: Env) -> PushPreferences:
    return await prefs.load(env.db, env.cid)


async def test_toggles_are_saved_at_once_and_announced(env: Env, qtbot: Any) -> None:
    form = env.page.push_form
    env.page.tabs.setCurrentIndex(1)
    changed: list[PushPreferences] = []
    env.page.push_preferences_changed.connect(changed.append)
    assert form.push_tasks.isChecked() and not form.auto_push.isChecked() and not form.auto_delay.isEnabled()

    press(qtbot, form.push_tasks)
    await until(lambda: changed, "the change is saved")
    assert not (await _stored(env)).push_tasks and not changed[-1].push_tasks
    assert form.saved.text().startswith("Saved")

    form.auto_push.setChecked(True)
    await until(lambda: (len(changed) >= 2), "auto-push is saved")
    assert form.auto_delay.isEnabled()
    form.auto_delay.setCurrentIndex(form.auto_delay.findData(30))
    form.attach_to.setCurrentIndex(form.attach_to.findData("account"))
    form.reserve.setValue(25)
    await until(lambda: changed[-1].api_reserve_percent == 25, "the reserve is saved")
    stored = await _stored(env)
    assert (stored.auto_push, stored.auto_push_delay_minutes, stored.attach_to, stored.api_reserve_percent) == \
        (True, 30, "account", 25)
    assert "25%" in env.page.usage.reserve.text()


async def test_note_type_goes_to_the_connection_and_the_facts(env: Env) -> None:
    form = env.page.push_form
    form.note_type.setCurrentIndex(form.note_type.findData("Note"))
    await until(lambda: env.page.card.note_type.text().startswith("Classic"), "the fact follows")
    row = await env.db.run(lambda s: connection_rows.get(s, env.cid))
    assert row is not None and row.note_type == "Note"
    assert env.manager.active is not None and env.manager.active.note_type == "Note"


async def test_templates_preview_live_and_save_only_when_valid(env: Env, qtbot: Any) -> None:
    form = env.page.push_form
    env.page.tabs.setCurrentIndex(1)
    form.note_template.clear()
    qtbot.keyClicks(form.note_template, "{meeting_type}: {client}")
    assert form.note_template_message.kind == "error" and "{client}" in form.note_template_message.message
    assert not form.note_preview.isVisible()
    await until(lambda: form.saved.text().startswith("Not saved"), "the invalid template is not saved")
    assert (await _stored(env)).note_title_template == "{title}"

    form.note_template.setText("{meeting_type}: {contact} — {title}")
    assert form.note_preview.text().startswith("Example: Meeting: Maria Chen — Annual review")
    await until(lambda: env.page.push_prefs.note_title_template == "{meeting_type}: {contact} — {title}",
                "the valid template is saved after the pause")
    assert (await _stored(env)).note_title_template == "{meeting_type}: {contact} — {title}"

    form.task_template.setText("{contact}")
    assert form.task_template_message.kind == "warn" and "subject" in form.task_template_message.message
    await until(lambda: env.page.push_prefs.task_title_template == "{contact}", "a warning still saves")


@pytest.mark.parametrize("env", [{"enhanced_notes": False}], indirect=True)
async def test_enhanced_notes_unavailable_is_explained(env: Env) -> None:
    form = env.page.push_form
    calls = env.org.stats()["api_calls"]
    env.page.tabs.setCurrentIndex(1)
    await until(lambda: form.note_type_reason.isVisible(), "the reason shows")
    assert "Enhanced Notes" in form.note_type_reason.plain_text() and "Setup" in form.note_type_reason.plain_text()
    item = form.note_type.model().item(form.note_type.findData("ContentNote"))  # type: ignore[attr-defined]
    assert not item.isEnabled()
    assert env.org.stats()["api_calls"] == calls + 1  # one describe, once
    env.page.tabs.setCurrentIndex(0)
    env.page.tabs.setCurrentIndex(1)
    assert await env.page.check_note_types() is None
    assert env.org.stats()["api_calls"] == calls + 1


async def test_prospect_settings_save_and_refuse_a_bad_lead_source(env: Env, qtbot: Any) -> None:
    form = env.page.prospects
    changed: list[ProspectPreferences] = []
    env.page.prospect_preferences_changed.connect(changed.append)
    form.as_lead.setChecked(True)
    await until(lambda: changed, "the choice is saved")
    assert (await prefs.load_prospects(env.db, env.cid)).create_as == "Lead"

    form.lead_source.setText("")
    assert form.lead_source_message.kind == "error"
    form.lead_source.editingFinished.emit()
    form.lead_source.setText("Spring seminar")
    form.lead_source.editingFinished.emit()
    await until(lambda: changed[-1].lead_source == "Spring seminar", "the source is saved")
    assert await prefs.load_prospects(env.db, env.cid) == ProspectPreferences("Lead", "Spring seminar")


async def test_add_a_person_checks_the_email_and_adds_them_to_the_workspace(env: Env, qtbot: Any) -> None:
    existing = (await env.db.run(lambda s: contacts_repo.page(s, env.cid, 0, 1)))[0]
    assert existing.email
    added: list[int] = []
    env.page.person_added.connect(added.append)

    dialog = env.page.new_person_dialog()
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert not await dialog.submit()  # empty: Salesforce needs a last name
    assert dialog.message.kind == "error" and "last name" in dialog.message.message

    qtbot.keyClicks(dialog.first_name, "Priya")
    qtbot.keyClicks(dialog.last_name, "Natarajan")
    assert dialog.account.text() == "Natarajan Household"  # suggested until edited
    dialog.email.setText(f"  {existing.email.upper()} ")
    dialog.phone.setText("+1 415 555 0199")
    assert not await dialog.submit()
    assert dialog.message.kind == "warn" and existing.name in dialog.message.message
    assert dialog.add_button.text() == "Add anyway"
    opened: list[int] = []
    dialog.open_existing.connect(opened.append)
    dialog.message.link_activated.emit(f"contact:{existing.id}")
    assert opened == [existing.id]

    dialog = env.page.new_person_dialog()
    assert dialog is not None
    qtbot.addWidget(dialog)
    dialog.first_name.setText("Priya")
    dialog.last_name.setText("Natarajan")
    dialog.email.setText(existing.email)
    assert not await dialog.submit()
    assert await dialog.submit()  # "Add anyway"
    assert added and added[-1] == dialog.contact_id
    person = await env.db.run(lambda s: prospect_rows.get(s, added[-1]))
    assert person is not None and prospect_rows.is_provisional(person.sf_id)
    assert (person.create_as, person.last_name, person.account_name) == ("Contact", "Natarajan",
                                                                         "Natarajan Household")
    hits = await env.db.run(lambda s: contacts_repo.search(s, env.cid, "Natarajan"))
    assert [h.contact.id for h in hits] == [added[-1]]
    queued = await env.db.run(lambda s: outbox_repo.active_for(s, "person", added[-1]))
    assert queued is not None and queued.state == "queued"  # in the outbox with the notes and tasks


async def test_turning_a_kind_back_on_releases_what_it_held(env: Env, qtbot: Any) -> None:


    people = await env.db.run(lambda s: contacts_repo.page(s, env.cid, 0, 1))
    task = await env.db.run(lambda s: tasks_repo.create(s, env.cid, contact_id=people[0].id, subject="Call back"))

    def hold(session: Any) -> None:
        row = outbox_repo.enqueue(session, "task", task.id)
        outbox_repo.settle_waiting(session, [row.id], code=prepare_push.HELD_CODE, reason="off",
                                   next_try_at=utcnow() + timedelta(days=1))

    await env.db.run(hold)
    form = env.page.push_form
    env.page.tabs.setCurrentIndex(1)
    press(qtbot, form.push_tasks)  # off
    await until(lambda: not env.page.push_prefs.push_tasks, "turned off")
    assert await env.db.run(lambda s: outbox_holds.held_count(s, env.cid, prepare_push.HELD_CODE)) == 1
    press(qtbot, form.push_tasks)  # on again
    await until(lambda: env.page.push_prefs.push_tasks, "turned on")
    row = await env.db.run(lambda s: outbox_repo.active_for(s, "task", task.id))
    assert row is not None and row.next_try_at is None  # due now: the push loop sends it on its next look
