"""Item 9: Ctrl+N then close leaves nothing behind; the Drafts list (top of the Outbox page) opens and
discards drafts, asking first, with Undo putting the same draft back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.services.drafts import Drafts, ItemKind
from app.services.events import Events
from app.store import notes as notes_repo
from app.store import outbox as outbox_repo
from app.ui.editor.window import EditorLauncher
from app.ui.outbox import OutboxPage
from tests.ui.editor.conftest import Workspace, until


def _titles(page: OutboxPage) -> list[str]:
    return [page.drafts.list.item(i).text().split(" — ")[0] for i in range(page.drafts.list.count())]


def _answer(box: QMessageBox, text: str) -> None:
    button = next(b for b in box.buttons() if b.text().replace("&", "") == text)
    button.click()


async def test_discard_draft_empty_note_is_not_kept_and_discard_asks_and_undoes(
        qtbot: QtBot, workspace: Workspace) -> None:
    ws, cid = workspace, workspace.connection_id
    bus = Events()
    drafts = Drafts(ws.db, bus)
    opened: list[tuple[ItemKind, int]] = []
    page = OutboxPage(ws.db, cid, events=bus, open_item=lambda kind, item_id: opened.append((kind, item_id)))
    qtbot.addWidget(page)
    page.show()
    launcher = EditorLauncher(ws.db, cid, events=bus)

    # Ctrl+N, then close without typing: no "Untitled note" stays behind.
    window = await launcher.open_note_editor(ws.contact.id)  # type: ignore[arg-type]
    empty_id = window.editor.draft.id
    await until(lambda: "Untitled note" in _titles(page), "the new draft is listed while it is open")
    window.close()
    await until(lambda: not page.drafts.entries, "the empty draft is gone from the list")
    assert await ws.db.run(lambda s: notes_repo.get(s, empty_id)) is None
    assert await drafts.list_drafts(cid) == []

    # A note with words is kept, listed by its title and client, and opens from the list.
    window = await launcher.open_note_editor(ws.contact.id)  # type: ignore[arg-type]
    qtbot.keyClicks(window.editor.title, "Estate plan")
    qtbot.keyClicks(window.editor.body, "Trust for the grandchildren & <others>")
    window.close()
    await until(lambda: not launcher.windows, "the window closed after saving")
    await until(lambda: _titles(page) == ["Estate plan"], "the draft is listed by its title")
    note_id = page.drafts.entries[0].id
    assert "Maria Garcia" in page.drafts.list.item(0).text()
    page.drafts.open_button.click()
    assert opened == [(ItemKind.NOTE, note_id)]
    # A task draft is listed too; a queued item is not a draft.
    task_window = await launcher.open_task_editor(ws.contact.id)  # type: ignore[arg-type]
    qtbot.keyClicks(task_window.editor.subject, "Send trust papers")
    task_window.close()
    await until(lambda: sorted(_titles(page)) == ["Estate plan", "Send trust papers"], "both drafts listed")
    task_id = next(e.id for e in page.drafts.entries if e.kind == ItemKind.TASK)
    await ws.db.run(lambda s: outbox_repo.enqueue(s, "task", task_id))
    await page.drafts.refresh()
    assert _titles(page) == ["Estate plan"]

    # Discard asks first; "Cancel" keeps it.
    page.drafts.list.setCurrentRow(0)
    qtbot.mouseClick(page.drafts.discard_button, Qt.MouseButton.LeftButton)
    await until(lambda: page.drafts.confirm is not None, "the question is asked")
    assert "Estate plan" in page.drafts.confirm.text()  # type: ignore[union-attr]
    _answer(page.drafts.confirm, "Cancel")  # type: ignore[arg-type]
    await until(lambda: page.drafts.confirm is None, "the question is answered")
    assert _titles(page) == ["Estate plan"]
    assert await ws.db.run(lambda s: notes_repo.get(s, note_id)) is not None

    # "Discard" removes it; Undo brings back the very same draft.
    qtbot.mouseClick(page.drafts.discard_button, Qt.MouseButton.LeftButton)
    await until(lambda: page.drafts.confirm is not None, "the question is asked again")
    _answer(page.drafts.confirm, "Discard")  # type: ignore[arg-type]
    await until(lambda: _titles(page) == [] and page.drafts.undo_bar.isVisible(), "discarded, with Undo offered")
    assert "none: everything you wrote is below or in Salesforce" in page.drafts.heading.text()  # says why it is empty
    assert await ws.db.run(lambda s: notes_repo.get(s, note_id)) is None
    qtbot.mouseClick(page.drafts.undo_button, Qt.MouseButton.LeftButton)
    await until(lambda: _titles(page) == ["Estate plan"], "Undo restores it")
    back = await ws.db.run(lambda s: notes_repo.get(s, note_id))
    assert back is not None and back.title == "Estate plan" and "grandchildren" in back.body_markdown
    assert not page.drafts.undo_bar.isVisible()


async def test_discard_draft_use_cases_refuse_what_is_not_a_draft(workspace: Workspace) -> None:
    ws, cid = workspace, workspace.connection_id
    drafts = Drafts(ws.db)
    note = await drafts.new_note(cid, ws.contact.id)  # type: ignore[arg-type]
    await drafts.save(ItemKind.NOTE, note.id, {"title": "Queued one"})
    await drafts.queue_for_push(ItemKind.NOTE, [note.id])
    assert await drafts.discard_draft(cid, ItemKind.NOTE, note.id) is None
    assert await drafts.forget_if_empty(cid, ItemKind.NOTE, note.id) is False
    assert (await ws.db.run(lambda s: notes_repo.get(s, note.id))) is not None


async def test_discard_draft_undo_after_a_new_draft_took_its_number(workspace: Workspace) -> None:
    ws, cid = workspace, workspace.connection_id
    drafts = Drafts(ws.db)
    note = await drafts.new_note(cid, ws.contact.id)  # type: ignore[arg-type]
    await drafts.save(ItemKind.NOTE, note.id, {"title": "First thoughts"})
    discarded = await drafts.discard_draft(cid, ItemKind.NOTE, note.id)
    assert discarded is not None
    newer = await drafts.new_note(cid, ws.contact.id)  # type: ignore[arg-type]
    await drafts.save(ItemKind.NOTE, newer.id, {"title": "Second thoughts"})
    back_id = await drafts.restore_draft(cid, discarded)
    titles = sorted(e.title for e in await drafts.list_drafts(cid))
    assert titles == ["First thoughts", "Second thoughts"]
    back = await ws.db.run(lambda s: notes_repo.get(s, back_id))
    assert back is not None and back.uid == note.uid and back.title == "First thoughts"
