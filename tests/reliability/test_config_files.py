"""The config directory under attack: hostile profile names, corrupt and truncated files, a
directory that cannot be written, a full disk. Every case fails clearly, and no file is changed,
overwritten or created where it should not be."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from immiche import Client, InvalidProfileName, SessionError, _atomic
from immiche.session import ApiKey, Session, SessionStore
from immiche.testing import FakeImmichServer
from tests.reliability._disk import FULL_DISK_LAUNCHER, FullDiskOs
from tests.reliability._ledger import SYNTHETIC_SECRETS, Outcome
from tests.reliability.conftest import Cli, FullDisk, ReadOnly

KEY = SYNTHETIC_SECRETS["api_key"]
OTHER_KEY = SYNTHETIC_SECRETS["other_key"]
#: Text planted in files that are not immiche's to write: it must never be quoted back.
MARKER = "plantedMarker-Zq8Wx3Rt6Yu1"


def a_session(url: str = "https://photos.example.com", key: str = KEY) -> Session:
    return Session.create(url, ApiKey(key, name="laptop"))


def tree(root: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and directory (None) under ``root``."""
    found: dict[str, bytes | None] = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs:
            found[os.path.relpath(os.path.join(directory, name), root)] = None
        for name in files:
            path = os.path.join(directory, name)
            found[os.path.relpath(path, root)] = Path(path).read_bytes() if os.path.isfile(path) else None
    return found


# -- hostile profile names -------------------------------------------------------------------------

HOSTILE_PROFILES = [
    "../evil",
    "..",
    ".",
    ".hidden",
    "a/b",
    "/etc/passwd",
    "..\\..\\evil",
    "evil\n",
    "x" * 65,
    "profïle",
    "",
    " ",
    "~root",
    "$(id)",
    "a b",
    "nul\x00",
    "%2e%2e%2fevil",
]


@pytest.mark.parametrize("name", HOSTILE_PROFILES)
def test_hostile_profile_name_library(outcome: Outcome, tmp_path: Path, name: str) -> None:
    base = tmp_path / "home" / "config"
    store = SessionStore(base)
    store.save(a_session(), "fine")
    before = tree(tmp_path)
    operations: list[Callable[[], Any]] = [
        lambda: store.save(a_session(), name),
        lambda: store.load(name),
        lambda: store.clear(name),
        lambda: store.config_dir(name),
        lambda: store.session_path(name),
        lambda: store.set_current_profile(name),
        lambda: store.resolve_credentials(profile=name),
    ]
    for operation in operations:
        error = outcome.raises(InvalidProfileName, operation)
        assert error.message.startswith("invalid profile name")
    if name.strip():
        environment = SessionStore(base, environ={"IMMICH_PROFILE": name})
        outcome.raises(InvalidProfileName, environment.get_current_profile)
    assert tree(tmp_path) == before  # nothing created, changed or removed, anywhere


