"""immiche people photos / download / album end to end, against the fake server in its flat search
mode (v2.4.1: ``personIds`` means all, page numbers) and its filter modes (v3.2.2, v3.3.5: the
``filter`` tree and cursors)."""

from __future__ import annotations

import datetime
import json
import os
import pty
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from immiche.testing import FakeImmichServer, FakePerson
from tests.cli.conftest import Cli

MODES = ("2.4.1", "3.2.2", "3.3.5")
UNKNOWN = "00000000-0000-4000-8000-000000000000"
WRITES = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture(params=MODES)
def server(request: pytest.FixtureRequest, fake_immich: Callable[..., FakeImmichServer]) -> FakeImmichServer:
    return fake_immich(version=request.param)


def _id(server: FakeImmichServer, name: str) -> str:
    return next(p.id for p in server.people if p.name == name)


def _photos_of(server: FakeImmichServer, *names: str, any_: bool = False) -> list[str]:
    """Asset ids with all (or any) of the people, newest first, as the server orders them."""
    sets = [{face.asset_id for face in server.faces_of(_id(server, name))} for name in names]
    wanted = set.union(*sets) if any_ else set.intersection(*sets)
    found = [asset for asset in server.assets if asset.id in wanted]
    return [asset.id for asset in sorted(found, key=lambda a: (a.file_created_at, a.id), reverse=True)]


def _taken(server: FakeImmichServer, asset_id: str) -> datetime.datetime:
    return next(asset.file_created_at for asset in server.assets if asset.id == asset_id)


def _writes(server: FakeImmichServer) -> list[str]:
    return [
        f"{r.method} {r.path}" for r in server.requests if r.method in WRITES and r.path != "/api/search/metadata"
    ]  # a search is a POST that changes nothing


# -- people photos ---------------------------------------------------------------------------------


def test_photos_table_lists_a_persons_photos_newest_first(logged_in: Cli, server: FakeImmichServer) -> None:
    result = logged_in("people", "photos", "Bob")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0].split() == ["ID", "TAKEN", "FILE", "TYPE", "SIZE", "FAVORITE"]
    expected = _photos_of(server, "Bob")
    assert [line.split()[0] for line in lines[1:]] == expected
    first = next(asset for asset in server.assets if asset.id == expected[0])
    assert first.original_file_name in lines[1]
    assert result.err == f"{len(expected)} photos of Bob\n"


def test_photos_json_by_id_and_name_all_and_any(logged_in: Cli, server: FakeImmichServer) -> None:
    ann = _id(server, "Ann")
    both = logged_in("people", "photos", ann, "Alice Martin", "--json")
    assert both.code == 0, both
    assert [item["id"] for item in both.json()] == _photos_of(server, "Ann", "Alice Martin")
    assert all({ann, _id(server, "Alice Martin")} <= set(item["person_ids"]) for item in both.json())
    either = logged_in("people", "photos", "Ann", "Bob", "--any", "--json")
    assert either.code == 0, either
    ids = [item["id"] for item in either.json()]
    assert sorted(ids) == sorted(_photos_of(server, "Ann", "Bob", any_=True))
    assert len(ids) == len(set(ids))  # each photo once, even with both people on it
    item = both.json()[0]
    assert set(item) >= {"id", "original_file_name", "type", "taken_at", "size", "is_favorite", "person_ids"}
    assert both.err == ""  # --json: nothing but the document (no summary note)


def test_photos_since_and_until(logged_in: Cli, server: FakeImmichServer) -> None:
    every = _photos_of(server, "Ann")
    newest, oldest = _taken(server, every[0]), _taken(server, every[-1])
    middle = oldest + (newest - oldest) / 2
    since = (middle + datetime.timedelta(days=1)).date()
    until = (middle - datetime.timedelta(days=1)).date()
    later = logged_in("people", "photos", "Ann", "--since", since.isoformat(), "--json")
    assert later.code == 0, later
    assert [item["id"] for item in later.json()] == [a for a in every if _taken(server, a).date() >= since]
    earlier = logged_in("people", "photos", "Ann", "--until", until.isoformat(), "--json")
    assert earlier.code == 0, earlier
    assert [item["id"] for item in earlier.json()] == [a for a in every if _taken(server, a).date() <= until]
    assert 0 < len(later.json()) < len(every) and 0 < len(earlier.json()) < len(every)
    window = logged_in(
        "people", "photos", "Ann", "--since", f"{oldest:%Y-%m-%dT%H:%M:%S}Z", "--until", f"{oldest:%Y-%m-%d}", "--json"
    )
    assert [item["id"] for item in window.json()] == [every[-1]]


