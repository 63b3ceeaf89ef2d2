"""The facade on a client generated from v3.2.2: answers of other versions parse; only what it reads counts."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

import immiche
from immiche.errors import InvalidResponseError
from tests.conftest import ROOT

BASE = "http://immich.local:2283"
KEY = "test-api-key-0123456789"
RECORDED = ROOT / "tests" / "fixtures" / "recorded" / "immich-v3.1.0"


def _body(name: str) -> object:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))["body"]


@pytest.fixture
def immich() -> respx.MockRouter:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.get("/.well-known/immich").mock(return_value=httpx.Response(200, json={"api": {"endpoint": "/api"}}))
        router.get("/api/server/ping").mock(return_value=httpx.Response(200, json={"res": "pong"}))
        yield router


@pytest.mark.parametrize("version", [(1, 132, 3), (2, 4, 1), (3, 0, 0), (3, 1, 0)])
def test_a_server_version_without_prerelease_connects(immich: respx.MockRouter, version: tuple[int, ...]) -> None:
    """v3.2 made ``prerelease`` required; older servers do not send it (the crash seen after the re-pin)."""
    major, minor, patch = version
    immich.get("/api/server/version").mock(
        return_value=httpx.Response(200, json={"major": major, "minor": minor, "patch": patch})
    )
    person = _body("person_get_anna_berg")
    assert isinstance(person, dict)
    immich.get(f"/api/people/{person['id']}").mock(return_value=httpx.Response(200, json=person))
    with immiche.Client(BASE, api_key=KEY) as client:
        assert client.server_version() == immiche.ServerVersion(major, minor, patch)
        assert client.fetch_person(str(person["id"])).name == person["name"]


def test_a_missing_field_the_facade_reads_is_a_clear_error_not_unset(immich: respx.MockRouter) -> None:
    immich.get("/api/server/version").mock(return_value=httpx.Response(200, json={"major": 3, "minor": 1, "patch": 0}))
    person = _body("person_get_anna_berg")
    assert isinstance(person, dict)
    without_hidden = {key: value for key, value in person.items() if key != "isHidden"}
    immich.get(f"/api/people/{person['id']}").mock(return_value=httpx.Response(200, json=without_hidden))
    immich.get("/api/search/person").mock(return_value=httpx.Response(200, json=[without_hidden]))
    with immiche.Client(BASE, api_key=KEY) as client:
        with pytest.raises(
            InvalidResponseError, match="does not fit PersonResponseDto: the field 'isHidden' is missing"
        ):
            client.fetch_person(str(person["id"]))
        with pytest.raises(InvalidResponseError, match=r"does not fit \[PersonResponseDto\]: the field 'isHidden'"):
            client.search_person("Ann")


def test_a_missing_field_the_facade_does_not_read_is_fine(immich: respx.MockRouter) -> None:
    immich.get("/api/server/version").mock(return_value=httpx.Response(200, json={"major": 3, "minor": 1, "patch": 0}))
    immich.get("/api/users/me").mock(
        return_value=httpx.Response(
            200, json={"id": "5174df3b-37a7-46b2-a6c6-5cee411fbdae", "email": "a@b.c", "name": "A", "isAdmin": False}
        )
    )
    with immiche.Client(BASE, api_key=KEY) as client:
        assert client.whoami().email == "a@b.c"
