"""Person.from_json (the listing fast path) and Person.from_model (generated models) always agree."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from immich_client.models import PersonResponseDto
from immiche.people import PeopleResponse, Person, page_counts
from tests.facade.conftest import RECORDED


def recorded_people() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(RECORDED.glob("*.json")):
        body = json.loads(path.read_text())["body"]
        if isinstance(body, dict) and isinstance(body.get("people"), list):
            found += body["people"]
        elif isinstance(body, dict) and "isHidden" in body:
            found.append(body)
        elif isinstance(body, list):
            found += [item for item in body if isinstance(item, dict) and "isHidden" in item]
    return found


RECORDED_PEOPLE = recorded_people()


def test_every_recorded_person_parses_the_same_both_ways() -> None:
    assert len(RECORDED_PEOPLE) > 50
    for item in RECORDED_PEOPLE:
        assert Person.from_json(item) == Person.from_model(PersonResponseDto.from_dict(item))


BASE = {
    "id": "5174df3b-37a7-46b2-a6c6-5cee411fbdae",
    "name": "Ann",
    "birthDate": None,
    "thumbnailPath": "",
    "isHidden": False,
}


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"birthDate": "1990-04-01"},
        {"birthDate": "not-a-date"},
        {"birthDate": "1990-04-01T00:00:00.000Z"},
        {"updatedAt": "2026-11-23T11:25:59.835Z"},
        {"updatedAt": "2026-11-23T11:25:59Z"},
        {"updatedAt": "2026-11-23T11:25:59.123456+02:00"},
        {"color": ""},
        {"color": "#00ff00", "isFavorite": True},
        {"isFavorite": "yes"},
        {"otherPeople": [], "sharedWith": ["x"]},
        {"name": None},
    ],
)
def test_edge_cases_agree(extra: dict[str, Any]) -> None:
    item = {**BASE, **extra}
    fast = Person.from_json(item)
    assert fast == Person.from_model(PersonResponseDto.from_dict(item))
    assert fast.birth_date is None or isinstance(fast.birth_date, datetime.date)
    assert fast.updated_at is None or fast.updated_at.tzinfo is not None


@given(
    name=st.text(),
    birth=st.none() | st.dates().map(datetime.date.isoformat) | st.text(max_size=12),
    updated=st.none()
    | st.datetimes(timezones=st.just(datetime.timezone.utc)).map(lambda d: d.isoformat().replace("+00:00", "Z")),
    favorite=st.none() | st.booleans(),
    color=st.none() | st.from_regex(r"#[0-9a-f]{6}", fullmatch=True),
)
def test_property_both_paths_agree(
    name: str, birth: str | None, updated: str | None, favorite: bool | None, color: str | None
) -> None:
    item: dict[str, Any] = {**BASE, "name": name, "birthDate": birth}
    for key, value in (("updatedAt", updated), ("isFavorite", favorite), ("color", color)):
        if value is not None:
            item[key] = value
    assert Person.from_json(item) == Person.from_model(PersonResponseDto.from_dict(item))


def test_an_unreadable_date_time_does_not_sink_a_listing() -> None:
    """The generated parser raises on it (so fetch_person reports an invalid answer); a listing keeps going."""
    item = {**BASE, "updatedAt": "garbage"}
    assert Person.from_json(item).updated_at is None
    with pytest.raises(ValueError):
        PersonResponseDto.from_dict(item)


@pytest.mark.parametrize("broken", [{"id": 5}, {"isHidden": "no"}, {"id": None}])
def test_wrong_types_for_essential_fields_are_rejected(broken: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        Person.from_json({**BASE, **broken})


@pytest.mark.parametrize("missing", ["id", "isHidden"])
def test_missing_essential_fields_are_rejected(missing: str) -> None:
    with pytest.raises(KeyError):
        Person.from_json({k: v for k, v in BASE.items() if k != missing})


def test_page_counts_for_old_and_new_servers() -> None:
    assert page_counts({"total": 7, "hidden": 2}) == (7, 2)
    assert page_counts({"total": 7, "visible": 5}) == (7, 2)
    assert page_counts({"total": 3}) == (3, 0)
    with pytest.raises(TypeError):
        page_counts({"total": "7"})


def test_person_is_immutable_and_serialises() -> None:
    person = Person.from_json({**BASE, "birthDate": "1990-04-01", "updatedAt": "2026-11-23T11:25:59.835Z"})
    with pytest.raises(AttributeError):
        person.name = "Bob"  # type: ignore[misc]
    assert person._replace(name="Bob").name == "Bob"
    assert person.to_dict() == {
        "id": BASE["id"],
        "name": "Ann",
        "birth_date": "1990-04-01",
        "thumbnail_path": "",
        "is_hidden": False,
        "is_favorite": None,
        "color": None,
        "updated_at": "2026-11-23T11:25:59.835Z",
    }
    assert len(PeopleResponse(1, 1, 0, (person,))) == 1
