"""The workspace page's states as a pure decision: facts in, what to show out (no widgets)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.sync.connection import NOT_CONNECTED, ConnectionStatus
from app.sync.pull.types import PullResult
from app.ui.workspace.list_model import SEARCH_LIMIT
from app.ui.workspace.states import BannerLink, Body, EmptyAction, PageFacts, decide

CONNECTED = ConnectionStatus("connected")
FACTS = PageFacts(connection_id=1, status=CONNECTED, contacts_enabled=True, pick_mode=False, can_sync=True,
                  total=1200, searching=False, shown=1200, query="", syncing=False, progress_message=None,
                  last_result=None)


def test_states_a_workspace_with_clients_shows_the_list_and_counts_them() -> None:
    view = decide(FACTS)
    assert view.body is Body.LIST and view.empty is None and view.banner is None
    assert view.status == "1,200 clients"
    assert decide(replace(FACTS, total=1, shown=1)).status == "1 client"


def test_states_never_connected_offers_to_connect_and_says_nothing_about_counts() -> None:
    view = decide(replace(FACTS, connection_id=None, status=NOT_CONNECTED, total=0, shown=0))
    assert view.body is Body.EMPTY and view.empty is not None
    assert view.empty.action is EmptyAction.CONNECT and view.empty.button == "Connect Salesforce…"
    assert view.status == "" and not view.sync_enabled


@pytest.mark.parametrize(("changes", "action"), [
    ({"contacts_enabled": False}, EmptyAction.ENABLE),
    ({"pick_mode": True}, EmptyAction.PICK),
    ({}, EmptyAction.SYNC),
    ({"status": ConnectionStatus("not_connected")}, EmptyAction.CONNECT),
])
def test_states_an_empty_workspace_offers_the_next_step(changes: dict[str, object], action: EmptyAction) -> None:
    view = decide(replace(FACTS, total=0, shown=0, **changes))  # type: ignore[arg-type]
    assert view.body is Body.EMPTY and view.empty is not None and view.empty.action is action


def test_states_first_sync_shows_loading_then_progress_in_the_status_line() -> None:
    view = decide(replace(FACTS, total=0, shown=0, syncing=True, progress_message="Syncing contacts: 2,000 of 8,000"))
    assert view.body is Body.LOADING and view.empty is None
    assert view.status == "0 clients · Syncing contacts: 2,000 of 8,000"


def test_states_search_counts_matches_and_says_when_it_stopped_at_the_limit() -> None:
    assert decide(replace(FACTS, searching=True, shown=3, query="ram")).status == "1,200 clients · 3 matches"
    capped = decide(replace(FACTS, searching=True, shown=SEARCH_LIMIT, query="a")).status
    assert capped.endswith("type more to narrow them down")
    none = decide(replace(FACTS, searching=True, shown=0, query="zzz"))
    assert none.body is Body.LIST and none.no_results is not None
    assert none.no_results.title == "No clients match “zzz”" and not none.no_results.offer_salesforce_search
    picking = decide(replace(FACTS, searching=True, shown=0, query="zzz", pick_mode=True))
    assert picking.no_results is not None and picking.no_results.offer_salesforce_search


def test_states_banner_says_disconnected_attention_offline_or_the_last_problem() -> None:
    disconnected = decide(replace(FACTS, status=ConnectionStatus("not_connected"))).banner
    assert disconnected is not None and disconnected.level == "warn"
    assert disconnected.link == (BannerLink.CONNECT, "Reconnect Salesforce…")
    attention = decide(replace(FACTS, status=ConnectionStatus("needs_attention", "Your Salesforce sign-in expired.",
                                                              "Reconnect."))).banner
    assert attention is not None and attention.text == "Your Salesforce sign-in expired."
    assert attention.fix == "Reconnect."
    offline = decide(replace(FACTS, status=ConnectionStatus("connected", offline=True))).banner
    assert offline is not None and offline.level == "info" and "offline" in offline.text
    limit = decide(replace(FACTS, last_result=PullResult("limit", "The daily API allowance is used up."))).banner
    assert limit is not None and limit.level == "warn"
    assert decide(replace(FACTS, last_result=PullResult("ok", "Up to date"))).banner is None


def test_add_person_offered_when_nothing_matches_only_if_someone_can_be_saved() -> None:
    from app.ui.workspace.states import add_person_words, shown_objects

    facts = PageFacts(connection_id=1, status=None, contacts_enabled=True, pick_mode=False, can_sync=True,
                      total=10, searching=True, shown=0, query="Priya  Raman", syncing=False,
                      progress_message=None, last_result=None, can_add_person=True)
    view = decide(facts)
    assert view.no_results is not None and view.no_results.add_person == "Add “Priya Raman” as a new person"
    assert view.add_person_enabled
    offline_tool = decide(replace(facts, can_add_person=False))
    assert offline_tool.no_results is not None and offline_tool.no_results.add_person is None
    assert not offline_tool.add_person_enabled
    assert add_person_words("x" * 100).endswith("…” as a new person") and len(add_person_words("x" * 100)) < 70
    assert shown_objects("Contact", False, "Lead") == ("Contact", "Lead")
    assert shown_objects("Contact", True, "Contact") == ("Contact", "Lead")
    assert shown_objects("Account", False, "Contact") == ("Account", "Contact")
