"""The meeting-note editor: title, formatted body, tags, template, meeting — saved as you type.

Limits are shown live and block Push (never truncated): title ≤ 80 characters, body ≤ 32 KB.  The
"Task from action item" button turns the list item under the cursor (or the selected text) into a
task for the same client in one click.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.drafts import (
    CLIENT_TAG,
    NOTE_BODY_MAX_BYTES,
    NOTE_TITLE_MAX,
    Drafts,
    ItemKind,
    LimitProblem,
    NoteDraft,
    note_problems,
)
from app.services.workspace import Database
from app.ui.editor.draft_editor import DraftEditor
from app.ui.editor.markdown_edit import MarkdownEdit, format_toolbar
from app.ui.widgets.inline_message import InlineMessage
from app.ui.widgets.stored_choice import select_stored

TEMPLATES: dict[str, tuple[str, ...]] = {
    "Meeting": ("Summary", "Discussion", "Action items", "Next steps"),
}


def template_markdown(name: str, existing: str = "") -> str:
    """The template's sections, appended to what is there (sections already present are kept)."""
    sections = TEMPLATES.get(name, ())
    present = {line.lstrip("#").strip().casefold() for line in existing.splitlines() if line.startswith("#")}
    missing = [s for s in sections if s.casefold() not in present]
    blocks = [f"## {section}\n\n" + ("- \n" if section in ("Action items", "Next steps") else "")
              for section in missing]
    text = existing.rstrip()
    return (text + "\n\n" if text else "") + "\n".join(blocks)


