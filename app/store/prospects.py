"""New people the advisor adds offline (prospects), until Salesforce has them.

A prospect is an ordinary row in ``contact`` — so it can be searched, opened and written about at
once — whose ``sf_id`` is provisional (``new-<uuid>``; real Salesforce Ids are 15/18 letters and
digits and never contain a hyphen).  Notes and tasks drafted for it carry that provisional Id as their
parent.  When the push has created the record (:func:`settle_created`), the real Id replaces the
provisional one everywhere in one transaction: the contact row, its notes' ``parent_sf_id`` and its
tasks' ``who_id``/``what_id`` — so those notes and tasks then go to the new record.

Duplicates are checked by e-mail against the whole workspace before a prospect is created
(:func:`same_email`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlmodel import Session, col

from app.store import contacts as contacts_repo
from app.store import outbox as outbox_repo
from app.store import search_text, workspace_lock
from app.store.kinds import ItemKind
from app.store.models import Account, ActivityDraft, Contact, Note, Task
from app.store.outbox import OutboxRow
from app.store.outbox import T as OUTBOX
from app.store.types import utcnow

PROVISIONAL_PREFIX = "new-"
PERSON_OBJECTS = ("Contact", "Lead")


def is_provisional(sf_id: str | None) -> bool:
    return bool(sf_id) and str(sf_id).startswith(PROVISIONAL_PREFIX)


@dataclass(frozen=True, slots=True)
class NewPerson:
    first_name: str
    last_name: str
    email: str = ""
    phone: str = ""
    account_name: str = ""  # household (Contact + Account) or company (Lead)

    def problems(self, create_as: str) -> list[str]:
        """What stops Salesforce from accepting this person (checked before anything is saved).
        LastName is required on Contact and Lead, Company on Lead
        (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_lead.htm)."""
        out: list[str] = []
        if not self.last_name.strip():
            out.append("Enter a last name (Salesforce requires one).")
        if len(self.last_name.strip()) > 80 or len(self.first_name.strip()) > 40:
            out.append("Salesforce keeps at most 40 characters of a first name and 80 of a last name.")
        email = self.email.strip()
        if email and (email.count("@") != 1 or "." not in email.split("@")[1] or " " in email):
            out.append("Check the e-mail address (it should look like name@example.com).")
        if len(self.phone.strip()) > 40:
            out.append("The phone number is too long (Salesforce keeps 40 characters).")
        if create_as not in PERSON_OBJECTS:
            out.append(f"New people are created as a Contact or a Lead, not {create_as!r}.")
        elif not self.account_name.strip():
            out.append("Enter the company (Salesforce requires one for a lead)." if create_as == "Lead"
                       else "Enter the household or company, so the contact is not private to you.")
        elif len(self.account_name.strip()) > 255:
            out.append("The household or company name is too long (Salesforce keeps 255 characters).")
        return out


@dataclass(frozen=True, slots=True)
class SameEmail:
    contact_id: int
    name: str
    email: str
    source_object: str
    provisional: bool


@dataclass(frozen=True, slots=True)
class ProspectDraft:
    """What the push sends for a prospect."""

    contact_id: int
    connection_id: int
    sf_id: str
    create_as: str
    first_name: str | None
    last_name: str
    email: str | None
    phone: str | None
    account_name: str
    updated_at: object


def same_email(session: Session, connection_id: int, email: str, *, exclude_id: int | None = None) -> list[SameEmail]:
    """People in the workspace with this e-mail (case and spacing ignored), deleted ones left out."""
    key = search_text.email_key(email)
    if not key:
        return []
    query = select(Contact).where(col(Contact.connection_id) == connection_id, col(Contact.email_key) == key,
                                  col(Contact.is_deleted) == False)  # noqa: E712
    if exclude_id is not None:
        query = query.where(col(Contact.id) != exclude_id)
    return [SameEmail(c.id or 0, c.name, c.email or "", c.source_object, is_provisional(c.sf_id))
            for c in session.execute(query.order_by(col(Contact.id))).scalars()]


def create(session: Session, connection_id: int, person: NewPerson, create_as: str) -> int:
    """Add the person to the workspace now (a provisional Id until pushed); returns the contact id."""
    problems = person.problems(create_as)
    if problems:
        raise ValueError(" ".join(problems))
    sf_id = f"{PROVISIONAL_PREFIX}{uuid.uuid4()}"
    first, last = person.first_name.strip() or None, person.last_name.strip()
    contacts_repo.upsert_many(session, connection_id, [{
        "sf_id": sf_id, "source_object": create_as, "first_name": first, "last_name": last,
        "name": " ".join(p for p in (first, last) if p), "email": person.email.strip() or None,
        "phone": person.phone.strip() or None, "mobile_phone": None,
        "account_name": person.account_name.strip(), "account_sf_id": None,
    }])
    row = contacts_repo.get_by_sf_id(session, connection_id, sf_id)
    assert row is not None and row.id is not None
    return row.id


def get(session: Session, contact_id: int) -> ProspectDraft | None:
    row = session.get(Contact, contact_id)
    if row is None or not is_provisional(row.sf_id):
        return None
    return ProspectDraft(
        contact_id=contact_id, connection_id=row.connection_id, sf_id=row.sf_id, create_as=row.source_object,
        first_name=row.first_name, last_name=row.last_name or row.name, email=row.email, phone=row.phone,
        account_name=row.account_name or "", updated_at=row.updated_at,
    )


def account_named(session: Session, connection_id: int, name: str) -> str | None:
    """The Account Id when exactly one Account in the workspace has this name (case and spacing ignored):
    from the Account mirror, or from the account names the pulled contacts carry."""
    text = " ".join(name.split()).casefold()
    if not text:
        return None
    found: set[str] = set()
    for sf_id, account_name in session.execute(select(col(Account.sf_id), col(Account.name)).where(
            col(Account.connection_id) == connection_id, col(Account.is_deleted) == False,  # noqa: E712
            func.lower(col(Account.name)) == text)).all():
        if " ".join((account_name or "").split()).casefold() == text:
            found.add(sf_id)
    for sf_id, account_name in session.execute(select(col(Contact.account_sf_id), col(Contact.account_name)).where(
            col(Contact.connection_id) == connection_id, col(Contact.is_deleted) == False,  # noqa: E712
            col(Contact.account_sf_id).is_not(None), func.lower(col(Contact.account_name)) == text)).all():
        if " ".join((account_name or "").split()).casefold() == text and not is_provisional(sf_id):
            found.add(sf_id)
    return found.pop() if len(found) == 1 else None


def pending(session: Session, connection_id: int) -> list[int]:
    """Contact ids of prospects not yet in Salesforce."""
    rows = session.execute(select(col(Contact.id)).where(
        col(Contact.connection_id) == connection_id, col(Contact.sf_id).startswith(PROVISIONAL_PREFIX),
        col(Contact.is_deleted) == False)).all()  # noqa: E712
    return [int(r[0]) for r in rows]


def settle_created(session: Session, contact_id: int, sf_id: str, account_sf_id: str | None,
                   source_object: str | None = None) -> str:
    """Salesforce created the person: swap the provisional Id for the real one everywhere.
    Returns the provisional Id that was replaced."""
    row = session.get(Contact, contact_id)
    if row is None:
        raise LookupError(f"contact {contact_id} does not exist")
    old = row.sf_id
    if not is_provisional(old):
        return old
    cid = row.connection_id
    pulled = contacts_repo.get_by_sf_id(session, cid, sf_id)
    if pulled is not None and pulled.id != row.id:
        account_sf_id = account_sf_id or pulled.account_sf_id
        _drop_pulled_copy(session, row, pulled)
    row.sf_id = sf_id
    if source_object in PERSON_OBJECTS:
        row.source_object = source_object
    if account_sf_id:
        row.account_sf_id = account_sf_id
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    session.execute(update(Note).where(col(Note.connection_id) == cid, col(Note.parent_sf_id) == old)
                    .values(parent_sf_id=sf_id))
    session.execute(update(Task).where(col(Task.connection_id) == cid, col(Task.who_id) == old)
                    .values(who_id=sf_id))
    # Calls, meetings and emails logged on the new person (an email's new Lead) follow them too.
    session.execute(update(ActivityDraft).where(col(ActivityDraft.connection_id) == cid,
                                                col(ActivityDraft.who_id) == old).values(who_id=sf_id))
    if row.source_object == "Contact" and account_sf_id:
        # A task about the new contact relates to the new household, as tasks for pulled contacts do.
        session.execute(update(Task).where(col(Task.connection_id) == cid, col(Task.who_id) == sf_id,
                                           col(Task.what_id).is_(None)).values(what_id=account_sf_id))
        session.execute(update(ActivityDraft).where(col(ActivityDraft.connection_id) == cid,
                                                    col(ActivityDraft.who_id) == sf_id,
                                                    col(ActivityDraft.what_id).is_(None))
                        .values(what_id=account_sf_id))
    return old


def _drop_pulled_copy(session: Session, row: Contact, pulled: Contact) -> None:
    """A sync brought the person in before the push heard back (the answer was lost, or the app was
    killed, and the record was found again by lookup): the workspace holds them twice — the row the
    advisor added and the row the sync wrote under the real Id.  Keep the advisor's row (drafts and the
    outbox point at it), move anything written about the pulled copy onto it, and delete the copy, so
    the real Id can go on the advisor's row (the Id is unique per connection)."""
    session.execute(update(Note).where(col(Note.contact_id) == pulled.id).values(contact_id=row.id))
    session.execute(update(Task).where(col(Task.contact_id) == pulled.id).values(contact_id=row.id))
    session.delete(pulled)
    session.flush()


