"""immiche login / logout / whoami end to end, over a real socket against the fake Immich server."""

from __future__ import annotations

import json
import os
import pty
import select
import sys
import time
from collections.abc import Callable

import pytest

from immiche.testing import FakeImmichServer
from tests.cli.conftest import Cli, unused_port


def _stored(cli: Cli, profile: str = "default") -> dict[str, object]:
    return json.loads(cli.session_file(profile).read_text())


def test_login_with_api_key_on_stdin_validates_then_saves(cli: Cli, server: FakeImmichServer) -> None:
    result = cli("login", "--server", server.url, "--api-key-stdin", "--name", "laptop", input=server.api_key + "\n")
    assert result.code == 0, result
    assert result.out == f"Logged in to {server.url} (Immich v3.0.0) as {server.user.email}, profile default\n"
    assert server.api_key not in result.all
    stored = _stored(cli)
    assert stored["server_url"] == server.url
    assert stored["auth"] == {"type": "api_key", "key": server.api_key, "name": "laptop"}
    assert oct(cli.session_file().stat().st_mode & 0o777) == "0o600"
    paths = [r.path for r in server.requests]
    assert "/api/users/me" in paths  # validated against the server before saving
    assert json.loads((cli.config / "config.json").read_text())["current_profile"] == "default"  # first login


def test_login_with_api_key_from_the_environment(cli: Cli, server: FakeImmichServer) -> None:
    result = cli(
        "login", "--profile", "home", env={"IMMICH_INSTANCE_URL": server.url, "IMMICH_API_KEY": server.api_key}
    )
    assert result.code == 0, result
    assert result.out.endswith("profile home\n")
    assert _stored(cli, "home")["auth"] == {"type": "api_key", "key": server.api_key, "name": None}


def test_login_with_api_key_flag_and_json_output(cli: Cli, server: FakeImmichServer) -> None:
    result = cli("--json", "login", "--server", server.url, "--api-key", server.api_key)
    assert result.code == 0, result
    assert result.json() == {
        "profile": "default",
        "server": server.url,
        "server_version": "v3.0.0",
        "user": {"id": server.user.id, "email": server.user.email, "name": server.user.name, "is_admin": True},
        "credential": "api_key",
    }
    assert server.api_key not in result.all


def test_login_with_email_and_password_on_stdin(cli: Cli, server: FakeImmichServer) -> None:
    user = server.user
    result = cli(
        "login", "--server", server.url, "--email", user.email, "--password-stdin", "-p", "pw", input=user.password
    )
    assert result.code == 0, result
    assert result.out == f"Logged in to {server.url} (Immich v3.0.0) as {user.email}, profile pw\n"
    auth = _stored(cli, "pw")["auth"]
    assert isinstance(auth, dict)
    assert auth["type"] == "jwt" and auth["user_id"] == user.id and auth["email"] == user.email
    token = auth["access_token"]
    assert isinstance(token, str) and token not in result.all and user.password not in result.all
    whoami = cli("-p", "pw", "whoami", "--json")
    assert whoami.code == 0, whoami
    assert whoami.json()["credential"] == "login"
    assert whoami.json()["user"]["email"] == user.email


def test_password_prompt_on_a_terminal_does_not_echo(cli: Cli, server: FakeImmichServer) -> None:
    user = server.user
    pid, fd = pty.fork()
    if pid == 0:  # the child: its terminal is the pty
        os.chdir(cli.cwd)
        os.execve(
            sys.executable,
            [sys.executable, "-m", "immiche", "login", "--server", server.url, "--email", user.email],
            cli.env,
        )
    seen = b""
    try:
        seen = _read_until(fd, b"Password:", seen)
        os.write(fd, user.password.encode() + b"\n")
        seen = _read_until(fd, b"profile default", seen)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, seen
    assert user.password.encode() not in seen
    assert _stored(cli)["auth"]["email"] == user.email  # type: ignore[index]


def _read_until(fd: int, marker: bytes, seen: bytes, timeout: float = 30) -> bytes:
    deadline = time.monotonic() + timeout
    while marker not in seen:
        assert time.monotonic() < deadline, seen
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    assert marker in seen, seen
    return seen


def test_no_terminal_and_no_password_stdin_is_a_usage_error(cli: Cli, server: FakeImmichServer) -> None:
    result = cli("login", "--server", server.url, "--email", server.user.email)
    assert result.code == 2
    assert result.err.startswith("error: no terminal to ask for the password: pass --password-stdin")
    assert not cli.session_file().exists()
    assert not any(r.path == "/api/auth/login" for r in server.requests)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--api-key-stdin"], "login needs --server URL"),
        (["--server", "URL"], "login needs a credential"),
        (["--server", "URL", "--api-key", "k", "--api-key-stdin"], "--api-key and --api-key-stdin cannot be used"),
        (["--server", "URL", "--api-key-stdin", "--email", "a@b.c"], "--api-key-stdin and --email cannot be used"),
        (["--server", "URL", "--password-stdin"], "--password-stdin goes with --email"),
        (["--server", "URL", "--email", "a@b.c", "--name", "x"], "--name names an API key"),
    ],
)
def test_login_usage_errors(cli: Cli, server: FakeImmichServer, args: list[str], message: str) -> None:
    args = [server.url if a == "URL" else a for a in args]
    result = cli("login", *args, input="")
    assert result.code == 2, result
    assert result.err.startswith(f"error: {message}")
    assert "hint: see 'immiche login --help'" in result.err
    assert result.out == ""
    assert not cli.config.exists() or not list(cli.config.rglob("session.json"))


