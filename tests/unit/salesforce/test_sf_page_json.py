"""Query pages parsed in slices read exactly what one whole parse reads, whatever the page holds."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import pytest

from app.salesforce.page_json import parse_json, parse_page, slice_records

SMALL_SLICE = 300  # bytes: forces many slices out of a few records


def _record(n: int, **extra: Any) -> dict[str, Any]:
    return {"attributes": {"type": "Contact", "url": f"/services/data/v62.0/sobjects/Contact/003{n:015d}"},
            "Id": f"003{n:015d}", "LastName": f"Name{n}", **extra}


def _page(records: list[dict[str, Any]], *, records_last: bool = True) -> bytes:
    head = {"totalSize": len(records) * 3, "done": False, "nextRecordsUrl": "/services/data/v62.0/query/01g-2000"}
    body = {**head, "records": records} if records_last else {"records": records, **head}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def _parsed_in_slices(body: bytes, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr("app.salesforce.page_json.SLICE_BYTES", SMALL_SLICE)
    return asyncio.run(parse_page(body))


def test_a_page_is_cut_between_records_and_read_back_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    body = _page([_record(n) for n in range(40)])
    sliced = slice_records(body, SMALL_SLICE)
    assert sliced is not None
    envelope, pieces = sliced
    assert json.loads(envelope)["records"] == [] and len(pieces) > 5
    assert sum(len(json.loads(p)) for p in pieces) == 40
    assert _parsed_in_slices(body, monkeypatch) == json.loads(body)


@pytest.mark.parametrize("case", [
    "gap text inside a string", "child subquery records", "records not the last key", "accents and emoji",
    "one huge record", "escaped quotes and backslashes",
])
def test_awkward_pages_read_the_same_as_one_parse(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    records = [_record(n) for n in range(30)]
    if case == "gap text inside a string":
        records[3]["Description"] = 'a "},{"attributes":" b' * 20
    elif case == "child subquery records":  # "},{"attributes":" one level down, between child records
        records[5]["Contacts"] = {"totalSize": 20, "done": True, "records": [_record(900 + n) for n in range(20)]}
    elif case == "accents and emoji":
        records[7]["LastName"] = "Zoë O'Brien-Ñúñez 🙂"
    elif case == "one huge record":
        records[1]["Description"] = "x" * 5000
    elif case == "escaped quotes and backslashes":
        records[2]["Description"] = 'ends with a backslash \\'
        records[3]["Description"] = '\\"},{"attributes":'
    body = _page(records, records_last=case != "records not the last key")
    assert _parsed_in_slices(body, monkeypatch) == json.loads(body)


def test_random_pages_read_the_same_as_one_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(11)
    alphabet = ['"', "\\", "{", "}", "[", "]", ",", ":", "a", "é", " ", '},{"attributes":']
    for _ in range(60):
        records = [_record(n, Note="".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))))
                   for n in range(rng.randint(0, 25))]
        body = _page(records, records_last=rng.random() < 0.8)
        assert _parsed_in_slices(body, monkeypatch) == json.loads(body)


def test_small_pages_and_other_shapes_are_parsed_whole() -> None:
    assert slice_records(b'{"totalSize":0,"done":true,"records":[]}', 10) is None
    assert slice_records(b'[1,2,3]' * 100, 10) is None  # not a query response
    assert slice_records(b'{"records":"not an array"}' * 10, 10) is None


def test_broken_json_still_fails_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    body = _page([_record(n) for n in range(30)])[:-40]  # cut off mid-record
    with pytest.raises(json.JSONDecodeError):
        _parsed_in_slices(body, monkeypatch)


def test_text_orjson_declines_goes_through_the_standard_parser() -> None:
    lone_surrogate = b'{"totalSize":1,"done":true,"records":[{"Name":"\\ud800"}]}'
    assert parse_json(lone_surrogate)["records"][0]["Name"] == "\ud800"
