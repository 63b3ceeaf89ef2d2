"""Resolving a person from a name or an id, as every command taking a PERSON does. No I/O.

Public through :mod:`immiche.curation`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from immiche._ids import UUID_PATTERN
from immiche.errors import ImmichError, InvalidArgumentError, NotFoundError
from immiche.people import Person

__all__ = ["AmbiguousPersonError", "PersonNotFoundError", "match_person", "normalize_name"]


class AmbiguousPersonError(ImmichError):
    """A name matches several people; ``candidates`` lists them (pick one by id).

    Attributes:
        query: the name asked for.
        candidates: the people it matches, each with its id.
    """

    def __init__(self, query: str, candidates: Sequence[Person]) -> None:
        self.query = query
        self.candidates: tuple[Person, ...] = tuple(candidates)
        listed = ", ".join(f"{person.display_name} ({person.id})" for person in self.candidates[:20])
        more = len(self.candidates) - 20
        if more > 0:
            listed += f", and {more} more"
        super().__init__(
            f"{len(self.candidates)} people are named {query!r}: {listed}",
            hint="use the person's id instead of the name",
        )


class PersonNotFoundError(NotFoundError):
    """No person has this name or id (decided locally: ``status_code`` is 404, nothing was sent).

    Attributes:
        query: the name or id asked for.
    """

    def __init__(self, query: str, *, hint: str | None = None) -> None:
        self.query = query
        super().__init__(f"no person named or with id {query!r}", status_code=404, hint=hint)


def normalize_name(text: str) -> str:
    """A name as compared: NFKC-normalised, case-folded, trimmed."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def match_person(name_or_id: str, people: Iterable[Person]) -> Person:
    """The one person of ``people`` with this id (a canonical UUID, any case) or this exact name
    (compared with :func:`normalize_name`; unnamed people never match a name).

    Raises:
        InvalidArgumentError: an empty query.
        AmbiguousPersonError: several people have this name (it lists them with their ids).
        PersonNotFoundError: nobody matches (the hint names people whose name contains the query).
    """
    if not isinstance(name_or_id, str) or not name_or_id.strip():
        raise InvalidArgumentError("give a person's name or id")
    query = name_or_id.strip()
    everyone = list(people)
    if UUID_PATTERN.fullmatch(query):
        wanted = query.lower()
        for person in everyone:
            if person.id.lower() == wanted:
                return person
        raise PersonNotFoundError(query, hint="check the id; hidden people are found only when the list includes them")
    key = normalize_name(query)
    found = [person for person in everyone if person.name and normalize_name(person.name) == key]
    if len(found) == 1:
        return found[0]
    if found:
        raise AmbiguousPersonError(query, found)
    near = [person for person in everyone if person.name and key in normalize_name(person.name)]
    if near:
        listed = ", ".join(f"{person.name} ({person.id})" for person in near[:5])
        hint = f"names are matched exactly; similar: {listed}"
    else:
        hint = "names are matched exactly (case and accents in composed form aside); 'immiche people list' shows them"
    raise PersonNotFoundError(query, hint=hint)
