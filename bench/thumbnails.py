"""Bulk thumbnails: a sequential ``download_thumbnail`` loop against ``download_thumbnails(concurrency=16)``.

The fake server (its own process) adds 20 ms to every request, as a real server behind a network
would, and pads every thumbnail to 20 KB. With 500 thumbnails the sequential loop cannot beat
500 x 20 ms = 10 s and 16 workers cannot beat 500 / 16 x 20 ms = 0.63 s: 16x is the ceiling.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

import immiche
from bench._context import Context
from bench._fake import FakeServerProcess
from bench._harness import ERROR, OK, Budget, Metric, Row, Table
from bench._profile import cprofile

NAME = "thumbnails"
SPEEDUP = 8.0

WALL = Metric("wall", "wall s", "s", compare="speedup")
BUDGET = Budget(
    f">= {SPEEDUP:g}x faster than the loop",
    lambda row, table: table.find(SEQUENTIAL).median("wall") / row.median("wall") >= SPEEDUP,
)
SEQUENTIAL = "immiche Client.download_thumbnail loop, sequential"


def run(ctx: Context) -> Table:
    sizes = ctx.sizes
    count, workers = sizes.thumbnails, sizes.concurrency
    floor = count * sizes.thumbnail_latency
    table = Table(
        NAME,
        f"Bulk thumbnails: {count} x {sizes.thumbnail_bytes // 1000} KB, {sizes.thumbnail_latency * 1000:.0f} ms latency",
        [
            f"{ctx.mode}. Median of {sizes.thumbnail_runs} runs after one warm-up, rows interleaved; each run writes into a "
            "new empty directory. Fake Immich server (FakeImmichServer, thumbnail_size="
            f"{sizes.thumbnail_bytes}, latency={sizes.thumbnail_latency}) in a separate process (bench/_fake.py), "
            "one thread per connection.",
            f"Connected clients. Lower bounds from the latency alone: sequential {floor:.2f} s, "
            f"{workers} at once {floor / workers:.2f} s ({workers}x). 'speedup' = sequential median / row median.",
        ],
        [WALL],
    )
    sequential = table.row(SEQUENTIAL, baseline=True)
    bulk = table.row(f"immiche Client.download_thumbnails(concurrency={workers})", budget=BUDGET)
    abulk = table.row(f"immiche AsyncClient.download_thumbnails(concurrency={workers})", budget=BUDGET)
    raw = table.row(f"raw httpx.Client + {workers} threads (floor)")
    raw_async = table.row(f"raw httpx.AsyncClient + {workers} tasks (asyncio floor)")

    with FakeServerProcess(
        people=count + count // 20 + 5,
        latency=sizes.thumbnail_latency,
        thumbnail_size=sizes.thumbnail_bytes,
        ids=count,
    ) as server:
        ids = server.person_ids
        if len(ids) < count:
            raise RuntimeError(f"the fake server has only {len(ids)} people with thumbnails")
        headers = {"x-api-key": server.api_key}
        client = immiche.Client(server.url, api_key=server.api_key)
        loop = asyncio.new_event_loop()
        aclient = immiche.AsyncClient(server.url, api_key=server.api_key)
        http = httpx.Client(headers=headers, limits=httpx.Limits(max_connections=workers))
        ahttp = httpx.AsyncClient(headers=headers, limits=httpx.Limits(max_connections=workers))
        work = Path(tempfile.mkdtemp(prefix="immiche-bench-"))
        try:
            client.connect()
            loop.run_until_complete(aclient.connect())

            def loop_run(folder: Path) -> int:
                for person_id in ids:
                    client.download_thumbnail(person_id, folder / f"{person_id}.jpg")
                return count

            def bulk_run(folder: Path) -> int:
                result = client.download_thumbnails(ids, folder, concurrency=workers)
                return len(result.succeeded)

            def abulk_run(folder: Path) -> int:
                coroutine = aclient.download_thumbnails(ids, folder, concurrency=workers)
                return len(loop.run_until_complete(coroutine).succeeded)

            def raw_run(folder: Path) -> int:
                def one(person_id: str) -> None:
                    response = http.get(f"{server.url}/api/people/{person_id}/thumbnail")
                    response.raise_for_status()
                    (folder / f"{person_id}.jpg").write_bytes(response.content)

                with ThreadPoolExecutor(workers) as pool:
                    list(pool.map(one, ids))
                return count

            def raw_async_run(folder: Path) -> int:
                limit = asyncio.Semaphore(workers)

                async def one(person_id: str) -> None:
                    async with limit:
                        response = await ahttp.get(f"{server.url}/api/people/{person_id}/thumbnail")
                    response.raise_for_status()
                    (folder / f"{person_id}.jpg").write_bytes(response.content)

                async def every() -> None:
                    await asyncio.gather(*(one(person_id) for person_id in ids))

                loop.run_until_complete(every())
                return count

            steps: list[tuple[Row, Callable[[Path], int]]] = [
                (sequential, loop_run),
                (bulk, bulk_run),
                (abulk, abulk_run),
                (raw, raw_run),
                (raw_async, raw_async_run),
            ]
            for round_ in range(sizes.thumbnail_runs + 1):
                for row, function in steps:
                    if row.status != OK:
                        continue
                    folder = Path(tempfile.mkdtemp(dir=work))
                    started = time.perf_counter()
                    try:
                        done = function(folder)
                    except Exception as err:
                        row.fail(ERROR, f"{type(err).__name__}: {err}")
                        continue
                    elapsed = time.perf_counter() - started
                    written = sum(1 for path in folder.iterdir() if path.stat().st_size == sizes.thumbnail_bytes)
                    shutil.rmtree(folder)
                    if done != count or written != count:
                        row.fail(ERROR, f"{done} downloads reported, {written} files of the right size, {count} asked")
                    elif round_ > 0:
                        row.add("wall", elapsed)
            for row, function in steps:
                if ctx.wants_profile(table.result(row)):
                    folder = Path(tempfile.mkdtemp(dir=work))
                    table.after += ["", *cprofile(lambda: function(folder), top=15, label=row.name)]  # noqa: B023
        finally:
            client.close()
            loop.run_until_complete(aclient.aclose())
            loop.run_until_complete(ahttp.aclose())
            loop.close()
            http.close()
            shutil.rmtree(work, ignore_errors=True)
    return table
