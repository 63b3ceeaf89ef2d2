"""Cookies and credentials across origins (issue 12, item 1).

Immich answers a password login with ``Set-Cookie: immich_access_token=<token>``. immiche never
stores or sends a cookie: not in the pools it creates, and not in an ``httpx`` client it is given,
which must not even be fed the cookie (its other requests, immiche's or not, would carry it). Two
servers on real sockets: A (the fake Immich, which logs in and sets cookies) and B (a scripted
server that records every header unredacted). No request to B, through any path (discovery,
probe, API calls, a refused redirect, the low-level client, the shared client used directly),
carries a cookie or any of A's credentials; no request to A carries a cookie.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from immiche import AsyncClient, Client, UnexpectedRedirectError
from immiche.testing import FakeImmichServer
from tests.reliability._ledger import SYNTHETIC_SECRETS, Outcome
from tests.reliability._servers import Conn, ScriptedServer, Seen

OTHER_KEY = SYNTHETIC_SECRETS["other_key"]
PERSON = "5174df3b-37a7-46b2-a6c6-5cee411fbdae"


class ServerB:
    """Answers the people list, and redirects a person to server A."""

    def __init__(self) -> None:
        self.redirect_to = ""

    def __call__(self, seen: Seen, conn: Conn) -> None:
        if seen.path == "/api/people":
            conn.json(200, {"total": 0, "hidden": 0, "people": [], "hasNextPage": False})
        elif seen.path.startswith("/api/people/"):
            conn.answer(302, b"", "text/plain", Location=f"{self.redirect_to}/api/people/{PERSON}")
        else:
            conn.json(404, {"message": "Not Found", "statusCode": 404})


@pytest.fixture
def server_b() -> Iterator[tuple[ScriptedServer, ServerB]]:
    handler = ServerB()
    with ScriptedServer(handler) as scripted:
        yield scripted, handler


def _check_no_cross_origin_credential(
    a: FakeImmichServer, b: ScriptedServer, secrets: list[str], own_b_key: str
) -> None:
    assert b.requests, "server B saw no request"
    for seen in b.requests:
        assert "cookie" not in seen.headers, f"a cookie reached server B: {seen.method} {seen.target}"
        for name, value in seen.headers.items():
            for secret in secrets:
                assert secret not in value, f"server A's credential reached B in {name}: {seen.method} {seen.path}"
            if name in ("x-api-key", "authorization"):
                assert value == own_b_key, f"a foreign credential reached B in {name}"
    for request in a.requests:
        assert "cookie" not in request.headers, f"a cookie reached server A: {request.method} {request.path}"


def test_a_shared_pool_never_stores_or_sends_the_login_cookie(
    outcome: Outcome, immich: object, server_b: tuple[ScriptedServer, ServerB]
) -> None:
    a: FakeImmichServer = immich()  # type: ignore[operator]
    b, handler = server_b
    handler.redirect_to = a.url
    user = a.users[0]
    with httpx.Client() as shared:
        login = Client.login(a.url, user.email, user.password, http_client=shared)
        token = outcome.secret(login.access_token, "login token")
        assert len(shared.cookies.jar) == 0, "the login cookie landed in the shared client"
        Client.probe(b.url, http_client=shared)
        with Client(b.url, api_key=OTHER_KEY, http_client=shared) as on_b:
            assert on_b.fetch_people().total == 0
            outcome.raises(UnexpectedRedirectError, on_b.fetch_person, PERSON)  # refused, never followed
            from immich_client.api.people import get_all_people

            get_all_people.sync_detailed(client=on_b.low_level)
        with Client(a.url, access_token=token, http_client=shared) as on_a:
            assert on_a.whoami().email == user.email
            on_a.fetch_people()
            assert on_a.logout() is True  # answered with expired cookies
        with Client(a.url, api_key=a.api_key, http_client=shared) as on_a:
            on_a.fetch_people()
        assert len(shared.cookies.jar) == 0
        shared.get(f"{b.url}/api/people")  # the shared client used directly afterwards
    with Client(a.url, access_token=a.login_token()) as own:  # a pool immiche creates
        own.whoami()
        own.logout()
        assert len(own._http.cookies.jar) == 0
        with Client(b.url, api_key=OTHER_KEY) as own_b:
            own_b.fetch_people()
    _check_no_cross_origin_credential(a, b, [token, a.api_key, user.password], OTHER_KEY)


def test_a_shared_async_pool_never_stores_or_sends_the_login_cookie(
    outcome: Outcome, immich: object, server_b: tuple[ScriptedServer, ServerB]
) -> None:
    a: FakeImmichServer = immich()  # type: ignore[operator]
    b, handler = server_b
    handler.redirect_to = a.url
    user = a.users[0]

    async def run() -> str:
        async with httpx.AsyncClient() as shared:
            login = await AsyncClient.login(a.url, user.email, user.password, http_client=shared)
            token = outcome.secret(login.access_token, "login token")
            assert len(shared.cookies.jar) == 0, "the login cookie landed in the shared client"
            await AsyncClient.probe(b.url, http_client=shared)
            async with AsyncClient(b.url, api_key=OTHER_KEY, http_client=shared) as on_b:
                assert (await on_b.fetch_people()).total == 0
                try:
                    await on_b.fetch_person(PERSON)
                except UnexpectedRedirectError as error:
                    outcome.clear_error(error)
                else:
                    raise AssertionError("the redirect was not refused")
            async with AsyncClient(a.url, access_token=token, http_client=shared) as on_a:
                await on_a.whoami()
                assert await on_a.logout() is True
            assert len(shared.cookies.jar) == 0
            await shared.get(f"{b.url}/api/people")
            return token

    token = asyncio.run(run())
    _check_no_cross_origin_credential(a, b, [token, a.api_key, user.password], OTHER_KEY)


def test_the_shared_clients_own_headers_and_auth_are_not_used(
    outcome: Outcome, server_b: tuple[ScriptedServer, ServerB]
) -> None:
    """A shared client set up for another service (its default x-api-key, its auth) lends immiche
    its pool only: none of its credentials travel with immiche's requests."""
    b, _ = server_b
    foreign = SYNTHETIC_SECRETS["token"]
    with httpx.Client(headers={"x-api-key": foreign}, auth=("someone", foreign)) as shared:
        shared.cookies.set("session", foreign)
        Client.probe(b.url, http_client=shared)
        with Client(b.url, api_key=OTHER_KEY, http_client=shared) as client:
            client.fetch_people()
        assert shared.headers["x-api-key"] == foreign  # the shared client itself is untouched
    _check_no_cross_origin_credential_b_only(b, foreign)


def _check_no_cross_origin_credential_b_only(b: ScriptedServer, foreign: str) -> None:
    assert b.requests
    for seen in b.requests:
        assert all(foreign not in value for value in seen.headers.values()), (seen.method, seen.path, seen.headers)
