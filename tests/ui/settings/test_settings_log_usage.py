"""The sync log table (filters, sorting, row links, CSV export) and the API usage panel and chart."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from sqlmodel import select

from app.store import api_usage as usage_rows
from app.store import sync_log as log_rows
from app.store.sync_log import PushLogItem
from app.store.types import utcnow
from app.ui.settings.sync_log_view import SORT_ROLE
from app.ui.settings.usage_chart import hourly_own_calls
from tests.support.qt_loop import until
from tests.ui.settings.conftest import Env


async def _seed_log(env: Env) -> None:
    now = utcnow()
    items = [
        PushLogItem("note", 11, "ContentNote", "pushed", "069000000000011AAA", api_calls=2,
                    at=now - timedelta(hours=1)),
        PushLogItem("task", 12, "Task", "needs_attention", None, "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                    "Due date must be in the future", 5, at=now - timedelta(hours=2)),
        PushLogItem("note", 13, "ContentNote", "waiting", None, "NETWORK_ERROR", "Offline", 0,
                    at=now - timedelta(days=10)),
    ]
    await env.db.run(lambda s: log_rows.record_push(s, env.cid, items))


async def test_the_log_filters_sorts_and_links_each_row(env: Env, qtbot: Any, tmp_path: Path) -> None:
    await _seed_log(env)
    panel = env.page.log_panel
    env.page.tabs.setCurrentIndex(2)
    await until(lambda: panel.model.rowCount() == 3, "the tab shows the last 7 days (pull + 2 pushes)")
    assert panel.count.text() == "3 entries"
    panel.period.setCurrentIndex(panel.period.findText("Last 30 days"))
    await until(lambda: panel.model.rowCount() == 4, "a longer period reads more")

    panel.outcome.setCurrentIndex(panel.outcome.findData("needs_attention"))
    assert panel.proxy.rowCount() == 1 and panel.count.text() == "1 of 4 entries"
    row = panel.proxy.visible_rows()[0]
    assert row.item_id == 12 and panel.proxy.index(0, 5).data() == \
        "Due date must be in the future (FIELD_CUSTOM_VALIDATION_EXCEPTION)"
    panel.outcome.setCurrentIndex(0)
    panel.direction.setCurrentIndex(panel.direction.findData("pull"))
    assert [r.direction for r in panel.proxy.visible_rows()] == ["pull"]
    panel.direction.setCurrentIndex(0)
    panel.object.setCurrentIndex(panel.object.findData("ContentNote"))
    assert panel.object.currentText() == "Note" and panel.proxy.rowCount() == 2
    panel.object.setCurrentIndex(0)

    panel.table.sortByColumn(6, Qt.SortOrder.DescendingOrder)
    calls = [panel.proxy.index(r, 6).data(SORT_ROLE) for r in range(panel.proxy.rowCount())]
    assert calls == sorted(calls, reverse=True)
    shown = {panel.proxy.visible_rows()[r].item_id: panel.proxy.index(r, 6).data()
             for r in range(panel.proxy.rowCount())}
    assert shown[11] == "2" and shown[13] == "—", "an item sent in a shared call says —, not 0 calls"
    panel.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert panel.proxy.visible_rows()[0].item_id == 13

    assert not panel.open_local.isEnabled() and not panel.open_remote.isEnabled()
    target = next(r for r in range(panel.proxy.rowCount()) if panel.proxy.visible_rows()[r].item_id == 11)
    panel.table.setCurrentIndex(panel.proxy.index(target, 0))
    assert panel.open_local.isEnabled() and panel.open_remote.isEnabled()
    qtbot.mouseClick(panel.open_local, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.open_remote, Qt.MouseButton.LeftButton)
    assert env.opened_items == [("note", 11)]
    assert env.opened_urls == [f"{env.connection.instance_url}/069000000000011AAA"]
    pulled = next(r for r in range(panel.proxy.rowCount()) if panel.proxy.visible_rows()[r].direction == "pull")
    panel.table.setCurrentIndex(panel.proxy.index(pulled, 0))
    assert not panel.open_local.isEnabled()

    panel.outcome.setCurrentIndex(panel.outcome.findData("pushed"))
    out = tmp_path / "log.csv"
    assert panel.export_csv(out) == 1
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1 and rows[0]["local_item"] == "Note #11" and rows[0]["outcome"] == "pushed"
    assert str(out) in panel.status.text()


async def test_old_entries_are_pruned_when_the_log_loads(env: Env) -> None:
    old = PushLogItem("note", 99, "ContentNote", "pushed", "069000000000099AAA", at=utcnow() - timedelta(days=95))
    await env.db.run(lambda s: log_rows.record_push(s, env.cid, [old]))
    await env.page.log_panel.refresh()
    remaining = await env.db.run(lambda s: log_rows.entries(s, env.cid))
    assert 99 not in [r.item_id for r in remaining]


async def test_usage_panel_shows_the_orgs_numbers_and_the_reserve(env: Env) -> None:
    env.org.set_api_usage(42_000)
    await env.page.test_connection()  # one call: its answer carries the usage
    usage = env.page.usage
    await until(lambda: "of its 100,000 daily API calls" in usage.headline.text(), "the headline updates")
    assert "42,0" in usage.headline.text() and "Notebridge made" in usage.headline.text()
    assert "at 90,000 calls it pauses" in usage.reserve.text()
    chart = usage.chart
    assert chart.limit == 100_000 and chart.pause_at == 90_000 and chart.samples
    assert chart.samples[-1].used >= 42_000
    assert "42,0" in chart.accessibleDescription()
    image = chart.grab().toImage()  # it paints without error at its real size
    assert image.width() == chart.width() and image.height() >= 180


async def test_usage_history_survives_a_restart_and_feeds_the_hourly_bars(env: Env) -> None:
    now = utcnow()

    def seed(session: Any) -> None:
        for hours in (20, 12, 3):
            usage_rows.record(session, env.cid, 1_000 * (24 - hours), 100_000, own_calls=hours,
                              at=now - timedelta(hours=hours))

    await env.db.run(seed)
    await env.page.sample_usage()
    samples = env.page.usage.chart.samples
    assert [s.own_calls for s in samples[:3]] == [20, 12, 3]
    bars = hourly_own_calls(samples, now)
    assert len(bars) == 24 and bars[4] == 20 and bars[12] == 12 and bars[21] == 3  # hour 0 = 24 h ago
    assert env.page.usage.summary is not None and env.page.usage.summary.own_today >= 35


async def test_sync_log_shows_titles_and_client_names_with_the_id_on_hover_and_copy(env: Env) -> None:
    from PySide6.QtGui import QGuiApplication

    from app.store import notes, tasks
    from app.store.models import Contact

    def make(session: Any) -> tuple[int, int, str]:
        client = session.exec(select(Contact).where(Contact.connection_id == env.cid).limit(1)).one()
        note = notes.create(session, env.cid, contact_id=client.id, title="Quarterly review")
        task = tasks.create(session, env.cid, contact_id=client.id, subject="Send the forms")
        return note.id, task.id, client.name

    note_id, task_id, name = await env.db.run(make)
    now = utcnow()
    await env.db.run(lambda s: log_rows.record_push(s, env.cid, [
        PushLogItem("note", note_id, "ContentNote", "pushed", "069000000000011AAA", api_calls=2, at=now),
        PushLogItem("task", task_id, "Task", "needs_attention", None, "X", "No", 1, at=now),
        PushLogItem("note", 999, "ContentNote", "pushed", "069000000000099AAA", api_calls=1, at=now),
    ]))
    panel = env.page.log_panel
    env.page.tabs.setCurrentIndex(2)
    await until(lambda: panel.model.rowCount() == 4, "the pull and three pushes")
    shown_rows = panel.proxy.visible_rows()
    shown = {(shown_rows[r].item_kind, shown_rows[r].item_id): r for r in range(panel.proxy.rowCount())}
    assert panel.proxy.index(shown['note', note_id], 3).data() == f"Quarterly review · {name}"
    assert panel.proxy.index(shown['task', task_id], 3).data() == f"Send the forms · {name}"
    assert "069" not in panel.proxy.index(shown['note', note_id], 3).data(), "no raw Id where a title is known"
    tip = panel.proxy.index(shown['note', note_id], 3).data(Qt.ItemDataRole.ToolTipRole)
    assert "069000000000011AAA" in tip and f"note #{note_id}" in tip
    assert panel.proxy.index(shown['note', 999], 3).data() == "Note #999", "a deleted note: what is known, no guess"

    panel.table.setCurrentIndex(panel.proxy.index(shown['note', note_id], 0))
    assert panel.copy_id.isEnabled()
    panel.copy_id.click()
    assert QGuiApplication.clipboard().text() == "069000000000011AAA"
    panel.table.setCurrentIndex(panel.proxy.index(shown['task', task_id], 0))
    assert not panel.copy_id.isEnabled(), "nothing to copy before Salesforce has the record"


async def test_usage_panel_charts_the_usage_as_soon_as_a_sync_has_heard_it(env: Env) -> None:
    """Seen walking the demo: the status bar said "API use: 0% of 100,000" while this panel still said
    Salesforce had not reported usage, until its minute timer came round. A finished sync now redraws it."""
    from app.services.client_sync import PullOutcome as Outcome
    from app.services.client_sync import PullResult
    from app.services.events import SyncFinished

    env.org.set_api_usage(31_000)
    client = await env.manager.client()
    await client.limits()  # what a sync does: a call whose answer carries the usage header
    assert "31,0" not in env.page.usage.headline.text()  # nothing has told the panel yet
    env.page.events.publish(SyncFinished(PullResult(Outcome.OK, "Up to date.")))
    await until(lambda: "31,0" in env.page.usage.headline.text(), "charted at once, not at the next tick")
