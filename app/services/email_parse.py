"""Reading an email the advisor pastes or drops: a ``.eml`` file or text, into the fields of a draft.

The standard library's :mod:`email` package reads the message (``policy.default``: encoded-word
subjects such as ``=?utf-8?q?…?=`` come out as text).  Email from the wild is often malformed, so
every step falls back instead of raising: a header that does not parse is kept as its raw text, a
body in an unknown charset is decoded with replacement characters, an HTML-only body is turned into
plain text here (tags dropped, scripts and styles left out, entities decoded) — never rendered.
What cannot be read at all is :class:`EmailUnreadable`, with plain words for the advisor.

Outlook ``.msg`` files are not read: the one maintained reader on PyPI (``extract-msg``) is GPL-3.0,
which this app cannot ship; the advisor is told to save the email as ``.eml`` or paste its text.
Pure functions, no I/O: the caller reads the file (off the UI thread when it is big).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import email.utils
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from html.parser import HTMLParser

MAX_EMAIL_BYTES = 25 * 1024 * 1024  # the size mail servers commonly accept; bigger is not an email we log
MSG_WORDS = ("Outlook .msg files can't be read yet. Open the email in Outlook, select all its text and paste it "
             "here (include the From, To and Subject lines), or save it as an .eml file and drop that.")


class EmailUnreadable(ValueError):
    """Plain words: why this is not an email Notebridge can log."""


@dataclass(frozen=True)
class Attachment:
    name: str
    size: int | None


@dataclass(frozen=True)
class ParsedEmail:
    subject: str = ""
    sent: datetime | None = None
    sender: str = ""
    to: str = ""
    cc: str = ""
    body: str = ""
    attachments: tuple[Attachment, ...] = ()
    addresses: tuple[str, ...] = field(default=())  # from, to, cc — lower case, in that order, once each


# -- HTML to text ------------------------------------------------------------------------------------------
_BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
                     "table", "ul", "ol", "hr"})
_HIDDEN = frozenset({"script", "style", "head", "title", "template"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The words of an HTML body, as plain text (nothing is executed or fetched)."""
    parser = _Text()
    with contextlib.suppress(Exception):  # HTMLParser is lenient; whatever it chokes on, keep what it read
        parser.feed(html)
        parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# -- headers and parts -------------------------------------------------------------------------------------
def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a malformed header: keep its raw text instead
        raw = dict(msg.raw_items()) if isinstance(msg, EmailMessage) else {}
        value = raw.get(name, "")
    return " ".join(str(value or "").split())


def _date(msg: Message) -> datetime | None:
    text = _header(msg, "Date")
    if not text:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _addresses(*values: str) -> tuple[str, ...]:
    seen: list[str] = []
    for _name, address in email.utils.getaddresses([v for v in values if v]):
        key = address.strip().casefold()
        if "@" in key and key not in seen:
            seen.append(key)
    return tuple(seen)


def _decoded(part: Message) -> str:
    content = None
    with contextlib.suppress(Exception):  # an unknown charset or a broken transfer encoding: decode by hand
        content = part.get_content() if isinstance(part, EmailMessage) else None
    if isinstance(content, str):
        return content
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        charset = part.get_content_charset() or "utf-8"
        try:
            return payload.decode(charset, errors="replace")
        except LookupError:
            return payload.decode("utf-8", errors="replace")
    raw = part.get_payload()
    return raw if isinstance(raw, str) else ""


def _body_part(msg: Message) -> Message | None:
    if isinstance(msg, EmailMessage):
        found = None
        with contextlib.suppress(Exception):  # a malformed multipart: walk it below
            found = msg.get_body(preferencelist=("plain", "html"))
        if found is not None:
            return found
    for kind in ("text/plain", "text/html"):
        for part in msg.walk():
            if part.get_content_type() == kind and not part.is_multipart() \
                    and part.get_content_disposition() != "attachment":
                return part
    return None


