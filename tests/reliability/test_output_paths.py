"""Output paths: missing directories are created; read-only directories, paths under a file and a
full disk fail clearly, keep the previous file and leave no partial one."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from immiche import AsyncClient, Client, InvalidArgumentError, OutputFileError, _atomic
from immiche.testing import FakeImmichServer
from tests.reliability._disk import FullDiskOs
from tests.reliability._ledger import Outcome
from tests.reliability.conftest import Cli, FullDisk, ReadOnlyDir


def thumbnail_of(server: FakeImmichServer, index: int = 0) -> str:
    return [p.id for p in server.people if p.has_thumbnail and not p.is_hidden][index]


# -- missing directories, directories and files in the way -----------------------------------------


def test_missing_directories_are_created(outcome: Outcome, server: FakeImmichServer, logged_in: Cli) -> None:
    person = thumbnail_of(server)
    target = logged_in.home / "a" / "b" / "c" / "face.jpg"
    with Client(server.url, api_key=server.api_key) as client:
        assert client.download_thumbnail(person, target) == target
    assert target.read_bytes() == server.thumbnail(person)
    result = logged_in("people", "thumbnail", person, "-o", "x/y/z.jpg")
    assert result.code == 0, result
    assert (logged_in.cwd / "x" / "y" / "z.jpg").read_bytes() == server.thumbnail(person)
    bulk = logged_in("people", "thumbnails", person, "-o", "deep/er/faces", "--json")
    assert bulk.code == 0, bulk
    assert (logged_in.cwd / "deep/er/faces" / f"{person}.jpg").read_bytes() == server.thumbnail(person)


def test_output_under_a_regular_file(outcome: Outcome, server: FakeImmichServer, logged_in: Cli) -> None:
    """A path whose "directory" is a file: refused by the OS even for root."""
    person = thumbnail_of(server)
    blocker = logged_in.cwd / "notes.txt"
    blocker.write_bytes(b"my notes\n")
    with Client(server.url, api_key=server.api_key) as client:
        error = outcome.raises(OutputFileError, client.download_thumbnail, person, blocker / "face.jpg")
        assert "cannot create the directory" in error.message
        result = client.download_thumbnails([person], blocker / "faces")  # a bulk download always returns
        (failure,) = result.failed.values()
        outcome.clear_error(failure, OutputFileError)
        assert "cannot create the directory" in failure.message
    outcome.cli_error(logged_in("people", "thumbnail", person, "-o", "notes.txt/face.jpg"), 1, contains="notes.txt")
    outcome.cli_error(logged_in("people", "thumbnails", person, "-o", "notes.txt/faces"), 1, contains="notes.txt")
    outcome.data_intact(blocker, b"my notes\n")
    outcome.no_partial_files(logged_in.cwd, allowed=["notes.txt"])


def test_output_path_that_is_a_directory(outcome: Outcome, server: FakeImmichServer, tmp_path: Path) -> None:
    person = thumbnail_of(server)
    with Client(server.url, api_key=server.api_key) as client:
        error = outcome.raises(InvalidArgumentError, client.download_thumbnail, person, tmp_path)
    assert "is a directory" in error.message
    assert {request.path for request in server.requests if "thumbnail" in request.path} == set()


def _special(kind: str, path: Path) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "symlink to a fifo":
        os.mkfifo(path.with_name("pipe"))
        path.symlink_to(path.with_name("pipe"))
    else:  # a twin of /dev/null, made in the test's own directory (root only)
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))


SPECIAL_FILES = ["fifo", "symlink to a fifo"] + (["character device"] if os.geteuid() == 0 else [])


@pytest.mark.parametrize("kind", SPECIAL_FILES)
def test_output_path_that_is_a_device_or_a_fifo(
    outcome: Outcome, server: FakeImmichServer, logged_in: Cli, kind: str
) -> None:
    """``-o /dev/null`` as root, or a named pipe: a download renames its temporary file over the
    destination, which would replace the device node or the pipe itself with a regular file.
    It must be refused instead, and the special file left as it was."""
    person = thumbnail_of(server)
    target = logged_in.cwd / "out.jpg"
    _special(kind, target)
    before = os.lstat(target)
    with Client(server.url, api_key=server.api_key) as client:
        error = outcome.raises(OutputFileError, client.download_thumbnail, person, target)
    assert "Not a regular file" in error.message
    outcome.cli_error(logged_in("people", "thumbnail", person, "-o", str(target)), 1, contains="Not a regular file")
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino, before.st_rdev)
    assert {path.name for path in logged_in.cwd.iterdir()} <= {"out.jpg", "pipe"}  # no temporary file left


@pytest.mark.parametrize(
    "name", ["a\x00b.jpg", "x" * 300 + ".jpg", "y" * 300 + "/face.jpg"], ids=["NUL", "long", "long-dir"]
)
def test_output_path_the_os_refuses_to_name(
    outcome: Outcome, server: FakeImmichServer, logged_in: Cli, name: str
) -> None:
    """A NUL byte, a name over 255 bytes: a clear error, not a ValueError or a bare OSError."""
    person = thumbnail_of(server)
    folder = logged_in.cwd
    with Client(server.url, api_key=server.api_key) as client:
        outcome.raises((InvalidArgumentError, OutputFileError), client.download_thumbnail, person, folder / name)
        result = client.download_thumbnails([person], folder / name.replace(".jpg", ""))
        for failure in result.failed.values():
            outcome.clear_error(failure)
    if "\x00" not in name:  # (a NUL cannot be passed on a command line)
        outcome.cli_error(logged_in("people", "thumbnail", person, "-o", name), 1, contains="File name too long")
    assert list(folder.iterdir()) == []


# -- read-only directories -------------------------------------------------------------------------


def test_read_only_directory_library(outcome: Outcome, server: FakeImmichServer, readonly_dir: ReadOnlyDir) -> None:
    person = thumbnail_of(server)
    with Client(server.url, api_key=server.api_key) as client:
        error = outcome.raises(OutputFileError, client.download_thumbnail, person, readonly_dir.old_file)
        assert str(readonly_dir.old_file) in error.message
        outcome.raises(OutputFileError, client.download_thumbnail, person, readonly_dir.path / "new.jpg")
        result = client.download_thumbnails([person, thumbnail_of(server, 1)], readonly_dir.path)
    assert len(result.failed) == 2
    for failure in result.failed.values():
        outcome.clear_error(failure, OutputFileError)
    outcome.data_intact(readonly_dir.old_file, readonly_dir.old)
    outcome.no_partial_files(readonly_dir.path, allowed=["old.jpg"])


def test_read_only_directory_cli(
    outcome: Outcome, server: FakeImmichServer, logged_in: Cli, readonly_dir: ReadOnlyDir
) -> None:
    person = thumbnail_of(server)
    one = logged_in("people", "thumbnail", person, "-o", str(readonly_dir.old_file))
    outcome.cli_error(one, 1, contains=f"cannot write {readonly_dir.old_file}")
    bulk = logged_in("people", "thumbnails", "--all", "-o", str(readonly_dir.path))
    outcome.cli_error(bulk, 1, contains="cannot write")
    outcome.data_intact(readonly_dir.old_file, readonly_dir.old)
    outcome.no_partial_files(readonly_dir.path, allowed=["old.jpg"])


# -- a full disk -----------------------------------------------------------------------------------


@pytest.fixture
def disk_fills_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated in-process: immiche's atomic writes find 100 bytes of room, then ENOSPC."""
    monkeypatch.setattr(_atomic, "os", FullDiskOs(100))


