"""The people API's values: :class:`Person`, :class:`PeopleResponse` and thumbnail download results.

A :class:`Person` is built from the generated ``PersonResponseDto`` (:meth:`Person.from_model`)
or, on the listing hot path, straight from the same JSON (:meth:`Person.from_json`). Both tolerate
what older and newer servers send: fields an older server lacks become ``None`` (or are computed),
fields a newer server adds are ignored.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from immich_client.models import PersonResponseDto
    from immiche.errors import ImmichError

__all__ = ["BulkDownloadResult", "DownloadResult", "PeopleResponse", "Person", "ThumbnailDownload"]


class Person(NamedTuple):
    """A person (a face cluster) as Immich describes it: immutable, typed, cheap to create.

    A ``NamedTuple``, so that a library of 10,000 people is read at close to the speed of raw JSON
    (see README, "Performance"); compare people by field, copy with ``person._replace(name=...)``.

    Attributes:
        id: the person's UUID.
        name: the name, ``""`` for an unnamed person.
        birth_date: the birth date, if set.
        thumbnail_path: the server-internal path of the face thumbnail, ``""`` when there is none.
        is_hidden: hidden from the people view.
        is_favorite: marked as favourite (``None`` when the server does not say: before v1.126).
        color: the person's colour as ``#rrggbb`` (``None`` when unset or not sent).
        updated_at: last change (``None`` when the server does not send it: before v1.107).
    """

    id: str
    name: str
    birth_date: datetime.date | None
    thumbnail_path: str
    is_hidden: bool
    is_favorite: bool | None = None
    color: str | None = None
    updated_at: datetime.datetime | None = None

    @classmethod
    def from_model(cls, model: PersonResponseDto) -> Person:
        """Build a Person from the generated ``PersonResponseDto`` (a convenience for ``low_level``
        users; the facade reads answers with :meth:`from_json`)."""
        birth_date: object = model.birth_date
        if isinstance(birth_date, str):  # the generated parser keeps what it cannot read as a date
            birth_date = _read_date(birth_date)
        return cls(
            id=str(model.id),
            name=model.name if isinstance(model.name, str) else "",
            birth_date=birth_date if isinstance(birth_date, datetime.date) else None,
            thumbnail_path=model.thumbnail_path if isinstance(model.thumbnail_path, str) else "",
            is_hidden=bool(model.is_hidden),
            is_favorite=model.is_favorite if isinstance(model.is_favorite, bool) else None,
            color=model.color if isinstance(model.color, str) and model.color else None,
            updated_at=model.updated_at if isinstance(model.updated_at, datetime.datetime) else None,
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Person:
        """Build a Person straight from a ``PersonResponseDto`` JSON object (how the facade reads every person).

        It reads exactly what :meth:`from_model` reads, with the same tolerance, at a fifth of the
        cost of the generated ``from_dict`` + :meth:`from_model`; tests check that both agree on
        every recorded answer. Raises ``KeyError`` when a field every Immich version sends (id,
        name, birthDate, thumbnailPath, isHidden) is missing, ``TypeError`` for a non-string id or
        a non-boolean isHidden.
        """
        person_id, name, birth_date, thumbnail_path, is_hidden = _required_fields(data)
        if type(person_id) is not str or type(is_hidden) is not bool:
            raise TypeError("a person needs a string 'id' and a boolean 'isHidden'")
        get = data.get
        is_favorite = get("isFavorite")
        color = get("color")
        updated_at = get("updatedAt")
        if birth_date is not None:
            try:
                birth_date = _date_from_iso(birth_date) if type(birth_date) is str else None
            except ValueError:
                birth_date = _read_date(birth_date)
        if updated_at is not None:
            try:
                updated_at = _datetime_from_iso(updated_at) if type(updated_at) is str else None
            except ValueError:
                updated_at = _read_datetime(updated_at)
        return _new_tuple(
            cls,
            (
                person_id,
                name if type(name) is str else "",
                birth_date,
                thumbnail_path if type(thumbnail_path) is str else "",
                is_hidden,
                is_favorite if type(is_favorite) is bool else None,
                color if type(color) is str and color else None,
                updated_at,
            ),
        )

    @property
    def display_name(self) -> str:
        """The name, or ``"(unnamed)"``."""
        return self.name or "(unnamed)"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the CLI's ``--json`` person object): dates as ISO strings, missing as null.

        Example:
            >>> Person("5174df3b-37a7-46b2-a6c6-5cee411fbdae", "Ann", None, "", False).to_dict()["birth_date"] is None
            True
        """
        return {
            "id": self.id,
            "name": self.name,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "thumbnail_path": self.thumbnail_path,
            "is_hidden": self.is_hidden,
            "is_favorite": self.is_favorite,
            "color": self.color,
            "updated_at": _format_utc(self.updated_at) if self.updated_at else None,
        }


