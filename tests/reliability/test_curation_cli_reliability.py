"""The people curation commands under bad input and bad luck (issue 14): invalid apply files,
unknown and ambiguous names, an interrupted bulk run, missing permissions, partial bulk failures
and a server that answers a merge with ``[]``.

Each case drives ``python -m immiche`` in subprocesses against fake Immich servers on real sockets;
it checks the exit code and the one ``error:`` line per problem, what reached the server, and that
the undo journal stays readable and truthful.
"""

from __future__ import annotations

import json
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from immiche.testing import FakeImmichServer, FakePerson
from tests.reliability._ledger import Outcome
from tests.reliability.conftest import Cli, ReadOnly, ServerFactory

WRITES = {"PUT", "PATCH", "POST", "DELETE"}


def _writes(server: FakeImmichServer) -> list[str]:
    return [f"{r.method} {r.path}" for r in server.requests if r.method in WRITES]


def _journal(cli: Cli) -> Path:
    return cli.config / "profiles" / "default" / "people-journal.jsonl"


def _journal_lines(cli: Cli) -> list[dict[str, Any]]:
    text = _journal(cli).read_text()
    assert text.endswith("\n"), "the journal's last line is torn"
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _id(server: FakeImmichServer, name: str) -> str:
    return next(p.id for p in server.all_people if p.name == name)


def _wait_for(condition: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the CLI did not get there in time")
        time.sleep(0.005)


# -- invalid apply files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "lines"),
    [
        ("id,name\nnot-a-uuid,X\n", ["line 2"]),
        ("name,is_hidden,birth_date\nBob,perhaps,\nAnn,,1990-13-01\n", ["line 2", "line 3"]),
        ("name,shoe_size\nBob,42\n", ["shoe_size"]),
        ("name,name\nBob,Bob\n", ["named twice"]),
        ('name,is_hidden\nBob,yes\n"Ann,no\n', []),
        ("is_hidden\ntrue\n", ["'id' or a 'name'"]),
        ("name,is_hidden\nBob,yes\nbob,no\n", ["already on line 2"]),
        ('[{"id": "x"', ["not valid JSON"]),
        ('{"id": 1}', ["list of person objects"]),
        ('[{"name": "Bob", "isHidden": true}]', ["is_hidden"]),
        ('[{"name": "Bob", "is_hidden": "yes"}, 7]', ["line 1", "item 2"]),
        ("", ["no rows"]),
        (b"name\n\xff\xfe\n", ["UTF-8"]),
    ],
    ids=[
        "bad-id",
        "bad-values",
        "unknown-column",
        "column-twice",
        "unclosed-quote",
        "no-id-or-name",
        "same-person-twice",
        "broken-json",
        "json-object",
        "camel-case-key",
        "json-wrong-types",
        "empty",
        "not-utf8",
    ],
)
def test_invalid_apply_input_is_reported_row_by_row_and_nothing_is_sent(
    outcome: Outcome, server: FakeImmichServer, logged_in: Cli, content: str | bytes, lines: list[str]
) -> None:
    path = logged_in.cwd / "changes.txt"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    result = logged_in("people", "apply", str(path))
    errors = outcome.cli_error(result, 2)
    for expected in lines:
        assert any(expected in line for line in errors), (expected, result)
    assert "nothing was sent" in result.err
    assert _writes(server) == []
    assert not _journal(logged_in).exists()


# -- names ----------------------------------------------------------------------------------------


def test_unknown_names_are_not_found_everywhere(outcome: Outcome, server: FakeImmichServer, logged_in: Cli) -> None:
    for args in (
        ("people", "rename", "Nobody", "Somebody"),
        ("people", "edit", "00000000-0000-4000-8000-000000000000", "--hide"),
        ("people", "merge", "Ann", "Nobody", "--yes"),
        ("people", "delete", "Nobody", "--yes"),
    ):
        outcome.cli_error(logged_in(*args), 4, contains="no person named or with id")
    applied = logged_in("people", "apply", "-", input="name,is_hidden\nNobody,yes\nBob,yes\n")
    outcome.cli_error(applied, 4, contains="line 2")
    assert _writes(server) == []
    assert not server.person(_id(server, "Bob")).is_hidden  # no row is applied when one is wrong


