"""Choosing and ordering people: ``people prune`` candidates and ``people list --sort``. No I/O.

Public through :mod:`immiche.curation`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Literal

from immiche._matching import normalize_name
from immiche.errors import InvalidArgumentError
from immiche.people import Person

__all__ = ["SortKey", "prune_candidates", "sort_people"]

SortKey = Literal["name", "assets", "updated"]

_OLDEST = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)


def prune_candidates(
    people: Iterable[Person],
    counts: Mapping[str, int] | None = None,
    *,
    unnamed: bool = False,
    max_assets: int | None = None,
    exclude_hidden: bool = False,
) -> list[Person]:
    """The people ``people prune`` would act on, fewest assets first.

    A person is a candidate when it matches every criterion given: ``unnamed`` (no name) and
    ``max_assets`` (at most that many assets, from ``counts``: person id -> assets). Favourites
    are never candidates, nor is a person whose count is unknown when ``max_assets`` is given.
    ``exclude_hidden`` leaves out people already hidden (for ``--hide``).

    Raises:
        InvalidArgumentError: no criterion (that would select everyone), a negative
            ``max_assets``, or ``max_assets`` without ``counts``.
    """
    if not unnamed and max_assets is None:
        raise InvalidArgumentError(
            "prune needs a criterion: unnamed people, a maximum number of assets, or both",
            hint="use --unnamed and/or --max-assets N",
        )
    if max_assets is not None:
        if type(max_assets) is not int or max_assets < 0:
            raise InvalidArgumentError(f"the maximum number of assets must be 0 or more, not {max_assets!r}")
        if counts is None:
            raise InvalidArgumentError("a maximum number of assets needs the people's asset counts")
    known = counts or {}
    chosen: list[Person] = []
    for person in people:
        if person.is_favorite or (exclude_hidden and person.is_hidden) or (unnamed and person.name.strip()):
            continue
        if max_assets is not None:
            count = known.get(person.id)
            if count is None or count > max_assets:
                continue
        chosen.append(person)
    return sorted(chosen, key=lambda person: (known.get(person.id, 0), normalize_name(person.name), person.id))


def sort_people(
    people: Iterable[Person], by: SortKey = "name", counts: Mapping[str, int] | None = None
) -> list[Person]:
    """``people`` sorted for display: ``"name"`` (case- and accent-form-insensitive, unnamed
    last), ``"assets"`` (most first; needs ``counts``, unknown counts last) or ``"updated"``
    (most recently changed first, unknown last). Ties are broken by name, then id."""
    everyone = list(people)

    def by_name(person: Person) -> tuple[bool, str, str]:
        return (not person.name, normalize_name(person.name), person.id)

    if by == "name":
        return sorted(everyone, key=by_name)
    if by == "assets":
        if counts is None:
            raise InvalidArgumentError("sorting by assets needs the people's asset counts")
        known = counts
        return sorted(everyone, key=lambda person: (-known.get(person.id, -1), *by_name(person)))
    if by == "updated":

        def newest(person: Person) -> datetime.datetime:
            stamp = person.updated_at
            if stamp is None:
                return _OLDEST
            return stamp if stamp.tzinfo else stamp.replace(tzinfo=datetime.timezone.utc)

        return sorted(sorted(everyone, key=by_name), key=newest, reverse=True)
    raise InvalidArgumentError(f"cannot sort people by {by!r}", hint="use name, assets or updated")
