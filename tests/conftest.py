"""Test-run configuration shared by every test.

Set before any app module is imported: Qt runs headless, each run gets its own home for everything
Notebridge writes, and keyring uses a real file-based backend chosen explicitly (keyring's own
PYTHON_KEYRING_BACKEND mechanism) in a private folder — never the developer's real keychain.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.background_failures import fail_on_background_errors

__all__ = ["fail_on_background_errors"]

_RUN_DIR = Path(tempfile.mkdtemp(prefix="notebridge-tests-"))
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["NOTEBRIDGE_HOME"] = str(_RUN_DIR / "home")
os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
os.environ["XDG_DATA_HOME"] = str(_RUN_DIR / "xdg-data")
os.environ["XDG_CONFIG_HOME"] = str(_RUN_DIR / "xdg-config")
# The system-wide config folder too: a firm's notebridge.json on this machine must not change the tests.
os.environ["XDG_CONFIG_DIRS"] = str(_RUN_DIR / "xdg-config-dirs")
os.environ.pop("NOTEBRIDGE_MANAGED_CONFIG", None)
os.environ.setdefault("XDG_RUNTIME_DIR", str(_RUN_DIR / "xdg-runtime"))
Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A fresh Notebridge home for one test; paths() resolves to it while the test runs."""
    from app import paths

    home = tmp_path / "notebridge-home"
    paths.set_data_dir(home)
    try:
        yield home
    finally:
        paths.set_data_dir(None)