def test_ambiguous_names_list_the_candidates(outcome: Outcome, immich: ServerFactory, cli: Cli) -> None:
    twins = [
        FakePerson(name="Kim", face_count=5),
        FakePerson(name="KIM", face_count=4),
        FakePerson(name="Lee", face_count=3),
    ]
    server = immich(people=twins)
    cli.login(server)
    for args in (
        ("people", "rename", "kim", "Kim A"),
        ("people", "merge", twins[2].id, "Kim", "--yes"),
        ("people", "delete", "Kim", "--yes"),
    ):
        errors = outcome.cli_error(cli(*args), 2, contains="2 people are named")
        assert twins[0].id in errors[-1] and twins[1].id in errors[-1]
    applied = cli("people", "apply", "-", input='[{"name": "Kim", "is_favorite": true}]')
    outcome.cli_error(applied, 2, contains="line 1")
    twice = cli("people", "apply", "-", input=f"id,name,is_hidden\n{twins[2].id},,yes\n,Lee,no\n")
    outcome.cli_error(twice, 2, contains="already on line 2")
    same = cli("people", "merge", twins[0].id, twins[0].id.upper(), "--yes")
    outcome.cli_error(same, 2, contains="same person")
    assert _writes(server) == []


# -- an interrupted bulk run ----------------------------------------------------------------------


def test_sigint_during_a_bulk_apply_leaves_a_consistent_journal_and_undo_reverts(
    outcome: Outcome, immich: ServerFactory, cli: Cli
) -> None:
    server = immich(people=1200)
    cli.login(server)
    listed = cli("people", "list", "--with-hidden", "--json")
    assert listed.code == 0, listed
    before = {person["id"]: person["name"] for person in json.loads(listed.out)}
    assert len(before) == 1200
    rows = [{"id": person_id, "name": f"Renamed {index}"} for index, person_id in enumerate(before)]
    path = cli.cwd / "rename.json"
    path.write_text(json.dumps(rows))
    server.latency = 0.5  # each bulk request (500 people) waits: the signal lands in the first one
    proc = subprocess.Popen(
        cli.argv("people", "apply", str(path)),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli.full_env(None),
        cwd=cli.cwd,
    )
    _wait_for(lambda: any(r.method == "PUT" for r in server.requests) or proc.poll() is not None)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    result = cli.record(("people", "apply", str(path)), proc.returncode, out, err)
    assert result.code == 130, result
    assert result.err.splitlines()[-1] == "error: interrupted"
    assert "'immiche people undo' reverts them" in result.err
    assert sum(r.method == "PUT" for r in server.requests) == 1  # nothing sent after the signal
    server.latency = 0
    # the first batch (500), in flight when the signal came, is applied by the server; no other is
    _wait_for(lambda: sum(p.name.startswith("Renamed ") for p in server.all_people) == 500, timeout=15)
    (entry,) = _journal_lines(cli)  # recorded whole before the first request
    assert entry["command"] == "people apply" and len(entry["changes"]) == 1200
    undone = cli("people", "undo")
    assert undone.code == 0, undone
    assert {p.id: p.name for p in server.all_people if p.id in before} == before
    assert _journal_lines(cli)[-1]["type"] == "undone"
    outcome.recovered()


# -- permissions ----------------------------------------------------------------------------------


def test_a_key_without_write_permissions_is_refused_and_the_journal_says_so(
    outcome: Outcome, server: FakeImmichServer, cli: Cli
) -> None:
    cli.login(server, key=server.api_keys["person.read"])
    renamed = cli("people", "rename", "Ann", "Annie")
    outcome.cli_error(renamed, 3, contains="person.update")
    applied = cli("people", "apply", "-", input="name,is_hidden\nBob,yes\n")
    outcome.cli_error(applied, 3, contains="person.update")
    merged = cli("people", "merge", "Ann", "Anna", "--yes")
    outcome.cli_error(merged, 3, contains="person.merge")
    deleted = cli("people", "delete", "Anna", "--yes")
    outcome.cli_error(deleted, 3, contains="person.delete")
    assert server.person(_id(server, "Ann")).name == "Ann"
    assert {_id(server, "Anna"), _id(server, "Bob")} <= {p.id for p in server.all_people}
    lines = _journal_lines(cli)
    refused = {line["id"] for line in lines if line["type"] == "undone"}
    recorded = [line for line in lines if line["type"] == "changes"]
    assert [line["command"] for line in recorded] == ["people rename", "people apply", "people merge", "people delete"]
    assert {line["id"] for line in recorded if line["command"] != "people apply"} <= refused
    nothing = cli("people", "undo", "--dry-run")
    assert nothing.code == 0, nothing  # the apply's previous values are still there: nothing to send
    assert nothing.out == ""


