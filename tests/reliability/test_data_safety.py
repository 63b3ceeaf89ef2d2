"""Data safety: an interrupted download or session save never leaves a partial file and keeps the
previous one; concurrent CLI processes writing profiles leave every file readable."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from immiche import AsyncClient, Client, ImmichConnectionError, InvalidResponseError, RetryPolicy, _atomic
from immiche.errors import SessionError
from immiche.session import ApiKey, Session, SessionStore
from immiche.testing import FakeImmichServer, FaultKind
from tests.reliability._ledger import SYNTHETIC_SECRETS, Outcome
from tests.reliability.conftest import Cli, ServerFactory

FAST = RetryPolicy(backoff=0.01, max_backoff=0.05)
OLD = b"\xff\xd8 the thumbnail downloaded last week \xff\xd9"
KEY = SYNTHETIC_SECRETS["api_key"]
OTHER_KEY = SYNTHETIC_SECRETS["other_key"]


@pytest.fixture
def big(immich: ServerFactory) -> FakeImmichServer:
    """Thumbnails of 300 kB: several reads each, so a cut really falls mid-file."""
    return immich(thumbnail_size=300_000)


def with_thumbnails(server: FakeImmichServer) -> list[str]:
    return [p.id for p in server.people if p.has_thumbnail and not p.is_hidden]


# -- interrupted thumbnail downloads ---------------------------------------------------------------


@pytest.mark.parametrize("fault", ["truncate", "reset"])
@pytest.mark.parametrize("driver", ["sync", "async"])
def test_interrupted_download_keeps_the_old_file(
    outcome: Outcome, big: FakeImmichServer, tmp_path: Path, fault: FaultKind, driver: str
) -> None:
    person, fresh = with_thumbnails(big)[:2]
    big.faults.add(fault, path="/api/people/", times=-1)
    folder = tmp_path / "faces"
    folder.mkdir()
    old_file = folder / f"{person}.jpg"
    old_file.write_bytes(OLD)

    def download(person_id: str) -> Any:
        if driver == "sync":
            with Client(big.url, api_key=big.api_key, retries=FAST) as client:
                return client.download_thumbnail(person_id, folder / f"{person_id}.jpg")

        async def run() -> Any:
            async with AsyncClient(big.url, api_key=big.api_key, retries=FAST) as client:
                return await client.download_thumbnail(person_id, folder / f"{person_id}.jpg")

        return asyncio.run(run())

    outcome.raises(ImmichConnectionError, download, person)
    outcome.raises(ImmichConnectionError, download, fresh)  # no previous file: none appears
    outcome.data_intact(old_file, OLD)
    outcome.no_partial_files(folder, allowed=[old_file.name])
    big.faults.clear()
    assert download(person) == old_file  # and once the network is back, the new file replaces it
    assert old_file.read_bytes() == big.thumbnail(person)


def test_interrupted_bulk_download_keeps_the_old_files(outcome: Outcome, big: FakeImmichServer, tmp_path: Path) -> None:
    people = with_thumbnails(big)
    folder = tmp_path / "faces"
    folder.mkdir()
    for person in people[:3]:
        (folder / f"{person}.jpg").write_bytes(OLD)
    big.faults.add("truncate", path="/api/people/", times=-1)
    with Client(big.url, api_key=big.api_key, retries=FAST) as client:
        result = client.download_thumbnails(people, folder, concurrency=4)
    assert sorted(result.failed) == sorted(people)
    for failure in result.failed.values():
        outcome.clear_error(failure, ImmichConnectionError)
    for person in people[:3]:
        outcome.data_intact(folder / f"{person}.jpg", OLD)
    outcome.no_partial_files(folder, allowed=[f"{person}.jpg" for person in people[:3]])


@pytest.mark.slow
def test_interrupted_download_cli(outcome: Outcome, big: FakeImmichServer, cli: Cli) -> None:
    """Slow: the CLI retries each cut download 3 times with its default backoff (the reset
    variant is the library's; the CLI shares its code)."""
    fault: FaultKind = "truncate"
    cli.login(big)
    person = with_thumbnails(big)[0]
    folder = cli.cwd / "faces"
    folder.mkdir()
    old_file = folder / f"{person}.jpg"
    old_file.write_bytes(OLD)
    big.faults.add(fault, path="/api/people/", times=-1)
    one, bulk = cli.many(
        ["people", "thumbnail", person, "-o", str(old_file)],
        ["people", "thumbnails", "--all", "-o", str(folder), "--json"],
    )
    outcome.cli_error(one, 5, contains="broke mid-request")
    outcome.cli_error(bulk, 5, contains="broke mid-request")
    assert json.loads(bulk.out)["downloaded"] == []
    outcome.data_intact(old_file, OLD)
    outcome.no_partial_files(folder, allowed=[old_file.name])


@pytest.mark.parametrize("fault", ["html", "invalid_json"])
@pytest.mark.parametrize("driver", ["sync", "async"])
def test_a_page_instead_of_a_thumbnail_keeps_the_old_file(
    outcome: Outcome, server: FakeImmichServer, tmp_path: Path, fault: FaultKind, driver: str
) -> None:
    """A 200 that is not an image (an SSO proxy's login page, JSON from the wrong app): the
    download fails clearly and the thumbnail already on disk is not replaced by that page."""
    person = with_thumbnails(server)[0]
    server.faults.add(fault, status=200, path=f"/api/people/{person}/thumbnail", times=-1)
    old_file = tmp_path / "faces" / "face.jpg"
    old_file.parent.mkdir()
    old_file.write_bytes(OLD)

    def download() -> Any:
        if driver == "sync":
            with Client(server.url, api_key=server.api_key) as client:
                return client.download_thumbnail(person, old_file)

        async def run() -> Any:
            async with AsyncClient(server.url, api_key=server.api_key) as client:
                return await client.download_thumbnail(person, old_file)

        return asyncio.run(run())

    error = outcome.raises(InvalidResponseError, download)
    assert "instead of an image" in error.message
    outcome.data_intact(old_file, OLD)
    outcome.no_partial_files(old_file.parent, allowed=[old_file.name])


def test_a_page_instead_of_thumbnails_keeps_the_old_files_cli(
    outcome: Outcome, server: FakeImmichServer, cli: Cli
) -> None:
    cli.login(server)
    people = with_thumbnails(server)
    folder = cli.cwd / "faces"
    folder.mkdir()
    for person in people:
        (folder / f"{person}.jpg").write_bytes(OLD)
    server.faults.add("html", status=200, path="/api/people/", times=-1)
    bulk = cli("people", "thumbnails", "--all", "-o", str(folder))
    outcome.cli_error(bulk, 5, contains="instead of an image")
    for person in people:
        outcome.data_intact(folder / f"{person}.jpg", OLD)
    outcome.no_partial_files(folder, allowed=[f"{person}.jpg" for person in people])


def _wait_for(condition: Any, what: str, limit: float = 30) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.02)


