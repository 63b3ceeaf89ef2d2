"""Redirects are never followed with a credential: http -> https, and a redirect to another host.

A second server (another origin: another host name and port) records every header it receives;
it must never see an API key, a token or a password, whatever the first one answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from immiche import Client, UnexpectedRedirectError
from immiche.testing import FakeImmichServer
from tests.reliability._ledger import SYNTHETIC_SECRETS, Outcome
from tests.reliability._servers import Conn, ScriptedServer, Seen, TlsProxy
from tests.reliability.conftest import Certificates, Cli

KEY = SYNTHETIC_SECRETS["api_key"]
TOKEN = SYNTHETIC_SECRETS["token"]
PASSWORD = SYNTHETIC_SECRETS["password"]
_EMPTY_PAGE = {"people": [], "total": 0, "hidden": 0, "hasNextPage": False}


def _answer_ok(seen: Seen, conn: Conn) -> None:
    conn.json(200, _EMPTY_PAGE)


@pytest.fixture
def elsewhere() -> Iterator[ScriptedServer]:
    """Another origin (``localhost`` instead of ``127.0.0.1``, another port) that answers anything."""
    with ScriptedServer(_answer_ok) as other:
        yield other


def other_origin(server: ScriptedServer) -> str:
    return f"http://localhost:{server.port}"


def assert_never_saw_a_credential(server: ScriptedServer) -> None:
    for request in server.requests:
        assert not {"x-api-key", "authorization", "cookie"} & set(request.headers), request
        for value in request.headers.values():
            assert KEY not in value and TOKEN not in value
        assert PASSWORD.encode() not in request.body


class Redirecting:
    """Answers the discovery like Immich, then redirects ``paths`` (all others: an empty page)."""

    def __init__(self, location: str, status: int = 302, paths: tuple[str, ...] = ("/api/",)) -> None:
        self.location = location
        self.status = status
        self.paths = paths

    def __call__(self, seen: Seen, conn: Conn) -> None:
        if seen.path.startswith(self.paths):
            conn.answer(self.status, b"", "text/plain", Location=self.location + seen.target)
        else:
            conn.json(200, _EMPTY_PAGE)


# -- http -> https ---------------------------------------------------------------------------------


def test_http_to_https_is_not_followed(
    outcome: Outcome, server: FakeImmichServer, certificates: Certificates, cli: Cli
) -> None:
    """A proxy that sends every plain-http request to its https side, like nginx's ``return 301``."""
    with TlsProxy(server.port, certificates.server_context()) as tls:
        with ScriptedServer(Redirecting(tls.url, 301, ("/",)), discovery=False) as plain:
            with Client(plain.url, api_key=server.api_key) as client:
                error = outcome.raises(UnexpectedRedirectError, client.fetch_people)
            assert error.location == f"{tls.url}/.well-known/immich"
            assert error.suggested_url == tls.url  # the https side: the place to point immiche at
            assert f"use {tls.url} as the server URL" in (error.hint or "")
            result = cli("people", "list", "--server", plain.url, "--api-key", server.api_key)
            outcome.cli_error(result, 5, contains="the server redirects (301)")
            assert f"use {tls.url}" in result.err
            assert_never_saw_a_credential(plain)
        assert server.requests == []  # the https side was never contacted
        with Client(error.suggested_url, api_key=server.api_key, verify=certificates.cert) as client:
            assert client.fetch_people().people  # the suggestion works


def test_http_to_https_on_the_default_ports_suggests_the_https_url(outcome: Outcome) -> None:
    """``http://host`` redirected to ``https://host/...``: the suggestion keeps the host, drops the port."""
    with ScriptedServer(Redirecting("https://localhost", 301, ("/",)), discovery=False) as plain:
        url = f"http://localhost:{plain.port}"
        with Client(url, api_key=KEY) as client:
            error = outcome.raises(UnexpectedRedirectError, client.whoami)
        assert error.location == "https://localhost/.well-known/immich"
        assert error.suggested_url == "https://localhost"
        assert_never_saw_a_credential(plain)


