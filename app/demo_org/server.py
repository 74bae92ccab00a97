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
import shutil
import socket
import ssl
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from app.demo_org.compression import compress
from app.demo_org.core import OrgCore
from app.demo_org.http_types import Request, Response

IDLE_TIMEOUT_SECONDS = 120
MAX_BODY = 64 * 1024 * 1024


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

    def handle_error(self, request: object, client_address: object) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, ssl.SSLError, TimeoutError, OSError)):
            return  # clients hanging up or refusing our certificate are not server errors
        super().handle_error(request, client_address)  # type: ignore[arg-type]


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
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the org reports its traffic through ``stats()`` instead of stderr."""

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("request body too large")
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        core = self.server.core
        started = time.perf_counter()
        split = urlsplit(self.path)
        path = unquote(split.path)
        request = Request(self.command, path, parse_qs(split.query, keep_blank_values=True), self.headers,
                          self._read_body())
        api = core.is_api_path(path)
        if api and core.faults.latency_ms:
            time.sleep(core.faults.latency_ms / 1000)
        handled_at = time.perf_counter()
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