_new_tuple = tuple.__new__
_required_fields = operator.itemgetter("id", "name", "birthDate", "thumbnailPath", "isHidden")
_date_from_iso = datetime.date.fromisoformat
_datetime_from_iso = datetime.datetime.fromisoformat


def _read_date(value: object) -> datetime.date | None:
    """A ``YYYY-MM-DD`` date, or None for null, absent or unreadable values."""
    if type(value) is not str:
        return None
    try:
        return _date_from_iso(value[:10])
    except ValueError:
        return None


def _read_datetime(value: object) -> datetime.datetime | None:
    """An ISO 8601 date-time as Immich sends it (``...Z``), on every supported Python."""
    if type(value) is not str:
        return None
    try:
        return _datetime_from_iso(value)
    except ValueError:
        pass
    try:  # Python 3.10's fromisoformat knows neither "Z" nor other fraction lengths
        from immich_client.types import parse_datetime

        return parse_datetime(value)
    except (ValueError, OverflowError):
        return None


@dataclass(frozen=True, slots=True)
class PeopleResponse:
    """All the people of a library, as :meth:`immiche.Client.fetch_people` returns them.

    Attributes:
        total: the caller's people with at least one visible face, hidden ones included. It can
            exceed ``len(people)``: Immich lists unnamed people only once they have enough faces.
        visible: ``total - hidden``.
        hidden: how many of ``total`` are hidden.
        people: every person listed, across all pages, in server order.
    """

    total: int
    visible: int
    hidden: int
    people: tuple[Person, ...]

    def __len__(self) -> int:
        return len(self.people)


@dataclass(frozen=True, slots=True)
class DownloadResult:
    """The outcome of one item of any bulk download: a ``path`` or an ``error``.

    Attributes:
        id: the item's id (a person's for thumbnails).
        path: the file written, when it was.
        error: why it was not.
        size: the file's size in bytes once written (or found complete), for a progress bar's
            byte count; ``None`` when unknown or failed.
        skipped: the file was already complete, nothing was downloaded (``skip_existing``).
    """

    id: str
    path: Path | None = None
    error: ImmichError | None = None
    size: int | None = None
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def person_id(self) -> str:
        """The id, under the name thumbnail downloads have always used."""
        return self.id


ThumbnailDownload = DownloadResult
"""The outcome of one thumbnail in a bulk download (:class:`DownloadResult`; ``.person_id`` is its id)."""


@dataclass(frozen=True)
class BulkDownloadResult:
    """What a bulk download (:meth:`immiche.Client.download_thumbnails`) did, item by item, in input order."""

    items: tuple[DownloadResult, ...] = field(default_factory=tuple)

    @property
    def succeeded(self) -> list[Path]:
        return [item.path for item in self.items if item.path is not None and item.error is None]

    @property
    def failed(self) -> dict[str, ImmichError]:
        return {item.id: item.error for item in self.items if item.error is not None}

    @property
    def ok(self) -> bool:
        return all(item.ok for item in self.items)

    def __len__(self) -> int:
        return len(self.items)


def page_counts(page: Mapping[str, Any]) -> tuple[int, int]:
    """(total, hidden) of a ``PeopleResponseDto`` JSON page; old servers send ``visible`` instead."""
    total = page["total"]
    if type(total) is not int:
        raise TypeError("'total' is not an integer")
    hidden = page.get("hidden")
    if type(hidden) is int:
        return total, hidden
    visible = page.get("visible")  # servers before v1.110
    if type(visible) is int:
        return total, max(0, total - visible)
    return total, 0


def _format_utc(value: datetime.datetime) -> str:
    if value.tzinfo is None:
        return value.isoformat()
    text = value.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def person_id_of(person: Person | Mapping[str, Any] | str) -> str:
    """The person id of a Person, a person dict or an id string (bulk downloads take all three)."""
    if isinstance(person, Person):
        return person.id
    if isinstance(person, Mapping):
        return str(person.get("id", ""))
    return person
