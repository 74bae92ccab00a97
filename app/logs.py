"""Logging: a rotating file, an in-memory ring for "copy details", and redaction of secrets.

Every handler carries a `RedactionFilter`, so no code path (a library's debug line, a traceback that
captured a request, an f-string someone wrote in a hurry) can put an access token, refresh token,
consumer secret, authorization code or `Authorization` header into a log line. Secrets the app knows
by value are also registered with `register_secret()` and replaced wherever they appear.
"""

from __future__ import annotations

import collections
import logging
import logging.handlers
import re
import threading
import weakref
from pathlib import Path

REDACTED = "«redacted»"

# Shapes of Salesforce secrets, most specific first. Each pattern keeps a harmless prefix (the org id of
# an access token, the key name of a pair) so a log line stays useful for support.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # Access/session tokens: "00D" + org id, "!", then the opaque part.
    (re.compile(r"\b(00D[A-Za-z0-9]{12,15})![A-Za-z0-9._\-]{8,}"), rf"\1!{REDACTED}"),
    # Authorization headers in any rendering (raw header, dict repr, JSON).
    (
        re.compile(r"""(?i)(authorization['"]?\s*[:=]\s*['"]?)(bearer|oauth|basic)?\s*[^\s'",}]+"""),
        rf"\1\2 {REDACTED}",
    ),
    # key=value / "key": "value" for every secret-bearing parameter we use.
    (
        re.compile(
            r"""(?i)(["']?\b(?:access_token|refresh_token|client_secret|consumer_secret|code_verifier|"""
            r"""token|code|password|sid|session_id)\b["']?\s*[:=]\s*["']?)([^\s"'&,}]+)"""
        ),
        rf"\1{REDACTED}",
    ),
    # Salesforce refresh tokens start with 5Aep; consumer secrets are 64 hex characters.
    (re.compile(r"\b5Aep[A-Za-z0-9._]{20,}"), REDACTED),
    (re.compile(r"\b[A-F0-9]{64}\b"), REDACTED),
]

_known_secrets: set[str] = set()
_known_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Redact this exact value from now on, whatever its shape (e.g. a custom consumer secret)."""
    if value and len(value) >= 6:
        with _known_lock:
            _known_secrets.add(value)


def redact(text: str) -> str:
    """Return `text` with every secret we can recognise replaced by a marker."""
    with _known_lock:
        known = sorted(_known_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactionFilter(logging.Filter):
    """Render the record once, redact it, and freeze the result into the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide the line nor leak its args
            message = str(record.msg)
        record.msg = redact(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            record.exc_info = None  # formatters would otherwise re-render the unredacted traceback
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class RingHandler(logging.Handler):
    """Keeps the last lines in memory for the crash dialog's "copy details" and support exports."""

    def __init__(self, capacity: int = 2000) -> None:
        super().__init__()
        self.lines: collections.deque[str] = collections.deque(maxlen=capacity)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:
            self.handleError(record)

    def text(self) -> str:
        return "\n".join(self.lines)


_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
_ring: RingHandler | None = None
_ours: weakref.WeakSet[logging.Handler] = weakref.WeakSet()  # what setup_logging installed


def setup_logging(log_file: Path | None, *, level: int = logging.INFO, console: bool = False) -> RingHandler:
    """Configure the root logger once; safe to call again (handlers are replaced, not stacked)."""
    global _ring
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler in _ours:
            root.removeHandler(handler)
            handler.close()
    formatter = logging.Formatter(_FORMAT)
    handlers: list[logging.Handler] = []
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        )
    if console:
        handlers.append(logging.StreamHandler())
    _ring = RingHandler()
    handlers.append(_ring)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactionFilter())
        _ours.add(handler)
        root.addHandler(handler)
    root.setLevel(level)
    # httpx logs full URLs at INFO; keep them at WARNING so query strings stay out of the file.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per plugin on every start is noise
    return _ring

