"""The fake Immich server in its own process, so its CPU is not the client's (the machine has 2 cores).

It is ``python -m immiche.testing`` plus what the benchmarks need and that command does not offer
(``--thumbnail-size``, reading and resetting the connection and request counters): this file runs
as a script (``python bench/_fake.py --people 10000``), prints one JSON line with the URL, the API
key and some person ids, then answers ``counters`` and ``reset`` lines on stdin until stdin
closes. :class:`FakeServerProcess` is the parent's side.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["FakeServerProcess"]


class FakeServerProcess:
    """``with FakeServerProcess(people=10_000) as server:``: ``server.url``, ``.api_key``, ``.person_ids``."""

    def __init__(
        self,
        *,
        people: int | None = None,
        latency: float = 0.0,
        thumbnail_size: int | None = None,
        ids: int = 0,
        seed: int = 0,
        python: str = sys.executable,
        version: str | None = None,
        person_assets: int = 0,
        asset_size: int | None = None,
    ) -> None:
        self._argv = [python, str(Path(__file__).resolve()), "--latency", str(latency), "--seed", str(seed)]
        self._argv += ["--ids", str(ids), "--person-assets", str(person_assets)]
        if version is not None:
            self._argv += ["--version", version]
        if asset_size is not None:
            self._argv += ["--asset-size", str(asset_size)]
        if people is not None:
            self._argv += ["--people", str(people)]
        if thumbnail_size is not None:
            self._argv += ["--thumbnail-size", str(thumbnail_size)]
        self._proc: subprocess.Popen[str] | None = None
        self.url = self.api_key = ""
        self.person_ids: list[str] = []
        self.listed = 0
        self.person = ""
        """With ``person_assets``: the person those assets show."""

    def __enter__(self) -> FakeServerProcess:
        self._proc = subprocess.Popen(
            self._argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        timer = threading.Timer(60, self._proc.kill)  # a server that never says hello is ended
        timer.start()
        try:
            hello = self._read()
        finally:
            timer.cancel()
        self.url, self.api_key = hello["url"], hello["api_key"]
        self.person_ids, self.listed = hello["person_ids"], hello["listed"]
        self.person = hello.get("person", "")
        return self

    def _read(self) -> dict[str, Any]:
        assert self._proc is not None
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            self._proc.kill()
            _, err = self._proc.communicate()
            raise RuntimeError(f"the fake Immich server process failed: {err.strip()[-500:]}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def _ask(self, command: str) -> dict[str, Any]:
        assert self._proc is not None
        assert self._proc.stdin is not None
        self._proc.stdin.write(command + "\n")
        self._proc.stdin.flush()
        return self._read()

    def counters(self) -> dict[str, int]:
        """``connections`` accepted, ``requests`` received, ``internal_errors`` of the fake."""
        return self._ask("counters")

    def reset(self) -> None:
        self._ask("reset")

    def __exit__(self, *exc: object) -> None:
        proc = self._proc
        if proc is None:
            return
        self._proc = None
        assert proc.stdin is not None
        try:
            proc.stdin.close()
            proc.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            for stream in (proc.stdout, proc.stderr):
                if stream is not None:
                    stream.close()


def _add_photos(server: Any, count: int, size: int | None) -> str:
    """Give the first named person ``count`` more photos (one face each); their id."""
    import datetime
    import uuid

    from immiche.testing import FakeAsset, FakeFace

    person = next(p for p in server.people if p.name)
    media = server._state.media  # the fake's state, before any request
    start = datetime.datetime(2010, 1, 1, tzinfo=datetime.timezone.utc)
    for n in range(count):
        asset = FakeAsset(
            str(uuid.UUID(int=n + 1, version=4)),
            server.user.id,
            f"BENCH_{n:05d}.jpg",
            start + datetime.timedelta(hours=n),
            size or 24_000,
        )
        media.add_asset(asset)
        media.add_face(FakeFace(str(uuid.UUID(int=10**9 + n, version=4)), asset.id, person.id, 20, 20))
    return str(person.id)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/_fake.py", description=__doc__)
    parser.add_argument("--people", type=int, default=None)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--thumbnail-size", type=int, default=None)
    parser.add_argument("--ids", type=int, default=0, help="how many ids of people with a thumbnail to print")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--version", default="3.0.0")
    parser.add_argument("--person-assets", type=int, default=0, help="photos of one person to add")
    parser.add_argument("--asset-size", type=int, default=None)
    args = parser.parse_args(argv)

    from immiche.testing import FakeImmichServer

    with FakeImmichServer(
        people=args.people,
        latency=args.latency,
        thumbnail_size=args.thumbnail_size,
        seed=args.seed,
        version=args.version,
        asset_size=args.asset_size,
    ) as server:
        people = server.people
        ids = [person.id for person in people if person.has_thumbnail][: args.ids]
        hello = {"url": server.url, "api_key": server.api_key, "person_ids": ids, "listed": len(people)}
        if args.person_assets:
            hello["person"] = _add_photos(server, args.person_assets, args.asset_size)
        print(json.dumps(hello), flush=True)
        for line in sys.stdin:
            command = line.strip()
            answer: dict[str, object]
            if command == "counters":
                answer = {
                    "connections": server.connections,
                    "requests": len(server.requests),
                    "internal_errors": len(server.internal_errors),
                }
            elif command == "reset":
                server.reset_counters()
                answer = {"ok": 1}
            else:
                answer = {"error": f"unknown command {command!r}"}
            print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
