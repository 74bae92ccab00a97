"""Reading a pasted or dropped email: any input gives a draft's fields or plain words, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.services.email_log import email_fields
from app.services.email_parse import (
    MSG_WORDS,
    EmailUnreadable,
    ParsedEmail,
    html_to_text,
    parse_eml,
    parse_file,
    parse_text,
)
from app.store import activity_forms
from app.store.kinds import ItemKind

_HEADERS = ["From", "To", "Cc", "Subject", "Date", "Content-Type", "Content-Transfer-Encoding", "MIME-Version",
            "Content-Disposition", "X-Junk"]
_header_values = st.one_of(
    st.text(max_size=80),
    st.sampled_from([
        "=?utf-8?q?J=C3=B6rg?= <joerg@example.com>", "=?utf-8?b?w5xiZXJ3ZWlzdW5n?=", "=?bogus?x?zz?=",
        "multipart/mixed; boundary=XX", "multipart/alternative", "text/html; charset=utf-8",
        "text/plain; charset=no-such-charset", "base64", "quoted-printable", "attachment; filename=a.pdf",
        "Tue, 1 Dec 2026 10:00:00 +0100", "not a date", "<>", "a@b", "\"unterminated <x@y.z",
    ]))
_bodies = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["--XX\r\nContent-Type: text/html\r\n\r\n<p>Hi<script>x()</script></p>\r\n--XX--",
                     "=C3=A9t=C3=A9 =\r\nsoft break", "aGVsbG8=", "<html><body><b>bold</b></body></html>",
                     "--XX\r\n\r\n--XX--", "--XX\r\nContent-Disposition: attachment; filename*=bad''\r\n\r\nx"]))


_WORDS = st.characters(categories=("L", "N", "P", "S", "Zs"), codec="utf-8")  # letters of any script, no controls


def _raw(headers: list[tuple[str, str]], body: str) -> bytes:
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    return (head + "\r\n" + body).encode("utf-8", errors="surrogatepass")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers=st.lists(st.tuples(st.sampled_from(_HEADERS), _header_values), max_size=8), body=_bodies)
def test_log_email_any_headers_and_body_give_a_draft_or_plain_words(headers: list[tuple[str, str]],
                                                                     body: str) -> None:
    try:
        parsed = parse_eml(_raw(headers, body))
    except EmailUnreadable as exc:
        words = str(exc)
        assert words and "Traceback" not in words
        return
    assert isinstance(parsed, ParsedEmail)
    # Whatever came out is something the email form stores: the draft can always be saved.
    cleaned = activity_forms.clean(ItemKind.EMAIL, email_fields(parsed))
    assert cleaned["body"] == parsed.body and cleaned["subject"] == parsed.subject
    assert all(a == a.casefold() and "@" in a for a in parsed.addresses)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_log_email_any_bytes_give_a_draft_or_plain_words(data: bytes) -> None:
    try:
        parsed = parse_file("dropped.eml", data)
    except EmailUnreadable as exc:
        words = str(exc)
        assert words
        return
    activity_forms.clean(ItemKind.EMAIL, email_fields(parsed))


@settings(max_examples=100, deadline=None)
@given(subject=st.text(_WORDS, min_size=1, max_size=120).filter(str.strip),
       body=st.text(st.one_of(_WORDS, st.just("\n")), min_size=1, max_size=200).filter(str.strip))
def test_log_email_non_ascii_subject_and_body_come_back_as_written(subject: str, body: str) -> None:
    msg = EmailMessage()
    msg["From"] = "Jörg Müller <joerg@example.com>"
    msg["To"] = "advisor@firm.example"
    msg["Subject"] = subject
    msg.set_content(body)
    parsed = parse_eml(bytes(msg))
    assert parsed.subject == " ".join(subject.split())
    assert parsed.body == "\n".join(body.splitlines()).strip()
    assert parsed.addresses == ("joerg@example.com", "advisor@firm.example")


def test_log_email_multipart_with_html_and_an_attachment() -> None:
    msg = EmailMessage()
    msg["From"] = "=?utf-8?q?Ren=C3=A9e?= <Renee@Example.com>"
    msg["To"] = "advisor@firm.example"
    msg["Cc"] = "Partner <partner@example.com>"
    msg["Subject"] = "=?utf-8?b?w5xiZXJ3ZWlzdW5n?="
    msg["Date"] = format_datetime(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    msg.set_content("Plain words.")
    msg.add_alternative("<p>HTML words</p>", subtype="html")
    msg.add_attachment(b"%PDF-1.4 twelve b", maintype="application", subtype="pdf", filename="statement.pdf")
    parsed = parse_eml(bytes(msg))
    assert parsed.sender == "Renée <Renee@Example.com>" and parsed.subject == "Überweisung"
    assert parsed.sent == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert parsed.body == "Plain words."  # the plain part wins over the HTML one
    assert [(a.name, a.size) for a in parsed.attachments] == [("statement.pdf", 17)]
    assert parsed.addresses == ("renee@example.com", "advisor@firm.example", "partner@example.com")


def test_log_email_html_only_body_is_text_with_no_script_or_style() -> None:
    msg = EmailMessage()
    msg["From"] = "client@example.com"
    msg.set_content("<html><head><style>p{color:red}</style><title>T</title></head><body><p>Dear&nbsp;advisor,"
                    "</p><script>alert('x')</script><div>Please call&amp;write.</div><img src=http://x/t.png>"
                    "</body></html>", subtype="html")
    parsed = parse_eml(bytes(msg))
    assert parsed.body == "Dear advisor,\n\nPlease call&write."
    assert "alert" not in parsed.body and "color" not in parsed.body and "<" not in parsed.body


@given(st.text(max_size=300))
def test_log_email_html_to_text_never_raises_and_drops_tags(html: str) -> None:
    text = html_to_text(f"<div>{html}</div><script>secret()</script>")
    assert "secret()" not in text


def test_log_email_pasted_text_with_header_lines_fills_the_fields() -> None:
    parsed = parse_text("From: Ann Lee <ANN@example.com>\nSent: Tue, 1 Dec 2026 10:00:00 +0100\n"
                        "To: advisor@firm.example\nSubject: Rollover\n\nHi,\nplease call.\n")
    assert (parsed.sender, parsed.subject, parsed.body) == \
        ("Ann Lee <ANN@example.com>", "Rollover", "Hi,\nplease call.")
    assert parsed.sent == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert parsed.addresses == ("ann@example.com", "advisor@firm.example")


def test_log_email_pasted_plain_text_is_the_body_and_nothing_is_plain_words() -> None:
    assert parse_text("Called about the IRA.\n\nThanks").body == "Called about the IRA.\n\nThanks"
    for nothing in ("", "   \n "):
        with pytest.raises(EmailUnreadable, match="doesn't look like an email"):
            parse_text(nothing)


def test_log_email_outlook_msg_is_explained_not_read() -> None:
    with pytest.raises(EmailUnreadable) as refused:
        parse_file("Re rollover.MSG", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    assert str(refused.value) == MSG_WORDS and ".eml" in MSG_WORDS
