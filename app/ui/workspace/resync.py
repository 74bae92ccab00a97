""""Re-sync everything": ask first (it fetches every client again and can take minutes and many API
calls), then show its progress as a bar with counts, not only as status-bar text.

The confirmation is a ``ConfirmDialog`` opened with ``open()`` and awaited (never ``exec()``); the
progress window is not modal — the advisor can keep working — and closes itself when the sync ends.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.services.client_sync import SyncProgress
from app.ui.settings.confirm import ConfirmDialog
from app.wording import counted


def confirm_resync(clients: int, parent: QWidget | None = None) -> ConfirmDialog:
    here = f"the {counted(clients, 'client')} in Notebridge" if clients else "your clients"
    return ConfirmDialog(
        "Re-sync everything?",
        f"<p>Notebridge fetches {here} from Salesforce again, from the beginning. This can take a few "
        "minutes and uses some of your org's daily API calls.</p>"
        "<p>Your notes, tasks and drafts are not touched. You can keep working meanwhile.</p>",
        "Re-sync everything", name="resyncDialog", destructive=False, parent=parent)


class ResyncProgress(QDialog):
    """A bar with "12,400 of 48,000 clients" while a full re-sync runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resyncProgress")
        self.setWindowTitle("Re-syncing everything")
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        self.label = QLabel("Starting…")
        self.label.setObjectName("resyncProgressText")
        self.label.setWordWrap(True)
        layout.addWidget(self.label)
        self.bar = QProgressBar()
        self.bar.setObjectName("resyncProgressBar")
        self.bar.setRange(0, 0)  # busy until the size is known
        self.bar.setTextVisible(True)
        layout.addWidget(self.bar)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("resyncStop")
        self.stop_button.setToolTip("Stop now; the next sync carries on from where this one stopped")
        layout.addWidget(self.stop_button)

    def show_progress(self, progress: SyncProgress) -> None:
        """Counts on the bar (``done of total``), the advisor's words above it."""
        self.label.setText(progress.message)
        if progress.total:
            self.bar.setRange(0, progress.total)
            self.bar.setValue(min(progress.done, progress.total))
            self.bar.setFormat(f"{progress.done:,} of {progress.total:,}")
        else:
            self.bar.setRange(0, 0)
            self.bar.setFormat(f"{progress.done:,}")
