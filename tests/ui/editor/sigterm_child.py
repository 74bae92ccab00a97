"""The real app, SIGTERMed with unsaved text in an editor: ``sigterm_child.py DATA_DIR TEXT [SIGNAL]``.

Seeds a workspace in DATA_DIR (a connection and one client, no sign-in: nothing goes to the
network), then runs ``app.main.main(["--data-dir", DATA_DIR])`` — exactly ``python -m app`` — and
drives it as a person would: open the client, click "New note", type TEXT into the body, and at
once (well inside the debounce) send SIGNAL (default SIGTERM) to itself.  Prints
``<SIGNAL> SENT unsaved=<dirty>``; with SIGNAL ``outside`` it prints ``TYPED unsaved=<dirty>`` and leaves
the signal to the parent process;
the process's exit code is the app's.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from sqlmodel import Session

from app import paths
from app.main import main
from app.store import Database
from app.store import contacts as contacts_repo
from app.store.models import Connection
from app.ui.application import create_qapplication
from app.ui.editor.window import EditorWindow
from app.ui.main_window import MainWindow

STEP_TIMEOUT = 60.0


def seed(session: Session) -> None:
    conn = Connection(org_id="00D000000000001AAA", user_id="005000000000001AAA", username="advisor@example.com",
                      display_name="Avery Advisor", instance_url="https://127.0.0.1:9",
                      login_url="https://127.0.0.1:9", api_version="66.0", consumer_key="key")
    session.add(conn)
    session.flush()
    assert conn.id is not None
    contacts_repo.upsert_many(session, conn.id, [
        {"sf_id": "003000000000001AAA", "source_object": "Contact", "first_name": "Maria", "last_name": "Garcia",
         "name": "Maria Garcia", "account_sf_id": "001000000000001AAA", "account_name": "Garcia Household"}])


async def seed_workspace(database: Path) -> None:
    db = await Database.open(database)
    try:
        await db.run(seed)
    finally:
        await db.close()


async def wait_for(find, what: str):  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STEP_TIMEOUT
    while (found := find()) is None:
        if loop.time() > deadline:
            print(f"TIMEOUT {what}", flush=True)
            os._exit(3)
        await asyncio.sleep(0.02)
    return found


def top_level(kind: type) -> object | None:
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None)


async def drive(text: str, signum: signal.Signals | None) -> None:
    window = await wait_for(lambda: top_level(MainWindow), "main window")
    page = await wait_for(lambda: getattr(window.page("workspace"), "detail", None), "workspace page")
    await page.show_contact(1)
    await wait_for(lambda: page.note_button if page.note_button.isEnabled() else None, "New note button")
    page.note_button.click()
    editor_window: EditorWindow = await wait_for(lambda: top_level(EditorWindow), "editor window")
    editor = editor_window.editor
    editor.body.setFocus()
    QTest.keyClicks(editor.body, text)
    unsaved = editor.autosave.dirty and editor.autosave.saves == 0
    if signum is None:  # the parent sends the signal, as a logout or `kill` would
        print(f"TYPED unsaved={unsaved}", flush=True)
        return
    print(f"{signum.name} SENT unsaved={unsaved}", flush=True)
    os.kill(os.getpid(), signum)


if __name__ == "__main__":
    data_dir, typed = sys.argv[1], sys.argv[2]
    which = sys.argv[3] if len(sys.argv) > 3 else "SIGTERM"
    sent = None if which == "outside" else signal.Signals[which]
    paths.set_data_dir(data_dir)
    asyncio.run(seed_workspace(paths.paths().ensure().database))
    create_qapplication()
    QTimer.singleShot(0, lambda: asyncio.ensure_future(drive(typed, sent)))
    sys.exit(main(["--data-dir", data_dir]))
