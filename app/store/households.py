"""Households: who belongs to an Account, from the Contacts under it and, where the org has it, from
AccountContactRelation (``account_contact_relation``, a person in several households).

Reads return values (``Member``), never ORM rows.  A member synced to this computer carries its
local ``contact_id`` (the client view links to it); one known only from a relation carries its name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from app.store.models import Account, AccountContactRelation, Contact
from app.store.org_rows import upsert_by_sf_id
from app.store.tables import table_of
from app.store.types import utcnow

_TABLE = table_of(AccountContactRelation)
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Member:
    """One person of a household."""

    sf_id: str
    name: str
    contact_id: int | None  # the local client, when synced to this computer
    roles: tuple[str, ...] = ()
    direct: bool = True  # their Contact sits under this Account (not only related to it)


@dataclass(frozen=True, slots=True)
class HouseholdRef:
    """An Account a person belongs to."""

    sf_id: str
    name: str
    contact_id: int | None  # the Account's own row in Account mode (a household you can open as a client)


# ------------------------------------------------------------------------------------------- writes
def upsert_relations(session: Session, connection_id: int, rows: Iterable[Mapping[str, Any]]) -> int:
    return upsert_by_sf_id(session, _TABLE, "account contact relation", connection_id, rows)


def mark_relations_deleted(session: Session, connection_id: int, sf_ids: Iterable[str]) -> int:
    ids = sorted(set(sf_ids))
    changed = 0
    for start in range(0, len(ids), _CHUNK):
        result = session.exec(
            update(_TABLE)
            .where(_TABLE.c.connection_id == connection_id, _TABLE.c.sf_id.in_(ids[start : start + _CHUNK]),
                   ~_TABLE.c.is_deleted)
            .values(is_deleted=True, updated_at=utcnow())
        )
        changed += result.rowcount
    return changed


# -------------------------------------------------------------------------------------------- reads
def _live_relations(connection_id: int) -> Any:
    return select(AccountContactRelation).where(
        col(AccountContactRelation.connection_id) == connection_id,
        col(AccountContactRelation.is_deleted).is_(False), col(AccountContactRelation.is_active).is_(True))


def households_of(session: Session, connection_id: int, contact: Contact) -> list[HouseholdRef]:
    """The Accounts ``contact`` belongs to: their own Account first, then those related to them."""
    found: dict[str, str] = {}
    if contact.source_object == "Account":
        found[contact.sf_id] = contact.name
    elif contact.source_object == "Contact" and contact.account_sf_id:
        found[contact.account_sf_id] = contact.account_name or ""
    if contact.source_object == "Contact":
        relations = session.execute(_live_relations(connection_id).where(
            col(AccountContactRelation.contact_sf_id) == contact.sf_id)).scalars().all()
        for relation in sorted(relations, key=lambda r: (not r.is_direct, r.account_name or "")):
            found.setdefault(relation.account_sf_id, relation.account_name or "")
    return [HouseholdRef(sf_id, name or _account_name(session, connection_id, sf_id),
                         client_id(session, connection_id, sf_id)) for sf_id, name in found.items()]


def members(session: Session, connection_id: int, account_sf_id: str, limit: int = 200) -> list[Member]:
    """Everyone in the household ``account_sf_id``, by name: Contacts under it, then related people.

    ``limit`` bounds each source: a "household" of thousands is a company account, and the client view
    only ever shows its first members (both lookups use an index on the Account's Id)."""
    # ``is_deleted`` inside coalesce() on purpose: bare, SQLite (which has no statistics here) takes
    # ix_contact_live_sort for the ORDER BY and walks every contact of the connection (~0.2 s at
    # 100,000: most of opening a client, benchmarks/history.py); this way it finds the account's
    # few members in ix_contact_account (~0.1 ms) and sorts them.
    under = session.execute(select(Contact).where(
        col(Contact.connection_id) == connection_id, col(Contact.account_sf_id) == account_sf_id,
        func.coalesce(col(Contact.is_deleted), True).is_(False), col(Contact.source_object) == "Contact")
        .order_by(col(Contact.sort_key)).limit(limit)).scalars().all()
    relations = session.execute(_live_relations(connection_id).where(
        col(AccountContactRelation.account_sf_id) == account_sf_id)
        .order_by(col(AccountContactRelation.contact_name)).limit(limit)).scalars().all()
    by_contact = {r.contact_sf_id: r for r in relations}
    out: dict[str, Member] = {}
    for row in under:
        assert row.id is not None
        relation = by_contact.get(row.sf_id)
        out[row.sf_id] = Member(row.sf_id, row.name, row.id, _roles(relation.roles) if relation else (), True)
    others = [r for r in relations if r.contact_sf_id not in out]
    local = _local_ids(session, connection_id, [r.contact_sf_id for r in others])
    for relation in others:
        contact_id, name = local.get(relation.contact_sf_id, (None, relation.contact_name or ""))
        out[relation.contact_sf_id] = Member(relation.contact_sf_id, name or relation.contact_name or "",
                                             contact_id, _roles(relation.roles), relation.is_direct)
    return sorted(out.values(), key=lambda m: (not m.direct, m.name.casefold(), m.sf_id))


def household_name(session: Session, connection_id: int, account_sf_id: str) -> str:
    return _account_name(session, connection_id, account_sf_id)


def _account_name(session: Session, connection_id: int, sf_id: str) -> str:
    for statement in (
        select(col(Contact.name)).where(col(Contact.connection_id) == connection_id, col(Contact.sf_id) == sf_id),
        select(col(Account.name)).where(col(Account.connection_id) == connection_id, col(Account.sf_id) == sf_id),
        select(col(Contact.account_name)).where(col(Contact.connection_id) == connection_id,
                                                col(Contact.account_sf_id) == sf_id).limit(1),
        select(col(AccountContactRelation.account_name)).where(
            col(AccountContactRelation.connection_id) == connection_id,
            col(AccountContactRelation.account_sf_id) == sf_id).limit(1),
    ):
        name = session.execute(statement).scalars().first()
        if name:
            return str(name)
    return ""


def client_id(session: Session, connection_id: int, account_sf_id: str) -> int | None:
    """The Account's own row in the client list (Account mode), if it is there."""
    value = session.execute(select(col(Contact.id)).where(
        col(Contact.connection_id) == connection_id, col(Contact.sf_id) == account_sf_id,
        col(Contact.is_deleted).is_(False))).scalars().first()
    return int(value) if value is not None else None


def _local_ids(session: Session, connection_id: int, sf_ids: Sequence[str]) -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    ids = sorted(set(sf_ids))
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(select(col(Contact.sf_id), col(Contact.id), col(Contact.name)).where(
            col(Contact.connection_id) == connection_id, col(Contact.sf_id).in_(ids[start : start + _CHUNK]),
            col(Contact.is_deleted).is_(False))).all()
        out.update({str(r[0]): (int(r[1]), str(r[2] or "")) for r in rows})
    return out


def _roles(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(";") if part.strip())
