"""The real note editor in its own process, for the SIGKILL test: ``editor_child.py DB NOTE_ID TEXT``.

Types TEXT into the title and body the way a person does (key events through Qt), waits until the
autosave has written it, prints ``SAVED``, then keeps running until it is killed.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.store import Database
from app.ui.editor.window import EditorLauncher


async def main(db_path: str, note_id: int, text: str) -> None:
    db = await Database.open(Path(db_path))
    launcher = EditorLauncher(db, 1)
    window = await launcher.open_note(note_id)
    editor = window.editor
    QTest.keyClicks(editor.title, "Kitchen table: " + text[:20])
    editor.body.setFocus()
    QTest.keyClicks(editor.body, text)
    print("TYPED", flush=True)
    # Qt wraps long Markdown lines; compare the words.
    while editor.autosave.dirty or editor.note.body_markdown.split() != text.split():
        await asyncio.sleep(0.01)
    print("SAVED", flush=True)
    await asyncio.Event().wait()  # until SIGKILL


if __name__ == "__main__":
    app = QApplication(sys.argv[:1])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        loop.run_until_complete(main(sys.argv[1], int(sys.argv[2]), sys.argv[3]))