def test_full_disk_simulated_library(outcome: Outcome, immich: Any, tmp_path: Path, disk_fills_up: None) -> None:
    """ENOSPC simulated in-process (the write call fails after 100 bytes), for the sync and
    async clients; test_full_disk_cli fills a real file system."""
    server = immich(thumbnail_size=64 * 1024)
    person = thumbnail_of(server)
    old_file = tmp_path / "faces" / "face.jpg"
    old_file.parent.mkdir()
    old_file.write_bytes(b"old")
    with Client(server.url, api_key=server.api_key) as client:
        error = outcome.raises(OutputFileError, client.download_thumbnail, person, old_file)
    assert "No space left on device" in error.message

    async def download() -> None:
        async with AsyncClient(server.url, api_key=server.api_key) as client:
            await client.download_thumbnail(person, old_file)

    outcome.raises(OutputFileError, asyncio.run, download())
    outcome.data_intact(old_file, b"old")
    outcome.no_partial_files(old_file.parent, allowed=["face.jpg"])


def test_full_disk_cli(
    outcome: Outcome, immich: Any, logged_in: Cli, full_disk: FullDisk | None, tmp_path: Path
) -> None:
    """A real full file system: a 256 KiB tmpfs (mounted as root) filled up before the download.
    Where mounting is not allowed, the file size limit (RLIMIT_FSIZE) makes the kernel refuse
    the write instead (EFBIG rather than ENOSPC, the same path through immiche)."""
    server = immich(thumbnail_size=64 * 1024)
    logged_in.login(server, profile="big")
    person = thumbnail_of(server)
    if full_disk is None:
        directory = tmp_path / "limited"
        directory.mkdir()
        old_file, old = directory / "old.jpg", b"old"
        old_file.write_bytes(old)
        limit_file_size = (
            "import resource, runpy, signal, sys\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))\n"
            "sys.argv[0] = 'immiche'\n"
            "runpy.run_module('immiche', run_name='__main__')\n"
        )
        logged_in.prefix = (sys.executable, "-c", limit_file_size)
        logged_in.env["IMMICHE_RELIABILITY_LOG_DIR"] = ""  # the limit would hit the debug log first
    else:
        directory, old_file, old = full_disk.path, full_disk.old_file, full_disk.old
    one = logged_in("people", "thumbnail", person, "-o", str(old_file), "-p", "big")
    outcome.cli_error(one, 1, contains=f"cannot write {old_file}")
    bulk = logged_in("people", "thumbnails", "--all", "-o", str(directory), "-p", "big", "--json")
    outcome.cli_error(bulk, 1, contains="cannot write")
    assert json.loads(bulk.out)["downloaded"] == []
    outcome.data_intact(old_file, old)
    outcome.no_partial_files(directory, allowed=["old.jpg", "filler"])
