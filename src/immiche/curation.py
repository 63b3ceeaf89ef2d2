"""People curation values: what to change, how Immich is asked, and what it answered. No I/O.

The facade and the CLI build on these:

- :class:`PersonUpdate`: the changes for one person, checked when built. A field left out is
  :data:`NOT_GIVEN` (not sent); ``None`` clears ``birth_date`` and ``color``.
- :func:`validate_updates` checks many changes and reports every problem at once
  (:class:`InvalidUpdateError`), because Immich rejects a whole bulk request for one bad item.
- :func:`to_request_json` builds the Immich body; :func:`split_bulk` moves what the bulk endpoint
  ignores (``color``) to single updates; :func:`batches` bounds the request size.
- :class:`BulkResult`, :class:`MergeResult` (:func:`verify_merge`), :class:`PersonStatistics`
  read Immich's answers; :func:`match_person` resolves a name or an id in a list of people (the
  clients' ``find_person`` and ``find_people`` do it over the server's people, one listing at most).

Example:
    >>> update = PersonUpdate("5174df3b-37a7-46b2-a6c6-5cee411fbdae", name="Anna", birth_date="1985-07-15")
    >>> to_request_json(update)
    {'name': 'Anna', 'birthDate': '1985-07-15'}
"""

from __future__ import annotations

import datetime
import enum
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, NamedTuple, TypeVar

from immiche._curation_answers import (
    BulkItemResult,
    BulkResult,
    MergeError,
    MergeResult,
    PersonStatistics,
    verify_merge,
)
from immiche._ids import canonical_id
from immiche._matching import AmbiguousPersonError, PersonNotFoundError, match_person, normalize_name
from immiche._selection import SortKey, prune_candidates, sort_people
from immiche.errors import InvalidArgumentError
from immiche.people import Person

if TYPE_CHECKING:
    from immiche._capabilities import ServerCapabilities
    from immiche.server import ServerVersion

__all__ = [
    "BULK_IGNORED_FIELDS",
    "DEFAULT_BATCH_SIZE",
    "EDITABLE_FIELDS",
    "NOT_GIVEN",
    "PERMISSIONS",
    "READ_ONLY_KEYS",
    "AmbiguousPersonError",
    "BulkItemResult",
    "BulkResult",
    "InvalidUpdateError",
    "MergeError",
    "MergeResult",
    "NotGiven",
    "PersonNotFoundError",
    "PersonStatistics",
    "PersonUpdate",
    "Problem",
    "SortKey",
    "batches",
    "canonical_id",
    "check_changes",
    "key_problem",
    "match_person",
    "merge_request",
    "normalize_name",
    "prune_candidates",
    "sort_people",
    "split_bulk",
    "to_request_json",
    "validate_updates",
    "verify_merge",
]

T = TypeVar("T")


class _NotGiven(enum.Enum):
    NOT_GIVEN = "NOT_GIVEN"

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> bool:
        return False


NOT_GIVEN: Final = _NotGiven.NOT_GIVEN
"""A field that is not changed (and not sent); ``None`` is a value (it clears birth date and colour)."""

NotGiven = Literal[_NotGiven.NOT_GIVEN]

#: The person fields an update can change, in display order.
EDITABLE_FIELDS: Final = ("name", "birth_date", "is_hidden", "is_favorite", "color", "feature_face_asset_id")
#: Keys of ``people list --json`` (:meth:`Person.to_dict`) that the server owns: accepted in input
#: and ignored whatever their value, so that the listing, edited by hand, is valid input. Editing
#: them has no effect (the API cannot set them); ``assets`` is the ``--counts`` column.
READ_ONLY_KEYS: Final = frozenset({"thumbnail_path", "updated_at", "assets"})
#: Fields the bulk ``PUT /people`` silently ignores (recorded on v2.4.1): sent one by one instead.
BULK_IGNORED_FIELDS: Final = frozenset({"color"})
#: People per bulk request: 1,000 people take 2 requests, and a body stays far below the server's limit.
DEFAULT_BATCH_SIZE: Final = 500

