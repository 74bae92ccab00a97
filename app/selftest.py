"""`--self-test`: proves a build (especially the frozen bundle) has everything it needs at run time.

It creates the QApplication, renders every shipped resource, opens and migrates a database in a
temporary folder, and reports the keyring backend. Anything missing from a PyInstaller bundle (a Qt
plugin, an Alembic script, a keyring backend, an SVG) fails here rather than on an advisor's laptop.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from importlib import resources as importlib_resources
from pathlib import Path

from app import APP_NAME, __version__, secrets
from app.store import Database
from app.wording import counted


def _resource_files() -> list[str]:
    root = importlib_resources.files("resources")
    found: list[str] = []
    for folder in ("icons", "illustrations", "styles"):
        for entry in root.joinpath(folder).iterdir():
            if entry.name.endswith((".svg", ".qss", ".png")):
                found.append(f"{folder}/{entry.name}")
    return sorted(found)


async def _open_database(folder: Path) -> str:
    db = await Database.open(folder / "selftest.sqlite3")
    try:
        return db.journal_mode
    finally:
        await db.close()


def self_test() -> int:
    from PySide6.QtCore import QSize  # Qt is loaded only here and in app.ui

    from app.ui.application import create_qapplication
    from app.ui.resources import stylesheet, svg_pixmap
    from app.ui.versions import qt_versions

    print(f"{APP_NAME} {__version__} self-test")
    app = create_qapplication("system")
    print(f"qt: {qt_versions()}, platform {app.platformName()}")
    files = _resource_files()
    if not files:
        print("resources: none found", file=sys.stderr)
        return 1
    for relative in files:
        if relative.endswith(".svg"):
            pixmap = svg_pixmap(relative, QSize(32, 32))
            if pixmap.isNull():
                print(f"resources: {relative} did not render", file=sys.stderr)
                return 1
    if not stylesheet().strip():
        print("resources: empty stylesheet", file=sys.stderr)
        return 1
    print(f"resources: {counted(len(files), 'file')} load")
    with tempfile.TemporaryDirectory(prefix="notebridge-selftest-") as folder:
        journal = asyncio.run(_open_database(Path(folder)))
    print(f"database: migrated and opened, journal mode {journal}")
    # The demo org (`--demo`) ships with the app: its fake people come from Faker's en_US locale,
    # which the bundle keeps while it leaves the other locales out (packaging/bundle_trim.py).
    from app.demo_org.data.pools import build_pools

    pools = build_pools(1)
    if not (pools.last and pools.places):
        print("demo data: no names or places generated", file=sys.stderr)
        return 1
    print(f"demo data: {len(pools.last)} last names, {len(pools.places)} places")
    state = secrets.status()
    ignored = f"; not used unless chosen explicitly: {', '.join(state.ignored)}" if state.ignored else ""
    print(f"keyring: {state.backend} ({'usable' if state.available else 'not usable here'}{ignored})")
    print("self-test passed")
    return 0
