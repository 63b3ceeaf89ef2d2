"""Endless and huge answers: the client stops at max_response_bytes with a clear error, and its
memory stays bounded (peak RSS measured with resource.getrusage in a fresh subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from immiche import Client, InvalidResponseError
from immiche.testing import FakeImmichServer
from tests.reliability._ledger import SYNTHETIC_SECRETS, Outcome
from tests.reliability._servers import Conn, ScriptedServer, Seen, http_head
from tests.reliability.conftest import Cli

KEY = SYNTHETIC_SECRETS["api_key"]
MiB = 1024 * 1024
PROBE = Path(__file__).with_name("_rss_probe.py")
_PIECE = b'{"id":"00000000-0000-4000-8000-000000000000","name":"' + b"x" * 950 + b'"},'


class Stream:
    """A handler answering 200 with an endless (or ``total``-byte) body, counting what it sent."""

    def __init__(self, content_type: str, *, total: int | None = None, chunked: bool = False) -> None:
        self.content_type = content_type
        self.total = total
        self.chunked = chunked
        self.sent = 0
        self._lock = threading.Lock()

    def __call__(self, seen: Seen, conn: Conn) -> None:
        headers = [("Content-Type", self.content_type)]
        if self.chunked:
            headers.append(("Transfer-Encoding", "chunked"))
        elif self.total is not None:
            headers.append(("Content-Length", str(self.total)))
        conn.send(http_head(200, headers))
        block = b'{"people":[' + _PIECE * 64
        remaining = self.total
        while not conn.stopping.is_set() and (remaining is None or remaining > 0):
            piece = block if remaining is None else block[:remaining]
            conn.send(b"%x\r\n%s\r\n" % (len(piece), piece) if self.chunked else piece)
            with self._lock:
                self.sent += len(piece)
            if remaining is not None:
                remaining -= len(piece)
            block = _PIECE * 64


@pytest.fixture
def endless() -> Iterator[tuple[ScriptedServer, Stream]]:
    stream = Stream("application/json")
    with ScriptedServer(stream) as scripted:
        yield scripted, stream


@pytest.mark.parametrize("framing", ["until-close", "chunked", "content-length-200MB"])
def test_endless_json_stops_at_max_response_bytes(outcome: Outcome, framing: str) -> None:
    stream = Stream(
        "application/json",
        chunked=framing == "chunked",
        total=200 * 1000 * 1000 if framing == "content-length-200MB" else None,
    )
    with ScriptedServer(stream) as scripted:
        with Client(scripted.url, api_key=KEY, max_response_bytes=2 * MiB, retries=0) as client:
            error = outcome.raises(InvalidResponseError, client.fetch_people)
        assert error.message == f"the answer is larger than {2 * MiB} bytes"
        assert error.path == "/people"
    assert stream.sent < 64 * MiB  # the client hung up soon after its bound (socket buffers aside)


def test_endless_thumbnail_in_memory_stops_at_the_bound(outcome: Outcome) -> None:
    stream = Stream("image/jpeg")
    with ScriptedServer(stream) as scripted:
        with Client(scripted.url, api_key=KEY, max_response_bytes=MiB, retries=0) as client:
            error = outcome.raises(InvalidResponseError, client.fetch_thumbnail, "5174df3b-37a7-46b2-a6c6-5cee411fbdae")
        assert "download_thumbnail()" in error.message


def _probe(url: str, mode: str, limit: int, *extra: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(PROBE), url, KEY, mode, str(limit), *extra],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert "Traceback" not in proc.stderr.decode()
    seen: dict[str, Any] = json.loads(proc.stdout)
    return seen


@pytest.mark.parametrize("total", [None, 200 * 1000 * 1000], ids=["endless", "200MB"])
def test_memory_stays_bounded_on_a_huge_json_answer(outcome: Outcome, total: int | None) -> None:
    stream = Stream("application/json", total=total)
    with ScriptedServer(stream) as scripted:
        seen = _probe(scripted.url, "people", 8 * MiB)
    outcome.saw(json.dumps(seen), "rss probe output")
    assert seen["error"] == "InvalidResponseError"
    assert seen["message"] == f"the answer is larger than {8 * MiB} bytes"
    growth_mib = (seen["after_kib"] - seen["before_kib"]) / 1024
    assert growth_mib < 40, f"peak RSS grew by {growth_mib:.0f} MiB reading an {8}-MiB-bounded answer"
    outcome.reported_error(seen["error"], seen["message"], InvalidResponseError)


def test_memory_stays_bounded_streaming_a_huge_thumbnail_to_disk(outcome: Outcome, tmp_path: Path) -> None:
    """200 MB cross the loopback and land on disk. The download is streamed: memory stays flat
    although max_response_bytes (1 MiB here) does not apply to files."""
    total = 200 * 1000 * 1000
    target = tmp_path / "huge.jpg"
    stream = Stream("image/jpeg", total=total)
    with ScriptedServer(stream) as scripted:
        seen = _probe(scripted.url, "download", MiB, str(target))
    try:
        assert seen["error"] is None, seen
        assert target.stat().st_size == total
        growth_mib = (seen["after_kib"] - seen["before_kib"]) / 1024
        assert growth_mib < 40, f"peak RSS grew by {growth_mib:.0f} MiB streaming 200 MB to disk"
    finally:
        target.unlink(missing_ok=True)


def test_endless_answer_cli(
    outcome: Outcome, endless: tuple[ScriptedServer, Stream], server: FakeImmichServer, cli: Cli
) -> None:
    """The CLI keeps the default bound (64 MiB): a clear error, and a peak RSS that grows by about
    that bound over a normal run, not by what reading the endless answer would take."""
    scripted, stream = endless
    normal = cli("people", "list", "--server", server.url, "--api-key", server.api_key, measure_rss=True)
    assert normal.code == 0, normal
    result = cli("people", "list", "--server", scripted.url, "--api-key", KEY, measure_rss=True)
    outcome.cli_error(result, 5, contains=f"the answer is larger than {64 * MiB} bytes")
    assert normal.peak_rss_kib is not None and result.peak_rss_kib is not None
    growth_mib = (result.peak_rss_kib - normal.peak_rss_kib) / 1024
    assert growth_mib < 64 + 48, f"the CLI's peak RSS grew by {growth_mib:.0f} MiB"
    assert stream.sent < 256 * MiB


def test_endless_pagination_is_stopped(outcome: Outcome) -> None:
    """A server (or a caching proxy that ignores the query) answering every page with the same
    people, ``hasNextPage: true`` and an absurd total: the client must notice it gets nothing new
    instead of paging on forever. The server gives up after 30 pages, so the test ends either way."""
    person = {"id": "5174df3b-37a7-46b2-a6c6-5cee411fbdae", "name": "Ann", "birthDate": None,
              "thumbnailPath": "", "isHidden": False}  # fmt: skip
    served: list[int] = []

    def same_page_forever(seen: Seen, conn: Conn) -> None:
        served.append(1)
        if len(served) > 30:
            conn.json(410, {"message": "the test server gave up"})
        else:
            conn.json(200, {"people": [person], "total": 10**9, "hidden": 0, "hasNextPage": True})

    with ScriptedServer(same_page_forever) as scripted:
        with Client(scripted.url, api_key=KEY, retries=0) as client:
            outcome.raises(InvalidResponseError, client.fetch_people)
    assert len(served) <= 2
