"""prune_candidates and sort_people: who prune acts on, and the orders of people list --sort."""

from __future__ import annotations

import datetime

import pytest

from immiche.curation import prune_candidates, sort_people
from immiche.errors import InvalidArgumentError
from immiche.people import Person


def person(n: int, name: str = "", **fields: object) -> Person:
    return Person(f"00000000-0000-4000-8000-{n:012d}", name, None, "", False)._replace(**fields)


UNNAMED_SMALL = person(1)
UNNAMED_BIG = person(2)
UNNAMED_FAVORITE = person(3, is_favorite=True)
UNNAMED_HIDDEN = person(4, is_hidden=True)
NAMED_SMALL = person(5, "Anna")
UNNAMED_BLANK = person(6, "  ")
UNCOUNTED = person(7)
PEOPLE = [UNNAMED_SMALL, UNNAMED_BIG, UNNAMED_FAVORITE, UNNAMED_HIDDEN, NAMED_SMALL, UNNAMED_BLANK, UNCOUNTED]
COUNTS = {p.id: n for p, n in [(UNNAMED_SMALL, 2), (UNNAMED_BIG, 40), (UNNAMED_FAVORITE, 1), (UNNAMED_HIDDEN, 1)]}
COUNTS |= {NAMED_SMALL.id: 1, UNNAMED_BLANK.id: 0}


def test_unnamed_with_few_assets_never_favourites_fewest_first() -> None:
    chosen = prune_candidates(PEOPLE, COUNTS, unnamed=True, max_assets=3)
    assert chosen == [UNNAMED_BLANK, UNNAMED_HIDDEN, UNNAMED_SMALL]


def test_hidden_people_can_be_left_out_for_hide() -> None:
    assert UNNAMED_HIDDEN not in prune_candidates(PEOPLE, COUNTS, unnamed=True, max_assets=3, exclude_hidden=True)


def test_unnamed_only_and_max_assets_only() -> None:
    assert set(prune_candidates(PEOPLE, unnamed=True)) == set(PEOPLE) - {NAMED_SMALL, UNNAMED_FAVORITE}
    assert prune_candidates(PEOPLE, COUNTS, max_assets=1) == [UNNAMED_BLANK, UNNAMED_HIDDEN, NAMED_SMALL]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "needs a criterion"),
        ({"max_assets": -1, "counts": {}}, "0 or more"),
        ({"max_assets": 2}, "asset counts"),
        ({"max_assets": True, "counts": {}}, "0 or more"),
    ],
)
def test_prune_refusals(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        prune_candidates(PEOPLE, **kwargs)  # type: ignore[arg-type]


def test_sort_by_name_unnamed_last() -> None:
    people = [person(1), person(2, "bob"), person(3, "Ängel"), person(4, "anna")]
    assert [p.name for p in sort_people(people)] == ["anna", "bob", "Ängel", ""]


def test_sort_by_assets_most_first_unknown_last() -> None:
    people = [person(1, "a"), person(2, "b"), person(3, "c")]
    counts = {people[0].id: 1, people[1].id: 9}
    assert sort_people(people, "assets", counts) == [people[1], people[0], people[2]]
    with pytest.raises(InvalidArgumentError, match="asset counts"):
        sort_people(people, "assets")


def test_sort_by_updated_newest_first_unknown_last() -> None:
    utc = datetime.timezone.utc
    old = person(1, "old", updated_at=datetime.datetime(2020, 1, 1, tzinfo=utc))
    new = person(2, "new", updated_at=datetime.datetime(2026, 1, 1, tzinfo=utc))
    naive = person(3, "naive", updated_at=datetime.datetime(2023, 1, 1))
    unknown = person(4, "unknown")
    assert sort_people([unknown, old, naive, new], "updated") == [new, naive, old, unknown]


def test_unknown_sort_key() -> None:
    with pytest.raises(InvalidArgumentError, match="cannot sort"):
        sort_people([], "size")  # type: ignore[arg-type]
