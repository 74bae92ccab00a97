"""Households in the client view: a person's household members, and the household view itself.

In the client view, "Household" lists the other members of the person's household (the Contacts
under their Account and, where the org has it, the people related through AccountContactRelation);
each member on this computer is a link that opens them, and the household's name opens the household
view: its members, its meetings, the notes about any of them and the tasks still open.

Text only, in the palette's colours (links use the palette's Link role), so it reads in both themes.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from app.services.households import HouseholdDetail, Households, HouseholdSummary, Member
from app.services.workspace import Database
from app.ui.workspace.meeting_text import meeting_line


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def member_html(member: Member) -> str:
    """One member: a link when they are on this computer, else their name and why it is not a link."""
    roles = f" — {_e(', '.join(member.roles))}" if member.roles else ""
    name = _e(member.name or "(no name)")
    if member.contact_id is None:
        return f"{name}{roles} <i>(not synced to this computer)</i>"
    return f'<a href="contact:{member.contact_id}">{name}</a>{roles}'


def households_html(summaries: tuple[HouseholdSummary, ...]) -> str:
    """The client view's Household section."""
    if not summaries:
        return "<i>Not part of a household in Salesforce.</i>"
    parts = []
    for summary in summaries:
        ref = summary.household
        title = f'<a href="household:{_e(ref.sf_id)}">{_e(ref.name or "Household")}</a>'
        if summary.others:
            rows = "".join(f"<li>{member_html(m)}</li>" for m in summary.others)
            parts.append(f"<b>{title}</b><ul>{rows}</ul>")
        elif summary.is_self:  # Account mode: the members' Contacts are not synced as clients
            parts.append(f"<b>{title}</b><p><i>Its members are not on this computer: your clients are kept as "
                         "households (Settings → Sync).</i></p>")
        else:
            parts.append(f"<b>{title}</b><p><i>No one else in this household.</i></p>")
    return "".join(parts)


def _label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    return label


def _heading(text: str, scale: float = 1.15) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * scale)
    label.setFont(font)
    return label


class HouseholdView(QScrollArea):
    """``await show_household(connection_id, account_sf_id)``; links ask to open a person or an item."""

    open_contact = Signal(int)
    open_note_requested = Signal(int)
    open_task_requested = Signal(int)
    back_requested = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("householdView")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.households = Households(db)
        self.data: HouseholdDetail | None = None
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(20, 16, 20, 16)
        column.setSpacing(10)
        top = QHBoxLayout()
        self.back_button = QPushButton("Back to the client")
        self.back_button.setObjectName("householdBack")
        self.back_button.clicked.connect(self.back_requested)
        self.open_client_button = QPushButton("Open as a client")
        self.open_client_button.setObjectName("householdOpenClient")
        self.open_client_button.clicked.connect(self._open_client)
        top.addWidget(self.back_button)
        top.addWidget(self.open_client_button)
        top.addStretch(1)
        self.name_label = _heading("", 1.5)
        self.name_label.setObjectName("householdName")
        self.name_label.setWordWrap(True)
        self.subtitle = QLabel("Household")
        self.subtitle.setObjectName("householdSubtitle")
        self.members_view = _label("householdMembers")
        self.meetings_view = _label("householdMeetings")
        self.work_view = _label("householdWork")
        for view in (self.members_view, self.work_view):
            view.linkActivated.connect(self._link)
        column.addLayout(top)
        for widget in (self.name_label, self.subtitle, _heading("Members"), self.members_view,
                       _heading("Meetings"), self.meetings_view, _heading("Notes and open tasks"), self.work_view):
            column.addWidget(widget)
        column.addStretch(1)
        self.setWidget(body)

    async def show_household(self, connection_id: int, account_sf_id: str) -> HouseholdDetail | None:
        data = await self.households.open(connection_id, account_sf_id)
        self.data = data
        if data is None:
            self.name_label.setText("Household")
            self.members_view.setText("<i>This household is not on this computer.</i>")
            for view in (self.meetings_view, self.work_view):
                view.setText("")
            self.open_client_button.hide()
            return None
        self.name_label.setText(data.household.name or "Household")
        self.open_client_button.setVisible(data.household.contact_id is not None)
        self.members_view.setText(
            "<ul>" + "".join(f"<li>{member_html(m)}</li>" for m in data.members) + "</ul>" if data.members
            else "<i>No members on this computer.</i>")
        self.meetings_view.setText(self._meetings_html(data))
        self.work_view.setText(self._work_html(data))
        return data

    @staticmethod
    def _meetings_html(data: HouseholdDetail) -> str:
        if not data.upcoming and not data.past:
            return "<i>No meetings known on this computer.</i>"
        parts = []
        for title, items in (("Upcoming", data.upcoming), ("Past", data.past)):
            if items:
                rows = "".join(f"<li>{meeting_line(e)}</li>" for e in items[:50])
                parts.append(f"<b>{title}</b><ul>{rows}</ul>")
        return "".join(parts)

    @staticmethod
    def _work_html(data: HouseholdDetail) -> str:
        if not data.notes and not data.open_tasks:
            return "<i>No notes or open tasks for this household yet.</i>"
        rows = [f'<li><a href="note:{n.id}">{_e(n.title or "Untitled note")}</a> — note</li>' for n in data.notes]
        rows += [f'<li><a href="task:{t.id}">{_e(t.subject or "Untitled task")}</a> — open task'
                 f'{_e(f", due {t.due_date:%d %b %Y}") if t.due_date else ""}</li>' for t in data.open_tasks]
        return "<ul>" + "".join(rows) + "</ul>"

    def _link(self, href: str) -> None:
        kind, _, number = href.partition(":")
        if not number.isdigit():
            return
        signal = {"contact": self.open_contact, "note": self.open_note_requested,
                  "task": self.open_task_requested}.get(kind)
        if signal is not None:
            signal.emit(int(number))

    def _open_client(self) -> None:
        if self.data is not None and self.data.household.contact_id is not None:
            self.open_contact.emit(self.data.household.contact_id)