#: The API-key permission each curation operation needs (recorded on v2.4.1; a 403 names it).
PERMISSIONS: Final = {
    "find_person": ("person.read",),
    "find_people": ("person.read",),
    "update_person": ("person.update",),
    "update_people": ("person.update",),
    "merge_people": ("person.merge",),
    "delete_people": ("person.delete",),
    "reassign_faces": ("person.reassign",),
    "reassign_face": ("face.update",),
    "fetch_person_statistics": ("person.statistics",),
    "fetch_asset_counts": ("person.statistics",),
}

_CAMEL: Final = {
    "name": "name",
    "birth_date": "birthDate",
    "is_hidden": "isHidden",
    "is_favorite": "isFavorite",
    "color": "color",
    "feature_face_asset_id": "featureFaceAssetId",
}
_SNAKE_OF_CAMEL: Final = {camel: snake for snake, camel in _CAMEL.items() if camel != snake}
_HEX_COLOR: Final = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


# -- errors ----------------------------------------------------------------------------------------


class Problem(NamedTuple):
    """One problem of one item: its position (``None`` for a lone update), the field, what is wrong."""

    item: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"item {self.item}: " if self.item is not None else ""
        return f"{where}{self.field}: {self.message}"


class InvalidUpdateError(InvalidArgumentError):
    """One or more person updates are invalid; nothing was sent.

    Attributes:
        problems: every problem found, in input order (``item``, ``field``, ``message``).
    """

    def __init__(self, problems: Sequence[Problem], **kwargs: Any) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        shown = "; ".join(str(problem) for problem in self.problems[:10])
        more = len(self.problems) - 10
        if more > 0:
            shown += f"; and {more} more"
        count = len(self.problems)
        kwargs.setdefault("hint", "fix these and retry: nothing was sent")
        super().__init__(f"{count} invalid change{'s' if count != 1 else ''}: {shown}", **kwargs)


# -- field checks ----------------------------------------------------------------------------------


def _check_birth_date(value: object, today: datetime.date) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        raise ValueError("must be a date, not a date and time")
    if isinstance(value, str):
        text = value.strip()
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(f"{value[:40]!r} is not a date in the format YYYY-MM-DD")
        try:
            value = datetime.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a real calendar date") from None
    if not isinstance(value, datetime.date):
        raise TypeError(f"must be a date or a YYYY-MM-DD string, not {type(value).__name__}")
    if value > today:
        raise ValueError(f"{value.isoformat()} is in the future")
    return value


def _check_color(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"must be a hex colour string or None, not {type(value).__name__}")
    if not _HEX_COLOR.fullmatch(value):
        raise ValueError(f"{value[:40]!r} is not a hex colour like #f00 or #ff0000")
    return value


def _check_bool(value: object) -> bool:
    if type(value) is not bool:
        raise TypeError(f"must be true or false, not {type(value).__name__}")
    return value


def _check_name(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"must be a string, not {type(value).__name__}")
    return value


def _check_field(name: str, value: object, today: datetime.date) -> object:
    """The checked, normalised value of one editable field; ValueError/TypeError/InvalidArgumentError."""
    if name == "name":
        return _check_name(value)
    if name == "birth_date":
        return _check_birth_date(value, today)
    if name in ("is_hidden", "is_favorite"):
        return _check_bool(value)
    if name == "color":
        return _check_color(value)
    return canonical_id(value, "asset")  # feature_face_asset_id


def _today(today: datetime.date | None) -> datetime.date:
    return datetime.date.today() if today is None else today


