"""No credential ever appears in the CLI's output, also with --verbose and on errors."""

from __future__ import annotations

import json
import re

from immiche.testing import FakeImmichServer
from tests.cli.conftest import Cli, Result, unused_port, visible


def _clean(results: list[Result], secrets: list[str]) -> None:
    for result in results:
        for secret in secrets:
            assert secret not in result.out, (result.args, "stdout")
            assert secret not in result.err, (result.args, "stderr")


def test_api_key_never_printed_by_any_command(cli: Cli, server: FakeImmichServer) -> None:
    key = server.api_key
    person = visible(server)[0]
    results = [
        cli("-v", "login", "--server", server.url, "--api-key-stdin", "--name", "cli", input=key),
        cli("-v", "login", "--server", server.url, "-p", "env", env={"IMMICH_API_KEY": key}),
        cli("-v", "login", "--server", server.url, "--api-key", key, "-p", "flag", "--json"),
        cli("-v", "whoami"),
        cli("-v", "status", "--json"),
        cli("-v", "profile", "list"),
        cli("-v", "profile", "list", "--json"),
        cli("-v", "profile", "show"),
        cli("-v", "profile", "show", "--json"),
        cli("-v", "people", "list", "--with-hidden"),
        cli("-v", "people", "search", "Ann", "--json"),
        cli("-v", "people", "show", person),
        cli("-v", "people", "show", "0f32be88-5f9d-4152-9952-d4c1efff1350"),
        cli("-v", "people", "thumbnail", person),
        cli("-v", "people", "thumbnails", "--all", "-o", "t", "--json"),
        cli("-v", "server", "info"),
        cli("-vv", "people", "list", "--server", server.url, "--api-key", key),
        cli("-v", "people", "list", "--server", f"http://127.0.0.1:{unused_port()}", "--api-key", key),
        cli("-v", "logout"),
    ]
    assert [r.code for r in results] == [0] * 12 + [4] + [0] * 4 + [5, 0]
    assert any("GET " in r.err for r in results)  # the request log was on
    _clean(results, [key])


def test_wrong_key_is_not_echoed_back(cli: Cli, server: FakeImmichServer) -> None:
    wrong = "wrong-key-" + "x" * 30
    results = [
        cli("-v", "login", "--server", server.url, "--api-key-stdin", input=wrong),
        cli("-v", "people", "list", env={"IMMICH_INSTANCE_URL": server.url, "IMMICH_API_KEY": wrong}),
    ]
    assert [r.code for r in results] == [3, 3]
    _clean(results, [wrong])


def test_password_and_token_never_printed(cli: Cli, server: FakeImmichServer) -> None:
    user = server.user
    login = cli(
        "-v", "login", "--server", server.url, "--email", user.email, "--password-stdin", "--json", input=user.password
    )
    assert login.code == 0, login
    token = json.loads(cli.session_file().read_text())["auth"]["access_token"]
    results = [
        login,
        cli("-v", "whoami"),
        cli("-v", "profile", "show"),
        cli("-v", "profile", "list", "--json"),
        cli("-v", "people", "list"),
        cli("-v", "logout"),
        cli(
            "-v",
            "login",
            "--server",
            server.url,
            "--email",
            user.email,
            "--password-stdin",
            input="bad-" + user.password,
        ),
    ]
    assert [r.code for r in results] == [0, 0, 0, 0, 0, 0, 3]
    _clean(results, [user.password, token])


def test_verbose_log_shows_requests_but_no_headers(logged_in: Cli, server: FakeImmichServer) -> None:
    result = logged_in("-v", "people", "list")
    log = [line for line in result.err.splitlines() if line.startswith("immiche: +")]
    # A line per request ("GET <url> -> 200 OK"), the others the engine's decisions (discovery...).
    requests = [line for line in log if re.search(r" (GET|POST|PUT|DELETE) http://\S+ -> [1-5]\d\d\b", line)]
    decisions = [line for line in log if line not in requests]
    assert len(requests) >= 4, log
    assert decisions and all(" discovery: " in line for line in decisions), log
    assert "x-api-key" not in result.err.lower() and "authorization" not in result.err.lower()
