"""Contact search as the advisor types: exact > prefix > other, in well under a frame.

    hits = await db.read(lambda conn: contacts.search(conn, connection_id, "jo"))

See ``search_text`` for how the work is split between B-tree keys (exact and prefix tiers, in
alphabetical order) and the two FTS5 indexes (words; phone digits as trigrams).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from sqlmodel import Session

from app.store import fuzzy_index, search_text
from app.store.contact_rows import MAX_LIMIT, SUMMARY_COLUMNS, ContactSummary, raw_connection, source_filter
from app.store.contact_rows import summary as _summary

log = logging.getLogger(__name__)

_PHONE_OVERFETCH = 2
# Names one typo away are looked for only when the other tiers found fewer than this many.
SIMILAR_WHEN_FEWER = 5
# The name columns of ``contact_fts`` (the person's name; the account or household name).
_NAME_COLUMNS = "{name account_name}"
_MAX_WORDS = 8


class MatchTier(IntEnum):
    """How a search hit matched; results are ordered by tier, best first."""

    EXACT = 0  # the whole name, e-mail or phone number
    PREFIX = 1  # the name ("first last" or "last first"), e-mail or number starts with the query
    OTHER = 2  # any word anywhere (middle name, e-mail part, account, city, digits inside a number)
    SIMILAR = 3  # a name one typo away ("hellen" → Helen): only when the tiers above found few


@dataclass(frozen=True, slots=True)
class SearchHit:
    contact: ContactSummary
    tier: MatchTier


def search(
    session: Session | sqlite3.Connection,
    connection_id: int,
    text: str,
    limit: int = 50,
    *,
    source_objects: Sequence[str] | None = None,
) -> list[SearchHit]:
    """Contacts matching what the advisor typed, best first: exact > prefix > other.

    Each word is a prefix (search as you type); case and accents are ignored ("zoe" finds Zoë);
    "O'Brien", "obrien" and "brien" all find O'Brien; digits match anywhere in a phone number
    whatever the punctuation ("555 123" finds "(555) 123-4567"); e-mails match whole or in parts.
    Within the exact and prefix tiers results are alphabetical.  When those tiers find fewer than
    ``SIMILAR_WHEN_FEWER``, names one typo away fill in below them ("hellen" finds Helen; tier
    ``SIMILAR``, see ``fuzzy_index``).  See ``search_text`` for why the work is split between
    B-tree keys and FTS5.
    """
    if not 0 < limit <= MAX_LIMIT:
        raise ValueError(f"limit must be in 1..{MAX_LIMIT}")
    query = search_text.parse_query(text)
    if query.is_empty:
        return []
    return _Search(raw_connection(session), connection_id, query, limit, source_objects).run()


class _Search:
    """One search: probes run tier by tier and stop as soon as ``limit`` results are certain.

    Every probe is an index walk with a LIMIT, never "find all matches then sort": B-tree key
    ranges come out in order, and FTS probes do not ask for BM25 (which would make FTS5 count every
    match of every term first).  Within tier 2, whole-word matches come before prefix matches, and
    in each round matches in the name before matches elsewhere, then alphabetical.
    """

    def __init__(
        self,
        raw: sqlite3.Connection,
        connection_id: int,
        query: search_text.SearchQuery,
        limit: int,
        source_objects: Sequence[str] | None,
    ) -> None:
        self.raw = raw
        self.connection_id = connection_id
        self.query = query
        self.limit = limit
        self.source_sql, self.source_args = source_filter(source_objects)
        self.hits: list[SearchHit] = []
        self.seen: set[int] = set()

    def run(self) -> list[SearchHit]:
        if not self._ordinary() and len(self.hits) < SIMILAR_WHEN_FEWER:
            self._similar()
        return self.hits

    def _ordinary(self) -> bool:
        """The exact, prefix and other tiers; True when the list is full."""
        q = self.query
        phones = self._phone_candidates() if q.digits else {}
        exact = list(phones.get(MatchTier.EXACT, []))
        prefix = list(phones.get(MatchTier.PREFIX, []))
        # One range walk per key finds both tiers: a key equal to the query sorts before every
        # longer key that starts with it, so the exact matches are the first rows of the range.
        if q.key:
            upper: str | None = search_text.prefix_upper_bound(q.key)
            for column in ("name_key", "sort_key"):
                self._split(self._key_probe(column, q.key, upper), q.key, exact, prefix)
        if q.email:
            upper = search_text.prefix_upper_bound(q.email) if "@" in q.email else None
            self._split(self._key_probe("email_key", q.email, upper), q.email, exact, prefix)
        if self._take(exact, MatchTier.EXACT) or self._take(prefix, MatchTier.PREFIX):
            return True

        # Tier 2 in two rounds: whole words first (streams, cheap), then prefixes of words (FTS5 must
        # merge every term with that prefix, which costs more for a very common word).
        tier = list(phones.get(MatchTier.OTHER, []))
        if q.fts_words:
            tier += self._fts_probe("contact_fts", q.fts_words)
        if self._take(tier, MatchTier.OTHER) or not q.fts:
            return len(self.hits) >= self.limit
        return self._take(self._fts_probe("contact_fts", q.fts), MatchTier.OTHER)

    def _similar(self) -> None:
        """Names one typo away, below everything else.

        Each typed word of four letters or more becomes "the word as typed, as a prefix, or any
        indexed name word one edit away" (``fuzzy_index``); shorter words stay prefixes.  One FTS
        probe over the name columns then finds the contacts, so only live rows come back.
        """
        if self.query.digits or "@" in self.query.email:  # an e-mail or a number, not a misspelt name
            return
        groups: list[str] = []
        found: set[str] = set()
        for word in self.query.key.split()[:_MAX_WORDS]:
            similar = fuzzy_index.similar_words(self.raw, self.connection_id, word)
            found.update(similar)
            terms = [search_text.fts_string(word) + "*", *(search_text.fts_string(w) for w in similar)]
            groups.append("(" + " OR ".join(terms) + ")")
        if not found:
            return

        def rank(name: str) -> int:  # the typo was in the person's name rather than the account's
            return 0 if found.intersection(search_text.key(name).split()) else 1

        match = f"{_NAME_COLUMNS} : ({' AND '.join(groups)})"
        self._take(self._fts_probe("contact_fts", match, rank), MatchTier.SIMILAR)

    def _phone_candidates(self) -> dict[MatchTier, list[tuple[Any, ContactSummary]]]:
        """One trigram probe for "contains these digits"; exact and prefix tiers are decided here.

        Fetches a few times ``limit`` so that, for a short fragment with many matches, numbers that
        start with it still have a good chance to be seen and ranked first.
        """
        digits = self.query.digits
        forms = [digits, *self.query.phone_forms]
        sql = (
            f"SELECT {SUMMARY_COLUMNS}, c.sort_key, f.phone FROM contact_phone_fts f"  # noqa: S608
            " CROSS JOIN contact c ON c.id = f.rowid"
            f" WHERE contact_phone_fts MATCH ? AND c.connection_id = ? AND c.is_deleted = 0{self.source_sql}"
            " LIMIT ?"
        )
        fetch = self.limit * _PHONE_OVERFETCH
        args = [self.query.phone_contains(), self.connection_id, *self.source_args, fetch]
        tiers: dict[MatchTier, list[tuple[Any, ContactSummary]]] = {}
        try:
            rows = self.raw.execute(sql, args).fetchall()
        except sqlite3.OperationalError as exc:  # digits only, so unexpected; never fail a keystroke
            log.warning("contact phone search failed (%s); skipped", exc)
            return tiers
        for row in rows:
            order, summary, numbers = (0, row[-2]), _summary(row), row[-1].split()
            if any(form in numbers for form in forms):
                tier = MatchTier.EXACT
            elif any(n.startswith(form) for n in numbers for form in forms):
                tier = MatchTier.PREFIX
            else:
                tier = MatchTier.OTHER
            tiers.setdefault(tier, []).append((order, summary))
        return tiers

    @staticmethod
    def _split(
        rows: list[tuple[Any, ContactSummary]], key: str, exact: list[tuple[Any, ContactSummary]],
        prefix: list[tuple[Any, ContactSummary]],
    ) -> None:
        for row in rows:
            (exact if row[0][1] == key else prefix).append(row)

    def _take(self, candidates: list[tuple[Any, ContactSummary]], tier: MatchTier) -> bool:
        """Add one tier's candidates in order; True when the result list is full.

        Every probe orders by a ``(rank, text)`` pair so candidates from different probes compare.
        """
        candidates.sort(key=lambda pair: (pair[0], pair[1].id))
        for _, summary in candidates:
            if summary.id in self.seen:
                continue
            self.seen.add(summary.id)
            self.hits.append(SearchHit(summary, tier))
            if len(self.hits) >= self.limit:
                return True
        return False

    def _name_rank(self, name: str) -> int:
        """0 when every query word starts a word of the name (a middle name, a second surname)."""
        words = search_text.key(name).split()
        wanted = self.query.key.split()
        return 0 if wanted and all(any(w.startswith(q) for w in words) for q in wanted) else 1

    def _wanted(self) -> int:
        # Enough to fill the list even if every contact found so far turns up again.
        return self.limit - len(self.hits) + len(self.seen)

    def _key_probe(self, column: str, low: str, high: str | None) -> list[tuple[Any, ContactSummary]]:
        if high is None:
            condition, args = f"c.{column} = ?", [low]
        else:
            condition, args = f"c.{column} >= ? AND c.{column} < ?", [low, high]
        sql = (
            f"SELECT {SUMMARY_COLUMNS}, c.{column} FROM contact c"  # noqa: S608 (fixed column names)
            f" WHERE c.connection_id = ? AND c.is_deleted = 0 AND {condition}{self.source_sql}"
            f" ORDER BY c.{column}, c.id LIMIT ?"
        )
        rows = self.raw.execute(sql, [self.connection_id, *args, *self.source_args, self._wanted()])
        return [((0, row[-1]), _summary(row)) for row in rows]

    def _fts_probe(
        self, table: str, match: str, rank: Callable[[str], int] | None = None,
    ) -> list[tuple[Any, ContactSummary]]:
        # CROSS JOIN pins the FTS table as the outer loop: walk its matches, look each contact up by
        # id, stop at LIMIT.
        sql = (
            f"SELECT {SUMMARY_COLUMNS}, c.sort_key FROM {table} f"  # noqa: S608 (fixed table names)
            " CROSS JOIN contact c ON c.id = f.rowid"
            f" WHERE {table} MATCH ? AND c.connection_id = ? AND c.is_deleted = 0{self.source_sql}"
            " LIMIT ?"
        )
        try:
            rows = self.raw.execute(sql, [match, self.connection_id, *self.source_args, self._wanted()])
            by = rank or self._name_rank
            return [((by(row[3]), row[-1]), _summary(row)) for row in rows]
        except sqlite3.OperationalError as exc:  # quoting makes this unexpected; never fail a keystroke
            log.warning("contact search probe failed (%s); query skipped", exc)
            return []
