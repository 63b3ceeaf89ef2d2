"""GET /search/person: v2's prefix matching (with its SQL wildcards) and v3's ranked matching."""

from __future__ import annotations

import httpx
import pytest

from immiche.testing import FakeImmichServer
from tests.testing.conftest import ServerFactory, client_for


def names(client: httpx.Client, **params: str) -> list[str]:
    answer = client.get("/search/person", params=params)
    assert answer.status_code == 200, answer.text
    return [person["name"] for person in answer.json()]


VISIBLE_NAMED = ["Ann", "Anna", "Carol Anne", "Bob", "Alice Martin", "Émile Zola", "Dave NoThumb", "Zoë Lefèvre"]


# The sample people in creation order: Ann, Anna, Carol Anne, Bob, Alice Martin, Émile Zola,
# Dave NoThumb, Zoë Lefèvre, three unnamed, Hidden Henry, Hidden Hannah, Frank NoFace.
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ann", ["Ann", "Anna", "Carol Anne"]),
        ("ANN", ["Ann", "Anna", "Carol Anne"]),
        ("anna", ["Anna"]),
        ("anne", ["Carol Anne"]),  # a later word of the name
        ("nn", []),  # not a prefix
        ("zola", ["Émile Zola"]),
        ("emile", []),  # v2 is accent-sensitive
        ("a", ["Ann", "Anna", "Carol Anne", "Alice Martin"]),
        ("hidden", []),  # hidden people need withHidden=true
        ("frank", ["Frank NoFace"]),  # people without faces are found too
        ("_nn", ["Ann", "Anna", "Carol Anne"]),  # "_" is an unescaped SQL wildcard
        ("%", [*VISIBLE_NAMED, "", "", "", "Frank NoFace"]),
        ("zzz", []),
    ],
)  # fmt: skip
def test_v2_search(server_v2: FakeImmichServer, query: str, expected: list[str]) -> None:
    with client_for(server_v2) as client:
        assert names(client, name=query) == expected


def test_with_hidden(server_v2: FakeImmichServer) -> None:
    with client_for(server_v2) as client:
        assert names(client, name="hidden", withHidden="true") == ["Hidden Henry", "Hidden Hannah"]
        assert names(client, name="henry", withHidden="false") == []


def test_v3_search_is_accent_insensitive_and_ranked(server: FakeImmichServer) -> None:
    with client_for(server) as client:
        assert names(client, name="emile") == ["Émile Zola"]
        assert names(client, name="zoe") == ["Zoë Lefèvre"]
        assert names(client, name="anne") == ["Carol Anne"]
        assert names(client, name="ann") == ["Ann", "Anna", "Carol Anne"]
        assert names(client, name="anna") == ["Anna"]
        assert names(client, name="%") == []  # no SQL wildcards in v3


def test_other_users_people_are_not_found(server: FakeImmichServer) -> None:
    with client_for(server) as client:
        assert names(client, name="o") == []  # Olivia and Oscar belong to the second user


@pytest.mark.parametrize(
    ("params", "messages"),
    [
        ({}, ["name should not be empty", "name must be a string"]),
        ({"name": ""}, ["name should not be empty"]),
        ({"name": "a", "withHidden": "yes"}, ["withHidden must be a boolean value"]),
    ],
)
def test_search_validation(any_server: FakeImmichServer, params: dict[str, str], messages: list[str]) -> None:
    with client_for(any_server) as client:
        answer = client.get("/search/person", params=params)
    assert answer.status_code == 400
    if any_server.dialect == "v2":
        assert answer.json()["message"] == messages
    else:
        assert answer.json()["message"] == "Validation failed"
        assert len(answer.json()["errors"]) == 1


def test_v2_search_returns_at_most_1000(server_factory: ServerFactory) -> None:
    server = server_factory(version="v2", people=1100)
    with client_for(server) as client:
        assert len(client.get("/search/person", params={"name": "%", "withHidden": "true"}).json()) == 1000
