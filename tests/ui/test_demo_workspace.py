"""`notebridge --demo` lands in a populated workspace with nobody asked anything, through the real
sign-in (authorization code + PKCE against the demo org, which pre-authorizes its own app) and the
normal pull; the banner's "Connect your Salesforce…" leaves for the real workspace's wizard, the
wizard's "Try the demo org" lands in the same demo workspace the same way, and "Reset demo data"
says what is lost and starts the demo afresh. The real gui_main runs in-process, offscreen."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from sqlmodel import Session, func, select

from app import paths
from app.paths import AppPaths, demo_paths
from app.store import Database
from app.store import notes as notes_repo
from app.store.models import Connection, Contact, Note
from app.ui.demo import EmbeddedDemo
from app.ui.demo_banner import DemoBanner
from app.ui.demo_session import ForgetSummary, reset_consequences
from app.ui.gui import gui_main
from app.ui.main_window import MainWindow
from app.ui.single_instance import SingleInstance
from app.ui.theme import _palette, contrast_ratio
from app.ui.widgets.empty_state import EmptyState
from app.ui.wizard import SetupWizard
from app.ui.workspace import WorkspacePage
from tests.support.qt_loop import until

DEMO_CONTACTS = 120  # the app's demo seeds 1,000; fewer keeps the test light, the path is the same
OPEN_TIMEOUT = 60.0  # seeding, sign-in and the first pull on a shared 2-core machine: bounds a hang only


def main_window() -> MainWindow | None:
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()), None)


def visible_wizard() -> SetupWizard | None:
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, SetupWizard) and w.isVisible()), None)


def populated_demo() -> WorkspacePage | None:
    """The demo window's workspace page, once it lists clients."""
    window = main_window()
    if window is None or not isinstance(window.banner, DemoBanner):
        return None
    page = window.page("workspace")
    return page if isinstance(page, WorkspacePage) and page.model.rowCount() > 0 else None


@contextlib.asynccontextmanager
async def running_app(tmp_path: Path, demo: EmbeddedDemo, *, start_in_demo: bool) -> AsyncIterator[AppPaths]:
    paths.set_data_dir(tmp_path / "home")
    real = paths.paths().ensure()
    first = demo_paths(real).ensure() if start_in_demo else real
    instance = SingleInstance(first.data, first.database)
    assert instance.acquire()
    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    running = asyncio.ensure_future(gui_main(qapp, instance, None, app_paths=real, demo=start_in_demo,
                                             embedded_demo=demo))
    try:
        yield real
    finally:
        wizard = visible_wizard()
        if wizard is not None:
            wizard.reject()
        window = main_window()
        if window is not None and not running.done():
            window.close()
        try:
            assert await asyncio.wait_for(running, 30) == 0
        finally:
            instance.release()
            paths.set_data_dir(None)
            for leftover in QApplication.topLevelWidgets():  # the next test starts without our windows
                if isinstance(leftover, MainWindow | SetupWizard | QMessageBox):
                    leftover.deleteLater()
            QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


async def _count_rows(database: Path) -> tuple[int, int]:
    """(connections, contacts) in a workspace file, read with a handle of its own."""
    db = await Database.open(database)
    try:
        def read(session: Session) -> tuple[int, int]:
            return (int(session.exec(select(func.count()).select_from(Connection)).one()),
                    int(session.exec(select(func.count()).select_from(Contact)).one()))
        return await db.run(read)
    finally:
        await db.close()


def _pulled_contacts(demo: EmbeddedDemo) -> bool:
    assert demo.org is not None
    return any(r["path"].endswith("/query") or "/query/" in r["path"] or "/query?" in r["path"]
               for r in demo.org.stats()["requests"])


async def test_demo_workspace_opens_populated_and_searchable_through_oauth_and_the_pull(tmp_path: Path) -> None:
    demo = EmbeddedDemo(contacts=DEMO_CONTACTS)
    async with running_app(tmp_path, demo, start_in_demo=True) as real:
        await until(populated_demo, "a populated demo workspace", timeout=OPEN_TIMEOUT)
        page = populated_demo()
        assert page is not None
        await until(lambda: page.model.total >= DEMO_CONTACTS, "every made-up client listed")
        assert visible_wizard() is None  # no wizard, no browser, no password
        window = main_window()
        assert window is not None and isinstance(window.banner, DemoBanner)
        assert window.banner.title.text() == "Demo org — made-up clients"
        assert window.banner.connect_button.text() == "Connect your Salesforce…"

        assert demo.org is not None
        stats = demo.org.stats()
        assert stats["code_exchanges"] == [{"pkce": True}], "one authorization code redeemed, with its verifier"
        assert _pulled_contacts(demo), "contacts came through the REST query API"
        person = next(c for c in demo.org.records("Contact") if not c.get("IsDeleted"))
        page.search.setText(person["LastName"])
        await until(lambda: page.model.searching and page.model.query == person["LastName"]
                    and page.model.rowCount() > 0, "search finds a made-up client")
        assert page.model.rowCount() < page.model.total

        demo_database = demo_paths(real).database
        assert (await _count_rows(demo_database))[1] >= DEMO_CONTACTS
        assert not real.database.exists(), "the demo never touches the real workspace"


