"""Older and newer servers: missing fields degrade to None or computed values, extra ones are ignored."""

from __future__ import annotations

import warnings

import httpx
import pytest
import respx

import immiche
from tests.facade.conftest import BASE, KEY, recorded

PEOPLE = recorded("people_list_withHidden")["body"]["people"]


def strip(person: dict[str, object], *names: str) -> dict[str, object]:
    return {k: v for k, v in person.items() if k not in names}


def test_people_before_v1_110_send_visible_and_no_has_next_page(immich: respx.MockRouter) -> None:
    """Old servers: {total, visible, people}; no hidden, no hasNextPage; pages end with a short page."""
    old_people = [strip(p, "isFavorite", "color", "updatedAt") for p in PEOPLE]

    def answer(request: httpx.Request) -> httpx.Response:
        page, size = int(request.url.params["page"]), int(request.url.params["size"])
        chunk = old_people[(page - 1) * size : page * size]
        return httpx.Response(200, json={"total": 7, "visible": 5, "people": chunk})

    immich.get("/api/people").mock(side_effect=answer)
    with immiche.Client(BASE, api_key=KEY) as client:
        people = list(client.iter_people(with_hidden=True, page_size=2))
        result = client.fetch_people(with_hidden=True)
    assert [p.id for p in people] == [p["id"] for p in PEOPLE]
    assert (result.total, result.visible, result.hidden) == (7, 5, 2)
    assert all(p.is_favorite is None and p.updated_at is None and p.color is None for p in result.people)


def test_newer_servers_fields_are_ignored(immich: respx.MockRouter) -> None:
    """v3.3 adds otherPeople, sharedBy, sharedWith; future versions may add more."""
    newer = [{**p, "otherPeople": [], "sharedBy": None, "sharedWith": ["x"], "faceCount": 3} for p in PEOPLE]
    immich.get("/api/people").mock(
        return_value=httpx.Response(
            200, json={"people": newer, "total": 5, "hidden": 1, "hasNextPage": False, "nextCursor": "abc"}
        )
    )
    with immiche.Client(BASE, api_key=KEY) as client:
        result = client.fetch_people(with_hidden=True)
    assert [p.name for p in result.people] == [p["name"] for p in PEOPLE]


def test_login_before_v1_135_has_no_is_onboarded(immich: respx.MockRouter) -> None:
    body = strip(recorded("auth_login")["body"], "isOnboarded")
    immich.post("/api/auth/login").mock(return_value=httpx.Response(201, json=body))
    result = immiche.Client.login(BASE, "admin@example.com", "password-1")
    assert result.user_id == body["userId"]


def test_a_person_with_a_birth_date_the_parser_cannot_read(immich: respx.MockRouter) -> None:
    person = {**PEOPLE[0], "birthDate": "not-a-date"}
    immich.get(f"/api/people/{person['id']}").mock(return_value=httpx.Response(200, json=person))
    with immiche.Client(BASE, api_key=KEY) as client:
        assert client.fetch_person(str(person["id"])).birth_date is None


@pytest.mark.parametrize(
    ("version", "warns"),
    [
        ((1, 131, 0), True),
        ((1, 132, 3), False),
        ((2, 4, 1), False),
        ((3, 3, 5), False),
        ((3, 4, 0), True),
        ((4, 0, 0), True),
    ],
)
def test_version_warning_once_outside_the_tested_range(
    immich: respx.MockRouter, version: tuple[int, int, int], warns: bool
) -> None:
    major, minor, patch = version
    immich.get("/api/server/version").mock(
        return_value=httpx.Response(200, json={"major": major, "minor": minor, "patch": patch})
    )
    immich.get("/api/people").mock(return_value=httpx.Response(200, json={"people": [], "total": 0, "hidden": 0}))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with immiche.Client(BASE, api_key=KEY) as client:
            client.fetch_people()
            client.fetch_people()
    relevant = [w for w in caught if issubclass(w.category, immiche.ImmichVersionWarning)]
    assert len(relevant) == (1 if warns else 0)
    if warns:
        message = str(relevant[0].message)
        assert f"v{major}.{minor}.{patch}" in message
        assert "scripts/regen.sh --version" in message
        assert "'python -m immiche.compat <that file>'" in message  # works from an installed wheel
        assert "v1.132 to v3.3.x" in message
