"""`notebridge doctor --org-check`: try each write the push makes, once, on throwaway records.

Why: whether a push goes through in a real org depends on rules only that org can answer (the HTML a
ContentNote keeps, how a ContentDocumentLink may be shared, how strict the Task picklists are, whether
classic Notes may be created, what a person-account org asks of a new Account). The demo org models
each strictly (docs/salesforce-fidelity.md lists them with their sources); this check asks the real
org. Every record it creates carries a marker in its name and is deleted afterwards — even when a step
fails — and a final sweep looks the marker up, so a create whose answer was lost is deleted too.
The payloads are the push's own (``app.sync.push.mapping``), so the check tries what the app sends.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.salesforce import soql
from app.salesforce.client import SalesforceClient
from app.salesforce.errors import NotFound, SalesforceError
from app.sync import picklists
from app.sync.push.mapping import link_record
from app.sync.push.markdown_html import html_to_text, markdown_to_html
from app.sync.push.reconcile import content_of

# What an advisor's note can hold: headings, emphasis, lists, a link, and characters that must be escaped.
SAMPLE_MARKDOWN = (
    "# Review meeting\n\nDiscussed **retirement** goals & *risk* <tolerance>.\n\n"
    "- Rebalance 60/40 → 70/30\n- Call back \"next week\"\n\n1. Send forms\n2. Book follow-up\n\n"
    "See [the plan](https://example.com/plan?a=1&b=2). Café, 日本, 🙂"
)
MARKER = "Notebridge org check"


class Outcome(StrEnum):
    """What one rule means for the app in this org."""

    FINE = "fine"  # the app's write went through
    WILL_FAIL = "will_fail"  # the org refused the app's write: the advisor would hit this
    NOT_USED = "not_used"  # the app does not make this write with the current settings / org


@dataclass(frozen=True)
class RuleResult:
    rule_id: str  # the id in docs/salesforce-fidelity.md
    name: str
    outcome: Outcome
    detail: str
    fix: str = ""


@dataclass
class OrgCheckReport:
    results: list[RuleResult] = field(default_factory=list)
    left_behind: list[tuple[str, str]] = field(default_factory=list)  # (object, Id) that could not be deleted
    stopped: str = ""  # why the check ended early (a request failed as a whole), in plain words
    stopped_fix: str = ""

    @property
    def ok(self) -> bool:
        return (not self.left_behind and not self.stopped
                and all(r.outcome is not Outcome.WILL_FAIL for r in self.results))


def _fix(exc: SalesforceError, otherwise: str) -> str:
    """A validation rule is the admin's own rule, whatever the write: say so rather than guess."""
    code = exc.details[0].error_code if exc.details else exc.error_code
    if code == "FIELD_CUSTOM_VALIDATION_EXCEPTION":
        return ("this is a validation rule your Salesforce admin set; ask them whether it should apply to "
                "records Notebridge writes (its message is above)")
    return otherwise


def _refusal(exc: SalesforceError) -> str:
    detail = exc.details[0] if exc.details else None
    code = detail.error_code if detail else exc.error_code
    message = (detail.message if detail else exc.message) or code
    fields = ", ".join(detail.fields if detail else exc.fields)
    return f"Salesforce refused it ({code}{'; field ' + fields if fields else ''}): {message}"


class _Throwaway:
    """Creates records under the marker and deletes them all, newest first."""

    def __init__(self, client: SalesforceClient, token: str) -> None:
        self.client = client
        self.label = f"{MARKER} {token} (safe to delete)"
        self.created: list[tuple[str, str]] = []
        self.tried: set[str] = set()

    async def create(self, sobject: str, fields: dict[str, Any]) -> str:
        self.tried.add(sobject)
        record_id = await self.client.create(sobject, fields)
        self.created.append((sobject, record_id))
        return record_id

    async def clean_up(self) -> list[tuple[str, str]]:
        left: list[tuple[str, str]] = []
        for sobject, record_id in reversed(self.created):
            if not await self._delete(sobject, record_id):
                left.append((sobject, record_id))
        for sobject, record_id in await self._sweep():  # creates whose answer was lost
            if (sobject, record_id) not in left and not await self._delete(sobject, record_id):
                left.append((sobject, record_id))
        return left

    async def _delete(self, sobject: str, record_id: str) -> bool:
        try:
            await self.client.delete(sobject, record_id)
        except NotFound:
            return True  # already gone (deleted with its parent)
        except SalesforceError as exc:
            return exc.error_code == "ENTITY_IS_DELETED"
        return True

    async def _sweep(self) -> list[tuple[str, str]]:
        by_name = {"Contact": "LastName", "Account": "Name", "Task": "Subject", "ContentNote": "Title",
                   "Note": "Title"}
        found: list[tuple[str, str]] = []
        for sobject, name_field in by_name.items():
            if sobject not in self.tried:
                continue
            query = soql.select(["Id"], sobject, where=soql.fmt("{:field} = {}", name_field, self.label))
            try:
                found += [(sobject, str(r["Id"])) for r in await self.client.query_list(query)]
            except SalesforceError:
                continue  # the delete pass already covered every create that answered
        return found


