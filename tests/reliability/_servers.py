"""Small servers on real sockets for the reliability cases the fake Immich server cannot play.

- :class:`ScriptedServer`: a raw HTTP/1.1 server that answers Immich's discovery itself
  (``/.well-known/immich``, ``/api/server/ping``, ``/api/server/version``) and hands every other
  request to a handler that writes whatever bytes it likes: an endless body, a reset mid-body, a
  redirect. It records every request with its headers *unredacted*, so a test can prove that a
  credential never reached it.
- :class:`TlsProxy`: terminates TLS with a given certificate and relays the bytes to a plain
  server (a :class:`~immiche.testing.FakeImmichServer`), so the whole fake, faults included, is
  reachable over https.

Both start on 127.0.0.1 with a free port, and ``stop()`` closes every socket and joins every thread
(the shared ``fake_immich`` fixture checks that no thread is left running).
"""

from __future__ import annotations

import contextlib
import json
import selectors
import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Conn", "ScriptedServer", "Seen", "TlsProxy", "http_head"]

_DISCOVERY = {
    "/.well-known/immich": {"api": {"endpoint": "/api"}},
    "/api/server/ping": {"res": "pong"},
    "/api/server/version": {"major": 2, "minor": 4, "patch": 1},
}


@dataclass
class Seen:
    """One request a :class:`ScriptedServer` received (headers lower-cased, values as sent)."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes = b""

    @property
    def path(self) -> str:
        """The target without its query."""
        return self.target.partition("?")[0]


def http_head(status: int, headers: list[tuple[str, str]] | None = None, *, reason: str = "X") -> bytes:
    """A response head: status line, the headers, ``Connection: close`` and the blank line."""
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers or []), "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass
class Conn:
    """A connection handed to a handler: write raw bytes, or a whole answer."""

    sock: socket.socket
    stopping: threading.Event

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def answer(self, status: int, body: bytes, content_type: str = "application/json", **headers: str) -> None:
        extra = [(k.replace("_", "-"), v) for k, v in headers.items()]
        head = http_head(status, [("Content-Type", content_type), ("Content-Length", str(len(body))), *extra])
        self.sock.sendall(head + body)

    def json(self, status: int, value: Any) -> None:
        self.answer(status, json.dumps(value).encode())

    def reset(self) -> None:
        """Close with a TCP RST (SO_LINGER 0), whatever was sent so far."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


Handler = Callable[[Seen, Conn], None]


def _read_request(sock: socket.socket) -> Seen | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 1 << 20:
            return None
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = ([*lines[0].split(" "), "", ""])[:3]
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return Seen(method, target, headers, rest[:length])


@dataclass
class ScriptedServer:
    """A raw HTTP server on 127.0.0.1: Immich discovery built in, everything else scripted.

    Args:
        handler: called for every request except discovery (and for discovery too with
            ``discovery=False``); it writes the answer through the :class:`Conn`. Every connection
            is closed after one answer.
        tls: an ``ssl.SSLContext`` to serve https with.
        discovery: answer the three discovery paths like an Immich server.
    """

    handler: Handler
    tls: ssl.SSLContext | None = None
    discovery: bool = True
    requests: list[Seen] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _open: set[socket.socket] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _listener: socket.socket | None = None

    def start(self) -> ScriptedServer:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._listener.settimeout(0.05)
        thread = threading.Thread(target=self._accept_loop, name="reliability-scripted", daemon=True)
        self._threads.append(thread)
        thread.start()
        return self

    @property
    def port(self) -> int:
        assert self._listener is not None
        return int(self._listener.getsockname()[1])

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def paths(self) -> list[str]:
        with self._lock:
            return [seen.path for seen in self.requests]

    def header_values(self) -> Iterator[str]:
        """Every header value of every request received."""
        with self._lock:
            seen = list(self.requests)
        for request in seen:
            yield from request.headers.values()

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(sock,), name="reliability-conn", daemon=True)
            with self._lock:
                self._threads.append(thread)
            thread.start()

    def _serve(self, raw: socket.socket) -> None:
        sock = raw
        try:
            raw.settimeout(10)
            if self.tls is not None:
                try:
                    sock = self.tls.wrap_socket(raw, server_side=True)
                except (ssl.SSLError, OSError):
                    return  # the client refused our certificate: that is the test's point
            with self._lock:
                self._open.add(sock)
            seen = _read_request(sock)
            if seen is None:
                return
            with self._lock:
                self.requests.append(seen)
            conn = Conn(sock, self._stopping)
            document = _DISCOVERY.get(seen.path) if self.discovery else None
            if document is not None:
                conn.json(200, document)
            else:
                self.handler(seen, conn)
        except (ConnectionError, TimeoutError, ssl.SSLError):
            pass  # the client hung up: normal for faults and bounded reads
        except BaseException as error:
            with self._lock:
                self.errors.append(error)
        finally:
            with self._lock:
                self._open.discard(sock)
            with contextlib.suppress(OSError):
                sock.close()
            with contextlib.suppress(OSError):
                raw.close()

    def stop(self) -> None:
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in list(self._threads):
            thread.join(10)
        assert not self.errors, f"the scripted server failed: {self.errors!r}"

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class TlsProxy:
    """https://127.0.0.1:PORT in front of a plain server on ``target_port``: TLS ends here."""

    def __init__(self, target_port: int, context: ssl.SSLContext) -> None:
        self._target = target_port
        self._context = context
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.handshake_failures = 0
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._listener.settimeout(0.05)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._listener.getsockname()[1]}"

    def start(self) -> TlsProxy:
        thread = threading.Thread(target=self._accept_loop, name="reliability-tls-proxy", daemon=True)
        self._threads.append(thread)
        thread.start()
        return self

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                raw, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._relay, args=(raw,), name="reliability-tls-conn", daemon=True)
            with self._lock:
                self._threads.append(thread)
            thread.start()

    def _relay(self, raw: socket.socket) -> None:
        upstream: socket.socket | None = None
        secure: socket.socket | None = None
        try:
            raw.settimeout(10)
            try:
                secure = self._context.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError):
                with self._lock:
                    self.handshake_failures += 1
                return
            upstream = socket.create_connection(("127.0.0.1", self._target), timeout=10)
            with self._lock:
                self._sockets.update((secure, upstream))
            self._pump(secure, upstream)
        except (OSError, ssl.SSLError):
            pass
        finally:
            for sock in (secure, upstream, raw):
                if sock is not None:
                    with self._lock:
                        self._sockets.discard(sock)
                    with contextlib.suppress(OSError):
                        sock.close()

    def _pump(self, secure: socket.socket, upstream: socket.socket) -> None:
        assert isinstance(secure, ssl.SSLSocket)
        with selectors.DefaultSelector() as selector:
            selector.register(secure, selectors.EVENT_READ, upstream)
            selector.register(upstream, selectors.EVENT_READ, secure)
            while not self._stopping.is_set():
                ready = [key for key, _ in selector.select(0.05)]
                if secure.pending():
                    ready.append(selector.get_key(secure))
                for key in ready:
                    source: socket.socket = key.fileobj  # type: ignore[assignment]
                    data = source.recv(65536)
                    if not data:
                        return
                    key.data.sendall(data)

    def stop(self) -> None:
        """Close everything and join every thread (idempotent)."""
        self._stopping.set()
        self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in list(self._threads):
            thread.join(10)

    def __enter__(self) -> TlsProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
