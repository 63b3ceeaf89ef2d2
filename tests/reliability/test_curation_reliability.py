"""People curation from the library under bad input, refusals and interruptions (issue 14).

Each case must end in a typed immiche error with one clear line (or a per-item result), send
nothing when the input is wrong, and leave the server in a state that says what happened:
invalid update rows, unknown and ambiguous names, missing permissions, partial bulk failures, a
merge answered with ``[]``, and bulk runs interrupted with Ctrl-C or cancelled.
"""

from __future__ import annotations

import asyncio
import datetime
import signal
import subprocess
import sys
import time
import uuid

import pytest

import immiche
from immiche import errors
from immiche.testing import FakeImmichServer
from tests.reliability._ledger import Outcome
from tests.reliability.conftest import ServerFactory


def _writes(server: FakeImmichServer) -> int:
    return sum(1 for r in server.requests if r.method in ("PUT", "POST", "DELETE", "PATCH"))


def _named(server: FakeImmichServer, count: int) -> list[immiche.Person]:
    with immiche.Client(server.url, api_key=server.api_key) as client:
        named = [p for p in client.fetch_people(with_hidden=True).people if p.name]
    assert len(named) >= count
    return named[:count]


# -- input the library refuses before sending anything ---------------------------------------------


@pytest.mark.parametrize(
    ("rows", "fields"),
    [
        ([{"id": "{a}", "birth_date": "2020-02-30"}], {(0, "birth_date")}),
        ([{"id": "{a}", "birth_date": "{tomorrow}"}], {(0, "birth_date")}),
        ([{"id": "{a}", "color": "#12345"}, {"id": "{b}", "is_hidden": "true"}], {(0, "color"), (1, "is_hidden")}),
        ([{"id": "{a}", "isHidden": True}, {"id": "{a}", "nickname": "x"}], {(0, "isHidden"), (1, "nickname")}),
        ([{"name": "no id"}, {"id": "12345", "name": "bad id"}], {(0, "id"), (1, "id")}),
        (
            [{"id": "{a}", "feature_face_asset_id": "not-a-uuid"}, ["not", "a", "mapping"]],
            {(0, "feature_face_asset_id"), (1, "*")},
        ),
    ],
    ids=["impossible-date", "future-date", "colour-and-flag", "camel-and-unknown-keys", "ids", "asset-and-row-type"],
)
def test_invalid_update_rows_are_all_reported_and_nothing_is_sent(
    outcome: Outcome, immich: ServerFactory, rows: list[object], fields: set[tuple[int, str]]
) -> None:
    server = immich(people=8)
    a, b = _named(server, 2)
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()

    def fill(row: object) -> object:
        if not isinstance(row, dict):
            return row
        return {k: v.format(a=a.id, b=b.id, tomorrow=tomorrow) if isinstance(v, str) else v for k, v in row.items()}

    with immiche.Client(server.url, api_key=server.api_key) as client:
        client.connect()
        writes = _writes(server)
        error = outcome.raises(immiche.InvalidUpdateError, client.update_people, [fill(row) for row in rows])
        assert _writes(server) == writes
    assert {(p.item, p.field) for p in error.problems} == fields
    assert isinstance(error, errors.InvalidArgumentError)


def test_update_person_refuses_wrong_values_before_sending(outcome: Outcome, immich: ServerFactory) -> None:
    server = immich(people=8)
    (a,) = _named(server, 1)
    with immiche.Client(server.url, api_key=server.api_key) as client:
        client.connect()
        writes = _writes(server)
        outcome.raises(immiche.InvalidUpdateError, client.update_person, a, birth_date=datetime.datetime.now())
        outcome.raises(immiche.InvalidUpdateError, client.update_person, a, is_favorite=1)
        outcome.raises(immiche.InvalidArgumentError, client.update_people, [], batch_size=-1)
        outcome.raises(immiche.InvalidArgumentError, client.merge_people, a, [a.id])
        outcome.raises(immiche.InvalidArgumentError, client.delete_people, ["not-an-id"])
        outcome.raises(immiche.InvalidArgumentError, client.reassign_faces, a, [("not-an-asset", a.id)])
        outcome.raises(immiche.InvalidArgumentError, client.fetch_asset_counts, [a], concurrency=1000)
        assert _writes(server) == writes


# -- names -------------------------------------------------------------------------------------------


def test_unknown_names_and_ids(outcome: Outcome, immich: ServerFactory) -> None:
    server = immich(people=8)
    with immiche.Client(server.url, api_key=server.api_key) as client:
        missing = outcome.raises(immiche.PersonNotFoundError, client.find_person, "Nobody Ever")
        assert missing.query == "Nobody Ever" and missing.status_code == 404
        outcome.raises(immiche.PersonNotFoundError, client.find_person, str(uuid.uuid4()))
        outcome.raises(errors.NotFoundError, client.fetch_person_statistics, str(uuid.uuid4()))
        outcome.raises(immiche.InvalidArgumentError, client.find_person, "")


