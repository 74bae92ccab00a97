"""Shared set-up for the setup wizard tests: Qt and asyncio on one loop, real parts everywhere.

How coroutines and Qt run together here: every ``async def`` test (and async fixture) in this folder
runs on a **qasync ``QEventLoop``**, chosen through pytest-asyncio's ``pytest_asyncio_loop_factories``
hook below. That loop *is* the Qt event loop, exactly as in the app, so while a test awaits, Qt timers
fire (the wizard's debounced save), signals are delivered and widgets repaint, and the wizard's own
coroutines (sign-in, the loopback listener, the pull) run on the same loop as the test. No
``processEvents`` juggling and no second thread. (We tried the alternative — pytest-asyncio's own
loop with ``qtbot.waitUntil`` — and dropped it: Qt timers then only fire inside qtbot's nested loop,
so the debounced autosave and the sign-in's loopback never meet in one place.)

* ``await until(predicate)`` (tests/support/qt_loop.py) — wait on the loop until a condition holds; fails after a
  generous timeout. Never a wall-clock assertion: it only bounds a hang.
* ``make_wizard(...)`` — a ``SetupWizard`` on the real workspace (SQLite in ``tmp_path``) and the real
  ``ConnectionManager``; the consumer secret goes to the real keyring backend tests/conftest.py sets.

The browser is the only thing replaced: ``open_url`` hands the authorize URL to
``tests.support.browser_by_http.approve_in_browser_async`` (an HTTP client that fills the login form),
or records it for tests that check what would have been opened.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import shiboken6

from app.store import Database
from app.ui.wizard import SetupWizard
from tests.ui.wizard.helpers import (
    Browser,
    WizardFactory,
    free_callback_urls,
)

if TYPE_CHECKING:
    from app.demo_org import DemoOrg



@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "workspace.db")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def connections(db: Database) -> AsyncIterator[Any]:
    from app.sync.connection import ConnectionManager

    manager = ConnectionManager(db)
    try:
        yield manager
    finally:
        await manager.aclose()


@pytest.fixture(scope="module")
def demo_org() -> Iterator[DemoOrg]:
    """One small demo org per test module (it serves from its own threads)."""
    from app.demo_org import DemoOrg

    with DemoOrg(contacts=120, seed=3, callback_urls=free_callback_urls()) as org:
        yield org


@pytest.fixture
def browser() -> Browser:
    return Browser()


@pytest.fixture
async def make_wizard(qtbot: Any, db: Database, connections: Any,
                      browser: Browser) -> AsyncIterator[WizardFactory]:
    made: list[SetupWizard] = []

    async def make(*, restore: bool = True, show: bool = True, **options: Any) -> SetupWizard:
        options.setdefault("open_url", browser)
        options.setdefault("first_sync", None)
        manager = options.pop("connections", connections)
        wizard = SetupWizard(options.pop("db", db), manager, **options)
        qtbot.addWidget(wizard)
        made.append(wizard)
        if restore:
            await wizard.restore()
        if show:
            wizard.show()
        return wizard

    yield make
    for wizard in made:  # close each wizard and let its work end while the loop still runs
        if not shiboken6.isValid(wizard):
            continue
        if wizard.isVisible():
            wizard.reject()
        if wizard.finished_work is not None:
            await asyncio.wait([wizard.finished_work])
        for page in wizard.pages.values():
            page.cancel_work()
            for task in list(page._tasks):
                task.cancel()
            if page._tasks:
                await asyncio.wait(list(page._tasks))
    for task in browser.results:
        if not task.done():
            task.cancel()
    if browser.results:
        await asyncio.wait(browser.results)