async def test_demo_workspace_started_again_signs_in_afresh_into_the_same_workspace(tmp_path: Path) -> None:
    """The demo org's tokens die with its process: the next --demo signs in again (no page either) and
    keeps the one demo connection, so what was made in the demo is still there."""
    for run in range(2):
        demo = EmbeddedDemo(contacts=DEMO_CONTACTS)
        async with running_app(tmp_path, demo, start_in_demo=True) as real:
            await until(populated_demo, f"a populated demo workspace (start {run + 1})", timeout=OPEN_TIMEOUT)
            assert demo.org is not None and demo.org.stats()["code_exchanges"] == [{"pkce": True}]
            assert visible_wizard() is None
    connections, contacts = await _count_rows(demo_paths(real).database)
    assert connections == 1 and contacts >= DEMO_CONTACTS


async def test_demo_workspace_connect_opens_the_real_org_wizard_apart_from_the_demo(tmp_path: Path) -> None:
    demo = EmbeddedDemo(contacts=DEMO_CONTACTS)
    async with running_app(tmp_path, demo, start_in_demo=True) as real:
        await until(populated_demo, "a populated demo workspace", timeout=OPEN_TIMEOUT)
        demo_window = main_window()
        assert demo_window is not None and isinstance(demo_window.banner, DemoBanner)
        demo_window.banner.connect_button.click()

        await until(visible_wizard, "the setup wizard", timeout=OPEN_TIMEOUT)
        wizard = visible_wizard()
        assert wizard is not None
        await until(lambda: wizard.controller.restored, "the wizard restored its draft")
        real_window = main_window()
        assert real_window is not None and real_window is not demo_window
        assert real_window.banner is None, "the real workspace has no demo banner"
        assert isinstance(real_window.page("workspace"), EmptyState), "no made-up clients in the real workspace"
        welcome = wizard.pages[wizard.startId()]  # type: ignore[index]
        assert not welcome.buttons["demo"].isChecked()  # type: ignore[attr-defined]
        assert wizard.controller.draft.consumer_key == ""  # nothing of the demo app carried over
        assert wizard.controller.draft.org_address == ""
        connections, contacts = await _count_rows(real.database)
        assert (connections, contacts) == (0, 0), "the demo connection and its clients stayed in the demo"


async def test_demo_workspace_connect_while_the_real_workspace_is_open_elsewhere_stays(tmp_path: Path) -> None:
    """Another Notebridge has the real workspace: Connect raises that one and says so; the demo stays."""
    demo = EmbeddedDemo(contacts=DEMO_CONTACTS)
    async with running_app(tmp_path, demo, start_in_demo=True) as real:
        await until(populated_demo, "a populated demo workspace", timeout=OPEN_TIMEOUT)
        other = SingleInstance(real.data, real.database)  # "another Notebridge" on the real workspace
        assert other.acquire()
        raised: list[bool] = []
        other.raise_requested.connect(lambda: raised.append(True))
        try:
            window = main_window()
            assert window is not None and isinstance(window.banner, DemoBanner)
            window.banner.connect_button.click()
            await until(lambda: "already open with your Salesforce workspace" in window.statusBar().currentMessage(),
                        "the status bar says where the real workspace is")
            await until(lambda: raised, "the other Notebridge was asked to come to the front")
            assert main_window() is window and populated_demo() is not None
            assert visible_wizard() is None
        finally:
            other.release()


