"""The asset methods: a person's photos, listed lazily or all at once, and downloaded to a directory."""

from __future__ import annotations

import datetime
import os
from collections.abc import AsyncIterator, Iterable
from typing import Literal

from immiche._config import DEFAULT_CONCURRENCY
from immiche._driver import ProgressCallback
from immiche._methods._async._driver import AsyncDriven
from immiche._ops import asset_files
from immiche._ops import assets as assets_ops
from immiche.assets import Asset
from immiche.people import BulkDownloadResult, Person

PeopleArg = str | Person | Iterable[str | Person]
"""One person or several: ids, :class:`~immiche.Person` values, or exact names."""
DateArg = datetime.date | datetime.datetime | str | None
"""A date (the whole day counts), an aware or naive date-time (naive: UTC), an ISO 8601 string, or None."""


class AsyncAssetMethods(AsyncDriven):
    """A person's photos: listing and downloading them."""

    __slots__ = ()

    def iter_assets(
        self,
        *,
        people: PeopleArg,
        match: Literal["all", "any"] = "all",
        taken_after: DateArg = None,
        taken_before: DateArg = None,
        order: Literal["desc", "asc"] = "desc",
    ) -> AsyncIterator[Asset]:
        """Yield the photos and videos of ``people`` page by page as they arrive (``async for`` with AsyncClient).

        ``match="all"``: assets where every one of them appears; ``"any"``: where at least one
        does (on servers before v3.2, a union of one search per person, without duplicates, in
        ``order``). ``people`` may be ids, :class:`Person` values or exact names (resolved like
        the CLI's PERSON). Ordered by the time taken, newest first unless ``order="asc"``.

        Example::

            for asset in client.iter_assets(people="Anna", taken_after="2024-01-01"):
                print(asset.taken_at, asset.original_file_name)
        """
        return self._iterate(
            lambda api: assets_ops.asset_pages(
                self._engine,
                api,
                self._capabilities(),
                people=people,
                match=match,
                taken_after=taken_after,
                taken_before=taken_before,
                order=order,
            )
        )

    async def fetch_assets(
        self,
        *,
        people: PeopleArg,
        match: Literal["all", "any"] = "all",
        taken_after: DateArg = None,
        taken_before: DateArg = None,
        order: Literal["desc", "asc"] = "desc",
    ) -> list[Asset]:
        """Every asset :meth:`iter_assets` yields, as a list."""
        return await self._run(
            assets_ops.fetch_assets(
                self._engine,
                await self._api(),
                self._capabilities(),
                people=people,
                match=match,
                taken_after=taken_after,
                taken_before=taken_before,
                order=order,
            )
        )

    async def download_assets(
        self,
        assets: Iterable[Asset | str],
        directory: str | os.PathLike[str],
        *,
        size: Literal["original", "preview", "thumbnail"] = "original",
        concurrency: int = DEFAULT_CONCURRENCY,
        name: str = "{date}_{filename}",
        skip_existing: bool = True,
        on_progress: ProgressCallback | None = None,
    ) -> BulkDownloadResult:
        """Download assets into ``directory``, at most ``concurrency`` at once; see README.

        Each file is streamed (bounded memory), written atomically and named from the ``name``
        template (fields in :mod:`immiche.assets`), made safe and unique; its modification time
        is the photo's. With ``skip_existing``, files already complete are not downloaded again,
        and an interrupted download resumes (``Range``) where the server allows it.
        Failures are collected per item (``result.failed``); they never abort the batch.
        """
        asset_files.check_arguments(size, name, concurrency)  # before any request
        api = await self._api()
        prepared = await self._run(asset_files.prepare_assets(self._engine, api, assets))
        batch = asset_files.Batch(prepared, directory, size=size, name=name, skip_existing=skip_existing)
        return await self._download_jobs(
            batch.plan,
            lambda index: batch.job(self._engine, api, index),
            concurrency=concurrency,
            on_progress=on_progress,
            finish=batch.manifest.save,
        )
