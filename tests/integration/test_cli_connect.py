"""`notebridge connect` then `notebridge doctor`, as an admin would run them, against the demo org."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.integration.salesforce.sf_org import make_org
from tests.integration.test_cli import run_app
from tests.support.browser_by_http import approve_in_browser


def test_connect_headless_then_doctor_reports_token_and_usage(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with make_org(contacts=10) as org:
        port = org.callback_urls[0].split(":")[2].split("/")[0]
        env = dict(os.environ, NOTEBRIDGE_HOME=str(home))
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "connect", "--login-url", org.login_url, "--consumer-key",
             org.consumer_key, "--consumer-secret-stdin", "--port", port, "--no-browser", "--timeout", "60"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        try:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write(org.consumer_secret + "\n")
            process.stdin.close()
            first = process.stdout.readline()
            assert first.startswith("Open this URL to sign in: ")
            url = first.removeprefix("Open this URL to sign in: ").strip()
            page = approve_in_browser(url, org.username, org.password, follow=True)
            assert "You can close this tab and return to Notebridge" in page
            process.wait(timeout=60)
            out, err = process.stdout.read(), process.stderr.read() if process.stderr else ""
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 0, err
        assert f"({org.username})" in out
        assert "Org: 00D" in out
        assert org.consumer_secret not in out + err

        doctor = run_app("doctor", home=home)
        assert doctor.returncode == 0, doctor.stdout
        assert "[ ok ] Salesforce sign-in: valid for advisor@" in doctor.stdout
        assert "[ ok ] API usage: " in doctor.stdout and "daily API calls used" in doctor.stdout

        org.revoke_refresh_tokens()
        broken = run_app("doctor", home=home)
        assert broken.returncode == 1
        line = next(x for x in broken.stdout.splitlines() if "Salesforce sign-in" in x)
        assert line.startswith("[FAIL]") and "Fix:" in line
    log_text = "".join(p.read_text() for p in (home / "logs").glob("*.log*"))
    assert org.consumer_secret not in log_text


def test_connect_rejects_unknown_consumer_key_with_a_plain_message(tmp_path: Path) -> None:
    with make_org(contacts=5) as org:
        port = org.callback_urls[0].split(":")[2].split("/")[0]
        result = run_app("connect", "--login-url", org.login_url, "--consumer-key", "3MVG9notARealKey",
                         "--port", port, "--no-browser", "--timeout", "20", home=tmp_path / "home")
    assert result.returncode == 1
    assert "Sign-in failed:" in result.stderr
    assert "What to do:" in result.stderr
    assert "Traceback" not in result.stderr


def test_connect_demo_default_standalone_org_with_both_sides_defaults(tmp_path: Path) -> None:
    """README's admin path against ``python -m app.demo_org`` with no options at all, and ``connect``
    with no ``--port``: the ports connect listens on are among the demo org's registered callbacks."""
    demo = subprocess.Popen([sys.executable, "-m", "app.demo_org"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    try:
        assert demo.stdout is not None
        info = json.loads(demo.stdout.readline())
        env = dict(os.environ, NOTEBRIDGE_HOME=str(tmp_path / "home"))
        connect = subprocess.Popen(
            [sys.executable, "-m", "app", "connect", "--login-url", info["login_url"], "--consumer-key",
             info["consumer_key"], "--consumer-secret-stdin", "--no-browser", "--timeout", "60"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:
            assert connect.stdin is not None and connect.stdout is not None
            connect.stdin.write(info["consumer_secret"] + "\n")
            connect.stdin.close()
            first = connect.stdout.readline()
            assert first.startswith("Open this URL to sign in: "), first + (connect.stderr.read() if connect.stderr
                                                                          else "")
            page = approve_in_browser(first.removeprefix("Open this URL to sign in: ").strip(), info["username"],
                                      info["password"], follow=True)
            assert "You can close this tab and return to Notebridge" in page
            connect.wait(timeout=60)
            out, err = connect.stdout.read(), connect.stderr.read() if connect.stderr else ""
        finally:
            if connect.poll() is None:
                connect.kill()
                connect.wait()
    finally:
        demo.send_signal(signal.SIGTERM)
        demo.communicate(timeout=30)
    assert connect.returncode == 0, err
    assert f"({info['username']})" in out


def test_connect_demo_default_timeout_is_said_in_seconds(tmp_path: Path) -> None:
    """``--timeout 5`` with nobody signing in: "within 5 seconds", not "within 0.0833333 minutes"."""
    with make_org(contacts=1) as org:
        port = org.callback_urls[0].split(":")[2].split("/")[0]
        result = run_app("connect", "--login-url", org.login_url, "--consumer-key", org.consumer_key,
                         "--port", port, "--no-browser", "--timeout", "5", home=tmp_path / "home")
    assert result.returncode == 1, result.stderr
    assert "within 5 seconds." in result.stderr
    assert "minute" not in result.stderr.split("What to do:")[0]
