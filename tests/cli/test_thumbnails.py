"""immiche people thumbnail / thumbnails end to end: the files on disk are the server's bytes."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from immiche.testing import FakeImmichServer
from tests.cli.conftest import Cli, visible


def _with_thumbnail(server: FakeImmichServer, *, hidden: bool = False) -> list[str]:
    return [p.id for p in server.people if p.has_thumbnail and (hidden or not p.is_hidden)]


def _without_thumbnail(server: FakeImmichServer) -> str:
    return next(p.id for p in server.people if not p.has_thumbnail)


def test_thumbnail_defaults_to_id_jpg_in_the_current_directory(logged_in: Cli, server: FakeImmichServer) -> None:
    person = visible(server)[0]
    result = logged_in("people", "thumbnail", person)
    assert result.code == 0, result
    saved = logged_in.cwd / f"{person}.jpg"
    assert saved.read_bytes() == server.thumbnail(person)
    assert result.out == f"Saved {person}.jpg ({saved.stat().st_size} bytes)\n"


def test_thumbnail_to_a_file_a_directory_and_stdout(logged_in: Cli, server: FakeImmichServer) -> None:
    person = visible(server)[1]
    target = logged_in.home / "out" / "face.jpg"
    result = logged_in("people", "thumbnail", person, "-o", str(target), "--json")
    assert result.code == 0, result
    assert result.json() == {"id": person, "path": str(target), "bytes": len(server.thumbnail(person))}
    assert target.read_bytes() == server.thumbnail(person)
    into_dir = logged_in("people", "thumbnail", person, "--output", str(logged_in.home / "out"))
    assert into_dir.code == 0, into_dir
    assert (logged_in.home / "out" / f"{person}.jpg").read_bytes() == server.thumbnail(person)
    raw = subprocess.run(
        [sys.executable, "-m", "immiche", "people", "thumbnail", person, "-o", "-"],
        capture_output=True,
        env=logged_in.env,
        cwd=logged_in.cwd,
        timeout=60,
        check=False,
    )
    assert raw.returncode == 0, raw.stderr
    assert raw.stdout == server.thumbnail(person)


def test_thumbnail_to_stdout_refuses_json(logged_in: Cli, server: FakeImmichServer) -> None:
    result = logged_in("people", "thumbnail", visible(server)[0], "-o", "-", "--json")
    assert result.code == 2
    assert "cannot be combined with --json" in result.err


def test_thumbnail_of_unknown_person(logged_in: Cli) -> None:
    missing = "0f32be88-5f9d-4152-9952-d4c1efff1350"
    result = logged_in("people", "thumbnail", missing)
    assert result.code == 4
    assert result.err.startswith(f"error: no person with id {missing}")
    assert not (logged_in.cwd / f"{missing}.jpg").exists()
    assert list(logged_in.cwd.iterdir()) == []  # no partial or temporary file left behind


def test_thumbnail_of_a_person_without_one(logged_in: Cli, server: FakeImmichServer) -> None:
    person = _without_thumbnail(server)
    result = logged_in("people", "thumbnail", person)
    assert result.code == 4
    assert result.err.startswith(f"error: person {person} has no thumbnail\nhint: ")
    assert list(logged_in.cwd.iterdir()) == []


def test_thumbnails_all_downloads_every_visible_person(logged_in: Cli, server: FakeImmichServer) -> None:
    result = logged_in("people", "thumbnails", "--all", "-o", "thumbs")
    assert result.code == 0, result
    folder = logged_in.cwd / "thumbs"
    expected = _with_thumbnail(server)
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{i}.jpg" for i in expected)
    for person in expected:
        assert (folder / f"{person}.jpg").read_bytes() == server.thumbnail(person)
    assert result.out == ""
    assert result.err.startswith(f"Downloaded {len(expected)} of {len(expected)} thumbnails to thumbs in ")
    assert "1 without a thumbnail skipped" in result.err


def test_thumbnails_all_with_hidden(logged_in: Cli, server: FakeImmichServer) -> None:
    result = logged_in("people", "thumbnails", "--all", "--with-hidden", "-o", "thumbs", "--concurrency", "2")
    assert result.code == 0, result
    expected = _with_thumbnail(server, hidden=True)
    assert sorted(p.stem for p in (logged_in.cwd / "thumbs").iterdir()) == sorted(expected)


def test_thumbnails_by_id_with_json(logged_in: Cli, server: FakeImmichServer, tmp_path: Path) -> None:
    wanted = _with_thumbnail(server)[:3]
    result = logged_in("--json", "people", "thumbnails", *wanted, "-o", str(tmp_path / "t"))
    assert result.code == 0, result
    report = result.json()
    assert report["directory"] == str(tmp_path / "t")
    assert [item["id"] for item in report["downloaded"]] == wanted
    assert report["failed"] == [] and report["skipped"] == []
    for item in report["downloaded"]:
        assert Path(item["path"]).read_bytes() == server.thumbnail(item["id"])


def test_thumbnails_ids_from_stdin(logged_in: Cli, server: FakeImmichServer) -> None:
    wanted = _with_thumbnail(server)[:2]
    result = logged_in("people", "thumbnails", "-", "-o", "t", input="\n".join(wanted) + "\n")
    assert result.code == 0, result
    assert sorted(p.stem for p in (logged_in.cwd / "t").iterdir()) == sorted(wanted)


def test_thumbnails_failing_id_gives_nonzero_exit_and_summary(logged_in: Cli, server: FakeImmichServer) -> None:
    good = _with_thumbnail(server)[:2]
    bad = _without_thumbnail(server)
    result = logged_in("people", "thumbnails", good[0], bad, good[1], "-o", "t")
    assert result.code == 4, result
    assert f"error: no thumbnail for {bad}: unknown person, or one without a thumbnail\nhint: " in result.err
    assert "Downloaded 2 of 3 thumbnails to t in " in result.err and "; 1 failed" in result.err
    assert sorted(p.stem for p in (logged_in.cwd / "t").iterdir()) == sorted(good)
    as_json = logged_in("people", "thumbnails", good[0], bad, "not-an-id", "-o", "t", "--json")
    assert as_json.code == 1  # two different failures (not found, invalid id): plain error
    report = as_json.json()
    assert [item["id"] for item in report["downloaded"]] == [good[0]]
    assert {item["id"]: item["exit_code"] for item in report["failed"]} == {bad: 4, "not-an-id": 2}


def test_thumbnails_usage_errors(logged_in: Cli, server: FakeImmichServer) -> None:
    person = visible(server)[0]
    for args, message in (
        (["-o", "t"], "no people to download"),
        ([person, "--all", "-o", "t"], "give IDs or --all, not both"),
        ([person, "--with-hidden", "-o", "t"], "--with-hidden goes with --all"),
        (["--all"], "Missing option '-o' / '--output'"),
        (["--all", "-o", "t", "--concurrency", "0"], "Invalid value for '--concurrency'"),
    ):
        result = logged_in("people", "thumbnails", *args)
        assert result.code == 2, result
        assert result.err.startswith(f"error: {message}"), result


def _run_with_stderr_on_a_terminal(cli: Cli, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, bytes]:
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "immiche", *args],
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env={**{k: v for k, v in cli.env.items() if k != "NO_COLOR"}, "COLUMNS": "100", **(env or {})},
        cwd=cli.cwd,
    )
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=60)
    os.close(master)
    return proc.returncode, out.decode(), seen


def test_progress_bar_on_a_terminal(logged_in: Cli, server: FakeImmichServer) -> None:
    server.latency = 0.05
    code, out, terminal = _run_with_stderr_on_a_terminal(logged_in, "people", "thumbnails", "--all", "-o", "t")
    assert code == 0, terminal
    count = len(_with_thumbnail(server))
    assert f"/{count}".encode() in terminal  # "3/9"-style progress, drawn on the terminal
    assert "━".encode() in terminal  # the bar itself
    assert f"Downloaded {count} of {count}".encode() in terminal
    assert out == ""


def test_no_progress_bar_with_quiet_or_when_not_a_terminal(logged_in: Cli, server: FakeImmichServer) -> None:
    code, _, terminal = _run_with_stderr_on_a_terminal(logged_in, "people", "thumbnails", "--all", "-o", "t", "-q")
    assert code == 0
    assert terminal == b""  # --quiet: no bar, no summary
    result = logged_in("people", "thumbnails", "--all", "-o", "t2")
    assert "━" not in result.err and "\x1b" not in result.err
    code, _, terminal = _run_with_stderr_on_a_terminal(
        logged_in, "people", "thumbnails", "--all", "-o", "t3", env={"NO_COLOR": "1"}
    )
    assert code == 0
    assert b"\x1b" not in terminal and "━".encode() not in terminal  # NO_COLOR: no escape sequence at all
    assert b"Downloaded " in terminal


def test_the_same_failure_of_many_items_is_reported_once(logged_in: Cli, server: FakeImmichServer) -> None:
    wanted = _with_thumbnail(server)[:4]
    server.faults.add("status", status=401, path="/api/people/", times=-1)
    result = logged_in("people", "thumbnails", *wanted, "-o", "t", "--json")
    assert result.code == 3, result
    errors = [line for line in result.err.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: 4 thumbnails ({wanted[0]}, ...): authentication failed (401: Unauthorized)"]
    assert len(result.json()["failed"]) == 4
