"""PersonUpdate and validate_updates: what is accepted, normalised, rejected (all problems at once)."""

from __future__ import annotations

import datetime
import doctest
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immiche.curation import (
    EDITABLE_FIELDS,
    NOT_GIVEN,
    InvalidUpdateError,
    PersonUpdate,
    Problem,
    to_request_json,
    validate_updates,
)
from immiche.errors import InvalidArgumentError
from immiche.people import Person

PID = "5174df3b-37a7-46b2-a6c6-5cee411fbdae"
OTHER = "aaf5250a-c959-4e6e-9386-3ceaceb120e7"
ASSET = "00000000-0000-4000-8000-000000000000"
TODAY = datetime.date(2026, 11, 30)
ANNA = Person(PID, "Anna", datetime.date(1985, 7, 15), "/t.jpg", False, True, "#ff0000", None)


def test_only_given_fields_are_set_and_sent() -> None:
    update = PersonUpdate(PID, is_hidden=True)
    assert update.name is NOT_GIVEN and update.birth_date is NOT_GIVEN and update.color is NOT_GIVEN
    assert update.changes == {"is_hidden": True}
    assert to_request_json(update) == {"isHidden": True}
    assert to_request_json(update, bulk=True) == {"id": PID, "isHidden": True}


def test_none_clears_birth_date_and_color() -> None:
    update = PersonUpdate(PID, birth_date=None, color=None)
    assert to_request_json(update) == {"birthDate": None, "color": None}


def test_every_field_in_camel_case() -> None:
    update = PersonUpdate(
        PID,
        name="Anna",
        birth_date=datetime.date(1985, 7, 15),
        is_hidden=False,
        is_favorite=True,
        color="#0f0",
        feature_face_asset_id=ASSET,
        today=TODAY,
    )
    assert to_request_json(update, bulk=True) == {
        "id": PID,
        "name": "Anna",
        "birthDate": "1985-07-15",
        "isHidden": False,
        "isFavorite": True,
        "color": "#0f0",
        "featureFaceAssetId": ASSET,
    }


def test_person_and_upper_case_ids_become_the_lower_case_id() -> None:
    assert PersonUpdate(ANNA, name="x").id == PID
    assert PersonUpdate(PID.upper(), name="x").id == PID
    assert PersonUpdate(f"  {PID} ", name="x").id == PID


@pytest.mark.parametrize("text", ["1985-07-15", " 1985-07-15 "])
def test_iso_birth_date_string_becomes_a_date(text: str) -> None:
    assert PersonUpdate(PID, birth_date=text, today=TODAY).birth_date == datetime.date(1985, 7, 15)


def test_today_is_allowed_tomorrow_is_not() -> None:
    assert PersonUpdate(PID, birth_date=TODAY, today=TODAY).birth_date == TODAY
    with pytest.raises(InvalidUpdateError, match="in the future") as info:
        PersonUpdate(PID, birth_date=TODAY + datetime.timedelta(days=1), today=TODAY)
    assert info.value.problems == (Problem(None, "birth_date", "2026-12-01 is in the future"),)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1985-02-30", "not a real calendar date"),
        ("15.07.1985", "format YYYY-MM-DD"),
        ("1985-7-15", "format YYYY-MM-DD"),
        ("1985-07-15T00:00:00.000Z", "format YYYY-MM-DD"),
        ("", "format YYYY-MM-DD"),
        (datetime.datetime(1985, 7, 15, 1, 2), "not a date and time"),
        (19850715, "not int"),
        ("2099-01-01", "in the future"),
    ],
)
def test_bad_birth_dates(value: object, message: str) -> None:
    with pytest.raises(InvalidUpdateError, match=message) as info:
        PersonUpdate(PID, birth_date=value, today=TODAY)  # type: ignore[arg-type]
    assert isinstance(info.value, InvalidArgumentError) and isinstance(info.value, ValueError)
    assert [problem.field for problem in info.value.problems] == ["birth_date"]


@pytest.mark.parametrize("color", ["#fff", "#FF0000", "#a1b2c3"])
def test_good_colors(color: str) -> None:
    assert PersonUpdate(PID, color=color).color == color


@pytest.mark.parametrize("color", ["red", "fff", "#ffff", "#ff00001", "#ggg", "", " #fff", 0xFF0000])
def test_bad_colors(color: object) -> None:
    with pytest.raises(InvalidUpdateError, match="color"):
        PersonUpdate(PID, color=color)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["yes", 1, 0, None, "true"])
