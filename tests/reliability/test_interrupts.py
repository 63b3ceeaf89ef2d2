"""Interrupts and cleanup (issue 12, items 7 and 8).

A slow server (it sends a thumbnail's first bytes, then one byte every 0.2 s) holds every
download open. Ctrl-C (SIGINT), or SIGTERM turned into ``SystemExit`` as the CLI does, stops a
sync bulk download within about a second and leaves no temporary file; what a SIGKILLed process
leaves is removed by the next run in that directory; an async bulk download that raises cancels
and awaits its tasks.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from immiche import AsyncClient, Client
from immiche._atomic import _HOST
from immiche.testing import FakeImmichServer
from tests.reliability._ledger import SYNTHETIC_SECRETS, Outcome
from tests.reliability._servers import Conn, ScriptedServer, Seen, http_head

KEY = SYNTHETIC_SECRETS["api_key"]
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64
IDS = [str(uuid.UUID(int=n + 1)) for n in range(12)]

SCRIPT = """
import signal, sys
from immiche import Client, Timeout
if sys.argv[3] == "term":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
ids = sys.argv[4].split(",")
with Client(sys.argv[1], api_key=sys.argv[5], timeout=Timeout(connect=5, read=60, total=300)) as client:
    client.download_thumbnails(ids, sys.argv[2], concurrency=4)
"""


class Slow:
    """Thumbnails that arrive one byte every 0.2 s, until ``fast`` is set."""

    def __init__(self) -> None:
        self.fast = False

    def __call__(self, seen: Seen, conn: Conn) -> None:
        body = JPEG_HEAD + b"\x00" * 1000 + b"\xff\xd9"
        if self.fast:
            conn.answer(200, body, "image/jpeg")
            return
        conn.send(http_head(200, [("Content-Type", "image/jpeg"), ("Content-Length", str(len(body)))]))
        conn.send(JPEG_HEAD)
        while not conn.stopping.wait(0.2):
            conn.send(b"\x00")


@pytest.fixture
def slow() -> Iterator[tuple[ScriptedServer, Slow]]:
    handler = Slow()
    with ScriptedServer(handler) as server:
        yield server, handler


def _temps(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p.name.endswith(".tmp")] if directory.exists() else []


def _start(server: ScriptedServer, directory: Path, mode: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, server.url, str(directory), mode, ",".join(IDS), KEY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    until = time.monotonic() + 20
    while len(_temps(directory)) < 4:  # every worker is inside a download
        if time.monotonic() > until or proc.poll() is not None:
            proc.kill()
            _, err = proc.communicate()
            raise AssertionError(f"the downloads did not start: {err.decode()[-2000:]}")
        time.sleep(0.05)
    return proc


@pytest.mark.parametrize(("sig", "mode"), [(signal.SIGINT, "int"), (signal.SIGTERM, "term")], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_bulk_download_stops_at_once_and_leaves_no_temp_file(
    outcome: Outcome, slow: tuple[ScriptedServer, Slow], tmp_path: Path, sig: int, mode: str
) -> None:
    server, _ = slow
    directory = tmp_path / "thumbs"
    proc = _start(server, directory, mode)
    sent = time.monotonic()
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=8)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("the process was still running 8 s after the signal") from None
    elapsed = time.monotonic() - sent
    outcome.saw(err, "stderr of the interrupted script")
    assert proc.returncode != 0
    assert elapsed < 3, f"it took {elapsed:.1f} s to stop"
    outcome.no_partial_files(directory)


def test_leftovers_of_a_killed_process_are_removed_by_the_next_run(
    outcome: Outcome, slow: tuple[ScriptedServer, Slow], tmp_path: Path
) -> None:
    server, handler = slow
    directory = tmp_path / "thumbs"
    proc = _start(server, directory, "int")
    proc.kill()
    proc.communicate()
    leftovers = _temps(directory)
    assert len(leftovers) >= 4  # SIGKILL leaves them: nothing can run in a killed process
    ours_alive = directory / f".keep.jpg.p{os.getpid()}h{_HOST}rabcdefgh.tmp"  # a live writer's file
    ours_alive.write_bytes(b"in progress")
    unrelated = directory / ".someone-elses.tmp"
    unrelated.write_bytes(b"not ours")
    handler.fast = True
    with Client(server.url, api_key=KEY) as client:
        result = client.download_thumbnails(IDS[:2], directory)
    assert len(result.succeeded) == 2
    assert not any(path.exists() for path in leftovers)
    assert ours_alive.exists() and unrelated.exists()
    ours_alive.unlink()
    outcome.no_partial_files(directory, allowed=[f"{i}.jpg" for i in IDS[:2]] + [unrelated.name])


def test_an_async_bulk_download_that_raises_cancels_its_tasks(outcome: Outcome, immich: object, tmp_path: Path) -> None:
    server: FakeImmichServer = immich(people=40, latency=0.05)  # type: ignore[operator]
    people = [p.id for p in server.people if p.has_thumbnail]
    directory = tmp_path / "thumbs"

    def on_progress(*_: object) -> None:
        raise RuntimeError("the progress display broke")

    async def run() -> None:
        async with AsyncClient(server.url, api_key=server.api_key) as client:
            try:
                await client.download_thumbnails(people, directory, concurrency=4, on_progress=on_progress)
            except RuntimeError:
                pass
            else:
                raise AssertionError("on_progress's error was swallowed")
            others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            assert others == [], f"{len(others)} tasks still running"
            count = len(list(directory.iterdir()))
            await asyncio.sleep(0.5)
            assert len(list(directory.iterdir())) == count, "files kept being written"

    asyncio.run(run())
    assert not _temps(directory)


def test_a_cancelled_async_bulk_download_leaves_no_temp_file(
    outcome: Outcome, slow: tuple[ScriptedServer, Slow], tmp_path: Path
) -> None:
    server, _ = slow
    directory = tmp_path / "thumbs"

    async def run() -> None:
        async with AsyncClient(server.url, api_key=KEY) as client:
            task = asyncio.ensure_future(client.download_thumbnails(IDS, directory, concurrency=4))
            until = time.monotonic() + 10
            while len(_temps(directory)) < 4 and time.monotonic() < until:
                await asyncio.sleep(0.05)
            assert _temps(directory), "the downloads did not start"
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    started = time.monotonic()
    asyncio.run(run())
    assert time.monotonic() - started < 12
    outcome.no_partial_files(directory)
