"""Settings → Connection: how many clients have history on this computer, and the meeting-prep choices
(window 7/14/30 days, owned clients on/off), saved for the next background sync."""

from __future__ import annotations

from typing import Any

from app.services.history import ClientHistory, PrefetchPreferences
from tests.integration.settings.settings_env import first_contacts
from tests.support.qt_loop import until
from tests.ui.settings.conftest import Env


async def test_settings_history_count_and_prefetch_choices(env: Env, qtbot: Any) -> None:
    form = env.page.history_form
    assert form.isEnabled() and form.window_box.currentData() == 14 and form.owned.isChecked()
    people = await first_contacts(env.db, env.cid, 3)
    history = ClientHistory(env.db, env.manager.client)
    for person in people:
        assert person.id is not None
        await history.refresh(env.cid, person.id)
    await env.page.reload()
    assert form.count_label.text().startswith("3 clients have their notes")

    form.window_box.setCurrentIndex(form.window_box.findData(7))
    form.owned.setChecked(False)
    await until(_saved(history, env.cid, PrefetchPreferences(7, False)), "the choices are saved")


def _saved(history: ClientHistory, cid: int, wanted: PrefetchPreferences) -> Any:
    async def check() -> bool:
        return await history.prefetch_preferences(cid) == wanted
    return check
