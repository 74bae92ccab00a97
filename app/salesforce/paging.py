"""Noticing query paging that never ends, before it spends the org's daily API allowance.

Why: one misbehaving answer sent a ``nextRecordsUrl`` that led back to an earlier page; the client
followed it 899 times in 40 seconds, each request counted against the org's daily limit.  Real
Salesforce paging is a fixed cursor: every ``nextRecordsUrl`` is new, and the pages together hold
``totalSize`` records.  So a URL seen before, a next page pointing at itself, or more records than
the first page counted, is a loop.
Query paging: https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_query.htm
"""

from __future__ import annotations

from app.salesforce.errors import PagingLoop, ResponseProblem
from app.salesforce.response_check import unreadable
from app.salesforce.results import QueryPage
from app.wording import counted


def _loop(detail: str) -> PagingLoop:
    error = unreadable(ResponseProblem.PAGING_LOOP, detail, cls=PagingLoop)
    assert isinstance(error, PagingLoop)
    return error


class PagingGuard:
    """Follows one query's pages: ``next_url(page)`` before each request, ``add(page)`` after."""

    def __init__(self, first: QueryPage) -> None:
        self.total = first.total_size
        self.records = len(first.records)
        self.seen: set[str] = set()
        self.pages = 1

    @staticmethod
    def check_step(requested_url: str, page: QueryPage) -> None:
        """A page whose next page is itself (the simplest loop; checked on every ``query_more``)."""
        if not page.done and page.next_records_url == requested_url:
            raise _loop("the next page was the page just read")

    def next_url(self, page: QueryPage) -> str:
        url = page.next_records_url or ""
        if url in self.seen:
            raise _loop(f"page {self.pages + 1} pointed back to an earlier page")
        if not page.records:
            raise _loop("an empty page that said more would follow")
        self.seen.add(url)
        return url

    def add(self, page: QueryPage) -> None:
        self.pages += 1
        self.records += len(page.records)
        if self.records > self.total:
            raise _loop(f"{counted(self.records, 'record')} arrived for a query that counted {self.total}")