# -- the outbox ------------------------------------------------------------------------------------------
# A prospect goes to Salesforce through the same outbox as notes and tasks (kind "person", item = the
# contact row).  These functions own the person rows of ``outbox_item``; the note/task functions in
# ``app.store.outbox`` leave them alone.

PERSON_KIND = ItemKind.PERSON


def enqueue(session: Session, contact_id: int) -> OutboxRow:
    """Queue the prospect for creation (again, if it waits or needs attention); returns its row."""
    person = get(session, contact_id)
    if person is None:
        raise LookupError(f"contact {contact_id} is not a new person waiting for Salesforce")
    now = utcnow()
    existing = outbox_repo.active_for(session, PERSON_KIND, contact_id)
    if existing is not None:
        if existing.state in ("failed", "waiting"):
            session.execute(update(OUTBOX).where(OUTBOX.c.id == existing.id).values(
                state="queued", next_try_at=None, last_error_code=None, last_error_message=None,
                last_error_hint=None, updated_at=now))
        found = outbox_repo.get(session, existing.id)
        assert found is not None
        return found
    result = session.exec(OUTBOX.insert().values(
        key=str(uuid.uuid4()), connection_id=person.connection_id, kind=PERSON_KIND, item_id=contact_id,
        operation="create", state="queued", attempts=0, created_at=now, updated_at=now))
    found = outbox_repo.get(session, int(result.lastrowid))
    assert found is not None
    return found