def test_ambiguous_names_list_every_candidate(outcome: Outcome, immich: ServerFactory) -> None:
    server = immich(people=8)
    a, b, c = _named(server, 3)
    with immiche.Client(server.url, api_key=server.api_key) as client:
        result = client.update_people([{"id": a.id, "name": "Anna"}, {"id": b.id, "name": "ANNA"}])
        assert result.ok
        client.update_person(c, name="Anna", is_hidden=True)
        error = outcome.raises(immiche.AmbiguousPersonError, client.find_person, "anna")
    assert {p.id for p in error.candidates} == {a.id, b.id, c.id}
    assert all(person_id in str(error) for person_id in (a.id, b.id, c.id))
    assert error.hint


# -- permissions ----------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["person.read", "asset.read", "none"])
def test_every_write_names_the_missing_permission(outcome: Outcome, immich: ServerFactory, key: str) -> None:
    server = immich(people=8)
    a, b = _named(server, 2)
    api_key = outcome.secret(server.api_keys[key], f"{key} key")
    calls = {
        "person.update": (
            lambda c: c.update_person(a, name="x"),
            lambda c: c.update_people([{"id": a.id, "name": "x"}]),
        ),
        "person.merge": (lambda c: c.merge_people(a, [b]),),
        "person.delete": (lambda c: c.delete_people([b]),),
        "person.statistics": (lambda c: c.fetch_person_statistics(a), lambda c: c.fetch_asset_counts([a, b])),
        "person.reassign": (lambda c: c.reassign_faces(a, [(str(uuid.uuid4()), b)]),),
        "face.update": (lambda c: c.reassign_face(str(uuid.uuid4()), a),),
    }
    with immiche.Client(server.url, api_key=api_key) as client:
        for permission, tries in calls.items():
            for call in tries:
                error = outcome.raises(errors.PermissionDeniedError, call, client)
                assert error.permission == permission
                assert permission in str(error)
    assert (server.person(a.id).name, server.person(b.id).name) == (a.name, b.name)


# -- partial failures ---------------------------------------------------------------------------------


def test_partial_bulk_failures_are_reported_per_item(outcome: Outcome, immich: ServerFactory) -> None:
    server = immich(people=12)
    people = _named(server, 6)
    unknown = str(uuid.uuid4())
    changes = [{"id": p.id, "name": f"New {i}"} for i, p in enumerate(people)]
    changes.insert(2, {"id": unknown, "name": "Ghost", "color": "#00ff00"})
    with immiche.Client(server.url, api_key=server.api_key) as client:
        client.connect()
        server.faults.add("status", status=400, path="/api/people", times=1)  # the first batch, refused whole
        result = client.update_people(changes, batch_size=3)
    assert [item.id for item in result.items] == [c["id"] for c in changes]
    assert set(result.failed) == {people[0].id, people[1].id, unknown}
    assert "refused the request" in result.failed[people[0].id]
    assert "colour was not applied" in result.failed[unknown]
    assert result.succeeded == [p.id for p in people[2:]]
    assert [server.person(p.id).name for p in people] == [p.name for p in people[:2]] + [
        f"New {i}" for i in range(2, 6)
    ]


def test_a_merge_answered_with_nothing_is_an_error(outcome: Outcome, immich: ServerFactory) -> None:
    server = immich(version="3.2.0", server_version=(3, 1, 0), people=8)  # v3.2.0's bug, another version shown
    a, b = _named(server, 2)
    with immiche.Client(server.url, api_key=server.api_key) as client:
        error = outcome.raises(immiche.MergeError, client.merge_people, a, [b])
        assert "nothing was merged" in str(error)
        assert client.fetch_person(b.id).id == b.id
    assert sum(1 for r in server.requests if r.method == "POST") == 1  # never retried


def test_a_merge_on_v3_2_0_is_refused_and_a_broken_answer_is_typed(outcome: Outcome, immich: ServerFactory) -> None:
    server = immich(version="3.2.0", people=8)
    a, b = _named(server, 2)
    with immiche.Client(server.url, api_key=server.api_key) as client:
        outcome.raises(immiche.InvalidArgumentError, client.merge_people, a, [b])
    other = immich(version="3.2.2", people=8)
    c, d = _named(other, 2)
    with immiche.Client(other.url, api_key=other.api_key) as client:
        client.connect()
        other.faults.add("wrong_shape", path="/api/people/merge")
        outcome.raises(errors.InvalidResponseError, client.merge_people, c, [d])
        other.faults.add("status", status=502, path="/api/people/merge")
        outcome.raises(errors.ServerError, client.merge_people, c, [d])
    assert sum(1 for r in other.requests if r.method == "POST") == 2  # each sent once


