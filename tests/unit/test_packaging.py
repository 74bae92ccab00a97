"""Packaging details a newcomer met (issue 21): the licence is an SPDX expression, the desktop entry
passes no file to the app, the bundle has an icon."""

from __future__ import annotations

import ast
import configparser
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from app.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "packaging" / "linux" / "notebridge.desktop"
sys.path.insert(0, str(ROOT / "packaging"))
from app_icon import render_icon  # noqa: E402


def test_packaging_license_is_an_spdx_expression() -> None:
    """A TOML table (``{ text = ... }``) is deprecated by PEP 639 and refused by setuptools after 2027-02-18."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    license_ = pyproject["project"]["license"]
    assert isinstance(license_, str)
    assert re.fullmatch(r"(LicenseRef-[A-Za-z0-9.-]+|[A-Za-z0-9.+-]+)( (AND|OR|WITH) [A-Za-z0-9.+-]+)*", license_)
    assert not any(c.startswith("License ::") for c in pyproject["project"].get("classifiers", []))
    setuptools_pin = next(r for r in pyproject["build-system"]["requires"] if r.startswith("setuptools"))
    assert int(re.search(r">=(\d+)", setuptools_pin).group(1)) >= 77  # type: ignore[union-attr]  # first with PEP 639


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, comment_prefixes=("#",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_packaging_desktop_entry_passes_no_file_or_url() -> None:
    """``Exec=notebridge %U`` turned a file dropped on the launcher into ``invalid choice`` and exit 2."""
    exec_line = _desktop_entry()["Exec"]
    assert not re.search(r"%[fFuU]", exec_line), exec_line
    argv = exec_line.split()
    assert argv == ["notebridge"]
    build_parser().parse_args(argv[1:])  # what the launcher runs parses (no SystemExit)


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils not installed")
def test_packaging_desktop_entry_validates() -> None:
    done = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == "", done.stdout + done.stderr


@pytest.mark.parametrize("fmt", ["ico", "icns", "png"])
def test_packaging_icon_renders_from_the_svg(tmp_path: Path, fmt: str) -> None:
    path = render_icon(tmp_path, fmt)
    assert path.name == f"notebridge.{fmt}"
    image = _icns_image(path) if fmt == "icns" else QImage(str(path))
    assert not image.isNull()
    assert max(image.width(), image.height()) == 256
    assert image.pixelColor(128, 128).alpha() > 0  # drawn, not a blank square


def _icns_image(path: Path) -> QImage:
    """The 256-pixel PNG inside an .icns ("ic08"), read by hand: Qt's own .icns reader warns about the
    table of contents its writer puts first, although macOS reads it (and the lengths below check it)."""
    data = path.read_bytes()
    assert data[:4] == b"icns" and int.from_bytes(data[4:8], "big") == len(data)
    entries, at = {}, 8
    while at < len(data):
        kind, length = data[at:at + 4].decode("ascii"), int.from_bytes(data[at + 4:at + 8], "big")
        assert length >= 8 and at + length <= len(data)
        entries[kind] = data[at + 8:at + length]
        at += length
    image = QImage()
    assert image.loadFromData(entries["ic08"], "PNG")
    return image


def test_packaging_build_spec_gives_the_executable_and_the_app_an_icon() -> None:
    tree = ast.parse((ROOT / "build.spec").read_text(encoding="utf-8"))
    calls = {node.func.id: node for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    for builder in ("EXE", "BUNDLE"):
        keywords = {k.arg: k.value for k in calls[builder].keywords}
        assert isinstance(keywords.get("icon"), ast.Name) and keywords["icon"].id == "icon", builder
    assigned = [node for node in ast.walk(tree) if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "icon" for t in node.targets)]
    assert assigned and "icon_for_this_platform" in ast.unparse(assigned[0].value)
