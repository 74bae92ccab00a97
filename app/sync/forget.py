""""Forget this org": export what was never sent, sign out for good, then delete the org's workspace.

Order matters, and each step only runs if the one before it succeeded:

1. **Export** every note and task that is not (fully) in Salesforce — drafts, queued, waiting, needing
   attention — and the people added in Notebridge that Salesforce does not have yet, to a Markdown
   file under ``paths().exports`` (readable by the user only).  If the file
   cannot be written, nothing is deleted: an advisor's unsent words are the one thing this app must
   never lose.
2. **Disconnect**: revoke the refresh token and delete the secrets from the keyring
   (``ConnectionManager.disconnect``; offline, the local secrets still go).
3. **Delete** the outbox, tasks, notes and then the connection row, whose clients, meetings, settings
   and sync log cascade (``app.store.forget``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.paths import paths
from app.store import Database, activity_forms
from app.store import activities as activities_repo
from app.store import forget as forget_rows
from app.store import notes as notes_repo
from app.store import prospects as prospect_rows
from app.store import tasks as tasks_repo
from app.store.activities import ActivityDraftValue
from app.store.email_text import attachment_line
from app.store.forget import UNSENT_STATES, ForgetSummary
from app.store.notes import NoteDraft
from app.store.prospects import ProspectDraft
from app.store.tasks import TaskDraft

if TYPE_CHECKING:
    from app.sync.connection import ConnectionManager, OrgConnection

log = logging.getLogger(__name__)

STATE_WORDS = {"draft": "Draft (never sent)", "queued": "Queued, not sent yet", "sending": "Being sent",
               "needs_attention": "Needs attention (Salesforce refused it)", "waiting": "Waiting to be sent"}


@dataclass(frozen=True)
class ForgetResult:
    export_path: Path | None  # None when nothing was unsent
    summary: ForgetSummary


@dataclass(frozen=True)
class _Unsent:
    notes: list[NoteDraft]
    tasks: list[TaskDraft]
    names: dict[int, str]
    people: list[ProspectDraft]
    activities: list[ActivityDraftValue]


async def preview(db: Database, connection_id: int) -> ForgetSummary:
    """The numbers the confirmation names ("1,204 clients, 3 unsent notes …")."""
    return await db.run(lambda s: forget_rows.summary(s, connection_id))


async def export_unsent(db: Database, connection: OrgConnection, directory: Path | None = None,
                        *, now: datetime | None = None) -> Path | None:
    """Write the unsent notes and tasks to a Markdown file; None when there are none."""
    cid = connection.connection_id

    def read(session: Any) -> _Unsent:
        notes = notes_repo.list_for(session, cid, states=UNSENT_STATES, limit=1_000_000)
        tasks = [t for t in tasks_repo.list_for(session, cid, limit=1_000_000)
                 if t.state in UNSENT_STATES]
        activities = [a for a in activities_repo.list_for(session, cid, limit=1_000_000) if a.state in UNSENT_STATES]
        ids = {i for i in [*(n.contact_id for n in notes), *(t.contact_id for t in tasks),
                           *(a.contact_id for a in activities)] if i is not None}
        people = [p for p in (prospect_rows.get(session, i)
                              for i in prospect_rows.pending(session, cid)) if p is not None]
        return _Unsent(notes, tasks, forget_rows.client_names(session, cid, ids), people, activities)

    unsent = await db.run(read)
    if not unsent.notes and not unsent.tasks and not unsent.people and not unsent.activities:
        return None
    moment = (now or datetime.now().astimezone()).astimezone()
    text = export_markdown(connection, unsent.notes, unsent.tasks, unsent.names, moment, unsent.people,
                           unsent.activities)
    target = (directory or paths().exports) / _file_name(connection, moment)
    target = await asyncio.to_thread(_write_private, target, text)
    log.info("exported %d unsent notes and %d tasks before forgetting the org", len(unsent.notes),
             len(unsent.tasks))
    return target


async def forget(db: Database, connections: ConnectionManager, *, exports_dir: Path | None = None) -> ForgetResult:
    """Forget the active org (see the module docstring for the order and why)."""
    connection = connections.active
    if connection is None:
        raise LookupError("there is no connected org to forget")
    summary = await preview(db, connection.connection_id)
    export_path = await export_unsent(db, connection, exports_dir)  # raises → nothing deleted
    await connections.disconnect()
    cid = connection.connection_id
    await db.run(lambda s: forget_rows.delete_everything(s, cid))
    await connections.load_active()  # another saved org becomes active, or none
    log.info("forgot org %s (connection %d)", connection.org_id, cid)
    return ForgetResult(export_path, summary)


# -- the export file --------------------------------------------------------------------------------------

def export_markdown(connection: OrgConnection, notes: list[NoteDraft], tasks: list[TaskDraft],
                    names: dict[int, str], moment: datetime, people: list[ProspectDraft] | None = None,
                    activities: list[ActivityDraftValue] | None = None) -> str:
    org = connection.org_name or connection.org_id
    lines = [
        "# Unsent notes and tasks from Notebridge",
        "",
        f"Org: {org} ({connection.org_id}) · signed in as {connection.username} · "
        f"exported {moment.strftime('%Y-%m-%d %H:%M %Z').strip()}",
        "",
        "These were not in Salesforce when you chose Forget this org. Copy them into Salesforce or "
        "keep this file; Notebridge no longer has them.",
        "",
        f"## Notes ({len(notes)})",
        "",
    ]
    for note in notes:
        lines += [f"### {note.title.strip() or '(untitled note)'}", ""]
        lines.append(f"- Client: {_client(note.contact_id, note.parent_sf_id, names)}")
        lines.append(f"- State: {STATE_WORDS.get(note.state, note.state)}"
                     + (" — changes since the last push were not sent" if note.remote_id else ""))
        lines.append(f"- Last edited: {_local(note.updated_at)}")
        if note.tags:
            lines.append(f"- Tags: {', '.join(note.tags)}")
        if note.remote_id:
            lines.append(f"- In Salesforce as: {connection.instance_url.rstrip('/')}/{note.remote_id}")
        lines += ["", note.body_markdown.rstrip() or "(empty)", "", "---", ""]
    lines += [f"## Tasks ({len(tasks)})", ""]
    for task in tasks:
        lines += [f"### {task.subject.strip() or '(untitled task)'}", ""]
        lines.append(f"- Client: {_client(task.contact_id, task.who_id or task.what_id, names)}")
        lines.append(f"- State: {STATE_WORDS.get(task.state, task.state)}")
        if task.due_date:
            lines.append(f"- Due: {task.due_date.isoformat()}")
        if task.priority or task.status:
            lines.append(f"- Priority / status: {task.priority or '—'} / {task.status or '—'}")
        lines.append(f"- Last edited: {_local(task.updated_at)}")
        lines += ["", task.description.rstrip() or "(no description)", "", "---", ""]
    if activities:
        lines += [f"## Calls, meetings and emails ({len(activities)})", ""]
        for activity in activities:
            form = activity_forms.form_of(activity.kind)
            lines += [f"### {form.noun}: {activity.title}", ""]
            lines.append(f"- Client: {_client(activity.contact_id, activity.who_id or activity.what_id, names)}")
            lines.append(f"- State: {STATE_WORDS.get(activity.state, activity.state)}")
            texts = []
            for field in form.fields:
                value = activity.fields.get(field.name)
                if field.type == activity_forms.FieldType.TEXT:
                    texts.append(str(value or "").rstrip())
                elif field.type == activity_forms.FieldType.DATETIME:
                    moment_of = activity_forms.parse_instant(value)
                    lines.append(f"- {field.label}: {_local(moment_of) if moment_of else '—'}")
                elif field.type == activity_forms.FieldType.FILES:
                    if value:  # listed, as in the email itself; the files were never uploaded
                        lines.append(f"- {field.label}: {'; '.join(attachment_line(f) for f in value)}")
                elif field.type == activity_forms.FieldType.PEOPLE:
                    if value:
                        lines.append(f"- {field.label}: {', '.join(str(p.get('name') or '') for p in value)}")
                elif value not in (None, ""):
                    lines.append(f"- {field.label}: {value}")
            lines += ["", "\n\n".join(t for t in texts if t) or "(no note)", "", "---", ""]
    if people:
        lines += [f"## People added in Notebridge, not yet in Salesforce ({len(people)})", ""]
        for person in people:
            name = " ".join(p for p in (person.first_name, person.last_name) if p)
            where = "company" if person.create_as == "Lead" else "household"
            details = [f"e-mail {person.email}" if person.email else "",
                       f"phone {person.phone}" if person.phone else "",
                       f"{where} {person.account_name}" if person.account_name else ""]
            lines.append(f"- {name}" + (f" ({', '.join(d for d in details if d)})" if any(details) else ""))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _client(contact_id: int | None, sf_id: str | None, names: dict[int, str]) -> str:
    if contact_id is not None and contact_id in names:
        return names[contact_id]
    return sf_id or "(no client chosen)"


def _local(value: datetime) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def _file_name(connection: OrgConnection, moment: datetime) -> str:
    org = re.sub(r"[^A-Za-z0-9]+", "-", connection.org_name or connection.org_id).strip("-")[:40] or "org"
    return f"notebridge-unsent-{org}-{moment.strftime('%Y%m%d-%H%M%S')}.md"


def _write_private(target: Path, text: str) -> Path:
    """Client data: the folder and file are the user's only (POSIX); never overwrite an older export."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(target.parent, 0o700)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    n = 1
    path = target
    while True:
        try:
            fd = os.open(path, flags, 0o600)
            break
        except FileExistsError:
            n += 1
            path = target.with_name(f"{target.stem}-{n}{target.suffix}")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    return path
