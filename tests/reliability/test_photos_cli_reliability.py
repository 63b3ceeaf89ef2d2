"""The CLI's side of issue 15 under stress: hostile file names from the server, an output directory
that refuses writes, Ctrl-C in the middle of a download, and an album deleted while it is synced.

Each test drives ``python -m immiche`` in subprocesses (counted CLI runs, output scanned for every
credential) against fake Immich servers on real sockets.
"""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx

from immiche.testing import FakeImmichServer
from tests.reliability._ledger import Outcome
from tests.reliability.conftest import Cli, ReadOnlyDir, ServerFactory


def _person(server: FakeImmichServer, name: str) -> str:
    return next(p.id for p in server.people if p.name == name)


def _photos_of(server: FakeImmichServer, name: str) -> list[str]:
    wanted = {face.asset_id for face in server.faces_of(_person(server, name))}
    return [asset.id for asset in server.assets if asset.id in wanted]


def _rename(server: FakeImmichServer, asset_id: str, name: str) -> None:
    """Give an asset another original file name, as a hostile or careless upload would."""
    media = server._state.media  # the fake has no public setter for a file name
    media.assets[asset_id] = dataclasses.replace(media.assets[asset_id], original_file_name=name)


MANIFEST = ".immiche-downloads.json"  # the library's record of what a download directory holds


def _files(directory: Path) -> list[Path]:
    """The files under ``directory`` but the manifest."""
    return sorted(path for path in directory.rglob("*") if path.is_file() and path.name != MANIFEST)


# -- hostile file names ----------------------------------------------------------------------------

HOSTILE = (
    "../escape.jpg",
    "../../../../etc/passwd",
    "sub/dir/name.jpg",
    "back\\slash\\..\\x.jpg",
    "nul\x00byte.jpg",
    "line\nbreak\r.jpg",
    "\u202egpj.exe",  # right-to-left override: shows as "exe.jpg"
    "é" * 300 + ".jpg",  # 600 bytes of UTF-8
    "..",
    "",
    ".hidden.jpg",
    "IMG_0001.JPG",
    "img_0001.jpg",  # the same name but for case
)


def test_hostile_file_names_stay_inside_the_directory_and_unique(
    outcome: Outcome, server: FakeImmichServer, logged_in: Cli
) -> None:
    photos = _photos_of(server, "Ann")
    assert len(photos) >= len(HOSTILE)
    for asset_id, name in zip(photos, HOSTILE, strict=False):
        _rename(server, asset_id, name)
    listing = logged_in("people", "photos", "Ann")
    assert listing.code == 0, listing
    rows = listing.out.splitlines()[1:]
    assert len(rows) == len(photos)  # a line break in a name does not split a row
    assert "\u202e" not in listing.out and "\x00" not in listing.out
    result = logged_in("people", "download", "Ann", "-o", "out", "--json")
    assert result.code == 0, result
    out = logged_in.cwd / "out"
    written = _files(out)
    assert len(written) == len(photos)  # nothing overwritten, nothing lost
    assert all(path.parent == out for path in written)  # no sub-directory, nothing outside
    assert not (logged_in.cwd / "escape.jpg").exists() and not (logged_in.home / "escape.jpg").exists()
    for path in written:
        name = path.name
        assert "\x00" not in name and "\n" not in name and "\r" not in name and "\\" not in name
        assert len(name.encode()) <= 255
        assert not name.startswith(".")
    by_id = {item["id"]: logged_in.cwd / item["path"] for item in json.loads(result.out)["downloaded"]}
    for asset_id, path in by_id.items():
        outcome.data_intact(path, server.original(asset_id))
    outcome.no_partial_files(out, allowed=[MANIFEST, *(path.name for path in written)])
    again = logged_in("people", "download", "Ann", "-o", "out", "--json")
    assert again.code == 0, again
    assert json.loads(again.out)["downloaded"] == []  # the safe names are found again: nothing twice
    assert _files(out) == written


# -- an output directory that refuses writes -------------------------------------------------------


def test_read_only_output_directory(
    outcome: Outcome, server: FakeImmichServer, logged_in: Cli, readonly_dir: ReadOnlyDir
) -> None:
    result = logged_in("people", "download", "Bob", "-o", str(readonly_dir.path))
    outcome.cli_error(result, 1, contains="cannot write")
    assert f"Downloaded 0 of {len(_photos_of(server, 'Bob'))} photos" in result.err
    outcome.data_intact(readonly_dir.old_file, readonly_dir.old)
    outcome.no_partial_files(readonly_dir.path, allowed=["old.jpg"])


