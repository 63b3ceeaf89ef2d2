"""The people curation methods: find, edit (one or many), merge, delete, move faces, statistics."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from immiche._config import DEFAULT_CONCURRENCY
from immiche._methods._async._driver import AsyncDriven
from immiche.curation import (
    DEFAULT_BATCH_SIZE,
    NOT_GIVEN,
    BulkResult,
    MergeResult,
    NotGiven,
    PersonStatistics,
    PersonUpdate,
)
from immiche.people import Person


class AsyncCurationMethods(AsyncDriven):
    """Changing people: names, birth dates, flags, merges, deletions and faces."""

    __slots__ = ()

    async def find_person(self, name_or_id: str | Person, *, with_hidden: bool = True) -> Person:
        """One person by id, or by exact name (case-insensitive, unicode-normalised)."""
        raise NotImplementedError

    async def update_person(
        self,
        person: str | Person,
        *,
        name: str | NotGiven = NOT_GIVEN,
        birth_date: datetime.date | str | NotGiven | None = NOT_GIVEN,
        is_hidden: bool | NotGiven = NOT_GIVEN,
        is_favorite: bool | NotGiven = NOT_GIVEN,
        color: str | NotGiven | None = NOT_GIVEN,
        feature_face_asset_id: str | NotGiven = NOT_GIVEN,
    ) -> Person:
        """Change one person (``PUT /people/{id}``); only the fields given are sent."""
        raise NotImplementedError

    async def update_people(
        self, changes: Iterable[PersonUpdate | Mapping[str, Any]], *, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> BulkResult:
        """Change many people in bulk (``PUT /people``); one result per item, in input order."""
        raise NotImplementedError

    async def merge_people(self, into: str | Person, sources: Iterable[str | Person]) -> MergeResult:
        """Merge ``sources`` into ``into`` (never retried); verified."""
        raise NotImplementedError

    async def delete_people(self, people: Iterable[str | Person]) -> int:
        """Delete people (all or nothing); the number deleted."""
        raise NotImplementedError

    async def reassign_faces(self, to: str | Person, faces: Iterable[tuple[str, str | Person]]) -> int:
        """Move the faces of ``(asset_id, from_person)`` pairs to ``to`` (``PUT /people/{to}/reassign``)."""
        raise NotImplementedError

    async def reassign_face(self, face_id: str, to: str | Person) -> Person:
        """Move one face (by face id) to the person ``to`` (``PUT /faces/{to} {id: face_id}``)."""
        raise NotImplementedError

    async def fetch_person_statistics(self, person: str | Person) -> PersonStatistics:
        """A person's statistics (``GET /people/{id}/statistics``): ``.assets``."""
        raise NotImplementedError

    async def fetch_asset_counts(
        self, people: Iterable[str | Person], *, concurrency: int = DEFAULT_CONCURRENCY
    ) -> dict[str, int]:
        """person id -> number of assets, fetched at most ``concurrency`` at once."""
        raise NotImplementedError
