"""People: listing (paged), search, one person, and a person's thumbnail in memory or on disk."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Final

from immiche._config import MAX_SEARCH_NAME, PAGE_SIZE
from immiche._contract import Field, Model, Parameter, op
from immiche._engine.downloads import IMAGES, check_download, prepare_output
from immiche._engine.ids import check_person_id
from immiche.errors import InvalidArgumentError
from immiche.pagination import Page, paginate
from immiche.people import Person, page_counts

if TYPE_CHECKING:
    from immich_client import AuthenticatedClient
    from immiche._engine.effects import Reply, Send, Steps
    from immiche._engine.engine import Engine

__all__ = [
    "MODELS",
    "OPERATIONS",
    "PEOPLE",
    "PERSON",
    "SEARCH",
    "THUMBNAIL",
    "THUMBNAIL_FILES",
    "check_name",
    "download_thumbnail",
    "fetch_person",
    "fetch_thumbnail",
    "people_pages",
    "search_person",
]

PEOPLE = op(
    "getAllPeople",
    "GET",
    "/people",
    "people.get_all_people",
    Parameter("page", "query", "integer"),
    Parameter("size", "query", "integer"),
    Parameter("withHidden", "query", "boolean"),
    response="PeopleResponseDto",
)
PERSON = op(
    "getPerson",
    "GET",
    "/people/{id}",
    "people.get_person",
    Parameter("id", "path", "string:uuid"),
    response="PersonResponseDto",
)
SEARCH = op(
    "searchPerson",
    "GET",
    "/search/person",
    "search.search_person",
    Parameter("name", "query", "string"),
    Parameter("withHidden", "query", "boolean"),
    response="[PersonResponseDto]",
)
THUMBNAIL = op(
    "getPersonThumbnail",
    "GET",
    "/people/{id}/thumbnail",
    "people.get_person_thumbnail",
    Parameter("id", "path", "string:uuid"),
    download=IMAGES,
)

OPERATIONS: Final = (PEOPLE, PERSON, SEARCH, THUMBNAIL)
THUMBNAIL_FILES: Final = IMAGES
"""How bulk thumbnail downloads name and check their files (the THUMBNAIL operation's rule)."""

MODELS: Final = (
    Model(
        "PeopleResponseDto",
        (
            Field("people", "array", model="PersonResponseDto"),
            Field("total", "integer"),
            Field("hidden", "integer", required=False),
            Field("hasNextPage", "boolean", required=False),
        ),
        tolerated_missing=("hidden",),
    ),
    Model(
        "PersonResponseDto",
        (
            Field("id", "string"),
            Field("name", "string"),
            Field("birthDate", "string:date", nullable=True),
            Field("thumbnailPath", "string"),
            Field("isHidden", "boolean"),
            Field("isFavorite", "boolean", required=False),
            Field("color", "string", required=False),
            Field("updatedAt", "string:date-time", required=False),
        ),
    ),
)


def check_name(name: object) -> str:
    """A name to search for, stripped; refused when empty, with control characters or too long."""
    if not isinstance(name, str):
        raise InvalidArgumentError(f"a name to search for must be a string, not {type(name).__name__}")
    if not name.strip():
        raise InvalidArgumentError("the name to search for is empty", hint="give at least one character")
    if any(ord(ch) < 32 for ch in name):
        raise InvalidArgumentError("the name to search for contains control characters")
    if len(name.strip()) > MAX_SEARCH_NAME:
        raise InvalidArgumentError(
            f"the name to search for is longer than {MAX_SEARCH_NAME} characters ({len(name.strip())})",
            hint="search for a part of the name",
        )
    return name.strip()


def _read_people_page(engine: Engine, send: Send, reply: Reply) -> Page[Person]:
    """One ``PeopleResponseDto`` page, read straight from its JSON with :meth:`Person.from_json`
    (what ``from_dict`` + :meth:`Person.from_model` would give, at a fraction of the cost)."""
    body = engine.parse_json(send, reply)
    try:
        if not isinstance(body, dict):
            raise TypeError(f"expected a JSON object, got {type(body).__name__}")
        items = body["people"]
        if not isinstance(items, list):
            raise TypeError("'people' is not a list")
        total, hidden = page_counts(body)
        from_json = Person.from_json
        people = [from_json(item) for item in items]
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise engine.shape_error(send, reply, err) from None
    has_next = body.get("hasNextPage")
    return Page(people, total, hidden, has_next if isinstance(has_next, bool) else None)


def people_pages(engine: Engine, api: AuthenticatedClient, *, with_hidden: bool, page_size: int) -> Steps[None]:
    """Emit a :class:`~immiche.pagination.Page` of people for each page until the last one."""
    if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= PAGE_SIZE:
        raise InvalidArgumentError(f"page_size must be an integer from 1 to {PAGE_SIZE}, not {page_size!r}")

    def request(number: int, _cursor: str | None) -> Send:
        return engine.build(api, PEOPLE, page=number, size=page_size, with_hidden=with_hidden)

    yield from paginate(
        engine, request, partial(_read_people_page, engine), page_size=page_size, key=_person_key, noun="people"
    )


def _person_key(person: Person) -> str:
    return person.id


def search_person(engine: Engine, api: AuthenticatedClient, name: str, *, with_hidden: bool) -> Steps[list[Person]]:
    send = engine.build(api, SEARCH, name=check_name(name), with_hidden=with_hidden)
    reply = yield from engine.call(send)
    return engine.read_list(send, reply, Person.from_json)


def fetch_person(engine: Engine, api: AuthenticatedClient, person_id: str) -> Steps[Person]:
    send = engine.build(api, PERSON, id=check_person_id(person_id))
    reply = yield from engine.call(send)
    return engine.read(send, reply, Person.from_json)


def fetch_thumbnail(engine: Engine, api: AuthenticatedClient, person_id: str) -> Steps[bytes]:
    send = engine.build(api, THUMBNAIL, id=check_person_id(person_id))
    reply = yield from engine.call(send)
    check_download(engine, send, reply)
    return reply.content


def download_thumbnail(
    engine: Engine, api: AuthenticatedClient, person_id: str, output_path: str | os.PathLike[str]
) -> Steps[Path]:
    person = check_person_id(person_id)  # before anything is created on disk
    send = engine.build(api, THUMBNAIL, id=person)
    send.sink = target = prepare_output(output_path)  # errors and refused bodies: max_bytes, in memory
    reply = yield from engine.call(send)
    check_download(engine, send, reply)
    return target
