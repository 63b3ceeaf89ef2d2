"""immiche people list / search / show end to end."""

from __future__ import annotations

import pytest

from immiche.testing import FakeImmichServer
from tests.cli.conftest import Cli, visible

PERSON_KEYS = {"id", "name", "birth_date", "thumbnail_path", "is_hidden", "is_favorite", "color", "updated_at"}


def _by_name(server: FakeImmichServer, name: str) -> str:
    return next(p.id for p in server.people if p.name == name)


def test_people_list_json_is_every_visible_person_in_server_order(logged_in: Cli, server: FakeImmichServer) -> None:
    result = logged_in("people", "list", "--json")
    assert result.code == 0, result
    assert result.err == ""
    people = result.json()
    assert [p["id"] for p in people] == visible(server)
    assert all(set(p) == PERSON_KEYS for p in people)
    ann = next(p for p in people if p["name"] == "Ann")
    fake = server.person(ann["id"])
    assert ann["birth_date"] == "1990-01-02"
    assert ann["color"] == fake.color
    assert ann["is_hidden"] is False
    assert ann["updated_at"].endswith("Z")


def test_people_list_with_hidden_and_limit(logged_in: Cli, server: FakeImmichServer) -> None:
    everyone = logged_in("people", "list", "--with-hidden", "--json").json()
    assert [p["id"] for p in everyone] == [p.id for p in server.people]
    assert any(p["is_hidden"] for p in everyone)
    first = logged_in("people", "list", "--with-hidden", "--limit", "3", "--json").json()
    assert [p["id"] for p in first] == [p.id for p in server.people][:3]
    # --limit asks the server for a small page, not the whole library
    sizes = [r.query.get("size") for r in server.requests if r.path == "/api/people"]
    assert ["3"] in sizes


def test_people_list_table_marks_hidden_people_and_shows_dates(logged_in: Cli, server: FakeImmichServer) -> None:
    result = logged_in("people", "list", "--with-hidden")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "BIRTH", "DATE", "UPDATED", "FLAGS"]
    assert len(lines) == 1 + len(server.people)
    henry = next(line for line in lines if "Hidden Henry" in line)
    assert henry.rstrip().endswith("hidden")
    hannah = next(line for line in lines if "Hidden Hannah" in line)
    assert "2001-07-20" in hannah and hannah.rstrip().endswith("hidden, favorite")
    ann = next(line for line in lines if " Ann " in line)
    assert "1990-01-02" in ann and "2026-01-15" in ann and "T09" not in ann
    assert sum("(unnamed)" in line for line in lines) == sum(1 for p in server.people if not p.name)
    # columns are aligned: every row's NAME starts where the header's does
    column = lines[0].index("NAME")
    assert all(line[column - 2 : column] == "  " and line[column] != " " for line in lines[1:])
    assert result.err.startswith(f"{len(server.people)} people")


def test_people_list_without_hidden_says_how_many_are_left_out(logged_in: Cli, server: FakeImmichServer) -> None:
    result = logged_in("people", "list")
    assert result.code == 0
    assert len(result.out.splitlines()) == 1 + len(visible(server))
    hidden = sum(1 for p in server.people if p.is_hidden)
    assert f"{hidden} hidden not shown (add --with-hidden)" in result.err
    assert "hidden" not in result.out.split("\n", 1)[1]


def test_people_list_table_fits_a_narrow_terminal(logged_in: Cli, server: FakeImmichServer) -> None:
    import os
    import pty
    import subprocess
    import sys

    master, slave = pty.openpty()
    import fcntl
    import struct
    import termios

    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 70, 0, 0))
    env = {k: v for k, v in logged_in.env.items() if k != "COLUMNS"}
    proc = subprocess.run(
        [sys.executable, "-m", "immiche", "people", "list", "--with-hidden"],
        stdout=slave,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=logged_in.cwd,
        timeout=60,
        check=False,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.returncode == 0, proc.stderr
    import re

    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode())
    lines = [line for line in text.replace("\r", "").splitlines() if line.strip()]
    assert lines and max(len(line) for line in lines) <= 70, lines
    assert "UPDATED" not in text  # the date of last change is left out below 100 columns
    assert "BIRTH DATE" in text
    assert any(visible(server)[0] in line for line in lines)
    assert "(hidden)" in text  # hidden people stay marked: the flags follow the name