def test_photos_limit_and_bad_dates(logged_in: Cli, server: FakeImmichServer) -> None:
    limited = logged_in("people", "photos", "Ann", "--limit", "3")
    assert limited.code == 0, limited
    assert len(limited.out.splitlines()) == 4
    assert limited.err == "3 photos of Ann (--limit 3)\n"
    bad = logged_in("people", "photos", "Ann", "--since", "last tuesday")
    assert bad.code == 2
    assert "is not a date" in bad.err
    backwards = logged_in("people", "photos", "Ann", "--since", "2024-02-01", "--until", "2024-01-01")
    assert backwards.code == 2
    assert backwards.err.startswith("error: --since is after --until")
    assert logged_in("people", "photos").code == 2


def test_unknown_and_ambiguous_people(cli: Cli, make_server: Callable[..., FakeImmichServer]) -> None:
    twins = [FakePerson(id=f"{n}1111111-1111-4111-8111-111111111111", name="Sam", face_count=4) for n in (1, 2)]
    odd = FakePerson(name="Eve\u202e", face_count=3)  # a right-to-left override in a name
    server = make_server(version="3.3.5", people=[*twins, FakePerson(name="Ann", face_count=5), odd])
    cli.login(server)
    ambiguous = cli("people", "photos", "sam")
    assert ambiguous.code == 2, ambiguous
    assert ambiguous.err.startswith("error: 2 people are named 'sam': ")
    assert all(twin.id in ambiguous.err for twin in twins)
    assert "hint: give the id of the one you mean" in ambiguous.err
    for args in (("photos", "Nobody"), ("download", UNKNOWN, "-o", "d"), ("album", "Ann", "Nobody", "--album", "A")):
        missing = cli("people", *args)
        assert missing.code == 4, missing
        assert missing.err.startswith("error: no person"), missing
    assert not (cli.cwd / "d").exists()
    assert _writes(server) == []
    by_id = cli("people", "photos", twins[1].id.upper(), "--json")
    assert by_id.code == 0, by_id
    assert len(by_id.json()) == 4
    shown = cli("people", "photos", "Eve\u202e")
    assert shown.code == 0, shown
    assert shown.err == "3 photos of Eve?\n"  # names are printed safely


# -- people download -------------------------------------------------------------------------------


def _saved(directory: Path) -> list[str]:
    """The photos in a download directory (without the library's manifest of what it holds)."""
    return sorted(path.name for path in directory.iterdir() if path.name != ".immiche-downloads.json")


def _originals(server: FakeImmichServer) -> list[str]:
    return [r.path for r in server.requests if r.method == "GET" and r.path.endswith("/original")]


def test_download_writes_files_and_a_rerun_downloads_nothing(logged_in: Cli, server: FakeImmichServer) -> None:
    expected = _photos_of(server, "Bob")
    result = logged_in("people", "download", "Bob", "-o", "bob", "--json")
    assert result.code == 0, result
    report = result.json()
    assert report["directory"] == str(logged_in.cwd / "bob")
    assert sorted(item["id"] for item in report["downloaded"]) == sorted(expected)
    assert report["skipped"] == [] and report["failed"] == []
    for item in report["downloaded"]:
        assert Path(item["path"]).parent == Path("bob")  # as given with -o
        path = logged_in.cwd / item["path"]
        assert path.read_bytes() == server.original(item["id"])
        assert item["bytes"] == path.stat().st_size
        assert path.name.startswith(f"{_taken(server, item['id']):%Y-%m-%d}_")
    assert _saved(logged_in.cwd / "bob") == sorted(Path(item["path"]).name for item in report["downloaded"])
    server.reset_counters()
    again = logged_in("people", "download", "Bob", "-o", "bob")
    assert again.code == 0, again
    assert _originals(server) == []  # nothing downloaded again (nor even asked for)
    assert again.out == ""
    assert f"Downloaded 0 of {len(expected)} photos (0 bytes) to bob in " in again.err
    assert f"; {len(expected)} already complete" in again.err


