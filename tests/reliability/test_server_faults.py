"""Server faults: every one is either survived (retried and succeeded) or ends in a clear error.

The faults come from the fake server (``server.faults``) or, for what it cannot play, from a raw
socket server; every case runs over real sockets, through the library and through the CLI.
"""

from __future__ import annotations

import email.utils
import json
import socket
import time
from typing import Any

import pytest

from immiche import (
    Client,
    ImmichConnectionError,
    InvalidResponseError,
    RateLimitError,
    RequestTimeoutError,
    RetryPolicy,
    ServerError,
)
from immiche.testing import FakeImmichServer
from tests.reliability._ledger import SYNTHETIC_SECRETS, Outcome
from tests.reliability._servers import Conn, ScriptedServer, Seen, http_head
from tests.reliability.conftest import Cli, ServerFactory, unused_port

KEY = SYNTHETIC_SECRETS["api_key"]
#: Retries as the default policy (3), but quickly; Retry-After up to 2 s is still honoured.
FAST = RetryPolicy(backoff=0.01, max_backoff=2.0)


def client_for(server: FakeImmichServer, **options: Any) -> Client:
    options.setdefault("retries", FAST)
    return Client(server.url, api_key=server.api_key, **options)


def hits(server: FakeImmichServer, path: str, method: str = "GET") -> int:
    return sum(1 for request in server.requests if request.path == path and request.method == method)


# -- unreachable servers ---------------------------------------------------------------------------


def test_connection_refused(outcome: Outcome) -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    with Client(url, api_key=KEY, retries=FAST) as client:
        error = outcome.raises(ImmichConnectionError, client.fetch_people)
    assert error.message == f"connection refused by {url}"
    assert "2283" in (error.hint or "")


def test_dns_failure(outcome: Outcome, cli: Cli) -> None:
    url = "http://immiche-reliability-no-such-host.invalid:2283"
    with Client(url, api_key=KEY, retries=FAST) as client:
        error = outcome.raises(ImmichConnectionError, client.whoami)
    assert "cannot resolve the host of" in error.message
    result = cli("whoami", "--server", url, "--api-key", KEY)
    outcome.cli_error(result, 5, contains="cannot resolve the host")


# -- broken connections ----------------------------------------------------------------------------


def test_reset_once_is_retried(outcome: Outcome, server: FakeImmichServer, cli: Cli) -> None:
    server.faults.add("reset", path="/api/people")
    with client_for(server) as client:
        assert len(client.fetch_people(with_hidden=True).people) == len(server.people)
    assert hits(server, "/api/people") == 2
    outcome.recovered()
    server.faults.add("reset", path="/api/search/person")
    result = cli("people", "search", "Ann", "--server", server.url, "--api-key", server.api_key)
    assert result.code == 0, result
    assert "Ann" in result.out
    outcome.recovered()


def test_reset_every_time_is_a_clear_error_after_the_retries(outcome: Outcome, server: FakeImmichServer) -> None:
    server.faults.add("reset", path="/api/people", times=-1)
    with client_for(server) as client:
        error = outcome.raises(ImmichConnectionError, client.fetch_people)
    assert "broke mid-request" in error.message
    assert error.path == "/people"
    assert hits(server, "/api/people") == 4  # the first attempt and 3 retries, no more


def _reset_mid_body(seen: Seen, conn: Conn) -> None:
    """Headers announcing 100 kB, 1 kB of the body, then a TCP reset."""
    conn.send(http_head(200, [("Content-Type", "application/json"), ("Content-Length", "100000")]))
    conn.send(b'{"people":[' + b" " * 1000)
    conn.reset()


def test_reset_mid_response(outcome: Outcome) -> None:
    with ScriptedServer(_reset_mid_body) as scripted:
        with Client(scripted.url, api_key=KEY, retries=FAST) as client:
            error = outcome.raises(ImmichConnectionError, client.fetch_people)
        assert "broke mid-request" in error.message
        assert scripted.paths().count("/api/people") == 4


def test_body_truncated_mid_thumbnail(outcome: Outcome, immich: ServerFactory) -> None:
    server = immich(thumbnail_size=300_000)  # several TCP reads: the cut really is mid-body
    person = server.people[0].id
    path = f"/api/people/{person}/thumbnail"
    server.faults.add("truncate", path=path)
    with client_for(server) as client:
        assert client.fetch_thumbnail(person) == server.thumbnail(person)
        outcome.recovered()
        server.faults.add("truncate", path=path, times=-1)
        error = outcome.raises(ImmichConnectionError, client.fetch_thumbnail, person)
    assert "broke mid-request" in error.message
    assert hits(server, path) == 2 + 4


# -- slow servers ----------------------------------------------------------------------------------


