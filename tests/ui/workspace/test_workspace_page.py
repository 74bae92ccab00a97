"""The workspace page against a real workspace filled from the demo org: lazy list, keyboard search,
the detail panel, and the states that explain themselves."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from app.store import contacts, notes
from app.ui.workspace.list_model import BLOCK, MAX_BLOCKS, SEARCH_LIMIT, ContactIdRole, ContactListModel
from app.ui.workspace.list_view import ContactListView
from tests.ui.workspace.conftest import Env, make_env, until


def live(env: Env, sobject: str) -> list[dict[str, Any]]:
    return [r for r in env.org.records(sobject) if not r.get("IsDeleted")]


class UrlCatcher(QObject):
    """Stands in for the system browser / mail client: records what would have been opened."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


async def test_list_is_a_window_over_the_store_even_after_scrolling_everything(tmp_path: Path, qtbot: Any) -> None:
    async with make_env(tmp_path, qtbot, contacts=6000) as env:
        page = env.page
        assert page.model.total == len(live(env, "Contact"))
        assert page.describe_state()["body"] == "workspaceSplitter"
        assert page.status_label.text().startswith(f"{page.model.total:,} clients")
        await rows_arriving_repaint_only_the_screen(page, qtbot)
        bar = page.list_view.verticalScrollBar()
        position = 0
        while position <= bar.maximum():
            bar.setValue(position)
            await asyncio.sleep(0)
            top = page.list_view.indexAt(page.list_view.rect().topLeft())
            await page.model.load_row(top.row())
            position += bar.pageStep() * 3
        assert page.model.fetches > MAX_BLOCKS  # the whole list went by …
        await page.model.search("a")  # thousands match: the status line says only the best are shown
        page._update_state()
        assert f"best {SEARCH_LIMIT} matches, type more" in page.status_label.text()
        await page.model.reload()
        assert page.model.cached_rows() <= MAX_BLOCKS * BLOCK < page.model.total  # … but never all of it
        last = page.model.index(page.model.total - 1)
        await page.model.load_row(last.row())
        assert last.data(Qt.ItemDataRole.DisplayRole) != "Loading…"