def check_changes(
    values: Mapping[str, object], *, today: datetime.date | None = None
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Check the editable fields of ``values`` (other keys are not looked at; :data:`NOT_GIVEN`
    values are left out): (the checked, normalised values, ``(field, message)`` per problem)."""
    day = _today(today)
    checked: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for name in EDITABLE_FIELDS:
        value = values.get(name, NOT_GIVEN)
        if value is NOT_GIVEN:
            continue
        try:
            checked[name] = _check_field(name, value, day)
        except InvalidArgumentError as err:
            problems.append((name, err.message))
        except (TypeError, ValueError) as err:
            problems.append((name, str(err)))
    return checked, problems


def key_problem(key: object) -> str | None:
    """Why ``key`` is not accepted in an update mapping, or None (editable, ``id`` or read-only)."""
    if key == "id" or key in READ_ONLY_KEYS or key in _CAMEL:
        return None
    if isinstance(key, str) and key in _SNAKE_OF_CAMEL:
        return f"unknown key; use {_SNAKE_OF_CAMEL[key]!r}"
    return f"unknown key (editable: {', '.join(EDITABLE_FIELDS)})"


def _check_all(
    person: object, values: Mapping[str, object], today: datetime.date, index: int | None
) -> tuple[str | None, dict[str, object], list[Problem]]:
    problems: list[Problem] = []
    person_id: str | None = None
    try:
        person_id = canonical_id(person)
    except InvalidArgumentError as err:
        problems.append(Problem(index, "id", err.message))
    checked, found = check_changes(values, today=today)
    problems += [Problem(index, name, message) for name, message in found]
    return person_id, checked, problems


# -- PersonUpdate ----------------------------------------------------------------------------------


@dataclass(frozen=True, init=False)
class PersonUpdate:
    """The changes for one person; fields left :data:`NOT_GIVEN` are neither changed nor sent.

    Checked when built: ``id`` a canonical UUID or a :class:`Person`; ``name`` a string (``""``
    unnames); ``birth_date`` a ``datetime.date`` or ``YYYY-MM-DD``, a real date not in the future,
    ``None`` clears it; ``is_hidden``/``is_favorite`` strictly ``bool``; ``color`` ``#rgb`` or
    ``#rrggbb``, ``None`` clears it; ``feature_face_asset_id`` an asset id (the asset must carry a
    face of this person). Raises :class:`InvalidUpdateError` listing every problem.

    Example:
        >>> PersonUpdate("5174df3b-37a7-46b2-a6c6-5cee411fbdae", is_hidden=True).changes
        {'is_hidden': True}
    """

    id: str
    name: str | NotGiven
    birth_date: datetime.date | NotGiven | None
    is_hidden: bool | NotGiven
    is_favorite: bool | NotGiven
    color: str | NotGiven | None
    feature_face_asset_id: str | NotGiven

    def __init__(
        self,
        id: str | uuid.UUID | Person,
        *,
        name: str | NotGiven = NOT_GIVEN,
        birth_date: datetime.date | str | NotGiven | None = NOT_GIVEN,
        is_hidden: bool | NotGiven = NOT_GIVEN,
        is_favorite: bool | NotGiven = NOT_GIVEN,
        color: str | NotGiven | None = NOT_GIVEN,
        feature_face_asset_id: str | NotGiven = NOT_GIVEN,
        today: datetime.date | None = None,
    ) -> None:
        values = {
            "name": name,
            "birth_date": birth_date,
            "is_hidden": is_hidden,
            "is_favorite": is_favorite,
            "color": color,
            "feature_face_asset_id": feature_face_asset_id,
        }
        person_id, checked, problems = _check_all(id, values, _today(today), None)
        if problems or person_id is None:
            raise InvalidUpdateError(problems)
        self._set(person_id, checked)

    def _set(self, person_id: str, checked: Mapping[str, object]) -> None:
        object.__setattr__(self, "id", person_id)
        for name in EDITABLE_FIELDS:
            object.__setattr__(self, name, checked.get(name, NOT_GIVEN))

    @classmethod
    def _trusted(cls, person_id: str, checked: Mapping[str, object]) -> PersonUpdate:
        update = cls.__new__(cls)
        update._set(person_id, checked)
        return update

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, today: datetime.date | None = None) -> PersonUpdate:
        """An update from a mapping with snake_case keys, as ``people list --json`` writes them.

        ``id`` is required. Keys of :data:`READ_ONLY_KEYS` are ignored; ``null`` for ``is_hidden``
        or ``is_favorite`` means "not given" (a listing from a server that does not send the
        favourite flag). Any other key is an error naming it (a camelCase key names its snake_case
        spelling). Raises :class:`InvalidUpdateError` listing every problem.
        """
        return validate_updates([data], today=today)[0]

    @property
    def changes(self) -> dict[str, Any]:
        """The given fields, snake_case, with their values (dates as ``datetime.date``)."""
        return {name: getattr(self, name) for name in EDITABLE_FIELDS if getattr(self, name) is not NOT_GIVEN}

    def __bool__(self) -> bool:
        """False when nothing would change."""
        return bool(self.changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, snake_case (the input format of ``people apply``): ``id`` and the given fields."""
        out: dict[str, Any] = {"id": self.id}
        for name, value in self.changes.items():
            out[name] = value.isoformat() if isinstance(value, datetime.date) else value
        return out

    def replace(self, **changes: Any) -> PersonUpdate:
        """A copy with ``changes`` applied (``NOT_GIVEN`` drops a field); checked again."""
        values: dict[str, Any] = {**self.changes, **changes}
        return PersonUpdate(values.pop("id", self.id), **values)

    def against(self, person: Person) -> PersonUpdate:
        """Only the fields that differ from ``person``'s current values (``feature_face_asset_id`` is
        always kept: a person does not show it). Compare the result with ``bool()``."""
        kept = {
            name: value
            for name, value in self.changes.items()
            if name == "feature_face_asset_id" or getattr(person, name) != value
        }
        return PersonUpdate._trusted(self.id, kept)

    def diff(self, person: Person) -> list[tuple[str, Any, Any]]:
        """``(field, old, new)`` for each field this update changes on ``person`` (a dry run's lines)."""
        return [(name, getattr(person, name, None), value) for name, value in self.against(person).changes.items()]


