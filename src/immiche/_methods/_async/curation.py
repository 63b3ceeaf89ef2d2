"""The people curation methods: find, edit (one or many), merge, delete, move faces, statistics.

Every write raises the typed errors of :mod:`immiche.errors`; a 403 names the API-key permission
the server asked for (:data:`immiche.curation.PERMISSIONS` lists them per method).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from immiche._capabilities import ServerCapabilities
from immiche._config import DEFAULT_CONCURRENCY
from immiche._methods._async._driver import AsyncDriven
from immiche._ops import curation as curation_ops
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
        """One person: a :class:`Person` is returned as given, an id is fetched (``GET /people/{id}``),
        and a name is matched exactly (case-insensitively, unicode-normalised) among all people
        (hidden ones too unless ``with_hidden=False``).

        Raises:
            AmbiguousPersonError: several people have this name (``candidates`` lists them, with ids).
            PersonNotFoundError: nobody has this name or id (a :class:`NotFoundError`).

        Example::

            anna = client.find_person("Anna")
        """
        return await self._run(
            curation_ops.find_person(self._engine, await self._api(), name_or_id, with_hidden=with_hidden)
        )

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
        """Change one person (``PUT /people/{id}``): only the fields given are sent; the person as saved.

        ``birth_date`` is a ``datetime.date`` or ``YYYY-MM-DD`` (a real date, not in the future) and
        ``None`` clears it; ``color`` is ``#rgb``/``#rrggbb`` and ``None`` clears it. Checked before
        sending (:class:`InvalidUpdateError`).

        Example::

            client.update_person(anna, name="Anna Berg", birth_date=datetime.date(1985, 7, 15))
        """
        update = PersonUpdate(
            person,
            name=name,
            birth_date=birth_date,
            is_hidden=is_hidden,
            is_favorite=is_favorite,
            color=color,
            feature_face_asset_id=feature_face_asset_id,
        )
        return await self._run(curation_ops.update_person(self._engine, await self._api(), update))

    async def update_people(
        self, changes: Iterable[PersonUpdate | Mapping[str, Any]], *, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> BulkResult:
        """Change many people with the bulk ``PUT /people``, ``batch_size`` people per request.

        ``changes`` holds :class:`PersonUpdate` values or mappings with the same snake_case keys
        (``{"id": ..., "is_hidden": True}``). Every item is checked first and all problems are
        reported at once (:class:`InvalidUpdateError`) before anything is sent. The bulk endpoint
        ignores ``color``, so colours go out as single ``PUT /people/{id}`` requests, reported on
        their item. The result has one item per input item, in input order (``succeeded``,
        ``failed``: id -> the server's reason); a batch the server refuses as a whole fails its
        items with its message. 401/403 and connection errors raise.

        Example::

            result = client.update_people([PersonUpdate(a, is_hidden=True), {"id": b, "name": "Bo"}])
            result.failed
        """
        return await self._run(
            curation_ops.update_people(self._engine, await self._api(), changes, batch_size=batch_size)
        )

    async def merge_people(self, into: str | Person, sources: Iterable[str | Person]) -> MergeResult:
        """Merge ``sources`` into ``into``: their faces move to ``into`` and they are deleted.

        Uses the server's endpoint (``POST /people/{into}/merge``, or ``POST /people/merge`` from
        v3.2.1); never retried. Refused before any request: merging a person into themselves, no
        source, a source given twice, a v3.2.0 server (its merge does nothing).

        Raises:
            MergeError: the server merged nothing (``200 []``) or not every source (``result``).
        """
        api = await self._api()
        assert self._server_version is not None  # known once connected
        capabilities = ServerCapabilities.for_version(self._server_version)
        return await self._run(curation_ops.merge_people(self._engine, api, capabilities, into, sources))

    async def delete_people(self, people: Iterable[str | Person]) -> int:
        """Delete people (``DELETE /people``): all or nothing, as the server does it (one unknown id
        and nothing is deleted: :class:`NotFoundError`). Their faces stay, without a person.
        Returns the number deleted (duplicates counted once)."""
        return await self._run(curation_ops.delete_people(self._engine, await self._api(), people))

    async def reassign_faces(self, to: str | Person, faces: Iterable[tuple[str, str | Person]]) -> int:
        """Move faces to the person ``to``, selected by ``(asset_id, from_person)`` pairs: every face
        of ``from_person`` on that asset moves (``PUT /people/{to}/reassign {data: [{assetId, personId}]}``,
        the path holds the person receiving them). Never retried.

        Returns the number of pairs the server took (a pair matching no face is accepted too).

        Example::

            client.reassign_faces(anna, [(asset_id, stranger)])
        """
        return await self._run(curation_ops.reassign_faces(self._engine, await self._api(), to, faces))

    async def reassign_face(self, face_id: str, to: str | Person) -> Person:
        """Move one face, by its face id, to the person ``to``; returns that person.

        The API call is ``PUT /faces/{to}`` with body ``{"id": face_id}``: its path holds the
        PERSON and its body the FACE, despite the path's name. Never retried.
        """
        return await self._run(curation_ops.reassign_face(self._engine, await self._api(), face_id, to))

    async def fetch_person_statistics(self, person: str | Person) -> PersonStatistics:
        """A person's statistics (``GET /people/{id}/statistics``): ``.assets`` is the number of
        distinct assets showing the person. Needs the ``person.statistics`` permission."""
        return await self._run(curation_ops.statistics(self._engine, await self._api(), person))

    async def fetch_asset_counts(
        self, people: Iterable[str | Person], *, concurrency: int = DEFAULT_CONCURRENCY
    ) -> dict[str, int]:
        """person id -> number of assets, for many people, at most ``concurrency`` requests at once.

        The first failure stops the run and raises. Example::

            counts = client.fetch_asset_counts(client.fetch_people().people)
        """
        ids = curation_ops.unique_ids(people)
        api = await self._api()
        found = await self._run_many(
            (curation_ops.statistics(self._engine, api, person_id) for person_id in ids), concurrency=concurrency
        )
        return {person_id: statistics.assets for person_id, statistics in zip(ids, found, strict=True)}
