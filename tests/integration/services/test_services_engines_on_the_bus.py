"""The pull and the push report on the one event bus, against the demo org (real HTTP, real workspace)."""

from __future__ import annotations

import asyncio

from app.salesforce.oauth_errors import OAuthError
from app.services.client_sync import ClientSync
from app.services.drafts import Drafts
from app.services.events import Events, ItemStateChanged, PushFinished, PushStatusChanged, SyncFinished, SyncProgressed
from app.services.outbox_sync import OutboxSync
from tests.integration.services.conftest import Env
from tests.integration.settings.settings_env import first_contacts


async def test_services_client_sync_publishes_progress_and_the_result(env: Env) -> None:
    events = Events()
    progress: list[SyncProgressed] = []
    finished: list[SyncFinished] = []
    events.subscribe(SyncProgressed, progress.append)
    events.subscribe(SyncFinished, finished.append)
    sync = ClientSync(env.db, env.manager, events)
    try:
        result = await sync.sync_now(full=True)
        assert result.ok, result.message
        assert progress and [e.result for e in finished] == [result]

        sync.detach()  # no longer reported: the scheduler is its owner's
        await sync.sync_now()
        assert len(finished) == 1
    finally:
        await sync.aclose()


async def test_services_queueing_on_the_bus_wakes_the_push_which_reports_there(env: Env) -> None:
    events = Events()
    reports: list[PushFinished] = []
    statuses: list[PushStatusChanged] = []
    events.subscribe(PushFinished, reports.append)
    events.subscribe(PushStatusChanged, statuses.append)
    person = (await first_contacts(env.db, env.cid, 1))[0]
    assert person.id is not None
    drafts = Drafts(env.db, events)  # the same bus: "queued" is heard by the push
    note = await drafts.new_note(env.cid, person.id)
    await drafts.save("note", note.id, {"title": "Pushed via the bus", "body_markdown": "Hello"})

    push = await OutboxSync.for_connection(env.db, env.cid, env.manager.client, events)
    try:
        push.start()
        async with asyncio.timeout(60):  # nothing due: the loop goes idle and sleeps until woken
            while not any(s.status.state == "idle" for s in statuses):
                await asyncio.sleep(0.05)
        assert reports == []
        assert (await drafts.queue_for_push("note", [note.id])).queued  # no explicit wake() anywhere
        async with asyncio.timeout(60):  # does not hang; no speed is asserted
            while not any(r.report.pushed for r in reports):
                await asyncio.sleep(0.05)
        assert all(r.connection_id == env.cid for r in reports)
        sent = await drafts.get("note", note.id)
        assert sent is not None and sent.state == "pushed" and sent.remote_id
    finally:
        await push.aclose()
    assert events.subscriber_count(ItemStateChanged) == 0  # closed: it no longer listens


async def test_services_connection_changes_reach_subscribers_once_until_they_leave(env: Env) -> None:
    from app.services.connection_status import follow, subscribe_status
    from app.services.events import ConnectionChanged

    events = Events()
    heard: list[str] = []
    changes: list[ConnectionChanged] = []
    leave = subscribe_status(env.manager, events, lambda status: heard.append(status.state))
    assert heard == [env.manager.status.state]  # the current status at once, as add_listener did
    follow(env.manager, events)  # following twice must not publish twice
    events.subscribe(ConnectionChanged, changes.append)

    await env.manager.disconnect()
    assert heard[-1] == "not_connected" and len(changes) == 1
    leave()
    env.manager.report_failure(OAuthError("expired", "Reconnect Salesforce in Settings."))
    assert changes[-1].status.state == "needs_attention" and len(changes) == 2  # still heard by the bus
    assert heard == [heard[0], "not_connected"]  # … but not by the one who left