def _mapping_problems(data: object, index: int) -> tuple[object, dict[str, object], list[Problem]]:
    """Split one mapping into (id or NOT_GIVEN, field values, key problems)."""
    if not isinstance(data, Mapping):
        return NOT_GIVEN, {}, [Problem(index, "*", f"must be a mapping or a PersonUpdate, not {type(data).__name__}")]
    problems: list[Problem] = []
    values: dict[str, object] = {}
    for key, value in data.items():
        message = key_problem(key)
        if message is not None:
            problems.append(Problem(index, str(key), message))
        elif key in _CAMEL and not (value is None and key in ("is_hidden", "is_favorite")):
            values[key] = value
    if "id" not in data:
        problems.insert(0, Problem(index, "id", "missing"))
        return NOT_GIVEN, values, problems
    return data["id"], values, problems


def validate_updates(
    items: Iterable[PersonUpdate | Mapping[str, Any]], *, today: datetime.date | None = None
) -> list[PersonUpdate]:
    """Check every item (a :class:`PersonUpdate` or a snake_case mapping) before anything is sent.

    Returns the updates in input order. Raises :class:`InvalidUpdateError` with every problem of
    every item (``item`` is its 0-based position), never just the first.
    """
    day = _today(today)
    updates: list[PersonUpdate] = []
    problems: list[Problem] = []
    for index, item in enumerate(items):
        if isinstance(item, PersonUpdate):
            updates.append(item)
            continue
        raw_id, values, found = _mapping_problems(item, index)
        person_id: str | None = None
        checked: dict[str, object] = {}
        if raw_id is not NOT_GIVEN:
            person_id, checked, more = _check_all(raw_id, values, day, index)
            found += more
        if found or person_id is None:
            problems += found
            continue
        updates.append(PersonUpdate._trusted(person_id, checked))
    if problems:
        raise InvalidUpdateError(problems)
    return updates


