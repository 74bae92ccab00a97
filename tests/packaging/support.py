"""Shared helpers for the installer tests: the packaging scripts are loaded by path (the folder is
named like the PyPI `packaging` library, so it is never imported as a package)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
BUILD_DEB = PACKAGING / "linux" / "build-deb"
BUNDLE = ROOT / "dist" / "notebridge"


def load(name: str) -> ModuleType:
    """packaging/<name>.py as a module of its own."""
    spec = importlib.util.spec_from_file_location(f"notebridge_packaging_{name}", PACKAGING / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and the like look their module up
    spec.loader.exec_module(module)
    return module


def require_tool(name: str, why: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed here ({why})")
    return path


def build_deb(bundle: Path, out: Path) -> Path:
    """Run packaging/linux/build-deb on `bundle`; returns the one .deb it wrote into `out`."""
    result = subprocess.run(
        [sys.executable, str(BUILD_DEB)], cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, "NOTEBRIDGE_BUNDLE": str(bundle), "NOTEBRIDGE_DEB_OUT": str(out),
             "NOTEBRIDGE_DEB_COMPRESSION": "gzip"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    debs = list(out.glob("notebridge_*_amd64.deb"))
    assert len(debs) == 1, debs
    return debs[0]


def control_fields(deb: Path) -> dict[str, str]:
    text = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True, check=True).stdout
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line[0].isspace() and ":" in line:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def listing(deb: Path) -> dict[str, str]:
    """Path inside the package -> `dpkg-deb -c` line (mode, owner, size, date, path [-> target])."""
    text = subprocess.run(["dpkg-deb", "-c", str(deb)], capture_output=True, text=True, check=True).stdout
    entries: dict[str, str] = {}
    for line in text.splitlines():
        path = line.split(None, 5)[5].split(" -> ")[0]
        entries[path.removeprefix(".").rstrip("/") or "/"] = line
    return entries