# -- partial bulk failures ------------------------------------------------------------------------


def test_a_partial_bulk_failure_reports_each_row_and_exits_non_zero(
    outcome: Outcome, server: FakeImmichServer, logged_in: Cli
) -> None:
    bob, ann, zoe = _id(server, "Bob"), _id(server, "Ann"), _id(server, "Zoë Lefèvre")
    content = f"id,is_hidden\n{bob},yes\n{ann},yes\n{zoe},yes\n"
    server.latency = 0.4

    def delete_ann_during_the_request() -> None:
        _wait_for(lambda: any(r.method == "PUT" for r in server.requests))
        server._state.delete_people([ann])  # gone while the bulk request waits: its item fails

    thread = threading.Thread(target=delete_ann_during_the_request)
    thread.start()
    result = logged_in("people", "apply", "-", input=content, timeout=60)
    thread.join()
    server.latency = 0
    assert result.code == 1, result
    errors = [line for line in result.err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "line 3" in errors[0] and ann in errors[0], result
    assert "Changed 2 of 3 people" in result.err and "1 failed" in result.err
    assert server.person(bob).is_hidden and server.person(zoe).is_hidden
    undone = logged_in("people", "undo")
    assert undone.code == 0, undone
    assert "no longer exists" in undone.err
    assert not server.person(bob).is_hidden and not server.person(zoe).is_hidden
    outcome.recovered()


# -- a merge answered with [] ---------------------------------------------------------------------


def test_a_merge_answered_with_an_empty_list_is_an_error(outcome: Outcome, immich: ServerFactory, cli: Cli) -> None:
    # Immich v3.2.0 answers its legacy merge with 200 [] and merges nothing; reported as v3.1.0, the
    # client cannot know, so the answer itself must be caught.
    server = immich(version="3.2.0", server_version=(3, 1, 0))
    cli.login(server)
    ann, anna = _id(server, "Ann"), _id(server, "Anna")
    result = cli("people", "merge", "Ann", "Anna", "--yes")
    outcome.cli_error(result, 1, contains="nothing was merged")
    assert {ann, anna} <= {p.id for p in server.all_people}
    lines = _journal_lines(cli)
    assert [line["type"] for line in lines] == ["changes", "undone"]  # recorded, then marked as not done
    nothing = cli("people", "undo")
    assert nothing.code == 0 and "nothing to undo" in nothing.err, nothing


def test_a_server_known_to_answer_merges_with_an_empty_list_is_refused_before_sending(
    outcome: Outcome, immich: ServerFactory, cli: Cli
) -> None:
    server = immich(version="3.2.0")
    cli.login(server)
    result = cli("people", "merge", "Ann", "Anna", "--yes")
    outcome.cli_error(result, 2, contains="cannot merge")
    assert not any(r.method == "POST" for r in server.requests)


# -- a journal that cannot be written -------------------------------------------------------------


def test_no_write_is_sent_when_the_journal_cannot_be_written(
    outcome: Outcome, server: FakeImmichServer, logged_in: Cli, read_only: ReadOnly
) -> None:
    read_only(logged_in.config / "profiles" / "default")
    for args in (
        ("people", "rename", "Ann", "Annie"),
        ("people", "apply", "-"),
        ("people", "delete", "Anna", "--yes"),
    ):
        result = logged_in(*args, input="name,is_hidden\nBob,yes\n" if "-" in args else None)
        outcome.cli_error(result, 1, contains="cannot write the undo journal")
    assert _writes(server) == []
    assert server.person(_id(server, "Ann")).name == "Ann"
