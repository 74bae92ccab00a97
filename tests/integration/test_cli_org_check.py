"""`notebridge doctor --org-check` as an admin runs it: `notebridge connect`, then the check, as real
subprocesses against the demo org. The report is printed so it shows in CI's output."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.demo_org import DemoOrg
from tests.integration.salesforce.sf_org import make_org
from tests.integration.test_cli import run_app
from tests.support.browser_by_http import approve_in_browser

OBJECTS = ("Contact", "Account", "Task", "Note", "ContentNote", "ContentDocument", "ContentDocumentLink")


def live_ids(org: DemoOrg) -> dict[str, set[str]]:
    return {name: {r["Id"] for r in org.records(name) if not r["IsDeleted"]} for name in OBJECTS}


def connect(org: DemoOrg, home: Path) -> None:
    port = org.callback_urls[0].split(":")[2].split("/")[0]
    env = dict(os.environ, NOTEBRIDGE_HOME=str(home))
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "connect", "--login-url", org.login_url, "--consumer-key",
         org.consumer_key, "--port", port, "--no-browser", "--timeout", "60"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().removeprefix("Open this URL to sign in: ").strip()
        approve_in_browser(url, org.username, org.password, follow=True)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, process.stderr.read() if process.stderr else ""


def report_of(result: subprocess.CompletedProcess[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The report goes to CI's output even under pytest's capture (no ``-s`` needed)."""
    with capsys.disabled():
        print("\n--- notebridge doctor --org-check ---\n" + result.stdout + result.stderr, flush=True)
    return result.stdout


def test_org_check_cli_against_the_demo_org_reports_rules_and_leaves_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    with make_org(contacts=10) as org:
        connect(org, home)
        before = live_ids(org)
        result = run_app("doctor", "--org-check", home=home)
        out = report_of(result, capsys)
        assert result.returncode == 0, out
        assert "[ ok ] Org rule content-note-html" in out
        assert "[ ok ] Org rule link-share-values" in out
        assert "[ ok ] Org rule picklist-restricted" in out and "restricted picklists" in out
        assert "[ ok ] Org rule classic-notes-off — Classic note on the client: not used" in out
        assert "[ ok ] Org check clean-up: every test record was deleted" in out
        assert live_ids(org) == before


def test_org_check_cli_exits_1_on_a_rule_the_app_would_hit_and_still_cleans_up(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    with make_org(contacts=10) as org:
        connect(org, home)
        before = live_ids(org)
        org.enable_validation_rule("Task", "Status", "Tasks need a Status of In Progress")
        result = run_app("doctor", "--org-check", home=home)
        out = report_of(result, capsys)
        assert result.returncode == 1, out
        line = next(x for x in out.splitlines() if "Org rule picklist-restricted" in x)
        assert line.startswith("[FAIL]") and "field Status" in line and "Tasks need a Status of In Progress" in line
        assert "Fix:" in line and "validation rule your Salesforce admin set" in line
        assert "[ ok ] Org check clean-up: every test record was deleted" in out
        assert live_ids(org) == before