def test_slow_server_beyond_the_timeout(outcome: Outcome, server: FakeImmichServer, cli: Cli) -> None:
    server.faults.add("slow_body", path="/api/people", delay=20, times=-1)
    with client_for(server, timeout=0.3) as client:
        error = outcome.raises(RequestTimeoutError, client.fetch_people)
    assert "timed out trying to get an answer from" in error.message
    assert "--timeout" in (error.hint or "")
    result = cli("people", "list", "--timeout", "0.3", "--server", server.url, "--api-key", server.api_key)
    outcome.cli_error(result, 5, contains="timed out")


def test_slow_connect_beyond_the_timeout(outcome: Outcome) -> None:
    """A server that accepts no connection in time: a listening socket whose backlog is full."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        fillers = []
        try:
            for _ in range(8):  # fill the accept queue so that the next SYN is not answered
                filler = socket.socket()
                filler.setblocking(False)
                filler.connect_ex(listener.getsockname())
                fillers.append(filler)
            with Client(url, api_key=KEY, timeout=0.3, retries=0) as client:
                error = outcome.raises(RequestTimeoutError, client.fetch_people)
        finally:
            for filler in fillers:
                filler.close()
    assert error.message == f"timed out trying to connect to {url}"


# -- rate limits and bursts ------------------------------------------------------------------------


def test_429_with_retry_after_is_honoured(
    outcome: Outcome, server: FakeImmichServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)  # what the client waits, without waiting
    server.faults.add("rate_limit", path="/api/people", retry_after=2)
    with client_for(server) as client:
        assert len(client.fetch_people(with_hidden=True).people) == len(server.people)
    assert hits(server, "/api/people") == 2
    assert slept == [2.0]
    outcome.recovered()


@pytest.mark.parametrize("retry_after", ["3600", "http-date"])
def test_429_asking_for_too_long_a_wait_fails_at_once(
    outcome: Outcome, server: FakeImmichServer, cli: Cli, retry_after: str
) -> None:
    if retry_after == "http-date":
        retry_after = email.utils.formatdate(time.time() + 7200, usegmt=True)
    server.faults.add("rate_limit", path="/api/people", retry_after=retry_after, times=-1)
    with client_for(server) as client:
        error = outcome.raises(RateLimitError, client.fetch_people)
    assert error.status_code == 429
    assert hits(server, "/api/people") == 1
    assert "--concurrency" in (error.hint or "")
    result = cli("people", "list", "--server", server.url, "--api-key", server.api_key)
    outcome.cli_error(result, 5, contains="rate limited (429")


def test_502_503_504_burst_recovers(outcome: Outcome, server: FakeImmichServer) -> None:
    for status in (502, 503, 504):
        server.faults.add("status", status=status, path="/api/people")
    with client_for(server) as client:
        assert len(client.fetch_people(with_hidden=True).people) == len(server.people)
    assert hits(server, "/api/people") == 4
    outcome.recovered()


def test_503_that_never_recovers_fails_after_the_bound(outcome: Outcome, server: FakeImmichServer) -> None:
    server.faults.add("status", status=503, path="/api/people", times=-1)
    with client_for(server) as client:
        error = outcome.raises(ServerError, client.fetch_people)
    assert error.status_code == 503
    assert hits(server, "/api/people") == 4


def test_login_is_never_retried(outcome: Outcome, server: FakeImmichServer) -> None:
    server.faults.add("status", status=503, path="/api/auth/login")
    user = server.user
    outcome.raises(ServerError, Client.login, server.url, user.email, user.password, retries=FAST)
    assert hits(server, "/api/auth/login", "POST") == 1


# -- error bodies ----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_500_with_the_versions_error_body(outcome: Outcome, immich: ServerFactory, cli: Cli, version: str) -> None:
    server = immich(version=version)
    server.faults.add("status", status=500, path="/api/people", times=-1)
    with client_for(server) as client:
        error = outcome.raises(ServerError, client.fetch_people)
    assert error.status_code == 500
    assert error.server_message == "Internal server error"
    assert error.correlation_id is not None and len(error.correlation_id) == 8
    assert hits(server, "/api/people") == 1  # a 500 is not retried
    result = cli("people", "list", "--server", server.url, "--api-key", server.api_key)
    (line,) = outcome.cli_error(result, 5, contains="server error (500: Internal server error)")
    assert "[correlation id " in line


@pytest.mark.parametrize("status", [502, 404, 200])
def test_html_page_from_a_reverse_proxy(outcome: Outcome, server: FakeImmichServer, cli: Cli, status: int) -> None:
    server.faults.add("html", status=status, path="/api/people", times=-1)
    with client_for(server) as client:
        error = outcome.raises(ServerError if status == 502 else InvalidResponseError, client.fetch_people)
    if status == 502:
        assert error.message == "server error (502)"
        return  # the CLI's answer to retried 5xx is test_retried_faults_cli's
    assert "HTML page" in error.message
    result = cli("people", "list", "--server", server.url, "--api-key", server.api_key)
    outcome.cli_error(result, 5, contains="HTML page")


def test_proxy_404_page_instead_of_immich(outcome: Outcome, immich: ServerFactory, cli: Cli) -> None:
    """Immich behind a proxy at /photos, the user gives the bare host: the proxy's HTML 404s."""
    server = immich(base_path="/photos")
    bare = server.url.removesuffix("/photos")
    with Client(bare, api_key=server.api_key, retries=FAST) as client:
        error = outcome.raises(InvalidResponseError, client.fetch_people)
    assert "does not answer as an Immich server" in error.message
    assert all(request.credential is None for request in server.requests)
    result = cli("people", "list", "--server", bare, "--api-key", server.api_key)
    outcome.cli_error(result, 5, contains="does not answer as an Immich server")


