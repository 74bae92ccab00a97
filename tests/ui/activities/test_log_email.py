"""Log an email from the client view, through the real email editor (paste, drop), pushed by the real loop
to the demo org: online, while Salesforce does not answer, with a lost answer — once each; matched to the
client whose address is on it; an over-long body said before Push; an Outlook .msg explained."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from PySide6.QtCore import QEvent, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QListWidget, QPlainTextEdit
from pytestqt.qtbot import QtBot

from app.store import contacts
from app.store.contact_rows import ContactSummary
from app.ui.editor.email_drop import NO_CLIENT_WORDS, EmailDropTarget, log_dropped_email
from app.ui.editor.email_editor import EmailEditor
from tests.support.qt_loop import until
from tests.ui.activities.conftest import ClientView, client_view


async def _people(view: ClientView) -> tuple[ContactSummary, ContactSummary]:
    cid = view.app.connection_id
    people = await view.app.db.run(lambda s: contacts.page(s, cid, 0, 20))
    shown = next(p for p in people if p.sf_id == view.contact_sf_id)
    other = next(p for p in people if p.source_object == "Contact" and p.email and p.id != shown.id
                 and p.email != shown.email)
    assert shown.email
    return shown, other


def _eml(sender: str, subject: str, body: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "advisor@firm.example", subject
    msg["Date"] = format_datetime(datetime(2026, 11, 30, 14, 5, tzinfo=UTC))
    msg.set_content(body)
    msg.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="statement.pdf")
    return bytes(msg)


def _file_mime(path: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    return mime


async def _open_email(view: ClientView, qtbot: QtBot) -> EmailEditor:
    assert view.detail.activity_buttons["email"].text() == "Log an email"
    editor = await view.open("email", qtbot)
    assert isinstance(editor, EmailEditor)
    return editor


async def _paste(editor: EmailEditor, qtbot: QtBot, text: str) -> None:
    QApplication.clipboard().setText(text)
    await until(lambda: QApplication.clipboard().text() == text, "the email is on the clipboard")
    qtbot.mouseClick(editor.paste_button, Qt.MouseButton.LeftButton)
    await until(lambda: editor.email_message.message != "", "the pasted email was read")


async def _push(editor: EmailEditor) -> None:
    assert editor.push_button.isEnabled()
    assert await editor.push()


def _emails(view: ClientView, subject: str) -> list[dict[str, object]]:
    return [r for r in view.live("Task") if r.get("TaskSubtype") == "Email" and r.get("Subject") == subject]


def _text(editor: EmailEditor, name: str) -> str:
    widget = editor.inputs[name]
    assert isinstance(widget, QLineEdit | QPlainTextEdit)
    return widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()


async def test_log_email_pasted_in_the_client_view_is_one_completed_email_task(qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot) as view:
        shown, _other = await _people(view)
        editor = await _open_email(view, qtbot)
        await _paste(editor, qtbot, f"From: {shown.name} <{shown.email}>\nTo: advisor@firm.example\n"
                                    "Subject: Rollover forms\nDate: Mon, 30 Nov 2026 14:05:00 +0000\n\n"
                                    "Please send the forms.\n")
        assert _text(editor, "subject") == "Rollover forms" and _text(editor, "body") == "Please send the forms."
        assert editor.email_message.message.startswith("Filled in from the email")  # the client matched: no offer
        await _push(editor)

        await until(lambda: editor.state_label.text() == "Pushed · saved", "the editor shows Pushed")
        [task] = _emails(view, "Email: Rollover forms")
        assert task["WhoId"] == view.contact_sf_id and task["Status"] == "Completed"
        assert str(task["Description"]).endswith("Please send the forms.")
        assert not editor.paste_button.isEnabled() and not editor.inputs["subject"].isEnabled()


async def test_log_email_dropped_eml_from_another_client_offers_to_log_it_on_them(
        qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot) as view:
        shown, other = await _people(view)
        path = tmp_path / "from other.eml"
        path.write_bytes(_eml(f"{other.name} <{other.email.upper() if other.email else ''}>", "Beneficiary",
                              "New beneficiary form attached."))
        editor = await _open_email(view, qtbot)
        assert await editor.take(_file_mime(path))

        files = editor.inputs["attachments"]
        assert isinstance(files, QListWidget) and files.isVisibleTo(editor) and files.count() == 1
        item = files.item(0)
        assert item.text() == "statement.pdf (8 bytes)" and not item.flags() & Qt.ItemFlag.ItemIsEnabled
        assert "not available yet" in item.toolTip()
        assert f"{other.name}'s address, not {shown.name}'s" in editor.email_message.message
        editor.email_message.link_activated.emit(f"client:{other.id}")
        await until(lambda: editor.person.text() == f"With {other.name}", "the email moved to the other client")
        await _push(editor)

        await until(lambda: editor.state_label.text() == "Pushed · saved", "pushed")
        [task] = _emails(view, "Email: Beneficiary")
        assert task["WhoId"] == other.sf_id
        assert "Attachments (not uploaded): statement.pdf (8 bytes)" in str(task["Description"])


async def test_log_email_while_salesforce_does_not_answer_waits_then_is_pushed_once(
        qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot) as view:
        editor = await _open_email(view, qtbot)
        await _paste(editor, qtbot, "From: someone@example.com\nSubject: Offline email\n\nWritten offline.")
        view.app.org.faults.fail_next(10, status=503)
        await _push(editor)

        await until(lambda: editor.state_label.text() == "Pushed · saved", "pushed once it answers again")
        assert len(_emails(view, "Email: Offline email")) == 1


async def test_log_email_lost_answer_is_not_duplicated(qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot) as view:
        editor = await _open_email(view, qtbot)
        await _paste(editor, qtbot, "From: someone@example.com\nSubject: Lost answer\n\nBody.")
        view.app.org.faults.drop_after_commit(1)
        await _push(editor)

        await until(lambda: editor.state_label.text() == "Pushed · saved", "found, not sent again")
        assert len(_emails(view, "Email: Lost answer")) == 1


async def test_log_email_over_long_body_says_what_will_be_cut_before_push(qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot) as view:
        editor = await _open_email(view, qtbot)
        body = "Quoted thread line.\n" * 2_000 + "The very last words."
        await _paste(editor, qtbot, f"From: someone@example.com\nSubject: Long thread\n\n{body}")

        await until(lambda: "will not be sent" in editor.problems.message, "the editor says what will be cut")
        assert editor.problems.kind == "warn" and "Salesforce keeps 32,000" in editor.problems.message
        assert "40,020 characters long" in editor.problems.message
        await _push(editor)  # Push stays on: nothing is cut without saying so, and nothing is refused

        await until(lambda: editor.state_label.text() == "Pushed · saved", "pushed")
        [task] = _emails(view, "Email: Long thread")
        description = str(task["Description"])
        assert len(description) <= 32_000 and "The very last words." not in description
        assert "were not kept: Salesforce keeps 32,000." in description


async def test_log_email_outlook_msg_is_explained_and_nothing_changes(qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot) as view:
        editor = await _open_email(view, qtbot)
        path = tmp_path / "Rollover.msg"
        path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64))
        assert not await editor.take(_file_mime(path))
        assert editor.email_message.kind == "error" and ".msg files can't be read" in editor.email_message.message
        assert _text(editor, "subject") == "" and _text(editor, "body") == ""


async def test_log_email_dropped_on_the_window_goes_to_the_matching_client_or_says_why(
        qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot) as view:
        _shown, other = await _people(view)
        said: list[str] = []
        stranger = tmp_path / "stranger.eml"
        stranger.write_bytes(_eml("nobody@elsewhere.example", "Spam", "Not a client."))
        assert await log_dropped_email(_file_mime(stranger), view.launcher, None, said.append)
        assert said == [NO_CLIENT_WORDS]  # logged on no one yet, and what Push will do is said
        await until(lambda: len(view.launcher.windows) == 1, "the stranger's email opened")
        nobody = view.launcher.windows[0].editor
        assert isinstance(nobody, EmailEditor) and nobody.person.text() == "No client"
        assert nobody.draft.contact_id is None and "Settings → Sending" in nobody.email_message.message

        known = tmp_path / "known.eml"
        known.write_bytes(_eml(f"<{other.email}>", "From a client", "Hello."))
        assert await log_dropped_email(_file_mime(known), view.launcher, None, said.append)
        await until(lambda: len(view.launcher.windows) == 2, "the email's editor opened")
        editor = view.launcher.windows[1].editor
        assert isinstance(editor, EmailEditor) and editor.person.text() == f"With {other.name}"
        assert _text(editor, "subject") == "From a client" and editor.draft.contact_id == other.id


async def test_log_email_dropped_eml_on_the_client_view_is_taken_and_other_drops_are_not(
        qtbot: QtBot, tmp_path: Path) -> None:
    async with client_view(tmp_path, qtbot) as view:
        target = EmailDropTarget(view.detail)
        dropped: list[QMimeData] = []
        target.dropped.connect(dropped.append)
        eml = tmp_path / "a.eml"
        eml.write_bytes(_eml("someone@example.com", "Dropped", "Hi"))
        picture = tmp_path / "photo.png"
        picture.write_bytes(b"\x89PNG")
        here = QPointF(10, 10)
        actions = Qt.DropAction.CopyAction

        def send(event: QEvent) -> None:
            QApplication.sendEvent(view.detail, event)

        for path, taken in ((picture, False), (eml, True)):
            mime = _file_mime(path)
            enter = QDragEnterEvent(here.toPoint(), actions, mime, Qt.MouseButton.LeftButton,
                                    Qt.KeyboardModifier.NoModifier)
            send(enter)
            assert enter.isAccepted() is taken
            send(QDropEvent(here, actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
        assert [Path(m.urls()[0].toLocalFile()) for m in dropped] == [eml]  # a copy that outlives the drop
        assert view.detail.acceptDrops()
