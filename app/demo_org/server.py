"""HTTP(S) transport for the org: a threaded stdlib server with keep-alive, optional TLS, and the
transport-level faults (latency, failing requests, connections dropped after a committed write).

It runs in its own threads so callers need no event loop (tests, the CLI, and the desktop app's demo
mode all use it the same way). Each response is written with a single ``sendall`` and Nagle disabled,
so small keep-alive responses are not delayed by the delayed-ACK interaction. TLS uses a throwaway
trustme CA whose PEM is written to a temp file for clients to trust; the handshake runs in the
connection's own thread, so a client that refuses the certificate cannot stall the accept loop.
"""

from __future__ import annotations

import contextlib
import http
import io
import shutil
import socket
import ssl
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import parse_qs, unquote, urlsplit

from app.demo_org.compression import compress
from app.demo_org.core import OrgCore
from app.demo_org.http_types import Request, Response, json_response

IDLE_TIMEOUT_SECONDS = 120
# Salesforce refuses bodies over 50 MB of text (https://developer.salesforce.com/docs/atlas.en-us.
# api_rest.meta/api_rest/dome_sobject_insert_update_blob.htm); the cap bounds our memory per request,
# whether the size is declared (Content-Length) or not (chunked).
MAX_BODY = 64 * 1024 * 1024
# Connection threads are bounded: at the cap the longest-idle keep-alive connection is closed to make
# room (its client reconnects), and when none is idle the accept loop waits for a free slot — new
# connections queue in the listen backlog instead of each getting a thread.
MAX_CONNECTIONS = 64
_SLOT_WAIT_SECONDS = 0.05
_DRAIN_SECONDS = 1.0
_DRAIN_BYTES = 8 * 1024 * 1024


