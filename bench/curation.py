"""Editing 1,000 people: ``update_people`` (the bulk ``PUT /people``) against other ways of doing it.

Every run renames each person and flips their favourite flag (new values each run, so the server
really writes). The counted requests are the fake server's own count. The floor is a raw httpx
loop sending the same bulk bodies (batches of 500); one ``PUT /people/{id}`` per person is what a
script without the bulk endpoint does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx

import immiche
from bench._context import Context
from bench._fake import FakeServerProcess
from bench._harness import ERROR, MILLISECONDS, OK, Budget, Metric, Row, Table
from immiche.curation import DEFAULT_BATCH_SIZE

NAME = "curation"
MAX_REQUESTS = 2

REQUESTS = Metric("requests", "requests", "", digits=0, compare="none")
BUDGET = Budget(f"<= {MAX_REQUESTS} requests", lambda row, table: row.median("requests") <= MAX_REQUESTS)
RAW = "raw httpx.Client, the same bulk bodies"


def _changes(ids: list[str], round_: int) -> list[dict[str, Any]]:
    return [
        {"id": person_id, "name": f"Person {n} r{round_}", "is_favorite": round_ % 2 == 0}
        for n, person_id in enumerate(ids)
    ]


def _camel(change: dict[str, Any]) -> dict[str, Any]:
    return {"id": change["id"], "name": change["name"], "isFavorite": change["is_favorite"]}


def run(ctx: Context) -> Table:
    sizes = ctx.sizes
    count = sizes.curated_people
    table = Table(
        NAME,
        f"Editing {count:,} people (name + favourite), bulk batches of {DEFAULT_BATCH_SIZE}",
        [
            f"{ctx.mode}. Median of {sizes.runs} runs after one warm-up, rows interleaved; each run writes new "
            "values. Fake Immich server (FakeImmichServer, no added latency) in a separate process (bench/_fake.py); "
            "requests = what the server received during the run.",
            f"Baseline: `{RAW}` (PUT /api/people, {DEFAULT_BATCH_SIZE} people per body, json). "
            "'one by one' rows send PUT /api/people/{id} per person.",
        ],
        [MILLISECONDS, REQUESTS],
    )
    raw = table.row(RAW, baseline=True)
    bulk = table.row("immiche Client.update_people()", budget=BUDGET)
    abulk = table.row("immiche AsyncClient.update_people()", budget=BUDGET)
    singles = table.row("immiche Client.update_person() one by one")
    raw_singles = table.row("raw httpx.Client, one PUT per person")

    loop = asyncio.new_event_loop()
    with FakeServerProcess(people=count + count // 5 + 20) as server:
        headers = {"x-api-key": server.api_key}
        api = f"{server.url}/api"
        http = httpx.Client(headers=headers)
        client = immiche.Client(server.url, api_key=server.api_key)
        aclient = immiche.AsyncClient(server.url, api_key=server.api_key)
        try:
            client.connect()
            loop.run_until_complete(aclient.connect())
            ids = [person.id for person in client.fetch_people(with_hidden=True).people][:count]
            if len(ids) < count:
                raise RuntimeError(f"the fake server lists only {len(ids)} people")

            def raw_run(changes: list[dict[str, Any]]) -> int:
                done = 0
                for start in range(0, len(changes), DEFAULT_BATCH_SIZE):
                    body = {"people": [_camel(c) for c in changes[start : start + DEFAULT_BATCH_SIZE]]}
                    response = http.put(f"{api}/people", json=body)
                    response.raise_for_status()
                    done += sum(1 for item in response.json() if item["success"])
                return done

            def raw_singles_run(changes: list[dict[str, Any]]) -> int:
                for change in changes:
                    body = _camel(change)
                    del body["id"]
                    http.put(f"{api}/people/{change['id']}", json=body).raise_for_status()
                return len(changes)

            def singles_run(changes: list[dict[str, Any]]) -> int:
                for change in changes:
                    client.update_person(change["id"], name=change["name"], is_favorite=change["is_favorite"])
                return len(changes)

            steps: list[tuple[Row, Callable[[list[dict[str, Any]]], int]]] = [
                (raw, raw_run),
                (bulk, lambda changes: len(client.update_people(changes).succeeded)),
                (abulk, lambda changes: len(loop.run_until_complete(aclient.update_people(changes)).succeeded)),
                (singles, singles_run),
                (raw_singles, raw_singles_run),
            ]
            round_ = 0
            for run_number in range(sizes.runs + 1):
                for row, function in steps:
                    round_ += 1
                    if row.status != OK:
                        continue
                    changes = _changes(ids, round_)
                    server.reset()
                    started = time.perf_counter()
                    try:
                        done = function(changes)
                    except Exception as err:
                        row.fail(ERROR, f"{type(err).__name__}: {err}")
                        continue
                    elapsed = time.perf_counter() - started
                    requests = server.counters()["requests"]
                    if done != count:
                        row.fail(ERROR, f"{done} people changed, {count} asked")
                    elif run_number > 0:
                        row.add("wall", elapsed)
                        row.add("requests", requests)
        finally:
            client.close()
            loop.run_until_complete(aclient.aclose())
            loop.close()
            http.close()
    if bulk.status == OK and singles.status == OK and bulk.has("wall") and singles.has("wall"):
        table.after.append(
            f"update_people is {singles.median('wall') / bulk.median('wall'):.0f}x faster than one update_person "
            f"per person, with {bulk.median('requests'):.0f} requests instead of {singles.median('requests'):.0f}."
        )
    return table
