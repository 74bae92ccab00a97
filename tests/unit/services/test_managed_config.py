"""A firm's notebridge.json: any JSON value gives a usable config or problems naming fields — never a
crash; secrets are refused unread; comments are allowed; the printed template is a valid file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import paths
from app.services import managed
from app.services.managed import jsonc
from app.services.managed.config import REQUIRED, WHOLE_FILE, ManagedConfig, ManagedPush, parse
from app.services.managed.template import PREFERENCE_DEFAULTS, template
from app.services.sync_settings import PushPreferences
from app.ui.wizard.preferences import Preferences

SOURCE = Path("/etc/xdg/notebridge/notebridge.json")
GOOD = {"login_url": "https://acme.my.salesforce.com", "consumer_key": "3MVG9abcDEF.ghi_jkl"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
# Objects that look like a config: the known names, with any JSON value (often a plausible one).
plausible = st.fixed_dictionaries({}, optional={
    "login_url": st.sampled_from(["https://login.salesforce.com", "acme.my.salesforce.com", "", "ftp://x"])
    | json_values,
    "consumer_key": st.sampled_from(["3MVGkey", "", "two words"]) | json_values,
    "callback_port": st.integers(-5, 70000) | json_values,
    "consumer_secret": json_values,
    "_comment": json_values,
    "preferences": st.fixed_dictionaries({}, optional={
        "note_type": st.sampled_from(["ContentNote", "Note", "Other"]) | json_values,
        "sync_interval_minutes": st.sampled_from([15, 30, 45]) | json_values,
        "include_leads": st.booleans() | json_values,
        "typo": json_values,
    }) | json_values,
    "push": st.fixed_dictionaries({}, optional={
        "attach_to": st.sampled_from(["contact", "both", "nowhere"]) | json_values,
        "api_reserve_percent": st.integers(-10, 80) | json_values,
        "auto_push": st.booleans() | json_values,
        "password": json_values,
    }) | json_values,
})


def _assert_well_formed(result: managed.ManagedSetup, value: Any = None) -> None:
    """Usable, or says why; each problem names a field the file had (or a required one), and the file."""
    assert result.source == SOURCE
    if result.config is None:
        assert any(p.blocking for p in result.problems), "an unusable file always says why"
    else:
        assert isinstance(result.config, ManagedConfig)
        assert not any(p.blocking for p in result.problems)
    for problem in result.problems:
        assert problem.message.strip()
        if problem.field == WHOLE_FILE:
            continue
        assert problem.field in result.explanation()
        if isinstance(value, dict):
            names = [k or '""' for k in (*REQUIRED, *value) if isinstance(k, str)]
            assert any(problem.field == k or problem.field.startswith(k + ".") for k in names)
    if result.problems:
        assert str(SOURCE) in result.explanation()


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_managed_config_any_json_value_is_a_config_or_named_problems(value: Any) -> None:
    _assert_well_formed(parse(value, SOURCE), value)


@settings(max_examples=300, deadline=None)
@given(plausible)
def test_managed_config_plausible_files_are_a_config_or_named_problems(value: dict[str, Any]) -> None:
    result = parse(value, SOURCE)
    _assert_well_formed(result, value)
    if result.config is not None:  # whatever was used is valid, and every required field was there
        for name in REQUIRED:
            assert isinstance(value.get(name), str)
        ManagedConfig.model_validate(result.config.model_dump())
    secret_fields = {p.field for p in result.problems if "never reads a secret" in p.message}
    if "consumer_secret" in value:
        assert "consumer_secret" in secret_fields
    if isinstance(value.get("push"), dict) and "password" in value["push"]:
        assert "push.password" in secret_fields


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_managed_config_any_text_is_a_config_or_named_problems(text: str) -> None:
    _assert_well_formed(managed.read_text(text, SOURCE))


def test_managed_config_minimal_file_is_usable() -> None:
    result = parse(dict(GOOD), SOURCE)
    assert result.config is not None and result.problems == ()
    assert result.config.login_url == "https://acme.my.salesforce.com"
    assert result.config.callback_urls is None
    assert result.config.preferences.as_draft() == {} and result.config.push.chosen() == {}


def test_managed_config_a_consumer_secret_is_refused_and_never_kept() -> None:
    result = parse({**GOOD, "consumer_secret": "S3CRET-VALUE", "push": {"api_token": "T0KEN"}}, SOURCE)
    assert result.config is not None  # still usable: the secret is simply not read
    assert [p.field for p in result.problems] == ["consumer_secret", "push.api_token"]
    assert "never reads a secret" in result.problems[0].message and "keychain" in result.problems[0].message
    assert "S3CRET-VALUE" not in repr(result) and "T0KEN" not in repr(result)
    assert "S3CRET-VALUE" not in result.explanation()


def test_managed_config_a_bad_optional_value_is_named_and_ignored() -> None:
    result = parse({**GOOD, "callback_port": 80, "preferences": {"note_type": "Memo", "record_scope": "mine"},
                    "push": {"api_reserve_percent": 75, "auto_push": "yes"}, "prefrences": {}}, SOURCE)
    assert result.config is not None
    named = {p.field: p.message for p in result.problems}
    assert set(named) == {"callback_port", "preferences.note_type", "push.api_reserve_percent", "push.auto_push",
                          "prefrences"}
    assert "between 1024 and 65535" in named["callback_port"]
    assert '"ContentNote", "Note"' in named["preferences.note_type"]
    assert "true or false" in named["push.auto_push"]
    assert "spelling" in named["prefrences"]
    assert result.config.preferences.as_draft() == {"record_scope": "mine"}
    assert result.config.callback_port is None


@pytest.mark.parametrize(("value", "field", "words"), [
    ({"consumer_key": "3MVGkey"}, "login_url", "is missing"),
    ({**GOOD, "login_url": "http://acme.my.salesforce.com"}, "login_url", "secure connection"),
    ({**GOOD, "consumer_key": "  "}, "consumer_key", "is empty"),
    ({**GOOD, "consumer_key": 12345}, "consumer_key", "text in double quotes"),
])
def test_managed_config_a_bad_required_field_makes_the_file_unusable(value: dict[str, Any], field: str,
                                                                     words: str) -> None:
    result = parse(value, SOURCE)
    assert result.config is None
    blocking = [p for p in result.problems if p.blocking]
    assert [p.field for p in blocking] == [field] and words in blocking[0].message
    assert result.explanation().startswith(f"Your firm's setup file {SOURCE} could not be used.")
    other = "consumer_key" if field == "login_url" else "login_url"
    assert other in result.prefill  # the good half still helps the full wizard


def test_managed_config_jsonc_comments_and_trailing_commas() -> None:
    text = """// firm setup
    {
      /* where */ "login_url": "https://login.salesforce.com", // production
      "consumer_key": "3MVG//not-a-comment/*nor-this*/",
      "push": {"auto_push": true,},
    }"""
    result = managed.read_text(text, SOURCE)
    assert result.config is not None and result.problems == ()
    assert result.config.consumer_key == "3MVG//not-a-comment/*nor-this*/"
    assert result.config.push.chosen() == {"auto_push": True}


def test_managed_config_invalid_json_names_the_line() -> None:
    result = managed.read_text('{\n  "login_url": "https://login.salesforce.com"\n  "consumer_key": "k"\n}', SOURCE)
    assert result.config is None and "line 3" in result.problems[0].message
    with pytest.raises(jsonc.JsoncError, match="never closed"):
        jsonc.loads('{"a": 1 /* oops')


def test_managed_config_template_is_valid_once_the_required_values_are_filled_in() -> None:
    text = template(SOURCE)
    assert str(SOURCE) in text
    empty = managed.read_text(text, SOURCE)
    assert empty.config is None and {p.field for p in empty.problems} == {"login_url", "consumer_key"}
    filled = text.replace('"login_url": ""', '"login_url": "https://login.salesforce.com"').replace(
        '"consumer_key": ""', '"consumer_key": "3MVGkey"')
    result = managed.read_text(filled, SOURCE)
    assert result.config is not None and result.problems == ()
    plain = json.loads(jsonc.strip_comments(filled))
    assert set(plain["preferences"]) == set(PREFERENCE_DEFAULTS) and set(plain["push"]) == set(
        ManagedPush.model_fields)  # every setting is shown
    assert {k: v for k, v in Preferences().as_draft().items() if k in PREFERENCE_DEFAULTS} == PREFERENCE_DEFAULTS
    defaults = PushPreferences()
    assert all(plain["push"][k] == getattr(defaults, k) for k in plain["push"])


def test_managed_config_print_template_command(capsys: pytest.CaptureFixture[str]) -> None:
    from app.main import main

    assert main(["--print-config-template"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("// Notebridge") and '"consumer_key": ""' in printed


def test_managed_config_file_location_and_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(paths.ENV_MANAGED_CONFIG, raising=False)
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "site"))
    site_file = tmp_path / "site" / "notebridge" / "notebridge.json"
    assert paths.managed_config_file() == site_file
    assert managed.read() is None  # no file: not managed, no problem
    site_file.parent.mkdir(parents=True)
    site_file.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode())  # with a byte-order mark
    found = managed.read()
    assert found is not None and found.config is not None and found.source == site_file

    other = tmp_path / "elsewhere.json"
    other.write_bytes(b"\xff\xfe not utf-8")
    monkeypatch.setenv(paths.ENV_MANAGED_CONFIG, str(other))
    unreadable = managed.read()
    assert unreadable is not None and unreadable.config is None and "UTF-8" in unreadable.explanation()


@settings(max_examples=300, deadline=None)
@given(json_values, st.booleans())
def test_managed_config_jsonc_reads_plain_json_unchanged(value: Any, pretty: bool) -> None:
    """Strings holding // or /* and commas before brackets inside strings are data, never comments."""
    text = json.dumps(value, indent=2 if pretty else None)
    assert jsonc.loads(text) == value
    assert jsonc.loads(f"// a comment\n{text} /* and another */") == value