# -- Ctrl-C in the middle of a download ------------------------------------------------------------


def test_ctrl_c_during_a_download_leaves_no_temporary_file(outcome: Outcome, immich: ServerFactory, cli: Cli) -> None:
    server = immich(version="2.4.1", asset_size=2_000_000)
    cli.login(server)
    server.latency = 0.2
    args = ("people", "download", "Alice Martin", "-o", "alice", "--concurrency", "2")
    proc = subprocess.Popen(
        cli.argv(*args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=cli.full_env(None),
        cwd=cli.cwd,
    )
    deadline = time.monotonic() + 30
    while sum(r.path.endswith("/original") for r in server.requests) < 3 and proc.poll() is None:
        assert time.monotonic() < deadline, "the download never started"
        time.sleep(0.02)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    took = time.monotonic() - sent
    result = cli.record(args, proc.returncode, out, err)
    assert result.code == 130, result
    assert result.err.splitlines()[-1] == "error: interrupted", result
    assert took < 5, took
    folder = cli.cwd / "alice"
    wanted = _photos_of(server, "Alice Martin")
    complete = [path for path in _files(folder) if not path.name.startswith(".")]
    assert len(complete) < len(wanted)  # stopped early
    for path in complete:  # a photo's name only ever holds a whole photo
        assert path.stat().st_size == 2_000_000, path
    resumable = [path.name for path in _files(folder) if path.name.endswith((".immiche-part", ".immiche-part.etag"))]
    outcome.no_partial_files(folder, allowed=[MANIFEST, *(path.name for path in complete), *resumable])
    server.latency = 0
    again = cli("people", "download", "Alice Martin", "-o", "alice", "--json")
    assert again.code == 0, again
    report = json.loads(again.out)
    items = report["downloaded"] + report["skipped"]
    assert len(items) == len(wanted)
    assert len(report["skipped"]) == len(complete)  # what was complete is not fetched again
    for item in items:
        outcome.data_intact(cli.cwd / item["path"], server.original(item["id"]))
    outcome.no_partial_files(folder, allowed=[MANIFEST, *(Path(item["path"]).name for item in items)])


# -- an album deleted while it is synced -----------------------------------------------------------


def _delete_album(server: FakeImmichServer, album_id: str) -> None:
    answer = httpx.delete(f"{server.api_url}/albums/{album_id}", headers={"x-api-key": server.api_key}, timeout=30)
    assert answer.status_code in (200, 204), answer.text


def test_album_deleted_while_syncing(outcome: Outcome, server: FakeImmichServer, logged_in: Cli) -> None:
    first = logged_in("people", "album", "Bob", "--album", "Shared", "--json")
    assert first.code == 0, first
    album_id = json.loads(first.out)["album_id"]
    server.latency = 0.3
    server.reset_counters()

    def delete_when_read() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if any(r.method == "GET" and r.path.endswith(f"/albums/{album_id}") for r in server.requests):
                _delete_album(server, album_id)
                return
            time.sleep(0.01)

    deleter = threading.Thread(target=delete_when_read)
    deleter.start()
    result = logged_in("people", "album", "Ann", "--album", album_id, "--remove-extras")
    deleter.join()
    outcome.cli_error(result, 4, contains="does not exist")
    assert [album.id for album in server.albums if album.id == album_id] == []


def test_album_deleted_between_watched_syncs_is_recreated(
    outcome: Outcome, server: FakeImmichServer, logged_in: Cli
) -> None:
    args = ("people", "album", "Bob", "--album", "Watched", "--watch", "0.2", "--json")
    proc = subprocess.Popen(
        logged_in.argv(*args),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=logged_in.full_env(None),
        cwd=logged_in.cwd,
    )
    deadline = time.monotonic() + 30
    while not any(album.name == "Watched" for album in server.albums):
        assert time.monotonic() < deadline and proc.poll() is None, "no album was created"
        time.sleep(0.02)
    old = next(album.id for album in server.albums if album.name == "Watched")
    time.sleep(0.3)
    _delete_album(server, old)
    while not any(album.name == "Watched" for album in server.albums):
        assert time.monotonic() < deadline and proc.poll() is None, "the album was not created again"
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    result = logged_in.record(args, proc.returncode, out, err)
    assert result.code == 130, result
    assert result.err.splitlines()[-1] == "error: interrupted"
    new = next(album for album in server.albums if album.name == "Watched")
    assert new.id != old
    assert sorted(new.asset_ids) == sorted(_photos_of(server, "Bob"))
