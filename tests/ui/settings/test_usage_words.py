"""The API usage sentence never shows Notebridge's share larger than the whole (after Salesforce
restarts its count, our own 24-hour tally can exceed the org's number): it says what is known."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.services.usage import UsageSummary
from app.ui.settings.usage_panel import UsagePanel, usage_words


def test_usage_after_an_org_restart_never_claims_more_than_the_whole(qtbot: Any) -> None:
    panel = UsagePanel()
    qtbot.addWidget(panel)
    panel.show_summary(UsageSummary(used=19, limit=15000, own_today=24, reserve_fraction=0.1),
                       datetime.now(UTC))
    text = panel.headline.text()
    assert "24 of them" not in text and "used 19 of its 15,000" in text
    assert "Notebridge made 24 calls" in text and "restarted its count" in text


@given(used=st.integers(0, 10**7), limit=st.integers(1, 10**7), own=st.integers(0, 10**7))
def test_usage_words_share_is_never_larger_than_the_whole(used: int, limit: int, own: int) -> None:
    headline, _ = usage_words(UsageSummary(used=used, limit=limit, own_today=own, reserve_fraction=0.1))
    share = re.search(r"Notebridge made ([\d,]+) of them", headline)
    if share is not None:
        assert int(share.group(1).replace(",", "")) <= used
    assert f"{own:,}" in headline, "our own count is always said"
