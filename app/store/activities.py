"""Activity drafts repository: calls, meetings … — every kind kept in the generic ``activity_draft`` table.

Same conventions as :mod:`app.store.tasks`: session functions returning :class:`ActivityDraftValue`
snapshots, never ORM rows.  The kind's fields are checked against its form
(:mod:`app.store.activity_forms`) on create and on every save, so the stored JSON is always what the
kind's handler expects.  Related person and account follow the task rules (a Lead takes no WhatId:
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_task.htm,
and the same for Event, sforce_api_objects_event.htm).

A pushed activity is not edited here any more (calls and meetings are sent as creates only, and
``TaskSubtype`` can only be set on create): :func:`save` refuses it, and the editor says to change it
in Salesforce.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlmodel import Session, col

from app.store import activity_forms
from app.store.kinds import ItemKind, is_activity
from app.store.models import ActivityDraft, Contact, OutboxItem
from app.store.tables import table_of
from app.store.types import utcnow


class PushedActivityError(ValueError):
    """The activity is in Salesforce: it is changed there, not here."""


@dataclass(frozen=True, slots=True)
class ActivityDraftValue:
    id: int
    uid: str
    connection_id: int
    kind: ItemKind
    contact_id: int | None
    who_id: str | None
    what_id: str | None
    fields: dict[str, Any]
    state: str
    remote_id: str | None
    last_pushed_hash: str | None
    created_at: datetime
    updated_at: datetime
    # The title the push sends (Subject, Name …) from the advisor's template in Settings → Sending; set
    # only on the snapshot a push run prepares (app.sync.push.prepare), never stored.
    sent_title: str | None = None

    @property
    def title(self) -> str:
        """What the Outbox and the Drafts list call it ("Outbound call — Left a voicemail")."""
        return activity_forms.form_of(self.kind).title(self.fields)


@dataclass(frozen=True, slots=True)
class ActivityContext:
    """What the generic editor needs around the draft."""

    draft: ActivityDraftValue
    person_name: str


def snapshot(row: ActivityDraft) -> ActivityDraftValue:
    assert row.id is not None
    return ActivityDraftValue(
        id=row.id, uid=row.uid, connection_id=row.connection_id, kind=ItemKind(row.kind),
        contact_id=row.contact_id, who_id=row.who_id, what_id=row.what_id, fields=dict(row.fields or {}),
        state=row.state, remote_id=row.remote_id, last_pushed_hash=row.last_pushed_hash,
        created_at=row.created_at, updated_at=row.updated_at)


def _apply_person(row: ActivityDraft, person: Contact | None) -> None:
    if person is None:
        row.who_id = row.what_id = None
    elif person.source_object == "Account":
        row.what_id, row.who_id = person.sf_id, None
    else:
        row.who_id = person.sf_id
        row.what_id = None if person.source_object == "Lead" else person.account_sf_id


def create(session: Session, connection_id: int, kind: ItemKind, *, contact_id: int | None = None,
           fields: dict[str, Any] | None = None, now: datetime | None = None) -> ActivityDraftValue:
    """A new draft of ``kind`` for the client, its fields the form's defaults (times: now)."""
    if not is_activity(kind):
        raise ValueError(f"{kind!r} is not an activity kind")
    person = None
    if contact_id is not None:
        person = session.get(Contact, contact_id)
        if person is None or person.connection_id != connection_id:
            raise ValueError(f"contact {contact_id} is not in this workspace")
    values = activity_forms.clean(kind, fields or {}, activity_forms.initial(kind, now))
    stamp = now or utcnow()  # one instant for both: "never saved since" is how an untouched draft is told
    row = ActivityDraft(connection_id=connection_id, kind=ItemKind(kind), contact_id=contact_id, fields=values,
                        created_at=stamp, updated_at=stamp)
    _apply_person(row, person)
    session.add(row)
    session.flush()
    return snapshot(row)


def get(session: Session, draft_id: int) -> ActivityDraftValue | None:
    row = session.get(ActivityDraft, draft_id)
    return snapshot(row) if row is not None else None


def save(session: Session, draft_id: int, *, fields: dict[str, Any]) -> ActivityDraftValue:
    """The editor's fields (any subset of the form's), checked; an unchanged save writes nothing."""
    row = session.get(ActivityDraft, draft_id)
    if row is None:
        raise LookupError(f"activity {draft_id} does not exist")
    cleaned = activity_forms.clean(row.kind, fields, row.fields)
    if cleaned == row.fields:
        return snapshot(row)
    if row.remote_id:
        raise PushedActivityError("This is in Salesforce already; change it there.")
    row.fields = cleaned
    row.updated_at = utcnow()
    session.add(row)
    return snapshot(row)


