"""Push and prospect preferences: defaults with explanations, tolerant loading, templates, saving to a
real workspace through the connection manager, and reaching a running push loop."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from app.demo_org import DemoOrg
from app.store import Database
from app.store import connections as connection_rows
from app.store import settings as settings_repo
from app.sync.connection import ConnectionManager
from app.sync.push import preferences as prefs
from app.sync.push.engine import PushSettings
from app.sync.push.loop import PushLoop
from app.sync.push.preferences import ProspectPreferences, PushPreferences
from tests.integration.settings.settings_env import connect, make_org


@pytest.fixture(scope="module")
def org() -> Any:
    with make_org(contacts=10, seed=4) as running:
        yield running


@pytest.fixture
async def signed_in(org: DemoOrg, tmp_path: Path) -> AsyncIterator[tuple[Database, ConnectionManager]]:
    db = await Database.open(tmp_path / "ws.db")
    manager, _connection = await connect(org, db)
    try:
        yield db, manager
    finally:
        await manager.aclose()
        await db.close()


# -- the dataclasses ------------------------------------------------------------------------------------

def test_every_setting_has_a_default_and_a_one_line_explanation() -> None:
    for cls in (PushPreferences, ProspectPreferences):
        for field in dataclasses.fields(cls):
            text = prefs.explain(cls, field.name)
            assert text and "\n" not in text and text.endswith("."), field.name
    d = PushPreferences()
    assert (d.push_notes, d.push_tasks, d.meeting_summaries, d.auto_push) == (True, True, True, False)
    assert d.api_reserve_percent == 10 and d.note_title_template == "{title}"
    assert ProspectPreferences() == ProspectPreferences("Contact", "Notebridge")
    with pytest.raises(KeyError):
        prefs.explain(PushPreferences, "nonsense")


def test_stored_values_are_read_tolerantly() -> None:
    stored = {"auto_push": "yes", "auto_push_delay_minutes": 0, "push_tasks": False, "attach_to": "household",
              "note_title_template": "{bogus}", "task_title_template": "{contact}: {subject}",
              "api_reserve_percent": 80, "unknown": 1}
    loaded = PushPreferences.from_json(stored, note_type="Note")
    assert loaded == PushPreferences(push_tasks=False, note_type="Note",
                                     task_title_template="{contact}: {subject}")
    assert PushPreferences.from_json(None, note_type="Nonsense") == PushPreferences()
    assert PushPreferences.from_json([1, 2]) == PushPreferences()  # type: ignore[arg-type]
    assert ProspectPreferences.from_json({"create_as": "Account", "lead_source": " "}) == ProspectPreferences()
    assert ProspectPreferences.from_json({"create_as": "Lead", "lead_source": "Seminar"}).create_as == "Lead"


# -- templates --------------------------------------------------------------------------------------------

def test_template_validation_names_the_unknown_placeholder_and_what_is_allowed() -> None:
    check = prefs.check_template("{meeting_type}: {client} — {date}", "note")
    assert not check.ok and "{client}" in check.problems[0] and "{contact}" in check.problems[0]
    assert not prefs.check_template("{title", "note").ok
    assert not prefs.check_template("{title:>20}", "note").ok
    assert not prefs.check_template("{title!r}", "note").ok
    assert not prefs.check_template("{}", "note").ok
    assert not prefs.check_template("   ", "task").ok
    assert not prefs.check_template("{meeting}", "task").ok  # a note-only placeholder
    with pytest.raises(ValueError, match="unknown template kind"):
        prefs.check_template("{title}", "event")


def test_template_preview_and_warnings() -> None:
    check = prefs.check_template("{meeting_type}: {contact} — {date}", "note")
    assert check.ok and check.preview.startswith("Meeting: Maria Chen — ")
    assert any("not in this template" in w for w in check.warnings)  # {title} left out
    long = prefs.check_template("{title} " * 8, "note")
    assert long.ok and any("80" in w for w in long.warnings)
    assert prefs.check_template("{{literal}} {subject}", "task").preview == "{literal} Send IRA transfer form"


def test_rendering_tidies_around_missing_values() -> None:
    template = "{meeting_type}: {contact} — {date}"
    values = {"meeting_type": "Review", "contact": "Ann Lee", "date": "2026-05-10"}
    assert prefs.render_template(template, values) == "Review: Ann Lee — 2026-05-10"
    assert prefs.render_template(template, {**values, "contact": ""}) == "Review — 2026-05-10"
    assert prefs.render_template(template, {**values, "meeting_type": None}) == "Ann Lee — 2026-05-10"
    assert prefs.render_template(template, {}) == ""
    assert prefs.render_template("{title}", {"title": "  two   spaces "}) == "two spaces"
    assert prefs.render_template("{title}", {"title": "a\x00b"}) == "ab"


# -- the engine's view ------------------------------------------------------------------------------------

def test_to_push_settings_passes_what_the_engine_knows() -> None:
    chosen = PushPreferences(note_type="Note", api_reserve_percent=25, push_tasks=False)
    settings = prefs.to_push_settings(chosen, PushSettings(batch_size=50))
    assert settings.note_type == "Note" and settings.reserve_fraction == 0.25 and settings.batch_size == 50
    known = {f.name for f in dataclasses.fields(PushSettings)}
    for name in ("push_notes", "push_tasks", "meeting_summaries", "attach_to", "note_title_template",
                 "task_title_template"):
        assert (name in known) == (name not in prefs.not_honoured())
        if name in known:
            assert getattr(settings, name) == getattr(chosen, name)


async def test_apply_to_a_running_loop(signed_in: tuple[Database, ConnectionManager]) -> None:
    db, manager = signed_in
    assert manager.active is not None
    loop = PushLoop(db, manager.active.connection_id, manager.client)
    chosen = PushPreferences(auto_push=True, auto_push_delay_minutes=5, api_reserve_percent=30, note_type="Note")
    prefs.apply_to_loop(loop, chosen)
    assert loop.auto_push_idle == 300.0
    assert loop.budget.reserve_fraction == 0.3 and loop.settings.reserve_fraction == 0.3
    assert loop.settings.note_type == "Note"
    prefs.apply_to_loop(loop, dataclasses.replace(chosen, auto_push=False))
    assert loop.auto_push_idle is None
    await loop.aclose()


# -- load / save ---------------------------------------------------------------------------------------------

async def test_save_and_load_round_trip_with_note_type_on_the_connection(
    signed_in: tuple[Database, ConnectionManager],
) -> None:
    db, manager = signed_in
    assert manager.active is not None
    cid = manager.active.connection_id
    assert await prefs.load(db, cid) == PushPreferences()
    chosen = PushPreferences(auto_push=True, push_notes=False, note_type="Note", attach_to="account",
                             note_title_template="{contact}: {title}", api_reserve_percent=20)
    await prefs.save(db, manager, chosen)
    assert await prefs.load(db, cid) == chosen
    row = await db.run(lambda s: connection_rows.get(s, cid))
    assert row is not None and row.note_type == "Note"
    assert manager.active.note_type == "Note"
    stored = await db.run(lambda s: settings_repo.get(s, cid, prefs.PUSH_KEY))
    assert "note_type" not in stored  # one home for the note type: the connection row


async def test_saving_invalid_preferences_is_refused_and_changes_nothing(
    signed_in: tuple[Database, ConnectionManager],
) -> None:
    db, manager = signed_in
    assert manager.active is not None
    cid = manager.active.connection_id
    for bad in (PushPreferences(note_title_template="{nope}"), PushPreferences(api_reserve_percent=75),
                PushPreferences(note_type="Memo"), PushPreferences(attach_to="household"),  # type: ignore[arg-type]
                PushPreferences(auto_push_delay_minutes=0)):
        with pytest.raises(ValueError, match=r"\S"):
            await prefs.save(db, manager, bad)
    assert await db.run(lambda s: settings_repo.get(s, cid, prefs.PUSH_KEY)) is None
    stranger = ConnectionManager(db)  # nothing loaded: no active connection
    with pytest.raises(LookupError):
        await prefs.save(db, stranger, PushPreferences())


async def test_prospect_preferences_round_trip_and_validation(
    signed_in: tuple[Database, ConnectionManager],
) -> None:
    db, manager = signed_in
    assert manager.active is not None
    cid = manager.active.connection_id
    saved = await prefs.save_prospects(db, cid, ProspectPreferences("Lead", "  Seminar 2026 "))
    assert saved.lead_source == "Seminar 2026"
    assert await prefs.load_prospects(db, cid) == ProspectPreferences("Lead", "Seminar 2026")
    for bad in (ProspectPreferences("Account", "x"), ProspectPreferences("Lead", ""),
                ProspectPreferences("Lead", "x" * 41)):
        with pytest.raises(ValueError, match=r"Contact or a Lead|Lead Source|at most 40"):
            await prefs.save_prospects(db, cid, bad)
    assert await prefs.load_prospects(db, cid) == ProspectPreferences("Lead", "Seminar 2026")


async def test_loop_options_build_the_loop_from_what_was_saved(signed_in: tuple[Database, ConnectionManager]) -> None:
    db, manager = signed_in
    assert manager.active is not None
    cid = manager.active.connection_id
    await prefs.save(db, manager, PushPreferences(auto_push=True, auto_push_delay_minutes=15, push_tasks=False,
                                                  api_reserve_percent=20, attach_to="contact"))
    await prefs.save_prospects(db, cid, ProspectPreferences("Lead", "Webinar"))
    options = await prefs.loop_options(db, cid)
    loop = PushLoop(db, cid, manager.client, **options)
    assert loop.auto_push_idle == 900.0 and loop.budget.reserve_fraction == 0.2
    assert (loop.settings.push_tasks, loop.settings.attach_to) == (False, "contact")
    assert (loop.settings.new_people_as, loop.settings.lead_source) == ("Lead", "Webinar")
    prefs.apply_to_loop(loop, prospects=ProspectPreferences("Contact", "Notebridge"))
    assert loop.settings.new_people_as == "Contact" and loop.settings.push_tasks is False  # the rest kept
    assert loop.auto_push_idle == 900.0
    await loop.aclose()
