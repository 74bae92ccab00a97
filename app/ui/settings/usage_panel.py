"""API usage: the chart, today's numbers in words, and what Notebridge does at the reserve."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from app.services.usage import UsageSummary
from app.ui.settings.usage_chart import UsageChart


def usage_words(summary: UsageSummary) -> tuple[str, str]:
    """(today's numbers, what happens at the reserve) in plain words."""
    if summary.used is None or not summary.limit:
        return ("Salesforce has not reported your org's API usage yet; it appears after the next sync.",
                _reserve_words(summary))
    share = summary.share or 0.0
    own = summary.own_today
    org = f"Your org has used {summary.used:,} of its {summary.limit:,} daily API calls ({share:.0%})."
    if own <= summary.used:
        mine = f"Notebridge made {own:,} of them in the last 24 hours."
    else:
        # Salesforce's count restarted (an org restart or maintenance) after some of our calls: they are
        # no longer in its number, so "24 of 19" would be a share larger than the whole.  Say both facts.
        mine = (f"Notebridge made {own:,} calls in the last 24 hours; Salesforce restarted its count since "
                "some of them, so its number is lower than that.")
    return f"{org} {mine}{_app_words(summary)}", _reserve_words(summary)


def _app_words(summary: UsageSummary) -> str:
    """The app's own quota, where the org gives Notebridge one (most orgs do not)."""
    if summary.app_usage is None:
        return ""
    used, limit = summary.app_usage
    return (f" Your org also gives Notebridge its own allowance: {used:,} of {limit:,} calls used today "
            f"({used / limit:.0%}).")


def _reserve_words(summary: UsageSummary) -> str:
    percent = f"{summary.reserve_fraction:.0%}"
    where = f"at {summary.pause_at:,} calls" if summary.pause_at is not None else "when the org nears its limit"
    return (f"Notebridge leaves {percent} for your other apps: {where} it pauses sending notes and tasks "
            "(they wait safely in the Outbox) and resumes by itself as usage rolls off.")


class UsagePanel(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Salesforce API use, last 24 hours", parent)
        self.setObjectName("usagePanel")
        layout = QVBoxLayout(self)
        self.headline = QLabel()
        self.headline.setObjectName("usageHeadline")
        self.headline.setWordWrap(True)
        self.chart = UsageChart()
        self.reserve = QLabel()
        self.reserve.setObjectName("usageReserve")
        self.reserve.setWordWrap(True)
        layout.addWidget(self.headline)
        layout.addWidget(self.chart)
        layout.addWidget(self.reserve)
        self.summary: UsageSummary | None = None

    def show_summary(self, summary: UsageSummary, now: datetime) -> None:
        self.summary = summary
        headline, reserve = usage_words(summary)
        self.headline.setText(headline)
        self.reserve.setText(reserve)
        self.chart.set_data(summary.samples, summary.limit, summary.pause_at, now)
