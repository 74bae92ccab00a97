"""``python -m app.demo_org`` as a subprocess: one JSON line when ready, clean exit on SIGTERM/SIGINT."""

from __future__ import annotations

import json
import os
import signal
import ssl
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.demo_org import DemoOrg

ROOT = Path(__file__).resolve().parents[3]
KEYS = {"base_url", "login_url", "consumer_key", "consumer_secret", "username", "password", "callback_urls", "ca_file",
        "control_token"}


def start(*args: str) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    process = subprocess.Popen([sys.executable, "-m", "app.demo_org", *args], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline()))  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout=60)
    if not line or not line[0]:
        process.kill()
        raise AssertionError(f"no JSON line; stderr: {process.communicate()[1]}")
    return process, json.loads(line[0])


def stop(process: subprocess.Popen[str], signum: int = signal.SIGTERM) -> tuple[int, str]:
    process.send_signal(signum)
    out, _ = process.communicate(timeout=30)
    return process.returncode, out


def test_prints_one_json_line_serves_and_exits_on_sigterm() -> None:
    process, info = start("--contacts", "30", "--seed", "4", "--api-limit", "500")
    try:
        assert set(info) == KEYS
        assert info["base_url"].startswith("http://127.0.0.1:") and info["login_url"] == info["base_url"]
        assert info["ca_file"] is None
        assert info["callback_urls"] == ["http://localhost:7621/callback", "http://localhost:7622/callback",
                                         "http://localhost:7623/callback"]
        assert info["consumer_key"] == DemoOrg(contacts=0, seed=4).consumer_key, "deterministic per seed"
        assert httpx.get(info["base_url"] + "/services/data/", trust_env=False).status_code == 200
        tokens = httpx.post(info["base_url"] + "/__demo__/mint_tokens", trust_env=False,
                            headers={"Authorization": f"Bearer {info['control_token']}"}).json()["result"]
        limits = httpx.get(info["base_url"] + "/services/data/v62.0/limits", trust_env=False,
                           headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert limits.json()["DailyApiRequests"]["Max"] == 500
        count = httpx.get(info["base_url"] + "/services/data/v62.0/query", trust_env=False,
                          params={"q": "SELECT COUNT() FROM Contact"},
                          headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert count.json()["totalSize"] == 30
    finally:
        code, rest = stop(process)
    assert code == 0
    assert rest.strip() == "", "exactly one line on stdout"


def test_tls_and_sigint() -> None:
    process, info = start("--contacts", "5", "--tls", "--no-enhanced-notes", "--require-secret", "--token-ttl", "60")
    try:
        assert info["base_url"].startswith("https://localhost:")
        ca_file = Path(info["ca_file"])
        assert ca_file.is_file()
        response = httpx.get(info["base_url"] + "/services/data/", trust_env=False,
                             verify=ssl.create_default_context(cafile=str(ca_file)))
        assert response.status_code == 200
        with pytest.raises(httpx.ConnectError):
            httpx.get(info["base_url"] + "/services/data/", trust_env=False, verify=True)
    finally:
        code, _ = stop(process, signal.SIGINT)
    assert code == 0
    assert not ca_file.exists(), "the throwaway CA is removed on exit"


def test_bad_arguments_fail_fast() -> None:
    result = subprocess.run([sys.executable, "-m", "app.demo_org", "--contacts", "many"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 2 and result.stdout == ""
    taken = subprocess.run([sys.executable, "-m", "app.demo_org", "--contacts", "-1"], cwd=ROOT,
                           capture_output=True, text=True, timeout=60, check=False)
    assert taken.returncode == 2 and "contacts" in taken.stderr
