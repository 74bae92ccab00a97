"""The client's history timeline in the detail panel, against the demo org (real HTTP, real workspace):
refreshed in the background on open, shown offline with its "as of", a note's markup never live."""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

from app.store import contacts
from tests.ui.workspace.conftest import Env, make_env, until

HOSTILE = '<p>Call about the RMD schedule</p><script>alert("x")</script><img src="https://evil.example/t.png">'


async def _contact_with_task(env: Env) -> tuple[int, str]:
    task = next(t for t in env.org.records("Task") if t["WhoId"] and t["WhoId"].startswith("003")
                and not t["IsDeleted"] and not t["IsArchived"])
    row = await env.db.run(lambda s: contacts.get_by_sf_id(s, env.connection_id, task["WhoId"]))
    assert row is not None and row.id is not None
    return row.id, task["WhoId"]


async def test_history_timeline_refreshes_in_the_background_and_shows_notes_safely(env: Env, qtbot: Any) -> None:
    contact_id, sf_id = await _contact_with_task(env)
    env.org.create_record("Task", {"WhoId": sf_id, "Subject": "Call about RMD schedule", "Status": "In Progress"})
    note_id = env.org.create_record("ContentNote", {"Title": "Beneficiary <b>review</b>",
                                                    "Content": base64.b64encode(HOSTILE.encode()).decode()})
    env.org.create_record("ContentDocumentLink", {"ContentDocumentId": note_id, "LinkedEntityId": sf_id,
                                                  "ShareType": "V"})
    detail = env.page.detail
    await detail.show_contact(contact_id)
    timeline = detail.timeline
    # The screen is up before Salesforce answers; the refresh runs behind it.
    assert detail.stack.currentIndex() == 3
    await until(lambda: timeline.timeline is not None, "stored timeline shown")
    await until(lambda: timeline.refreshing is not None and timeline.refreshing.done(), "history refreshed")
    await until(lambda: "Call about RMD schedule" in timeline.view.text(), "pulled task on the timeline")
    text = timeline.view.text()
    assert "In Progress" in text and "as of" in timeline.as_of.text() and "today" in timeline.as_of.text()
    assert "<script" not in text and "evil.example" not in text
    assert "Beneficiary &lt;b&gt;review&lt;/b&gt;" in text  # the title is text, not markup
    assert not detail.work_view.isVisibleTo(env.page)  # the timeline now holds the client's notes and tasks
    entry = next(e for e in (*timeline.timeline.past, *timeline.timeline.upcoming)  # type: ignore[union-attr]
                 if e.sf_id == note_id)
    timeline.view.linkActivated.emit(f"hist:{entry.history_id}")
    await until(lambda: timeline.note_panel.isVisibleTo(env.page), "whole note opened")
    whole = timeline.note_text.toPlainText()
    assert "Call about the RMD schedule" in whole
    assert "alert" not in whole and "evil.example" not in whole and "<" not in whole


async def test_history_timeline_offline_shows_what_was_fetched(tmp_path: Path, qtbot: Any) -> None:
    async with make_env(tmp_path, qtbot, contacts=60) as env:
        contact_id, sf_id = await _contact_with_task(env)
        detail = env.page.detail
        await detail.show_contact(contact_id)
        await until(lambda: detail.timeline.timeline is not None, "stored timeline shown")
        await until(lambda: detail.timeline.refreshing is not None and detail.timeline.refreshing.done(),
                    "history refreshed online")
        subjects = {t["Subject"] for t in env.org.records("Task") if t["WhoId"] == sf_id and not t["IsArchived"]}
        env.org.stop()  # the plane: Salesforce cannot be reached
        first = detail.timeline.refreshing
        detail.clear()
        await detail.show_contact(contact_id)
        await until(lambda: detail.timeline.timeline is not None, "stored timeline shown")
        await until(lambda: detail.timeline.refreshing not in (None, first) and detail.timeline.refreshing.done(),
                    "offline refresh gave up quietly")
        text = detail.timeline.view.text()
        assert subjects and all(html.escape(subject) in text for subject in subjects)
        assert "as of" in detail.timeline.as_of.text()
        assert not detail.timeline.updating.isVisibleTo(env.page)


async def test_history_search_second_group_opens_the_client_at_the_note(env: Env, qtbot: Any) -> None:
    contact_id, sf_id = await _contact_with_task(env)
    env.org.create_record("Note", {"ParentId": sf_id, "Title": "Beneficiary designations",
                                   "Body": "Check the quixotic RMD schedule before March."})
    detail = env.page.detail
    await detail.show_contact(contact_id)
    await until(lambda: detail.timeline.refreshing is not None and detail.timeline.refreshing.done(), "refreshed")
    detail.clear()
    env.page.search.setText("quixotic rmd")
    hits = env.page.history_hits
    await until(lambda: hits.isVisibleTo(env.page) and "Beneficiary designations" in hits.label.text(),
                "second group under the people")
    href = hits.label.text().split('href="', 1)[1].split('"', 1)[0]
    hits.label.linkActivated.emit(href)
    await until(lambda: detail.data is not None and detail.data.contact.id == contact_id, "client opened")
    await until(lambda: detail.timeline.note_panel.isVisibleTo(env.page), "at the note")
    assert "quixotic RMD schedule" in detail.timeline.note_text.toPlainText()
