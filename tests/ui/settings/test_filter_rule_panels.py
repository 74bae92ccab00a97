"""Settings → Sync → What to sync and Fields: real widgets on a real Settings page, a demo org over HTTP,
a real workspace file. The rules editor offers the org's own fields by label, checks the count before
saving, refuses an unusable rule in words, and saves; the Fields panel saves extra fields."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.services.field_mappings import FieldMappings
from app.services.sync_filters import SET_BY_FIRM, RuleKind, SyncFilters
from app.ui.settings.filter_rule_row import FilterRuleRow
from tests.support.qt_loop import until
from tests.ui.settings.conftest import Env

SYNC_TAB = 3


def _choose(combo: Any, data: object) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data!r} is not offered"
    combo.setCurrentIndex(index)


async def test_filter_rule_panel_checks_the_count_and_saves(env: Env, qtbot: Any) -> None:
    env.page.tabs.setCurrentIndex(SYNC_TAB)
    panel = env.page.filter_panel
    await until(lambda: "Contact" in panel.choices, "the org's fields are offered")
    assert panel.preview.text() == "No rules: every contact you can see is synced."

    panel.add_group_button.click()
    row = panel.groups[0].rows[0]
    assert isinstance(row, FilterRuleRow)
    _choose(row.kind, RuleKind.PICKLIST)
    assert row.field.itemText(row.field.findData("Risk_Profile__c")) == "Risk Profile"
    _choose(row.field, "Risk_Profile__c")
    assert row.value.itemText(row.value.findData("GROW")) == "Growth"  # the label, not the stored code
    _choose(row.value, "GROW")

    panel.check_button.click()
    live = [r for r in env.org.records("Contact") if not r["IsDeleted"]]
    kept = sum(r["Risk_Profile__c"] == "GROW" for r in live)
    await until(lambda: panel.preview.text().startswith("This keeps"), "the live count is shown")
    assert panel.preview.text() == f"This keeps {kept:,} of {len(live):,} contacts."

    panel.save_button.click()
    await until(lambda: panel.message.kind == "ok", "saved")
    saved = (await SyncFilters(env.db, env.manager).load())["Contact"]
    assert saved.groups[0].rules[0].values == ("GROW",)

    # A rule that cannot be used is refused in words, and nothing is saved.
    _choose(row.kind, RuleKind.EMAIL_DOMAIN)
    panel.save_button.click()
    await until(lambda: panel.message.kind == "warn", "refused")
    assert "at least one value" in panel.message.message
    assert (await SyncFilters(env.db, env.manager).load())["Contact"] == saved


async def test_filter_rule_panel_never_shows_a_line_that_no_longer_fits_the_rules(env: Env, qtbot: Any) -> None:
    """Seen walking the page: after "Add a rule" it still said "No rules: every contact … is synced",
    and a count stayed on screen after the rules it counted were changed."""
    env.page.tabs.setCurrentIndex(SYNC_TAB)
    panel = env.page.filter_panel
    await until(lambda: "Contact" in panel.choices, "the org's fields are offered")
    assert panel.add_group_button.text() == "Add a rule"

    panel.add_group_button.click()
    assert panel.preview.text().startswith("Not saved yet"), panel.preview.text()
    assert panel.add_group_button.text() == "Add another group (or)"
    row = panel.groups[0].rows[0]
    _choose(row.kind, RuleKind.PICKLIST)
    _choose(row.field, "Risk_Profile__c")
    panel.check_button.click()
    await until(lambda: panel.preview.text().startswith("This keeps"), "the live count is shown")

    _choose(row.value, row.value.itemData((row.value.currentIndex() + 1) % row.value.count()))
    assert panel.preview.text().startswith("Not saved yet"), "the old count no longer fits"

    # Removing the only rule removes its group: the panel is back to "no rules", and says so.
    row.findChild(type(panel.check_button), "filterRuleRemove").click()
    assert panel.groups == []
    assert panel.preview.text() == "No rules: every contact you can see is synced."
    assert panel.add_group_button.text() == "Add a rule"


async def test_field_mapping_panel_saves_extra_fields(env: Env, qtbot: Any) -> None:
    env.page.tabs.setCurrentIndex(SYNC_TAB)
    panel = env.page.fields_panel
    await until(lambda: panel.extras.count() > 0, "the org's fields are listed")
    labels = {panel.extras.item(i).text(): panel.extras.item(i) for i in range(panel.extras.count())}
    for label in ("Assets Under Management", "Next Review", "Risk Profile"):
        labels[label].setCheckState(Qt.CheckState.Checked)
    _choose(panel.phone_first, "MobilePhone")
    _choose(panel.phone_then, "Phone")
    panel.save_button.click()
    await until(lambda: panel.message.kind == "ok", "saved")
    mapping = await FieldMappings(env.db, env.manager).load("Contact")
    assert mapping.phone == ("MobilePhone", "Phone")
    assert {e.name for e in mapping.extras} == {"AUM__c", "Next_Review__c", "Risk_Profile__c"}


async def test_field_mapping_list_finds_fields_counts_choices_and_hides_record_ids(env: Env, qtbot: Any) -> None:
    """Seen walking it: 60 fields in a keyhole of a list, with Id, Created By ID and Is Deleted among
    them (an id on a client's page means nothing to an advisor)."""
    env.page.tabs.setCurrentIndex(SYNC_TAB)
    panel = env.page.fields_panel
    await until(lambda: panel.extras.count() > 0, "the org's fields are listed")
    items = [panel.extras.item(i) for i in range(panel.extras.count())]
    names = {str(item.data(Qt.ItemDataRole.UserRole)) for item in items}
    assert {"Id", "OwnerId", "AccountId", "CreatedById", "IsDeleted", "SystemModstamp"}.isdisjoint(names)
    assert "AUM__c" in names
    assert panel.chosen_count.text() == "0 of at most 20 chosen"

    panel.find_field.setText("review")
    shown = [item.text() for item in items if not item.isHidden()]
    assert shown == ["Next Review"]
    panel.find_field.setText("aum__")  # admins know the API name
    assert [item.text() for item in items if not item.isHidden()] == ["Assets Under Management"]
    aum = next(item for item in items if not item.isHidden())
    assert aum.toolTip() == "AUM__c · amount"
    aum.setCheckState(Qt.CheckState.Checked)
    assert panel.chosen_count.text() == "1 of at most 20 chosen"
    panel.find_field.clear()
    assert not any(item.isHidden() for item in items)
    assert panel.chosen_extras() == ("AUM__c",), "finding never unticks what was chosen"


async def test_managed_filter_rule_and_field_mapping_locked_by_the_firm_say_so_and_cannot_be_edited(
        env: Env, qtbot: Any) -> None:
    from pathlib import Path

    from app.services.managed.config import parse
    from app.services.managed.sync_presets import apply_sync_presets

    setup = parse({"login_url": "https://login.salesforce.com", "consumer_key": "3MVGkey", "sync": {
        "locked": True,
        "filter_rules": {"Contact": [[{"kind": "picklist", "field": "Risk_Profile__c", "values": ["GROW"]}]]},
        "field_mappings": {"Contact": {"extra_fields": ["AUM__c"]}}}}, Path("notebridge.json"))
    assert setup.config is not None
    await apply_sync_presets(env.db, env.manager, setup.config.sync)
    env.page.tabs.setCurrentIndex(SYNC_TAB)
    filters, fields = env.page.filter_panel, env.page.fields_panel
    await filters.load()
    await fields.load()
    assert filters.locked and fields.locked
    assert filters.message.message == SET_BY_FIRM and fields.message.message == SET_BY_FIRM
    assert not filters.save_button.isEnabled() and not filters.add_group_button.isEnabled()
    assert filters.groups and not any(box.isEnabled() for box in filters.groups)
    assert not fields.save_button.isEnabled() and not fields.extras.isEnabled()
    assert filters.sobject.isEnabled()  # the other objects can still be looked at …
    _choose(filters.sobject, "Lead")
    await until(lambda: filters.save_button.isEnabled(), "leads are the advisor's to filter")
    assert not filters.locked
    _choose(fields.sobject, "Lead")
    await until(lambda: fields.save_button.isEnabled(), "leads' fields are the advisor's to choose")

    # Not locked: the same presets are the advisor's starting point, editable.
    unlocked = setup.config.sync.model_copy(update={"locked": False})
    await apply_sync_presets(env.db, env.manager, unlocked)
    _choose(filters.sobject, "Contact")
    await until(lambda: filters.save_button.isEnabled() and bool(filters.groups), "editable again")
    assert filters.groups[0].isEnabled() and filters.message.message != SET_BY_FIRM