async def run_org_check(client: SalesforceClient, *, note_type: str = "ContentNote",
                        between_steps: Callable[[str], Awaitable[None]] | None = None) -> OrgCheckReport:
    """Try each risky write once and delete everything afterwards. ``between_steps`` lets a test fail
    the check mid-way (it is awaited before each step with the step's rule id)."""
    report = OrgCheckReport()
    throwaway = _Throwaway(client, secrets.token_hex(4))
    try:
        await _steps(client, throwaway, note_type, report, between_steps)
    except SalesforceError as exc:  # the org or the network stopped the check; what was created goes
        refused = bool(exc.details)  # the org answered about the record, rather than failing the request
        report.stopped = f"the check stopped early: {_refusal(exc) if refused else exc.message or exc.error_code}"
        otherwise = ("ask your Salesforce admin whether your user may create Contacts" if refused
                     else "run `notebridge doctor --org-check` again later")
        report.stopped_fix = _fix(exc, otherwise)
    finally:
        report.left_behind = await throwaway.clean_up()
    return report


async def _steps(client: SalesforceClient, throwaway: _Throwaway, note_type: str, report: OrgCheckReport,
                 between: Callable[[str], Awaitable[None]] | None) -> None:
    async def step(rule_id: str) -> None:
        if between is not None:
            await between(rule_id)

    await step("contact")
    contact_id = await throwaway.create("Contact", {"LastName": throwaway.label})
    await step("content-note-html")
    document_id = await _content_note(client, throwaway, note_type, report)
    await step("link-share-values")
    _link(report, await _try(lambda: throwaway.create(
        "ContentDocumentLink", link_record(document_id, contact_id))) if document_id else None, document_id)
    await step("picklist-restricted")
    report.results.append(await _task(client, throwaway, contact_id))
    await step("classic-notes-off")
    report.results.append(await _classic_note(throwaway, note_type, contact_id))
    await step("person-account")
    report.results.append(await _household(client, throwaway))


async def _try(create: Callable[[], Awaitable[str]]) -> str | SalesforceError:
    try:
        return await create()
    except SalesforceError as exc:
        return exc


async def _content_note(client: SalesforceClient, throwaway: _Throwaway, note_type: str,
                        report: OrgCheckReport) -> str | None:
    name = "Enhanced note with the app's formatting"
    if note_type != "ContentNote":
        report.results.append(RuleResult("content-note-html", name, Outcome.NOT_USED,
                                         "this connection writes classic Notes"))
        return None
    sent = markdown_to_html(SAMPLE_MARKDOWN)
    content = base64.b64encode(sent.encode()).decode("ascii")
    created = await _try(lambda: throwaway.create("ContentNote", {"Title": throwaway.label, "Content": content}))
    if isinstance(created, SalesforceError):
        report.results.append(RuleResult(
            "content-note-html", name, Outcome.WILL_FAIL, _refusal(created), _fix(
                created, "make sure Notes (Enhanced Notes) is turned on in Setup → Notes Settings and that users "
                "may create Notes; or switch Notebridge to classic Notes in Settings → Push")))
        return None
    report.results.append(await _read_back(client, created, sent, name))
    return created


async def _read_back(client: SalesforceClient, note_id: str, sent: str, name: str) -> RuleResult:
    """The push recognises its own notes (after a lost answer, in conflict checks) by their words as
    Salesforce stores them: an org that changes them would show conflicts nobody made."""
    try:
        stored = await content_of(client, await client.retrieve("ContentNote", note_id, ["Content"]))
    except SalesforceError as exc:
        return RuleResult("content-note-html", name, Outcome.FINE,
                          f"accepted (its stored text could not be read back: {exc.error_code})")
    if html_to_text(stored) != html_to_text(sent):
        return RuleResult("content-note-html", name, Outcome.WILL_FAIL,
                          "accepted, but Salesforce changed its words as it stored them",
                          "tell Notebridge's support: notes may show as changed in Salesforce when they were not")
    return RuleResult("content-note-html", name, Outcome.FINE,
                      "a note with headings, lists, links and special characters is accepted and stored as sent")


