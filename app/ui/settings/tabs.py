"""The Settings page's five tabs and the widgets on them, laid out; ``page.py`` wires them up.

Connection (the status card, API use, client history kept offline), Sending (push settings, new
people), Sync log, Sync (what is copied from Salesforce: the choices, filter rules and fields), and
Sync steps (what runs in which direction and when, with each step's last run; last, so the other
tabs keep their places).
The object names are what tests and the page look tabs up by.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from app.services.events import Events
from app.services.sync_steps import SyncStep
from app.services.workspace import Database
from app.sync.connection import ConnectionManager
from app.ui.settings.connection_card import ConnectionCard
from app.ui.settings.fields_panel import FieldsPanel
from app.ui.settings.filter_rules_panel import FilterRulesPanel
from app.ui.settings.history_form import HistoryForm
from app.ui.settings.prospects import ProspectsForm
from app.ui.settings.push_form import PushSettingsForm
from app.ui.settings.sync_form import SyncChoicesPanel
from app.ui.settings.sync_log_view import SyncLogPanel
from app.ui.settings.sync_steps_view import SyncStepsPanel
from app.ui.settings.usage_panel import UsagePanel


def _scrolled(widget: QWidget, name: str) -> QScrollArea:
    area = QScrollArea()
    area.setObjectName(name)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    return area


def _column(tab: QWidget, *widgets: QWidget, right: int = 8, bottom: int = 8, stretch: bool = True) -> None:
    layout = QVBoxLayout(tab)
    layout.setContentsMargins(0, 8, right, bottom)
    for widget in widgets:
        layout.addWidget(widget)
    if stretch:
        layout.addStretch(1)


class SettingsTabs(QTabWidget):
    """The tabs, with each tab's widgets as attributes for the page to connect."""

    def __init__(self, db: Database, connections: ConnectionManager, events: Events,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsTabs")

        self.card = ConnectionCard()
        self.usage = UsagePanel()
        self.history_form = HistoryForm()
        connection_tab = QWidget()
        _column(connection_tab, self.card, self.usage, self.history_form)
        self.addTab(_scrolled(connection_tab, "settingsConnectionTab"), "Connection")

        self.push_form = PushSettingsForm()
        self.prospects = ProspectsForm()
        sending_tab = QWidget()
        _column(sending_tab, self.push_form, self.prospects)
        self.addTab(_scrolled(sending_tab, "settingsSendingTab"), "Sending")

        self.log_panel = SyncLogPanel(db)
        self.log_tab = QWidget()
        _column(self.log_tab, self.log_panel, right=0, bottom=0, stretch=False)
        self.addTab(self.log_tab, "Sync log")

        self.sync_panel = SyncChoicesPanel(db, connections, events)
        self.filter_panel = FilterRulesPanel(db, connections, events)
        self.fields_panel = FieldsPanel(db, connections, events)
        sync_tab = QWidget()
        _column(sync_tab, self.sync_panel, self.filter_panel, self.fields_panel)
        self.addTab(_scrolled(sync_tab, "settingsSyncTab"), "Sync")

        self.steps_panel = SyncStepsPanel(db, events)
        self.steps_tab = QWidget()
        self.steps_tab.setObjectName("settingsStepsTab")
        _column(self.steps_tab, self.steps_panel, right=0, bottom=0, stretch=False)
        self.addTab(self.steps_tab, "Sync steps")
        self.steps_panel.show_in_log.connect(self.show_step_in_log)

    def show_step_in_log(self, step: SyncStep) -> None:
        """Sync steps' "Show in log": the Sync log tab, on that step's entries."""
        self.log_panel.show_step(step)
        self.setCurrentWidget(self.log_tab)
