"""The org and what is pulled from it: the connection, people, accounts, households, meetings, users.

Salesforce mirror tables: keyed by ``(connection_id, sf_id)``, written by upsert, and they cascade
away with their connection (the rules are in :mod:`app.store.models`).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.store.models.columns import created, false_default, text_default, updated
from app.store.types import UTCDateTime


class Connection(SQLModel, table=True):
    """One signed-in Salesforce org user.  Identity and preferences only — never a secret.

    The refresh token, access token and consumer secret are in the keyring, keyed by this row's
    ``org_id``/``user_id``; ``consumer_key`` is the app's public client id, not a secret.
    """

    __tablename__ = "connection"
    __table_args__ = (UniqueConstraint("org_id", "user_id", name="uq_connection_org_user"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: str
    user_id: str
    username: str
    display_name: str = ""
    org_name: str | None = None
    instance_url: str
    login_url: str
    api_version: str
    consumer_key: str
    note_type: str = "ContentNote"
    client_object: str = "Contact"
    include_leads: bool = False
    status: str = "connected"
    created_at: datetime = created()
    updated_at: datetime = updated()


class Contact(SQLModel, table=True):
    """A person the advisor can search for and write about (Contact, Lead or person Account).

    ``name_key``, ``sort_key``, ``email_key``, ``search_name`` and ``search_phone`` are derived by
    :func:`app.store.contacts.upsert_many`; the FTS triggers index them.  Write contacts through that
    function so the derived columns stay true.  NOT NULL columns carry server defaults because the
    bulk upsert inserts only the columns a sync page provides.
    """

    __tablename__ = "contact"
    __table_args__ = (
        UniqueConstraint("connection_id", "sf_id", name="uq_contact_connection_sf_id"),
        # is_deleted sits before the key so live-row lists, counts and prefix scans stay index-only;
        # source_object after it so the list's type filter does too (migration 0005).
        Index("ix_contact_live_name", "connection_id", "is_deleted", "name_key"),
        Index("ix_contact_live_sort", "connection_id", "is_deleted", "sort_key", "id", "source_object"),
        Index("ix_contact_email_key", "connection_id", "email_key"),
        Index("ix_contact_account", "connection_id", "account_sf_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE")
    sf_id: str
    source_object: str = Field(default="Contact", sa_column_kwargs={"server_default": "Contact"})
    first_name: str | None = None
    last_name: str | None = None
    name: str = text_default()
    email: str | None = None
    phone: str | None = None
    mobile_phone: str | None = None
    title: str | None = None
    account_sf_id: str | None = None
    account_name: str | None = None
    mailing_street: str | None = None
    mailing_city: str | None = None
    mailing_state: str | None = None
    mailing_postal_code: str | None = None
    mailing_country: str | None = None
    owner_id: str | None = None
    last_modified: datetime | None = Field(default=None, sa_type=UTCDateTime)
    system_modstamp: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_deleted: bool = false_default()
    read_only: bool = false_default()
    # No longer matches the advisor's filter rules but kept: it has drafts or queued items (migration 0008).
    outside_filter: bool = false_default()
    # The advisor's extra fields as Salesforce sent them ({API name: value}; app.sync.pull.field_map).
    extra_fields: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    extra_text: str | None = None  # their searchable text (picklists by label), in contact_fts's "extra" column
    # Lead-only facts (None/False for Contacts and Accounts).
    lead_status: str | None = None
    is_converted: bool = false_default()
    converted_contact_id: str | None = None
    converted_account_id: str | None = None
    # Derived search columns (see app.store.search_text).
    name_key: str = text_default()
    sort_key: str = text_default()
    email_key: str | None = None
    search_name: str = text_default()
    search_phone: str = text_default()
    updated_at: datetime = updated()


class Account(SQLModel, table=True):
    """Mirror of a Salesforce Account: a company, a household, or a person account."""

    __tablename__ = "account"
    __table_args__ = (UniqueConstraint("connection_id", "sf_id", name="uq_account_connection_sf_id"),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE")
    sf_id: str
    name: str = ""
    type: str | None = None
    is_person_account: bool = False
    phone: str | None = None
    billing_street: str | None = None
    billing_city: str | None = None
    billing_state: str | None = None
    billing_postal_code: str | None = None
    billing_country: str | None = None
    owner_id: str | None = None
    last_modified: datetime | None = Field(default=None, sa_type=UTCDateTime)
    system_modstamp: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_deleted: bool = False
    updated_at: datetime = updated()


class NameVariant(SQLModel, table=True):
    """The typo-tolerant name index: every name word (``word``) under itself and each of its
    one-letter deletions (``variant``), so "hellen" finds Helen with one lookup — see
    ``app.store.fuzzy_text``.  Written beside the contacts (``app.store.fuzzy_index``); a word whose
    contacts were renamed or deleted may stay until the next rebuild, which is harmless: the
    contacts are found through the FTS index, which only holds live rows.  WITHOUT ROWID: the key
    is the whole row."""

    __tablename__ = "name_variant"
    __table_args__ = {"sqlite_with_rowid": False}

    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE", primary_key=True)
    variant: str = Field(primary_key=True)
    word: str = Field(primary_key=True)


class AccountContactRelation(SQLModel, table=True):
    """Mirror of a Salesforce AccountContactRelation: a person who belongs to a household (Account)
    besides, or as well as, the one their Contact sits under ("Contacts to Multiple Accounts").

    Only orgs with that feature have the object (the pull checks the global describe); the names are
    kept so a member not synced to this computer can still be listed.
    https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/sforce_api_objects_accountcontactrelation.htm
    """

    __tablename__ = "account_contact_relation"
    __table_args__ = (
        UniqueConstraint("connection_id", "sf_id", name="uq_account_contact_relation_connection_sf_id"),
        Index("ix_acr_account", "connection_id", "account_sf_id"),
        Index("ix_acr_contact", "connection_id", "contact_sf_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE")
    sf_id: str
    account_sf_id: str
    contact_sf_id: str
    account_name: str | None = None
    contact_name: str | None = None
    roles: str | None = None  # multi-select picklist, ";"-separated as Salesforce sends it
    is_direct: bool = False
    is_active: bool = True
    system_modstamp: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_deleted: bool = False
    updated_at: datetime = updated()


class Event(SQLModel, table=True):
    """A meeting from Salesforce (timeline in the contact detail; target for Client-tagged notes)."""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("connection_id", "sf_id", name="uq_event_connection_sf_id"),
        Index("ix_event_who", "connection_id", "who_id", "start_at"),
        Index("ix_event_what", "connection_id", "what_id", "start_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE")
    sf_id: str
    subject: str = ""
    start_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_all_day: bool = False
    location: str | None = None
    who_id: str | None = None
    what_id: str | None = None
    owner_id: str | None = None
    description: str | None = None
    last_modified: datetime | None = Field(default=None, sa_type=UTCDateTime)
    system_modstamp: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_deleted: bool = False
    updated_at: datetime = updated()


class User(SQLModel, table=True):
    """A Salesforce user (record owners, task assignees)."""

    __tablename__ = "sf_user"
    __table_args__ = (UniqueConstraint("connection_id", "sf_id", name="uq_sf_user_connection_sf_id"),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connection.id", ondelete="CASCADE")
    sf_id: str
    name: str = ""
    email: str | None = None
    username: str | None = None
    is_active: bool = True
    system_modstamp: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = updated()
