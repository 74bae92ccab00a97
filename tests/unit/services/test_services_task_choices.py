"""The words the task editor shows when the org's Status/Priority values can't be loaded: each cause
in plain words, never a code, and always what happens to the task (it is still sent, with the org's
defaults)."""

from __future__ import annotations

import pytest

from app.salesforce.errors import (
    AccessDenied,
    NetworkError,
    RequestLimitExceeded,
    ServerUnavailable,
    SessionExpired,
)
from app.services.task_choices import TaskPicklists, _words, complete
from app.sync.connection import NOT_CONNECTED, NeedsAttention


@pytest.mark.parametrize(("error", "says"), [
    (NetworkError("connect failed"), "can't be reached"),
    (ServerUnavailable("503"), "can't be reached"),
    (SessionExpired("expired"), "sign-in needs renewing"),
    (NeedsAttention(NOT_CONNECTED), "sign-in needs renewing"),
    (RequestLimitExceeded("limit"), "API allowance"),
    (AccessDenied("no access"), "may not read"),
    (None, "not in Notebridge yet"),
])
def test_new_task_choices_say_why_in_plain_words(error: BaseException | None, says: str) -> None:
    text = _words(error)
    assert says in text
    assert "default status and priority" in text  # what happens to the task, every time
    for code in ("NETWORK_ERROR", "SERVER_UNAVAILABLE", "INVALID_SESSION_ID", "REQUEST_LIMIT_EXCEEDED", "503"):
        assert code not in text


def test_new_task_choices_complete_needs_both_lists() -> None:
    assert not complete(TaskPicklists())
    assert not complete(TaskPicklists(("Not Started",), ()))
    assert complete(TaskPicklists(("Not Started",), ("Normal",)))