class _BadRequest(Exception):
    """The request cannot be framed or is too big: answer ``status`` and close the connection (the
    rest of the stream cannot be trusted to start a new request)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], core: OrgCore) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _Handler)
        self.core = core
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        self.idle_since: dict[socket.socket, float] = {}  # connections waiting for their next request
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self.stopping = threading.Event()

    def process_request(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        """Runs in the accept loop: a connection thread starts only when a slot is free."""
        if not self.slots.acquire(blocking=False):
            self._close_longest_idle()  # its thread ends at once and frees its slot
            while not self.slots.acquire(timeout=_SLOT_WAIT_SECONDS):
                if self.stopping.is_set():
                    self.shutdown_request(request)
                    return
                self._close_longest_idle()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def _close_longest_idle(self) -> None:
        with self.connections_lock:
            if not self.idle_since:
                return
            oldest = min(self.idle_since, key=self.idle_since.__getitem__)
            del self.idle_since[oldest]
        with contextlib.suppress(OSError):
            oldest.shutdown(socket.SHUT_RDWR)  # its thread sees end-of-stream and ends

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, ssl.SSLError, TimeoutError, OSError)):
            return  # clients hanging up or refusing our certificate are not server errors
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "NotebridgeDemoOrg/1.0"
    sys_version = ""
    timeout = IDLE_TIMEOUT_SECONDS
    server: _Server

    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
            self.server.idle_since.pop(self.connection, None)
        with contextlib.suppress(OSError):
            super().finish()

    def handle_one_request(self) -> None:
        """Waits for the next request as an idle connection (closable to make room), then serves it."""
        with self.server.connections_lock:
            self.server.idle_since[self.connection] = time.monotonic()
        assert isinstance(self.rfile, io.BufferedReader)  # makefile("rb") with the default buffering
        try:
            waiting = self.rfile.peek(1)
        except (TimeoutError, OSError):
            waiting = b""
        finally:
            with self.server.connections_lock:
                self.server.idle_since.pop(self.connection, None)
        if not waiting:
            self.close_connection = True
            return
        super().handle_one_request()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the org reports its traffic through ``stats()`` instead of stderr."""

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _read_body(self) -> bytes:
        """The body, never more than ``MAX_BODY`` in memory; raises ``_BadRequest`` for what cannot
        be framed (RFC 9112 §6.3: an invalid Content-Length or chunk size is unrecoverable)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        declared = (self.headers.get("Content-Length") or "").strip()
        if not declared:
            return b""
        if not declared.isascii() or not declared.isdigit() or len(self.headers.get_all("Content-Length") or []) > 1:
            raise _BadRequest(400, "Content-Length must be one non-negative whole number")
        length = int(declared)
        if length > MAX_BODY:
            raise _BadRequest(413, f"request body larger than {MAX_BODY} bytes")
        body = self.rfile.read(length) if length else b""
        if len(body) != length:
            raise _BadRequest(400, "the body ended before Content-Length bytes")
        return body

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            size_text = line.split(b";")[0].strip()
            if not line.endswith(b"\n") or not size_text or len(size_text) > 16 or not all(
                    c in b"0123456789abcdefABCDEF" for c in size_text):
                raise _BadRequest(400, "bad chunk size line")
            size = int(size_text, 16)
            if size == 0:
                for _ in range(100):  # trailer fields, then the blank line
                    if self.rfile.readline(8192) in (b"\r\n", b"\n", b""):
                        return b"".join(chunks)
                raise _BadRequest(400, "too many trailer fields")
            total += size
            if total > MAX_BODY:
                raise _BadRequest(413, f"request body larger than {MAX_BODY} bytes")
            chunk = self.rfile.read(size)
            if len(chunk) != size or self.rfile.readline(3) not in (b"\r\n", b"\n"):
                raise _BadRequest(400, "a chunk ended early or without its line break")
            chunks.append(chunk)

    def _serve(self) -> None:
        core = self.server.core
        started = time.perf_counter()
        split = urlsplit(self.path)
        path = unquote(split.path)
        try:
            body = self._read_body()
        except _BadRequest as bad:
            self.close_connection = True
            self._write(json_response(bad.status, [{"errorCode": "BAD_REQUEST" if bad.status == 400
                                                    else "REQUEST_TOO_LARGE", "message": bad.message}]))
            self._drain_before_close()
            return
        # HTTPMessage is read like a Mapping (get, keys, []), and its lookups ignore case as HTTP's do.
        headers = cast("Mapping[str, str]", self.headers)
        request = Request(self.command, path, parse_qs(split.query, keep_blank_values=True), headers, body)
        api = core.is_api_path(path)
        if api and core.faults.latency_ms:
            time.sleep(core.faults.latency_ms / 1000)
        handled_at = time.perf_counter()
        if api and core.faults.frozen:
            self._hang(core, request)
            return
        response = core.faults.take_failure() if api else None
        if response is None and api:
            response = core.faults.take_override(self.command, path)
        if response is None:
            response = core.handle(request)
        elapsed = (time.perf_counter() - handled_at) * 1000
        entry = {"method": self.command, "path": path, "status": response.status, "ms": round(elapsed, 3),
                 "total_ms": round((time.perf_counter() - started) * 1000, 3)}
        if api and response.committed_write and core.faults.take_drop():
            entry["dropped"] = True
            core.requests.record(entry)
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if not path.startswith("/__demo__/"):
            core.requests.record(entry)
        self._write(response, self.headers.get("Accept-Encoding") if api else None)

    def _hang(self, core: OrgCore, request: Request) -> None:
        """A frozen org: (maybe do the write, then) say nothing until thawed, then hang up."""
        if core.faults.freeze_commits and request.method in ("POST", "PATCH", "PUT", "DELETE"):
            core.handle(request)
        core.faults.wait_for_thaw()
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _drain_before_close(self) -> None:
        """Half-close, then read and drop what the client is still sending for a moment: closing with
        unread input makes the kernel send a reset, which can destroy the error response before the
        client reads it.  Bounded in time and bytes, so a client sending gigabytes cannot hold us."""
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)
            self.connection.settimeout(_DRAIN_SECONDS)
            deadline, drained = time.monotonic() + _DRAIN_SECONDS, 0
            while time.monotonic() < deadline and drained < _DRAIN_BYTES:
                data = self.connection.recv(65536)
                if not data:
                    break
                drained += len(data)

    def _write(self, response: Response, accept_encoding: str | None = None) -> None:
        try:
            reason = http.HTTPStatus(response.status).phrase
        except ValueError:
            reason = "Unknown"
        lines = [f"HTTP/1.1 {response.status} {reason}", f"Date: {self.date_time_string()}",
                 f"Server: {self.server_version}"]
        if response.content_type:
            lines.append(f"Content-Type: {response.content_type}")
        lines += [f"{name}: {value}" for name, value in response.headers.items()]
        body, coding = compress(response.body, accept_encoding)
        if coding is not None:
            lines += [f"Content-Encoding: {coding}", "Vary: Accept-Encoding"]
        lines.append(f"Content-Length: {len(body)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if self.command == "HEAD" else head + body)
        self.wfile.flush()


class HttpServer:
    """Owns the listening socket, the serving thread and (with TLS) the throwaway CA."""

    def __init__(self, core: OrgCore, host: str, port: int, tls: bool) -> None:
        self.core = core
        self._server = _Server((host, port), core)
        self._tempdir: str | None = None
        self.port = self._server.server_address[1]
        shown_host = f"[{host}]" if ":" in host else ("127.0.0.1" if host in ("0.0.0.0", "") else host)  # noqa: S104
        self.base_url = f"http://{shown_host}:{self.port}"
        self.ca_file: str | None = None
        if tls:
            self._enable_tls()
            self.base_url = f"https://localhost:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"demo-org-{self.port}", daemon=True)

    def _enable_tls(self) -> None:
        import trustme  # imported lazily: only TLS orgs need it

        authority = trustme.CA(organization_name="Notebridge Demo Org (throwaway local CA)")
        certificate = authority.issue_cert("localhost", "127.0.0.1", "::1")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(context)
        self._tempdir = tempfile.mkdtemp(prefix="notebridge-demo-org-")
        path = Path(self._tempdir) / "demo-org-ca.pem"
        authority.cert_pem.write_to_path(str(path))
        self.ca_file = str(path)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True,
                                                  do_handshake_on_connect=False)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        with self._server.connections_lock:
            open_connections = list(self._server.connections)
        for connection in open_connections:  # idle keep-alive connections would otherwise linger
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)
        if self._tempdir:
            shutil.rmtree(self._tempdir, ignore_errors=True)
            self._tempdir = None
