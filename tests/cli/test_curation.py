"""``immiche people rename | edit | apply | merge | delete | prune | undo`` and ``list --counts/--sort``.

Every test runs the real ``python -m immiche`` in a subprocess against the fake Immich server in
its v2 (2.4.1) and v3 (3.1.0, 3.2.2, 3.3.5) modes, and checks the server's state and request log:
dry runs send no write, refusals send nothing, ``people undo`` restores the previous values.
"""

from __future__ import annotations

import datetime
import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from immiche.testing import FakeImmichServer, FakePerson
from tests.cli.conftest import Cli

VERSIONS = ("2.4.1", "3.1.0", "3.2.2", "3.3.5")
WRITES = {"PUT", "PATCH", "POST", "DELETE"}


@pytest.fixture(params=VERSIONS)
def server(request: pytest.FixtureRequest, fake_immich: Callable[..., FakeImmichServer]) -> FakeImmichServer:
    return fake_immich(version=request.param)


def _id(server: FakeImmichServer, name: str) -> str:
    return next(p.id for p in server.all_people if p.name == name)


def _writes(server: FakeImmichServer) -> list[str]:
    return [f"{r.method} {r.path}" for r in server.requests if r.method in WRITES]


def _journal(cli: Cli) -> Path:
    return cli.config / "profiles" / "default" / "people-journal.jsonl"


def _journal_lines(cli: Cli) -> list[dict[str, object]]:
    return [json.loads(line) for line in _journal(cli).read_text().splitlines() if line.strip()]


# -- rename / edit / undo ---------------------------------------------------------------------------


def test_rename_records_the_old_name_and_undo_restores_it(logged_in: Cli, server: FakeImmichServer) -> None:
    ann = _id(server, "Ann")
    result = logged_in("people", "rename", "ann", "Annie")  # an exact name, any case
    assert result.code == 0, result
    assert "'Ann' -> 'Annie'" in result.out
    assert server.person(ann).name == "Annie"
    journal = _journal(logged_in)
    assert stat.S_IMODE(journal.stat().st_mode) == 0o600
    (entry,) = _journal_lines(logged_in)
    assert entry["command"] == "people rename"
    assert entry["changes"] == [{"id": ann, "before": {"name": "Ann"}, "after": {"name": "Annie"}}]
    assert server.api_key not in journal.read_text()
    undone = logged_in("people", "undo", "--json")
    assert undone.code == 0, undone
    assert undone.json()["reverted"] == [
        {"id": ann, "name": "Annie", "changes": {"name": {"old": "Annie", "new": "Ann"}}}
    ]
    assert server.person(ann).name == "Ann"
    again = logged_in("people", "undo")
    assert again.code == 0, again
    assert "nothing to undo" in again.err


def test_edit_every_field_then_undo(logged_in: Cli, server: FakeImmichServer) -> None:
    bob = _id(server, "Bob")  # a favourite, no birth date, no colour
    result = logged_in(
        "people", "edit", bob, "--birth-date", "1980-05-06", "--hide", "--unfavorite", "--color", "#00ff00", "--json"
    )
    assert result.code == 0, result
    document = result.json()
    assert document["changes"] == {
        "birth_date": {"old": None, "new": "1980-05-06"},
        "is_hidden": {"old": False, "new": True},
        "is_favorite": {"old": True, "new": False},
        "color": {"old": None, "new": "#00ff00"},
    }
    assert document["person"]["id"] == bob and document["journal"]
    person = server.person(bob)
    assert (person.birth_date, person.is_hidden, person.is_favorite, person.color) == (
        datetime.date(1980, 5, 6),
        True,
        False,
        "#00ff00",
    )
    undone = logged_in("people", "undo")
    assert undone.code == 0, undone
    person = server.person(bob)
    assert (person.birth_date, person.is_hidden, person.is_favorite, person.color) == (None, False, True, None)


def test_edit_checks_values_before_sending(logged_in: Cli, server: FakeImmichServer) -> None:
    future = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    for args in (("--birth-date", future), ("--birth-date", "2023-02-30"), ("--color", "red"), ()):
        result = logged_in("people", "edit", "Bob", *args)
        assert result.code == 2, result
        assert result.err.startswith("error: "), result
    assert _writes(server) == []
    assert not _journal(logged_in).exists()


