"""Logged emails, parsed, matched to their client and pushed once by the unchanged engine against the demo org."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from app.services.email_log import EmailLog
from app.services.email_parse import parse_eml
from app.store import activities as activities_repo
from app.store import contacts as contacts_repo
from app.store.kinds import ItemKind
from app.sync.push.status import PushStatus
from tests.integration.push.conftest import PushEnv

SENT = datetime(2026, 11, 30, 14, 5, tzinfo=UTC)


def _eml(sender: str, to: str, subject: str, body: str, *, attachment: bool = False) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = format_datetime(SENT)
    msg.set_content(body)
    if attachment:
        msg.add_attachment(b"0123456789", maintype="application", subtype="pdf", filename="statement.pdf")
    return bytes(msg)


async def _give_emails(env: PushEnv, *pairs: tuple[int, str]) -> None:
    """Workspace emails for the env's Contacts (the push env's rows carry none), as the pull records them."""
    rows = [{"sf_id": env.person(n=n).sf_id, "source_object": "Contact", "email": email} for n, email in pairs]
    await env.db.run(lambda s: contacts_repo.upsert_many(s, env.connection_id, rows))


def _emails(env: PushEnv, subject: str) -> list[dict[str, object]]:
    return [r for r in env.live("Task") if r.get("TaskSubtype") == "Email" and r.get("Subject") == subject]


async def test_log_email_matches_the_client_by_from_then_to_address(env: PushEnv) -> None:
    await _give_emails(env, (0, "Ann.Lee@Example.com"), (1, "bob@example.com"))
    log = EmailLog(env.db)
    from_ann = parse_eml(_eml("Ann Lee <ann.lee@example.com>", "advisor@firm.example", "Hi", "x"))
    to_bob = parse_eml(_eml("advisor@firm.example", "Bob <BOB@example.com>, ann.lee@example.com", "Re", "y"))
    stranger = parse_eml(_eml("nobody@elsewhere.example", "advisor@firm.example", "Spam", "z"))

    assert [m.contact_id for m in await log.match(env.connection_id, from_ann.addresses)] == [env.person(n=0).id]
    assert [m.contact_id for m in await log.match(env.connection_id, to_bob.addresses)] == \
        [env.person(n=1).id, env.person(n=0).id]  # in the email's order: To: Bob first, then Ann
    assert await log.match(env.connection_id, stranger.addresses) == []

    draft, match = await log.log(env.connection_id, to_bob)
    assert match is not None and match.contact_id == env.person(n=1).id and draft.contact_id == env.person(n=1).id
    assert draft.who_id == env.person(n=1).sf_id and draft.fields["subject"] == "Re"
    unmatched, none = await log.log(env.connection_id, stranger)
    assert none is None and unmatched.contact_id is None


async def test_log_email_pushed_once_as_a_completed_email_task(env: PushEnv) -> None:
    parsed = parse_eml(_eml("Ann <ann@example.com>", "advisor@firm.example", "Rollover forms",
                            "Please send the forms.", attachment=True))
    draft, _ = await EmailLog(env.db).log(env.connection_id, parsed, env.person().id)
    await env.queue(ItemKind.EMAIL, draft.id)

    report = await env.push()
    again = await env.push()

    assert report.status == PushStatus.DONE and report.pushed == 1 and again.pushed == 0
    [task] = _emails(env, "Email: Rollover forms")
    assert task["Status"] == "Completed" and task["IsClosed"] is True and task["ActivityDate"]
    assert task["WhoId"] == env.person().sf_id
    assert task["Description"] == ("From: Ann <ann@example.com>\nTo: advisor@firm.example\n"
                                   "Date: 30 Nov 2026 14:05 UTC\n\nPlease send the forms.\n\n"
                                   "Attachments (not uploaded): statement.pdf (10 bytes)")
    stored = await env.db.run(lambda s: activities_repo.get(s, draft.id))
    assert stored is not None and stored.state == "pushed" and stored.remote_id == task["Id"]


async def test_log_email_offline_then_pushed_once(env: PushEnv) -> None:
    draft, _ = await EmailLog(env.db).log(env.connection_id, parse_eml(
        _eml("ann@example.com", "advisor@firm.example", "Offline email", "Sent while offline.")), env.person().id)
    [row] = await env.queue(ItemKind.EMAIL, draft.id)
    env.org.faults.fail_next(50, status=503)

    offline = await env.push()

    assert offline.status == PushStatus.OFFLINE and offline.pushed == 0 and offline.waiting == 1
    assert (await env.outbox(row.id)).state == "waiting" and not _emails(env, "Email: Offline email")
    env.org.faults.clear()  # Salesforce answers again
    report = await env.engine().push([row.id])  # "push now": before its next try time
    assert report.pushed == 1 and len(_emails(env, "Email: Offline email")) == 1


async def test_log_email_lost_answer_is_found_not_duplicated(env: PushEnv) -> None:
    drafts = [(await EmailLog(env.db).log(env.connection_id, parse_eml(
        _eml("ann@example.com", "advisor@firm.example", f"Lost {n}", "body")), env.person().id))[0]
        for n in range(3)]
    await env.queue(ItemKind.EMAIL, *(d.id for d in drafts))
    env.org.faults.drop_after_commit(1)

    report = await env.push()

    assert report.status == PushStatus.DONE and report.pushed == 3 and report.reconciled == 3
    assert sorted(str(r["Subject"]) for r in env.live("Task") if str(r.get("Subject")).startswith("Email: Lost ")) \
        == ["Email: Lost 0", "Email: Lost 1", "Email: Lost 2"]


async def test_log_email_over_long_body_is_cut_to_32000_and_says_so(env: PushEnv) -> None:
    body = "Quoted thread. " * 3_000  # 45,000 characters
    draft, _ = await EmailLog(env.db).log(env.connection_id, parse_eml(
        _eml("ann@example.com", "advisor@firm.example", "Long thread", body)), env.person().id)
    [row] = await env.queue(ItemKind.EMAIL, draft.id)
    assert row.state == "queued"  # a long body never stops Push: it is cut, as the editor said

    report = await env.push()

    assert report.pushed == 1
    [task] = _emails(env, "Email: Long thread")
    description = str(task["Description"])
    assert len(description) <= 32_000 and description.startswith("From: ann@example.com")
    assert "more characters of this email were not kept: Salesforce keeps 32,000." in description
