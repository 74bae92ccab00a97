"""Response compression like Salesforce's: gzip or deflate when the client asks, never when it
does not, and the same records either way."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Callable

import httpx
import pytest

from app.demo_org import DemoOrg
from app.demo_org.compression import choose_encoding

SOQL = "SELECT Id, Name, Email, Phone, MailingCity FROM Contact ORDER BY Id"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("identity", None),
        ("gzip", "gzip"),
        ("GZIP;q=0.5, deflate", "gzip"),
        ("br, zstd, gzip, deflate", "gzip"),
        ("deflate", "deflate"),
        ("gzip;q=0, deflate", "deflate"),
        ("gzip;q=0", None),
        ("*", "gzip"),
        ("*;q=0, deflate;q=0.3", "deflate"),
        ("gzip;q=nonsense", None),
        ("br", None),
    ],
)
def test_accept_encoding_is_read_with_its_weights(header: str | None, expected: str | None) -> None:
    assert choose_encoding(header) == expected


@pytest.mark.parametrize(("asked", "coding", "decode"), [
    ("gzip", "gzip", gzip.decompress),
    ("deflate", "deflate", zlib.decompress),
    ("identity", None, bytes),
])
def test_query_pages_come_compressed_only_when_asked(
    org: DemoOrg, client_for: Callable[..., httpx.Client], asked: str, coding: str | None,
    decode: Callable[[bytes], bytes],
) -> None:
    api = client_for(org)
    plain = api.get("/query", params={"q": SOQL}, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    with api.stream("GET", "/query", params={"q": SOQL}, headers={"Accept-Encoding": asked}) as response:
        wire = b"".join(response.iter_raw())
        assert response.headers.get("content-encoding") == coding
        assert int(response.headers["content-length"]) == len(wire)
    if coding is not None:
        assert len(wire) < len(plain.content) // 3  # JSON of 120 contacts compresses well
        assert response.headers["vary"] == "Accept-Encoding"
    assert decode(wire) == plain.content


def test_small_bodies_and_errors_stay_plain(org: DemoOrg, client_for: Callable[..., httpx.Client]) -> None:
    api = client_for(org)
    missing = api.get("/sobjects/Contact/003000000000000AAA", headers={"Accept-Encoding": "gzip"})
    assert missing.status_code == 404
    assert "content-encoding" not in missing.headers
    assert missing.json()[0]["errorCode"] == "NOT_FOUND"
