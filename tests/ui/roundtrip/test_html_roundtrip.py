"""Item 10: what the note editor shows is what Salesforce shows.

The meeting template and typing under its headings (Enter after a heading, then a bullet) come out as
paragraphs and lists, never a heading in a list; and for random notes — headings, paragraphs,
bold/italic, links, nested bulleted and numbered lists, ``<``, ``&``, emoji — the structure the editor
shows equals the structure of the HTML fetched back from the demo org after a real push
(``GET /sobjects/ContentNote/<id>/Content``).  The classic Note's plain text reads the same words.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QTextBlock, QTextCursor
from pytestqt.qtbot import QtBot

from app.demo_org import DemoOrg
from app.store import Database
from app.store import notes as notes_repo
from app.sync.push.markdown_html import markdown_to_text
from app.ui.editor.markdown_edit import MarkdownEdit
from app.ui.editor.note_editor import NoteEditor
from tests.integration.push.conftest import PushEnv, make_env
from tests.support.qt_loop import new_qt_loop
from tests.ui.roundtrip.documents import note_markdown
from tests.ui.roundtrip.shape import Block, editor_shape, html_shape


async def _push_and_fetch(env: PushEnv, markdown: str) -> str:
    """Push a note with this body through the push engine; Salesforce's stored HTML."""
    note = await env.note(body_markdown=markdown)
    await env.queue("note", note.id)
    report = await env.push()
    assert report.pushed == 1, report
    remote_id = (await env.get_note(note.id)).remote_id
    assert remote_id
    token = env.org.mint_tokens()
    async with httpx.AsyncClient(verify=env.org.ca_file or True) as http:
        answer = await http.get(f"{env.org.base_url}/services/data/v66.0/sobjects/ContentNote/{remote_id}/Content",
                                headers={"Authorization": f"Bearer {token['access_token']}"})
    answer.raise_for_status()
    return answer.content.decode("utf-8")


class _Org:
    """One demo org and workspace for every example, driven on one qasync loop."""

    def __init__(self, tmp_path: Path) -> None:
        self.loop = new_qt_loop()
        self.demo = DemoOrg(contacts=4, seed=2).start()
        self.db = self.loop.run_until_complete(Database.open(tmp_path / "roundtrip.db"))
        self.env = self.loop.run_until_complete(make_env(self.demo, self.db))

    def close(self) -> None:
        self.loop.run_until_complete(self.env.client.aclose())
        self.loop.run_until_complete(self.db.close())
        self.demo.stop()
        self.loop.close()


@pytest.fixture(scope="module")
def shared_org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Org]:
    org = _Org(tmp_path_factory.mktemp("roundtrip"))
    try:
        yield org
    finally:
        org.close()


def _words(blocks: list[Block]) -> list[str]:
    return " ".join("".join(run[0] for run in runs) for _, _, runs in blocks).split()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note_markdown())
@example("## Action items\n\n- Rebalance after harvest\n\n## Next steps\n\n- \n")
@example("1. Rebalance\n   - after *harvest* & <b>\n      1. 🙂 [R&D](https://example.com/x)\n")
def test_html_roundtrip_editor_to_salesforce_keeps_the_structure(qtbot: QtBot, shared_org: _Org,
                                                                 markdown: str) -> None:
    edit = MarkdownEdit()
    qtbot.addWidget(edit)
    edit.set_markdown(markdown)
    shown = editor_shape(edit.document())
    saved = edit.markdown()  # what the note editor stores

    # Reopening the note shows the same thing.
    again = MarkdownEdit()
    qtbot.addWidget(again)
    again.set_markdown(saved)
    assert editor_shape(again.document()) == shown, saved

    stored_html = shared_org.loop.run_until_complete(asyncio.wait_for(_push_and_fetch(shared_org.env, saved), 60))
    assert html_shape(stored_html) == shown, (saved, stored_html)

    # A classic Note gets the same words as plain text: no Markdown escapes, no tags.
    text = markdown_to_text(saved)
    assert "\\" not in text and "<b>" not in text.replace("<b>", "", markdown.count("<b>"))
    for word in _words(shown):
        assert word in text, (word, text)


async def test_html_roundtrip_meeting_template_and_typing_under_its_headings(
        qtbot: QtBot, tmp_path: Path) -> None:
    with DemoOrg(contacts=4, seed=2) as org:
        db = await Database.open(tmp_path / "template.db")
        try:
            env = await make_env(org, db)
            async with env.client:
                note = await env.note(body_markdown="", title="Annual review")
                editor = NoteEditor(db, note, client_name="Maria Garcia")
                qtbot.addWidget(editor)
                index = editor.template.findData("Meeting")
                editor.template.setCurrentIndex(index)
                editor.template.activated.emit(index)
                body = editor.body
                assert editor_shape(body.document()) == [
                    ("p", 0, (("Summary", True, False, None),)), ("p", 0, (("Discussion", True, False, None),)),
                    ("p", 0, (("Action items", True, False, None),)), ("p", 0, (("Next steps", True, False, None),))]
                # The empty bullets are plain list items at the first level (not headings, not far in).
                items = [b for b in _blocks(body) if b.textList() is not None]
                assert len(items) == 2
                assert all(b.blockFormat().headingLevel() == 0 and b.textList().format().indent() == 1
                           for b in items)

                # Type the action item into the template's bullet.
                cursor = QTextCursor(items[0])
                body.setTextCursor(cursor)
                qtbot.keyClicks(body, "Rebalance after harvest")
                # Enter after the "Discussion" heading, type, and make it a bullet with the toolbar shortcut.
                discussion = next(b for b in _blocks(body) if b.text() == "Discussion")
                cursor = QTextCursor(discussion)
                cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
                body.setTextCursor(cursor)
                qtbot.keyClick(body, Qt.Key.Key_Return)
                qtbot.keyClicks(body, "Tax-loss harvest")
                bullets = editor.findChild(QAction, "formatBulletsList")
                assert bullets is not None
                bullets.trigger()  # the toolbar's "• List"

                shown = editor_shape(body.document())
                assert ("ul", 1, (("Rebalance after harvest", False, False, None),)) in shown
                assert ("ul", 1, (("Tax-loss harvest", False, False, None),)) in shown
                markdown = body.markdown()
                assert "## Action items\n\n- Rebalance after harvest" in markdown
                await db.run(lambda s: notes_repo.save(s, note.id, body_markdown=markdown))
                await env.queue("note", note.id)
                assert (await env.push()).pushed == 1
                remote_id = (await env.get_note(note.id)).remote_id
                token = org.mint_tokens()
                async with httpx.AsyncClient(verify=org.ca_file or True) as http:
                    answer = await http.get(
                        f"{org.base_url}/services/data/v66.0/sobjects/ContentNote/{remote_id}/Content",
                        headers={"Authorization": f"Bearer {token['access_token']}"})
                stored = answer.content.decode()
                assert "<li><p><b>" not in stored and "<li><b>" not in stored
                assert "<p><b>Action items</b></p><ul><li>Rebalance after harvest</li></ul>" in stored
                assert html_shape(stored) == shown
        finally:
            await db.close()


def _blocks(edit: MarkdownEdit) -> list[QTextBlock]:
    out = []
    block = edit.document().begin()
    while block.isValid():
        out.append(block)
        block = block.next()
    return out