async def rows_arriving_repaint_only_the_screen(page: Any, qtbot: Any) -> None:
    """A block of rows loading must not make the view walk every row again (QListView's default
    re-layout on ``dataChanged``: with 100,000 clients that froze each scroll step for ~0.1 s)."""

    class CountingModel(ContactListModel):
        asked = 0

        def rowCount(self, parent: Any = QModelIndex()) -> int:
            CountingModel.asked += 1
            return super().rowCount(parent)

    model = CountingModel(page.db, page.connection_id)
    await model.reload()
    view = ContactListView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(400, 600)
    view.show()
    view.verticalScrollBar().setValue(model.total // 2)
    view.viewport().repaint()  # the rows on screen are asked for, and start loading
    top = view.indexAt(view.rect().topLeft())
    assert top.row() >= model.total // 2 - BLOCK
    await model.load_row(top.row())
    CountingModel.asked = 0
    view.viewport().repaint()
    assert top.data(Qt.ItemDataRole.DisplayRole) != "Loading…"
    assert 0 < CountingModel.asked < 5 * BLOCK, f"a repaint asked {CountingModel.asked} times for {model.total} rows"


async def test_keyboard_search_opens_a_client_with_links_and_open_in_salesforce(env: Env, qtbot: Any) -> None:
    page = env.page
    person = next(c for c in live(env, "Contact") if c["Email"] and c["Phone"])
    qtbot.keyClick(page.list_view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    await until(page.search.hasFocus, "Ctrl+K focuses search")
    page.list_view.setFocus()
    qtbot.keyClick(page.list_view, Qt.Key.Key_Slash)
    await until(page.search.hasFocus, "/ focuses search")

    qtbot.keyClicks(page.search, person["Name"])
    await until(lambda: page.model.searching and page.model.query == person["Name"], "results for the name")
    assert page.list_view.currentIndex().row() == 0
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    qtbot.keyClick(page.search, Qt.Key.Key_Up)
    assert page.search.hasFocus()  # arrows move through results without leaving the search box
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    await until(lambda: page.detail.data is not None and page.detail.data.contact.sf_id == person["Id"],
                "detail of the searched client")

    detail = page.detail
    assert detail.name_label.text() == person["Name"]
    assert f'href="mailto:{person["Email"]}"' in detail.fields["email"].text()
    digits = "".join(ch for ch in person["Phone"] if ch.isdigit())
    assert f'href="tel:{digits}"' in detail.fields["phone"].text()
    assert detail.fields["owner"].text() != "—"
    instance = env.connections.active.instance_url.rstrip("/")  # type: ignore[union-attr]
    assert detail.salesforce_url == f"{instance}/{person['Id']}"
    catcher = UrlCatcher()
    QDesktopServices.setUrlHandler("http", catcher, "open")
    try:
        qtbot.mouseClick(detail.open_button, Qt.MouseButton.LeftButton)
    finally:
        QDesktopServices.unsetUrlHandler("http")
    assert catcher.opened == [f"{instance}/{person['Id']}"]

    page.search.clear()
    await until(lambda: not page.model.searching, "back to the full list")
    assert page.model.rowCount() == page.model.total


async def test_search_with_no_match_says_so(env: Env, qtbot: Any) -> None:
    env.page.search.setText("zzqx nobody")
    await until(lambda: env.page.list_stack.currentWidget() is env.page.no_results, "no-results state")
    assert "zzqx nobody" in env.page.no_results.title_label.text()
    assert env.page.no_results.button is not None and not env.page.no_results.button.isVisibleTo(env.page)


async def test_detail_shows_meetings_notes_and_tasks(env: Env, qtbot: Any) -> None:
    now = datetime.now(UTC)
    meeting = next(e for e in live(env, "Event")
                   if e["WhoId"] and abs(datetime.fromisoformat(e["StartDateTime"]) - now) < timedelta(days=80))
    hits = await env.db.run(lambda s: contacts.get_by_sf_id(s, env.connection_id, meeting["WhoId"]))
    assert hits is not None
    await env.db.run(lambda s: notes.create(s, env.connection_id, contact_id=hits.id, title="Annual review"))
    await env.page.detail.show_contact(hits.id)
    assert meeting["Subject"] in env.page.detail.meetings_view.text()
    assert "Annual review" in env.page.detail.work_view.text()
    assert "Draft" in env.page.detail.work_view.text()
    seen: list[int] = []
    env.page.new_note_requested.connect(seen.append)
    assert env.page.new_note_for_current()
    assert seen == [hits.id]


async def test_converted_lead_is_read_only_and_links_to_its_contact(env: Env, qtbot: Any) -> None:
    await env.connections.update_preferences(include_leads=True)
    lead = next(r for r in live(env, "Lead") if not r["IsConverted"])
    contact_id = env.org.convert_lead(lead["Id"])
    await env.page.refresh()
    await env.page.sync_now()
    await until(lambda: not env.page.syncing, "sync finished")
    row = await env.db.run(lambda s: contacts.get_by_sf_id(s, env.connection_id, lead["Id"]))
    assert row is not None and row.read_only
    await env.page.detail.show_contact(row.id)
    detail = env.page.detail
    assert detail.read_only_label.isVisibleTo(env.page) and "read-only" in detail.read_only_label.text()
    assert not detail.note_button.isEnabled()
    target = await env.db.run(lambda s: contacts.get_by_sf_id(s, env.connection_id, contact_id))
    assert target is not None and f"contact:{target.id}" in detail.read_only_label.text()
    detail.read_only_label.linkActivated.emit(f"contact:{target.id}")
    await until(lambda: detail.data is not None and detail.data.contact.sf_id == contact_id, "converted contact")


async def test_disconnect_keeps_the_workspace_and_says_so(env: Env, qtbot: Any) -> None:
    total = env.page.model.total
    await env.connections.disconnect()
    await until(lambda: "disconnected" in env.page.banner.plain_text().lower(), "disconnected banner")
    assert "kept" in env.page.banner.plain_text()
    await env.page.refresh()
    assert env.page.model.total == total
    env.page.search.setText("a")
    await until(lambda: env.page.model.searching and env.page.model.rowCount() > 0, "search still works")
    asked: list[bool] = []
    env.page.connect_requested.connect(lambda: asked.append(True))
    env.page.banner.link_activated.emit("connect")
    assert asked == [True]


async def test_daily_limit_stops_sync_and_banner_says_when_it_retries(env: Env, qtbot: Any) -> None:
    env.org.set_api_usage(100_000)
    result = await env.page.sync_now()
    assert result is not None and result.outcome == "limit"
    await until(lambda: "try again at" in env.page.banner.plain_text(), "limit banner")
    assert env.page.model.total > 0  # what was synced stays


async def test_not_connected_workspace_offers_to_connect(tmp_path: Path, qtbot: Any) -> None:
    from app.store import Database
    from app.sync.connection import ConnectionManager
    from app.ui.workspace import WorkspacePage

    db = await Database.open(tmp_path / "empty.db")
    try:
        page = WorkspacePage(db, ConnectionManager(db))
        qtbot.addWidget(page)
        await page.initialise()
        state = page.describe_state()
        assert state["body"] == "workspaceNoClients" and state["empty_kind"] == "connect"
        asked: list[bool] = []
        page.connect_requested.connect(lambda: asked.append(True))
        assert page.empty.button is not None
        qtbot.mouseClick(page.empty.button, Qt.MouseButton.LeftButton)
        assert asked == [True]
        await page.aclose()
    finally:
        await db.close()


async def test_pick_mode_empty_state_then_add_from_salesforce(tmp_path: Path, qtbot: Any) -> None:
    async with make_env(tmp_path, qtbot, sync=False) as env:
        page = env.page
        await env.scheduler.change_settings(pick_mode=True)
        await page.refresh()
        assert page.describe_state()["empty_kind"] == "pick"
        assert page.pick_button.isVisibleTo(page)
        person = live(env, "Contact")[3]
        task = asyncio.ensure_future(page.open_pick_dialog())
        await until(lambda: page.pick_dialog is not None, "pick dialog open")
        dialog = page.pick_dialog
        assert dialog is not None
        dialog.query.setText(person["LastName"])
        matches = await dialog.run_search()
        assert person["Id"] in {m.sf_id for m in matches}
        for i in range(dialog.results.count()):
            item = dialog.results.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == person["Id"]:
                item.setCheckState(Qt.CheckState.Checked)
        assert dialog.checked_ids() == [person["Id"]]
        assert dialog.add_button.isEnabled() and "Add 1" in dialog.add_button.text()
        result = await dialog.run_import()
        assert result is not None and result.outcome == "ok"
        assert await task is result
        await until(lambda: page.model.total == 1, "the added client in the list")
        first = page.model.index(0)
        await page.model.load_row(0)
        assert first.data(ContactIdRole) is not None
        assert page.describe_state()["body"] == "workspaceSplitter"


async def test_search_with_a_lone_surrogate_in_the_typed_text_still_answers(env: Env, qtbot: Any) -> None:
    """Qt can hand over half of a surrogate pair (an input method mid-character, a broken paste)."""
    await until(lambda: env.page.model.summary(0) is not None, "the first row loaded")
    first = env.page.model.summary(0)
    assert first is not None
    await env.page._run_search(first.name[:3] + "\ud83d")
    assert env.page.model.rowCount() > 0
    assert first.name in {hit.contact.name for hit in env.page.model._hits or []}
    await env.page._run_search("zzqx\udc00 nobody")
    assert env.page.list_stack.currentWidget() is env.page.no_results
    assert "zzqx" in env.page.no_results.title_label.text()


async def test_locked_by_another_program_at_start_the_page_waits_then_loads(
        env: Env, qtbot: Any, monkeypatch: Any) -> None:
    """A backup tool holding the workspace file while the page starts: the start is retried, not lost
    (it used to fail as a background error, and the page never synced)."""
    import sqlite3

    from app.store import pragmas
    from app.ui.workspace import WorkspacePage
    from app.ui.workspace import page as page_module

    monkeypatch.setattr(pragmas, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(page_module, "LOCKED_RETRY_S", 0.2)
    await env.db.close()
    from app.store import Database

    db = await Database.open(env.db.path)  # new connections, with the short busy timeout
    page = WorkspacePage(db, env.connections)
    qtbot.addWidget(page)
    other = sqlite3.connect(db.path, isolation_level=None, timeout=0)
    other.execute("BEGIN EXCLUSIVE")
    started = asyncio.ensure_future(page.initialise())
    try:
        await asyncio.sleep(0.8)  # several refused tries
        assert not started.done() and page.model.total == 0
    finally:
        other.execute("ROLLBACK")
        other.close()
    await asyncio.wait_for(started, timeout=30)
    assert page.model.total > 0
    await page.aclose()
    await db.close()
