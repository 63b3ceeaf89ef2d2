"""Streaming: the peak RSS of downloading a 50 MB thumbnail stays within 10 MB of a 20 KB one.

Each download runs in a fresh Python process (connect, ``download_thumbnail`` to a file, exit)
so that its peak RSS is its own; two fake servers, one per thumbnail size, run in their own
processes. A hand-written httpx stream is shown for reference.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench._context import Context
from bench._fake import FakeServerProcess
from bench._harness import ERROR, GNU_TIME, MB, OK, Budget, Metric, Row, Table, run_process, tail

NAME = "streaming"
LIMIT = 10 * MB

RSS_DELTA = Metric("rss", "peak RSS MB", "MB", scale=MB, digits=1, compare="delta")
WALL = Metric("wall", "wall s", "s", compare="none")

_SYNC = """
import sys, immiche
url, key, person, out = sys.argv[1:5]
with immiche.Client(url, api_key=key) as client:
    client.download_thumbnail(person, out)
"""
_ASYNC = """
import asyncio, sys, immiche
url, key, person, out = sys.argv[1:5]
async def main():
    async with immiche.AsyncClient(url, api_key=key) as client:
        await client.download_thumbnail(person, out)
asyncio.run(main())
"""
_RAW = """
import sys, httpx
url, key, person, out = sys.argv[1:5]
with httpx.Client(headers={"x-api-key": key}) as http, open(out, "wb") as handle:
    with http.stream("GET", f"{url}/api/people/{person}/thumbnail") as response:
        response.raise_for_status()
        for chunk in response.iter_bytes():
            handle.write(chunk)
"""


def _within(small: str) -> Budget:
    return Budget(
        f"<= +{LIMIT // MB} MB over 20 KB",
        lambda row, table: row.median("rss") - table.find(small).median("rss") <= LIMIT,
    )


def run(ctx: Context) -> Table:
    sizes = ctx.sizes
    big, small = sizes.big_thumbnail, sizes.small_thumbnail
    big_label, small_label = f"{big / MB:g} MB", f"{small // 1000} KB"
    table = Table(
        NAME,
        f"Streaming a {big_label} thumbnail: peak RSS against a {small_label} one",
        [
            f"{ctx.mode}. Median of {sizes.streaming_runs} fresh processes per row after one warm-up, rows "
            "interleaved; peak RSS from GNU time (%M) of the downloading process, which connects, "
            "downloads to a file and exits. 'delta MB' = row - baseline (the 20 KB sync download).",
            "Two fake Immich servers (FakeImmichServer with thumbnail_size="
            f"{small} and {big}), each in its own process (bench/_fake.py). MB = 10^6 bytes.",
        ],
        [RSS_DELTA, WALL],
    )
    sync_small = f"immiche Client.download_thumbnail, {small_label}"
    async_small = f"immiche AsyncClient.download_thumbnail, {small_label}"
    rows: list[tuple[Row, str, bool]] = [
        (table.row(sync_small, baseline=True), _SYNC, False),
        (table.row(f"immiche Client.download_thumbnail, {big_label}", budget=_within(sync_small)), _SYNC, True),
        (table.row(async_small), _ASYNC, False),
        (table.row(f"immiche AsyncClient.download_thumbnail, {big_label}", budget=_within(async_small)), _ASYNC, True),
        (table.row(f"raw httpx stream to a file, {big_label}"), _RAW, True),
    ]
    table.rows[-1].note = "for reference: the same stream written by hand with httpx"
    if not Path(GNU_TIME).exists():
        table.caption.append(f"{GNU_TIME} is missing (Debian package `time`): no peak RSS, so the budgets MISS.")

    with (
        FakeServerProcess(thumbnail_size=small, ids=1) as small_server,
        FakeServerProcess(thumbnail_size=big, ids=1) as big_server,
        tempfile.TemporaryDirectory() as folder,
    ):
        for round_ in range(sizes.streaming_runs + 1):
            for row, code, is_big in rows:
                if row.status != OK:
                    continue
                server = big_server if is_big else small_server
                out = Path(folder) / f"{round_}-{len(row.name)}.jpg"
                argv = [ctx.python, "-c", code, server.url, server.api_key, server.person_ids[0], str(out)]
                done = run_process(argv)
                size = out.stat().st_size if out.exists() else 0
                out.unlink(missing_ok=True)
                if done.returncode != 0:
                    row.fail(ERROR, f"exit status {done.returncode}: {tail(done.stderr)}")
                elif size != (big if is_big else small):
                    row.fail(ERROR, f"wrote {size} bytes, expected {big if is_big else small}")
                elif round_ > 0:
                    row.add("wall", done.wall)
                    if done.max_rss is not None:
                        row.add("rss", done.max_rss)
    return table
