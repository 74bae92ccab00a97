"""Salesforce record Ids: key prefixes, the 18-character checksum suffix, and a deterministic generator.

Real clients compare Ids, convert 15 to 18 characters and route by key prefix, so the demo org must
produce Ids that pass the same checks a real org's Ids pass: 15 case-sensitive base-62 characters plus
a 3-character suffix that encodes the case of the first 15 (that suffix is what makes 18-character Ids
safe in case-insensitive systems). Algorithm: split the 15 characters into three chunks of five; for
each chunk set bit *i* when character *i* is an upper-case letter; map the 5-bit number onto
``A-Z0-5``. See https://help.salesforce.com/s/articleView?id=000385066 and
https://salesforce.stackexchange.com/questions/1653/what-are-salesforce-ids-composed-of
"""

from __future__ import annotations

import re
import threading

_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_PAIRS = [a + b for a in _BASE62 for b in _BASE62]  # two base-62 digits per lookup
_ID_SHAPE = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")

# Key prefixes of the objects the demo org knows (first three characters of every Id).
KEY_PREFIXES: dict[str, str] = {
    "Organization": "00D",
    "User": "005",
    "Account": "001",
    "Contact": "003",
    "Lead": "00Q",
    "Opportunity": "006",
    "Task": "00T",
    "Event": "00U",
    "Note": "002",
    "ContentDocument": "069",
    "ContentNote": "069",  # a ContentNote *is* its ContentDocument: same Id
    "ContentVersion": "068",
    "ContentDocumentLink": "06A",
    "AccountContactRelation": "07k",
    "EventRelation": "0RE",
    "TaskStatus": "01J",
    "TaskPriority": "01K",
    "RecordType": "012",
    "UserRole": "00E",
    "QueryLocator": "01g",
}


def checksum(id15: str) -> str:
    """The 3-character case-encoding suffix for a 15-character Id."""
    suffix = []
    for chunk in range(3):
        flags = 0
        for pos in range(5):
            char = id15[chunk * 5 + pos]
            if "A" <= char <= "Z":
                flags |= 1 << pos
        suffix.append(_SUFFIX_ALPHABET[flags])
    return "".join(suffix)


def to18(record_id: object) -> str:
    """Normalise a 15- or 18-character Id to 18 characters; raise ValueError if it is not an Id.

    An 18-character Id whose suffix does not match its first 15 characters is rejected: that is how
    a mangled (e.g. lower-cased) Id shows up, and a real org refuses it too.
    """
    if not isinstance(record_id, str) or not _ID_SHAPE.match(record_id):
        raise ValueError(f"not a Salesforce Id: {record_id!r}")
    base = record_id[:15]
    expected = base + checksum(base)
    if len(record_id) == 18 and record_id != expected:
        raise ValueError(f"bad Id checksum: {record_id!r}")
    return expected


def is_valid(record_id: object) -> bool:
    """True when the value is a well-formed 15/18-character Id with a correct suffix."""
    try:
        to18(record_id)
    except ValueError:
        return False
    return True


def prefix_of(record_id: str) -> str:
    return record_id[:3]


class IdFactory:
    """Hands out 18-character Ids per key prefix, deterministically (same sequence for the same org).

    Layout of the 15 characters: 3 key prefix, 2 "pod" characters, 5 zeros, 5 base-62 counter —
    base-62 digits are ordered like ASCII, so Ids of one prefix sort in creation order (as real ones
    mostly do), which keeps ``ORDER BY Id`` meaningful. The fixed first ten characters make the first
    two checksum characters constant per prefix, so only the counter chunk is computed per Id (seeding
    100,000 contacts creates ~200,000 Ids).
    """

    def __init__(self, pod: str = "Hs", start: int = 62**3) -> None:
        self._pod = pod
        self._start = start
        self._counters: dict[str, int] = {}
        self._heads: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()

    def new(self, prefix: str) -> str:
        with self._lock:
            value = self._counters.get(prefix, self._start)
            self._counters[prefix] = value + 1
        head = self._heads.get(prefix)
        if head is None:
            text = f"{prefix}{self._pod}00000"
            head = self._heads[prefix] = (text, checksum(text + "00000")[:2])
        if value >= 62**5:
            raise OverflowError("Id counter exhausted")
        tail = f"{_BASE62[value // 62**4]}{_PAIRS[value // 3844 % 3844]}{_PAIRS[value % 3844]}"
        flags = 0
        for pos, char in enumerate(tail):
            if "A" <= char <= "Z":
                flags |= 1 << pos
        return f"{head[0]}{tail}{head[1]}{_SUFFIX_ALPHABET[flags]}"
