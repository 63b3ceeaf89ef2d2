"""Unit checks of issue 12's building blocks: redaction, image sniffing, temp-file housekeeping,
timeouts and the cookie policy."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from immiche import InvalidArgumentError, Timeout
from immiche._atomic import _HOST, STALE_AFTER, TempScope, open_atomic, remove_stale_temps, temp_scope
from immiche._driver import send_args
from immiche._engine.downloads import looks_like_image
from immiche._engine.effects import Send
from immiche._pool import pool_client
from immiche.errors import redact, redact_url

SECRET = "s3cretKEY-abcdefghijklmnopqrstuvwxyz"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://u:p@host:2283/x?apiKey=1#f", "http://<redacted>@host:2283/x?<redacted>"),
        ("https://host/path", "https://host/path"),
        ("http://host#frag", "http://host#<redacted>"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_redact_masks_whole_and_partial_credentials_and_url_queries() -> None:
    text = f"bad key {SECRET}; prefix {SECRET[:14]}; at http://h/login?apiKey=zzz"
    masked = redact(text, [SECRET])
    assert SECRET[:12] not in masked
    assert "zzz" not in masked
    assert masked.startswith("bad key <redacted>; prefix <redacted>")
    assert redact("short abc", ["abc"]) == "short <redacted>"


@pytest.mark.parametrize(
    ("content_type", "head", "image"),
    [
        ("image/jpeg", b"\xff\xd8\xff", True),
        ("image/jpeg", b"", False),
        ("", b"<!doctype html>", False),
        ("", b"\xff\xd8\xff\xe0", True),
        ("", b"RIFF\x00\x00\x00\x00WEBPVP8 ", True),
        ("", b"\x00\x00\x00\x1cftypavif", True),
        ("application/octet-stream", b"binary-ish", True),
        ("application/octet-stream", b"  <html>", False),
        ("text/html", b"\xff\xd8\xff", False),
        ("application/json", b"{}", False),
    ],
)
def test_looks_like_image(content_type: str, head: bytes, image: bool) -> None:
    headers = httpx.Headers({"content-type": content_type} if content_type else {})
    assert looks_like_image(headers, head) is image


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_only_stale_temporary_files_of_ours_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / f".a.jpg.p{_dead_pid()}h{_HOST}rabcdefgh.tmp"
    alive = tmp_path / f".b.jpg.p{os.getpid()}h{_HOST}rabcdefgh.tmp"
    foreign_new = tmp_path / ".c.jpg.p1h000000rabcdefgh.tmp"
    foreign_old = tmp_path / ".d.jpg.p1h000000rabcdefgh.tmp"
    other = tmp_path / ".e.jpg.tmp"
    for path in (dead, alive, foreign_new, foreign_old, other):
        path.write_bytes(b"x")
    old = time.time() - STALE_AFTER - 60
    os.utime(foreign_old, (old, old))
    (tmp_path / f".dir.p{_dead_pid()}h{_HOST}rabcdefgh.tmp").mkdir()  # not a regular file: kept
    removed = remove_stale_temps(tmp_path)
    assert sorted(p.name for p in removed) == sorted([dead.name, foreign_old.name])
    assert alive.exists() and foreign_new.exists() and other.exists()


def test_a_cancelled_scope_removes_temporary_files_and_refuses_to_commit(tmp_path: Path) -> None:
    scope = TempScope()
    target = tmp_path / "t.jpg"

    def write() -> None:
        with open_atomic(target, mode=None) as out:
            out.write(b"data")
            scope.cancel()

    with temp_scope(scope), pytest.raises(OSError, match="cancelled"):
        write()
    assert list(tmp_path.iterdir()) == []


def test_mode_none_honours_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        with open_atomic(tmp_path / "f", mode=None) as out:
            out.write(b"x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "f").stat().st_mode) == 0o600


def test_one_number_is_a_total_timeout() -> None:
    assert Timeout.coerce(10) == Timeout(connect=5, read=10, total=10)
    assert Timeout.coerce(None) == Timeout(connect=None, read=None, total=None)
    with pytest.raises(InvalidArgumentError):
        Timeout.coerce(float("nan"))


def test_immiches_own_pools_keep_no_cookies() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"set-cookie": "immich_access_token=t; Path=/"}, json={})

    with pool_client(httpx.Client(transport=httpx.MockTransport(answer))) as client:
        client.get("http://a.example/")
        assert len(client.cookies.jar) == 0
        client.cookies.set("manual", "1", domain="a.example")  # even one set by hand is never sent
        request, _ = send_args(client, Send("GET", "http://a.example/x", {}))
        assert "cookie" not in request.headers


def test_atomic_file_commits_explicitly_and_discards_without_a_trace(tmp_path: Path) -> None:
    from immiche._atomic import AtomicFile

    target = tmp_path / "face.jpg"
    target.write_bytes(b"old")
    kept = AtomicFile(target, mode=None)
    kept.write(b"new")
    assert target.read_bytes() == b"old"  # nothing replaced before the commit
    kept.commit()
    assert target.read_bytes() == b"new"
    kept.discard()  # after a commit: nothing to do
    assert target.read_bytes() == b"new"
    with pytest.raises(ValueError, match="already committed"):
        kept.commit()
    dropped = AtomicFile(target, mode=None)
    dropped.write(b"partial")
    dropped.discard()
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["face.jpg"]

    def interrupted() -> None:
        with AtomicFile(target, mode=None) as failed:
            failed.write(b"half")
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        interrupted()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["face.jpg"]
    assert target.read_bytes() == b"new"
