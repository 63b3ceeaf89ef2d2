"""The HTTP side: a threading HTTP/1.1 server with keep-alive, faults, latency and recording.

Every answer carries ``Content-Length`` (never chunked, never gzip) and the correlation id header
of the server's version. Thumbnails are written in chunks of at most 64 KiB.
"""

from __future__ import annotations

import contextlib
import json
import math
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from immiche.testing._api import JSON, Api, ApiRequest, RouteAnswer, find_credential
from immiche.testing._errors import correlation_header, dumps, error_body, new_correlation_id
from immiche.testing._faults import Fault, Faults
from immiche.testing._jpeg import Thumbnail
from immiche.testing._models import CredentialKind, RecordedRequest, RecordedResponse

__all__ = ["FakeHTTPServer", "Site"]

_REDACTED = "[redacted]"
_SECRET_HEADERS = frozenset(
    {"authorization", "x-api-key", "cookie", "x-immich-user-token", "x-immich-session-token", "x-immich-share-key"}
)
_SECRET_QUERY = frozenset({"apiKey", "sessionKey", "key", "slug"})
_SMALL = 256 * 1024  # answers up to this size go out in one write
_WELL_KNOWN = dumps({"api": {"endpoint": "/api"}})
_WEB_APP = b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Immich</title></head><body><div id="app"></div></body></html>'
_INVALID_JSON = b'{"people":[{"id":"9a1d4b0c-'
_WRONG_SHAPE = dumps({"unexpected": "shape", "data": [1, 2, 3]})


