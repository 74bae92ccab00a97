""""Re-sync everything" asks first (Cancel fetches nothing), then shows a progress bar with counts
while the full pull runs against the demo org, and closes it when done."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication

from app.ui.settings.confirm import ConfirmDialog
from app.ui.workspace.resync import ResyncProgress
from tests.ui.workspace.conftest import Env, until


def _dialog() -> ConfirmDialog | None:
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, ConfirmDialog)
                 and w.objectName() == "resyncDialog" and w.isVisible()), None)


async def test_resync_everything_asks_first_then_shows_a_bar_with_counts(env: Env, qtbot: Any) -> None:
    page = env.page
    total = page.model.total
    env.org.reset_stats()
    page.full_action.trigger()
    await until(lambda: _dialog() is not None, "asked before anything is fetched")
    dialog = _dialog()
    assert dialog is not None and f"{total:,} clients" in dialog.findChild(object, "resyncDialogText").text()
    dialog.cancel_button.click()
    await until(lambda: _dialog() is None, "the question closes")
    assert not page.syncing and env.org.stats()["api_calls"] == 0, "Cancel fetches nothing"

    seen: list[tuple[str, int, int, str]] = []
    page.full_action.trigger()
    await until(lambda: _dialog() is not None, "asked again")
    dialog = _dialog()
    assert dialog is not None
    env.org.faults.set_latency(40)  # each page takes a moment, so the window is seen while it works
    dialog.action_button.click()
    await until(lambda: page.findChild(ResyncProgress, "resyncProgress") is not None, "the progress window opens")
    window = page.findChild(ResyncProgress, "resyncProgress")
    assert window is not None and window.isVisible()
    shown = window.show_progress

    def record(progress: Any) -> None:
        shown(progress)
        seen.append((progress.object, window.bar.value(), window.bar.maximum(), window.bar.format()))

    window.show_progress = record  # type: ignore[method-assign]  # watch what the bar shows after each step
    await until(lambda: not page.syncing, "the full sync finishes", timeout=60)
    await until(lambda: not any(w.isVisible() for w in page.findChildren(ResyncProgress)),
                "the window closes when done")
    assert seen, "the bar moved"
    contacts = [s for s in seen if s[0] == "Contact" and s[2] > 0]
    assert contacts, seen
    _object, value, maximum, text = contacts[-1]
    assert maximum >= total and value == maximum and text == f"{value:,} of {maximum:,}", contacts[-1]
    assert env.org.stats()["api_calls"] > 0