# -- requests --------------------------------------------------------------------------------------


def to_request_json(
    update: PersonUpdate,
    capabilities: ServerCapabilities | ServerVersion | None = None,
    *,
    bulk: bool = False,
) -> dict[str, Any]:
    """The Immich body for ``update``: camelCase, only the given fields, ``birthDate`` as
    ``YYYY-MM-DD`` or ``null``, ``color`` as given or ``null``.

    With ``bulk=True`` it is one item of ``PUT /people`` (``id`` first); else the body of
    ``PUT /people/{id}``. Every supported version (v1.132 to v3.3) takes the same body, so
    ``capabilities`` (or a version) changes nothing today; pass it so that a future difference
    needs no change in the caller. Never sends ``""`` to clear a date (v3 answers 500 to it).
    """
    del capabilities  # the same body on every supported version (see the docstring)
    body: dict[str, Any] = {"id": update.id} if bulk else {}
    for name, value in update.changes.items():
        body[_CAMEL[name]] = value.isoformat() if isinstance(value, datetime.date) else value
    return body


def split_bulk(updates: Iterable[PersonUpdate]) -> tuple[list[PersonUpdate], list[PersonUpdate]]:
    """(bulk updates, single updates): the fields the bulk endpoint ignores (:data:`BULK_IGNORED_FIELDS`,
    i.e. ``color``) move to single ``PUT /people/{id}`` updates, so no requested change is dropped.

    An update that only changes ``color`` has no bulk part; input order is kept in both lists.
    """
    bulk: list[PersonUpdate] = []
    single: list[PersonUpdate] = []
    for update in updates:
        changes = update.changes
        rest = {name: value for name, value in changes.items() if name not in BULK_IGNORED_FIELDS}
        ignored = {name: value for name, value in changes.items() if name in BULK_IGNORED_FIELDS}
        if rest or not ignored:
            bulk.append(PersonUpdate._trusted(update.id, rest))
        if ignored:
            single.append(PersonUpdate._trusted(update.id, ignored))
    return bulk, single


def batches(items: Sequence[T], size: int = DEFAULT_BATCH_SIZE) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size`` (:data:`DEFAULT_BATCH_SIZE`), in order."""
    if type(size) is not int or size < 1:
        raise InvalidArgumentError(f"a batch size must be a positive integer, not {size!r}")
    for start in range(0, len(items), size):
        yield items[start : start + size]


def merge_request(
    into: str | Person, sources: Iterable[str | Person], capabilities: ServerCapabilities
) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    """(path, body, source ids) of the merge of ``sources`` into ``into`` on this server.

    Legacy servers: ``POST /people/{into}/merge {ids: sources}``; from v3.2.1 ``POST /people/merge
    {ids: [into, *sources]}`` (the first person absorbs the others). Checked before any request:
    ids, at least one source, no source twice, never a person into itself; and refused on v3.2.0,
    whose merge answered ``200 []`` and merged nothing.

    Raises:
        InvalidArgumentError: any of the above.
    """
    target = canonical_id(into)
    ids: list[str] = []
    for source in sources:
        source_id = canonical_id(source)
        if source_id == target:
            raise InvalidArgumentError(
                "cannot merge a person into themselves", hint=f"remove {target} from the sources"
            )
        if source_id in ids:
            raise InvalidArgumentError(f"{source_id} is given twice as a source")
        ids.append(source_id)
    if not ids:
        raise InvalidArgumentError("nothing to merge: give at least one person to merge into the target")
    if not capabilities.merge_works:
        raise InvalidArgumentError(
            f"Immich {capabilities.version} cannot merge people (its merge answers success and does nothing)",
            hint="upgrade the server to v3.2.1 or later",
        )
    if capabilities.merge_endpoint == "people":
        return "/people/merge", {"ids": [target, *ids]}, tuple(ids)
    return f"/people/{target}/merge", {"ids": list(ids)}, tuple(ids)


# -- answers ---------------------------------------------------------------------------------------