def test_ambiguous_and_unknown_names(cli: Cli, make_server: Callable[..., FakeImmichServer]) -> None:
    twins = [
        FakePerson(name="Anna", face_count=5),
        FakePerson(name="anna", face_count=4),
        FakePerson(name="Bo\x1b[2J", face_count=3),
    ]
    server = make_server(version="3.3.5", people=twins)
    cli.login(server)
    ambiguous = cli("people", "rename", "Anna", "Anna B")
    assert ambiguous.code == 2, ambiguous
    assert ambiguous.err.count("error: ") == 1
    assert twins[0].id in ambiguous.err and twins[1].id in ambiguous.err
    unknown = cli("people", "edit", "Nobody", "--hide")
    assert unknown.code == 4, unknown
    missing_id = cli("people", "rename", "00000000-0000-4000-8000-000000000000", "X")
    assert missing_id.code == 4, missing_id
    # a name with control characters is shown neutralised
    renamed = cli("people", "rename", twins[2].id, "Bo", "--dry-run")
    assert renamed.code == 0, renamed
    assert "\x1b" not in renamed.all and "'Bo?[2J' -> 'Bo'" in renamed.out
    assert _writes(server) == []


# -- dry runs and confirmations ---------------------------------------------------------------------


def test_dry_runs_send_nothing_and_record_nothing(logged_in: Cli, server: FakeImmichServer) -> None:
    ann, anna = _id(server, "Ann"), _id(server, "Anna")
    runs = [
        ("people", "rename", "Ann", "Annie", "--dry-run"),
        ("people", "edit", "Ann", "--hide", "--birth-date", "none", "--dry-run"),
        ("people", "merge", "Ann", "Anna", "--dry-run"),
        ("people", "delete", "Ann", "--dry-run"),
        ("people", "prune", "--unnamed", "--hide", "--dry-run"),
        ("people", "prune", "--max-assets", "5", "--delete", "--dry-run"),
    ]
    outputs = [logged_in(*args) for args in runs]
    for result in outputs:
        assert result.code == 0, result
        assert "nothing was sent" in result.err, result
    assert "'Ann' -> 'Annie'" in outputs[0].out
    assert "hidden: no -> yes" in outputs[1].out and "birth date: 1990-01-02 -> none" in outputs[1].out
    assert ann in outputs[2].out and anna in outputs[2].out
    assert _writes(server) == []
    assert not _journal(logged_in).exists()
    assert server.person(ann).name == "Ann"


def test_destructive_commands_need_yes_without_a_terminal(logged_in: Cli, server: FakeImmichServer) -> None:
    before = len(server.requests)
    for args in (
        ("people", "merge", "Ann", "Anna"),
        ("people", "delete", "Ann"),
        ("people", "prune", "--unnamed", "--delete"),
        ("people", "prune", "--unnamed", "--hide"),
    ):
        result = logged_in(*args)
        assert result.code == 2, result
        lines = result.err.splitlines()
        assert lines[0].startswith("error: ") and "not a terminal" in lines[0]
        assert "--yes" in result.err
    assert len(server.requests) == before  # nothing at all was sent
    assert not _journal(logged_in).exists()


def test_merge_with_yes_shows_counts_and_journal_keeps_the_records(logged_in: Cli, server: FakeImmichServer) -> None:
    ann, anna = _id(server, "Ann"), _id(server, "Anna")
    result = logged_in("people", "merge", "Ann", anna, "--yes", "--json")
    assert result.code == 0, result
    document = result.json()
    assert document["into"]["id"] == ann and document["merged"] == [anna]
    assert isinstance(document["sources"][0]["assets"], int)
    assert anna not in {p.id for p in server.all_people}
    (entry,) = _journal_lines(logged_in)
    assert entry["command"] == "people merge"
    assert entry["removed"][0]["person"]["id"] == anna and entry["removed"][0]["reason"] == "merged"
    assert "cannot be restored" in result.err
    undo = logged_in("people", "undo")
    assert undo.code == 1, undo
    assert "cannot be undone" in undo.err and anna in undo.err