def due(session: Session, connection_id: int, now: datetime) -> list[tuple[OutboxRow, ProspectDraft]]:
    """People to create in Salesforce; only the workspace's writer process may take them."""
    workspace_lock.require_writer(session)
    ids = session.execute(select(OUTBOX.c.id).where(
        OUTBOX.c.connection_id == connection_id, OUTBOX.c.kind == PERSON_KIND,
        or_(OUTBOX.c.state.in_(("queued", "sending")),
            and_(OUTBOX.c.state == "waiting", or_(OUTBOX.c.next_try_at.is_(None), OUTBOX.c.next_try_at <= now))),
    ).order_by(OUTBOX.c.id)).scalars().all()
    out: list[tuple[OutboxRow, ProspectDraft]] = []
    for outbox_id in ids:
        row = outbox_repo.get(session, int(outbox_id))
        person = get(session, row.item_id) if row is not None else None
        if row is not None and person is not None:
            out.append((row, person))
        elif row is not None:  # already created (a lost settle) or deleted: nothing left to send
            session.execute(update(OUTBOX).where(OUTBOX.c.id == row.id).values(state="pushed", updated_at=now))
    return out


def mark_sending(session: Session, outbox_id: int, payload: Any) -> None:
    """Committed before the request leaves: after a crash we know what to look for."""
    workspace_lock.require_writer(session)
    now = utcnow()
    session.execute(update(OUTBOX).where(OUTBOX.c.id == outbox_id).values(
        state="sending", sent_at=now, sent_payload=payload, attempts=OUTBOX.c.attempts + 1, updated_at=now))


def settle_pushed(session: Session, outbox_id: int, contact_id: int, sf_id: str, account_sf_id: str | None,
                  *, source_object: str | None = None) -> None:
    settle_created(session, contact_id, sf_id, account_sf_id, source_object)
    session.execute(update(OUTBOX).where(OUTBOX.c.id == outbox_id).values(
        state="pushed", remote_id=sf_id, sent_at=None, sent_payload=None, next_try_at=None, last_error_code=None,
        last_error_message=None, last_error_hint=None, updated_at=utcnow()))


def settle_failed(session: Session, outbox_id: int, *, code: str, message: str, hint: str) -> None:
    session.execute(update(OUTBOX).where(OUTBOX.c.id == outbox_id).values(
        state="failed", last_error_code=code, last_error_message=message, last_error_hint=hint,
        sent_at=None, sent_payload=None, next_try_at=None, updated_at=utcnow()))


def settle_waiting(session: Session, outbox_id: int, *, code: str, reason: str, next_try_at: datetime | None,
                   keep_sent: bool = False) -> None:
    values: dict[str, Any] = {"state": "waiting", "last_error_code": code, "last_error_message": reason,
                              "last_error_hint": None, "next_try_at": next_try_at, "updated_at": utcnow()}
    if not keep_sent:
        values.update(sent_at=None, sent_payload=None)
    session.execute(update(OUTBOX).where(OUTBOX.c.id == outbox_id).values(**values))
