"""Deterministic seed data for an advisor's book: users, households, contacts, leads, meetings,
tasks and notes.

The same seed gives the same Ids and values; dates are laid out relative to the day the org starts
(so "upcoming meetings" are always upcoming) and every seeded timestamp is at least a minute in the
past, so anything a test writes afterwards sorts after the seed in ``SystemModstamp`` order.
"""

from __future__ import annotations

import base64
import html
import random
import time
from dataclasses import dataclass, field
from typing import Any

from app.demo_org.data.objects import (
    CONTACT_RECORD_TYPES,
    LEAD_CONVERTED_STATUS,
    LEAD_STATUSES,
    OPPORTUNITY_STAGES,
    RISK_PROFILES,
    TASK_PRIORITIES,
    TASK_STATUSES,
)
from app.demo_org.data.pools import (
    NOTE_TITLES,
    TASK_SUBJECTS,
    build_pools,
)
from app.demo_org.data.rules import full_name
from app.demo_org.data.seed_history import meeting_book
from app.demo_org.data.seeder import DAY, add_meeting, add_task
from app.demo_org.data.seeder import Seeder as _Seeder
from app.demo_org.data.seeder import date_of as _date
from app.demo_org.data.seeder import stamp as _stamp
from app.demo_org.data.store import Record, Store
from app.demo_org.ids import IdFactory

ADVISOR = {"FirstName": "Jordan", "LastName": "Reyes", "Alias": "jreyes", "Title": "Financial Advisor"}


@dataclass
class SeedResult:
    org_id: str
    advisor_id: str
    user_ids: list[str] = field(default_factory=list)


