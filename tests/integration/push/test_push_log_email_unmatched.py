"""Logged emails whose addresses match no client in the workspace, pushed by the real engine against the
demo org: matched in Salesforce, else held with what to do, or (when asked) tied to one new Lead."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from app.services.email_log import EmailLog
from app.services.email_parse import parse_eml
from app.store import activities as activities_repo
from app.store import outbox_holds
from app.store.activities import ActivityDraftValue
from app.store.kinds import ItemKind
from app.sync.push import actions as push_actions
from app.sync.push.base import UnmatchedEmail
from app.sync.push.kinds.email_client import NO_CLIENT_CODE
from app.sync.push.status import PushStatus
from tests.integration.push.conftest import PushEnv

SENT = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)
STRANGER = "Priya Natarajan <priya.natarajan@newclient.example>"


def _eml(sender: str, subject: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "advisor@firm.example", subject
    msg["Date"] = format_datetime(SENT)
    msg.set_content("I'd like to talk about moving my IRA to you.")
    return bytes(msg)


async def _logged(env: PushEnv, sender: str = STRANGER,
                  subject: str = "Moving my IRA") -> tuple[ActivityDraftValue, int]:
    """A dropped email from an address no workspace client has, queued: (its draft, its outbox id)."""
    draft, match = await EmailLog(env.db).log(env.connection_id, parse_eml(_eml(sender, subject)))
    assert match is None and draft.contact_id is None  # nobody in the workspace has that address
    [row] = await env.queue(ItemKind.EMAIL, draft.id)
    return draft, row.id


def _tasks(env: PushEnv, subject: str = "Email: Moving my IRA") -> list[dict[str, object]]:
    return [r for r in env.live("Task") if r.get("Subject") == subject]


def _leads(env: PushEnv) -> list[dict[str, object]]:
    return [r for r in env.live("Lead") if r.get("Email") == "priya.natarajan@newclient.example"]


async def test_log_email_matching_no_client_waits_in_the_outbox_saying_what_to_do(env: PushEnv) -> None:
    _draft, outbox_id = await _logged(env)

    report = await env.push()  # the default: only when the client exists in Salesforce

    assert report.waiting == 1 and report.pushed == 0, report
    assert _tasks(env) == [] and _leads(env) == []  # nothing written the advisor did not ask for
    row = await env.outbox(outbox_id)
    assert row.state == "waiting" and row.last_error_code == NO_CLIENT_CODE
    assert "matches no client in Salesforce" in (row.last_error_message or "")
    assert "also create a Lead" in (row.last_error_message or "") and "choose the client" in \
        (row.last_error_message or "")
    again = await env.push()  # held: not looked up again on every run, so it costs nothing until its time
    assert again.status == PushStatus.NOTHING and again.api_calls == 0, again


async def test_log_email_matching_a_client_only_salesforce_has_goes_on_them(env: PushEnv) -> None:
    contact = env.person(n=3)
    env.org.update_record("Contact", contact.sf_id, {"Email": "priya.natarajan@newclient.example"})
    await _logged(env)

    report = await env.push()

    assert report.status == PushStatus.DONE and report.pushed == 1, report
    [task] = _tasks(env)
    assert task["WhoId"] == contact.sf_id and _leads(env) == []


async def test_log_email_with_also_create_a_lead_creates_one_lead_and_logs_it_there(env: PushEnv) -> None:
    draft, _outbox_id = await _logged(env)

    report = await env.push(unmatched_email=UnmatchedEmail.CREATE_LEAD)

    assert report.status == PushStatus.DONE and report.pushed == 2, report  # the Lead, then the email
    [lead] = _leads(env)
    assert (lead["FirstName"], lead["LastName"], lead["Company"]) == ("Priya", "Natarajan", "Priya Natarajan")
    [task] = _tasks(env)
    assert task["WhoId"] == lead["Id"] and not task.get("WhatId")
    stored = await env.db.run(lambda s: activities_repo.get(s, draft.id))
    assert stored is not None and stored.state == "pushed" and stored.who_id == lead["Id"]
    again = await env.push(unmatched_email=UnmatchedEmail.CREATE_LEAD)
    assert again.pushed == 0 and len(_leads(env)) == 1 and len(_tasks(env)) == 1


async def test_log_email_new_lead_with_a_lost_reply_is_created_once(env: PushEnv) -> None:
    await _logged(env)
    env.org.faults.drop_after_commit(1)  # the Lead is created, its answer is lost

    await env.push(unmatched_email=UnmatchedEmail.CREATE_LEAD)
    await env.push(unmatched_email=UnmatchedEmail.CREATE_LEAD)  # whatever waited goes now

    assert env.org.faults.pending["drops"] == 0
    [lead] = _leads(env)
    [task] = _tasks(env)
    assert task["WhoId"] == lead["Id"]


async def test_log_email_held_then_turned_to_create_a_lead_goes_on_the_new_lead(env: PushEnv) -> None:
    await _logged(env)
    assert (await env.push()).waiting == 1
    # Settings → Sending: "also create a Lead" releases what waited for it (SyncSettings.change_push).
    released = await env.db.run(lambda s: outbox_holds.release(s, env.connection_id, NO_CLIENT_CODE))
    assert released == 1

    report = await env.push(unmatched_email=UnmatchedEmail.CREATE_LEAD)

    assert report.pushed == 2, report
    [lead] = _leads(env)
    assert [t["WhoId"] for t in _tasks(env)] == [lead["Id"]]



async def test_log_email_held_then_attached_to_a_client_goes_on_them(env: PushEnv) -> None:
    """The Outbox's "Attach to another client…" on a held email: it goes on the client chosen."""
    _draft, outbox_id = await _logged(env)
    assert (await env.push()).waiting == 1
    chosen = env.person(n=2)
    await push_actions.attach_to_client(env.db, outbox_id, chosen.id)

    report = await env.push()

    assert report.pushed == 1, report
    [task] = _tasks(env)
    assert task["WhoId"] == chosen.sf_id and _leads(env) == []
