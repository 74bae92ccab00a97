"""Apply the advisor's push settings to the items of one run, just before they are sent.

The drafts on disk are never changed: the engine sends *prepared snapshots* — the note's title from
the title template, the task's subject from its template, the parent moved to the client's account
when activities should appear there — and every fingerprint, limit check and conflict comparison is
made on what is actually sent, so "edited since the push" and conflicts stay exact.

Also decides which items are *held* (their kind is turned off in Settings): they wait in the Outbox
with the reason, and go when the kind is turned on again (``app.store.outbox_holds.release``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from app.store import Database, push_context
from app.store.activities import ActivityDraftValue
from app.store.activity_forms import form_of
from app.store.kinds import ItemKind
from app.store.notes import NoteDraft
from app.store.outbox import PushWork
from app.store.prospects import is_provisional
from app.store.push_context import ItemContext, PushContext
from app.store.tasks import TaskDraft
from app.sync.push.pace import Pacer
from app.sync.push.title_templates import ACTIVITY_TEMPLATES, email_line, render_template

HELD_CODE = "TURNED_OFF"
WAITING_FOR_PERSON = "WAITING_FOR_PERSON"
NOTES_OFF = "Sending notes to Salesforce is turned off in Settings → Sending. This note waits here."
TASKS_OFF = "Sending tasks to Salesforce is turned off in Settings → Sending. This task waits here."
PERSON_FIRST = "Waiting for the new client to be created in Salesforce first."


def activity_off_reason(kind: ItemKind) -> str:
    """Plain words for an activity kind turned off: it stays here, nothing is lost."""
    noun = form_of(kind).noun.lower()
    return (f"Sending {noun}s to Salesforce is turned off in Settings → Sending. This {noun} stays here "
            f"and goes when you turn it back on.")


@dataclass
class Prepared:
    work: list[PushWork]
    account_links: dict[int, str] = field(default_factory=dict)  # outbox id → Account Id to link as well
    held: dict[int, str] = field(default_factory=dict)            # outbox id → why it waits


def _setting(settings: Any, name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def held_reason(settings: Any, w: PushWork) -> str | None:
    """Why this item must not be sent now (its kind is turned off), or None."""
    if w.note is not None and not _setting(settings, "push_notes", True):
        return NOTES_OFF
    if w.task is not None and not _setting(settings, "push_tasks", True):
        return TASKS_OFF
    if w.activity is not None and w.activity.kind in _setting(settings, "activities_off", frozenset()):
        return activity_off_reason(w.activity.kind)
    return None


def waits_for_person(w: PushWork) -> bool:
    """The item is about a person added in Notebridge who is not in Salesforce yet."""
    if w.note is not None:
        return is_provisional(w.note.parent_sf_id)
    if w.task is not None:
        return is_provisional(w.task.who_id) or is_provisional(w.task.what_id)
    if w.activity is not None:
        return is_provisional(w.activity.who_id) or is_provisional(w.activity.what_id)
    return False


async def prepare(db: Database, connection_id: int, settings: Any, work: list[PushWork]) -> Prepared:
    result = Prepared([])
    if not work:
        return result
    note_template = _setting(settings, "note_title_template", "{title}")
    task_template = _setting(settings, "task_title_template", "{subject}")
    attach_to = _setting(settings, "attach_to", None)
    activity_templates = _activity_templates(settings)
    person_ids = [w.note.parent_sf_id if w.note else (w.task.who_id or w.task.what_id) if w.task else
                  (w.activity.who_id or w.activity.what_id) if w.activity else None for w in work]
    event_ids = [w.note.event_sf_id for w in work if w.note is not None]
    needs_context = note_template != "{title}" or task_template != "{subject}" or attach_to in ("account", "both") \
        or any(w.activity is not None and w.activity.kind in activity_templates for w in work)
    ctx = (await db.run(lambda s: push_context.context(s, connection_id, person_ids, event_ids))
           if needs_context else PushContext("", {}, {}))
    pacer = Pacer()
    for w in work:
        await pacer.turn()
        reason = held_reason(settings, w)
        if reason is not None:
            result.held[w.outbox.id] = reason
            continue
        if w.note is not None:
            note, link = _note(w, w.note, ctx, note_template, attach_to)
            if link:
                result.account_links[w.outbox.id] = link
            w = dataclasses.replace(w, note=note)
        elif w.task is not None:
            w = dataclasses.replace(w, task=_task(w.task, ctx, task_template, attach_to))
        elif w.activity is not None and w.activity.kind in activity_templates:
            w = dataclasses.replace(w, activity=_activity(w.activity, ctx, activity_templates[w.activity.kind]))
        result.work.append(w)
    return result


def _activity_templates(settings: Any) -> dict[ItemKind, str]:
    """The title template of each activity kind whose title is not simply its own (the advisor's template,
    else the kind's default): a kind whose template is "{subject}" keeps the title its handler gives it."""
    chosen = _setting(settings, "activity_title_templates", {}) or {}
    templates = {kind: str(chosen.get(kind) or spec.default) for kind, spec in ACTIVITY_TEMPLATES.items()}
    return {kind: t for kind, t in templates.items() if t.strip() != f"{{{ACTIVITY_TEMPLATES[kind].own}}}"}


def activity_title_values(activity: ActivityDraftValue, person: ItemContext, advisor: str) -> dict[str, str]:
    """What an activity's title template may use: its own fields, its title, the client and the day."""
    values = {name: str(value) for name, value in activity.fields.items()
              if isinstance(value, str | int | float) and not isinstance(value, bool)}
    values[ACTIVITY_TEMPLATES[activity.kind].own] = activity.title
    if activity.kind is ItemKind.EMAIL:  # {subject} is what Salesforce would show: "Email: <subject>"
        values["subject"] = email_line(str(activity.fields.get("subject") or ""))
    values.update(contact=person.contact_name, account=person.account_name, advisor=advisor,
                  date=activity.created_at.astimezone().date().isoformat())
    return values


def _activity(activity: ActivityDraftValue, ctx: PushContext, template: str) -> ActivityDraftValue:
    person = ctx.people.get(activity.who_id or activity.what_id or "", ItemContext())
    title = render_template(template, activity_title_values(activity, person, ctx.advisor)) or activity.title
    return dataclasses.replace(activity, sent_title=title)


def _note(w: PushWork, note: NoteDraft, ctx: PushContext, template: str,
          attach_to: str | None) -> tuple[NoteDraft, str | None]:
    person = ctx.people.get(note.parent_sf_id or "", ItemContext())
    changes: dict[str, Any] = {}
    if template != "{title}":
        values = {
            "title": note.title, "contact": person.contact_name, "account": person.account_name,
            "date": note.created_at.astimezone().date().isoformat(),
            "meeting_type": note.template or ("Meeting" if note.event_sf_id else "Note"),
            "meeting": ctx.meetings.get(note.event_sf_id or "", ""), "advisor": ctx.advisor,
        }
        changes["title"] = render_template(template, values) or note.title
    link: str | None = None
    account = person.account_sf_id
    is_new = w.outbox.operation == "create" and not note.remote_id
    if account and account != note.parent_sf_id and is_new and not note.is_client_meeting_note:
        if attach_to == "account":
            changes["parent_sf_id"] = account  # the record the note is created on / linked to
        elif attach_to == "both":
            link = account  # a second ContentDocumentLink (a classic Note has one parent: the client)
    return (dataclasses.replace(note, **changes) if changes else note), link


def _task(task: TaskDraft, ctx: PushContext, template: str, attach_to: str | None) -> TaskDraft:
    changes: dict[str, Any] = {}
    if template != "{subject}":
        person = ctx.people.get(task.who_id or task.what_id or "", ItemContext())
        values = {
            "subject": task.subject, "contact": person.contact_name, "account": person.account_name,
            "date": task.created_at.astimezone().date().isoformat(),
            "due_date": task.due_date.isoformat() if task.due_date else "", "advisor": ctx.advisor,
        }
        changes["subject"] = render_template(template, values) or task.subject
    if attach_to == "contact" and task.who_id and task.what_id:
        changes["what_id"] = None  # only on the person
    elif attach_to == "account" and task.what_id and task.who_id:
        changes["who_id"] = None   # only on the account
    return dataclasses.replace(task, **changes) if changes else task
