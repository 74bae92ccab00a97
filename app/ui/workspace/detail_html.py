"""The client view's HTML: the meetings (each one to act on) and the notes and tasks.

Pure functions of a ``ClientDetail``, apart from the widget, so the wording and the links are in one
place. Links: ``meeting:<event id>`` (write the meeting note), ``note:<id>``, ``task:<id>``,
``contact:<id>`` (a converted lead's contact).
"""

from __future__ import annotations

import html

from app.services.clients import ClientDetail, EventSummary
from app.ui.workspace.meeting_text import meeting_line, when

_STATE_WORDS = {
    "draft": "Draft", "queued": "Waiting to push", "sending": "Pushing…", "pushed": "In Salesforce",
    "needs_attention": "Needs attention", "waiting": "Waiting to retry",
}


def e(text: object) -> str:
    return html.escape(str(text), quote=True)


def phone_href(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"tel:{'+' if phone.strip().startswith('+') else ''}{digits}"


def extras_html(data: ClientDetail) -> str:
    """The advisor's extra fields (Settings → Sync → Fields), by the org's labels, already typed."""
    rows = "".join(f"<tr><td>{e(f.label)}&nbsp;&nbsp;</td><td>{e(f.text) or '—'}</td></tr>" for f in data.extras)
    return f"<table>{rows}</table>" if rows else ""


def meetings_html(data: ClientDetail) -> str:
    if not data.upcoming and not data.past:
        return "<i>No meetings in the window Notebridge copies (Settings → Sync sets it).</i>"
    written = {n.event_id: n.id for n in data.notes if n.event_id is not None}
    parts = []
    for title, items in (("Upcoming", data.upcoming), ("Past", data.past)):
        if not items:
            continue
        rows = "".join(f"<li>{_meeting(event, written.get(event.id), data.contact.read_only)}</li>"
                       for event in items[:50])
        parts.append(f"<b>{title}</b><ul>{rows}</ul>")
    return "".join(parts)


def _meeting(event: EventSummary, note_id: int | None, read_only: bool) -> str:
    line = meeting_line(event)
    if note_id is not None:
        return f'{line} · <a href="note:{note_id}">Open the meeting note</a>'
    if read_only:
        return line
    return f'{line} · <a href="meeting:{event.id}">Write the meeting note</a>'


def _notes_go_to(data: ClientDetail) -> str:
    """A converted lead takes no new notes (New note is greyed out): say where they go instead."""
    target = data.converted_to
    if target is not None:
        return (f'New notes about this person go to <a href="contact:{target.id}">{e(target.name)}</a>, '
                "the contact this lead became.")
    return ("New notes about this person go to the contact this lead became in Salesforce; it is not in "
            "your workspace yet (Sync now brings it here).")


def work_html(data: ClientDetail) -> str:
    where = f"<p>{_notes_go_to(data)}</p>" if data.contact.read_only else ""
    if not data.notes and not data.tasks and not data.activities:
        if where:
            return f"<i>No notes or tasks for this lead.</i>{where}"
        return "<i>No notes or tasks for this client yet. Choose “New note” or “New task” to start one.</i>"
    rows = []
    gone = data.deleted_in_salesforce

    def state_of(state: str, remote_id: str | None) -> str:
        words = _STATE_WORDS.get(state, state)
        return f"{words}, since deleted in Salesforce (this copy is kept)" if remote_id in gone else words

    for note in data.notes:
        state = state_of(note.state, note.remote_id)
        rows.append((note.updated_at, f'<li><a href="note:{note.id}">{e(note.title or "Untitled note")}</a>'
                                      f" — note, {e(state)}, {e(when(note.updated_at))}</li>"))
    for task in data.tasks:
        state = state_of(task.state, task.remote_id)
        due = f", due {task.due_date:%d %b %Y}" if task.due_date else ""
        rows.append((task.updated_at, f'<li><a href="task:{task.id}">{e(task.subject or "Untitled task")}</a>'
                                      f" — task{e(due)}, {e(state)}</li>"))
    for activity in data.activities:  # calls, meetings … logged here: "kind:id" opens the kind's editor
        state = state_of(activity.state, activity.remote_id)
        noun = activity.kind.value
        rows.append((activity.updated_at, f'<li><a href="{e(noun)}:{activity.id}">{e(activity.title)}</a>'
                                          f" — {e(noun)}, {e(state)}</li>"))
    rows.sort(key=lambda pair: pair[0], reverse=True)
    return "<ul>" + "".join(html_row for _, html_row in rows) + "</ul>" + where
