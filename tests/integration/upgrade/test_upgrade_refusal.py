"""An older Notebridge meeting a workspace made by a newer one: a plain refusal in the window and from
`doctor`, naming the version to install, and the file left exactly as it was (never "downgraded")."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from app.store import Database, upgrade

NEWER = "4.2.0"


async def _newer_workspace(database: Path) -> bytes:
    db = await Database.open(database)
    await db.close()
    raw = sqlite3.connect(database)
    raw.execute("UPDATE alembic_version SET version_num = '0099_made_by_a_newer_notebridge'")
    raw.execute(f"PRAGMA user_version = {upgrade.encode_version(NEWER)}")
    raw.commit()
    raw.close()
    return database.read_bytes()


def test_upgrade_newer_workspace_is_refused_in_a_window(qapp: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app import paths
    from app.ui import aio
    from app.ui.gui import gui_main
    from app.ui.single_instance import SingleInstance
    from tests.support.qt_loop import new_qt_loop

    paths.set_data_dir(tmp_path / "home")
    app_paths = paths.paths().ensure()
    loop = new_qt_loop()
    seen: dict[str, str] = {}

    def answer(attempt: int = 0) -> None:
        box = next((w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.objectName() == "workspaceOpenError" and w.isVisible()), None)
        if box is None:
            if attempt < 1500:
                QTimer.singleShot(20, lambda: answer(attempt + 1))
            return
        seen["text"], seen["fix"] = box.text(), box.informativeText()
        box.button(QMessageBox.StandardButton.Ok).click()

    instance = SingleInstance(app_paths.data)
    try:
        before = loop.run_until_complete(_newer_workspace(app_paths.database))
        assert instance.acquire()
        QTimer.singleShot(20, answer)
        result = loop.run_until_complete(asyncio.wait_for(gui_main(qapp, instance, None, app_paths=app_paths), 60))
        loop.run_until_complete(aio.cancel_all())
    finally:
        loop.close()
        instance.release()
        paths.set_data_dir(None)
    assert result == 2
    assert seen["text"].startswith(f"This workspace was made by a newer Notebridge (version {NEWER}).")
    assert "nothing was changed" in seen["text"]
    assert seen["fix"].startswith(f"Install Notebridge {NEWER} or newer")
    assert app_paths.database.read_bytes() == before
    assert upgrade.backups(app_paths.database) == []


async def test_upgrade_newer_workspace_doctor_says_which_version_to_install(tmp_path: Path) -> None:
    home = tmp_path / "home"
    database = home / "data" / "workspace.sqlite3"
    before = await _newer_workspace(database)
    env = {**os.environ, "NOTEBRIDGE_HOME": str(home)}
    result = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "app", "doctor"], capture_output=True,
                                     text=True, env=env, timeout=120, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = next(x for x in result.stdout.splitlines() if "Workspace database" in x)
    refusal = f"This workspace was made by a newer Notebridge (version {NEWER})"
    assert line.startswith(f"[FAIL] Workspace database: {refusal}")
    assert f"Install Notebridge {NEWER} or newer" in line
    assert database.read_bytes() == before


def test_managed_config_template_from_the_command_line_writes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "NOTEBRIDGE_HOME": str(home)}
    result = subprocess.run([sys.executable, "-m", "app", "--print-config-template"], capture_output=True, text=True,
                            env=env, timeout=120, check=False)
    assert result.returncode == 0 and result.stderr == ""
    assert '"login_url": ""' in result.stdout and "NEVER put a secret here" in result.stdout
    assert not home.exists()


def test_managed_config_doctor_checks_the_firm_file(tmp_path: Path) -> None:
    firm_file = tmp_path / "etc" / "notebridge.json"
    firm_file.parent.mkdir()
    env = {**os.environ, "NOTEBRIDGE_HOME": str(tmp_path / "home"), "NOTEBRIDGE_MANAGED_CONFIG": str(firm_file)}

    def doctor() -> tuple[int, str]:
        result = subprocess.run([sys.executable, "-m", "app", "doctor"], capture_output=True, text=True, env=env,
                                timeout=120, check=False)
        assert "Traceback" not in result.stderr
        line = next((x for x in result.stdout.splitlines() if "Firm setup file" in x), "")
        return result.returncode, line

    assert doctor() == (0, "")  # no file: not a problem, not mentioned
    firm_file.write_text('{"login_url": "https://acme.my.salesforce.com", "consumer_key": "3MVGkey"}')
    code, line = doctor()
    assert code == 0 and line == f"[ ok ] Firm setup file: {firm_file}: signs in at https://acme.my.salesforce.com"
    firm_file.write_text('{"login_url": "https://acme.my.salesforce.com", "consumer_key": "3MVGkey", "sync": '
                         '{"locked": true, "filter_rules": {"Contact": [[{"kind": "owner_is_me"}]]}, '
                         '"field_mappings": {"Contact": {"extra_fields": ["AUM__c"]}, "Opportunity": {}}}}')
    code, line = doctor()  # the presets it read are named; a wrong part fails the check, naming it
    assert code == 1 and "sync.field_mappings.Opportunity: is not an object Notebridge syncs" in line
    firm_file.write_text(firm_file.read_text().replace(', "Opportunity": {}', ""))
    code, line = doctor()
    assert code == 0 and line.endswith("; presets filter rules for Contact and fields for Contact (locked)")
    firm_file.write_text('{"login_url": "https://acme.my.salesforce.com", "consumer_secret": "s3cret"}')
    code, line = doctor()
    assert code == 1 and line.startswith(f"[FAIL] Firm setup file: Your firm's setup file {firm_file} could not")
    assert "consumer_key: is missing" in line and "consumer_secret: Notebridge never reads a secret" in line
    assert "s3cret" not in line