async def test_demo_workspace_from_the_wizard_try_the_demo_choice(tmp_path: Path) -> None:
    demo = EmbeddedDemo(contacts=DEMO_CONTACTS)
    async with running_app(tmp_path, demo, start_in_demo=False) as real:
        await until(main_window, "the main window")
        window = main_window()
        assert window is not None and window.banner is None
        empty = window.page("workspace")
        assert isinstance(empty, EmptyState)
        button = empty.findChild(QPushButton, "workspaceEmptyAction")
        assert button is not None
        button.click()
        await until(visible_wizard, "the setup wizard")
        wizard = visible_wizard()
        assert wizard is not None
        await until(lambda: wizard.controller.restored, "the wizard restored its draft")
        welcome = wizard.currentPage()
        welcome.buttons["demo"].setChecked(True)  # type: ignore[attr-defined]
        wizard.next()

        await until(populated_demo, "the populated demo workspace", timeout=OPEN_TIMEOUT)
        assert visible_wizard() is None
        assert demo.org is not None and demo.org.stats()["code_exchanges"] == [{"pkce": True}]
        assert _pulled_contacts(demo)
        assert (await _count_rows(real.database)) == (0, 0), "the real workspace stays empty"
        assert (await _count_rows(demo_paths(real).database))[1] >= DEMO_CONTACTS


async def test_demo_workspace_reset_says_what_is_lost_and_starts_afresh(tmp_path: Path) -> None:
    demo = EmbeddedDemo(contacts=DEMO_CONTACTS)
    async with running_app(tmp_path, demo, start_in_demo=True) as real:
        await until(populated_demo, "a populated demo workspace", timeout=OPEN_TIMEOUT)
        database = demo_paths(real).database
        db = await Database.open(database)  # a made-up draft, as if typed in the demo
        try:
            def add_draft(session: Session) -> None:
                contact = session.exec(select(Contact)).first()
                assert contact is not None and contact.id is not None
                notes_repo.create(session, contact.connection_id, contact_id=contact.id, title="Made-up review")
            await db.run(add_draft)
        finally:
            await db.close()
        first_org = demo.org
        window = main_window()
        assert window is not None and isinstance(window.banner, DemoBanner)
        window.banner.reset_button.click()
        box = None

        def confirm() -> QMessageBox | None:
            nonlocal box
            box = window.findChild(QMessageBox, "demoResetConfirm")
            return box if box is not None and box.isVisible() else None

        await until(confirm, "the reset question")
        assert box is not None
        assert "(1 note)" in box.informativeText()
        assert "real Notebridge workspace are not touched" in box.informativeText()
        reset = box.findChild(QPushButton, "demoResetConfirmButton")
        assert reset is not None
        reset.click()

        await until(lambda: demo.org is not None and demo.org is not first_org and populated_demo(),
                    "the demo opened afresh", timeout=OPEN_TIMEOUT)
        assert demo.org is not None and demo.org.stats()["code_exchanges"] == [{"pkce": True}]
        db = await Database.open(database)
        try:
            notes = await db.run(lambda session: int(session.exec(select(func.count()).select_from(Note)).one()))
        finally:
            await db.close()
        assert notes == 0, "the made-up draft is gone"


@pytest.mark.parametrize("dark", [True, False], ids=["dark", "light"])
def test_demo_workspace_banner_reads_well_in_both_themes(qapp: QApplication, qtbot: Any, dark: bool) -> None:
    """Palette roles only: the strip is the theme's base with its highlight as an accent, and its words
    keep WCAG's 4.5:1 against what is drawn behind them."""
    before = QPalette(qapp.palette())
    palette = _palette(dark)
    qapp.setPalette(palette)
    try:
        banner = DemoBanner()
        qtbot.addWidget(banner)
        banner.resize(900, banner.sizeHint().height())
        banner.show()
        qtbot.waitExposed(banner)
        image = banner.grab().toImage()
        drawn = QColor(image.pixel(image.width() // 2, 2))
        accent = QColor(image.pixel(1, image.height() // 2))
        base, highlight = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Highlight)
        assert drawn.name() == base.name()
        assert accent.name() == highlight.name()
        assert contrast_ratio(banner.title.palette().color(QPalette.ColorRole.WindowText), drawn) >= 4.5
        assert not re.search(r":\s*#|rgb|hsl", banner.styleSheet()), "no fixed colours, palette roles only"
    finally:
        qapp.setPalette(before)


def test_demo_workspace_reset_question_counts_what_goes() -> None:
    summary = ForgetSummary(clients=120, meetings=30, notes=2, tasks=1, unsent_notes=2, unsent_tasks=1,
                            log_entries=4, new_people=1)
    text = reset_consequences(summary)
    assert "(2 notes, 1 task, 1 person you added)" in text
    assert "not touched" in text
    nothing = reset_consequences(ForgetSummary(120, 30, 0, 0, 0, 0, 4))
    assert "any drafts, notes and tasks" in nothing
