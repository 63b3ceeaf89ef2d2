"""match_person: ids, exact names (case-insensitive, unicode-normalised), ambiguity, not found."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immiche.curation import AmbiguousPersonError, PersonNotFoundError, match_person, normalize_name
from immiche.errors import ImmichError, InvalidArgumentError, NotFoundError
from immiche.people import Person


def person(name: str, n: int) -> Person:
    return Person(f"00000000-0000-4000-8000-{n:012d}", name, None, "", False)


ANNA = person("Anna", 1)
ANNA_2 = person("anna", 2)
ERIK = person("Erik Ærø", 3)
ZOE = person("Zoë", 4)  # composed ë
UNNAMED = person("", 5)
BERG = person("Anna Berg", 6)
PEOPLE = [ANNA, ERIK, ZOE, UNNAMED, BERG]


def test_by_id_in_any_case() -> None:
    assert match_person(ERIK.id, PEOPLE) is ERIK
    assert match_person(f" {ERIK.id.upper()} ", PEOPLE) is ERIK


def test_by_exact_name_case_insensitive_and_trimmed() -> None:
    assert match_person("  erik ærø ", PEOPLE) is ERIK
    assert match_person("ANNA", PEOPLE) is ANNA


def test_unicode_normal_forms_match() -> None:
    assert match_person("Zoe\u0308", PEOPLE) is ZOE  # decomposed e + combining diaeresis
    assert match_person("Ｚｏë", PEOPLE) is ZOE  # full-width letters (NFKC)


def test_names_are_matched_exactly_not_by_prefix() -> None:
    with pytest.raises(PersonNotFoundError) as info:
        match_person("Ann", PEOPLE)
    assert info.value.hint and "Anna (" in info.value.hint and "Anna Berg (" in info.value.hint
    assert isinstance(info.value, NotFoundError) and info.value.status_code == 404


def test_several_matches_list_every_candidate_with_its_id() -> None:
    with pytest.raises(AmbiguousPersonError) as info:
        match_person("anna", [*PEOPLE, ANNA_2])
    error = info.value
    assert isinstance(error, ImmichError) and not isinstance(error, NotFoundError)
    assert error.candidates == (ANNA, ANNA_2)
    assert ANNA.id in str(error) and ANNA_2.id in str(error)


def test_unknown_id_and_unknown_name() -> None:
    with pytest.raises(PersonNotFoundError, match="0000-4000-8000-000000000099") as info:
        match_person("00000000-0000-4000-8000-000000000099", PEOPLE)
    assert info.value.query == "00000000-0000-4000-8000-000000000099"
    with pytest.raises(PersonNotFoundError, match="Nobody") as info:
        match_person("Nobody", PEOPLE)
    assert info.value.hint and "people list" in info.value.hint


def test_unnamed_people_never_match_a_name() -> None:
    with pytest.raises(PersonNotFoundError):
        match_person("(unnamed)", [UNNAMED])


@pytest.mark.parametrize("query", ["", "   ", None, 5])
def test_empty_query(query: object) -> None:
    with pytest.raises(InvalidArgumentError, match="name or id"):
        match_person(query, PEOPLE)  # type: ignore[arg-type]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=20).filter(lambda text: normalize_name(text) != ""))
def test_any_name_finds_its_person_in_any_case(name: str) -> None:
    me = person(name, 7)
    others = [p for p in PEOPLE if normalize_name(p.name) != normalize_name(name)]
    assert match_person(f" {name}\t", [*others, me]) == me
    if name.isascii():
        assert match_person(name.swapcase(), [*others, me]) == me
