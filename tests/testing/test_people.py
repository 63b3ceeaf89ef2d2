"""GET /people (paging, ordering, counts, validation) and GET /people/{id}."""

from __future__ import annotations

import datetime
import re
from typing import Any

import httpx
import pytest

from immiche.testing import FakeImmichServer, FakePerson
from tests.testing.conftest import ServerFactory, client_for

SAMPLE_ORDER = [
    "Alice Martin",  # favourite, 42 faces
    "Bob",  # favourite, 7 faces
    "Ann",  # 30 faces (ties with Anna: by name)
    "Anna",
    "Carol Anne",
    "Émile Zola",
    "Dave NoThumb",
    "Zoë Lefèvre",
    "",  # unnamed, 9 faces
    "",  # unnamed, 3 faces (the minimum to be listed)
    "Hidden Hannah",  # hidden favourite
    "Hidden Henry",
]


def all_pages(client: httpx.Client, **params: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every person and every page body, following hasNextPage."""
    people, pages, page = [], [], 1
    while True:
        body = client.get("/people", params={**params, "page": page}).json()
        pages.append(body)
        people += body["people"]
        if not body["hasNextPage"]:
            return people, pages
        page += 1


def test_sample_listing_order_and_counts(api: httpx.Client, server: FakeImmichServer) -> None:
    body = api.get("/people", params={"withHidden": "true"}).json()
    assert [p["name"] for p in body["people"]] == SAMPLE_ORDER
    assert [p["id"] for p in body["people"]] == [p.id for p in server.people]
    assert (body["total"], body["hidden"], body["hasNextPage"]) == (13, 2, False)
    assert list(body) == ["people", "hasNextPage", "total", "hidden"]


def test_hidden_people_only_with_with_hidden(api: httpx.Client) -> None:
    default = api.get("/people").json()
    explicit = api.get("/people", params={"withHidden": "false"}).json()
    assert default == explicit
    assert [p["name"] for p in default["people"]] == SAMPLE_ORDER[:10]
    assert (default["total"], default["hidden"]) == (13, 2)  # total ignores withHidden


def test_person_json_shape(api: httpx.Client, server: FakeImmichServer) -> None:
    people = {p["name"]: p for p in api.get("/people").json()["people"] if p["name"]}
    ann = server.person(people["Ann"]["id"])
    assert people["Ann"] == {
        "id": ann.id,
        "name": "Ann",
        "birthDate": "1990-01-02",
        "thumbnailPath": f"/data/upload/thumbs/{server.user.id}/{ann.id[:2]}/{ann.id[2:4]}/{ann.id}.jpeg",
        "isHidden": False,
        "isFavorite": False,
        "color": "#2196f3",
        "updatedAt": ann.updated_at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ann.updated_at.microsecond // 1000:03d}Z",
    }
    assert "color" not in people["Anna"]
    assert people["Anna"]["birthDate"] is None
    assert people["Dave NoThumb"]["thumbnailPath"] == ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", people["Bob"]["updatedAt"])


@pytest.mark.parametrize("size", [1, 2, 5, 12])
def test_paging_with_every_size(api: httpx.Client, server: FakeImmichServer, size: int) -> None:
    people, pages = all_pages(api, size=size, withHidden="true")
    assert [p["id"] for p in people] == [p.id for p in server.people]
    assert len(pages) == -(-12 // size)
    assert all(len(page["people"]) == size for page in pages[:-1])
    assert all((page["total"], page["hidden"]) == (13, 2) for page in pages)
    assert [page["hasNextPage"] for page in pages] == [True] * (len(pages) - 1) + [False]


def test_page_beyond_the_end(api: httpx.Client) -> None:
    body = api.get("/people", params={"size": 2, "page": 10}).json()
    assert body == {"people": [], "hasNextPage": False, "total": 13, "hidden": 2}


def test_default_page_size_is_500(server_factory: ServerFactory) -> None:
    server = server_factory(people=501)
    with client_for(server) as client:
        first = client.get("/people", params={"withHidden": "true"}).json()
        second = client.get("/people", params={"withHidden": "true", "page": 2}).json()
    assert (len(first["people"]), first["hasNextPage"]) == (500, True)
    assert (len(second["people"]), second["hasNextPage"]) == (1, False)


def test_max_page_size_option(server_factory: ServerFactory) -> None:
    server = server_factory(version="v2", people=30, max_page_size=10)
    with client_for(server) as client:
        too_big = client.get("/people", params={"size": 11})
        default = client.get("/people", params={"withHidden": "true"}).json()
    assert too_big.json()["message"] == ["size must not be greater than 10"]
    assert len(default["people"]) == 10


V2_VALIDATION = [
    ({"page": "0"}, ["page must not be less than 1"]),
    ({"page": "abc"}, ["page must not be less than 1", "page must be an integer number"]),
    ({"page": "1.5"}, ["page must be an integer number"]),
    ({"size": "0"}, ["size must not be less than 1"]),
    ({"size": ""}, ["size must not be less than 1"]),
    ({"size": "1001"}, ["size must not be greater than 1000"]),
    (
        {"size": "abc"},
        ["size must not be greater than 1000", "size must not be less than 1", "size must be an integer number"],
    ),
    ({"withHidden": "maybe"}, ["withHidden must be a boolean value"]),
    ({"withHidden": "1"}, ["withHidden must be a boolean value"]),
    ({"closestPersonId": "nope"}, ["closestPersonId must be a UUID"]),
    ({"closestAssetId": "nope"}, ["closestAssetId must be a UUID"]),
    (
        {"withHidden": "yes", "page": "0", "size": "0"},
        ["withHidden must be a boolean value", "page must not be less than 1", "size must not be less than 1"],
    ),
]


@pytest.mark.parametrize(("params", "messages"), V2_VALIDATION)
def test_v2_validation_messages(server_v2: FakeImmichServer, params: dict[str, str], messages: list[str]) -> None:
    with client_for(server_v2) as client:
        answer = client.get("/people", params=params)
    assert answer.status_code == 400
    assert answer.json() == {
        "message": messages,
        "error": "Bad Request",
        "statusCode": 400,
        "correlationId": answer.headers["x-immich-cid"],
    }


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"page": "0"}, "too_small"),
        ({"page": "abc"}, "invalid_type"),
        ({"page": "9007199254740992"}, "too_big"),
        ({"size": "1.5"}, "invalid_type"),
        ({"size": "1001"}, "too_big"),
        ({"withHidden": "TRUE"}, "invalid_value"),
        ({"closestPersonId": "00000000-0000-1000-8000-000000000000"}, "invalid_format"),
    ],
)
def test_v3_validation_errors(api: httpx.Client, params: dict[str, str], code: str) -> None:
    answer = api.get("/people", params=params)
    assert answer.status_code == 400
    body = answer.json()
    assert body["message"] == "Validation failed"
    [error] = body["errors"]
    assert (error["code"], error["path"]) == (code, list(params))
    assert error["message"]


def test_numbers_are_read_like_javascript(api: httpx.Client) -> None:
    assert len(api.get("/people", params={"size": " 2 "}).json()["people"]) == 2
    assert len(api.get("/people", params={"size": "3e0"}).json()["people"]) == 3
    assert len(api.get("/people", params={"size": "0x4"}).json()["people"]) == 4


def test_closest_person_orders_the_listing(api: httpx.Client, server: FakeImmichServer) -> None:
    anchor = server.people[2]
    answer = api.get("/people", params={"closestPersonId": anchor.id})
    assert answer.status_code == 200
    ids = [p["id"] for p in answer.json()["people"]]
    assert sorted(ids) == sorted(p.id for p in server.people if not p.is_hidden)
    assert ids == [p["id"] for p in api.get("/people", params={"closestPersonId": anchor.id}).json()["people"]]
    no_thumbnail = next(p for p in server.all_people if not p.has_thumbnail)
    missing = api.get("/people", params={"closestPersonId": no_thumbnail.id})
    assert missing.status_code == 404
    assert missing.json() == {"message": "Person not found"}


def test_get_one_person(any_server: FakeImmichServer) -> None:
    with client_for(any_server) as client:
        for person in any_server.all_people:
            if person.owner != any_server.user.id:
                continue
            answer = client.get(f"/people/{person.id}")
            assert answer.status_code == 200, person
            assert answer.json()["id"] == person.id
            assert answer.json()["name"] == person.name
            assert answer.json()["isHidden"] is person.is_hidden


def test_get_a_person_without_faces(api: httpx.Client, server: FakeImmichServer) -> None:
    frank = next(p for p in server.all_people if p.name == "Frank NoFace")
    assert frank not in server.people
    assert api.get(f"/people/{frank.id}").json()["thumbnailPath"] == ""


@pytest.mark.parametrize(
    "person_id",
    [
        "00000000-0000-4000-8000-000000000000",  # unknown
        "<upper>",  # an upper-case copy of a real id
        "<other>",  # another user's person
    ],
)
def test_not_found_is_400(any_server: FakeImmichServer, person_id: str) -> None:
    if person_id == "<upper>":
        person_id = any_server.people[0].id.upper()
    elif person_id == "<other>":
        person_id = next(p.id for p in any_server.all_people if p.owner != any_server.user.id)
    with client_for(any_server) as client:
        answer = client.get(f"/people/{person_id}")
    assert answer.status_code == 400
    assert answer.json()["message"] == "Not found or no person.read access"


@pytest.mark.parametrize("person_id", ["not-a-uuid", "00000000-0000-1000-8000-000000000000", "%20"])
def test_malformed_id(server_factory: ServerFactory, person_id: str) -> None:
    v2, v3 = server_factory(version="v2"), server_factory(version="v3")
    with client_for(v2) as old, client_for(v3) as new:
        answer_v2 = old.get(f"/people/{person_id}")
        answer_v3 = new.get(f"/people/{person_id}")
    assert answer_v2.status_code == answer_v3.status_code == 400
    assert answer_v2.json()["message"] == ["id must be a UUID"]
    assert answer_v3.json() == {
        "message": "Validation failed",
        "errors": [{"code": "invalid_format", "path": ["id"], "message": "Invalid UUID"}],
    }


def test_custom_people(server_factory: ServerFactory) -> None:
    people = [
        FakePerson(name="Zed", face_count=1),
        FakePerson(name="Amy", face_count=1, birth_date=datetime.date(2000, 2, 29), color="#123456"),
        FakePerson(name="", face_count=2),  # below the minimum: counted, not listed
        FakePerson(name="Fav", is_favorite=True, is_hidden=True),
    ]
    server = server_factory(people=people)
    assert [p.name for p in server.people] == ["Amy", "Zed", "Fav"]
    assert all(p.owner == server.user.id for p in server.people)
    with client_for(server) as client:
        body = client.get("/people", params={"withHidden": "true"}).json()
    assert [p["name"] for p in body["people"]] == ["Amy", "Zed", "Fav"]
    assert (body["total"], body["hidden"]) == (4, 1)
    assert body["people"][0]["birthDate"] == "2000-02-29"


def test_invalid_custom_people_are_rejected() -> None:
    with pytest.raises(ValueError, match="UUID v4"):
        FakePerson(id="E991C2D4-80C1-48DD-99A3-A3EE13E07C0C")
    with pytest.raises(ValueError, match="without faces"):
        FakePerson(face_count=0)
    twin = FakePerson(name="Twin")
    with pytest.raises(ValueError, match="share the id"):
        FakeImmichServer(people=[twin, twin])
    with pytest.raises(ValueError, match="unknown user"):
        FakeImmichServer(people=[FakePerson(owner="someone")])


def test_generated_people_are_deterministic() -> None:
    first, second, other = (FakeImmichServer(people=50, seed=s) for s in (1, 1, 2))
    assert first.all_people == second.all_people
    assert first.all_people != other.all_people
    assert first.user == second.user
    assert len(first.people) == 50


def test_ten_thousand_people(server_factory: ServerFactory) -> None:
    server = server_factory(people=10_000)
    with client_for(server) as client:
        people, pages = all_pages(client, size=1000, withHidden="true")
        visible, _ = all_pages(client, size=1000)
    assert len(pages) == 10
    assert [p["id"] for p in people] == [p.id for p in server.people]
    assert len({p["id"] for p in people}) == 10_000
    hidden = sum(p.is_hidden for p in server.people)
    assert pages[0]["total"] == 10_000
    assert pages[0]["hidden"] == hidden > 0
    assert len(visible) == 10_000 - hidden
    assert all(not p["isHidden"] for p in visible)
    assert server.connections == 1
