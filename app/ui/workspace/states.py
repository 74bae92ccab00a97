"""What the workspace page shows when there is no list to show, and the banner above it.

Every state says what happened and offers the next step: never connected, disconnected (the
workspace is kept), first sync running, client sync off, pick mode with nobody picked yet, offline,
the daily API limit, nothing matching the search.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from app.ui import aio
from app.ui.workspace.list_model import SEARCH_LIMIT

if TYPE_CHECKING:
    from app.ui.workspace.page import WorkspacePage

    _Base = WorkspacePage
else:
    _Base = object


class WorkspaceStates(_Base):
    """Mixed into ``WorkspacePage``; uses its widgets and state."""

    def _empty_action(self) -> None:
        kind = self.empty.property("kind")
        if kind == "connect":
            self.connect_requested.emit()
        elif kind == "pick":
            aio.start(self.open_pick_dialog(), name="pick-dialog")
        elif kind == "enable":
            self.toggle_action.setChecked(True)
        else:
            aio.start(self.sync_now(), name="sync-now")

    def _set_empty(self, kind: str, title: str, text: str, action: str | None) -> None:
        self.empty.setProperty("kind", kind)
        self.empty.title_label.setText(title)
        self.empty.text_label.setText(text)
        if self.empty.button is not None:
            self.empty.button.setVisible(action is not None)
            if action:
                self.empty.button.setText(action)
        self.body.setCurrentWidget(self.empty)

    def _update_state(self) -> None:
        settings = self.settings
        pick = bool(settings and settings.pick_mode)
        self.pick_button.setVisible(pick)
        connected = self.connections is not None and self.connections.status.state == "connected"
        self.sync_button.setEnabled(self.scheduler is not None and self.connection_id is not None)
        self._update_banner()
        total = self.model.total
        if self.connection_id is None:
            self._set_empty("connect", "Connect Salesforce to see your clients",
                            "Notebridge copies your clients from Salesforce so you can find them instantly and "
                            "write notes even when you are offline. Setup takes about 10 minutes.",
                            "Connect Salesforce…")
        elif total == 0 and not self.model.searching:
            if self.syncing:
                self.body.setCurrentWidget(self.loading)
            elif settings is not None and not settings.contacts_enabled:
                self._set_empty("enable", "Client sync is off",
                                "Turn it on to copy your clients from Salesforce.", "Turn client sync on")
            elif pick:
                self._set_empty("pick", "Add the clients you work with",
                                "Pick mode is on: search Salesforce and add the people you want here. Only they "
                                "are kept up to date.", "Add from Salesforce…")
            elif connected:
                self._set_empty("sync", "No clients yet",
                                "Your workspace is empty. Sync to copy your clients from Salesforce.", "Sync now")
            else:
                self._set_empty("connect", "No clients in this workspace",
                                "Connect Salesforce to copy your clients here.", "Connect Salesforce…")
        else:
            self.body.setCurrentWidget(self.splitter)
        if self.model.searching and self.model.rowCount() == 0:
            self.no_results.title_label.setText(f"No clients match “{self.model.query}”")
            self.no_results.text_label.setText(
                "Check the spelling, or try part of the name, e-mail, phone number, household or city."
                + (" Or add them from Salesforce." if pick else ""))
            if self.no_results.button is not None:
                self.no_results.button.setVisible(pick and self.scheduler is not None)
            self.list_stack.setCurrentWidget(self.no_results)
        else:
            self.list_stack.setCurrentWidget(self.list_view)
        self._update_status_label()

    def _update_status_label(self) -> None:
        total = self.model.total
        parts = [f"{total:,} client{'s' if total != 1 else ''}"] if self.connection_id is not None else []
        if self.model.searching:
            shown = self.model.rowCount()
            if shown >= SEARCH_LIMIT:  # the search stops at the best SEARCH_LIMIT: say so, and what to do
                parts.append(f"best {shown:,} matches, type more to narrow them down")
            else:
                parts.append(f"{shown:,} match{'es' if shown != 1 else ''}")
        if self.syncing and self.last_progress is not None:
            parts.append(self.last_progress.message)
        self.status_label.setText(" · ".join(parts))

    def _update_banner(self) -> None:
        status = self.connections.status if self.connections is not None else None
        result = self.last_result
        if self.connection_id is not None and status is not None and status.state == "not_connected":
            self.banner.show_message(
                "warn", "Salesforce is disconnected. Your clients, notes and tasks are kept here.",
                fix="Nothing is synced until you reconnect.", link=("connect", "Reconnect Salesforce…"))
        elif status is not None and status.state == "needs_attention":
            self.banner.show_message("error", status.reason or "Salesforce needs attention.", fix=status.fix,
                                     link=("connect", "Reconnect Salesforce…"))
        elif status is not None and status.offline:
            self.banner.show_message(
                "info", "You are offline. Search and notes work as usual; Notebridge syncs when you are back.")
        elif result is not None and result.outcome in ("limit", "failed", "offline", "partial", "needs_attention"):
            kind = "info" if result.outcome == "partial" else "warn"
            self.banner.show_message(kind, result.message)
        elif result is not None and result.outcome == "off":
            self.banner.show_message("info", result.message)
        else:
            self.banner.clear()

    def _banner_link(self, href: str) -> None:
        if href == "connect":
            self.connect_requested.emit()

    def describe_state(self) -> dict[str, Any]:
        """What the page shows, in words (tests and the screenshot script)."""
        body = self.body.currentWidget()
        with contextlib.suppress(AttributeError):
            return {"body": body.objectName(), "empty_kind": self.empty.property("kind"),
                    "banner": self.banner.plain_text(), "status": self.status_label.text()}
        return {}