def _nginx_page(status: int) -> bytes:
    title = f"{status} {_phrase(status)}"
    return (
        f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n"
        "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    ).encode()


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


@dataclass
class Site:
    """What the HTTP layer serves and records; shared by every connection of one server."""

    api: Api
    base_path: str
    faults: Faults
    latency: float = 0.0
    record_responses: bool = False
    stopping: threading.Event = field(default_factory=threading.Event)
    requests: list[RecordedRequest] = field(default_factory=list)
    responses: list[RecordedResponse] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def relative(self, path: str) -> str | None:
        """The path below the base path, or ``None`` when outside it."""
        if not self.base_path:
            return path
        if path == self.base_path:
            return "/"
        if path.startswith(self.base_path + "/"):
            return path[len(self.base_path) :]
        return None

    def answer(self, request: ApiRequest) -> RouteAnswer:
        """Immich's answer (or the proxy's, outside the base path)."""
        relative = request.path
        if relative == "/.well-known/immich" and request.method in ("GET", "HEAD"):
            return RouteAnswer(200, _WELL_KNOWN, template="/.well-known/immich")
        if relative.startswith("/api/"):
            return self.api.handle(request)
        if request.method in ("GET", "HEAD"):  # Immich serves its web app on every other path
            return RouteAnswer(200, _WEB_APP, content_type="text/html; charset=utf-8")
        target = relative + (f"?{request.query_string}" if request.query_string else "")
        return self.api.error(request, 404, f"Cannot {request.method} {target}")

    def faulty(self, fault: Fault, correlation_id: str) -> RouteAnswer:
        """The answer of a fault that replaces Immich's."""
        status = fault.status or 500
        headers = []
        if fault.retry_after is not None:
            value = fault.retry_after
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            headers.append(("Retry-After", str(value)))
        if fault.kind == "html":
            return RouteAnswer(status, _nginx_page(status), "text/html", [*headers, ("Server", "nginx")])
        if fault.kind == "invalid_json":
            return RouteAnswer(status, _INVALID_JSON, JSON, headers)
        if fault.kind == "wrong_shape":
            return RouteAnswer(status, _WRONG_SHAPE, JSON, headers)
        message = "Internal server error" if status == 500 else _phrase(status)
        return RouteAnswer(status, dumps(error_body(self.api.dialect, status, message, correlation_id)), JSON, headers)


class FakeHTTPServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that counts connections, and whose threads can all be stopped.

    Connection threads are daemons (they never hold up the interpreter's exit), which the
    standard library does not join; :meth:`close` wakes and joins them.
    """

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], site: Site) -> None:
        super().__init__(address, _Handler)
        self.site = site
        self._open: set[socket.socket] = set()
        self._connection_threads: list[threading.Thread] = []
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        """One daemon thread per connection, remembered so that :meth:`close` can join it."""
        with self.site.lock:
            self.site.connections += 1
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="fake-immich-connection",
            daemon=True,
        )
        with self._open_lock:
            self._connection_threads = [t for t in self._connection_threads if t.is_alive()]
            self._connection_threads.append(thread)
        thread.start()

    def close(self, timeout: float = 10.0) -> None:
        """After ``shutdown()``: close the listening socket and every connection, join every thread."""
        self.server_close()
        with self._open_lock:
            connections, threads = list(self._open), list(self._connection_threads)
        for connection in connections:  # wakes handlers blocked on idle keep-alive connections
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(timeout)

    def track(self, connection: socket.socket, *, open_: bool) -> None:
        with self._open_lock:
            if open_:
                self._open.add(connection)
            else:
                self._open.discard(connection)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up are normal here (faults, timeouts); anything else is kept."""
        import sys

        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)) or error is None:
            return
        with self.site.lock:
            self.site.errors.append(error)
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "immiche-fake"
    sys_version = ""
    server: FakeHTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, open_=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, open_=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read ``server.requests`` instead."""

    def do_GET(self) -> None:
        self._serve()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    # -- one request -----------------------------------------------------------------------

    def _serve(self) -> None:
        site = self.server.site
        path, _, query_string = self.path.partition("?")
        query = parse_qs(query_string, keep_blank_values=True)
        headers = {name.lower(): value for name, value in self.headers.items()}
        body = self._read_body()
        credential = find_credential(headers, query)
        correlation_id = new_correlation_id()
        self._record(path, query, headers, credential.kind if credential else None, body)
        relative = site.relative(path)
        request = ApiRequest(self.command, relative or path, query_string, query, headers, body, correlation_id)
        if site.latency > 0:
            site.stopping.wait(site.latency)
        fault = site.faults.take(relative or path, path)
        if fault is not None and fault.delay and fault.kind != "slow_body":
            site.stopping.wait(fault.delay)
        if fault is not None and fault.kind == "reset":
            self._reset()
            return
        if fault is not None and fault.kind not in ("truncate", "slow_body"):
            reply = site.faulty(fault, correlation_id)
        else:
            reply = self._reply(request, inside=relative is not None)
        if fault is None and site.record_responses and reply.content_type == JSON and self.command != "HEAD":
            assert isinstance(reply.body, bytes)
            recorded = RecordedResponse(self.command, path, reply.template, reply.status, json.loads(reply.body))
            with site.lock:  # before sending: the client may look as soon as it has the answer
                site.responses.append(recorded)
        self._send(reply, correlation_id, fault)

    def _reply(self, request: ApiRequest, *, inside: bool) -> RouteAnswer:
        """Immich's answer; a proxy's 404 outside the base path; a 500 if the fake itself fails."""
        site = self.server.site
        if not inside:
            return RouteAnswer(404, _nginx_page(404), "text/html", [("Server", "nginx")])
        try:
            return site.answer(request)
        except Exception as error:  # a bug in the fake: answer like Immich, and keep it for the tests
            with site.lock:
                site.errors.append(error)
            body = error_body(site.api.dialect, 500, "Internal server error", request.correlation_id)
            return RouteAnswer(500, dumps(body))

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is not None:
            try:
                return self.rfile.read(int(length))
            except ValueError:
                self.close_connection = True
                return b""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        return b""

    def _record(
        self,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        kind: CredentialKind | None,
        body: bytes = b"",
    ) -> None:
        seen = RecordedRequest(
            method=self.command,
            path=path,
            query={k: [_REDACTED] * len(v) if k in _SECRET_QUERY else v for k, v in query.items()},
            credential=kind,
            headers={k: _REDACTED if k in _SECRET_HEADERS else v for k, v in headers.items()},
            body=b"" if "/auth/" in path else body,
        )
        site = self.server.site
        with site.lock:
            site.requests.append(seen)

    # -- writing ---------------------------------------------------------------------------

    def _reset(self) -> None:
        """Close with a TCP RST, answering nothing."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # the socket really closes once its file objects are gone
        self.connection.close()

    def _send(self, reply: RouteAnswer, correlation_id: str, fault: Fault | None) -> None:
        version = self.server.site.api.dialect
        lines = [
            f"HTTP/1.1 {reply.status} {_phrase(reply.status)}",
            f"Date: {self.date_time_string()}",
            f"{correlation_header(version)}: {correlation_id}",
        ]
        if reply.content_type:
            lines.append(f"Content-Type: {reply.content_type}")
        if reply.status != 304:
            lines.append(f"Content-Length: {reply.size}")
        lines.extend(f"{name}: {value}" for name, value in reply.headers)
        lines.append("Connection: close" if self.close_connection else "Connection: keep-alive")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if self.command == "HEAD" or reply.status == 304:
            self.wfile.write(head)
        elif fault is not None and fault.kind == "truncate":
            self.wfile.write(head)
            self._write_upto(reply.body, reply.size // 2)
            self.close_connection = True
        elif fault is not None and fault.kind == "slow_body":
            self.wfile.write(head)
            self._trickle(reply.body, reply.size, fault.delay or 0.0)
        elif isinstance(reply.body, bytes):
            self.wfile.write(head + reply.body)
        elif reply.size <= _SMALL:
            self.wfile.write(head + reply.body.to_bytes())
        else:
            self.wfile.write(head)
            for chunk in reply.body.chunks():
                self.wfile.write(chunk)

    def _write_upto(self, body: bytes | Thumbnail, limit: int) -> None:
        for piece in _slices(body, 64 * 1024):
            if limit <= 0:
                return
            self.wfile.write(piece[:limit])
            limit -= len(piece)

    def _trickle(self, body: bytes | Thumbnail, size: int, seconds: float) -> None:
        steps = 10
        stopping = self.server.site.stopping
        for piece in _slices(body, max(1, math.ceil(size / steps))):
            self.wfile.write(piece)
            stopping.wait(seconds / steps)


def _slices(body: bytes | Thumbnail, step: int) -> Iterator[bytes]:
    """The body in pieces of at most ``step`` bytes."""
    chunks = [body] if isinstance(body, bytes) else body.chunks()
    for chunk in chunks:
        for start in range(0, len(chunk), step):
            yield chunk[start : start + step]
