"""Pure checks of answer shapes (client_validation): what is accepted, and how a wrong answer is named."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.salesforce.errors import OutcomeUnknown, PagingLoop, ResponseProblem, UnreadableResponse
from app.salesforce.paging import PagingGuard
from app.salesforce.response_check import (
    check_composite,
    check_query_page,
    check_save_results,
    diagnose,
    expect_object,
    unknown_outcome,
)
from app.salesforce.results import QueryPage

PAGE = {"totalSize": 1, "done": True, "records": [{"attributes": {"type": "Contact"}, "Id": "003000000000001AAA"}]}
NEXT = "/services/data/v66.0/query/01gD0000002HU6KIAW-2000"


def test_client_validation_accepts_real_query_pages() -> None:
    assert check_query_page(PAGE) is PAGE
    assert check_query_page({"totalSize": 0, "done": True, "records": []})["records"] == []
    more = {"totalSize": 4000, "done": False, "nextRecordsUrl": NEXT, "records": [{"Id": "x"}]}
    assert check_query_page(more) is more


@pytest.mark.parametrize(("data", "problem"), [
    ({}, ResponseProblem.WRONG_SHAPE),
    ([], ResponseProblem.WRONG_SHAPE),
    (None, ResponseProblem.WRONG_SHAPE),
    ({"records": []}, ResponseProblem.WRONG_SHAPE),
    ({"totalSize": "1", "done": True, "records": []}, ResponseProblem.WRONG_SHAPE),
    ({"totalSize": True, "done": True, "records": []}, ResponseProblem.WRONG_SHAPE),
    ({"totalSize": 1, "done": "yes", "records": []}, ResponseProblem.WRONG_SHAPE),
    ({"totalSize": 1, "done": True, "records": {}}, ResponseProblem.WRONG_SHAPE),
    ({"totalSize": 1, "done": True, "records": ["003"]}, ResponseProblem.WRONG_SHAPE),
    ({"totalSize": 9, "done": False, "records": []}, ResponseProblem.WRONG_SHAPE),
    ({"totalSize": 9, "done": False, "records": [], "nextRecordsUrl": "https://evil/x"}, ResponseProblem.WRONG_SHAPE),
    ([{"errorCode": "INVALID_SESSION_ID", "message": "Session expired"}], ResponseProblem.ERROR_BODY),
])
def test_client_validation_rejects_wrong_query_pages(data: Any, problem: ResponseProblem) -> None:
    with pytest.raises(UnreadableResponse) as caught:
        check_query_page(data)
    assert caught.value.problem is problem
    assert caught.value.error_code == problem.value
    assert str(caught.value).endswith("Notebridge will try again later.")


def test_client_validation_error_body_keeps_salesforce_words() -> None:
    with pytest.raises(UnreadableResponse) as caught:
        expect_object([{"errorCode": "UNKNOWN_EXCEPTION", "message": "An unexpected error occurred."}], "x")
    assert "An unexpected error occurred." in str(caught.value)
    assert caught.value.details[0].error_code == "UNKNOWN_EXCEPTION"


def test_client_validation_save_results_must_match_the_records_sent() -> None:
    ok = [{"id": "00T000000000001AAA", "success": True, "errors": []},
          {"success": False, "errors": [{"statusCode": "REQUIRED_FIELD_MISSING", "message": "m"}]}]
    assert check_save_results(ok, 2) is ok
    for bad in ([], ok[:1], {}, None, [{"id": "00T"}, {"success": True}], ok + ok):
        with pytest.raises(UnreadableResponse):
            check_save_results(bad, 2)


def test_client_validation_composite_needs_one_result_per_subrequest() -> None:
    good = {"compositeResponse": [{"referenceId": "a", "httpStatusCode": 201, "body": {"id": "x"}}]}
    assert len(check_composite(good, 1)) == 1
    for bad in ({}, {"compositeResponse": []}, {"compositeResponse": [{"referenceId": "a"}]}, [good]):
        with pytest.raises(UnreadableResponse):
            check_composite(bad, 1)


@pytest.mark.parametrize(("body", "content_type", "problem"), [
    (b"<!DOCTYPE html><html><title>Proxy</title></html>", "text/html", ResponseProblem.NOT_JSON),
    (b"  <html>", "", ResponseProblem.NOT_JSON),
    (b'{"totalSize":2,"records":[{"Id":"00', "application/json", ResponseProblem.TRUNCATED),
    (b"", "application/json", ResponseProblem.TRUNCATED),
    (b'{"Name":"\xc3\x28"}', "application/json", ResponseProblem.INVALID_UTF8),
])
def test_client_validation_diagnose_names_the_problem(body: bytes, content_type: str, problem: ResponseProblem) -> None:
    assert diagnose(body, content_type).problem is problem


def test_client_validation_unreadable_write_answer_is_outcome_unknown() -> None:
    error = unknown_outcome(diagnose(b"<html>", "text/html"))
    assert isinstance(error, OutcomeUnknown)
    assert "not known whether Salesforce saved" in str(error)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["totalSize", "done", "records", "nextRecordsUrl", "errorCode", "message", "Id"]),
        inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(_json_values)
def test_client_validation_any_json_is_a_valid_page_or_unreadable(data: Any) -> None:
    """Whatever JSON arrives, the check either passes a page whose fields are what ``QueryPage``
    reads, or raises ``UnreadableResponse`` — never anything else, never a silent "0 rows"."""
    try:
        page = check_query_page(data)
    except UnreadableResponse:
        return
    parsed = QueryPage.from_json(page)
    assert parsed.total_size == page["totalSize"] and parsed.done is page["done"]
    assert len(parsed.records) == len(page["records"])
    assert parsed.done or (parsed.next_records_url or "").startswith("/services/data/")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_client_validation_any_bytes_diagnose_to_a_problem(body: bytes) -> None:
    error = diagnose(body, "application/json")
    assert isinstance(error, UnreadableResponse)
    assert error.problem in (ResponseProblem.NOT_JSON, ResponseProblem.TRUNCATED, ResponseProblem.INVALID_UTF8)
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        assert error.problem in (ResponseProblem.INVALID_UTF8, ResponseProblem.NOT_JSON)


def _page(n: int, next_n: int | None, records: int = 1, total: int = 10) -> QueryPage:
    url = f"/services/data/v66.0/query/01g-{next_n}" if next_n is not None else None
    return QueryPage([{"Id": str(n)}] * records, total, url is None, url)


def test_client_validation_paging_guard_follows_real_paging() -> None:
    guard = PagingGuard(_page(1, 2, records=4, total=10))
    page = _page(1, 2, records=4, total=10)
    for n in (2, 3):
        url = guard.next_url(page)
        page = _page(n, n + 1 if n < 3 else None, records=3, total=10)
        PagingGuard.check_step(url, page)
        guard.add(page)
    assert guard.records == 10 and guard.pages == 3


def test_client_validation_paging_guard_catches_loops() -> None:
    guard = PagingGuard(_page(1, 2))
    guard.next_url(_page(1, 2))
    guard.add(_page(2, 3))
    guard.next_url(_page(2, 3))
    guard.add(_page(3, 2))
    with pytest.raises(PagingLoop):
        guard.next_url(_page(3, 2))  # back to page 2
    with pytest.raises(PagingLoop):
        PagingGuard.check_step("/services/data/v66.0/query/01g-5", _page(5, 5))  # points at itself
    with pytest.raises(PagingLoop):
        PagingGuard(_page(1, 2)).next_url(_page(1, 2, records=0))  # empty yet "more to come"
    over = PagingGuard(_page(1, 2, records=5, total=6))
    with pytest.raises(PagingLoop):
        over.add(_page(2, 3, records=5, total=6))  # more records than the query counted
