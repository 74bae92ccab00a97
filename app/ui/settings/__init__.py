"""Settings: the Salesforce connection (status, actions, org facts, API use), push settings, new
people, and the sync log.  ``SettingsPage`` is what ``MainWindow.set_page("settings", …)`` takes;
``bind_status_badge`` mirrors the same connection status in the status bar."""

from app.ui.settings.connection_card import bind_status_badge, status_words
from app.ui.settings.page import SettingsPage

__all__ = ["SettingsPage", "bind_status_badge", "status_words"]
