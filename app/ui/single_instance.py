"""One Notebridge per workspace: a second launch raises the first window and exits.

Whether a launch is the first is decided by the workspace itself: the process that takes the
workspace's writer lock (:mod:`app.store.workspace_lock`, an OS lock on a file beside the database) is
the one instance, whatever its ``TMPDIR``; the kernel drops that lock when a process dies, so a crash
never blocks the next start.  The QLocalServer named after the data directory is only the messenger
that asks the first instance to show its window.  Its socket lives wherever Qt puts local sockets
(``TMPDIR`` on Unix), so a launch with another ``TMPDIR`` may not reach the first: then it says plainly
that Notebridge is already open on this workspace.  Only the lock holder ever removes a socket, and only
one nothing answers on (left by a crashed run) — never another live instance's.
"""

from __future__ import annotations

import enum
import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QDeadlineTimer, QObject, QThread, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app import APP_ID
from app.paths import DATABASE_NAME
from app.services.workspace import workspace_lock

log = logging.getLogger(__name__)

_RAISE = b"raise\n"
_FIRST_STARTING_MS = 1500  # a first instance holds the lock a moment (milliseconds) before it listens
_RETRY_MS = 50


class Launch(enum.Enum):
    """What a launch found."""

    FIRST = "first"              # this process holds the workspace and is the one instance
    RAISED = "raised"            # another Notebridge has the workspace and was asked to show itself
    UNREACHABLE = "unreachable"  # another Notebridge has the workspace but did not answer


def server_name(data_dir: Path) -> str:
    digest = hashlib.sha256(str(data_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    return f"{APP_ID}-{digest}"


class SingleInstance(QObject):
    """`acquire()` returns True for the first instance (it then holds the workspace lock)."""

    raise_requested = Signal()

    def __init__(self, data_dir: Path, database: Path | None = None) -> None:
        super().__init__()
        self.name = server_name(data_dir)
        self.database = database if database is not None else data_dir / DATABASE_NAME
        self.launch: Launch | None = None
        self.workspace_lock: workspace_lock.WorkspaceLock | None = None
        self._server: QLocalServer | None = None
        self._clients: set[QLocalSocket] = set()

    def notify_first(self, timeout_ms: int = 1000) -> bool:
        """Ask a running instance to show itself. True if one answered."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(timeout_ms):
            return False
        socket.write(_RAISE)
        socket.waitForBytesWritten(timeout_ms)
        socket.disconnectFromServer()
        return True

    def _answers(self, timeout_ms: int = 300) -> bool:
        """Whether something listens on our name (connect only; nothing is asked of it)."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        answered = socket.waitForConnected(timeout_ms)
        socket.abort()
        return answered

    def acquire(self) -> bool:
        """True if this launch is the workspace's one instance; see :attr:`launch` for why not.

        Raises :class:`~app.store.StoreError` when the workspace cannot be locked at all.
        """
        return self.claim() is Launch.FIRST

    def claim(self, wait_for_first_ms: int = _FIRST_STARTING_MS) -> Launch:
        """Take the workspace, or raise the Notebridge that has it.

        Runs at start-up, before the event loop and any window exist, so the short waits for a first
        instance that is still starting block nothing the advisor can see.
        """
        lock = workspace_lock.try_acquire(self.database)
        if lock is None:
            self.launch = Launch.RAISED if self._raise_first(wait_for_first_ms) else Launch.UNREACHABLE
            return self.launch
        self.workspace_lock = lock
        self._listen()
        self.launch = Launch.FIRST
        return self.launch

    def _raise_first(self, wait_ms: int) -> bool:
        deadline = QDeadlineTimer(wait_ms)
        while True:
            if self.notify_first(timeout_ms=300):
                return True
            if deadline.hasExpired():
                return False
            QThread.msleep(_RETRY_MS)

    def _listen(self) -> None:
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            # We hold the workspace lock, so no live Notebridge should serve this name; still, remove
            # the socket only if nothing answers on it (a crashed run's leftover), never a live one.
            if self._answers():
                log.warning("another program answers on %s; this window cannot be raised by a second launch",
                            self.name)
                server.deleteLater()
                return
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                # Still the one instance (the lock says so); only "raise the window" is unavailable.
                log.warning("single-instance messenger unavailable: %s", server.errorString())
                server.deleteLater()
                return
        server.newConnection.connect(self._on_connection)
        self._server = server

    def _on_connection(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            self._clients.add(socket)
            socket.readyRead.connect(self._on_message)
            socket.disconnected.connect(self._on_disconnected)
            if socket.bytesAvailable():
                self._read(socket)

    def _on_message(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(_RAISE.strip()):
            self.raise_requested.emit()

    def _on_disconnected(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket) and socket in self._clients:
            self._clients.discard(socket)
            socket.deleteLater()

    def release(self) -> None:
        for socket in list(self._clients):
            socket.abort()
        self._clients.clear()
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None
        if self.workspace_lock is not None:
            self.workspace_lock.release()  # after the messenger: a new launch then finds nothing half-open
            self.workspace_lock = None