def test_booleans_are_strict(value: object) -> None:
    for name in ("is_hidden", "is_favorite"):
        with pytest.raises(InvalidUpdateError, match=f"{name}: must be true or false"):
            PersonUpdate(PID, **{name: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("name", [None, 42, b"Anna"])
def test_name_must_be_a_string(name: object) -> None:
    with pytest.raises(InvalidUpdateError, match="name: must be a string"):
        PersonUpdate(PID, name=name)  # type: ignore[arg-type]


def test_empty_and_long_names_are_accepted_as_the_server_does() -> None:
    assert PersonUpdate(PID, name="").name == ""
    assert PersonUpdate(PID, name="x" * 1000).name == "x" * 1000


@pytest.mark.parametrize("bad", ["not-a-uuid", "", "{5174df3b-37a7-46b2-a6c6-5cee411fbdae}", 5, None])
def test_bad_ids(bad: object) -> None:
    with pytest.raises(InvalidUpdateError, match="id: "):
        PersonUpdate(bad, name="x")  # type: ignore[arg-type]


def test_feature_face_asset_id_must_be_a_uuid() -> None:
    with pytest.raises(InvalidUpdateError, match="feature_face_asset_id: 'x' is not an asset id"):
        PersonUpdate(PID, feature_face_asset_id="x")


def test_constructor_reports_every_problem() -> None:
    with pytest.raises(InvalidUpdateError) as info:
        PersonUpdate("nope", name=3, color="red", is_hidden="no")  # type: ignore[arg-type]
    assert [problem.field for problem in info.value.problems] == ["id", "name", "is_hidden", "color"]
    assert "4 invalid changes" in str(info.value)


def test_empty_update_is_falsy_and_sends_an_empty_body() -> None:
    update = PersonUpdate(PID)
    assert not update and to_request_json(update) == {}


def test_updates_are_frozen_values() -> None:
    update = PersonUpdate(PID, name="a")
    assert update == PersonUpdate(PID, name="a") and hash(update) == hash(PersonUpdate(PID, name="a"))
    with pytest.raises(AttributeError):
        update.name = "b"  # type: ignore[misc]
    assert update.replace(name="b", color="#000").changes == {"name": "b", "color": "#000"}
    assert update.replace(name=NOT_GIVEN).changes == {}


def test_against_keeps_only_real_changes_and_diff_shows_old_and_new() -> None:
    update = PersonUpdate(PID, name="Anna", birth_date="1986-01-01", color="#ff0000", is_hidden=True, today=TODAY)
    assert update.against(ANNA).changes == {"birth_date": datetime.date(1986, 1, 1), "is_hidden": True}
    assert update.diff(ANNA) == [
        ("birth_date", datetime.date(1985, 7, 15), datetime.date(1986, 1, 1)),
        ("is_hidden", False, True),
    ]
    assert not PersonUpdate(PID, name="Anna").against(ANNA)


def test_to_dict_round_trips_through_from_mapping() -> None:
    update = PersonUpdate(PID, name="A", birth_date="1985-07-15", color=None, today=TODAY)
    assert update.to_dict() == {"id": PID, "name": "A", "birth_date": "1985-07-15", "color": None}
    assert PersonUpdate.from_mapping(update.to_dict(), today=TODAY) == update


def test_people_list_json_output_is_valid_input() -> None:
    listed = Person(PID, "Anna", datetime.date(1985, 7, 15), "/t.jpg", False, None, None, None).to_dict()
    listed["updated_at"] = "2026-11-30T18:00:00.000Z"
    listed["name"] = "Anna Berg"
    update = PersonUpdate.from_mapping(listed, today=TODAY)
    assert update.changes == {
        "name": "Anna Berg",
        "birth_date": datetime.date(1985, 7, 15),
        "is_hidden": False,
        "color": None,
    }  # is_favorite null (an old server's listing) = not given; read-only keys ignored


def test_validate_updates_reports_all_problems_of_all_items() -> None:
    items = [
        {"id": PID, "name": "ok"},
        {"id": "nope", "isHidden": True, "birth_date": "1985-02-30"},
        {"name": "no id"},
        {"id": OTHER, "color": "red", "nickname": "x"},
        "not a mapping",
    ]
    with pytest.raises(InvalidUpdateError) as info:
        validate_updates(items, today=TODAY)  # type: ignore[list-item]
    found = {(problem.item, problem.field) for problem in info.value.problems}
    assert found == {
        (1, "isHidden"),
        (1, "id"),
        (1, "birth_date"),
        (2, "id"),
        (3, "nickname"),
        (3, "color"),
        (4, "*"),
    }
    camel = next(problem for problem in info.value.problems if problem.field == "isHidden")
    assert "'is_hidden'" in camel.message


def test_validate_updates_keeps_order_and_accepts_values() -> None:
    first = PersonUpdate(OTHER, is_favorite=True)
    result = validate_updates([{"id": PID.upper(), "name": "x"}, first], today=TODAY)
    assert result == [PersonUpdate(PID, name="x"), first]
    assert validate_updates([]) == []


def test_a_null_id_is_reported_not_dropped() -> None:
    with pytest.raises(InvalidUpdateError) as info:
        validate_updates([{"id": None, "name": "x"}, {"id": PID}])
    assert info.value.problems == (Problem(0, "id", "a person id must be a UUID string, not NoneType"),)


def test_uuid_objects_are_ids() -> None:
    assert PersonUpdate(uuid.UUID(PID), name="x").id == PID


def test_the_documented_examples_hold() -> None:
    import immiche._ids
    import immiche.curation

    results = [doctest.testmod(module) for module in (immiche.curation, immiche._ids)]
    assert [result.failed for result in results] == [0, 0]
    assert results[0].attempted >= 2


def test_long_problem_lists_are_summarised() -> None:
    with pytest.raises(InvalidUpdateError) as info:
        validate_updates([{"id": "bad"}] * 25)
    assert len(info.value.problems) == 25 and "and 15 more" in str(info.value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(EDITABLE_FIELDS),
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12), st.dates()),
    )
)
def test_any_mapping_gives_an_update_or_a_typed_error(values: dict[str, object]) -> None:
    problems: tuple[Problem, ...] = ()
    try:
        update = PersonUpdate.from_mapping({"id": PID, **values}, today=TODAY)
    except InvalidUpdateError as err:
        problems = err.problems
    if problems:
        assert all(problem.field in values for problem in problems)
    else:
        body = to_request_json(update)
        assert set(body) <= {"name", "birthDate", "isHidden", "isFavorite", "color", "featureFaceAssetId"}
        assert PersonUpdate.from_mapping(update.to_dict(), today=TODAY) == update


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dates(max_value=TODAY))
def test_every_past_date_is_accepted_as_date_and_string(day: datetime.date) -> None:
    assert PersonUpdate(PID, birth_date=day.isoformat(), today=TODAY).birth_date == day