def seed(store: Store, ids: IdFactory, *, contacts: int, seed: int, person_accounts: bool,
         enhanced_notes: bool, username: str, account_contact_relations: bool = False,
         meeting_clients: int = 0) -> SeedResult:
    """``meeting_clients``: lay the activities and notes out as a meeting-prep book instead (see
    ``seed_history.meeting_book``): that many clients meet in the next two weeks, each with a
    history; nobody else has an upcoming meeting."""
    rng = random.Random(seed)
    pools = build_pools(seed)
    now = int(time.time())
    s = _Seeder(store, ids, rng, pools, now)
    founded = now - 6 * 365 * DAY
    org = s.add("Organization", founded, founded, Name="Reyes Wealth Partners (Demo)",
                OrganizationType="Enterprise Edition", IsSandbox=False, InstanceName="NA1",
                TimeZoneSidKey="America/New_York", DefaultCurrencyIsoCode="USD")
    _users(s, username, founded)
    org["CreatedById"] = org["LastModifiedById"] = s.advisor
    for order, (value, default, closed) in enumerate(TASK_STATUSES, 1):
        s.add("TaskStatus", founded, founded, MasterLabel=value, ApiName=value, SortOrder=order,
              IsDefault=default, IsClosed=closed)
    for order, (value, default, high) in enumerate(TASK_PRIORITIES, 1):
        s.add("TaskPriority", founded, founded, MasterLabel=value, ApiName=value, SortOrder=order,
              IsDefault=default, IsHighPriority=high)
    people = _households(s, contacts, person_accounts)
    _leads(s, max(5, contacts // 10), people)
    if people and meeting_clients > 0:
        meeting_book(s, people, meeting_clients, enhanced_notes=enhanced_notes)
    elif people:  # an org with no contacts has no activities or notes either
        _activities(s, people, max(5, contacts // 4), max(5, contacts // 8))
        _notes(s, people, max(3, contacts // 20), max(3, contacts // 25) if enhanced_notes else 0)
    if people:
        # Seeded last, from a random stream of their own, so every record above keeps its Id and values.
        _archive_and_pipeline(_Seeder(store, ids, random.Random(seed * 7919 + 14), pools, now), people,
                              max(2, contacts // 100), max(3, contacts // 40))
    if account_contact_relations:  # last, on its own random stream: the rest of the seed is unchanged
        _relations(s, people, random.Random(f"notebridge-demo-acr:{seed}"))
    _wealth(s, people, founded, random.Random(f"notebridge-demo-wealth:{seed}"))
    return SeedResult(org_id=org["Id"], advisor_id=s.advisor, user_ids=list(s.users))


def _users(s: _Seeder, username: str, founded: int) -> None:
    people = [ADVISOR]
    for _ in range(4):
        first, last = s.rng.choice(s.pools.first_female + s.pools.first_male), s.rng.choice(s.pools.last)
        people.append({"FirstName": first, "LastName": last, "Alias": (first[0] + last)[:8].lower(),
                       "Title": s.rng.choice(("Client Service Associate", "Senior Advisor", "Paraplanner",
                                              "Operations Manager"))})
    for index, person in enumerate(people):
        name = username if index == 0 else f"{person['Alias']}@{username.split('@', 1)[1]}"
        record = s.add("User", founded, founded, Username=name, Email=name, IsActive=True,
                       TimeZoneSidKey="America/New_York", UserType="Standard",
                       Name=full_name(person["FirstName"], person["LastName"]), **person)
        if index == 0:
            s.advisor = record["Id"]
            record["CreatedById"] = record["LastModifiedById"] = record["Id"]
        s.users.append(record["Id"])


def _households(s: _Seeder, total: int, person_accounts: bool) -> list[Record]:
    """Accounts as households of 1–4 people sharing an address; returns the contacts."""
    rng, pools = s.rng, s.pools
    people: list[Record] = []
    number = 0
    while len(people) < total:
        size = min(total - len(people), s.pick((1, 1, 2, 2, 2, 3, 4)))
        number += 1
        last = s.pick(pools.last)
        street, (city, state, postal) = s.pick(pools.streets), s.pick(pools.places)
        created, owner = s.past(30, 3 * 365), s.owner()
        address = {"BillingStreet": street, "BillingCity": city, "BillingState": state,
                   "BillingPostalCode": postal, "BillingCountry": "United States"}
        if person_accounts and size == 1 and rng.random() < 0.3:
            first = s.pick(pools.first_female if rng.random() < 0.5 else pools.first_male)
            account = s.add("Account", created, OwnerId=owner, IsPersonAccount=True, FirstName=first,
                            LastName=last, Name=f"{first} {last}", Type="Client", Phone=s.phone(),
                            PersonEmail=f"{first}.{last}{number}@{s.pick(pools.domains)}".lower(),
                            **address)
            contact = _contact(s, account, created, owner, first, last, number, address)
            contact["IsPersonAccount"] = True
            account["PersonContactId"] = contact["Id"]
            people.append(contact)
            continue
        account = s.add("Account", created, OwnerId=owner, Name=f"{last} Household", Type="Household",
                        Phone=s.phone(), AccountNumber=f"HH-{number:06d}", **address,
                        **({"IsPersonAccount": False} if person_accounts else {}))
        for member in range(size):
            female = rng.random() < 0.5
            first = s.pick(pools.first_female if female else pools.first_male)
            member_last = last if member < 2 or rng.random() < 0.7 else s.pick(pools.last)
            contact = _contact(s, account, created + member * 60, owner, first, member_last, number, address)
            contact["Salutation"] = s.pick(("Ms.", "Mrs.", "Dr.")) if female else s.pick(("Mr.", "Dr."))
            if person_accounts:
                contact["IsPersonAccount"] = False
            people.append(contact)
    return people


def _relations(s: _Seeder, people: list[Record], rng: random.Random) -> None:
    """AccountContactRelation rows: each Contact's direct one (its own AccountId), and for about one
    household in four an indirect member from another household (a grown-up child, a trustee)."""
    by_account: dict[str, list[Record]] = {}
    when = s.now - 30 * DAY
    for contact in people:
        if contact.get("AccountId"):
            by_account.setdefault(contact["AccountId"], []).append(contact)
            roles = "Spouse" if len(by_account[contact["AccountId"]]) == 2 else "Client"
            s.add("AccountContactRelation", when, when,
                  AccountId=contact["AccountId"], ContactId=contact["Id"], Roles=roles, IsDirect=True,
                  IsActive=True)
    accounts = sorted(by_account)
    for index, account_id in enumerate(accounts):
        if len(accounts) < 2 or rng.random() >= 0.25:
            continue
        other = accounts[(index + 1 + int(rng.random() * (len(accounts) - 1))) % len(accounts)]
        if other == account_id:
            continue
        member = by_account[other][0]
        s.add("AccountContactRelation", when, when,
              AccountId=account_id, ContactId=member["Id"], IsDirect=False, IsActive=True,
              Roles=rng.choice(("Family Member", "Trustee", "Beneficiary", "Power of Attorney")))


def _wealth(s: _Seeder, people: list[Record], founded: int, rng: random.Random) -> None:
    """Roles, Contact record types and the firm's custom fields, on their own random stream (the rest
    of the seed is unchanged by them). The advisor and the first colleague share a role: "my team"."""
    team = s.add("UserRole", founded, founded, Name="Wealth Team East", DeveloperName="Wealth_Team_East")
    ops = s.add("UserRole", founded, founded, Name="Operations", DeveloperName="Operations")
    users = s.store.tables["User"]
    for index, user_id in enumerate(s.users):
        users[user_id]["UserRoleId"] = team["Id"] if index < 2 else ops["Id"]
    types = [s.add("RecordType", founded, founded, Name=name, DeveloperName=developer, SobjectType="Contact",
                   IsActive=True)["Id"] for developer, name in CONTACT_RECORD_TYPES]
    for contact in people:
        contact["RecordTypeId"] = types[0] if rng.random() < 0.7 else types[1]
        if rng.random() < 0.8:
            contact["AUM__c"] = round(rng.uniform(50_000, 5_000_000), 2)
        if rng.random() < 0.7:
            contact["Next_Review__c"] = _date(s.now + int(rng.uniform(-200, 400)) * DAY)
        if rng.random() < 0.85:
            contact["Risk_Profile__c"] = rng.choice(RISK_PROFILES)[0]


def _contact(s: _Seeder, account: Record, created: int, owner: str, first: str, last: str, number: int,
             address: dict[str, str]) -> Record:
    rng = s.rng
    return s.add(
        "Contact", created, OwnerId=owner, AccountId=account["Id"], FirstName=first, LastName=last,
        Name=f"{first} {last}", Title=s.pick(s.pools.titles) if rng.random() < 0.8 else None,
        Email=f"{first}.{last}{number}@{s.pick(s.pools.domains)}".lower().replace(" ", "").replace("'", ""),
        Phone=account["Phone"], MobilePhone=s.phone(),
        Birthdate=_date(s.now - s.between(25 * 365, 85 * 365) * DAY),
        MailingStreet=address["BillingStreet"], MailingCity=address["BillingCity"],
        MailingState=address["BillingState"], MailingPostalCode=address["BillingPostalCode"],
        MailingCountry="United States", LeadSource=s.pick(("Referral", "Referral", "Web", "Event", "Seminar")),
        HasOptedOutOfEmail=rng.random() < 0.05, DoNotCall=rng.random() < 0.03,
    )


def _leads(s: _Seeder, count: int, people: list[Record]) -> None:
    rng, pools = s.rng, s.pools
    for number in range(count):
        first, last = s.pick(pools.first_female + pools.first_male), s.pick(pools.last)
        created = s.past(5, 2 * 365)
        values: dict[str, Any] = {
            "FirstName": first, "LastName": last, "Name": f"{first} {last}", "OwnerId": s.owner(),
            "Company": f"{last} Family" if rng.random() < 0.6 else s.pick(pools.companies),
            "Email": f"{first}.{last}.lead{number}@{s.pick(pools.domains)}".lower().replace(" ", ""),
            "Phone": s.phone(), "LeadSource": s.pick(("Web", "Event", "Seminar", "Referral")),
            "Rating": s.pick(("Hot", "Warm", "Cold")), "IsConverted": False,
            "Status": s.pick([st for st in LEAD_STATUSES if st != LEAD_CONVERTED_STATUS]),
        }
        if rng.random() < 0.2 and people:
            contact = s.pick(people)
            converted = created + int(rng.random() * (s.now - 120 - created))
            values.update(IsConverted=True, Status=LEAD_CONVERTED_STATUS, ConvertedContactId=contact["Id"],
                          ConvertedAccountId=contact["AccountId"], ConvertedDate=_date(converted))
            s.add("Lead", created, converted, **values)
        else:
            s.add("Lead", created, **values)


def _activities(s: _Seeder, people: list[Record], events: int, tasks: int) -> None:
    rng = s.rng
    today = s.now - s.now % DAY
    for _ in range(events):
        contact = s.pick(people)
        day = today + (s.between(1, 60) if rng.random() < 0.3 else -s.between(1, 365)) * DAY
        add_meeting(s, contact, day)
    for _ in range(tasks):
        contact = s.pick(people)
        add_task(s, contact, today + s.between(-120, 45) * DAY, today)


def _notes(s: _Seeder, people: list[Record], classic: int, enhanced: int) -> None:
    rng = s.rng
    for _ in range(classic):
        contact = s.pick(people)
        body = " ".join(rng.sample(s.pools.sentences, s.between(1, 4)))
        s.add("Note", s.past(1, 365), OwnerId=contact["OwnerId"], ParentId=contact["Id"],
              Title=s.pick(NOTE_TITLES), Body=body, IsPrivate=False)
    for _ in range(enhanced):
        contact = s.pick(people)
        paragraphs = rng.sample(s.pools.sentences, s.between(1, 4))
        markup = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
        data = markup.encode()
        created = s.past(1, 365)
        common = {"Title": s.pick(NOTE_TITLES), "OwnerId": contact["OwnerId"], "FileType": "SNOTE",
                  "FileExtension": "snote", "ContentSize": len(data), "LatestPublishedVersionId": s.ids.new("068")}
        note = s.add("ContentNote", created, created, Content=base64.b64encode(data).decode(),
                     TextPreview=" ".join(paragraphs)[:255], **common)
        twin = s.templates["ContentDocument"].copy()
        twin.update({k: note[k] for k in twin})
        s.store.tables["ContentDocument"][note["Id"]] = twin
        for entity, share in ((note["OwnerId"], "I"), (contact["Id"], "V")):
            link = s.add("ContentDocumentLink", created, created, ContentDocumentId=note["Id"],
                         LinkedEntityId=entity, ShareType=share, Visibility="AllUsers")
            link.pop("CreatedDate", None)


def _archive_and_pipeline(s: _Seeder, people: list[Record], archived: int, opportunities: int) -> None:
    """Activities older than a year (``IsArchived``: only ``queryAll`` returns them) and opportunities
    on the households' accounts (some open, some closed)."""
    today = s.now - s.now % DAY
    for number in range(archived):
        contact = s.pick(people)
        day = today - s.between(400, 900) * DAY
        common = {"OwnerId": contact["OwnerId"], "WhoId": contact["Id"], "WhatId": contact["AccountId"],
                  "IsArchived": True}
        if number % 2:
            start = day + 15 * 3600
            s.add("Event", day - 7 * DAY, day, Subject="Annual review", StartDateTime=_stamp(start),
                  EndDateTime=_stamp(start + 3600), ActivityDateTime=_stamp(start), ActivityDate=_date(start),
                  DurationInMinutes=60, IsAllDayEvent=False, ShowAs="Busy", **common)
        else:
            reminder_off = {"IsReminderSet": False} if "IsReminderSet" in s.templates["Task"] else {}
            s.add("Task", day - 7 * DAY, day, Subject=s.pick(TASK_SUBJECTS), ActivityDate=_date(day),
                  Status="Completed", Priority="Normal", IsClosed=True, IsHighPriority=False, TaskSubtype="Task",
                  CompletedDateTime=_stamp(day), **common, **reminder_off)
    names = ("Retirement rollover", "529 plan", "Annuity review", "Estate plan update", "Managed account")
    for _ in range(opportunities):
        contact = s.pick(people)
        stage, _active, closed, won = s.pick([st for st in OPPORTUNITY_STAGES if st[1]])  # active stages only
        kind = ("won" if won else "lost") if closed else "open"
        close = today + (s.between(5, 120) if kind == "open" else -s.between(5, 200)) * DAY
        created = min(close, s.now) - s.between(10, 90) * DAY
        s.add("Opportunity", created, created + DAY, AccountId=contact["AccountId"], OwnerId=contact["OwnerId"],
              Name=f"{contact['LastName']} – {s.pick(names)}", StageName=stage,
              Amount=float(s.between(10, 500) * 1000), CloseDate=_date(close),
              Probability={"open": 50.0, "won": 100.0, "lost": 0.0}[kind],
              IsClosed=kind != "open", IsWon=kind == "won")