def test_delete_with_yes(logged_in: Cli, server: FakeImmichServer) -> None:
    anna, zoe = _id(server, "Anna"), _id(server, "Zoë Lefèvre")
    result = logged_in("people", "delete", "Anna", zoe, "--yes")
    assert result.code == 0, result
    assert "Deleted 2 people" in result.out
    assert {anna, zoe}.isdisjoint(p.id for p in server.all_people)
    (entry,) = _journal_lines(logged_in)
    assert {item["person"]["name"] for item in entry["removed"]} == {"Anna", "Zoë Lefèvre"}


def test_prune_hide_then_undo(logged_in: Cli, server: FakeImmichServer) -> None:
    unnamed = [p.id for p in server.all_people if not p.name and not p.is_hidden]
    result = logged_in("people", "prune", "--unnamed", "--max-assets", "100", "--hide", "--yes", "--json")
    assert result.code == 0, result
    chosen = {item["id"] for item in result.json()["people"]}
    assert chosen and chosen <= set(unnamed)
    assert all(isinstance(item["assets"], int) for item in result.json()["people"])
    assert all(server.person(person_id).is_hidden for person_id in chosen)
    undone = logged_in("people", "undo")
    assert undone.code == 0, undone
    assert not any(server.person(person_id).is_hidden for person_id in chosen)


def test_prune_needs_an_action_and_a_criterion(logged_in: Cli, server: FakeImmichServer) -> None:
    assert logged_in("people", "prune", "--unnamed").code == 2
    assert logged_in("people", "prune", "--hide").code == 2
    assert _writes(server) == []


# -- apply ------------------------------------------------------------------------------------------


def test_apply_round_trip_from_people_list_json(logged_in: Cli, server: FakeImmichServer) -> None:
    listed = logged_in("people", "list", "--with-hidden", "--counts", "--json")
    assert listed.code == 0, listed
    people = listed.json()
    by_name = {person["name"]: person for person in people}
    by_name["Ann"]["name"] = "Ann B."
    by_name["Bob"]["is_hidden"] = True
    by_name["Carol Anne"]["birth_date"] = None
    path = logged_in.cwd / "people.json"
    path.write_text(json.dumps(people, indent=2))
    dry = logged_in("people", "apply", str(path), "--dry-run")
    assert dry.code == 0, dry
    assert dry.out.count("\n") == 3, dry
    assert "'Ann' -> 'Ann B.'" in dry.out and "hidden: no -> yes" in dry.out and "1975-11-30 -> none" in dry.out
    assert _writes(server) == []
    applied = logged_in("people", "apply", str(path), "--json")
    assert applied.code == 0, applied
    assert len(applied.json()["changed"]) == 3 and applied.json()["failed"] == []
    assert server.person(_id(server, "Ann B.")).name == "Ann B."
    assert server.person(_id(server, "Bob")).is_hidden
    assert server.person(_id(server, "Carol Anne")).birth_date is None
    assert logged_in("people", "undo").code == 0
    assert server.person(_id(server, "Ann")).name == "Ann"
    assert not server.person(_id(server, "Bob")).is_hidden
    assert server.person(_id(server, "Carol Anne")).birth_date == datetime.date(1975, 11, 30)


def test_apply_csv_by_name_from_stdin(logged_in: Cli, server: FakeImmichServer) -> None:
    csv = "name;Is Hidden;color\nBob;yes;\nÉmile Zola;;#123456\n"
    result = logged_in("people", "apply", "-", input=csv)
    assert result.code == 0, result
    assert "Changed 2 of 2 people" in result.err
    assert server.person(_id(server, "Bob")).is_hidden
    assert server.person(_id(server, "Émile Zola")).color == "#123456"


def test_apply_reports_every_invalid_row_and_sends_nothing(logged_in: Cli, server: FakeImmichServer) -> None:
    csv = "id,name,birth_date,is_hidden\nnot-an-id,X,,\n,,,\n" + f"{_id(server, 'Bob')},,1990-02-30,maybe\n"
    result = logged_in("people", "apply", "-", input=csv)
    assert result.code == 2, result
    errors = [line for line in result.err.splitlines() if line.startswith("error: ")]
    assert any("line 2" in line for line in errors) and any("line 4" in line for line in errors)
    assert "nothing was sent" in result.err
    names = logged_in("people", "apply", "-", input='[{"name": "Nobody", "is_hidden": true}]')
    assert names.code == 4, names
    assert "line 1" in names.err
    assert _writes(server) == []


