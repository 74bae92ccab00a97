"""What the workspace page shows when there is no list to show, the banner above it and the status line.

Every state says what happened and offers the next step: never connected, disconnected (the
workspace is kept), first sync running, client sync off, pick mode with nobody picked yet, offline,
the daily API limit, nothing matching the search.  The decision is a pure function of
:class:`PageFacts` (so it is tested without widgets); ``WorkspacePage`` gathers the facts and
applies the :class:`PageView` it gets back.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from app.services.client_sync import PullOutcome, PullResult
from app.sync.connection import ConnectionStatus
from app.ui.widgets.inline_message import Kind
from app.ui.workspace.list_model import SEARCH_LIMIT


class Body(Enum):
    LIST = "list"
    EMPTY = "empty"
    LOADING = "loading"


class EmptyAction(Enum):
    """What the empty state's button does."""

    CONNECT = "connect"
    ENABLE = "enable"
    PICK = "pick"
    SYNC = "sync"


class BannerLink(Enum):
    CONNECT = "connect"


@dataclass(frozen=True)
class PageFacts:
    connection_id: int | None
    status: ConnectionStatus | None
    contacts_enabled: bool
    pick_mode: bool
    can_sync: bool  # a scheduler exists
    total: int
    searching: bool
    shown: int
    query: str
    syncing: bool
    progress_message: str | None
    last_result: PullResult | None
    can_add_person: bool = False  # connected to a workspace: "Add a person…" can save someone


@dataclass(frozen=True)
class EmptyView:
    action: EmptyAction
    title: str
    text: str
    button: str | None


@dataclass(frozen=True)
class BannerView:
    level: Kind
    text: str
    fix: str = ""
    link: tuple[BannerLink, str] | None = None


@dataclass(frozen=True)
class NoResultsView:
    """Nothing matches: the details of whoever was open before are cleared (they are not a match),
    and the search text is offered as a new person (``add_person`` is the button's words)."""

    title: str
    text: str
    offer_salesforce_search: bool
    add_person: str | None = None


@dataclass(frozen=True)
class PageView:
    body: Body
    empty: EmptyView | None
    no_results: NoResultsView | None
    banner: BannerView | None
    status: str
    show_pick_button: bool
    sync_enabled: bool
    add_person_enabled: bool = False


_PROBLEM_OUTCOMES = (PullOutcome.LIMIT, PullOutcome.BUSY, PullOutcome.FAILED, PullOutcome.OFFLINE,
                     PullOutcome.PARTIAL, PullOutcome.NEEDS_ATTENTION, PullOutcome.SESSION_POLICY)


def decide(facts: PageFacts) -> PageView:
    connected = facts.status is not None and facts.status.state == "connected"
    return PageView(
        body=_body(facts),
        empty=_empty(facts, connected),
        no_results=_no_results(facts),
        banner=_banner(facts),
        status=_status(facts),
        show_pick_button=facts.pick_mode,
        sync_enabled=facts.can_sync and facts.connection_id is not None,
        add_person_enabled=facts.can_add_person,
    )


def _body(facts: PageFacts) -> Body:
    if facts.connection_id is None:
        return Body.EMPTY
    if facts.total == 0 and not facts.searching:
        return Body.LOADING if facts.syncing else Body.EMPTY
    return Body.LIST


def _empty(facts: PageFacts, connected: bool) -> EmptyView | None:
    if facts.connection_id is None:
        return EmptyView(EmptyAction.CONNECT, "Connect Salesforce to see your clients",
                         "Notebridge copies your clients from Salesforce so you can find them instantly and "
                         "write notes even when you are offline. Setup takes about 10 minutes.",
                         "Connect Salesforce…")
    if _body(facts) is not Body.EMPTY:
        return None
    if not facts.contacts_enabled:
        return EmptyView(EmptyAction.ENABLE, "Client sync is off",
                         "Turn it on to copy your clients from Salesforce.", "Turn client sync on")
    if facts.pick_mode:
        return EmptyView(EmptyAction.PICK, "Add the clients you work with",
                         "Pick mode is on: search Salesforce and add the people you want here. Only they "
                         "are kept up to date.", "Add from Salesforce…")
    if connected:
        return EmptyView(EmptyAction.SYNC, "No clients yet",
                         "Your workspace is empty. Sync to copy your clients from Salesforce.", "Sync now")
    return EmptyView(EmptyAction.CONNECT, "No clients in this workspace",
                     "Connect Salesforce to copy your clients here.", "Connect Salesforce…")


def _no_results(facts: PageFacts) -> NoResultsView | None:
    if not (facts.searching and facts.shown == 0):
        return None
    return NoResultsView(
        f"No clients match “{facts.query}”",
        "Check the spelling, or try part of the name, e-mail, phone number, household or city."
        + (" Or add them from Salesforce." if facts.pick_mode else ""),
        offer_salesforce_search=facts.pick_mode and facts.can_sync,
        add_person=add_person_words(facts.query) if facts.can_add_person else None)


_MAX_QUOTED = 40


def add_person_words(query: str) -> str:
    """The no-results button: "Add “Priya Raman” as a new person" (a long query is shortened)."""
    shown = " ".join(query.split())
    if len(shown) > _MAX_QUOTED:
        shown = shown[: _MAX_QUOTED - 1].rstrip() + "…"
    return f"Add “{shown}” as a new person" if shown else "Add a new person…"


def shown_objects(client_object: str, include_leads: bool, new_people_as: str) -> tuple[str, ...]:
    """The Salesforce objects the workspace lists: the clients, leads when they are synced, and
    what new people are created as — so someone the advisor adds as a Lead is found at once and
    after the push, even when leads are not synced."""
    objects = [client_object]
    for extra in ("Lead" if include_leads else None, new_people_as):
        if extra and extra not in objects:
            objects.append(extra)
    return tuple(objects)


def _status(facts: PageFacts) -> str:
    total = facts.total
    parts = [f"{total:,} client{'s' if total != 1 else ''}"] if facts.connection_id is not None else []
    if facts.searching:
        if facts.shown >= SEARCH_LIMIT:  # the search stops at the best SEARCH_LIMIT: say so, and what to do
            parts.append(f"best {facts.shown:,} matches, type more to narrow them down")
        else:
            parts.append(f"{facts.shown:,} match{'es' if facts.shown != 1 else ''}")
    if facts.syncing and facts.progress_message:
        parts.append(facts.progress_message)
    return " · ".join(parts)


def _banner(facts: PageFacts) -> BannerView | None:
    status, result = facts.status, facts.last_result
    reconnect = (BannerLink.CONNECT, "Reconnect Salesforce…")
    if facts.connection_id is not None and status is not None and status.state == "not_connected":
        return BannerView("warn", "Salesforce is disconnected. Your clients, notes and tasks are kept here.",
                          fix="Nothing is synced until you reconnect.", link=reconnect)
    if status is not None and status.state == "needs_attention":
        return BannerView("error", status.reason or "Salesforce needs attention.", fix=status.fix, link=reconnect)
    if status is not None and status.offline and status.not_answering:
        return BannerView("warn", "Salesforce isn't answering. Search and notes work as usual; Notebridge waits, "
                                  "then tries again by itself and never sends anything twice.")
    if status is not None and status.offline:
        return BannerView("info", "You are offline. Search and notes work as usual; Notebridge syncs when you "
                                  "are back.")
    if result is not None and result.outcome in _PROBLEM_OUTCOMES:
        return BannerView("info" if result.outcome is PullOutcome.PARTIAL else "warn", result.message)
    if result is not None and result.outcome is PullOutcome.OFF:
        return BannerView("info", result.message)
    return None
