#!/usr/bin/env python3
"""Render the installer inputs (WiX .wxs, dmgbuild settings) from the one version source.

    python packaging/render.py [--out DIR]      # default: build/installer-inputs

The version lives in one place: pyproject.toml says it is the attribute `app.__version__`, and that
assignment is read here without importing the app (so no Qt, no dependencies). Every installer input
is a template beside this file with `@NAME@` placeholders; a placeholder left unfilled is an error,
so a template can never ship with a stale or missing value.

This file is run as a script (and loaded by path from `linux/build-deb` and the tests): the folder is
named `packaging`, like the PyPI library pip and PyInstaller use, so it must never become importable
as a package.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent

# Inputs rendered for the release workflow: template (relative to packaging/) -> output file name.
TEMPLATES = {
    "windows/notebridge.wxs.in": "notebridge.wxs",
    "macos/dmg_settings.py.in": "dmg_settings.py",
}
_PLACEHOLDER = re.compile(r"@([A-Z_]+)@")
# A stable UpgradeCode: every Notebridge MSI is "the same product", so N+1 replaces N in place.
MSI_UPGRADE_CODE = "6A0B3F52-8E6C-4C1B-9B67-2E5C5C1D7A40"


def project_version(root: Path = ROOT) -> str:
    """The version, read from where pyproject.toml says it is (`attr = "module.__version__"`)."""
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    attr = pyproject["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    module, _, name = attr.rpartition(".")
    module_path = root.joinpath(*module.split("."))
    source = module_path / "__init__.py" if module_path.is_dir() else module_path.with_suffix(".py")
    for node in ast.parse(source.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == name for target in node.targets
        ):
            value = ast.literal_eval(node.value)
            if isinstance(value, str) and value:
                return value
    raise ValueError(f"{source} has no {name} = '<version>' assignment")


def numeric_version(version: str) -> str:
    """MSI ProductVersion and CFBundleShortVersionString take only three numbers: "1.2.0rc1" -> "1.2.0".

    MSI compares only the first three fields, each at most 255.255.65535, so anything else is refused
    here rather than producing an installer that does not upgrade.
    """
    match = re.match(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", version)
    if match is None:
        raise ValueError(f"version {version!r} does not start with a number")
    major, minor, patch = (int(part or 0) for part in match.groups())
    if major > 255 or minor > 255 or patch > 65535:
        raise ValueError(f"version {version!r} is outside what an MSI can hold (255.255.65535)")
    return f"{major}.{minor}.{patch}"


def values(version: str) -> dict[str, str]:
    return {
        "VERSION": version,
        "NUMERIC_VERSION": numeric_version(version),
        "UPGRADE_CODE": MSI_UPGRADE_CODE,
    }


def render_text(template: str, fill: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in fill:
            raise KeyError(f"no value for @{key}@")
        return fill[key]

    return _PLACEHOLDER.sub(replace, template)


def render_all(out: Path, root: Path = ROOT) -> dict[str, Path]:
    """Write every installer input into `out`; returns output name -> path."""
    fill = values(project_version(root))
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for template, name in TEMPLATES.items():
        text = render_text((HERE / template).read_text(encoding="utf-8"), fill)
        target = out / name
        target.write_text(text, encoding="utf-8")
        written[name] = target
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "installer-inputs")
    parser.add_argument("--print-version", action="store_true", help="print the version and exit")
    args = parser.parse_args(argv)
    if args.print_version:
        print(project_version())
        return 0
    for name, path in render_all(args.out).items():
        print(f"{name}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