def test_people_search(logged_in: Cli, server: FakeImmichServer) -> None:
    result = logged_in("people", "search", "ann", "--json")
    assert result.code == 0, result
    names = [p["name"] for p in result.json()]
    assert "Ann" in names and "Anna" in names
    assert all(set(p) == PERSON_KEYS for p in result.json())
    text = logged_in("people", "search", "Ann")
    assert text.code == 0 and "Ann" in text.out


def test_people_search_with_hidden(logged_in: Cli) -> None:
    without = logged_in("people", "search", "Hidden", "--json").json()
    with_hidden = logged_in("people", "search", "Hidden", "--with-hidden", "--json").json()
    assert without == []
    assert {p["name"] for p in with_hidden} == {"Hidden Henry", "Hidden Hannah"}


def test_people_search_without_match(logged_in: Cli) -> None:
    result = logged_in("people", "search", "Nobody-By-That-Name")
    assert result.code == 0
    assert result.out == ""
    assert "no one matches 'Nobody-By-That-Name'" in result.err
    assert logged_in("people", "search", "Nobody-By-That-Name", "--json").json() == []


def test_people_show(logged_in: Cli, server: FakeImmichServer) -> None:
    ann = _by_name(server, "Ann")
    result = logged_in("people", "show", ann, "--json")
    assert result.code == 0, result
    person = result.json()
    assert isinstance(person, dict) and set(person) == PERSON_KEYS
    assert person["id"] == ann and person["name"] == "Ann" and person["birth_date"] == "1990-01-02"
    text = logged_in("people", "show", ann)
    assert text.code == 0
    assert f"ID:         {ann}" in text.out
    assert "Name:       Ann" in text.out
    assert "Birth date: 1990-01-02" in text.out
    assert "Hidden:     no" in text.out
    assert "Updated:    2026-01-15 09:30 UTC" in text.out


def test_people_show_unknown_person_is_not_found(logged_in: Cli) -> None:
    missing = "0f32be88-5f9d-4152-9952-d4c1efff1350"
    result = logged_in("people", "show", missing)
    assert result.code == 4
    assert result.err == (
        f"error: no person with id {missing}\n"
        "hint: find ids with 'immiche people list' or 'immiche people search NAME'\n"
    )
    assert result.out == ""


def test_people_show_of_another_users_person_is_not_found(logged_in: Cli, server: FakeImmichServer) -> None:
    other = next(p.id for p in server.all_people if p.owner != server.user.id)
    assert logged_in("people", "show", other).code == 4


def test_people_show_invalid_id_is_a_usage_error(logged_in: Cli, server: FakeImmichServer) -> None:
    server.reset_counters()
    result = logged_in("people", "show", "not-an-id")
    assert result.code == 2
    assert result.err.startswith("error: 'not-an-id' is not a person id")
    assert not any(r.path.startswith("/api/people") for r in server.requests)


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_people_commands_against_both_server_versions(cli: Cli, make_server: object, version: str) -> None:
    running = make_server(version=version)  # type: ignore[operator]
    cli.login(running)
    listed = cli("people", "list", "--json")
    assert listed.code == 0, listed
    assert [p["id"] for p in listed.json()] == visible(running)
    assert cli("people", "show", "0f32be88-5f9d-4152-9952-d4c1efff1350").code == 4


def test_large_library_is_paged(cli: Cli, make_server: object) -> None:
    running = make_server(people=2500)  # type: ignore[operator]
    cli.login(running)
    result = cli("people", "list", "--with-hidden", "--json")
    assert result.code == 0
    assert [p["id"] for p in result.json()] == [p.id for p in running.people]
    pages = [r.query.get("page") for r in running.requests if r.path == "/api/people"]
    assert pages[-3:] == [["1"], ["2"], ["3"]]