def set_client(session: Session, draft_id: int, contact_id: int) -> ActivityDraftValue:
    """Another client for a draft whose client was deleted in Salesforce (from the Outbox)."""
    row = session.get(ActivityDraft, draft_id)
    if row is None:
        raise LookupError(f"activity {draft_id} does not exist")
    person = session.get(Contact, contact_id)
    if person is None or person.connection_id != row.connection_id:
        raise ValueError(f"contact {contact_id} is not in this workspace")
    row.contact_id = contact_id
    _apply_person(row, person)
    row.updated_at = utcnow()
    session.add(row)
    return snapshot(row)


def list_for(session: Session, connection_id: int, *, contact_id: int | None = None,
             limit: int = 500) -> list[ActivityDraftValue]:
    query = select(ActivityDraft).where(col(ActivityDraft.connection_id) == connection_id)
    if contact_id is not None:
        query = query.where(col(ActivityDraft.contact_id) == contact_id)
    query = query.order_by(col(ActivityDraft.updated_at).desc(), col(ActivityDraft.id).desc()).limit(limit)
    return [snapshot(r) for r in session.execute(query).scalars()]


@dataclass(frozen=True, slots=True)
class Attendee:
    """A meeting's other attendee as the workspace knows them now (a person added in Notebridge has
    their Salesforce Id once created, so the push reads it here, not from the draft's snapshot)."""

    contact_id: int
    sf_id: str
    source_object: str
    name: str


def attendees(session: Session, contact_ids: list[int]) -> dict[int, Attendee]:
    """The workspace's people among ``contact_ids`` (one query)."""
    if not contact_ids:
        return {}
    rows = session.execute(select(Contact).where(col(Contact.id).in_(contact_ids))).scalars()
    # A person deleted in Salesforce keeps their name (named in the description) but no Id to relate.
    return {r.id: Attendee(r.id, "" if r.is_deleted else r.sf_id or "", r.source_object or "", r.name or "")
            for r in rows if r.id is not None}


OUTBOX = table_of(OutboxItem)


def emails_without_client(session: Session, connection_id: int, now: datetime) -> list[ActivityDraftValue]:
    """Emails about no one yet (no person, no account) that a push would take now, oldest first: a
    held one is looked at again only when its time comes (or it is released)."""
    queued = select(OUTBOX.c.item_id).where(
        OUTBOX.c.connection_id == connection_id, OUTBOX.c.kind == ItemKind.EMAIL.value,
        or_(OUTBOX.c.state == "queued", and_(OUTBOX.c.state == "waiting",
                                             or_(OUTBOX.c.next_try_at.is_(None), OUTBOX.c.next_try_at <= now))))
    query = select(ActivityDraft).where(
        col(ActivityDraft.connection_id) == connection_id, col(ActivityDraft.kind) == ItemKind.EMAIL.value,
        col(ActivityDraft.who_id).is_(None), col(ActivityDraft.what_id).is_(None),
        col(ActivityDraft.remote_id).is_(None), col(ActivityDraft.id).in_(queued)).order_by(col(ActivityDraft.id))
    return [snapshot(r) for r in session.execute(query).scalars()]


def set_person_ids(session: Session, draft_id: int, who_id: str, what_id: str | None) -> ActivityDraftValue:
    """Tie a draft to a person Salesforce has but the workspace does not hold (an email's address
    matched there): the Ids it is sent with; no workspace client."""
    row = session.get(ActivityDraft, draft_id)
    if row is None:
        raise LookupError(f"activity {draft_id} does not exist")
    row.who_id = who_id
    row.what_id = None if who_id.startswith("00Q") else what_id
    session.add(row)
    return snapshot(row)


def editor_context(session: Session, draft_id: int) -> ActivityContext:
    draft = get(session, draft_id)
    if draft is None:
        raise LookupError(f"activity {draft_id} does not exist")
    person = session.get(Contact, draft.contact_id) if draft.contact_id else None
    return ActivityContext(draft, person.name if person else "")


__all__ = [
    "ActivityContext",
    "ActivityDraftValue",
    "Attendee",
    "PushedActivityError",
    "attendees",
    "create",
    "editor_context",
    "emails_without_client",
    "get",
    "list_for",
    "save",
    "set_client",
    "set_person_ids",
    "snapshot",
]