def test_bad_api_key_saves_nothing(cli: Cli, server: FakeImmichServer) -> None:
    result = cli("login", "--server", server.url, "--api-key-stdin", input="not-a-real-key-0123456789\n")
    assert result.code == 3
    assert result.err.startswith("error: the server refused the API key (401")
    assert "not-a-real-key-0123456789" not in result.all
    assert not cli.session_file().exists()


def test_wrong_password_saves_nothing(cli: Cli, server: FakeImmichServer) -> None:
    result = cli(
        "login", "--server", server.url, "--email", server.user.email, "--password-stdin", input="wrong-password"
    )
    assert result.code == 3
    assert result.err.startswith("error: login refused: wrong email or password (401")
    assert "wrong-password" not in result.all
    assert not cli.session_file().exists()


def test_unreachable_server_saves_nothing(cli: Cli) -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    result = cli("login", "--server", url, "--api-key-stdin", input="some-key-0123456789abcdef\n")
    assert result.code == 5
    assert result.err.startswith(f"error: connection refused by {url}")
    assert "hint: " in result.err
    assert not cli.session_file().exists()


def test_key_with_only_person_read_is_accepted_through_the_people_api(cli: Cli, server: FakeImmichServer) -> None:
    key = server.api_keys["person.read"]
    result = cli("login", "--server", server.url, "--api-key-stdin", input=key)
    assert result.code == 0, result
    assert "as an API key without the user.read permission" in result.out
    assert "no user.read permission" in result.err
    assert any(r.path == "/api/people" for r in server.requests)
    whoami = cli("whoami", "--json")
    assert whoami.code == 0, whoami
    assert whoami.json()["user"] is None
    assert cli("people", "list", "--limit", "1").code == 0


def test_key_without_any_permission_is_refused(cli: Cli, server: FakeImmichServer) -> None:
    result = cli("login", "--server", server.url, "--api-key-stdin", input=server.api_keys["none"])
    assert result.code == 3
    assert "permission denied (403" in result.err
    assert "hint: give the API key the 'person.read' permission" in result.err
    assert not cli.session_file().exists()


def test_second_login_keeps_the_current_profile_and_says_how_to_switch(cli: Cli, server: FakeImmichServer) -> None:
    cli.login(server)
    second = cli.login(server, profile="work")
    assert "run 'immiche profile use work' to switch" in second.err
    assert json.loads((cli.config / "config.json").read_text())["current_profile"] == "default"


def test_logout_of_a_password_login_ends_the_server_session(cli: Cli, server: FakeImmichServer) -> None:
    user = server.user
    assert (
        cli("login", "--server", server.url, "--email", user.email, "--password-stdin", input=user.password).code == 0
    )
    token = _stored(cli)["auth"]["access_token"]  # type: ignore[index]
    result = cli("logout")
    assert result.code == 0, result
    assert result.out == f"Logged out of {server.url}, profile default\n"
    assert not cli.session_file().exists()
    assert any(r.path == "/api/auth/logout" for r in server.requests)
    import httpx

    # the token no longer works on the server
    answer = httpx.get(f"{server.api_url}/users/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401


def test_logout_of_an_api_key_removes_the_session_only(logged_in: Cli, server: FakeImmichServer) -> None:
    result = logged_in("--json", "logout")
    assert result.code == 0, result
    assert result.json() == {"profile": "default", "server": server.url, "removed": True, "server_session_ended": None}
    assert not logged_in.session_file().exists()
    assert not any(r.path == "/api/auth/logout" for r in server.requests)


def test_logout_succeeds_with_a_note_when_the_server_is_unreachable(
    cli: Cli, make_server: Callable[..., FakeImmichServer]
) -> None:
    gone = make_server()
    user = gone.user
    assert cli("login", "--server", gone.url, "--email", user.email, "--password-stdin", input=user.password).code == 0
    url = gone.url
    gone.stop()
    result = cli("logout")
    assert result.code == 0, result
    assert "note: could not end the session on the server" in result.err
    assert "removed it locally" in result.err
    assert result.out == f"Logged out of {url}, profile default\n"
    assert not cli.session_file().exists()


def test_logout_when_not_logged_in_is_a_no_op_with_a_note(cli: Cli) -> None:
    result = cli("logout", "--profile", "nobody")
    assert result.code == 0
    assert result.out == ""
    assert "not logged in: profile 'nobody' has no stored session" in result.err


def test_logout_removes_a_corrupt_session(cli: Cli) -> None:
    path = cli.session_file()
    path.parent.mkdir(parents=True)
    path.write_text("{ not json")
    result = cli("logout")
    assert result.code == 0, result
    assert "unreadable" in result.err
    assert not path.exists()


def test_whoami_and_status(logged_in: Cli, server: FakeImmichServer) -> None:
    text = logged_in("whoami")
    assert text.code == 0, text
    assert "Profile:        default" in text.out
    assert f"Server:         {server.url}" in text.out
    assert f"User:           Admin <{server.user.email}> (admin)" in text.out
    assert "Credential:     API key" in text.out
    assert "Server version: v3.0.0" in text.out
    assert "Pinned spec:    v3.2.2" in text.out
    status = logged_in("status", "--json")
    assert status.code == 0, status
    assert status.json() == {
        "profile": "default",
        "source": "profile:default",
        "server": server.url,
        "user": {"id": server.user.id, "email": server.user.email, "name": "Admin", "is_admin": True},
        "credential": "api_key",
        "key_name": None,
        "server_version": "v3.0.0",
        "pinned_version": "v3.2.2",
        "compatible": True,
    }
