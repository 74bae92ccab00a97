"""The client card inside the detail panel: its widgets, and one client's ``ClientDetail`` shown on them.

Split from ``detail.py`` along its seam: this module builds the card (name, the action rows, the
fields, household, timeline, meetings and work lists) and renders a client on it; ``ContactDetail``
(detail.py) owns one card and connects its buttons and links to what they do.  The card holds
widgets only — which client is shown, and what a click means, stay in ``ContactDetail``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from app.services.activities import activity_forms_offered
from app.services.clients import ClientDetail
from app.services.workspace import Database
from app.ui.workspace.detail_html import e as _e
from app.ui.workspace.detail_html import extras_html, meetings_html, phone_href, when, work_html
from app.ui.workspace.household import households_html
from app.ui.workspace.timeline import TimelineView

FIELDS = (("email", "E-mail"), ("phone", "Phone"), ("mobile", "Mobile"), ("address", "Address"),
          ("owner", "Owner"), ("modified", "Last modified"))


class ClientCard(QScrollArea):
    """``show_client(data, salesforce_url)`` shows one client; the buttons' and links' signals are wired
    by ``ContactDetail``.  ``activity_buttons`` holds one "Log a call" … button per activity kind."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.setObjectName("detailCard")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(20, 16, 20, 16)
        column.setSpacing(10)

        self.name_label = QLabel()
        self.name_label.setObjectName("detailName")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.name_label.setFont(font)
        self.name_label.setWordWrap(True)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subtitle_label = QLabel()
        self.subtitle_label.setObjectName("detailSubtitle")
        self.subtitle_label.setWordWrap(True)
        self.read_only_label = QLabel()
        self.read_only_label.setObjectName("detailReadOnly")
        self.read_only_label.setWordWrap(True)
        self.read_only_label.setTextFormat(Qt.TextFormat.RichText)

        buttons = QHBoxLayout()
        self.open_button = QPushButton("Open in Salesforce")
        self.open_button.setObjectName("openInSalesforce")
        self.note_button = QPushButton("New note")
        self.note_button.setObjectName("newNote")
        self.note_button.setProperty("class", "primary")
        self.task_button = QPushButton("New task")
        self.task_button.setObjectName("newTask")
        self.task_button.setToolTip("A follow-up for this client, sent to Salesforce as a Task (Ctrl+T)")
        buttons.addWidget(self.note_button)
        buttons.addWidget(self.task_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        # One action per activity kind, on a row of their own under "New note" (its form names it: "Log a
        # call" …): on one row with the rest they ran past the panel's edge and hid "Open in Salesforce".
        activity_row = QHBoxLayout()
        self.activity_buttons: dict[str, QPushButton] = {}
        for form in activity_forms_offered():
            button = QPushButton(form.action)
            button.setObjectName(f"new_{form.kind.value}")
            if form.shortcut:
                button.setToolTip(f"{form.action} for this client ({form.shortcut})")
            activity_row.addWidget(button)
            self.activity_buttons[form.kind.value] = button
        activity_row.addStretch(1)

        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(6)
        self.fields: dict[str, QLabel] = {}
        for row, (key, label) in enumerate(FIELDS):
            caption = QLabel(label)
            caption.setObjectName(f"detailCaption_{key}")
            value = QLabel()
            value.setObjectName(f"detail_{key}")
            value.setWordWrap(True)
            value.setTextFormat(Qt.TextFormat.RichText)
            value.setOpenExternalLinks(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
            grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, 1)
            self.fields[key] = value
        grid.setColumnStretch(1, 1)

        self.household_label = section_label("Household")
        self.household_view = rich_label("detailHousehold")
        self.meetings_label = section_label("Meetings")
        self.meetings_view = rich_label("detailMeetings")
        self.meetings_view.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.work_label = section_label("Notes, tasks, calls, meetings and emails")
        self.work_view = rich_label("detailWork")

        # The Salesforce history (its own module); once a client's history is on this computer it
        # includes the meetings and Notebridge's own notes and tasks, so the two lists below step aside.
        self.timeline = TimelineView(db)
        self.timeline.history_shown.connect(self._history_shown)

        for widget in (self.name_label, self.subtitle_label, self.read_only_label):
            column.addWidget(widget)
        column.addLayout(buttons)
        column.addLayout(activity_row)
        column.addLayout(grid)
        self.extras_view = rich_label("detailExtras")
        self.extras_view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.extras_view)
        shown_in_order: tuple[QWidget, ...] = (self.household_label, self.household_view, self.timeline,
                                               self.meetings_label, self.meetings_view, self.work_label,
                                               self.work_view)
        for section in shown_in_order:
            column.addWidget(section)
        column.addStretch(1)
        self.setWidget(body)

    def _history_shown(self, shown: bool) -> None:
        for widget in (self.meetings_label, self.meetings_view, self.work_label, self.work_view):
            widget.setVisible(not shown)

    def show_client(self, data: ClientDetail, salesforce_url: str | None) -> None:
        """Show ``data``; "Open in Salesforce" is enabled when there is a ``salesforce_url``."""
        c = data.contact
        self.name_label.setText(c.name or "(no name)")
        kind = {"Lead": "Lead", "Account": "Household / account"}.get(c.source_object)
        outside = "Outside your filter — kept for your drafts" if data.outside_filter else None
        self.subtitle_label.setText(" · ".join(p for p in (kind, c.title, c.account_name, outside) if p))
        if c.read_only:
            target = data.converted_to
            link = (f' It became <a href="contact:{target.id}">{_e(target.name)}</a>.' if target
                    else "")
            self.read_only_label.setText(
                "<b>Converted lead — read-only.</b> Salesforce no longer accepts changes to it." + link)
            self.read_only_label.show()
        else:
            self.read_only_label.hide()
        self.fields["email"].setText(
            f'<a href="mailto:{_e(c.email)}">{_e(c.email)}</a>' if c.email else "—")
        for key, number in (("phone", c.phone), ("mobile", c.mobile_phone)):
            self.fields[key].setText(f'<a href="{_e(phone_href(number))}">{_e(number)}</a>' if number else "—")
        address_lines = [c.mailing_street, " ".join(p for p in (c.mailing_city, c.mailing_state,
                                                                c.mailing_postal_code) if p), c.mailing_country]
        self.fields["address"].setText("<br>".join(_e(p) for p in address_lines if p) or "—")
        self.fields["owner"].setText(_e(data.owner_name or c.owner_id or "—"))
        self.fields["modified"].setText(_e(when(c.last_modified)) if c.last_modified else "—")
        self.open_button.setEnabled(salesforce_url is not None)
        self.open_button.setToolTip(salesforce_url or "Connect Salesforce to open records there")
        self.note_button.setEnabled(not c.read_only)
        self.task_button.setEnabled(not c.read_only)
        for button in self.activity_buttons.values():
            button.setEnabled(not c.read_only)
        self.extras_view.setText(extras_html(data))
        self.extras_view.setVisible(bool(data.extras))
        self.household_view.setText(households_html(data.households))
        self.meetings_view.setText(meetings_html(data))
        self.work_view.setText(work_html(data))


def section_label(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.15)
    label.setFont(font)
    return label


def rich_label(name: str) -> QLabel:
    """A wrapping rich-text label (the card's lists and extras)."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label