def _link(report: OrgCheckReport, created: str | SalesforceError | None, document_id: str | None) -> None:
    name = "Note shared on the client's record (ShareType V, Visibility AllUsers)"
    if document_id is None:
        report.results.append(RuleResult("link-share-values", name, Outcome.NOT_USED,
                                         "no enhanced note to link (see the line above)"))
    elif isinstance(created, SalesforceError):
        report.results.append(RuleResult(
            "link-share-values", name, Outcome.WILL_FAIL, _refusal(created),
            _fix(created, "ask your Salesforce admin to let users share files on Contacts (Files sharing settings)")))
    else:
        report.results.append(RuleResult("link-share-values", name, Outcome.FINE, "the link is accepted"))


async def _task(client: SalesforceClient, throwaway: _Throwaway, contact_id: str) -> RuleResult:
    name = "Task with the org's default Status and Priority"
    fields: dict[str, Any] = {"Subject": throwaway.label, "WhoId": contact_id}
    try:  # the push fills an unset Status/Priority with the org's defaults, read as it reads them
        lists = await picklists.fetch(client)
        fields.update({k: v for k, v in (("Status", lists.default_status), ("Priority", lists.default_priority)) if v})
    except SalesforceError:
        pass  # then Salesforce's own defaults apply, as they would for the push
    restricted = []
    try:
        described = {f.get("name"): f for f in (await client.describe("Task")).get("fields", [])}
        restricted = [n for n in ("Status", "Priority") if (described.get(n) or {}).get("restrictedPicklist")]
    except SalesforceError:
        pass  # the write below still says whether the app's task goes through
    created = await _try(lambda: throwaway.create("Task", fields))
    strict = (f"{' and '.join(restricted)} {'is a' if len(restricted) == 1 else 'are'} restricted picklist"
              f"{'' if len(restricted) == 1 else 's'}: only the org's own values are accepted, which Notebridge "
              "offers") if restricted else "Status and Priority accept any value"
    if isinstance(created, SalesforceError):
        return RuleResult("picklist-restricted", name, Outcome.WILL_FAIL, _refusal(created),
                          _fix(created, "ask your Salesforce admin to give Task Status and Priority a default value"))
    return RuleResult("picklist-restricted", name, Outcome.FINE, f"accepted; {strict}")


async def _classic_note(throwaway: _Throwaway, note_type: str, contact_id: str) -> RuleResult:
    name = "Classic note on the client"
    if note_type != "Note":
        return RuleResult("classic-notes-off", name, Outcome.NOT_USED, "Notebridge writes Enhanced Notes here")
    created = await _try(lambda: throwaway.create(
        "Note", {"ParentId": contact_id, "Title": throwaway.label, "Body": "Notebridge org check"}))
    if isinstance(created, SalesforceError):
        return RuleResult("classic-notes-off", name, Outcome.WILL_FAIL, _refusal(created), _fix(
            created, "classic Notes are switched off or not allowed for your user: switch Notebridge to "
            "Enhanced Notes in Settings → Push"))
    return RuleResult("classic-notes-off", name, Outcome.FINE, "accepted")


async def _household(client: SalesforceClient, throwaway: _Throwaway) -> RuleResult:
    """In a person-account org a new person's household is a business Account: its record type must
    allow a Name-only Account (the user's default record type decides)."""
    name = "New person's household account in a person-account org"
    try:
        fields = {f.get("name") for f in (await client.describe("Account")).get("fields", [])}
    except SalesforceError as exc:
        return RuleResult("person-account", name, Outcome.WILL_FAIL, _refusal(exc),
                          "ask your Salesforce admin to let your user read Accounts")
    if "IsPersonAccount" not in fields:
        return RuleResult("person-account", name, Outcome.NOT_USED, "this org has no person accounts")
    created = await _try(lambda: throwaway.create("Account", {"Name": throwaway.label}))
    if isinstance(created, SalesforceError):
        return RuleResult("person-account", name, Outcome.WILL_FAIL, _refusal(created), _fix(
            created, "ask your Salesforce admin to make a business account record type your default "
                          "for Accounts, or add new people as Leads in Settings → Sync"))
    return RuleResult("person-account", name, Outcome.FINE, "a business account is accepted")
