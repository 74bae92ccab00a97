"""The Settings page: is Salesforce working (and if not, why and what to do), how Notebridge writes to
the org, what was synced, and how much of the org's API allowance is used.

Five tabs — Connection (status, actions, org facts, API use), Sending (push settings, new people),
Sync log, Sync (what is copied from Salesforce: every choice the wizard made, ``sync_form``) and Sync
steps (each step's schedule and last run; "Show in log" opens the log on that step); the tabs and
their widgets are laid out in ``tabs.py``, and this page wires them to the use cases.
Everything follows the one ``ConnectionManager``: its listeners update the card the moment the status
changes (a failed push turning it to "Needs attention" shows here and in the status bar alike).

Wiring (the app shell)::

    page = SettingsPage(ctx.db, connections, open_item=shell.open_item, before_forget=shell.detach,
                        events=shell.events)   # the one bus: a new person queued wakes the push by itself
    window.set_page("settings", page)
    page.reconnect_requested.connect(shell.reconnect)   # one browser sign-in; the wizard only for a new org
    page.push_preferences_changed.connect(lambda _p: aio.start(shell.push.apply_saved_preferences()))
    page.prospect_preferences_changed.connect(lambda _p: aio.start(shell.push.apply_saved_preferences()))
    bind_status_badge(connections, window.set_connection_status, shell.events)
    aio.start(page.start())
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import shiboken6
from PySide6.QtCore import QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.salesforce.errors import SalesforceError
from app.salesforce.oauth_errors import OAuthError
from app.services import forget as forget_org
from app.services.connection_status import subscribe_status
from app.services.drafts import ItemKind
from app.services.events import Events, PushFinished, SyncFinished
from app.services.forget import ForgetResult
from app.services.history import ClientHistory, PrefetchPreferences
from app.services.sync_choices import SyncChoices
from app.services.sync_settings import ProspectPreferences, PushPreferences, SyncSettings
from app.services.usage import UsageRecorder, empty_summary
from app.services.workspace import Database
from app.sync.connection import ConnectionManager, ConnectionStatus, NotConnected, OrgConnection
from app.ui import aio
from app.ui.settings.confirm import disconnect_dialog, forget_dialog
from app.ui.settings.prospects import NewPersonDialog
from app.ui.settings.tabs import SettingsTabs
from app.ui.wizard.preferences import content_note_support

log = logging.getLogger(__name__)

USAGE_SAMPLE_MS = 60_000
OpenItem = Callable[[ItemKind, int], object]


class SettingsPage(QWidget):
    reconnect_requested = Signal()
    disconnected = Signal()
    forgotten = Signal(object)            # ForgetResult
    push_preferences_changed = Signal(object)      # PushPreferences, after it was saved
    prospect_preferences_changed = Signal(object)  # ProspectPreferences, after it was saved
    person_added = Signal(int)            # local contact id of a new prospect (queued: wake the push loop)

    def __init__(
        self, db: Database, connections: ConnectionManager, *, open_item: OpenItem | None = None,
        open_url: Callable[[str], object] | None = None, open_person: Callable[[int], object] | None = None,
        before_forget: Callable[[], Awaitable[object]] | None = None,
        exports_dir: Path | None = None, events: Events | None = None, parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsPage")
        self.db = db
        self.connections = connections
        self.events = events or Events()
        self.sync_settings = SyncSettings(db, self.events)
        self.open_item = open_item
        self.open_url = open_url or (lambda url: QDesktopServices.openUrl(QUrl(url)))
        self.open_person = open_person
        self.before_forget = before_forget
        self.exports_dir = exports_dir
        self.connection: OrgConnection | None = None
        self.status: ConnectionStatus = connections.status
        self.recorder: UsageRecorder | None = None
        self.push_prefs = PushPreferences()
        self.prospect_prefs = ProspectPreferences()
        self.last_forget: ForgetResult | None = None
        self._busy = False
        self._note_support_for: int | None = None
        self._closed = False
        self._include_leads = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.tabs = SettingsTabs(db, connections, self.events)
        layout.addWidget(self.tabs)
        self.card = self.tabs.card
        self.usage = self.tabs.usage
        self.push_form = self.tabs.push_form
        self.prospects = self.tabs.prospects
        self.log_panel = self.tabs.log_panel
        self.sync_panel = self.tabs.sync_panel
        self.history_form = self.tabs.history_form
        self.filter_panel = self.tabs.filter_panel
        self.fields_panel = self.tabs.fields_panel
        self.steps_panel = self.tabs.steps_panel
        self.history = ClientHistory(db)
        self.sync_panel.changed.connect(self._choices_changed)  # here or in the workspace's menu

        self.card.test_clicked.connect(aio.slot(self.test_connection))
        self.card.reconnect_clicked.connect(self.reconnect_requested)
        self.card.disconnect_clicked.connect(aio.slot(self.disconnect_org))
        self.card.forget_clicked.connect(aio.slot(self.forget))
        self.push_form.changed.connect(aio.slot(self.save_push_preferences))
        self.prospects.changed.connect(aio.slot(self.save_prospect_preferences))
        self.history_form.changed.connect(aio.slot(self.save_history_preferences))
        self.prospects.add_person_clicked.connect(aio.slot(self.add_person))
        self.log_panel.open_item_requested.connect(self._open_item)
        self.log_panel.open_url_requested.connect(lambda url: self.open_url(url))
        self.card.message.link_activated.connect(lambda href: self.open_url(href))
        self.tabs.currentChanged.connect(self._tab_changed)

        self._usage_timer = QTimer(self)
        self._usage_timer.setInterval(USAGE_SAMPLE_MS)
        self._usage_timer.timeout.connect(lambda: aio.start(self.sample_usage(), name="usage sample"))

        page = weakref.ref(self)

        def on_status(status: ConnectionStatus) -> None:
            target = page()
            if target is not None and not target._closed and shiboken6.isValid(target):
                target._on_status(status)

        self._unsubscribe_status = subscribe_status(connections, self.events, on_status)

        def on_salesforce_answered(_event: object) -> None:
            """A sync or push just heard Salesforce's usage header: chart it now, not at the next tick
            (the chart said "not reported yet" for a minute while the status bar showed the figure)."""
            target = page()
            if target is not None and not target._closed and shiboken6.isValid(target):
                aio.start(target.sample_usage(), name="usage sample")

        self._unsubscribe_usage = [self.events.subscribe(kind, on_salesforce_answered)
                                   for kind in (SyncFinished, PushFinished)]

    # -- lifecycle ----------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Load everything for the active connection and start sampling API usage."""
        await self.reload()
        self._usage_timer.start()

    async def reload(self) -> None:
        """Re-read the active connection and everything shown for it (after a sign-in, a forget …)."""
        self.connection = self.connections.active
        connection = self.connection
        self.status = self.connections.status
        self._include_leads = False
        if connection is not None:
            cid = connection.connection_id
            current = await self.sync_settings.load(cid)
            self.push_prefs, self.prospect_prefs = current.push, current.prospects
            self._include_leads = current.pull.include_leads
            if self.recorder is None or self.recorder.connection_id != cid:
                self.recorder = UsageRecorder(self.db, cid)
        else:
            self.recorder = None
            self.push_prefs, self.prospect_prefs = PushPreferences(), ProspectPreferences()
        self._show_state()
        self.push_form.set_preferences(self.push_prefs)
        self.prospects.set_preferences(self.prospect_prefs)
        if connection is not None:
            cid = connection.connection_id
            self.history_form.set_state(await self.history.prefetch_preferences(cid),
                                        await self.history.clients_with_history(cid))
        for widget in (self.push_form, self.prospects, self.history_form):
            widget.setEnabled(connection is not None)
        await self.sync_panel.load(connection.connection_id if connection else None)
        self.log_panel.set_connection(connection.connection_id if connection else None,
                                      connection.instance_url if connection else "")
        await self.log_panel.refresh()
        self.steps_panel.set_connection(connection.connection_id if connection else None)
        await self.steps_panel.refresh()
        await self.sample_usage()

    async def save_history_preferences(self, prefs: PrefetchPreferences) -> None:
        """The meeting-prep prefetch settings; the next background sync follows them."""
        if self.connection is not None:
            await self.history.save_prefetch_preferences(self.connection.connection_id, prefs)

    async def aclose(self) -> None:
        self._closed = True
        self._unsubscribe_status()
        for unsubscribe in self._unsubscribe_usage:
            unsubscribe()
        self.sync_panel.close_bus()
        self.steps_panel.close_bus()
        self._usage_timer.stop()

    # -- status -------------------------------------------------------------------------------------------
    def _on_status(self, status: ConnectionStatus) -> None:
        changed_org = self.connections.active != self.connection
        self.status = status
        if changed_org:
            aio.start(self.reload(), name="settings reload")
            return
        self._show_state()

    def _show_state(self) -> None:
        self.card.show_state(self.status, self.connection, busy=self._busy)
        self.card.show_facts(self.connection, include_leads=self._include_leads)

    def _choices_changed(self, choices: SyncChoices) -> None:
        self.connection = self.connections.active  # where clients live is one of the card's facts
        self._include_leads = choices.include_leads
        self._show_state()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._show_state()

    async def test_connection(self) -> ConnectionStatus:
        self._set_busy(True)
        self.card.message.show_message("info", "Checking with Salesforce…")
        try:
            status = await self.connections.test_connection()
        finally:
            self._set_busy(False)
        self.card.set_checked(datetime.now().astimezone())
        if status.state == "connected" and not status.offline:
            self.card.message.show_message("ok", "Salesforce answered. Everything is working.")
        else:
            self.card.message.clear()  # the card above already says what is wrong and what to do
        await self.sample_usage()
        return status

    # -- disconnect / forget ------------------------------------------------------------------------------
    async def disconnect_org(self, *, confirm: bool = True) -> bool:
        """Sign out of the org (named so as not to hide Qt's ``QObject.disconnect``)."""
        connection = self.connections.active
        if connection is None:
            return False
        if confirm and not await aio.run_dialog(disconnect_dialog(connection, self)):
            return False
        self._set_busy(True)
        try:
            await self.connections.disconnect()
        finally:
            self._set_busy(False)
        self.card.message.show_message(
            "ok", "Disconnected. Your clients and drafts are kept on this computer.",
            fix="Choose Reconnect to sign in again.")
        self.disconnected.emit()
        return True

    async def forget(self, *, confirm: bool = True) -> ForgetResult | None:
        connection = self.connections.active
        if connection is None:
            return None
        summary = await forget_org.preview(self.db, connection.connection_id)
        if confirm and not await aio.run_dialog(forget_dialog(connection, summary, self)):
            return None
        self._set_busy(True)
        try:
            if self.before_forget is not None:
                await self.before_forget()  # stop the engines writing to this org's rows
            result = await forget_org.forget_org(self.db, self.connections, exports_dir=self.exports_dir)
        except OSError as exc:
            self.card.message.show_message(
                "error", "Nothing was deleted: the unsent drafts could not be saved to a file.",
                fix=f"{exc.strerror or exc}. Free some disk space or check the data folder, then try again.")
            return None
        finally:
            self._set_busy(False)
        self.last_forget = result
        await self.reload()
        if result.export_path is not None:
            self.card.message.show_message(
                "ok", f"{connection.org_name or 'The org'} was forgotten. Your unsent notes and tasks were "
                "saved first.", fix=str(result.export_path),
                link=(result.export_path.parent.as_uri(), "Show the file"))
        else:
            self.card.message.show_message("ok", f"{connection.org_name or 'The org'} was forgotten.",
                                           fix="There were no unsent notes or tasks.")
        self.forgotten.emit(result)
        return result

    # -- preferences --------------------------------------------------------------------------------------
    async def save_push_preferences(self, prefs: PushPreferences) -> bool:
        before = self.push_prefs
        try:
            await self.sync_settings.change_push(self.connections, before, prefs)  # releases what it frees
        except (ValueError, LookupError) as exc:
            self.push_form.show_saved(False, f"Not saved: {exc}")
            return False
        self.push_prefs = prefs
        self.connection = self.connections.active
        self._show_state()
        self.push_form.show_saved(True, "Saved. Used from the next push.")
        self.push_preferences_changed.emit(prefs)
        await self.sample_usage()  # the reserve line and its words follow the new share
        return True

    async def save_prospect_preferences(self, prefs: ProspectPreferences) -> bool:
        if self.connection is None:
            return False
        try:
            saved = await self.sync_settings.change_prospects(self.connection.connection_id, prefs)
        except ValueError as exc:
            self.prospects.saved.setText(f"Not saved: {exc}")
            return False
        self.prospect_prefs = saved
        self.prospects.saved.setText("Saved.")
        self.prospect_preferences_changed.emit(saved)
        return True

    def new_person_dialog(self) -> NewPersonDialog | None:
        if self.connection is None:
            return None
        dialog = NewPersonDialog(self.db, self.connection.connection_id, self.prospect_prefs, events=self.events,
                                 parent=self)
        dialog.added.connect(self.person_added)
        if self.open_person is not None:
            dialog.open_existing.connect(lambda contact_id: self.open_person(contact_id))
        return dialog

    async def add_person(self) -> int | None:
        dialog = self.new_person_dialog()
        if dialog is None:
            return None
        await aio.run_dialog(dialog)
        return dialog.contact_id

    # -- note type availability -----------------------------------------------------------------------------
    def _tab_changed(self, index: int) -> None:
        tab = self.tabs.widget(index)
        if tab is None or self._closed:  # -1, or closed: the tabs go one by one as the page is torn down
            return
        if tab.objectName() == "settingsSendingTab":
            aio.start(self.check_note_types(), name="note type check")
        elif tab.objectName() == "settingsSyncTab":
            aio.start(self.filter_panel.load(), name="filter rules")
            aio.start(self.fields_panel.load(), name="field choices")
        elif self.tabs.widget(index) is self.log_panel.parentWidget():
            aio.start(self.log_panel.refresh(), name="sync log refresh")
        elif tab is self.tabs.steps_tab:
            self.steps_panel.changed_elsewhere()  # shown: its last-run times are read afresh

    async def check_note_types(self) -> tuple[bool, str] | None:
        """Ask the org once (one API call) whether Enhanced Notes can be created, to explain the choice."""
        connection = self.connection
        if connection is None or self.status.state != "connected" or self.status.offline:
            return None
        if self._note_support_for == connection.connection_id:
            return None
        try:
            client = await self.connections.client()
            described = await client.describe_global()
        except (NotConnected, SalesforceError, OAuthError) as exc:
            log.info("could not check note types: %s", exc)
            return None
        self._note_support_for = connection.connection_id
        support = content_note_support(described)
        self.push_form.set_note_type_support(support)
        return support

    # -- API usage ----------------------------------------------------------------------------------------
    async def sample_usage(self) -> None:
        """Record the live client's usage reading (no API call) and redraw the chart."""
        if self._closed:
            return
        recorder = self.recorder
        if recorder is None:
            self.usage.show_summary(empty_summary(self.push_prefs.reserve_fraction), _now())
            return
        if self.connections.api_usage is not None:
            try:
                client = await self.connections.client()
            except (NotConnected, SalesforceError, OAuthError):
                client = None
            if self._closed:
                return
            await recorder.observe(client)
        if self._closed:  # closed while the client was fetched: the workspace may be closed too
            return
        summary = await recorder.summary(self.push_prefs.reserve_fraction)
        if not self._closed:
            self.usage.show_summary(summary, _now())

    # -- helpers ------------------------------------------------------------------------------------------
    def _open_item(self, kind: ItemKind, item_id: int) -> None:
        if kind == ItemKind.PERSON:  # a new person's row: their contact, not an editor
            if self.open_person is not None:
                self.open_person(item_id)
        elif self.open_item is not None:
            self.open_item(kind, item_id)


def _now() -> datetime:
    return datetime.now(UTC)