def test_ctrl_c_mid_download_cli(outcome: Outcome, big: FakeImmichServer, cli: Cli) -> None:
    """SIGINT while the thumbnail trickles in: exit 130, the old file kept, the temporary file gone."""
    cli.login(big)
    person = with_thumbnails(big)[0]
    old_file = cli.cwd / "face.jpg"
    old_file.write_bytes(OLD)
    big.faults.add("slow_body", path=f"/api/people/{person}/thumbnail", delay=60)
    args = ("people", "thumbnail", person, "-o", str(old_file))
    proc = subprocess.Popen(
        cli.argv(*args), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=cli.full_env(None), cwd=cli.cwd,
    )  # fmt: skip
    try:
        _wait_for(lambda: list(cli.cwd.glob(".face.jpg.*.tmp")), "the download's temporary file")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    result = cli.record(args, proc.returncode, out, err)
    outcome.cli_error(result, 130, contains="interrupted")
    outcome.data_intact(old_file, OLD)
    outcome.no_partial_files(cli.cwd, allowed=[old_file.name])


# -- interrupted session saves ---------------------------------------------------------------------


class _BrokenOs:
    """``os`` as immiche._atomic sees it, with one call failing mid-way."""

    def __init__(self, failure: str) -> None:
        self.failure = failure

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def write(self, fd: int, data: Any) -> int:
        if self.failure == "write":
            os.write(fd, bytes(data[: len(data) // 2]))  # half the session reaches the disk...
            raise OSError(errno.EIO, os.strerror(errno.EIO))  # ...then the device fails
        if self.failure == "interrupt":
            os.write(fd, bytes(data[: len(data) // 2]))
            raise KeyboardInterrupt
        return os.write(fd, data)

    def fsync(self, fd: int) -> None:
        if self.failure == "fsync":
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        os.fsync(fd)

    def replace(self, source: Any, target: Any) -> None:
        if self.failure == "replace":
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        os.replace(source, target)


@pytest.mark.parametrize("failure", ["write", "fsync", "replace", "interrupt"])
def test_interrupted_session_save_keeps_the_old_session(
    outcome: Outcome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    store = SessionStore(tmp_path / "config")
    path = store.save(Session.create("https://photos.example.com", ApiKey(KEY)))
    saved = path.read_bytes()
    monkeypatch.setattr(_atomic, "os", _BrokenOs(failure))
    new = Session.create("https://photos.example.com", ApiKey(OTHER_KEY))
    if failure == "interrupt":
        with pytest.raises(KeyboardInterrupt):  # Ctrl-C is not turned into an error: it propagates
            store.save(new)
    else:
        error = outcome.raises(SessionError, store.save, new)
        assert "any previous session is unchanged" in (error.hint or "")
    monkeypatch.undo()
    outcome.data_intact(path, saved)
    outcome.no_partial_files(tmp_path / "config", allowed=["profiles/default/session.json"])
    assert store.load() == Session.from_json(saved)


_KILLED_MID_SAVE = """
import os, signal, sys
from immiche import _atomic
from immiche.session import ApiKey, Session, SessionStore

class DiesAtRename:
    def __getattr__(self, name):
        return getattr(os, name)

    def replace(self, source, target):
        os.kill(os.getpid(), signal.SIGKILL)  # the power goes out between write and rename

_atomic.os = DiesAtRename()
SessionStore(sys.argv[1]).save(Session.create("https://photos.example.com", ApiKey(sys.argv[2])))
"""


def test_session_save_killed_before_the_rename(outcome: Outcome, cli: Cli, server: FakeImmichServer) -> None:
    """SIGKILL between writing the new session and renaming it into place: the old session is
    intact and in use; the orphaned temporary file (0600, in the profile's directory) is ignored,
    and removed by the next logout."""
    cli.login(server)
    session_file = cli.session_file()
    saved = session_file.read_bytes()
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_MID_SAVE, str(cli.config), OTHER_KEY],
        capture_output=True, env=cli.full_env(None), check=False,
    )  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed
    outcome.data_intact(session_file, saved)
    orphans = list(session_file.parent.glob(".session.json.*.tmp"))
    assert len(orphans) == 1 and orphans[0].stat().st_mode & 0o777 == 0o600
    listed = cli("people", "list", "--json")
    assert listed.code == 0, listed  # the old session still works
    profiles = cli("profile", "list", "--json")
    assert [row["name"] for row in json.loads(profiles.out)] == ["default"]
    assert cli("logout").code == 0
    assert not session_file.parent.exists()


# -- concurrent writers ----------------------------------------------------------------------------


def _spawn(cli: Cli, *args: str, stdin: str) -> tuple[tuple[str, ...], subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        cli.argv(*args), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=cli.full_env(None), cwd=cli.cwd,
    )  # fmt: skip
    assert proc.stdin is not None
    proc.stdin.write(stdin.encode())
    proc.stdin.close()
    return args, proc


def _finish(cli: Cli, running: list[tuple[tuple[str, ...], subprocess.Popen[bytes]]]) -> list[Any]:
    results = []
    for args, proc in running:
        out = proc.stdout.read() if proc.stdout else b""
        err = proc.stderr.read() if proc.stderr else b""
        proc.wait(timeout=60)
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()
        results.append(cli.record(args, proc.returncode, out, err))
    return results


def _check_store(outcome: Outcome, cli: Cli, keys: set[str]) -> list[str]:
    """Every file of the store parses, holds one of ``keys``, and no temporary file is left."""
    profiles = sorted(path.name for path in (cli.config / "profiles").iterdir())
    for name in profiles:
        session = Session.from_json(cli.session_file(name).read_bytes())
        assert isinstance(session.auth, ApiKey) and session.auth.key in keys
    config = json.loads((cli.config / "config.json").read_text())
    assert config["current_profile"] in profiles
    outcome.no_partial_files(
        cli.config, allowed=["config.json", *(f"profiles/{name}/session.json" for name in profiles)]
    )
    return profiles


def test_concurrent_logins_into_the_same_and_other_profiles(
    outcome: Outcome, cli: Cli, server: FakeImmichServer
) -> None:
    keys = [server.api_keys["all"], server.api_keys["person.read"]]
    running = []
    for index in range(4):
        running.append(_spawn(cli, "login", "-p", "shared", "--server", server.url, "--api-key-stdin",
                              stdin=keys[index % 2]))  # fmt: skip
        running.append(_spawn(cli, "login", "-p", f"own{index}", "--server", server.url, "--api-key-stdin",
                              stdin=keys[index % 2]))  # fmt: skip
    results = _finish(cli, running)
    assert [result.code for result in results] == [0] * 8, results
    assert _check_store(outcome, cli, set(keys)) == ["own0", "own1", "own2", "own3", "shared"]
    listed = cli("profile", "list", "--json")
    assert listed.code == 0 and listed.err == "", listed
    assert sorted(row["name"] for row in json.loads(listed.out)) == ["own0", "own1", "own2", "own3", "shared"]


def test_concurrent_logins_and_logouts_of_one_profile(outcome: Outcome, cli: Cli, server: FakeImmichServer) -> None:
    cli.login(server, profile="churn")
    running = []
    for _ in range(4):
        running.append(_spawn(cli, "login", "-p", "churn", "--server", server.url, "--api-key-stdin",
                              stdin=server.api_key))  # fmt: skip
        running.append(_spawn(cli, "logout", "-p", "churn", stdin=""))
    results = _finish(cli, running)
    assert [result.code for result in results] == [0] * 8, results
    session_file = cli.session_file("churn")
    if session_file.exists():
        assert Session.from_json(session_file.read_bytes()).auth == ApiKey(server.api_key)
    leftovers = list((cli.config / "profiles").rglob("*.tmp"))
    assert leftovers == []


def test_concurrent_saves_in_one_process(outcome: Outcome, tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "config")
    sessions = [Session.create("https://photos.example.com", ApiKey(key)) for key in (KEY, OTHER_KEY)]
    errors: list[BaseException] = []

    def save_many(index: int) -> None:
        try:
            for round_ in range(25):
                store.save(sessions[(index + round_) % 2], "shared" if round_ % 2 else f"own{index % 4}")
        except BaseException as error:  # pragma: no cover (reported below)
            errors.append(error)

    threads = [threading.Thread(target=save_many, args=(index,)) for index in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for name in ("shared", "own0", "own1", "own2", "own3"):
        assert store.load(name) in sessions
    outcome.no_partial_files(
        tmp_path / "config",
        allowed=[f"profiles/{name}/session.json" for name in ("shared", "own0", "own1", "own2", "own3")],
    )


class _ClearedWhileCreated:
    """``os`` as immiche.session sees it: right after save() creates the profile's directory, a
    concurrent ``logout`` (clear()) removes it, once."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.cleared = False

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def stat(self, path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        if not self.cleared and Path(path) == self.directory:
            self.cleared = True
            os.rmdir(path)
        return os.stat(path, *args, **kwargs)


def test_a_logout_racing_a_login_does_not_fail_the_login(
    outcome: Outcome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the concurrent CLI test can only hit by chance, played deterministically."""
    import immiche.session

    store = SessionStore(tmp_path / "config")
    race = _ClearedWhileCreated(tmp_path / "config" / "profiles" / "churn")
    monkeypatch.setattr(immiche.session, "os", race)
    path = store.save(Session.create("https://photos.example.com", ApiKey(KEY)), "churn")
    monkeypatch.undo()
    assert race.cleared
    assert store.load("churn") == Session.from_json(path.read_bytes())
