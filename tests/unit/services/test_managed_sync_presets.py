"""The ``sync`` section of a firm's notebridge.json: every wrong value is named with its path and what to
write instead, only the object it belongs to is ignored, the rest of the file stays usable, and any JSON
value there gives presets or named problems — never a crash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.services.managed.config import ManagedConfig, parse
from app.services.managed.presets import PresetRule, field_name_problem
from app.sync.pull.filters import RuleKind

SOURCE = Path("/etc/xdg/notebridge/notebridge.json")
GOOD = {"login_url": "https://acme.my.salesforce.com", "consumer_key": "3MVG9abc"}
MINE = {"kind": "owner_is_me"}


def _problems(sync: Any) -> tuple[ManagedConfig, dict[str, str]]:
    result = parse({**GOOD, "sync": sync}, SOURCE)
    assert result.config is not None, "a bad preset never makes the file unusable"
    assert not any(p.blocking for p in result.problems)
    return result.config, {p.field: p.message for p in result.problems}


def test_managed_filter_rule_and_field_mapping_presets_are_read() -> None:
    config, problems = _problems({
        "locked": True,
        "filter_rules": {"Contact": [[MINE, {"kind": "date_window", "field": "LastModifiedDate", "days": 730}],
                                     [{"kind": "record_type", "values": ["Client"]}]],
                         "_comment": "keys starting with _ are comments"},
        "field_mappings": {"Contact": {"phone": ["MobilePhone", "Phone"], "extra_fields": ["FinServ__AUM__c"]}},
    })
    assert problems == {}
    assert config.sync.locked
    assert config.sync.filter_rules["Contact"] == (
        (PresetRule(kind="owner_is_me"), PresetRule(kind="date_window", field="LastModifiedDate", days=730)),
        (PresetRule(kind="record_type", values=("Client",)),))
    assert config.sync.field_mappings["Contact"].extra_fields == ("FinServ__AUM__c",)
    assert parse(dict(GOOD), SOURCE).config.sync.empty  # type: ignore[union-attr]


@pytest.mark.parametrize(("sync", "field", "words"), [
    ([], "sync", "group of settings in { }"),
    ({"locked": "yes"}, "sync.locked", "true or false"),
    ({"filter_rule": {}}, "sync.filter_rule", "spelling mistake"),
    ({"filter_rules": {"Opportunity": [[MINE]]}}, "sync.filter_rules.Opportunity",
     'not an object Notebridge syncs: use one of "Contact", "Lead", "Account"'),
    ({"filter_rules": {"contact": [[MINE]]}}, "sync.filter_rules.contact", "spelt exactly so"),
    ({"filter_rules": {"Contact": [MINE]}}, "sync.filter_rules.Contact[0]", "list of rules"),
    ({"filter_rules": {"Contact": {"kind": "owner_is_me"}}}, "sync.filter_rules.Contact", "list of rule groups"),
    ({"filter_rules": {"Contact": [[{"kind": "owner_is_you"}]]}}, "sync.filter_rules.Contact[0][0].kind",
     'not a kind of rule Notebridge knows: use one of "owner_is_me"'),
    ({"filter_rules": {"Contact": [[MINE, {"field": "Email"}]]}}, "sync.filter_rules.Contact[0][1].kind",
     "is missing"),
    ({"filter_rules": {"Contact": [[{"kind": "picklist", "values": ["GROW"]}]]}},
     "sync.filter_rules.Contact[0][0].field", "is missing"),
    ({"filter_rules": {"Contact": [[{"kind": "picklist", "field": "Risk Profile", "values": ["GROW"]}]]}},
     "sync.filter_rules.Contact[0][0].field", "not a field's API name"),
    ({"filter_rules": {"Contact": [[{"kind": "picklist", "field": "Account.Type", "values": ["GROW"]}]]}},
     "sync.filter_rules.Contact[0][0].field", "field of the Contact itself"),
    ({"filter_rules": {"Contact": [[{"kind": "picklist", "field": "Risk_Profile__c", "values": []}]]}},
     "sync.filter_rules.Contact[0][0].values", "at least one value"),
    ({"filter_rules": {"Contact": [[{"kind": "picklist", "field": "Risk_Profile__c", "values": "GROW"}]]}},
     "sync.filter_rules.Contact[0][0].values", "list of texts"),
    ({"filter_rules": {"Contact": [[{"kind": "picklist", "field": "Risk_Profile__c", "values": ["x"] * 51}]]}},
     "sync.filter_rules.Contact[0][0].values", "at most 50"),
    ({"filter_rules": {"Contact": [[{"kind": "date_window", "field": "Birthdate", "days": "30"}]]}},
     "sync.filter_rules.Contact[0][0].days", "whole number of days, 1 to 3650"),
    ({"filter_rules": {"Contact": [[{"kind": "meeting_soon", "days": 0}]]}},
     "sync.filter_rules.Contact[0][0].days", "1 to 3650"),
    ({"filter_rules": {"Contact": [[{"kind": "owner_is_me", "days": 3}]]}},
     "sync.filter_rules.Contact[0][0].days", 'not used by a "owner_is_me" rule'),
    ({"filter_rules": {"Account": [[{"kind": "email_domain", "values": ["acme.com"]}]]}},
     "sync.filter_rules.Account[0][0].kind", "accounts have no e-mail address"),
    ({"filter_rules": {"Contact": [[MINE]] * 6}}, "sync.filter_rules.Contact", "at most 5"),
    ({"filter_rules": {"Contact": [[MINE] * 9]}}, "sync.filter_rules.Contact[0]", "at most 8"),
    ({"field_mappings": {"Contact": {"extra_fields": [f"F{i}__c" for i in range(21)]}}},
     "sync.field_mappings.Contact.extra_fields", "has 21 fields; at most 20 are allowed"),
    ({"field_mappings": {"Contact": {"phone": ["A", "B", "C", "D", "E"]}}},
     "sync.field_mappings.Contact.phone", "at most 4"),
    ({"field_mappings": {"Contact": {"extra_fields": ["AUM__c", "Risk-Profile__c"]}}},
     "sync.field_mappings.Contact.extra_fields[1]", "not a field's API name"),
    ({"field_mappings": {"Contact": {"extra_fields": ["AUM__c", 7]}}},
     "sync.field_mappings.Contact.extra_fields[1]", "in double quotes"),
    ({"field_mappings": {"Contact": {"extras": ["AUM__c"]}}}, "sync.field_mappings.Contact.extras",
     "not a part of a field mapping"),
    ({"field_mappings": {"Contact": ["AUM__c"]}}, "sync.field_mappings.Contact", '"phone" and "extra_fields"'),
    ({"field_mappings": {"Task": {"extra_fields": []}}}, "sync.field_mappings.Task", "not an object"),
])
def test_managed_filter_rule_and_field_mapping_bad_values_get_specific_messages(
        sync: Any, field: str, words: str) -> None:
    config, problems = _problems(sync)
    assert field in problems, problems
    assert words in problems[field]
    if field.startswith("sync.filter_rules.Contact"):
        assert problems[field].endswith("The firm's filter for contacts was ignored.")
        assert "Contact" not in config.sync.filter_rules  # half a filter would keep other records
    if field.startswith("sync.field_mappings.Contact"):
        assert problems[field].endswith("The firm's field mapping for contacts was ignored.")
        assert "Contact" not in config.sync.field_mappings


def test_managed_filter_rule_problem_in_one_object_keeps_the_others() -> None:
    config, problems = _problems({
        "filter_rules": {"Contact": [[{"kind": "nope"}]], "Lead": [[MINE]]},
        "field_mappings": {"Contact": {"extra_fields": ["AUM__c"]}, "Lead": {"extra_fields": ["Bad Name"]}},
    })
    assert set(problems) == {"sync.filter_rules.Contact[0][0].kind", "sync.field_mappings.Lead.extra_fields[0]"}
    assert list(config.sync.filter_rules) == ["Lead"] and list(config.sync.field_mappings) == ["Contact"]
    assert config.login_url == GOOD["login_url"]  # the rest of the file is used


def test_managed_filter_rule_hostile_values_stay_data_and_are_never_echoed() -> None:
    hostile = ["' OR Name LIKE '%", "\\'", "%_", "a\nb", "ünï’", "x" * 255]
    config, problems = _problems({"filter_rules": {"Contact": [[
        {"kind": "picklist", "field": "Risk_Profile__c", "values": hostile}]]}})
    assert problems == {} and config.sync.filter_rules["Contact"][0][0].values == tuple(hostile)
    secret = "' OR Name LIKE 'S3CRET%"
    result = parse({**GOOD, "sync": {"filter_rules": {"Contact": [[{"kind": secret}]]}}}, SOURCE)
    assert secret not in result.explanation()  # a value could be anything: messages never repeat one


@pytest.mark.parametrize("name", ["Email", "Risk_Profile__c", "FinServ__AUM__c", "Ns__Field_Two__c", "Id"])
def test_managed_field_mapping_field_names_accepted(name: str) -> None:
    assert field_name_problem(name, "Contact") is None


@pytest.mark.parametrize("name", ["", "1Phone", "Risk Profile", "Name\n", "Phone;", "a'b", "_x", "x" * 81, "A___c"])
def test_managed_field_mapping_field_names_refused(name: str) -> None:
    assert field_name_problem(name, "Contact")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=25)
rules = st.fixed_dictionaries({}, optional={
    "kind": st.sampled_from([k.value for k in RuleKind]) | json_values,
    "field": st.sampled_from(["Risk_Profile__c", "Account.Name", "", "Bad Name"]) | json_values,
    "values": st.lists(st.text(max_size=20), max_size=3) | json_values,
    "days": st.integers(-5, 4000) | json_values,
}) | json_values
plausible_sync = st.fixed_dictionaries({}, optional={
    "locked": st.booleans() | json_values,
    "filter_rules": st.dictionaries(st.sampled_from(["Contact", "Lead", "Account", "Task"]),
                                    st.lists(st.lists(rules, max_size=3), max_size=3) | json_values, max_size=3)
    | json_values,
    "field_mappings": st.dictionaries(st.sampled_from(["Contact", "Lead", "Account", "Task"]), st.fixed_dictionaries(
        {}, optional={"phone": st.lists(st.text(max_size=12), max_size=5) | json_values,
                      "extra_fields": st.lists(st.sampled_from(["AUM__c", "x y", "Next_Review__c"]), max_size=22)
                      | json_values}) | json_values, max_size=3) | json_values,
}) | json_values


@settings(max_examples=300, deadline=None)
@given(plausible_sync)
def test_managed_filter_rule_and_field_mapping_any_value_is_presets_or_named_problems(sync: Any) -> None:
    result = parse({**GOOD, "sync": sync}, SOURCE)
    assert result.config is not None
    for problem in result.problems:
        assert problem.field.startswith("sync") and problem.message.strip() and not problem.blocking
    presets = result.config.sync
    ManagedConfig.model_validate(result.config.model_dump())  # what was kept is valid
    for sobject, groups in presets.filter_rules.items():
        assert sobject in ("Contact", "Lead", "Account")
        for group in groups:
            for rule in group:
                RuleKind(rule.kind)
                assert rule.field == "" or field_name_problem(rule.field, sobject) is None
    for mapping in presets.field_mappings.values():
        assert len(mapping.extra_fields) <= 20 and len(mapping.phone) <= 4


def test_managed_filter_rule_and_field_mapping_template_shows_the_sync_section_and_valid_examples() -> None:
    import json

    from app.services.managed import jsonc
    from app.services.managed.template import template

    text = template(SOURCE).replace('"login_url": ""', '"login_url": "https://login.salesforce.com"').replace(
        '"consumer_key": ""', '"consumer_key": "3MVGkey"')
    plain = json.loads(jsonc.strip_comments(text))
    assert plain["sync"] == {"locked": False, "filter_rules": {}, "field_mappings": {}}  # nothing preset
    lines = text.splitlines()
    examples: dict[str, str] = {}
    for key in ("filter_rules", "field_mappings"):
        end = next(i for i, line in enumerate(lines) if line.strip().startswith(f'"{key}"'))
        start = max(i for i in range(end) if lines[i].strip().endswith("For example:")) + 1
        examples[key] = "{" + " ".join(line.strip().removeprefix("//") for line in lines[start:end]) + "}"
    sync = {key: json.loads(value) for key, value in examples.items()}
    config, problems = _problems(sync)
    assert problems == {} and set(config.sync.filter_rules) == {"Contact"} == set(config.sync.field_mappings)
