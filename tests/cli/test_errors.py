"""Errors: one ``error:`` line and a hint on stderr, the documented exit codes, no traceback."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from immiche.testing import FakeImmichServer
from tests.cli.conftest import Cli, Result, unused_port, visible


def _one_error(result: Result) -> tuple[str, str]:
    """The error and hint lines; asserts there is nothing else and no traceback."""
    lines = result.err.splitlines()
    assert "Traceback" not in result.err
    assert len(lines) == 2, result
    assert lines[0].startswith("error: ") and lines[1].startswith("hint: "), result
    return lines[0], lines[1]


def test_not_logged_in(cli: Cli) -> None:
    result = cli("people", "list")
    assert result.code == 3
    error, hint = _one_error(result)
    assert error == "error: not logged in: no session stored for profile 'default'"
    assert "immiche login --server URL --api-key-stdin" in hint
    assert result.out == ""
    named = cli("people", "list", "--profile", "home")
    assert named.code == 3
    assert "--profile home" in named.err


def test_bad_key(cli: Cli, server: FakeImmichServer) -> None:
    env = {"IMMICH_INSTANCE_URL": server.url, "IMMICH_API_KEY": "revoked-key-0123456789abcdef"}
    result = cli("people", "list", "--json", env=env)
    assert result.code == 3
    error, hint = _one_error(result)
    assert error.startswith("error: authentication failed (401: Invalid API key)")
    assert "immiche login" in hint
    assert result.out == ""  # --json: nothing at all on stdout on failure


def test_bad_stored_session(cli: Cli, server: FakeImmichServer) -> None:
    user = server.user
    assert (
        cli("login", "--server", server.url, "--email", user.email, "--password-stdin", input=user.password).code == 0
    )
    server.faults.add("status", status=401, path="/api/people", times=-1)
    result = cli("people", "list")
    assert result.code == 3


def test_unreachable_server(cli: Cli) -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    result = cli("people", "list", "--server", url, "--api-key", "key-0123456789abcdef")
    assert result.code == 5
    error, hint = _one_error(result)
    assert error == f"error: connection refused by {url}"
    assert "2283" in hint


def test_unknown_person(logged_in: Cli) -> None:
    result = logged_in("people", "show", "0f32be88-5f9d-4152-9952-d4c1efff1350")
    assert result.code == 4
    _one_error(result)


def test_permission_missing(cli: Cli, server: FakeImmichServer) -> None:
    """A 403 is an authorization problem: exit 3, like a wrong key, with the permission to add."""
    env = {"IMMICH_INSTANCE_URL": server.url, "IMMICH_API_KEY": server.api_keys["none"]}
    for args in (["people", "list"], ["people", "search", "Ann"], ["people", "show", visible(server)[0]]):
        result = cli(*args, env=env)
        assert result.code == 3, result
        error, hint = _one_error(result)
        assert error.startswith("error: permission denied (403: Missing required permission: person.read)")
        assert hint == "hint: give the API key the 'person.read' permission in Immich (Account Settings > API Keys)"


def test_corrupt_session_file(cli: Cli) -> None:
    path = cli.session_file()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\x00\xff garbage")
    path.chmod(0o600)
    result = cli("people", "list")
    assert result.code == 1
    error, hint = _one_error(result)
    assert error.startswith(f"error: the session file {path} is corrupt")
    assert str(path) in hint


def test_session_file_readable_by_others_is_warned_about(logged_in: Cli) -> None:
    logged_in.session_file().chmod(0o644)
    result = logged_in("people", "list", "-q")
    assert result.code == 0
    assert result.err.startswith(f"warning: {logged_in.session_file()} is accessible by other users (mode 0644)")
    assert len(result.err.splitlines()) == 1


def test_corrupt_config_file(cli: Cli) -> None:
    cli.config.mkdir(parents=True)
    (cli.config / "config.json").write_text("[]")
    result = cli("people", "list")
    assert result.code == 1
    error, hint = _one_error(result)
    assert str(cli.config / "config.json") in error and "fix or delete" in hint


@pytest.mark.parametrize(
    ("kind", "status"),
    [("status", 503), ("status", 500), ("html", 502), ("invalid_json", None), ("wrong_shape", None)],
)
def test_server_failures_exit_5(logged_in: Cli, server: FakeImmichServer, kind: str, status: int | None) -> None:
    server.faults.add(kind, status=status, path="/api/people", times=-1)  # type: ignore[arg-type]
    result = logged_in("people", "list", "--json")
    assert result.code == 5, result
    assert result.out == ""
    assert result.err.startswith("error: ")
    assert "Traceback" not in result.err


def test_not_an_immich_server(cli: Cli, server: FakeImmichServer) -> None:
    server.faults.add("status", status=404, times=-1)
    result = cli("server", "info", "--server", server.url)
    assert result.code == 5
    assert "does not answer as an Immich server" in result.err


def test_traceback_only_with_verbose(cli: Cli) -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    args = ["people", "list", "--server", url, "--api-key", "key-0123456789abcdef"]
    assert "Traceback" not in cli(*args).err
    verbose = cli(*args, "-v")
    assert verbose.code == 5
    assert "Traceback (most recent call last)" in verbose.err
    assert verbose.err.splitlines()[-2] == f"error: connection refused by {url}"
    assert "key-0123456789abcdef" not in verbose.err


def _interrupt(cli: Cli, *args: str, after: float = 1.0) -> tuple[int, str, float]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "immiche", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=cli.env,
        cwd=cli.cwd,
    )
    time.sleep(after)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    return proc.returncode, err.decode(), time.monotonic() - sent


def test_ctrl_c_exits_130_with_one_line(logged_in: Cli, server: FakeImmichServer) -> None:
    server.latency = 10
    code, err, took = _interrupt(logged_in, "people", "list")
    assert code == 130
    assert err.strip() == "error: interrupted"
    assert took < 5


def test_ctrl_c_stops_a_bulk_download_promptly_and_leaves_no_partial_files(cli: Cli, make_server: object) -> None:
    busy = make_server(people=300)  # type: ignore[operator]
    cli.login(busy)
    busy.latency = 0.3
    code, err, took = _interrupt(cli, "people", "thumbnails", "--all", "-o", "t", "--concurrency", "4", after=2.0)
    assert code == 130, err
    assert err.strip().splitlines()[-1] == "error: interrupted", err
    assert took < 5  # not after the remaining ~300 downloads
    folder = Path(cli.cwd / "t")
    leftovers = [p.name for p in folder.iterdir() if not p.name.endswith(".jpg")] if folder.exists() else []
    assert leftovers == []
    for saved in folder.glob("*.jpg"):
        assert saved.read_bytes() == busy.thumbnail(saved.stem)


def test_closed_pipe_is_quiet(cli: Cli, make_server: object) -> None:
    big = make_server(people=3000)  # type: ignore[operator]
    cli.login(big)
    proc = subprocess.Popen(
        [sys.executable, "-m", "immiche", "people", "list", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=cli.env,
        cwd=cli.cwd,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(100)
    proc.stdout.close()  # like `| head -c 100`
    err = proc.stderr.read().decode()
    proc.stderr.close()
    code = proc.wait(timeout=30)
    assert code == 141  # 128 + SIGPIPE, as a shell reports a Unix tool stopped by a closed pipe
    assert err == ""
