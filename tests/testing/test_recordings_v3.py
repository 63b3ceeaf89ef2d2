"""The ``3.1.0`` mode answers like the real Immich v3.1.0 server that was recorded.

The recordings (``tests/fixtures/recorded/immich-v3.1.0/``, copied from the shared v3.1.0
recordings; see their FACTS.md) come from another library, so ids, names and dates differ: the
comparison is of statuses, error bodies (exactly), and the key sets of success bodies.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from immiche.testing import FakeImmichServer
from tests.testing.conftest import ServerFactory, client_for

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "recorded" / "immich-v3.1.0"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


def recorded(name: str) -> dict[str, Any]:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def server(server_factory: ServerFactory) -> FakeImmichServer:
    return server_factory(version="3.1.0")


def _ann(server: FakeImmichServer) -> str:
    return next(p.id for p in server.people if p.name == "Ann")


def _no_thumbnail(server: FakeImmichServer) -> str:
    return next(p.id for p in server.people if not p.has_thumbnail and p.face_count)


@pytest.mark.parametrize(
    ("name", "credential", "path"),
    [
        ("users_me_no_auth", None, "/users/me"),
        ("users_me_wrong_key", "wrong", "/users/me"),
        ("people_list_no_person_key", "none", "/people"),
        ("person_thumbnail_unknown_uuid", "all", f"/people/{UNKNOWN}/thumbnail"),
        ("person_thumbnail_no_face", "all", "/people/{no_thumbnail}/thumbnail"),
        ("person_get_unknown_uuid", "all", f"/people/{UNKNOWN}"),
        ("search_person_empty_name", "all", "/search/person?name="),
        ("server_version", None, "/server/version"),
    ],
)
def test_same_status_and_body(server: FakeImmichServer, name: str, credential: str | None, path: str) -> None:
    pair = recorded(name)
    headers = {"x-api-key": "wrong-key"} if credential == "wrong" else {}
    with client_for(server, None if credential == "wrong" else credential) as api:
        reply = api.get(path.format(no_thumbnail=_no_thumbnail(server)), headers=headers)
    assert (reply.status_code, reply.json()) == (pair["status"], pair["body"])
    assert len(reply.headers["x-correlation-id"]) == 8
    assert "x-immich-cid" not in reply.headers


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("people_list_size_not_int", "/people?size=abc"),
        ("people_list_withHidden_invalid", "/people?withHidden=maybe"),
        ("people_list_page0", "/people?page=0"),
        ("person_get_malformed_id", "/people/not-a-uuid"),
    ],
)
def test_same_validation_errors(server: FakeImmichServer, name: str, path: str) -> None:
    """Zod's issues: the same code, path and message (the recorded ones carry extra detail keys)."""
    pair = recorded(name)
    with client_for(server) as api:
        reply = api.get(path)
    assert reply.status_code == pair["status"] == 400
    body = reply.json()
    assert body["message"] == pair["body"]["message"] == "Validation failed"
    expected = [{k: issue[k] for k in ("code", "path", "message")} for issue in pair["body"]["errors"]]
    assert body["errors"] == expected


def test_same_keys_in_success_bodies(server: FakeImmichServer) -> None:
    with client_for(server) as api:
        about = api.get("/server/about").json()
        person = api.get(f"/people/{_ann(server)}").json()
        page = api.get("/people", params={"size": 1, "page": 1}).json()
        me = api.get("/users/me").json()
        login = api.post("/auth/login", json={"email": server.user.email, "password": server.user.password}).json()
    assert set(about) == set(recorded("server_about")["body"])
    assert set(person) - {"color"} == set(recorded("person_get_anna_berg")["body"]) - {"color"}
    recorded_page = recorded("people_list_size1_page1")["body"]
    assert set(page) == set(recorded_page)
    assert set(page["people"][0]) - {"color"} == set(recorded_page["people"][0]) - {"color"}
    assert set(me) == set(recorded("users_me_api_key_all")["body"])
    assert set(login) == set(recorded("auth_login")["body"])
