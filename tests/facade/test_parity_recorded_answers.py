"""Every recorded real v2.4.1 answer, replayed by respx, for BOTH clients.

The recorded-answer tests run with ``immiche.Client`` and with
``immiche.AsyncClient`` (through :mod:`tests.facade._parity`).
"""

from __future__ import annotations

import datetime
from pathlib import Path

import httpx
import pytest
import respx

import immiche
from immiche import errors
from tests.facade._parity import Flavour, flavour_fixture
from tests.facade.conftest import API, BASE, KEY, RECORDED, recorded, recorded_response

ANN = "e991c2d4-80c1-48dd-99a3-a3ee13e07c0c"
UNKNOWN = "00000000-0000-4000-8000-000000000000"


flavour = flavour_fixture()


@pytest.fixture
def client(immich: respx.MockRouter, flavour: Flavour) -> immiche.Client:
    with flavour.client(BASE, api_key=KEY, retries=0) as client:
        yield client  # type: ignore[misc]


def test_people_pages_are_followed_with_has_next_page(immich: respx.MockRouter, client: immiche.Client) -> None:
    """Page by page as recorded with size=1 (pages 1, 2, ..., 5 where page 5 is past the end)."""
    pages = {
        1: "people_list_size1_page1",
        2: "people_list_size1_page2",
        4: "people_list_size1_page4",
        5: "people_list_size1_page5",
    }
    expected_names = []
    for number in (1, 2, 4):
        expected_names += [p["name"] for p in recorded(pages[number])["body"]["people"]]

    def answer(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        assert request.url.params["size"] == "1"
        if page == 3:  # not recorded: serve page 2's shape with page 4's person swapped in order
            return recorded_response("people_list_size2_page2")
        return recorded_response(pages[page])

    immich.get("/api/people").mock(side_effect=answer)
    seen = [p.name for p in client.iter_people(page_size=1)]
    assert seen[:2] == expected_names[:2]
    assert len(seen) >= 4


def test_default_people_list(immich: respx.MockRouter, client: immiche.Client) -> None:
    immich.get("/api/people").mock(return_value=recorded_response("people_list_default"))
    result = client.fetch_people()
    body = recorded("people_list_default")["body"]
    assert result.total == body["total"] == 5
    assert result.hidden == body["hidden"] == 1
    assert result.visible == 4
    assert [p.id for p in result.people] == [p["id"] for p in body["people"]]
    first = result.people[0]
    assert isinstance(first.updated_at, datetime.datetime)
    assert first.updated_at.tzinfo is not None
    request = immich.calls.last.request
    assert request.url.params["size"] == "1000"
    assert request.url.params["page"] == "1"
    assert request.url.params["withHidden"] == "false"
    assert request.headers["x-api-key"] == KEY
    assert "authorization" not in request.headers


def test_with_hidden_list_marks_hidden_people(immich: respx.MockRouter, client: immiche.Client) -> None:
    immich.get("/api/people").mock(return_value=recorded_response("people_list_withHidden"))
    result = client.fetch_people(with_hidden=True)
    assert immich.calls.last.request.url.params["withHidden"] == "true"
    hidden = [p for p in result.people if p.is_hidden]
    assert len(hidden) == 1
    assert hidden[0].name == next(
        p["name"] for p in recorded("people_list_withHidden")["body"]["people"] if p["isHidden"]
    )


@pytest.mark.parametrize(
    "name", ["person_get_ann", "person_get_hidden", "person_get_no_face", "person_get_person_read_key"]
)
def test_person_bodies(immich: respx.MockRouter, client: immiche.Client, name: str) -> None:
    body = recorded(name)["body"]
    immich.get(f"/api/people/{body['id']}").mock(return_value=recorded_response(name))
    person = client.fetch_person(body["id"])
    assert person.id == body["id"]
    assert person.name == body["name"]
    assert person.is_hidden is body["isHidden"]
    assert person.thumbnail_path == body["thumbnailPath"]
    assert person.birth_date == (datetime.date.fromisoformat(body["birthDate"]) if body["birthDate"] else None)
    assert person.color == body.get("color")


SEARCHES = sorted(p.stem for p in RECORDED.glob("search_person_*.json") if recorded(p.stem)["status"] == 200)


@pytest.mark.parametrize("name", SEARCHES)
def test_search_bodies(immich: respx.MockRouter, client: immiche.Client, name: str) -> None:
    pair = recorded(name)
    query = httpx.URL(pair["request"]["url"]).params
    immich.get("/api/search/person").mock(return_value=recorded_response(name))
    found = client.search_person(query["name"], with_hidden=query.get("withHidden") == "true")
    assert [p.id for p in found] == [p["id"] for p in pair["body"]]
    assert immich.calls.last.request.url.params["name"] == query["name"]


def test_thumbnail_bytes_and_download(immich: respx.MockRouter, client: immiche.Client, tmp_path: Path) -> None:
    jpeg = (RECORDED / "person_thumbnail_ann.jpg").read_bytes()
    immich.get(f"/api/people/{ANN}/thumbnail").mock(return_value=recorded_response("person_thumbnail_ann"))
    assert client.fetch_thumbnail(ANN) == jpeg
    target = client.download_thumbnail(ANN, tmp_path / "nested" / "ann.jpg")
    assert target.read_bytes() == jpeg
    assert sorted(p.name for p in target.parent.iterdir()) == ["ann.jpg"]


ERRORS = [
    # (recording, method, facade call, exception class, message fragment)
    ("person_get_unknown_uuid", "fetch_person", errors.NotFoundError, "Not found or no person.read access"),
    ("person_get_uppercase_uuid", "fetch_person", errors.NotFoundError, "Not found or no person.read access"),
    (
        "person_get_no_person_key",
        "fetch_person",
        errors.PermissionDeniedError,
        "Missing required permission: person.read",
    ),
    ("person_get_wrong_key", "fetch_person", errors.AuthenticationError, "Invalid API key"),
    ("person_get_no_auth", "fetch_person", errors.AuthenticationError, "Authentication required"),
    ("person_thumbnail_no_face", "fetch_thumbnail", errors.NotFoundError, "Not Found"),
    ("person_thumbnail_face_no_feature", "fetch_thumbnail", errors.NotFoundError, "Not Found"),
    ("person_thumbnail_unknown_uuid", "fetch_thumbnail", errors.NotFoundError, "Not found or no person.read access"),
    ("person_thumbnail_no_person_key", "fetch_thumbnail", errors.PermissionDeniedError, "person.read"),
    ("person_thumbnail_wrong_key", "fetch_thumbnail", errors.AuthenticationError, "Invalid API key"),
    ("person_thumbnail_no_auth", "fetch_thumbnail", errors.AuthenticationError, "Authentication required"),
]


@pytest.mark.parametrize(("name", "method", "error", "fragment"), ERRORS)
def test_error_bodies(
    immich: respx.MockRouter, client: immiche.Client, name: str, method: str, error: type[Exception], fragment: str
) -> None:
    pair = recorded(name)
    url = httpx.URL(pair["request"]["url"])
    person_id = url.path.split("/")[3]
    # immiche sends ids in canonical (lower-case) UUID form
    immich.get(url.path.lower()).mock(return_value=recorded_response(name))
    with pytest.raises(error) as info:
        getattr(client, method)(person_id.lower())
    err = info.value
    assert isinstance(err, errors.APIStatusError)
    assert err.status_code == pair["status"]
    assert fragment in (err.server_message or "")
    assert err.correlation_id == pair["body"]["correlationId"]
    assert err.method == "GET"
    assert err.path is not None
    assert err.path.startswith("/people/{id}")
    assert KEY not in str(err)
    if isinstance(err, errors.PermissionDeniedError):
        assert err.permission == "person.read"
        assert "person.read" in (err.hint or "")


@pytest.mark.parametrize(
    ("name", "error", "fragment"),
    [
        ("people_list_no_person_key", errors.PermissionDeniedError, "person.read"),
        ("people_list_wrong_key", errors.AuthenticationError, "Invalid API key"),
        ("people_list_no_auth", errors.AuthenticationError, "Authentication required"),
        ("people_list_bearer_logged_out", errors.AuthenticationError, "Invalid user token"),
        ("people_list_size_not_int", errors.BadRequestError, "size must be an integer number"),
        ("people_list_size0", errors.BadRequestError, "size must not be less than 1"),
        ("people_list_page0", errors.BadRequestError, "page must not be less than 1"),
        ("people_list_withHidden_invalid", errors.BadRequestError, "withHidden"),
    ],
)
def test_people_list_errors(
    immich: respx.MockRouter, client: immiche.Client, name: str, error: type[errors.APIStatusError], fragment: str
) -> None:
    immich.get("/api/people").mock(return_value=recorded_response(name))
    with pytest.raises(error) as info:
        client.fetch_people()
    assert fragment in (info.value.server_message or "")
    if isinstance(info.value, errors.BadRequestError) and name == "people_list_size_not_int":
        assert len(info.value.details) == 3


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("search_person_empty_name", errors.BadRequestError),
        ("search_person_no_person_key", errors.PermissionDeniedError),
    ],
)
def test_search_errors(immich: respx.MockRouter, client: immiche.Client, name: str, error: type[Exception]) -> None:
    immich.get("/api/search/person").mock(return_value=recorded_response(name))
    with pytest.raises(error):
        client.search_person("x")


