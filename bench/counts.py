"""Asset counts of many people (``people list --counts``): ``fetch_asset_counts`` against a sequential loop.

The fake server (its own process) adds 20 ms to every request. With 1,000 people a sequential
loop of ``GET /people/{id}/statistics`` cannot beat 1,000 x 20 ms = 20 s, and 16 at once cannot
beat 1,000 / 16 x 20 ms = 1.25 s: 16x is the ceiling.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx

import immiche
from bench._context import Context
from bench._fake import FakeServerProcess
from bench._harness import ERROR, OK, Budget, Metric, Row, Table
from immiche.cli._curation_output import COUNTS_CONCURRENCY

NAME = "counts"
SPEEDUP = 8.0

WALL = Metric("wall", "wall s", "s", compare="speedup")
BUDGET = Budget(
    f">= {SPEEDUP:g}x faster than the loop",
    lambda row, table: table.find(SEQUENTIAL).median("wall") / row.median("wall") >= SPEEDUP,
)
SEQUENTIAL = "immiche Client.fetch_person_statistics loop, sequential"


def run(ctx: Context) -> Table:
    sizes = ctx.sizes
    count, workers, latency = sizes.counted_people, sizes.concurrency, sizes.thumbnail_latency
    floor = count * latency
    table = Table(
        NAME,
        f"Asset counts of {count:,} people, {latency * 1000:.0f} ms latency",
        [
            f"{ctx.mode}. Median of {sizes.counts_runs} runs after one warm-up, rows interleaved. Fake Immich server "
            f"(FakeImmichServer, latency={latency}) in a separate process (bench/_fake.py), one thread per connection.",
            f"Connected clients. Lower bounds from the latency alone: sequential {floor:.2f} s, "
            f"{workers} at once {floor / workers:.2f} s ({workers}x). 'speedup' = sequential median / row median. "
            "The budget is the CLI's (`people list --counts` runs the sync Client with "
            f"concurrency={COUNTS_CONCURRENCY}, cli/_curation_output.py); the asyncio rows are bound by "
            "httpx's asyncio pool on this 2-core machine, as the raw asyncio floor shows.",
        ],
        [WALL],
    )
    sequential = table.row(SEQUENTIAL, baseline=True)
    bulk = table.row(f"immiche Client.fetch_asset_counts(concurrency={workers})", budget=BUDGET)
    abulk = table.row(f"immiche AsyncClient.fetch_asset_counts(concurrency={workers})")
    raw = table.row("raw httpx.Client loop, sequential")
    raw_async = table.row(f"raw httpx.AsyncClient + {workers} tasks (asyncio floor)")

    loop = asyncio.new_event_loop()
    with FakeServerProcess(people=count + count // 5 + 20, latency=latency) as server:
        http = httpx.Client(headers={"x-api-key": server.api_key})
        ahttp = httpx.AsyncClient(headers={"x-api-key": server.api_key})
        client = immiche.Client(server.url, api_key=server.api_key)
        aclient = immiche.AsyncClient(server.url, api_key=server.api_key)
        try:
            client.connect()
            loop.run_until_complete(aclient.connect())
            ids = [person.id for person in client.fetch_people(with_hidden=True).people][:count]
            if len(ids) < count:
                raise RuntimeError(f"the fake server lists only {len(ids)} people")

            def loop_run() -> dict[str, int]:
                return {person_id: client.fetch_person_statistics(person_id).assets for person_id in ids}

            def raw_run() -> dict[str, int]:
                counts = {}
                for person_id in ids:
                    response = http.get(f"{server.url}/api/people/{person_id}/statistics")
                    response.raise_for_status()
                    counts[person_id] = response.json()["assets"]
                return counts

            def raw_async_run() -> dict[str, int]:
                limit = asyncio.Semaphore(workers)

                async def one(person_id: str) -> int:
                    async with limit:
                        response = await ahttp.get(f"{server.url}/api/people/{person_id}/statistics")
                    response.raise_for_status()
                    assets: int = response.json()["assets"]
                    return assets

                async def every() -> list[int]:
                    return await asyncio.gather(*(one(person_id) for person_id in ids))

                return dict(zip(ids, loop.run_until_complete(every()), strict=True))

            steps: list[tuple[Row, Callable[[], dict[str, int]]]] = [
                (sequential, loop_run),
                (bulk, lambda: client.fetch_asset_counts(ids, concurrency=workers)),
                (abulk, lambda: loop.run_until_complete(aclient.fetch_asset_counts(ids, concurrency=workers))),
                (raw, raw_run),
                (raw_async, raw_async_run),
            ]
            expected: dict[str, int] | None = None
            for round_ in range(sizes.counts_runs + 1):
                for row, function in steps:
                    if row.status != OK:
                        continue
                    started = time.perf_counter()
                    try:
                        counts = function()
                    except Exception as err:
                        row.fail(ERROR, f"{type(err).__name__}: {err}")
                        continue
                    elapsed = time.perf_counter() - started
                    expected = expected or counts
                    if counts != expected:
                        row.fail(ERROR, "its counts differ from the sequential loop's")
                    elif round_ > 0:
                        row.add("wall", elapsed)
        finally:
            client.close()
            loop.run_until_complete(aclient.aclose())
            loop.run_until_complete(ahttp.aclose())
            loop.close()
            http.close()
    return table
