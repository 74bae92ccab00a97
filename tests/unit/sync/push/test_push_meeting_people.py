"""Who of a meeting's other attendees is related in Salesforce and who is named (pure), and the email's
address parsing for an unmatched email."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.store.activities import Attendee
from app.store.prospects import PROVISIONAL_PREFIX
from app.sync.push.kinds.email_client import addresses, new_person
from app.sync.push.kinds.meeting_people import MAX_CONTACTS, description, plan

CLIENT = "003000000000000AAA"


def _contact(n: int, name: str | None = None) -> Attendee:
    return Attendee(n, f"003{n:012d}AAA", "Contact", name or f"Contact {n}")


def _lead(n: int) -> Attendee:
    return Attendee(n, f"00Q{n:012d}AAA", "Lead", f"Lead {n}")


def test_log_meeting_plan_relates_contacts_names_leads_and_everyone_without_sharing() -> None:
    people = [_contact(1), _lead(2), _contact(3), Attendee(4, "", "Contact", "Gone Person"),
              Attendee(5, f"{PROVISIONAL_PREFIX}x", "Contact", "New Person")]
    shared = plan(CLIENT, people, shared=True)
    assert shared.related == (_contact(1).sf_id, _contact(3).sf_id)
    assert shared.named == ("Lead 2", "Gone Person", "New Person")
    alone = plan(CLIENT, people, shared=False)
    assert alone.related == () and alone.named == ("Contact 1", "Lead 2", "Contact 3", "Gone Person", "New Person")
    on_a_lead = plan(_lead(9).sf_id, [_contact(1)], shared=True)  # "50 contacts or one lead"
    assert on_a_lead.related == () and on_a_lead.named == ("Contact 1",)
    assert plan(CLIENT, [Attendee(0, CLIENT, "Contact", "The client")], shared=True) == plan(CLIENT, [], shared=True)


def test_log_meeting_plan_relates_at_most_fifty_contacts_with_the_client() -> None:
    many = [_contact(n) for n in range(1, 61)]
    result = plan(CLIENT, many, shared=True)
    assert len(result.related) == MAX_CONTACTS - 1 and len(result.named) == 60 - (MAX_CONTACTS - 1)
    assert description("Agenda", result.named[:2]) == "Agenda\n\nAlso attending: Contact 50, Contact 51"
    assert description("", ()) is None and description(" ", ("A",)) == "Also attending: A"


_people = st.lists(st.builds(lambda n, lead, gone: Attendee(
    n, "" if gone else (f"00Q{n:012d}AAA" if lead else f"003{n:012d}AAA"), "Lead" if lead else "Contact",
    f"P{n}"), st.integers(1, 200), st.booleans(), st.booleans()), max_size=70, unique_by=lambda a: a.contact_id)


@given(people=_people, shared=st.booleans(), primary_lead=st.booleans())
def test_log_meeting_plan_accounts_for_everyone_once(people: list[Attendee], shared: bool, primary_lead: bool) -> None:
    primary = "00Q999999999999AAA" if primary_lead else CLIENT
    result = plan(primary, people, shared=shared)
    assert all(r.startswith("003") for r in result.related) and len(result.related) <= MAX_CONTACTS - 1
    assert not result.related or (shared and not primary_lead)
    related_names = {p.name for p in people if p.sf_id in result.related}
    assert related_names.isdisjoint(result.named)
    assert related_names | set(result.named) == {p.name for p in people}


def test_log_email_addresses_sender_first_each_once_and_a_lead_from_the_name() -> None:
    fields = {"sender": "Priya Natarajan <Priya@New.example>", "to": "advisor@firm.example, priya@new.example",
              "cc": "not an address"}
    assert addresses(fields) == [("Priya Natarajan", "priya@new.example"), ("", "advisor@firm.example")]
    lead = new_person("Priya Natarajan", "priya@new.example")
    assert (lead.first_name, lead.last_name, lead.account_name) == ("Priya", "Natarajan", "Priya Natarajan")
    assert lead.problems("Lead") == []
    bare = new_person("", "jo@new.example")
    assert (bare.first_name, bare.last_name, bare.account_name) == ("", "jo", "jo") and bare.problems("Lead") == []