@pytest.mark.parametrize(
    ("path", "what"),
    [("/api/people", "not JSON"), ("/api/server/version", "not JSON"), ("/api/search/person", "not JSON")],
)
def test_invalid_json(outcome: Outcome, server: FakeImmichServer, cli: Cli, path: str, what: str) -> None:
    server.faults.add("invalid_json", path=path, times=-1)
    with client_for(server) as client:
        if path == "/api/search/person":
            error = outcome.raises(InvalidResponseError, client.search_person, "Ann")
        else:
            error = outcome.raises(InvalidResponseError, client.fetch_people)
    assert what in error.message
    args = ["people", "search", "Ann"] if path == "/api/search/person" else ["people", "list"]
    result = cli(*args, "--server", server.url, "--api-key", server.api_key)
    outcome.cli_error(result, 5, contains=what)


@pytest.mark.parametrize(
    ("path", "model"),
    [("/api/people", "PeopleResponseDto"), ("/api/search/person", "[PersonResponseDto]"), ("/api/users/me", "User")],
)
def test_json_of_the_wrong_shape(outcome: Outcome, server: FakeImmichServer, cli: Cli, path: str, model: str) -> None:
    server.faults.add("wrong_shape", path=path, times=-1)
    calls = {
        "/api/people": (["people", "list"], lambda c: c.fetch_people()),
        "/api/search/person": (["people", "search", "Ann"], lambda c: c.search_person("Ann")),
        "/api/users/me": (["whoami"], lambda c: c.whoami()),
    }
    args, call = calls[path]
    with client_for(server) as client:
        error = outcome.raises(InvalidResponseError, call, client)
    assert f"does not fit {model}" in error.message
    result = cli(*args, "--server", server.url, "--api-key", server.api_key)
    outcome.cli_error(result, 5, contains="does not fit")


def test_wrong_shape_of_a_person_in_a_list(outcome: Outcome, server: FakeImmichServer) -> None:
    """A page whose people are not objects: clear error, not a TypeError from the model code."""

    def odd_page(seen: Seen, conn: Conn) -> None:
        conn.json(200, {"people": ["not-a-person", 42], "total": 2, "hidden": 0, "hasNextPage": False})

    with ScriptedServer(odd_page) as scripted, Client(scripted.url, api_key=KEY, retries=FAST) as client:
        outcome.raises(InvalidResponseError, client.fetch_people)


# -- the CLI's retries -----------------------------------------------------------------------------


@pytest.mark.slow
def test_retried_faults_cli(outcome: Outcome, immich: ServerFactory, cli: Cli) -> None:
    """Slow: the CLI retries with its default backoff (0.5 s, doubling, jittered). Its four cases
    run at once: a refused connection, resets that never stop and 503s that never stop (clear
    errors after exactly 1 + 3 attempts), and a 502/503/504 burst that it rides out."""
    refused = f"http://127.0.0.1:{unused_port()}"
    resets, unavailable, burst = immich(), immich(), immich()
    resets.faults.add("reset", path="/api/people", times=-1)
    unavailable.faults.add("status", status=503, path="/api/people", times=-1)
    for status in (502, 503, 504):
        burst.faults.add("status", status=status, path="/api/people")
    gone, reset, never, recovered = cli.many(
        (["people", "list"], {"env": {"IMMICH_INSTANCE_URL": refused, "IMMICH_API_KEY": KEY}}),
        ["people", "list", "--server", resets.url, "--api-key", resets.api_key],
        ["people", "list", "--server", unavailable.url, "--api-key", unavailable.api_key],
        ["people", "list", "--json", "--with-hidden", "--server", burst.url, "--api-key", burst.api_key],
    )
    outcome.cli_error(gone, 5, contains=f"connection refused by {refused}")
    outcome.cli_error(reset, 5, contains="broke mid-request")
    outcome.cli_error(never, 5, contains="server error (503")
    assert hits(resets, "/api/people") == hits(unavailable, "/api/people") == 4
    assert recovered.code == 0, recovered
    assert [person["id"] for person in json.loads(recovered.out)] == [person.id for person in burst.people]
    assert hits(burst, "/api/people") == 4
    outcome.recovered()