def _body(msg: Message) -> str:
    part = _body_part(msg)
    if part is None:
        return ""
    text = _decoded(part)
    if part.get_content_type() == "text/html":
        return html_to_text(text)
    return text.replace("\r\n", "\n").strip()


def _attachments(msg: Message) -> tuple[Attachment, ...]:
    found: list[Attachment] = []
    if not msg.is_multipart():
        return ()
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() not in ("attachment", "inline"):
            continue
        try:
            name = part.get_filename()
        except Exception:  # a broken filename parameter
            name = None
        if part.get_content_disposition() == "inline" and not name:
            continue  # the body itself, or an unnamed inline image
        payload = part.get_payload(decode=True)
        found.append(Attachment(" ".join(str(name or "attachment").split()) or "attachment",
                                len(payload) if isinstance(payload, bytes) else None))
    return tuple(found)


def _from_message(msg: Message) -> ParsedEmail:
    sender, to, cc = _header(msg, "From"), _header(msg, "To"), _header(msg, "Cc")
    return ParsedEmail(subject=_header(msg, "Subject"), sent=_date(msg), sender=sender, to=to, cc=cc,
                       body=_body(msg), attachments=_attachments(msg), addresses=_addresses(sender, to, cc))


def _check(parsed: ParsedEmail) -> ParsedEmail:
    if not (parsed.subject or parsed.sender or parsed.to or parsed.body.strip()):
        raise EmailUnreadable("This doesn't look like an email: it has no sender, subject or text.")
    return parsed


# -- the entry points --------------------------------------------------------------------------------------
def parse_eml(data: bytes) -> ParsedEmail:
    """A ``.eml`` file (RFC 5322 bytes)."""
    if len(data) > MAX_EMAIL_BYTES:
        raise EmailUnreadable("This email is over 25 MB, too big to log. Copy its text and paste it instead.")
    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
        return _check(_from_message(msg))
    except EmailUnreadable:
        raise
    except Exception as exc:  # the email package raises many kinds on odd input
        raise EmailUnreadable("This file could not be read as an email. Copy its text and paste it instead.") \
            from exc


_HEADER_LINE = re.compile(r"^(from|to|cc|subject|date|sent)\s*:", re.IGNORECASE)


def parse_text(text: str) -> ParsedEmail:
    """Pasted text: with header lines at the top ("From:", "Subject:" …, as mail programs copy them)
    they fill the fields; otherwise it is all body."""
    stripped = text.strip().replace("\r\n", "\n")
    head, _sep, rest = stripped.partition("\n\n")
    lines = [line for line in head.split("\n") if line.strip()]
    if lines and sum(1 for line in lines if _HEADER_LINE.match(line)) >= min(2, len(lines)):
        values: dict[str, str] = {}
        for line in lines:
            name, colon, value = line.partition(":")
            if colon and _HEADER_LINE.match(line):
                values.setdefault(name.strip().lower(), value.strip())
        sent = None
        when = values.get("date") or values.get("sent") or ""
        if when:
            try:
                moment = email.utils.parsedate_to_datetime(when)
                sent = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
            except (TypeError, ValueError, IndexError, OverflowError):
                sent = None
        sender, to, cc = values.get("from", ""), values.get("to", ""), values.get("cc", "")
        return _check(ParsedEmail(subject=values.get("subject", ""), sent=sent, sender=sender, to=to, cc=cc,
                                  body=rest.strip(), addresses=_addresses(sender, to, cc)))
    return _check(ParsedEmail(body=stripped))


def parse_file(name: str, data: bytes) -> ParsedEmail:
    """A dropped file, by its name: ``.eml`` is read, ``.msg`` is explained, text is pasted text."""
    lowered = name.lower()
    if lowered.endswith(".msg"):
        raise EmailUnreadable(MSG_WORDS)
    if lowered.endswith((".txt", ".text")):
        return parse_text(data.decode("utf-8", errors="replace"))
    return parse_eml(data)


__all__ = ["MSG_WORDS", "Attachment", "EmailUnreadable", "ParsedEmail", "html_to_text", "parse_eml", "parse_file",
           "parse_text"]
