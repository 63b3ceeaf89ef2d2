"""The people methods: listing, search, one person, thumbnails."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable, Mapping
from pathlib import Path
from typing import Any

from immiche._config import DEFAULT_CONCURRENCY, PAGE_SIZE
from immiche._driver import ProgressCallback
from immiche._methods._async._driver import AsyncDriven
from immiche._ops import people as people_ops
from immiche._ops import workflows
from immiche.people import BulkDownloadResult, PeopleResponse, Person


class AsyncPeopleMethods(AsyncDriven):
    """Reading people and their thumbnails."""

    __slots__ = ()

    async def fetch_people(self, *, with_hidden: bool = False) -> PeopleResponse:
        """Every person of the library, fetching all pages (1,000 per request).

        Example::

            people = client.fetch_people(with_hidden=True)
            people.total, people.visible, people.hidden
        """
        return await self._run(workflows.fetch_people(self._engine, await self._api(), with_hidden=with_hidden))

    def iter_people(self, *, with_hidden: bool = False, page_size: int = PAGE_SIZE) -> AsyncIterator[Person]:
        """Yield people page by page as they arrive, for very large libraries (``async for`` with AsyncClient)."""
        return self._iterate(
            lambda api: people_ops.people_pages(self._engine, api, with_hidden=with_hidden, page_size=page_size)
        )

    async def search_person(self, name: str, *, with_hidden: bool = False) -> list[Person]:
        """People whose name matches ``name`` (how exactly depends on the server version)."""
        return await self._run(people_ops.search_person(self._engine, await self._api(), name, with_hidden=with_hidden))

    async def fetch_person(self, person_id: str) -> Person:
        """One person by id. Raises :class:`NotFoundError` for an unknown id."""
        return await self._run(people_ops.fetch_person(self._engine, await self._api(), person_id))

    async def fetch_thumbnail(self, person_id: str) -> bytes:
        """A person's thumbnail JPEG in memory."""
        return await self._run(people_ops.fetch_thumbnail(self._engine, await self._api(), person_id))

    async def download_thumbnail(self, person_id: str, output_path: str | os.PathLike[str]) -> Path:
        """Stream a person's thumbnail to ``output_path`` atomically; return the path.

        Parent directories are created. A failed download leaves no partial file and keeps a
        previous file at that path.
        """
        return await self._run(people_ops.download_thumbnail(self._engine, await self._api(), person_id, output_path))

    async def download_thumbnails(
        self,
        people_or_ids: Iterable[Person | Mapping[str, Any] | str],
        directory: str | os.PathLike[str],
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        on_progress: ProgressCallback | None = None,
    ) -> BulkDownloadResult:
        """Download many thumbnails as ``<directory>/<person-id>.jpg``, at most ``concurrency`` at once.

        Failures are collected per item (``result.failed``); they never abort the batch.
        """
        return await self._download_many(
            people_or_ids,
            directory,
            self.download_thumbnail,
            people_ops.THUMBNAIL_FILES,
            concurrency=concurrency,
            on_progress=on_progress,
        )
