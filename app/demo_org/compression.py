"""Response compression, as Salesforce does it: a client that sends ``Accept-Encoding: gzip`` (or
``deflate``) normally gets a compressed body with a ``Content-Encoding`` header.

https://developer.salesforce.com/docs/platform/api-rest/guide/intro-rest-compression.html —
"Salesforce compresses a response only if the request contains an Accept-Encoding … header. REST API
isn't required to compress the response even if you've specified Accept-Encoding, but it normally
does."  Small bodies are sent as they are (like most servers, and allowed by the rule above), so
error bodies and tiny JSON stay readable in a packet capture.

The header is read as RFC 9110 §12.5.3 says: a coding with ``q=0`` is refused, ``*`` stands for any
coding not named.  This org offers gzip (preferred) and deflate (zlib format, RFC 9110 §8.4.1.2).
"""

from __future__ import annotations

import gzip
import zlib

MIN_COMPRESS_BYTES = 1024
GZIP_LEVEL = 6  # zlib's default: what a general-purpose web server sends


def _accepted(header: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        name = name.strip().lower()
        if not name:
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[name] = weight
    return weights


def choose_encoding(accept_encoding: str | None) -> str | None:
    """``"gzip"``, ``"deflate"`` or None (send the body as it is)."""
    if not accept_encoding:
        return None
    weights = _accepted(accept_encoding)
    wildcard = weights.get("*", 0.0)
    for coding in ("gzip", "deflate"):
        if weights.get(coding, wildcard) > 0:
            return coding
    return None


def compress(body: bytes, accept_encoding: str | None) -> tuple[bytes, str | None]:
    """The body to send and its ``Content-Encoding`` (None: unchanged)."""
    if len(body) < MIN_COMPRESS_BYTES:
        return body, None
    coding = choose_encoding(accept_encoding)
    if coding == "gzip":
        return gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0), coding
    if coding == "deflate":
        return zlib.compress(body, GZIP_LEVEL), coding
    return body, None