# -- interruptions --------------------------------------------------------------------------------


def test_a_cancelled_bulk_update_stops_between_batches(outcome: Outcome, immich: ServerFactory) -> None:
    server = immich(people=20, latency=0.3)
    people = _named(server, 8)
    changes = [{"id": p.id, "name": f"Cancelled {i}"} for i, p in enumerate(people)]

    async def run() -> None:
        async with immiche.AsyncClient(server.url, api_key=server.api_key) as client:
            await client.connect()
            task = asyncio.ensure_future(client.update_people(changes, batch_size=2))
            until = time.monotonic() + 20
            while _writes(server) < 2 and time.monotonic() < until:  # inside the second batch
                await asyncio.sleep(0.02)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            assert others == []

    asyncio.run(run())
    writes = _writes(server)
    time.sleep(0.8)
    assert _writes(server) == writes, "requests kept coming after the cancellation"
    renamed = [server.person(p.id).name == f"Cancelled {i}" for i, p in enumerate(people)]
    assert renamed == sorted(renamed, reverse=True), "batches are applied in order"
    assert 2 <= sum(renamed) < len(people)
    assert sum(renamed) % 2 == 0, "a batch is applied whole or not at all"


SCRIPT = """
import sys, time
import immiche
ids = sys.argv[3].split(",")
with immiche.Client(sys.argv[1], api_key=sys.argv[2]) as client:
    client.connect()
    print("started", flush=True)
    try:
        client.fetch_asset_counts(ids, concurrency=2)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
"""


def test_ctrl_c_stops_asset_counts_at_once(outcome: Outcome, immich: ServerFactory) -> None:
    server = immich(people=40, latency=0.5)
    ids = [p.id for p in _named(server, 20)]
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, server.url, server.api_key, ",".join(ids)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"started"
    time.sleep(0.7)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    elapsed = time.monotonic() - sent
    outcome.saw(out + err, "output of the interrupted script")
    assert proc.returncode == 130, err.decode()[-2000:]
    assert out.strip() == b"interrupted"
    assert b"Traceback" not in err
    assert elapsed < 3, f"it took {elapsed:.1f} s to stop"
    assert sum(1 for r in server.requests if r.path.endswith("/statistics")) < len(ids)


def test_a_cancelled_asset_count_leaves_no_task(outcome: Outcome, immich: ServerFactory) -> None:
    server = immich(people=40, latency=0.3)
    ids = [p.id for p in _named(server, 20)]

    async def run() -> None:
        async with immiche.AsyncClient(server.url, api_key=server.api_key) as client:
            task = asyncio.ensure_future(client.fetch_asset_counts(ids, concurrency=4))
            await asyncio.sleep(0.5)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []

    asyncio.run(run())
    count = sum(1 for r in server.requests if r.path.endswith("/statistics"))
    time.sleep(0.6)
    assert sum(1 for r in server.requests if r.path.endswith("/statistics")) == count < len(ids)


UPDATE_SCRIPT = """
import sys
import immiche
ids = sys.argv[3].split(",")
with immiche.Client(sys.argv[1], api_key=sys.argv[2]) as client:
    client.connect()
    print("started", flush=True)
    try:
        client.update_people([{"id": i, "name": f"Interrupted {n}"} for n, i in enumerate(ids)], batch_size=2)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        sys.exit(130)
"""


def test_ctrl_c_between_batches_leaves_whole_batches(outcome: Outcome, immich: ServerFactory) -> None:
    server = immich(people=30, latency=0.3)
    people = _named(server, 10)
    proc = subprocess.Popen(
        [sys.executable, "-c", UPDATE_SCRIPT, server.url, server.api_key, ",".join(p.id for p in people)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"started"
    until = time.monotonic() + 20
    while _writes(server) < 2 and time.monotonic() < until:  # inside the second batch
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    outcome.saw(out + err, "output of the interrupted script")
    assert proc.returncode == 130, err.decode()[-2000:]
    assert b"Traceback" not in err
    time.sleep(0.5)  # a batch in flight is finished by the server
    renamed = [server.person(p.id).name == f"Interrupted {n}" for n, p in enumerate(people)]
    assert renamed == sorted(renamed, reverse=True), "batches are applied in order"
    assert 2 <= sum(renamed) < len(people)
    assert sum(renamed) % 2 == 0, "a batch is applied whole or not at all"