# -- list --counts / --sort -------------------------------------------------------------------------


def test_list_counts_and_sort(logged_in: Cli, server: FakeImmichServer) -> None:
    result = logged_in("people", "list", "--sort", "assets", "--json")
    assert result.code == 0, result
    counts = [person["assets"] for person in result.json()]
    assert counts == sorted(counts, reverse=True) and all(isinstance(c, int) for c in counts)
    table = logged_in("people", "list", "--counts", "--sort", "name", "--limit", "3")
    assert table.code == 0, table
    assert "ASSETS" in table.out.splitlines()[0]
    names = [line.split()[1] for line in table.out.splitlines()[1:]]
    assert names == sorted(names, key=str.casefold) and len(names) == 3
    updated = logged_in("people", "list", "--sort", "updated", "--json")
    stamps = [person["updated_at"] for person in updated.json()]
    assert stamps == sorted(stamps, reverse=True)
    assert _writes(server) == []


def _on_a_terminal(cli: Cli, answer: str, *args: str) -> tuple[int, str]:
    """Run the CLI with its standard input on a pseudo-terminal, typing ``answer``."""
    import os
    import pty
    import subprocess
    import sys

    controller, terminal = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "immiche", *args],
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=cli.env,
            cwd=cli.cwd,
        )
        os.write(controller, answer.encode() + b"\n")
        _, err = proc.communicate(timeout=60)
    finally:
        os.close(terminal)
        os.close(controller)
    return proc.returncode, err.decode()


def test_confirmation_on_a_terminal(logged_in: Cli, server: FakeImmichServer) -> None:
    anna = _id(server, "Anna")
    code, err = _on_a_terminal(logged_in, "n", "people", "delete", "Anna")
    assert code == 1, err
    assert "Delete 1 person? [y/N]" in err and "cancelled: nothing was changed" in err
    assert anna in {p.id for p in server.all_people}
    assert _writes(server) == []
    code, err = _on_a_terminal(logged_in, "y", "people", "merge", "Ann", "Anna")
    assert code == 0, err
    assert "Merge 1 person into 'Ann'" in err and "cannot be restored" in err
    assert anna not in {p.id for p in server.all_people}


def test_undo_leaves_fields_changed_since_unless_forced(cli: Cli, make_server: Callable[..., FakeImmichServer]) -> None:
    import httpx

    server = make_server(version="2.4.1")
    cli.login(server)
    ann, bob = _id(server, "Ann"), _id(server, "Bob")
    applied = cli("people", "apply", "-", input=f"id,name,is_hidden\n{ann},Annie,\n{bob},,yes\n")
    assert applied.code == 0, applied
    answer = httpx.put(
        f"{server.api_url}/people/{ann}", json={"name": "Annette"}, headers={"x-api-key": server.api_key}
    )
    assert answer.status_code == 200  # someone renamed Ann again since
    undone = cli("people", "undo")
    assert undone.code == 0, undone
    assert "changed again since" in undone.err and "--force" in undone.err
    assert server.person(ann).name == "Annette" and not server.person(bob).is_hidden
    forced = cli("people", "undo", "--force", "--json")
    assert forced.code == 0, forced
    assert [item["id"] for item in forced.json()["reverted"]] == [ann]
    assert server.person(ann).name == "Ann"
    assert "nothing to undo" in cli("people", "undo").err


def test_prune_delete_keeps_the_records_and_counts_in_the_journal(
    cli: Cli, make_server: Callable[..., FakeImmichServer]
) -> None:
    server = make_server(version="3.3.5")
    cli.login(server)
    result = cli("people", "prune", "--unnamed", "--max-assets", "3", "--delete", "--yes", "--json")
    assert result.code == 0, result
    document = result.json()
    chosen = {item["id"]: item["assets"] for item in document["people"]}
    assert chosen and all(count <= 3 for count in chosen.values())
    assert document["changed"] == len(chosen) and document["action"] == "delete"
    assert set(chosen).isdisjoint(p.id for p in server.all_people)
    (entry,) = _journal_lines(cli)
    assert {item["person"]["id"]: item["person"]["assets"] for item in entry["removed"]} == chosen
    assert {item["reason"] for item in entry["removed"]} == {"deleted"}
