"""Atomic writes: a failure at any step leaves the previous file byte-identical and no temporary file."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import immiche.session as session_module
from immiche._atomic import atomic_write, fsync_dir, open_atomic
from immiche.errors import SessionError
from immiche.session import Session, SessionStore
from tests.session.conftest import API_KEY, mode_of

OLD = b'{"previous": "content"}\n'


def enospc(*args: Any, **kwargs: Any) -> Any:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_atomic_write_writes_the_data_with_the_mode(umask: int, tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    atomic_write(target, b"hello")
    assert target.read_bytes() == b"hello"
    assert mode_of(target) == 0o600
    atomic_write(target, b"again", mode=0o644)
    assert target.read_bytes() == b"again"
    assert mode_of(target) == 0o644
    assert os.listdir(tmp_path) == ["f.json"]


def test_atomic_write_survives_short_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:3])))
    atomic_write(tmp_path / "f", b"0123456789" * 10)
    assert (tmp_path / "f").read_bytes() == b"0123456789" * 10


def write_then_fail() -> Callable[..., int]:
    """An os.write that writes a few bytes, then finds the disk full."""
    real_write = os.write
    calls = {"n": 0}

    def write(fd: int, data: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            return real_write(fd, bytes(data[:5]))
        raise OSError(errno.ENOSPC, "No space left on device")

    return write


FAILURES = {
    "write": lambda mp: mp.setattr(os, "write", enospc),
    "write-midway": lambda mp: mp.setattr(os, "write", write_then_fail()),
    "fsync": lambda mp: mp.setattr(os, "fsync", enospc),
    "replace": lambda mp: mp.setattr(os, "replace", enospc),
    "temp-file": lambda mp: mp.setattr("immiche._atomic._open_temp", enospc),
    "fchmod": lambda mp: mp.setattr(os, "fchmod", enospc),
}


@pytest.mark.parametrize("fail", FAILURES.values(), ids=FAILURES.keys())
def test_a_failed_atomic_write_leaves_the_old_file(fail: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.json"
    target.write_bytes(OLD)
    with monkeypatch.context() as mp:
        fail(mp)
        with pytest.raises(OSError) as caught:
            atomic_write(target, b"new content that will not arrive" * 100)
    assert caught.value.errno == errno.ENOSPC
    assert target.read_bytes() == OLD
    assert os.listdir(tmp_path) == ["f.json"]


@pytest.mark.parametrize("fail", FAILURES.values(), ids=FAILURES.keys())
def test_a_failed_save_keeps_the_previous_session(
    fail: Any, store: SessionStore, api_key_session: Session, jwt_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = store.save(api_key_session, "home")
    before = path.read_bytes()
    with monkeypatch.context() as mp:
        fail(mp)
        with pytest.raises(SessionError) as caught:
            store.save(jwt_session, "home")
    assert caught.value.message == f"cannot save the session to {path}: No space left on device"
    assert "the disk is not full; any previous session is unchanged" in (caught.value.hint or "")
    assert isinstance(caught.value.__cause__, OSError)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["session.json"]
    assert store.load("home") == api_key_session


def test_a_failed_set_current_profile_keeps_config_json(store: SessionStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.set_current_profile("first")
    config = store.base / "config.json"
    before = config.read_bytes()
    monkeypatch.setattr(os, "replace", enospc)
    with pytest.raises(SessionError, match=r"cannot write .*config.json: No space left on device"):
        store.set_current_profile("second")
    assert config.read_bytes() == before
    assert sorted(os.listdir(store.base)) == ["config.json"]


def test_a_directory_fsync_failure_after_the_rename_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        if os.path.isdir(f"/proc/self/fd/{fd}") or not os.path.exists(f"/proc/self/fd/{fd}"):
            raise OSError(errno.EINVAL, "Invalid argument")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    atomic_write(tmp_path / "f", b"data")
    assert (tmp_path / "f").read_bytes() == b"data"
    fsync_dir(tmp_path / "missing")  # no error either


def test_save_recreates_a_profile_directory_removed_under_it(
    store: SessionStore, api_key_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = session_module.atomic_write
    calls = {"n": 0}

    def racing_clear(path: Path, data: bytes, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            shutil.rmtree(path.parent)  # a concurrent clear() wins the race once
        real(path, data, **kwargs)

    monkeypatch.setattr(session_module, "atomic_write", racing_clear)
    path = store.save(api_key_session, "home")
    assert calls["n"] == 2
    assert store.load("home") == api_key_session
    assert mode_of(path.parent) == 0o700


def test_save_gives_up_when_the_directory_keeps_vanishing(
    store: SessionStore, api_key_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    def vanished(path: Path, data: bytes, **kwargs: Any) -> None:
        raise FileNotFoundError(errno.ENOENT, "No such file or directory")

    monkeypatch.setattr(session_module, "atomic_write", vanished)
    with pytest.raises(SessionError, match=r"cannot save the session to .*: No such file or directory"):
        store.save(api_key_session, "home")


# -- open_atomic (the streaming form, used for downloads) -------------------------------------------


def test_open_atomic_replaces_the_file_on_success(umask: int, tmp_path: Path) -> None:
    target = tmp_path / "thumb.jpg"
    target.write_bytes(OLD)
    with open_atomic(target, mode=0o644) as out:
        out.write(b"\xff\xd8")
        out.write(b"jpeg" * 1000)
        assert target.read_bytes() == OLD  # not visible before the block ends
    assert target.read_bytes() == b"\xff\xd8" + b"jpeg" * 1000
    assert mode_of(target) == 0o644
    assert os.listdir(tmp_path) == ["thumb.jpg"]


@pytest.mark.parametrize("error", [ValueError("stream broke"), KeyboardInterrupt()])
def test_open_atomic_discards_everything_when_the_block_fails(error: BaseException, tmp_path: Path) -> None:
    target = tmp_path / "thumb.jpg"
    target.write_bytes(OLD)

    def download() -> None:
        with open_atomic(target) as out:
            out.write(b"half a picture")
            raise error

    with pytest.raises(type(error)):
        download()
    assert target.read_bytes() == OLD
    assert os.listdir(tmp_path) == ["thumb.jpg"]


def test_open_atomic_creates_nothing_when_the_block_fails(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), open_atomic(tmp_path / "new.jpg"):
        raise RuntimeError("no")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("fail", ["fsync", "replace"])
def test_open_atomic_cleans_up_when_committing_fails(
    fail: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "thumb.jpg"
    target.write_bytes(OLD)
    monkeypatch.setattr(os, fail, enospc)
    with pytest.raises(OSError, match="No space left"), open_atomic(target) as out:
        out.write(b"new")
    assert target.read_bytes() == OLD
    assert os.listdir(tmp_path) == ["thumb.jpg"]


def test_durable_false_skips_fsync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "fsync", enospc)
    with open_atomic(tmp_path / "a", durable=False) as out:
        out.write(b"a")
    atomic_write(tmp_path / "b", b"b", durable=False)
    assert (tmp_path / "a").read_bytes() == b"a"
    assert (tmp_path / "b").read_bytes() == b"b"


def test_the_temporary_file_lives_next_to_the_target_and_is_private(tmp_path: Path) -> None:
    target = tmp_path / "session.json"
    with open_atomic(target, mode=0o640) as out:
        (temp,) = (p for p in tmp_path.iterdir() if p.name != "session.json")
        assert temp.name.startswith(".session.json.")
        assert temp.name.endswith(".tmp")
        assert mode_of(temp) == 0o640
        out.write(API_KEY.encode())
    assert os.listdir(tmp_path) == ["session.json"]