class NoteEditor(DraftEditor):
    task_requested = Signal(int, str)    # note id, action item text

    KIND = ItemKind.NOTE

    def __init__(self, db: Database, note: NoteDraft, *, client_name: str = "",
                 events: list[tuple[int, str, datetime | None]] | None = None,
                 drafts: Drafts | None = None, parent: QWidget | None = None) -> None:
        super().__init__(db, note, parent, drafts=drafts)
        self.setObjectName("noteEditor")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)

        header = QHBoxLayout()
        self.client_label = QLabel(f"Note for <b>{_esc(client_name)}</b>" if client_name else "Note")
        self.client_label.setObjectName("noteClient")
        header.addWidget(self.client_label, 1)
        self.meeting = QComboBox()
        self.meeting.setObjectName("noteMeeting")
        self.meeting.setAccessibleName("Meeting")
        self.meeting.addItem("No meeting", None)
        for event_id, subject, start in events or []:
            when = start.astimezone().strftime("%d %b %Y %H:%M") if start else ""
            self.meeting.addItem(f"{subject} · {when}" if when else subject, event_id)
        header.addWidget(self.meeting)
        self.template = QComboBox()
        self.template.setObjectName("noteTemplate")
        self.template.setAccessibleName("Template")
        self.template.addItem("No template", None)
        for name, sections in TEMPLATES.items():
            self.template.addItem(f"{name} ({', '.join(sections)})", name)
        header.addWidget(self.template)
        layout.addLayout(header)

        title_row = QHBoxLayout()
        self.title = QLineEdit()
        self.title.setObjectName("noteTitle")
        self.title.setPlaceholderText("Title, e.g. Annual review with the Garcias")
        self.title.setAccessibleName("Title")
        title_row.addWidget(self.title, 1)
        self.title_count = QLabel()
        self.title_count.setObjectName("noteTitleCount")
        title_row.addWidget(self.title_count)
        layout.addLayout(title_row)

        self.body = MarkdownEdit()
        self.body.setObjectName("noteBody")
        self.body.setAccessibleName("Note")
        self.body.setPlaceholderText("What was discussed? Use the toolbar for headings and lists.")
        layout.addWidget(format_toolbar(self.body, self))
        layout.addWidget(self.body, 1)

        tags_row = QHBoxLayout()
        self.client_tag = QCheckBox("Client")
        self.client_tag.setObjectName("noteClientTag")
        self.client_tag.setToolTip("Client-tagged meeting notes go into the meeting's description in Salesforce")
        tags_row.addWidget(self.client_tag)
        self.tags = QLineEdit()
        self.tags.setObjectName("noteTags")
        self.tags.setPlaceholderText("Other tags, comma-separated")
        self.tags.setAccessibleName("Tags")
        tags_row.addWidget(self.tags, 1)
        self.body_size = QLabel()
        self.body_size.setObjectName("noteBodySize")
        tags_row.addWidget(self.body_size)
        layout.addLayout(tags_row)

        problems = InlineMessage(name="noteProblems")
        layout.addWidget(problems)

        self.make_task = QPushButton("Task from action item")
        self.make_task.setObjectName("noteMakeTask")
        self.make_task.setToolTip("Turn the list item under the cursor (or the selected text) into a task")
        self._finish(layout, problems, state_name="noteStatus", push_name="notePush", beside_push=(self.make_task,))
        self.push_button.setDefault(True)

        for signal in (self.title.textChanged, self.body.textChanged, self.tags.textChanged):
            signal.connect(self._changed)
        self.client_tag.toggled.connect(self._changed)
        self.meeting.currentIndexChanged.connect(self._changed)
        self.template.activated.connect(self._apply_template)
        self.body.focus_lost.connect(self.autosave.flush_soon)
        self.title.editingFinished.connect(self.autosave.flush_soon)
        self.make_task.clicked.connect(self._task_from_cursor)

    def focus_first_field(self) -> None:
        """A new window starts where the advisor types first: the title."""
        self.title.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def note(self) -> NoteDraft:
        return self.draft

    # -- values ---------------------------------------------------------------------------------------
    def _fill(self, note: NoteDraft) -> None:
        self.title.setText(note.title)
        self.body.set_markdown(note.body_markdown)
        self.client_tag.setChecked(any(t == CLIENT_TAG for t in note.tags))
        self.tags.setText(", ".join(t for t in note.tags if t != CLIENT_TAG))
        # The stored meeting and template, always: "No meeting" must not stand in for a meeting the
        # list does not offer, or the next save would unlink the note from it (see stored_choice).
        select_stored(self.meeting, note.event_id, "No meeting", missing="The linked meeting")
        select_stored(self.template, note.template, "No template")

    def values(self) -> dict[str, Any]:
        tags = [CLIENT_TAG] if self.client_tag.isChecked() else []
        tags += [t.strip() for t in self.tags.text().split(",") if t.strip()]
        return {"title": self.title.text(), "body_markdown": self.body.markdown(), "tags": tags,
                "event_id": self.meeting.currentData(), "template": self.template.currentData()}

    def as_text(self) -> str:
        title, body, tags = self.title.text().strip(), self.body.markdown().strip(), self.tags.text().strip()
        parts = [f"# {title}" if title else "", body, f"Tags: {tags}" if tags else ""]
        return "\n\n".join(p for p in parts if p) + "\n"

    def _limits(self) -> list[LimitProblem]:
        title, body = self.title.text(), self.body.markdown()
        size = len(body.encode("utf-8"))
        self.title_count.setText(f"{len(title)}/{NOTE_TITLE_MAX}")
        self.title_count.setProperty("over", len(title) > NOTE_TITLE_MAX)
        self.body_size.setText(f"{size / 1000:.1f} KB of {NOTE_BODY_MAX_BYTES // 1000} KB")
        return [p for p in note_problems(title, body, has_parent=True) if p.field != "title" or title.strip()]

    def _apply_template(self, _index: int) -> None:
        name = self.template.currentData()
        if name:
            self.body.set_markdown(template_markdown(name, self.body.markdown()))
            self._changed()

    # -- actions --------------------------------------------------------------------------------------
    def action_item_text(self) -> str:
        cursor = self.body.textCursor()
        if cursor.hasSelection():
            return cursor.selectedText().replace("\u2029", " ").strip()
        cursor.select(QTextCursor.SelectionType.BlockUnderCursor)
        return cursor.selectedText().replace("\u2029", " ").strip()

    def _task_from_cursor(self) -> None:
        text = self.action_item_text()
        if not text:
            self.problems.show_message("info", "Put the cursor on an action item (or select its text) first.")
            return
        self.task_requested.emit(self.note.id, text)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
