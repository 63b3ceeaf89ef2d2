"""Issue 12's library items, each a counted case: bounded memory and time, file modes, junk
never written over a thumbnail, clean typed errors for bad input and bad answers, errors without
credentials, and ``ping()`` that can say False."""

from __future__ import annotations

import asyncio
import json
import math
import os
import socket
import stat
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from immiche import (
    AsyncClient,
    Client,
    ImmichConnectionError,
    ImmichError,
    InvalidArgumentError,
    InvalidResponseError,
    RequestTimeoutError,
    Timeout,
)
from immiche._config import MAX_PAGES
from immiche.testing import FakeImmichServer
from tests.reliability._ledger import SYNTHETIC_SECRETS, Outcome
from tests.reliability._servers import Conn, ScriptedServer, Seen, http_head
from tests.reliability.conftest import unused_port

KEY = SYNTHETIC_SECRETS["api_key"]
PERSON = "5174df3b-37a7-46b2-a6c6-5cee411fbdae"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200 + b"\xff\xd9"
MiB = 1024 * 1024


@pytest.fixture
def scripted() -> Iterator[Callable[..., ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def start(handler: Callable[[Seen, Conn], None], **options: object) -> ScriptedServer:
        server = ScriptedServer(handler, **options).start()  # type: ignore[arg-type]
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _thumbnail_of(server: FakeImmichServer) -> str:
    return next(p.id for p in server.people if p.has_thumbnail and not p.is_hidden)


# -- item 3: memory -----------------------------------------------------------------------------


class Counted:
    """Answers every request with ``status`` and a ``size``-byte body, counting the bytes sent."""

    def __init__(self, status: int, content_type: str, size: int) -> None:
        self.status, self.content_type, self.size, self.sent = status, content_type, size, 0

    def __call__(self, seen: Seen, conn: Conn) -> None:
        conn.send(http_head(self.status, [("Content-Type", self.content_type), ("Content-Length", str(self.size))]))
        block = b"<p>" + b"x" * (64 * 1024 - 3)
        while self.sent < self.size and not conn.stopping.is_set():
            piece = block[: self.size - self.sent]
            conn.send(piece)
            self.sent += len(piece)


@pytest.mark.parametrize(("status", "content_type"), [(500, "text/html"), (200, "text/html"), (404, "image/jpeg")])
def test_thumbnail_error_bodies_obey_max_response_bytes(
    outcome: Outcome, scripted: Callable[..., ScriptedServer], tmp_path: Path, status: int, content_type: str
) -> None:
    """Only a real image streams to disk under the file cap; anything else is read into memory,
    up to max_response_bytes (the whole 48 MiB answer used to be read)."""
    handler = Counted(status, content_type, 48 * MiB)
    server = scripted(handler)
    with Client(server.url, api_key=KEY, max_response_bytes=MiB, retries=0) as client:
        outcome.raises(ImmichError, client.download_thumbnail, PERSON, tmp_path / "out" / "a.jpg")
    assert handler.sent < 24 * MiB, f"{handler.sent} bytes were read for a {MiB}-byte bound"
    outcome.no_partial_files(tmp_path / "out")


def test_paging_stops_at_the_documented_maximum(outcome: Outcome, scripted: Callable[..., ScriptedServer]) -> None:
    """A server claiming total = 10**12 and always sending new people is stopped after MAX_PAGES."""
    pages: list[int] = []

    def endless(seen: Seen, conn: Conn) -> None:
        pages.append(1)
        if len(pages) > MAX_PAGES + 50:  # the old client never stopped: end it with another error
            conn.json(500, {"message": "enough", "statusCode": 500})
            return
        person = {
            "id": str(uuid.uuid4()),
            "name": "",
            "birthDate": None,
            "thumbnailPath": "",
            "isHidden": False,
        }
        conn.json(200, {"total": 10**12, "hidden": 0, "people": [person], "hasNextPage": True})

    server = scripted(endless)
    with Client(server.url, api_key=KEY, retries=0) as client:
        error = outcome.raises(InvalidResponseError, lambda: list(client.iter_people(page_size=1)))
    assert f"{MAX_PAGES} pages" in str(error)
    assert len(pages) == MAX_PAGES


# -- item 4: time -------------------------------------------------------------------------------


def _drip(seen: Seen, conn: Conn) -> None:
    conn.send(http_head(200, [("Content-Type", "application/json"), ("Content-Length", "100000")]))
    conn.send(b'{"people":[')
    while not conn.stopping.wait(0.1):
        conn.send(b" ")


def test_a_dripping_server_is_stopped_by_the_total_timeout(
    outcome: Outcome, scripted: Callable[..., ScriptedServer]
) -> None:
    server = scripted(_drip)
    started = time.monotonic()
    with Client(server.url, api_key=KEY, timeout=Timeout(connect=2, read=2, total=1.5)) as client:
        error = outcome.raises(RequestTimeoutError, client.fetch_people)
    elapsed = time.monotonic() - started
    assert elapsed < 4, f"the call took {elapsed:.1f} s"
    assert error.path == "/people"


def test_one_number_is_the_whole_request(outcome: Outcome, scripted: Callable[..., ScriptedServer]) -> None:
    server = scripted(_drip)
    started = time.monotonic()

    async def run() -> None:
        async with AsyncClient(server.url, api_key=KEY, timeout=1) as client:
            try:
                await client.fetch_people()
            except RequestTimeoutError as error:
                outcome.clear_error(error)
            else:
                raise AssertionError("no timeout")

    asyncio.run(run())
    assert time.monotonic() - started < 4


def test_a_refused_connection_is_reported_at_once(outcome: Outcome) -> None:
    started = time.monotonic()
    with Client(f"http://127.0.0.1:{unused_port()}", api_key=KEY) as client:  # default retries
        error = outcome.raises(ImmichConnectionError, client.fetch_people)
    assert time.monotonic() - started < 1.5
    assert "refused" in error.message


@pytest.mark.parametrize("timeout", [0.5, Timeout(connect=0.5, read=30, total=60)], ids=["number", "connect"])
def test_an_unreachable_host_is_reported_within_the_timeout(outcome: Outcome, timeout: float | Timeout) -> None:
    """A listening socket with a full backlog answers no SYN: the connect timeout is not retried."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        fillers = []
        try:
            for _ in range(8):
                filler = socket.socket()
                filler.setblocking(False)
                filler.connect_ex(listener.getsockname())
                fillers.append(filler)
            started = time.monotonic()
            with Client(f"http://127.0.0.1:{listener.getsockname()[1]}", api_key=KEY, timeout=timeout) as client:
                error = outcome.raises(RequestTimeoutError, client.fetch_people)
            elapsed = time.monotonic() - started
        finally:
            for filler in fillers:
                filler.close()
    assert elapsed < 1.5, f"reported after {elapsed:.1f} s for a 0.5 s timeout"
    assert "timeout" not in (error.hint or ""), error.hint


# -- item 5: file modes -------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o077, 0o027, 0o022])
def test_thumbnails_honour_the_umask(outcome: Outcome, server: FakeImmichServer, tmp_path: Path, umask: int) -> None:
    person = _thumbnail_of(server)
    old = os.umask(umask)
    try:
        with Client(server.url, api_key=server.api_key) as client:
            one = client.download_thumbnail(person, tmp_path / "one.jpg")
            result = client.download_thumbnails([person], tmp_path / "many")
    finally:
        os.umask(old)
    assert not result.failed
    for path in (one, *result.succeeded):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, oct(path.stat().st_mode)


# -- item 6: junk never replaces a thumbnail --------------------------------------------------


def _junk(kind: str) -> Callable[[Seen, Conn], None]:
    def answer(seen: Seen, conn: Conn) -> None:
        if kind == "empty-jpeg":
            conn.answer(200, b"", "image/jpeg")
        elif kind == "html-no-type":
            body = b"<!doctype html><html><body>Sign in</body></html>"
            conn.send(http_head(200, [("Content-Length", str(len(body)))]) + body)
        else:  # octet-stream that is an HTML page
            conn.answer(200, b"  <html><body>Sign in</body></html>", "application/octet-stream")

    return answer


@pytest.mark.parametrize("kind", ["empty-jpeg", "html-no-type", "octet-junk"])
def test_junk_never_replaces_a_thumbnail(
    outcome: Outcome, scripted: Callable[..., ScriptedServer], tmp_path: Path, kind: str
) -> None:
    server = scripted(_junk(kind))
    target = tmp_path / "out" / f"{PERSON}.jpg"
    target.parent.mkdir()
    target.write_bytes(JPEG)
    with Client(server.url, api_key=KEY) as client:
        outcome.raises(InvalidResponseError, client.download_thumbnail, PERSON, target)
        outcome.raises(InvalidResponseError, client.fetch_thumbnail, PERSON)
        result = client.download_thumbnails([PERSON], target.parent)
    assert not result.succeeded
    outcome.clear_error(result.failed[PERSON], InvalidResponseError)
    outcome.data_intact(target, JPEG)
    outcome.no_partial_files(target.parent, allowed=[target.name])


def test_an_image_without_content_type_is_still_written(
    outcome: Outcome, scripted: Callable[..., ScriptedServer], tmp_path: Path
) -> None:
    """The sniffing is not a blanket refusal: a JPEG with no (or a generic) content type is fine."""
    server = scripted(lambda seen, conn: conn.send(http_head(200, [("Content-Length", str(len(JPEG)))]) + JPEG))
    with Client(server.url, api_key=KEY) as client:
        assert client.download_thumbnail(PERSON, tmp_path / "a.jpg").read_bytes() == JPEG
        assert client.fetch_thumbnail(PERSON) == JPEG


# -- items 9 to 13 and 15: clear errors for bad input and bad answers --------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"major":"x","minor":0,"patch":0}',
        b'{"major":null,"minor":1,"patch":2}',
        b'{"major":1e400,"minor":1,"patch":2}',
        b'{"major":true,"minor":1,"patch":2}',
    ],
)
def test_a_malformed_server_version_is_an_invalid_response(
    outcome: Outcome, scripted: Callable[..., ScriptedServer], body: bytes
) -> None:
    def answer(seen: Seen, conn: Conn) -> None:
        if seen.path == "/.well-known/immich":
            conn.json(200, {"api": {"endpoint": "/api"}})
        elif seen.path == "/api/server/ping":
            conn.json(200, {"res": "pong"})
        else:
            conn.answer(200, body)

    server = scripted(answer, discovery=False)
    outcome.raises(InvalidResponseError, Client.probe, server.url)
    with Client(server.url, api_key=KEY) as client:
        outcome.raises(InvalidResponseError, client.server_version)


@pytest.mark.parametrize(
    "options",
    [
        {"timeout": math.nan},
        {"timeout": math.inf},
        {"timeout": 1e300},
        {"timeout": -1},
        {"timeout": "5"},
        {"verify": 123},
        {"verify": ""},
    ],
    ids=repr,
)
def test_bad_options_fail_at_construction(outcome: Outcome, options: dict[str, object]) -> None:
    outcome.raises(InvalidArgumentError, Client, "http://127.0.0.1:9", api_key=KEY, **options)
    outcome.raises(InvalidArgumentError, AsyncClient, "http://127.0.0.1:9", api_key=KEY, **options)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 0, 1e300, "1"])
def test_timeout_values_are_checked(outcome: Outcome, value: object) -> None:
    for field in ("connect", "read", "total"):
        outcome.raises(InvalidArgumentError, Timeout, **{field: value})


def test_a_huge_search_name_is_an_invalid_argument(outcome: Outcome, server: FakeImmichServer) -> None:
    with Client(server.url, api_key=server.api_key) as client:
        client.connect()
        before = len(server.requests)
        outcome.raises(InvalidArgumentError, client.search_person, "a" * 65536)
        outcome.raises(InvalidArgumentError, client.search_person, "é" * 5000)
        assert len(server.requests) == before  # nothing was sent
        assert client.search_person("é" * 4096) == []  # the longest accepted name goes through


def test_a_closed_client_is_an_invalid_argument_everywhere(outcome: Outcome, server: FakeImmichServer) -> None:
    client = Client(server.url, api_key=server.api_key)
    client.connect()
    client.close()
    outcome.raises(InvalidArgumentError, lambda: next(client.iter_people()))
    outcome.raises(InvalidArgumentError, lambda: client.low_level)
    outcome.raises(InvalidArgumentError, client.fetch_people)
    outcome.raises(InvalidArgumentError, client.server_version)
    outcome.raises(InvalidArgumentError, client.ping)

    async def run() -> None:
        aclient = AsyncClient(server.url, api_key=server.api_key)
        await aclient.connect()
        await aclient.aclose()
        for call in (lambda: aclient.iter_people().__anext__(), aclient.fetch_people, aclient.server_version):
            try:
                await call()
            except Exception as error:
                outcome.clear_error(error, InvalidArgumentError)
            else:
                raise AssertionError("a closed AsyncClient answered")
        outcome.raises(InvalidArgumentError, lambda: aclient.low_level)

    asyncio.run(run())


@pytest.mark.parametrize(
    "bad",
    [
        "+f32be88-37a7-46b2-a6c6-5cee411fbdae",
        "5174df3b_37a7_46b2_a6c6_5cee411fbdae",
        "5174df3b37a746b2a6c65cee411fbdae----",
        "5174df3b-37a7-46b2-a6c6-5cee411fbda-",
        "{5174df3b-37a7-46b2-a6c6-5cee411fbda}",
        "5174df3b-37a7-46b2-a6c6+5cee411fbdae",
        "5174df3b37a7-46b2-a6c6-5cee411fbdae-",
    ],
)
def test_only_canonical_uuids_are_ids(outcome: Outcome, server: FakeImmichServer, tmp_path: Path, bad: str) -> None:
    with Client(server.url, api_key=server.api_key) as client:
        client.connect()
        before = len(server.requests)
        outcome.raises(InvalidArgumentError, client.fetch_person, bad)
        outcome.raises(InvalidArgumentError, client.download_thumbnail, bad, tmp_path / "x.jpg")
        result = client.download_thumbnails([bad], tmp_path / "many")
        outcome.clear_error(result.failed[bad], InvalidArgumentError)
        assert len(server.requests) == before


def test_a_directory_path_is_not_written_as_a_file(
    outcome: Outcome, server: FakeImmichServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = _thumbnail_of(server)
    monkeypatch.chdir(tmp_path)
    with Client(server.url, api_key=server.api_key) as client:
        outcome.raises(InvalidArgumentError, client.download_thumbnail, person, "newdir/")
        outcome.raises(InvalidArgumentError, client.download_thumbnail, person, str(tmp_path / "other") + os.sep)
        outcome.raises(InvalidArgumentError, client.download_thumbnail, person, "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tmp"]  # no file named newdir, nothing else


# -- item 16: errors never carry a credential --------------------------------------------------


def _echo(seen: Seen, conn: Conn) -> None:
    key = seen.headers.get("x-api-key", "")
    if seen.path.endswith("/thumbnail"):
        conn.send(http_head(200, [("Content-Type", f"text/{key}"), ("Content-Length", "2")]) + b"no")
    elif seen.path == "/api/people":
        conn.json(400, {"message": [f"bad key {key}", f"prefix {key[:14]}"], "statusCode": 400})
    else:
        conn.answer(302, b"", "text/plain", Location=f"/login?apiKey={key}")


def test_errors_never_echo_the_credential(
    outcome: Outcome, scripted: Callable[..., ScriptedServer], tmp_path: Path
) -> None:
    server = scripted(_echo)
    with Client(server.url, api_key=KEY, retries=0) as client:
        outcome.raises(ImmichError, client.fetch_people)
        outcome.raises(ImmichError, client.fetch_person, PERSON)
        outcome.raises(ImmichError, client.download_thumbnail, PERSON, tmp_path / "a.jpg")
    # the outcome fixture scans every error text (message, hint, details, location) for KEY


@pytest.mark.parametrize(
    "url",
    [
        f"http://me:{SYNTHETIC_SECRETS['url_password']}@127.0.0.1:2283",
        f"http://127.0.0.1:2283/?apiKey={SYNTHETIC_SECRETS['other_key']}",
        f"127.0.0.1:2283/#{SYNTHETIC_SECRETS['other_key']}",
        f"me:{SYNTHETIC_SECRETS['url_password']}@nas:2283",
    ],
)
def test_a_rejected_url_is_shown_without_its_secrets(outcome: Outcome, url: str) -> None:
    error = outcome.raises(InvalidArgumentError, Client, url, api_key=KEY)
    assert "127.0.0.1" in str(error) or "nas" in str(error)


# -- item 20: ping -------------------------------------------------------------------------------


@pytest.mark.parametrize("later", [b'{"res":"nope"}', b'{"other":1}', b"<html></html>", b"503"])
def test_ping_is_false_when_the_server_does_not_answer_pong(
    outcome: Outcome, scripted: Callable[..., ScriptedServer], later: bytes
) -> None:
    pings: list[int] = []

    def answer(seen: Seen, conn: Conn) -> None:
        if seen.path == "/.well-known/immich":
            conn.json(200, {"api": {"endpoint": "/api"}})
        elif seen.path == "/api/server/version":
            conn.json(200, {"major": 2, "minor": 4, "patch": 1})
        elif not pings:
            pings.append(1)
            conn.json(200, {"res": "pong"})
        elif later == b"503":
            conn.json(503, {"message": "down", "statusCode": 503})
        else:
            conn.answer(200, later, "text/html" if later.startswith(b"<") else "application/json")

    server = scripted(answer, discovery=False)
    with Client(server.url, api_key=KEY, retries=0) as client:
        client.connect()
        assert client.ping() is False
    json.dumps(pings)


def test_a_login_error_never_echoes_the_password(outcome: Outcome, scripted: Callable[..., ScriptedServer]) -> None:
    password = SYNTHETIC_SECRETS["password"]

    def answer(seen: Seen, conn: Conn) -> None:
        body = json.loads(seen.body or b"{}")
        conn.json(401, {"message": f"Incorrect password {body.get('password')}", "statusCode": 401})

    server = scripted(answer)
    error = outcome.raises(ImmichError, Client.login, server.url, "me@example.com", password)
    assert password not in str(error)
