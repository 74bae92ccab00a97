"""Settings → Sending in a push run: a kind turned off waits (never sent, never dropped), and each kind's
title follows its template — against the demo org."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.store import activities as activities_repo
from app.store.activities import ActivityDraftValue
from app.store.kinds import ItemKind
from app.sync.push import prepare as prepare_push
from tests.integration.push.conftest import PushEnv

WHEN = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)
FIELDS: dict[ItemKind, dict[str, Any]] = {
    ItemKind.CALL: {"when": WHEN.isoformat(), "direction": "Inbound", "outcome": "Wants a review"},
    ItemKind.MEETING: {"subject": "Annual review", "start": WHEN.isoformat(),
                       "end": (WHEN + timedelta(hours=1)).isoformat(), "location": "Office"},
    ItemKind.OPPORTUNITY: {"name": "IRA rollover", "stage": "Proposal", "close_date": "2027-03-31"},
    ItemKind.EMAIL: {"subject": "Rollover forms", "sent": WHEN.isoformat(), "sender": "ann@example.com",
                     "to": "advisor@firm.example", "body": "Please send the forms."},
}
SOBJECT = {ItemKind.CALL: "Task", ItemKind.MEETING: "Event", ItemKind.OPPORTUNITY: "Opportunity",
           ItemKind.EMAIL: "Task"}
TITLE = {ItemKind.CALL: "Subject", ItemKind.MEETING: "Subject", ItemKind.OPPORTUNITY: "Name", ItemKind.EMAIL: "Subject"}


async def _draft(env: PushEnv, kind: ItemKind) -> ActivityDraftValue:
    contact = env.person()
    return await env.db.run(lambda s: activities_repo.create(s, env.connection_id, kind, contact_id=contact.id,
                                                             fields=FIELDS[kind]))


@pytest.mark.parametrize("kind", [ItemKind.CALL, ItemKind.MEETING, ItemKind.OPPORTUNITY, ItemKind.EMAIL])
async def test_sending_settings_a_kind_turned_off_keeps_its_items_waiting_as_drafts(env: PushEnv,
                                                                                    kind: ItemKind) -> None:
    draft = await _draft(env, kind)
    [row] = await env.queue(kind, draft.id)
    before = len(env.live(SOBJECT[kind]))

    report = await env.push(activities_off=frozenset({kind}))

    assert report.pushed == 0 and len(env.live(SOBJECT[kind])) == before
    held = await env.outbox(row.id)
    assert held.state == "waiting" and held.last_error_code == prepare_push.HELD_CODE
    words = held.last_error_message or ""
    assert "turned off in Settings → Sending" in words and "stays here" in words
    stored = await env.db.run(lambda s: activities_repo.get(s, draft.id))
    assert stored is not None and stored.remote_id is None and stored.fields == draft.fields  # nothing lost

    await env.queue(kind, draft.id)  # turned back on: Settings releases it (the advisor's Push does the same)
    again = await env.push()
    assert again.pushed == 1 and len(env.live(SOBJECT[kind])) == before + 1


@pytest.mark.parametrize(("kind", "template", "expected"), [
    (ItemKind.CALL, "{subject} with {contact}", "Inbound call — Wants a review with {person}"),
    (ItemKind.MEETING, "{subject} @ {location}", "Annual review @ Office"),
    (ItemKind.OPPORTUNITY, "{advisor}: {name}", "Advisor: IRA rollover"),
    (ItemKind.EMAIL, "{subject} (from {sender})", "Email: Rollover forms (from ann@example.com)"),
    (ItemKind.EMAIL, "{subject}", "Email: Rollover forms"),  # the default: as Salesforce names logged emails
])
async def test_sending_settings_the_pushed_title_follows_the_kinds_template(
        env: PushEnv, kind: ItemKind, template: str, expected: str) -> None:
    draft = await _draft(env, kind)
    await env.queue(kind, draft.id)

    report = await env.push(activity_title_templates={kind: template})

    assert report.pushed == 1, report
    stored = await env.db.run(lambda s: activities_repo.get(s, draft.id))
    assert stored is not None and stored.remote_id is not None
    [record] = [r for r in env.live(SOBJECT[kind]) if r["Id"] == stored.remote_id]
    assert record[TITLE[kind]] == expected.format(person=env.person().name)