# -- a redirect to another origin ------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_to_another_host_never_carries_the_api_key(
    outcome: Outcome, elsewhere: ScriptedServer, status: int
) -> None:
    with ScriptedServer(Redirecting(other_origin(elsewhere), status)) as first:
        with Client(first.url, api_key=KEY) as client:
            error = outcome.raises(UnexpectedRedirectError, client.fetch_people)
        assert error.location.startswith(other_origin(elsewhere) + "/api/people")
        assert error.suggested_url is None
        assert any(request.headers.get("x-api-key") == KEY for request in first.requests)  # sent where meant
    assert elsewhere.requests == []


def test_redirect_with_a_shared_client_that_follows_redirects(outcome: Outcome, elsewhere: ScriptedServer) -> None:
    """Even on a caller's httpx.Client built with follow_redirects=True."""
    with (
        ScriptedServer(Redirecting(other_origin(elsewhere), 307)) as first,
        httpx.Client(follow_redirects=True) as shared,
    ):
        client = Client(first.url, api_key=KEY, http_client=shared)
        outcome.raises(UnexpectedRedirectError, client.fetch_people)
        outcome.raises(UnexpectedRedirectError, client.search_person, "Ann")
        client.close()
    assert elsewhere.requests == []


def test_redirect_of_a_login_token_and_of_a_password(outcome: Outcome, elsewhere: ScriptedServer) -> None:
    with ScriptedServer(Redirecting(other_origin(elsewhere), 307)) as first:
        with Client(first.url, access_token=TOKEN) as client:
            outcome.raises(UnexpectedRedirectError, client.whoami)
        outcome.raises(UnexpectedRedirectError, Client.login, first.url, "admin@example.com", PASSWORD)
        assert any(PASSWORD.encode() in request.body for request in first.requests)  # sent where meant
    assert elsewhere.requests == []


def test_redirect_to_another_host_cli(outcome: Outcome, elsewhere: ScriptedServer, cli: Cli) -> None:
    with ScriptedServer(Redirecting(other_origin(elsewhere), 302)) as first:
        runs = cli.many(
            ["people", "list", "--server", first.url, "--api-key", KEY],
            (["login", "--server", first.url, "--email", "admin@example.com", "--password-stdin"], {"input": PASSWORD}),
            (["login", "--server", first.url, "--api-key-stdin"], {"input": KEY}),
        )
        for result in runs:
            outcome.cli_error(result, 5, contains="redirects")
    assert elsewhere.requests == []
    assert not (cli.config / "profiles").exists()  # nothing saved


def test_well_known_pointing_at_another_origin_is_ignored(outcome: Outcome, elsewhere: ScriptedServer) -> None:
    """``/.well-known/immich`` announcing an absolute API root elsewhere: the credential stays home."""

    def immich_with_a_hostile_well_known(seen: Seen, conn: Conn) -> None:
        documents = {
            "/.well-known/immich": {"api": {"endpoint": other_origin(elsewhere) + "/api"}},
            "/api/server/ping": {"res": "pong"},
            "/api/server/version": {"major": 2, "minor": 4, "patch": 1},
        }
        conn.json(200, documents.get(seen.path, _EMPTY_PAGE))

    with ScriptedServer(immich_with_a_hostile_well_known, discovery=False) as first:
        with Client(first.url, api_key=KEY) as client:
            assert client.fetch_people().total == 0
            assert client.api_root == first.url + "/api"
        assert any(request.headers.get("x-api-key") == KEY for request in first.requests)
    assert elsewhere.requests == []


def test_redirect_body_and_location_are_not_echoed_with_secrets(outcome: Outcome, elsewhere: ScriptedServer) -> None:
    """A Location that carries the query back (as some proxies do): the error shows the location,
    which holds no credential since immiche never puts one in a URL."""
    with ScriptedServer(Redirecting(other_origin(elsewhere) + "/login?next=", 302)) as first:
        with Client(first.url, api_key=KEY) as client:
            error = outcome.raises(UnexpectedRedirectError, client.search_person, "Ann")
    assert "next=/api/search/person" in error.location
    outcome.saw(json.dumps({"location": error.location}), "redirect location")
