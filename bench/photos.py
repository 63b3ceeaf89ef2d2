"""A person's photos: listing 10,000 of them against a raw httpx paging loop, and a sync_album
that finds nothing to do against the listing alone.

The floor pages ``POST /api/search/metadata`` by hand (same body as immiche's: ``personIds``,
``size`` 1,000, ``withExif``, ``withPeople``) and keeps the items as dicts; immiche returns typed
``Asset`` values. The album sync runs on an album that already holds every photo: it must send
only the listing requests and one album read (counted by the server), and take less than 1.25x
the listing alone.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx

import immiche
from bench._context import Context
from bench._fake import FakeServerProcess
from bench._harness import ERROR, FAILED, MILLISECONDS, OK, Budget, Row, Table

NAME = "photos"
PAGE = 1000
RATIO = 1.25
RAW = "raw httpx + json search loop, connected httpx.Client"
LISTING = "immiche Client.fetch_assets(people=...), connected"
SYNC = "immiche Client.sync_album(), nothing to do"
SYNC_32 = "immiche Client.sync_album(), nothing to do, v3.2.2 (the server finds the differences)"

BUDGET = Budget(
    f"<= {RATIO}x raw loop", lambda row, table: row.median("wall") / table.find(RAW).median("wall") <= RATIO
)
SYNC_BUDGET = Budget(
    f"<= {RATIO}x the listing",
    lambda row, table: row.median("wall") / table.find(LISTING).median("wall") <= RATIO,
)


def raw_listing(http: httpx.Client, api: str, person: str) -> int:
    """The floor: page through the search with httpx and ``json``, as a user would by hand."""
    assets: list[dict[str, Any]] = []
    page = 1
    while True:
        body = {"personIds": [person], "page": page, "size": PAGE, "withExif": True, "withPeople": True}
        response = http.post(f"{api}/search/metadata", json=body)
        response.raise_for_status()
        found = json.loads(response.content)["assets"]
        assets.extend(found["items"])
        if not found.get("nextPage"):
            return len(assets)
        page += 1


def _timed(row: Row, function: Callable[[], int], expected: int | None, *, ours: bool = True) -> int | None:
    if row.status != OK:
        return None
    started = time.perf_counter()
    try:
        count = function()
    except Exception as err:
        row.fail(ERROR if ours else FAILED, f"{type(err).__name__}: {err}")
        return None
    row.add("wall", time.perf_counter() - started)
    if expected is not None and count != expected:
        row.fail(ERROR if ours else FAILED, f"counted {count}, the raw loop {expected}")
    return count


def _filter_style(runs: int, count: int, row: Row, requests: list[int]) -> None:
    """The no-change sync against a v3.2.2 server (filter search), timed the same way."""
    with (
        FakeServerProcess(person_assets=count, version="3.2.2") as server,
        immiche.Client(server.url, api_key=server.api_key) as client,
    ):
        total = len(client.sync_album("Bench album", people=server.person).added)
        for round_ in range(runs + 1):
            server.reset()
            started = time.perf_counter()
            result = client.sync_album("Bench album", people=server.person)
            elapsed = time.perf_counter() - started
            requests.append(server.counters()["requests"])
            if result.changed or result.unchanged != total:
                row.fail(ERROR, f"the sync changed something or miscounted: {result.unchanged} of {total}")
            elif round_ > 0:
                row.add("wall", elapsed)


def run(ctx: Context) -> Table:
    sizes = ctx.sizes
    count = sizes.person_assets
    table = Table(
        NAME,
        f"A person's {count:,} photos: listing, and a sync_album with nothing to do",
        [
            f"{ctx.mode}. Median of {sizes.photo_runs} runs after one warm-up, rows interleaved. Fake Immich "
            f"server v3.0.0 (flat search, pages of {PAGE:,}; albums list their assets through the search) in a "
            "separate process (bench/_fake.py), no added latency.",
            f"Baseline: `{RAW}` (POST /api/search/metadata, json.loads, dicts). The sync row's album already "
            "holds every photo; its requests are counted by the server.",
        ],
        [MILLISECONDS],
    )
    raw = table.row(RAW, baseline=True)
    listing = table.row(LISTING, budget=BUDGET)
    lazily = table.row("immiche list(Client.iter_assets(people=...)), connected")
    sync = table.row(SYNC, budget=SYNC_BUDGET)
    sync_32 = table.row(SYNC_32, budget=SYNC_BUDGET)
    requests_seen: list[int] = []
    requests_32: list[int] = []
    with FakeServerProcess(person_assets=count, version="3.0.0") as server:
        api = f"{server.url}/api"
        person = server.person
        with (
            httpx.Client(headers={"x-api-key": server.api_key}) as http,
            immiche.Client(server.url, api_key=server.api_key) as client,
        ):
            client.connect()
            expected = raw_listing(http, api, person)
            client.sync_album("Bench album", people=person)  # made once: the rows find nothing to do
            for round_ in range(sizes.photo_runs + 1):
                measured: list[tuple[Row, Callable[[], int], bool]] = [
                    (raw, lambda: raw_listing(http, api, person), False),
                    (listing, lambda: len(client.fetch_assets(people=person)), True),
                    (lazily, lambda: len(list(client.iter_assets(people=person))), True),
                ]
                for row, function, ours in measured:
                    if round_ == 0:
                        function()
                        continue
                    _timed(row, function, expected, ours=ours)
                server.reset()
                started = time.perf_counter()
                result = client.sync_album("Bench album", people=person)
                elapsed = time.perf_counter() - started
                requests_seen.append(server.counters()["requests"])
                if result.changed or result.unchanged != expected:
                    sync.fail(ERROR, f"the sync changed something: {result.added[:1]} {result.removed[:1]}")
                elif round_ > 0:
                    sync.add("wall", elapsed)
    _filter_style(sizes.photo_runs, count, sync_32, requests_32)
    pages = -(-count // PAGE)
    table.after.append(
        f"Requests of the same sync on v3.2.2: {max(requests_32, default=0)} (GET /albums and two searches "
        "answering nothing: what is missing from the album, and what it holds beyond the photos)."
    )
    table.after.append(
        f"Requests of a sync with nothing to do: {max(requests_seen)} (GET /albums, {pages} listing pages, "
        f"{pages} pages of the album's assets through the search; no write)."
    )
    return table
