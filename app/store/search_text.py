"""Text normalisation for contact search — pure functions, no SQL.

Two indexes answer a search, and both see text prepared here:

* B-tree keys (``name_key``, ``sort_key``, ``email_key``) give the *exact* and *prefix* tiers in
  alphabetical order with early termination, which is what keeps 1–3 letter queries fast at
  100,000 contacts (an FTS prefix query would have to visit every match to rank them).
* The FTS5 index (tokenizer ``unicode61 remove_diacritics 2``) finds everything else: middle
  names, e-mail parts, account/household names, cities and phone fragments.

The same functions build the stored keys and the query keys, so "Zoë", "zoe" and "ZOE" meet.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Apostrophes vanish instead of splitting a word, so "O'Brien" is keyed as "obrien".
_APOSTROPHES = str.maketrans("", "", "'’ʼ‘`´")
_NON_WORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d")
_PHONE_LIKE = re.compile(r"[\d\s()+\-./]+")
_MIN_PHONE_DIGITS = 3
_MAX_PHONE_DIGITS = 20
_MAX_QUERY_CHARS = 200
_MAX_QUERY_TOKENS = 8
# Text that ``key`` would leave as it is once lower-cased: ASCII words split by single spaces.
_PLAIN_KEY = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")
# The punctuation phone numbers are usually written with; what is left is normally just digits.
_PHONE_PUNCTUATION = str.maketrans("", "", " ()+-./")
# Surrogate code points: a Python str can hold them (a half-typed emoji, text pasted from a broken
# source, Qt handing over an unpaired UTF-16 unit), but they cannot be encoded as UTF-8, so SQLite
# would raise UnicodeEncodeError on the keystroke.
_SURROGATES = re.compile("[\ud800-\udfff]")


def fold(text: str) -> str:
    """Case-fold and strip diacritics ("Zoë" → "zoe"), like the FTS tokenizer does."""
    if text.isascii():  # the common case, and 20x cheaper than decomposing
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def key(text: str | None) -> str:
    """A sortable, comparable key: folded, apostrophes dropped, other punctuation → one space."""
    if not text:
        return ""
    if text.isascii():  # "Nathan Perry": nothing to fold or squash (a sync keys 200,000 of these)
        lowered = text.lower()
        if _PLAIN_KEY.fullmatch(lowered):
            return lowered
    return _NON_WORD.sub(" ", fold(text).translate(_APOSTROPHES)).strip()


def name_key(name: str | None) -> str:
    """Key of the display name as Salesforce shows it ("First Last")."""
    return key(name)


def sort_key(name: str | None, first_name: str | None, last_name: str | None) -> str:
    """Key "last first" — the list order, and the key that makes surname prefixes match."""
    if last_name:
        return key(f"{last_name} {first_name}" if first_name else last_name)
    return key(name)


def email_key(email: str | None) -> str | None:
    """E-mail addresses compare case-insensitively (the domain is; mailboxes are in practice)."""
    if not email:
        return None
    return email.strip().casefold() or None


def display_name(name: str | None, first_name: str | None, last_name: str | None) -> str:
    """Salesforce's Name when given, else "First Last" (Name is read-only and always sent, but
    a caller building rows by hand may only know the parts)."""
    if name and name.strip():
        return name.strip()
    return " ".join(part.strip() for part in (first_name, last_name) if part and part.strip())


def search_name(name: str) -> str:
    """FTS text for the name: the name itself plus squashed forms of words that hold punctuation,
    so "O'Brien" is found by "obrien" as well as by "o'brien" and "brien"."""
    extras = []
    for word in name.split():
        if word.isalnum():
            continue
        squashed = "".join(ch for ch in word if ch.isalnum())
        if squashed:
            extras.append(squashed)
    return " ".join([name, *extras]) if extras else name


def phone_digits(phone: str | None) -> str:
    """The number's digits in ASCII, whatever script they were typed in: an IME's full-width "５５５"
    (or Arabic-Indic "٥٥٥") must find the "555" stored from Salesforce, and the other way round."""
    if not phone:
        return ""
    stripped = phone.translate(_PHONE_PUNCTUATION)
    if stripped.isascii() and stripped.isdigit():  # "(555) 123-4567": the usual shape, 5x cheaper
        return stripped[:_MAX_PHONE_DIGITS]
    # ``\d`` is any Unicode decimal digit (category Nd); each has a decimal value 0–9.
    return "".join(str(unicodedata.decimal(d)) for d in _DIGITS.findall(phone))[:_MAX_PHONE_DIGITS]


# E.164 country codes are prefix-free: 1 and 7 are one digit, these are two, every other is three.
# https://www.itu.int/pub/T-SP-E.164D (the list of assigned country codes)
_TWO_DIGIT_COUNTRY_CODES = frozenset({
    "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46", "47", "48",
    "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63", "64", "65", "66", "81",
    "82", "84", "86", "90", "91", "92", "93", "94", "95", "98",
})
_NANP = "1"  # US/Canada: no trunk 0 in national numbers ("(476) 496-3197")


def _country_code_length(digits: str) -> int:
    if digits[:1] in ("1", "7"):
        return 1
    return 2 if digits[:2] in _TWO_DIGIT_COUNTRY_CODES else 3


def international_parts(phone: str, *, exit_011: bool = True) -> tuple[str, str] | None:
    """(country code, national significant number) of a number written in international form —
    "+44 20 7946 0958", "0044 20…", or (``exit_011``) North America's "011 44 20…" — else None.

    Why: the same client is stored as "(476) 496-3197" and typed as "+1 476 496 3197" (or the other
    way round); the national part is what both forms share.  "011" is also how some national numbers
    begin (UK "0115 …"), so stored numbers are read without it (``exit_011=False``); for a query,
    the national part is always a suffix of what was typed, so a wrong guess only widens the search.
    """
    text = phone.strip()
    digits = phone_digits(text)
    if text.startswith("+"):
        rest = digits
    elif digits.startswith("00"):
        rest = digits[2:]
    elif exit_011 and digits.startswith("011"):
        rest = digits[3:]
    else:
        return None
    if not rest:
        return None
    size = _country_code_length(rest)
    return rest[:size], rest[size:]


def search_phone(*phones: str | None) -> str:
    """Text for the trigram phone index: the digits of each number (≥ 3 digits), space separated.

    Trigrams make "contains these digits" an index lookup whatever the punctuation, so "555 123",
    "5551234" and "123-45" all find "(555) 123-4567".  A digits-only query cannot match across the
    space, so two numbers never combine into a false match.

    A number stored in international form is also keyed by its national forms (the national part,
    and outside North America that part after the trunk "0"), so a whole number typed either way
    ranks as an exact match, and "020 7946 0958" finds "+44 20 7946 0958".
    """
    numbers: list[str] = []
    for phone in phones:
        keys = [phone_digits(phone)]
        parts = international_parts(phone, exit_011=False) if phone else None
        if parts is not None:
            country, national = parts
            keys.append(national)
            if country != _NANP and national and not national.startswith("0"):
                keys.append("0" + national)
        for digits in keys:
            if len(digits) >= _MIN_PHONE_DIGITS and digits not in numbers:
                numbers.append(digits)
    return " ".join(numbers)


def fts_string(text: str) -> str:
    """An FTS5 string literal: user text can never become FTS syntax (AND, NEAR, column:, ^)."""
    return '"' + text.replace('"', '""') + '"'


_fts_string = fts_string


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """What one typed search means to each index.  Empty fields mean "skip that probe"."""

    key: str
    email: str
    digits: str
    fts: str
    fts_words: str
    # Other forms of the number when ``digits`` is the national part of an international one (as
    # typed, and with the trunk "0"): a stored number equal to (or starting with) any form of it
    # ranks as an exact (prefix) match.
    phone_forms: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.key or self.digits or self.fts)

    def phone_contains(self) -> str:
        return _fts_string(self.digits)


def encodable(text: str) -> str:
    """``text`` as something SQLite can take: a surrogate pair split into two code points is joined
    into its character, and a lone surrogate (which stands for no character) is dropped."""
    if not _SURROGATES.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "ignore")


def parse_query(text: str) -> SearchQuery:
    """Turn what the advisor typed into probes.  Every word is a prefix (search as you type)."""
    # A NUL ends FTS5's reading of the query ("unterminated string"), so it separates words instead.
    text = encodable(text or "")[:_MAX_QUERY_CHARS].replace("\x00", " ").strip()
    words = [w for w in text.split() if any(ch.isalnum() for ch in w)][:_MAX_QUERY_TOKENS]
    fts = " AND ".join(_fts_string(w) + "*" for w in words)
    fts_words = " AND ".join(_fts_string(w) for w in words)
    digits = ""
    forms: tuple[str, ...] = ()
    if _PHONE_LIKE.fullmatch(text):
        digits = phone_digits(text)
        parts = international_parts(text)
        if parts is not None:  # "+1 476 496 3197" probes "4764963197", which every form contains
            country, national = parts
            forms = (digits, "0" + national) if country != _NANP else (digits,)
            digits = national
        if len(digits) < _MIN_PHONE_DIGITS:
            digits, forms = "", ()
    return SearchQuery(
        key=key(text), email=email_key(text) or "", digits=digits, fts=fts, fts_words=fts_words,
        phone_forms=forms,
    )


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix`` (binary order).

    SQLite compares TEXT as UTF-8 bytes, which orders like code points, so bumping the last code
    point works; surrogates cannot be encoded and are skipped.  Keys never end in U+10FFFF (it is
    not a word character), so the carry case is an error, not a silent wrong answer.
    """
    stripped = prefix.rstrip(chr(0x10FFFF))
    if not stripped or stripped != prefix:
        raise ValueError("a search key cannot end in U+10FFFF")
    nxt = ord(stripped[-1]) + 1
    if 0xD800 <= nxt <= 0xDFFF:
        nxt = 0xE000
    return stripped[:-1] + chr(nxt)
