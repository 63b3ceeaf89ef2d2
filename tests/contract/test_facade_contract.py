"""Every facade method, sync and async, sends only requests the pinned spec allows (checked by Prism).

Prism answers with example data built from the schemas, so these tests judge the requests, not the
results: any request Prism refuses fails the test with Prism's message. The one request outside the
spec, discovery's ``GET /.well-known/immich``, is expected to get Prism's 404 (the facade then falls
back to ``/api``). Prism's made-up server version (-9007199254740991) triggers the facade's
version warning, which is asserted once per client.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import immiche
from tests.contract.conftest import PrismGuard, PrismServer

pytestmark = pytest.mark.prism

KEY = "prism-api-key-0000"
PERSON = "5174df3b-37a7-46b2-a6c6-4cee411fbdae"


class FacadeGuard:
    """PrismGuard for everything but the discovery document, which is not part of the spec."""

    def __init__(self) -> None:
        self.guard = PrismGuard()
        self.paths: list[str] = []

    def check(self, response: httpx.Response) -> None:
        __tracebackhide__ = True
        self.paths.append(f"{response.request.method} {response.request.url.path}")
        if response.request.url.path == "/.well-known/immich":
            assert response.status_code == 404
            return
        self.guard(response)

    async def acheck(self, response: httpx.Response) -> None:
        __tracebackhide__ = True
        self.check(response)


@pytest.fixture
def facade_guard() -> FacadeGuard:
    return FacadeGuard()


@pytest.fixture
def client(prism: PrismServer, facade_guard: FacadeGuard) -> Iterator[immiche.Client]:
    with httpx.Client(event_hooks={"response": [facade_guard.check]}) as http:
        client = immiche.Client(prism.url, api_key=KEY, http_client=http, retries=0)
        with pytest.warns(immiche.ImmichVersionWarning):
            client.connect()
        yield client
        client.close()


def test_discovery_falls_back_to_api_and_confirms_with_ping(client: immiche.Client, facade_guard: FacadeGuard) -> None:
    assert facade_guard.paths == ["GET /.well-known/immich", "GET /api/server/ping", "GET /api/server/version"]
    assert client.api_root.endswith("/api")


def test_people_methods(client: immiche.Client, facade_guard: FacadeGuard, tmp_path: Path) -> None:
    assert isinstance(client.fetch_people(), immiche.PeopleResponse)
    assert isinstance(client.fetch_people(with_hidden=True), immiche.PeopleResponse)
    list(client.iter_people(page_size=10))
    client.search_person("Ann")
    client.search_person("Zoë", with_hidden=True)
    client.fetch_person(PERSON)
    assert client.fetch_thumbnail(PERSON)
    assert client.download_thumbnail(PERSON, tmp_path / "one.jpg").exists()
    result = client.download_thumbnails([PERSON], tmp_path / "bulk", concurrency=2)
    assert result.ok
    assert isinstance(client.whoami(), immiche.User)
    assert client.ping() is True
    sent = set(facade_guard.paths)
    assert {
        "GET /api/people",
        "GET /api/search/person",
        f"GET /api/people/{PERSON}",
        f"GET /api/people/{PERSON}/thumbnail",
        "GET /api/users/me",
    } <= sent


def test_login_and_logout(prism: PrismServer, facade_guard: FacadeGuard) -> None:
    with httpx.Client(event_hooks={"response": [facade_guard.check]}) as http, warnings.catch_warnings():
        warnings.simplefilter("ignore", immiche.ImmichVersionWarning)
        result = immiche.Client.login(prism.url, "admin@example.com", "a-password", http_client=http)
        with immiche.Client(prism.url, access_token="prism-token", http_client=http) as client:
            client.logout()
    assert result.access_token
    assert "POST /api/auth/login" in facade_guard.paths
    assert "POST /api/auth/logout" in facade_guard.paths


@pytest.mark.anyio
async def test_async_methods(prism: PrismServer, facade_guard: FacadeGuard, tmp_path: Path) -> None:
    async with (
        httpx.AsyncClient(event_hooks={"response": [facade_guard.acheck]}) as http,
        immiche.AsyncClient(prism.url, api_key=KEY, http_client=http, retries=0) as client,
    ):
        with pytest.warns(immiche.ImmichVersionWarning):
            await client.connect()
        await client.fetch_people(with_hidden=True)
        [p async for p in client.iter_people(page_size=5)]
        await client.search_person("Ann")
        await client.fetch_person(PERSON)
        await client.fetch_thumbnail(PERSON)
        await client.download_thumbnail(PERSON, tmp_path / "a.jpg")
        assert (await client.download_thumbnails([PERSON], tmp_path / "b")).ok
        await client.whoami()
        await client.ping()
    assert "GET /api/people" in facade_guard.paths


def test_a_facade_request_the_spec_forbids_would_fail(prism: PrismServer) -> None:
    """The guard is live for facade traffic: a page size the spec forbids is refused by Prism."""
    from immiche._ops import people

    guard = PrismGuard()
    with httpx.Client(event_hooks={"response": [guard]}) as http, warnings.catch_warnings():
        warnings.simplefilter("ignore", immiche.ImmichVersionWarning)
        client = immiche.Client(f"{prism.url}/api", api_key=KEY, http_client=http, retries=0)
        with guard.expect_rejection():
            client.connect()  # the well-known 404 is the refusal expected here
        send = client._engine.build(client.low_level, people.PEOPLE, page=1, size=5000, with_hidden=False)
        with guard.expect_rejection() as responses:
            http.request(send.method, send.url, params=send.options["params"], headers={"x-api-key": KEY})
    assert responses[0].status_code == 422


OTHER = "6274df3b-37a7-46b2-a6c6-4cee411fbdae"
ASSET = "7374df3b-37a7-46b2-a6c6-4cee411fbdae"
FACE = "8474df3b-37a7-46b2-a6c6-4cee411fbdae"
#: What Prism's made-up answers (negative counts, ids that were not asked) may raise: the requests are judged.
PRISM_ANSWERS = (immiche.MergeError, immiche.InvalidResponseError, immiche.PersonNotFoundError)


def _curation_calls(client: Any) -> list[tuple[str, Callable[[], Any]]]:
    """Every curation method, with the request(s) it makes (Prism's made-up answers may not verify)."""
    return [
        ("PUT /api/people/{PERSON}", lambda: client.update_person(PERSON, name="Ann", birth_date=None, color=None)),
        (
            "PUT /api/people/{PERSON}",
            lambda: client.update_person(
                PERSON, birth_date="1985-07-15", is_hidden=True, is_favorite=False, feature_face_asset_id=ASSET
            ),
        ),
        (
            "PUT /api/people",
            lambda: client.update_people(
                [{"id": PERSON, "name": "Bo", "birth_date": None}, {"id": OTHER, "is_hidden": False}]
            ),
        ),
        ("PUT /api/people/{OTHER}", lambda: client.update_people([{"id": OTHER, "color": "#abcdef"}])),
        ("POST /api/people/{PERSON}/merge", lambda: client.merge_people(PERSON, [OTHER])),
        ("DELETE /api/people", lambda: client.delete_people([PERSON, OTHER])),
        ("PUT /api/people/{PERSON}/reassign", lambda: client.reassign_faces(PERSON, [(ASSET, OTHER)])),
        ("PUT /api/faces/{PERSON}", lambda: client.reassign_face(FACE, PERSON)),
        ("GET /api/people/{PERSON}/statistics", lambda: client.fetch_person_statistics(PERSON)),
        ("GET /api/people/{OTHER}/statistics", lambda: client.fetch_asset_counts([OTHER], concurrency=2)),
        ("GET /api/people", lambda: client.find_person("Ann")),
    ]


def _run_curation(calls: list[tuple[str, Callable[[], Any]]], facade_guard: FacadeGuard) -> None:
    for expected, call in calls:
        with contextlib.suppress(*PRISM_ANSWERS):  # Prism's example answers are not what was asked
            call()
        assert expected.format(PERSON=PERSON, OTHER=OTHER) in facade_guard.paths


def test_curation_methods(client: immiche.Client, facade_guard: FacadeGuard) -> None:
    """Prism's made-up version (negative) takes the legacy merge; the v3.2.1 one is checked below."""
    _run_curation(_curation_calls(client), facade_guard)


def test_the_v3_2_1_merge_endpoint(client: immiche.Client, facade_guard: FacadeGuard) -> None:
    client._server_version = immiche.ServerVersion(3, 2, 2)  # Prism answers a version no server has
    with contextlib.suppress(*PRISM_ANSWERS):
        client.merge_people(PERSON, [OTHER])
    assert "POST /api/people/merge" in facade_guard.paths


@pytest.mark.anyio
async def test_async_curation_methods(prism: PrismServer, facade_guard: FacadeGuard) -> None:
    async with (
        httpx.AsyncClient(event_hooks={"response": [facade_guard.acheck]}) as http,
        immiche.AsyncClient(prism.url, api_key=KEY, http_client=http, retries=0) as client,
    ):
        with pytest.warns(immiche.ImmichVersionWarning):
            await client.connect()
        for expected, call in _curation_calls(client):
            with contextlib.suppress(*PRISM_ANSWERS):
                await call()
            assert expected.format(PERSON=PERSON, OTHER=OTHER) in facade_guard.paths