def test_whoami_and_version(immich: respx.MockRouter, client: immiche.Client) -> None:
    immich.get("/api/users/me").mock(return_value=recorded_response("users_me_api_key_all"))
    me = client.whoami()
    body = recorded("users_me_api_key_all")["body"]
    assert (me.email, me.name, me.is_admin) == (body["email"], body["name"], body["isAdmin"])
    assert str(client.server_version()) == "v2.4.1"
    assert client.api_root == API


def test_login_and_logout(immich: respx.MockRouter, flavour: Flavour) -> None:
    body = recorded("auth_login")["body"]
    immich.post("/api/auth/login").mock(return_value=recorded_response("auth_login"))
    result = flavour.login(BASE, "admin@example.com", "hunter2-password")
    assert result.email == body["userEmail"]
    assert result.access_token == body["accessToken"]
    assert body["accessToken"] not in repr(result)
    sent = immich.calls.last.request
    assert "authorization" not in sent.headers
    assert "x-api-key" not in sent.headers
    immich.post("/api/auth/logout").mock(return_value=recorded_response("auth_logout_bearer"))
    with flavour.client(BASE, access_token=result.access_token) as client:
        assert client.logout() is True
    assert immich.calls.last.request.headers["authorization"] == f"Bearer {result.access_token}"
    assert "x-api-key" not in immich.calls.last.request.headers


def test_login_wrong_password_is_an_authentication_error(immich: respx.MockRouter, flavour: Flavour) -> None:
    immich.post("/api/auth/login").mock(return_value=recorded_response("auth_login_wrong_password"))
    with pytest.raises(errors.AuthenticationError, match="Incorrect email or password") as info:
        flavour.login(BASE, "admin@example.com", "wrong-password-123")
    assert "wrong-password-123" not in str(info.value)
    assert len(immich.routes[-1].calls) == 1  # never retried
