"""Connection reuse: sequential calls share one keep-alive connection, counted by the server.

The fake server (its own process) counts the TCP connections it accepts; each run resets the
counters, creates the clients, makes the calls, closes, and reads the count. The call is
``fetch_person(id)`` (``GET /api/people/{id}``), and the raw baseline does the same GETs.
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

NAME = "connections"

CONNECTIONS = Metric("connections", "TCP connections", "conn", digits=0, compare="none")
PER_CALL = Metric("per_call", "ms per call", "ms", scale=1e-3, digits=3)

ONE = Budget("exactly 1 connection", lambda row, table: max(row.values["connections"]) == 1)


def run(ctx: Context) -> Table:
    calls = ctx.sizes.connection_calls
    table = Table(
        NAME,
        f"Connection reuse: {calls} sequential calls",
        [
            f"{ctx.mode}. {ctx.sizes.runs} runs per row (after one warm-up); TCP connections = connections the fake "
            "server accepted during the run (its counter, FakeImmichServer.connections), worst run must be 1. "
            "Two fake servers, each in its own process (bench/_fake.py).",
            f"Each run: fresh clients, {calls} x GET /api/people/{{id}} (immiche: fetch_person, discovery included), "
            "close. 'ms per call' = time of the calls (client set-up excluded, immiche's discovery on the first call "
            "included) / calls, vs the raw httpx baseline.",
        ],
        [CONNECTIONS, PER_CALL],
    )
    raw = table.row(f"raw httpx.Client, {calls} GETs", baseline=True)
    sync = table.row(f"immiche Client, {calls} fetch_person calls", budget=ONE)
    raw_async = table.row(f"raw httpx.AsyncClient, {calls} GETs")
    asyncs = table.row(f"immiche AsyncClient, {calls} fetch_person calls", budget=ONE)
    shared_same = table.row(f"2 Clients sharing one httpx.Client, same server, {calls // 2} calls each", budget=ONE)
    shared_a = table.row(
        f"2 Clients sharing one httpx.Client, one per server: server A, {calls // 2} calls", budget=ONE
    )
    shared_b = table.row(
        f"2 Clients sharing one httpx.Client, one per server: server B, {calls // 2} calls", budget=ONE
    )

    with FakeServerProcess(ids=1) as a, FakeServerProcess(ids=1, seed=1) as b:
        person_a, person_b = a.person_ids[0], b.person_ids[0]

        def raw_run() -> float:
            with httpx.Client(headers={"x-api-key": a.api_key}) as http:
                started = time.perf_counter()
                for _ in range(calls):
                    http.get(f"{a.url}/api/people/{person_a}").raise_for_status()
                return time.perf_counter() - started

        def sync_run() -> float:
            with immiche.Client(a.url, api_key=a.api_key) as client:
                started = time.perf_counter()
                for _ in range(calls):
                    client.fetch_person(person_a)
                return time.perf_counter() - started

        def raw_async_run() -> float:
            async def go() -> float:
                async with httpx.AsyncClient(headers={"x-api-key": a.api_key}) as http:
                    started = time.perf_counter()
                    for _ in range(calls):
                        (await http.get(f"{a.url}/api/people/{person_a}")).raise_for_status()
                    return time.perf_counter() - started

            return asyncio.run(go())

        def async_run() -> float:
            async def go() -> float:
                async with immiche.AsyncClient(a.url, api_key=a.api_key) as client:
                    started = time.perf_counter()
                    for _ in range(calls):
                        await client.fetch_person(person_a)
                    return time.perf_counter() - started

            return asyncio.run(go())

        def shared_same_run() -> float:
            with httpx.Client() as http:
                one = immiche.Client(a.url, api_key=a.api_key, http_client=http)
                two = immiche.Client(a.url, api_key=a.api_key, http_client=http)
                started = time.perf_counter()
                for _ in range(calls // 2):
                    one.fetch_person(person_a)
                    two.fetch_person(person_a)
                return time.perf_counter() - started

        def shared_two_run() -> float:
            with httpx.Client() as http:
                one = immiche.Client(a.url, api_key=a.api_key, http_client=http)
                two = immiche.Client(b.url, api_key=b.api_key, http_client=http)
                started = time.perf_counter()
                for _ in range(calls // 2):
                    one.fetch_person(person_a)
                    two.fetch_person(person_b)
                return time.perf_counter() - started

        def measure(rows: list[tuple[Row, FakeServerProcess]], function: Callable[[], float], warmup: bool) -> None:
            if any(row.status != OK for row, _ in rows):
                return
            for server in (a, b):
                server.reset()
            try:
                elapsed = function()
            except Exception as err:
                for row, _ in rows:
                    row.fail(ERROR, f"{type(err).__name__}: {err}")
                return
            if warmup:
                return
            for row, server in rows:
                row.add("connections", server.counters()["connections"])
                row.add("per_call", elapsed / calls)

        for round_ in range(ctx.sizes.runs + 1):
            warmup = round_ == 0
            measure([(raw, a)], raw_run, warmup)
            measure([(sync, a)], sync_run, warmup)
            measure([(raw_async, a)], raw_async_run, warmup)
            measure([(asyncs, a)], async_run, warmup)
            measure([(shared_same, a)], shared_same_run, warmup)
            measure([(shared_a, a), (shared_b, b)], shared_two_run, warmup)
        for server in (a, b):
            errors = server.counters()["internal_errors"]
            if errors:
                table.after.append(f"The fake server at {server.url} reported {errors} internal errors.")
    return table
