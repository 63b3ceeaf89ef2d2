"""Downloading a person's originals: ``download_assets`` against a raw threaded httpx floor, and
its peak memory with files four times larger.

The fake server (its own process) adds 20 ms to every request. The floor downloads the same
files with ``httpx.Client.stream`` on as many threads, writing each to its file. The memory rows
run the bulk download in a fresh process (peak RSS from GNU time) on files of the size above and
four times that size: streamed, the peak must not grow with the file size.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

import immiche
from bench._context import Context
from bench._fake import FakeServerProcess
from bench._harness import ERROR, GNU_TIME, MB, OK, Budget, Metric, Row, Table, run_process, tail

NAME = "originals"
THROUGHPUT = 0.9
LIMIT = 10 * MB
WORKERS = 8

WALL = Metric("wall", "wall s", "s", compare="speedup")
RSS = Metric("rss", "peak RSS MB", "MB", scale=MB, digits=1, compare="none")
FLOOR = f"raw httpx.Client + {WORKERS} threads, streamed to files (floor)"
BUDGET = Budget(
    f">= {THROUGHPUT}x the floor's throughput",
    lambda row, table: table.find(FLOOR).median("wall") / row.median("wall") >= THROUGHPUT,
)

_BULK = """
import sys, immiche
url, key, person, out = sys.argv[1:5]
with immiche.Client(url, api_key=key) as client:
    result = client.download_assets(client.fetch_assets(people=person), out, concurrency=8)
    assert result.ok, result.failed
"""


def _raw(http: httpx.Client, api: str, ids: list[str], folder: Path) -> int:
    def one(asset_id: str) -> int:
        with (
            http.stream("GET", f"{api}/assets/{asset_id}/original") as response,
            open(folder / f"{asset_id}.jpg", "wb") as handle,
        ):
            response.raise_for_status()
            for chunk in response.iter_bytes():
                handle.write(chunk)
        return 1

    with ThreadPoolExecutor(WORKERS) as pool:
        return sum(pool.map(one, ids))


def run(ctx: Context) -> Table:
    sizes = ctx.sizes
    count, size = sizes.originals, sizes.original_bytes
    table = Table(
        NAME,
        f"Downloading {count} originals of {size / MB:g} MB at 20 ms latency",
        [
            f"{ctx.mode}. Median of {sizes.original_runs} runs after one warm-up, rows interleaved; each run "
            "writes into a new empty directory. Fake Immich server (asset_size="
            f"{size}, latency=0.02) in a separate process (bench/_fake.py). 'speedup' = floor median / row median.",
            f"The memory rows: a fresh process lists and downloads all {count} (GNU time %M), on files of "
            f"{size / MB:g} MB and of {4 * size / MB:g} MB; budget: at most +{LIMIT // MB} MB.",
        ],
        [WALL, RSS],
    )
    floor = table.row(FLOOR, baseline=True)
    bulk = table.row(f"immiche Client.download_assets(concurrency={WORKERS})", budget=BUDGET)
    abulk = table.row(f"immiche AsyncClient.download_assets(concurrency={WORKERS})", budget=BUDGET)
    small_rss = table.row(f"peak RSS, download_assets of {size / MB:g} MB files")
    big_rss = table.row(
        f"peak RSS, download_assets of {4 * size / MB:g} MB files",
        budget=Budget(
            f"<= +{LIMIT // MB} MB",
            lambda row, t: row.median("rss") - t.find(small_rss.name).median("rss") <= LIMIT,
        ),
    )
    if not Path(GNU_TIME).exists():
        table.caption.append(f"{GNU_TIME} is missing (Debian package `time`): no peak RSS, so the budgets MISS.")
    work = Path(tempfile.mkdtemp(prefix="immiche-bench-"))
    try:
        with (
            FakeServerProcess(person_assets=count, asset_size=size, latency=0.02) as server,
            FakeServerProcess(person_assets=count, asset_size=4 * size, latency=0.02) as big_server,
        ):
            api = f"{server.url}/api"
            with (
                httpx.Client(headers={"x-api-key": server.api_key}) as http,
                immiche.Client(server.url, api_key=server.api_key) as client,
            ):
                assets = client.fetch_assets(people=server.person)
                ids = [a.id for a in assets]
                for round_ in range(sizes.original_runs + 1):
                    _download_round(ctx, round_, work, http, api, ids, client, assets, floor, bulk, abulk, server)
                    for row, target in ((small_rss, server), (big_rss, big_server)):
                        _memory(ctx, round_, row, target, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return table


def _download_round(
    ctx: Context,
    round_: int,
    work: Path,
    http: httpx.Client,
    api: str,
    ids: list[str],
    client: immiche.Client,
    assets: list[immiche.Asset],
    floor: Row,
    bulk: Row,
    abulk: Row,
    server: FakeServerProcess,
) -> None:
    import asyncio

    async def async_bulk(folder: Path) -> bool:
        async with immiche.AsyncClient(server.url, api_key=server.api_key) as aclient:
            await aclient.connect()
            started = time.perf_counter()
            result = await aclient.download_assets(assets, folder, concurrency=WORKERS)
            abulk.add("wall", time.perf_counter() - started) if round_ > 0 and result.ok else None
            return result.ok

    for row in (floor, bulk, abulk):
        if row.status != OK:
            continue
        folder = work / f"{row.name[:10]}-{round_}"
        folder.mkdir()
        try:
            started = time.perf_counter()
            if row is floor:
                ok = _raw(http, api, ids, folder) == len(ids)
            elif row is bulk:
                ok = client.download_assets(assets, folder, concurrency=WORKERS).ok
            else:
                ok = asyncio.run(async_bulk(folder))
            elapsed = time.perf_counter() - started
        except Exception as err:
            row.fail(ERROR, f"{type(err).__name__}: {err}")
            continue
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        if not ok:
            row.fail(ERROR, "a download failed")
        elif round_ > 0 and row is not abulk:
            row.add("wall", elapsed)


def _memory(ctx: Context, round_: int, row: Row, server: FakeServerProcess, work: Path) -> None:
    if row.status != OK:
        return
    folder = work / f"rss-{round_}"
    done = run_process([ctx.python, "-c", _BULK, server.url, server.api_key, server.person, str(folder)], timeout=600)
    shutil.rmtree(folder, ignore_errors=True)
    if done.returncode != 0:
        row.fail(ERROR, f"exit status {done.returncode}: {tail(done.stderr)}")
    elif round_ > 0 and done.max_rss is not None:
        row.add("rss", done.max_rss)
        row.add("wall", done.wall)
