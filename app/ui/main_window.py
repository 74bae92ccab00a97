"""The shell every screen lives in: sidebar (Workspace, Outbox, Settings), pages, and a status bar.

Pages are plugged in by later features through `set_page()`; until a page has content of its own, an
empty state says what to do next. The status bar always answers three questions: am I connected, is
something syncing, how much of the org's API allowance is used.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QStackedWidget,
    QStatusBar,
    QVBoxLayout,
    QWidget,
)

from app import APP_NAME
from app.ui.resources import app_icon, icon
from app.ui.shortcuts import HELP_KEYS, QUIT_KEYS, ShortcutsDialog
from app.ui.widgets.empty_state import EmptyState
from app.ui.widgets.status_badge import StatusBadge
from app.ui.window_layout import WindowLayout

PAGES: tuple[tuple[str, str, str], ...] = (
    ("workspace", "Workspace", "icons/workspace.svg"),
    ("outbox", "Outbox", "icons/outbox.svg"),
    ("settings", "Settings", "icons/settings.svg"),
)


class MainWindow(QMainWindow):
    connect_requested = Signal()
    close_requested = Signal()

    def __init__(self, window_layout: WindowLayout | None = None) -> None:
        """``window_layout``: where size, position and splitters are remembered (None: nowhere)."""
        super().__init__()
        self.layout_store = window_layout
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self.resize(1100, 720)
        self.setMinimumSize(QSize(760, 480))

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName("Sections")
        self.sidebar.setFixedWidth(180)
        self.sidebar.setIconSize(QSize(20, 20))
        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        self._page_index: dict[str, int] = {}
        text_colour = self.palette().color(self.foregroundRole())
        for key, label, icon_path in PAGES:
            item = QListWidgetItem(icon(icon_path, tint=text_colour), label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.sidebar.addItem(item)
            self._page_index[key] = self.pages.addWidget(self._default_page(key))
        self.sidebar.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.sidebar.setCurrentRow(0)
        layout.addWidget(self.sidebar)
        self._content = QVBoxLayout()  # a banner (the demo's) above the pages, when there is one
        self._content.setContentsMargins(0, 0, 0, 0)
        self._content.setSpacing(0)
        self._content.addWidget(self.pages, 1)
        self.banner: QWidget | None = None
        layout.addLayout(self._content, 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self._build_shortcuts()
        if window_layout is not None:
            window_layout.restore_window(self)

    # -- pages -----------------------------------------------------------------------------------
    def _default_page(self, key: str) -> QWidget:
        if key == "workspace":
            page = EmptyState(
                name="workspaceEmpty",
                illustration="illustrations/connect.svg",
                title="Connect Salesforce to see your clients",
                text="Notebridge copies your clients from Salesforce so you can find them instantly and "
                "write notes even when you are offline. Setup takes about 10 minutes.",
                action="Connect Salesforce…",
            )
            page.action_clicked.connect(self.connect_requested)
            return page
        if key == "outbox":
            return EmptyState(
                name="outboxEmpty",
                illustration="illustrations/outbox-empty.svg",
                title="Nothing waiting to go to Salesforce",
                text="Notes and tasks you push appear here until Salesforce has them. "
                "If you are offline, they wait here safely and go out when you are back online.",
            )
        page = EmptyState(
            name="settingsEmpty",
            illustration=None,
            title="Salesforce is not connected",
            text="Connect your Salesforce org to sync clients and push notes. You will need your "
            "Salesforce address and, if you are not the admin, the consumer key your admin gave you.",
            action="Connect Salesforce…",
        )
        page.action_clicked.connect(self.connect_requested)
        return page

    def set_page(self, key: str, widget: QWidget) -> None:
        """Replace a section's content (features call this when they are ready)."""
        index = self._page_index[key]
        old = self.pages.widget(index)
        assert old is not None  # every section has a page from the start
        if self.layout_store is not None:
            self.layout_store.save_splitters(old)
            self.layout_store.restore_splitters(widget)
        self.pages.removeWidget(old)
        old.deleteLater()
        self.pages.insertWidget(index, widget)
        self.pages.setCurrentIndex(self.sidebar.currentRow())

    def set_banner(self, banner: QWidget | None) -> None:
        """Show ``banner`` across the top of every section (None removes it)."""
        if self.banner is not None:
            self._content.removeWidget(self.banner)
            self.banner.deleteLater()
        self.banner = banner
        if banner is not None:
            self._content.insertWidget(0, banner)

    def show_section(self, key: str) -> None:
        self.sidebar.setCurrentRow(self._page_index[key])

    def current_section(self) -> str:
        return PAGES[self.sidebar.currentRow()][0]

    def page(self, key: str) -> QWidget:
        page = self.pages.widget(self._page_index[key])
        assert page is not None  # every section has a page from the start
        return page

    # -- status bar ------------------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = QStatusBar()
        bar.setObjectName("statusBar")
        self.connection_badge = StatusBadge("Not connected", "idle")
        self.connection_badge.setObjectName("statusBadge")
        self.sync_label = QLabel("")
        self.sync_label.setObjectName("syncStatus")
        self.sync_progress = QProgressBar()
        self.sync_progress.setObjectName("syncProgress")
        self.sync_progress.setMaximumWidth(160)
        self.sync_progress.setTextVisible(False)
        self.sync_progress.setVisible(False)
        self.api_usage_label = QLabel("API use: —")
        self.api_usage_label.setObjectName("apiUsage")
        self.api_usage_label.setToolTip("Share of your org's daily Salesforce API allowance used so far")
        bar.addWidget(self.connection_badge)
        bar.addWidget(self.sync_label, 1)
        bar.addPermanentWidget(self.sync_progress)
        bar.addPermanentWidget(self.api_usage_label)
        self.setStatusBar(bar)

    def set_connection_status(self, text: str, kind: str, tooltip: str = "") -> None:
        self.connection_badge.set_status(text, kind, tooltip)

    def set_sync_progress(self, text: str, done: int | None = None, total: int | None = None) -> None:
        """`total=None` hides the bar (idle); `total=0` shows a busy bar for work of unknown size."""
        self.sync_label.setText(text)
        if total is None:
            self.sync_progress.setVisible(False)
            return
        self.sync_progress.setVisible(True)
        self.sync_progress.setRange(0, max(total, 0))
        if total:
            self.sync_progress.setValue(min(done or 0, total))

    def set_api_usage(self, used: int | None, limit: int | None) -> None:
        if used is None or not limit:
            self.api_usage_label.setText("API use: —")
            return
        share = used / limit
        self.api_usage_label.setText(f"API use: {share:.0%} of {limit:,} today")

    # -- keyboard --------------------------------------------------------------------------------
    def _build_shortcuts(self) -> None:
        for number, (key, _label, _icon) in enumerate(PAGES, start=1):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.activated.connect(lambda k=key: self.show_section(k))
        self.shortcuts_dialog: ShortcutsDialog | None = None
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        # Ctrl+Q everywhere (Qt reads Ctrl as Cmd on macOS, and names the action for the app menu):
        # closing the window quits through the same path, which saves open editors first.
        self.quit_action = QAction("&Quit Notebridge", self)
        self.quit_action.setObjectName("quitAction")
        self.quit_action.setShortcut(QKeySequence(QUIT_KEYS))
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)  # editor windows too
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)
        help_menu = menus.addMenu("&Help")
        self.shortcuts_action = QAction("&Keyboard shortcuts", self)
        self.shortcuts_action.setObjectName("shortcutsAction")
        # "?" only while no text field has focus: a field takes its printable keys before any shortcut.
        self.shortcuts_action.setShortcuts([QKeySequence(HELP_KEYS),
                                            QKeySequence(QKeySequence.StandardKey.HelpContents)])
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        help_menu.addAction(self.shortcuts_action)
        self.addAction(self.quit_action)
        self.addAction(self.shortcuts_action)

    def show_shortcuts(self) -> ShortcutsDialog:
        """The Help menu's list of keyboard shortcuts (one window, raised if already open)."""
        if self.shortcuts_dialog is None:
            self.shortcuts_dialog = ShortcutsDialog(self)
        self.shortcuts_dialog.show()
        self.shortcuts_dialog.raise_()
        return self.shortcuts_dialog

    def bring_to_front(self) -> None:
        """Called when a second launch asks us to show ourselves."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def save_layout(self) -> None:
        """Remember size, position and every named splitter of the pages (on close, and before a
        page is replaced, so its splitter is not forgotten)."""
        if self.layout_store is not None:
            self.layout_store.save_window(self)
            self.layout_store.save_splitters(self.pages)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self.close_requested.emit()
        super().closeEvent(event)
