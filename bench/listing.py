"""Listing every person (10,000, pages of 1,000): immiche against a hand-written httpx loop.

The floor is what anyone would write with httpx and ``json``: the same ``GET /api/people`` pages
on an already connected ``httpx.Client``, collecting the people as dicts. immiche's
``fetch_people()`` runs on an already connected ``Client`` (discovery done) and returns typed
``Person`` objects. The cold rows start a new client each time: TCP connect, and for immiche the
discovery and version check (``/.well-known/immich``, ``/server/ping``, ``/server/version``).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

import immiche
from bench import _others
from bench._context import Context
from bench._fake import FakeServerProcess
from bench._harness import ERROR, FAILED, MILLISECONDS, OK, SKIPPED, Budget, Row, Table, tail
from bench._profile import cprofile

NAME = "listing"
PAGE = 1000
RATIO = 1.25

BUDGET = Budget(
    f"<= {RATIO}x raw loop", lambda row, table: row.median("wall") / table.find(RAW).median("wall") <= RATIO
)
RAW = "raw httpx + json loop, connected httpx.Client"


def raw_listing(http: httpx.Client, api: str) -> int:
    """The floor: page through ``GET /people`` with httpx and ``json``, as a user would by hand."""
    people: list[dict[str, Any]] = []
    page = 1
    while True:
        response = http.get(f"{api}/people", params={"page": page, "size": PAGE, "withHidden": "false"})
        response.raise_for_status()
        body = json.loads(response.content)
        people.extend(body["people"])
        if not body.get("hasNextPage"):
            return len(people)
        page += 1


async def raw_async_listing(http: httpx.AsyncClient, api: str) -> int:
    """The same floor on ``httpx.AsyncClient``, to tell httpx's asyncio cost from immiche's."""
    people: list[dict[str, Any]] = []
    page = 1
    while True:
        response = await http.get(f"{api}/people", params={"page": page, "size": PAGE, "withHidden": "false"})
        response.raise_for_status()
        body = json.loads(response.content)
        people.extend(body["people"])
        if not body.get("hasNextPage"):
            return len(people)
        page += 1


def _timed(row: Row, function: Callable[[], int], expected: int | None, *, ours: bool = True) -> int | None:
    """One timed run into ``row``; a wrong count or an exception marks the row instead."""
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
        row.fail(ERROR if ours else FAILED, f"listed {count} people, the raw loop {expected}")
    return count


def run(ctx: Context) -> Table:
    sizes = ctx.sizes
    table = Table(
        NAME,
        f"Listing {sizes.people:,} people, pages of {PAGE:,}",
        [
            f"{ctx.mode}. Median of {sizes.listing_runs} runs after one warm-up, rows interleaved. "
            "Fake Immich server (FakeImmichServer, generated people, no added latency) in a separate process "
            "(bench/_fake.py) on loopback, so its CPU is not the client's (2 cores).",
            f"Baseline: `{RAW}` (GET /api/people?page=N&size=1000&withHidden=false, json.loads, dicts). "
            "immiche rows return typed Person objects. Cold rows create a new client per run; immiche's "
            "includes discovery + version check. immichpy/aioimmich run in their own venv "
            "(bench/.cache/venv-others, aiohttp), one process per round, timed after a warm-up on the same client.",
        ],
        [MILLISECONDS],
    )
    raw = table.row(RAW, baseline=True)
    warm = table.row("immiche Client.fetch_people(), connected", budget=BUDGET)
    iterated = table.row("immiche list(Client.iter_people()), connected")
    raw_async = table.row("raw httpx.AsyncClient + json loop, connected")
    async_warm = table.row("immiche AsyncClient.fetch_people(), connected")
    raw_cold = table.row("raw httpx loop, new httpx.Client per run")
    cold = table.row("immiche Client.fetch_people(), new Client per run")
    connect = table.row("immiche Client.connect() alone (discovery + version)")
    others = _others.python_clients(ctx)
    immichpy = table.row("immichpy AsyncClient.people.get_all_people loop")
    aioimmich = table.row("aioimmich people.async_get_all_people")
    if others.path is None:
        for row in (immichpy, aioimmich):
            row.fail(SKIPPED, f"not installed: {others.reason}")

    loop = asyncio.new_event_loop()
    with FakeServerProcess(people=sizes.people) as server:
        api = f"{server.url}/api"
        headers = {"x-api-key": server.api_key}
        http = httpx.Client(headers=headers)
        ahttp = httpx.AsyncClient(headers=headers)
        client = immiche.Client(server.url, api_key=server.api_key)
        aclient = immiche.AsyncClient(server.url, api_key=server.api_key)
        try:
            client.connect()
            loop.run_until_complete(aclient.connect())

            def cold_raw() -> int:
                with httpx.Client(headers=headers) as fresh:
                    return raw_listing(fresh, api)

            def cold_immiche() -> int:
                with immiche.Client(server.url, api_key=server.api_key) as fresh:
                    return len(fresh.fetch_people())

            def connect_only() -> int:
                with immiche.Client(server.url, api_key=server.api_key) as fresh:
                    fresh.connect()
                return -1

            steps: list[tuple[Row, Callable[[], int], bool]] = [
                (raw, lambda: raw_listing(http, api), True),
                (warm, lambda: len(client.fetch_people()), True),
                (iterated, lambda: len(list(client.iter_people())), True),
                (raw_async, lambda: loop.run_until_complete(raw_async_listing(ahttp, api)), True),
                (async_warm, lambda: len(loop.run_until_complete(aclient.fetch_people())), True),
                (raw_cold, cold_raw, True),
                (cold, cold_immiche, True),
                (connect, connect_only, False),
            ]
            expected = raw_listing(http, api)
            for round_ in range(sizes.listing_runs + 1):
                for row, function, counts in steps:
                    _timed(row, function, expected if counts else None)
                    if round_ == 0 and row.has("wall"):
                        row.values["wall"].clear()  # the warm-up run
                if others.path is not None:
                    _others_round(str(others.path), server, expected, immichpy, aioimmich, warmup=round_ == 0)

            server.reset()
            cold_immiche()
            cold_requests = server.counters()["requests"]
            server.reset()
            raw_listing(http, api)
            warm_requests = server.counters()["requests"]
            _explain_cold(table, raw, warm, raw_cold, cold, connect, cold_requests - warm_requests, setup_ms(headers))
            if ctx.wants_profile(table.result(warm)):
                table.after += [""]
                table.after += cprofile(client.fetch_people, label="Client.fetch_people() (connected)")
                table.after += [""]
                table.after += cprofile(lambda: raw_listing(http, api), top=6, label="the raw httpx loop")
        finally:
            client.close()
            loop.run_until_complete(aclient.aclose())
            loop.run_until_complete(ahttp.aclose())
            loop.close()
            http.close()
    return table


def _others_round(
    python: str, server: FakeServerProcess, expected: int, immichpy: Row, aioimmich: Row, *, warmup: bool
) -> None:
    """One round of the other clients, in the bench-only venv (one process for both)."""
    if immichpy.status != OK and aioimmich.status != OK:
        return
    script = str(Path(__file__).with_name("_others_listing.py"))
    stderr = ""
    try:
        done = subprocess.run(
            [python, script, server.url, server.api_key, str(expected)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        stderr = done.stderr
        answers = json.loads(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError) as err:
        for row in (immichpy, aioimmich):
            row.fail(FAILED, f"the bench-only venv's run failed: {type(err).__name__}: {tail(stderr or str(err))}")
        return
    for row, name in ((immichpy, "immichpy"), (aioimmich, "aioimmich")):
        answer = answers[name]
        if row.name.startswith(name) and "version" in answer and f" {answer['version']}" not in row.name:
            row.name = row.name.replace(name, f"{name} {answer['version']}", 1)
        if row.status != OK:
            continue
        if "error" in answer:
            row.fail(FAILED, f"fails against the fake (Immich v3.0.0 API): {answer['error']}")
        elif answer["count"] != expected:
            row.fail(FAILED, f"listed {answer['count']} people, the raw loop {expected}")
        elif not warmup:
            row.add("wall", answer["seconds"])


def setup_ms(headers: dict[str, str]) -> tuple[float, float]:
    """Median milliseconds to create (and close) an ``httpx.Client`` and an ``immiche.Client``."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(5):
        started = time.perf_counter()
        httpx.Client(headers=headers).close()
        times[0].append(time.perf_counter() - started)
        started = time.perf_counter()
        immiche.Client("http://127.0.0.1:2283", api_key="bench").close()
        times[1].append(time.perf_counter() - started)
    return statistics.median(times[0]) * 1000, statistics.median(times[1]) * 1000


def _explain_cold(
    table: Table,
    raw: Row,
    warm: Row,
    raw_cold: Row,
    cold: Row,
    connect: Row,
    extra_requests: int,
    setup: tuple[float, float],
) -> None:
    if not all(row.status == OK and row.has("wall") for row in (raw, warm, raw_cold, cold, connect)):
        return

    def ms(row: Row) -> float:
        return row.median("wall") * 1000

    table.after.append(
        f"Cold start: a new immiche Client costs {ms(cold) - ms(warm):.1f} ms more than a connected one "
        f"({extra_requests} extra requests: /.well-known/immich, /server/ping, /server/version, "
        f"plus the TCP connect); connect() alone takes {ms(connect):.1f} ms. "
        f"A new httpx.Client costs the raw loop {ms(raw_cold) - ms(raw):.1f} ms: creating it takes {setup[0]:.1f} ms "
        f"(httpx builds a new SSL context, even for http://), against {setup[1]:.1f} ms for an immiche.Client "
        "(one shared SSL context), plus the TCP connect."
    )
