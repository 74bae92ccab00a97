"""Note and task editors (autosave, limits, Push) and the launcher that opens them in windows."""

from app.ui.editor.note_editor import NoteEditor
from app.ui.editor.task_editor import TaskEditor
from app.ui.editor.window import EditorLauncher, EditorWindow

__all__ = ["EditorLauncher", "EditorWindow", "NoteEditor", "TaskEditor"]