def test_download_any_since_and_size(logged_in: Cli, server: FakeImmichServer) -> None:
    every = _photos_of(server, "Bob", "Zoë Lefèvre", any_=True)
    since = _taken(server, every[len(every) // 2]).date()
    wanted = [a for a in every if _taken(server, a).date() >= since]
    result = logged_in(
        "people", "download", "Bob", "Zoë Lefèvre", "--any", "--since", since.isoformat(), "--size", "preview",
        "-o", "p", "--concurrency", "2", "--json",
    )  # fmt: skip
    assert result.code == 0, result
    assert sorted(item["id"] for item in result.json()["downloaded"]) == sorted(wanted)
    assert all(item["path"].endswith(".jpg") for item in result.json()["downloaded"])
    assert all(r.path.endswith("/thumbnail") for r in server.requests if "/assets/" in r.path)


def test_download_exits_non_zero_when_an_item_fails(logged_in: Cli, server: FakeImmichServer) -> None:
    expected = _photos_of(server, "Bob")
    broken = expected[0]
    server.faults.add("status", status=500, times=-1, path=f"/api/assets/{broken}/original")
    result = logged_in("people", "download", "Bob", "-o", "bob")
    assert result.code == 5, result  # the failure's code (a server error)
    assert f"error: {broken}: " in result.err
    assert f"Downloaded {len(expected) - 1} of {len(expected)} photos" in result.err
    assert "; 1 failed" in result.err
    saved = _saved(logged_in.cwd / "bob")
    assert len(saved) == len(expected) - 1
    assert all(name.endswith(".jpg") for name in saved)
    as_json = logged_in("people", "download", "Bob", "-o", "bob", "--json")
    assert as_json.code == 5
    assert [item["id"] for item in as_json.json()["failed"]] == [broken]
    assert as_json.json()["failed"][0]["exit_code"] == 5


def test_download_progress_bar_on_a_terminal(logged_in: Cli, server: FakeImmichServer) -> None:
    server.latency = 0.05
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "immiche", "people", "download", "Ann", "-o", "ann", "--concurrency", "2"],
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env={**{k: v for k, v in logged_in.env.items() if k != "NO_COLOR"}, "COLUMNS": "120"},
        cwd=logged_in.cwd,
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
    count = len(_photos_of(server, "Ann"))
    assert proc.returncode == 0, seen
    terminal = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", seen.decode())  # without the colours
    assert f"{count}/{count} files" in terminal  # files done of all
    total = sum(len(server.original(asset)) for asset in _photos_of(server, "Ann"))
    assert f" of {total / 1e6:.1f} MB" in terminal  # and the bytes
    assert "━" in terminal
    assert f"Downloaded {count} of {count} photos" in terminal
    assert out == b""


# -- people album ----------------------------------------------------------------------------------


def _album(server: FakeImmichServer, name: str) -> list[str]:
    return next(album.asset_ids for album in server.albums if album.name == name)


def test_album_is_created_filled_and_then_left_alone(logged_in: Cli, server: FakeImmichServer) -> None:
    expected = _photos_of(server, "Ann", "Alice Martin")
    created = logged_in("people", "album", "Ann", "Alice Martin", "--album", "Ann & Alice")
    assert created.code == 0, created
    assert sorted(_album(server, "Ann & Alice")) == sorted(expected)
    assert sorted(created.out.splitlines()) == sorted(f"added {asset}" for asset in expected)
    assert f"added {len(expected)}, removed 0, 0 already there (album created)" in created.err
    server.reset_counters()
    again = logged_in("people", "album", "Ann", "Alice Martin", "--album", "Ann & Alice", "--json")
    assert again.code == 0, again
    report = again.json()
    assert (report["created"], report["added"], report["removed"]) == (False, [], [])
    assert report["unchanged"] == len(expected)
    assert report["album_name"] == "Ann & Alice"
    assert _writes(server) == []  # idempotent: nothing re-added


def test_album_any_only_and_remove_extras(logged_in: Cli, server: FakeImmichServer) -> None:
    either = _photos_of(server, "Ann", "Bob", any_=True)
    first = logged_in("people", "album", "Ann", "Bob", "--any", "--album", "Kids", "--json")
    assert first.code == 0, first
    assert sorted(first.json()["added"]) == sorted(either)
    only_ann = [a for a in _photos_of(server, "Ann") if server.asset_people(a) == [_id(server, "Ann")]]
    kept = logged_in("people", "album", "Ann", "--only", "--album", "Kids", "--json")
    assert kept.code == 0, kept
    assert kept.json()["removed"] == []  # without --remove-extras nothing goes
    trimmed = logged_in("people", "album", "Ann", "--only", "--album", "Kids", "--remove-extras")
    assert trimmed.code == 0, trimmed
    assert sorted(_album(server, "Kids")) == sorted(only_ann)
    removed = sorted(line.split()[1] for line in trimmed.out.splitlines())
    assert removed == sorted(set(either) - set(only_ann))
    assert all(line.startswith("removed ") for line in trimmed.out.splitlines())
    assert logged_in("people", "album", "Ann", "--any", "--only", "--album", "Kids").code == 2


def test_album_dry_run_sends_no_write(logged_in: Cli, server: FakeImmichServer) -> None:
    expected = _photos_of(server, "Bob")
    server.reset_counters()
    new = logged_in("people", "album", "Bob", "--album", "Bob's", "--dry-run")
    assert new.code == 0, new
    assert sorted(new.out.splitlines()) == sorted(f"would add {asset}" for asset in expected)
    assert "dry run: " in new.err and "(album would be created)" in new.err
    assert [album.name for album in server.albums if album.name == "Bob's"] == []
    family = _album(server, "Family")
    extras = logged_in("people", "album", "Bob", "--album", "Family", "--remove-extras", "--dry-run", "--json")
    assert extras.code == 0, extras
    assert sorted(extras.json()["removed"]) == sorted(set(family) - set(expected))
    assert extras.json()["dry_run"] is True
    assert _album(server, "Family") == family
    assert _writes(server) == []


def test_album_watch_until_ctrl_c(logged_in: Cli, server: FakeImmichServer) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "immiche", "people", "album", "Bob", "--album", "Watched", "--watch", "0.3", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=logged_in.env,
        cwd=logged_in.cwd,
    )
    deadline = time.monotonic() + 30
    while sum(r.path.endswith("/search/metadata") for r in server.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # two syncs at least
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert err.decode().splitlines()[-1] == "error: interrupted"
    syncs = [json.loads(line) for line in out.decode().splitlines()]  # one object per line and sync
    assert len(syncs) >= 2
    assert syncs[0]["created"] is True
    assert sorted(syncs[0]["added"]) == sorted(_photos_of(server, "Bob"))
    assert all(sync["added"] == [] and not sync["created"] for sync in syncs[1:])
    assert sorted(_album(server, "Watched")) == sorted(_photos_of(server, "Bob"))


def test_ctrl_c_during_a_sync_finishes_and_reports_it(cli: Cli, make_server: Callable[..., FakeImmichServer]) -> None:
    server = make_server(version="3.3.5")
    cli.login(server)
    server.latency = 0.3
    args = ["people", "album", "Ann", "--album", "Live", "--watch", "30", "--json"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "immiche", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=cli.env,
        cwd=cli.cwd,
    )
    deadline = time.monotonic() + 30
    while not _writes(server):  # the sync is writing: its album is being created or filled
        assert time.monotonic() < deadline and proc.poll() is None, "the sync never wrote"
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    lines = err.decode().splitlines()
    assert lines[0] == "finishing the album sync under way (Ctrl-C again to stop at once)"
    assert lines[-1] == "error: interrupted"
    (sync,) = [json.loads(line) for line in out.decode().splitlines()]  # the sync under way, reported
    expected = _photos_of(server, "Ann")
    assert sync["created"] is True and sorted(sync["added"]) == sorted(expected)
    assert sorted(_album(server, "Live")) == sorted(expected)  # nothing sent but not reported


def test_photo_commands_help_and_start_up(cli: Cli) -> None:
    from tests.cli.test_startup import _heavy, _modules_after

    for command in ("photos", "download", "album"):
        shown = cli("people", command, "--help")
        assert shown.code == 0, shown
        own, common = shown.out.split("Global options")
        assert "--since" in own or "--album" in own
        assert "--profile" in common and "--profile" not in own
        assert _heavy(_modules_after(["people", command, "--help"])) == []
    listed = cli("people", "--help")
    assert all(command in listed.out for command in ("photos ", "download ", "album "))


def test_watch_survives_a_server_error(cli: Cli, make_server: Callable[..., FakeImmichServer]) -> None:
    server = make_server(version="2.4.1")
    cli.login(server)
    server.faults.add("status", status=500, times=1, path="/api/search/metadata")
    proc = subprocess.Popen(
        [sys.executable, "-m", "immiche", "people", "album", "Bob", "--album", "Bob", "--watch", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=cli.env,
        cwd=cli.cwd,
    )
    deadline = time.monotonic() + 30
    while not any(album.name == "Bob" for album in server.albums):  # the second sync creates it
        assert time.monotonic() < deadline and proc.poll() is None, "the watch did not go on"
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    lines = err.decode().splitlines()
    assert lines[0].startswith("error: server error (500"), lines
    assert lines[2] == "trying again in 0.2 s", lines
    assert "(album created)" in lines[3] and lines[-1] == "error: interrupted", lines
    assert sorted(line.split()[1] for line in out.decode().splitlines()) == sorted(_photos_of(server, "Bob"))