def test_hostile_profile_names_client(outcome: Outcome, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("../evil", "/etc/passwd", "a/b"):
        outcome.raises(InvalidProfileName, Client.from_profile, name)
        monkeypatch.setenv("IMMICH_PROFILE", name)
        outcome.raises(InvalidProfileName, Client.from_profile)
        monkeypatch.delenv("IMMICH_PROFILE")


def test_hostile_profile_names_cli(outcome: Outcome, logged_in: Cli, server: FakeImmichServer) -> None:
    cli = logged_in
    before = tree(cli.home)
    runs = cli.many(
        (["login", "--profile", "../evil", "--server", server.url, "--api-key-stdin"], {"input": server.api_key}),
        ["login", "-p", "/etc/passwd", "--server", server.url, "--api-key", server.api_key],
        ["profile", "use", ".."],
        ["profile", "show", "a/b"],
        ["profile", "remove", "../default"],
        ["people", "list", "-p", "profïle"],
        (["people", "list"], {"env": {"IMMICH_PROFILE": "../../etc"}}),
        ["logout", "-p", ".hidden"],
    )
    for result in runs:
        outcome.cli_error(result, 2, contains="invalid profile name")
    after = tree(cli.home)
    logs = {path for path in after if path.startswith("logs")}
    assert {path: value for path, value in after.items() if path not in logs} == {
        path: value for path, value in before.items() if path not in logs
    }


# -- corrupt and truncated session files -----------------------------------------------------------


def _corruptions(valid: bytes, tmp_path: Path) -> dict[str, Callable[[Path], None]]:
    middle_of_key = valid.index(KEY.encode()) + len(KEY) // 2

    def write(data: bytes) -> Callable[[Path], None]:
        def corrupt(path: Path) -> None:
            path.write_bytes(data)

        return corrupt

    def directory(path: Path) -> None:
        path.unlink()
        path.mkdir()

    def fifo(path: Path) -> None:
        path.unlink()
        os.mkfifo(path)

    def symlink_elsewhere(path: Path) -> None:
        elsewhere = tmp_path / "elsewhere.txt"
        elsewhere.write_bytes(b"private notes: " + MARKER.encode())
        elsewhere.chmod(0o600)
        path.unlink()
        path.symlink_to(elsewhere)

    return {
        "truncated mid-key": write(valid[:middle_of_key]),
        "truncated at the end": write(valid[:-3]),
        "empty": write(b""),
        "whitespace": write(b" \n\t\n"),
        "binary garbage": write(bytes(range(256)) * 4),
        "NUL bytes": write(b"\0" * 512),
        "invalid UTF-8": write(valid.replace(b'"laptop"', b'"lap\xfftop"')),
        "a JSON array": write(b"[" + valid + b"]"),
        "the key as a JSON string": write(json.dumps(KEY).encode()),
        "the key as the auth type": write(valid.replace(b'"api_key"', json.dumps(KEY).encode())),
        "a future version": write(valid.replace(b'"version": 1', b'"version": 99')),
        "no auth": write(json.dumps({"version": 1, "server_url": "https://h", "created_at": "x"}).encode()),
        "NaN": write(valid.replace(b'"version": 1', b'"version": NaN')),
        "deeply nested": write(b"[" * 200_000 + b"]" * 200_000),
        "over 1 MB": write(valid + b" " * (1024 * 1024)),
        "a directory": directory,
        "a FIFO": fifo,
        "a symlink to another file": symlink_elsewhere,
    }


CORRUPTIONS = list(_corruptions(a_session().to_json().encode(), Path()).keys())


@pytest.mark.parametrize("kind", CORRUPTIONS)
def test_corrupt_session_file_library(outcome: Outcome, tmp_path: Path, kind: str) -> None:
    store = SessionStore(tmp_path / "config")
    path = store.save(a_session())
    _corruptions(path.read_bytes(), tmp_path)[kind](path)
    snapshot = tree(tmp_path)
    error = outcome.raises(SessionError, store.load)
    assert str(path) in error.message
    assert error.hint
    assert MARKER not in str(error)
    outcome.raises(SessionError, store.resolve_credentials)
    with pytest.warns(UserWarning, match="skipping profile 'default'"):
        assert store.list_profiles() == []
    assert tree(tmp_path) == snapshot  # a corrupt file is reported, never rewritten or dropped
    if path.is_file() and not path.is_symlink():
        outcome.data_intact(path, snapshot[os.path.relpath(path, tmp_path)] or b"")


@pytest.mark.parametrize("kind", ["truncated mid-key", "the key as a JSON string", "a FIFO", "over 1 MB"])
def test_corrupt_session_file_cli(outcome: Outcome, cli: Cli, server: FakeImmichServer, kind: str) -> None:
    cli.login(server, key=server.api_key)
    path = cli.session_file()
    valid = path.read_bytes()
    _corruptions(valid.replace(server.api_key.encode(), KEY.encode()), cli.home)[kind](path)
    snapshot = tree(cli.config)
    *failed, listed = cli.many(["people", "list"], ["whoami"], ["profile", "show"], ["profile", "list"])
    for result in failed:
        outcome.cli_error(result, 1, contains=str(path))
    assert listed.code == 0, listed
    assert "warning: skipping profile 'default'" in listed.err
    assert tree(cli.config) == snapshot


# -- corrupt config.json ---------------------------------------------------------------------------

CONFIG_CORRUPTIONS = {
    "garbage": b"\x00\xffnot json",
    "truncated": b'{"current_profile": "ho',
    "an array": b'["home"]',
    "a hostile current profile": b'{"current_profile": "../../etc"}',
    "a non-string current profile": b'{"current_profile": 42}',
    "a marker as current profile": json.dumps({"current_profile": MARKER + "/.."}).encode(),
}


@pytest.mark.parametrize("kind", CONFIG_CORRUPTIONS)
def test_corrupt_config_file_library(outcome: Outcome, tmp_path: Path, kind: str) -> None:
    store = SessionStore(tmp_path / "config")
    store.save(a_session(), "home")
    config = tmp_path / "config" / "config.json"
    config.write_bytes(CONFIG_CORRUPTIONS[kind])
    error = outcome.raises(SessionError, store.get_current_profile)
    assert error.message.startswith(f"{config} is corrupt")
    assert MARKER not in str(error)
    outcome.raises(SessionError, store.set_current_profile, "home")
    outcome.raises(SessionError, store.load)
    outcome.data_intact(config, CONFIG_CORRUPTIONS[kind])
    assert store.load("home") == store.load("home")  # a named profile is still readable


def test_corrupt_config_file_cli(outcome: Outcome, logged_in: Cli) -> None:
    config = logged_in.config / "config.json"
    for data in (CONFIG_CORRUPTIONS["truncated"], CONFIG_CORRUPTIONS["a hostile current profile"]):
        config.write_bytes(data)
        outcome.cli_error(logged_in("people", "list"), 1, contains=f"{config} is corrupt")
        outcome.cli_error(logged_in("profile", "use", "default"), 1, contains="is corrupt")
        outcome.data_intact(config, data)
        named = logged_in("people", "list", "-p", "default", "--json")
        assert named.code == 0, named


# -- a config directory that cannot be written -----------------------------------------------------


def test_config_directory_under_a_file(outcome: Outcome, tmp_path: Path, cli: Cli, server: FakeImmichServer) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_bytes(b"a file")
    store = SessionStore(blocker / "immich")
    error = outcome.raises(SessionError, store.save, a_session())
    assert "cannot create the directory" in error.message
    outcome.raises(SessionError, store.set_current_profile, "home")
    assert store.load() is None and store.list_profiles() == []  # reading: simply nothing stored
    login = cli("login", "--server", server.url, "--api-key-stdin", input=server.api_key,
                env={"IMMICH_CONFIG_DIR": str(blocker / "immich")})  # fmt: skip
    outcome.cli_error(login, 1, contains="cannot create the directory")
    outcome.data_intact(blocker, b"a file")


def test_read_only_config_directory(outcome: Outcome, cli: Cli, server: FakeImmichServer, read_only: ReadOnly) -> None:
    cli.login(server)  # profile "default", now the current one
    session_file = cli.session_file()
    config = cli.config / "config.json"
    saved, current = session_file.read_bytes(), config.read_bytes()
    profiles = cli.config / "profiles"
    technique = read_only(cli.config, profiles, profiles / "default")
    store = SessionStore(cli.config)
    error = outcome.raises(SessionError, store.save, a_session(server.url, OTHER_KEY))
    assert "any previous session is unchanged" in (error.hint or ""), technique
    outcome.raises(SessionError, store.save, a_session(server.url, OTHER_KEY), "other")
    outcome.raises(SessionError, store.set_current_profile, "default")
    again = cli("login", "--server", server.url, "--api-key-stdin", input=server.api_keys["person.read"])
    outcome.cli_error(again, 1, contains=f"cannot save the session to {session_file}")
    other = cli("login", "-p", "other", "--server", server.url, "--api-key-stdin", input=server.api_key)
    outcome.cli_error(other, 1, contains="cannot create the directory")
    outcome.cli_error(cli("profile", "use", "default"), 1, contains="config.json")
    listed = cli("people", "list", "--json")  # reading still works
    assert listed.code == 0, listed
    outcome.data_intact(session_file, saved)
    outcome.data_intact(config, current)
    outcome.no_partial_files(cli.config, allowed=["config.json", "profiles/default/session.json"])


def test_full_disk_keeps_the_old_session_simulated(
    outcome: Outcome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC simulated in-process (immiche._atomic's writes find 100 bytes of room)."""
    store = SessionStore(tmp_path / "config")
    path = store.save(a_session())
    store.set_current_profile("default")
    saved, config = path.read_bytes(), (tmp_path / "config" / "config.json").read_bytes()
    monkeypatch.setattr(_atomic, "os", FullDiskOs(100))
    error = outcome.raises(SessionError, store.save, a_session(key=OTHER_KEY))
    assert "No space left on device" in error.message
    outcome.raises(SessionError, store.set_current_profile, "other")
    monkeypatch.undo()
    outcome.data_intact(path, saved)
    outcome.data_intact(tmp_path / "config" / "config.json", config)
    outcome.no_partial_files(tmp_path / "config", allowed=["config.json", "profiles/default/session.json"])
    assert store.load() == Session.from_json(saved)


def test_full_disk_keeps_the_old_session_cli(
    outcome: Outcome, cli: Cli, server: FakeImmichServer, full_disk: FullDisk | None
) -> None:
    """A really full file system (a filled tmpfs) holding the config directory. Where mounting
    is not allowed, the CLI runs with ENOSPC simulated in-process (tests/reliability/_disk.py)."""
    if full_disk is not None:
        config = full_disk.path / "immich"
        (full_disk.path / "filler").unlink()  # room for a first login
    else:
        config = cli.config
    env = {"IMMICH_CONFIG_DIR": str(config)}
    assert cli("login", "--server", server.url, "--api-key-stdin", input=server.api_key, env=env).code == 0
    if full_disk is not None:
        with open(full_disk.path / "filler", "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError:
                pass
    else:
        cli.prefix = (sys.executable, "-c", FULL_DISK_LAUNCHER)
    session_file = config / "profiles" / "default" / "session.json"
    saved = session_file.read_bytes()
    again, other = cli.many(
        (["login", "--server", server.url, "--api-key-stdin"], {"input": server.api_keys["person.read"], "env": env}),
        (["login", "-p", "other", "--server", server.url, "--api-key-stdin"], {"input": server.api_key, "env": env}),
    )
    outcome.cli_error(again, 1, contains="No space left on device")
    outcome.cli_error(other, 1, contains="No space left on device")
    outcome.data_intact(session_file, saved)
    outcome.no_partial_files(config, allowed=["config.json", "profiles/default/session.json"])
    listed = cli("people", "list", env=env)
    assert listed.code == 0, listed
