"""The album methods: keep an album in sync with a person's photos."""

from __future__ import annotations

from typing import Literal

from immiche._methods._async._driver import AsyncDriven
from immiche._methods._async.assets import PeopleArg
from immiche._ops import albums as albums_ops
from immiche.albums import AlbumSyncResult


class AsyncAlbumMethods(AsyncDriven):
    """Albums kept in sync with people."""

    __slots__ = ()

    async def sync_album(
        self,
        album: str,
        *,
        people: PeopleArg,
        match: Literal["any", "all", "only"] = "any",
        remove_extras: bool = False,
        dry_run: bool = False,
    ) -> AlbumSyncResult:
        """Make the album ``album`` (a name or an id) hold the photos of ``people``.

        ``match="any"``: photos where at least one of them appears; ``"all"``: every one of
        them; ``"only"``: every one of them and nobody else. A missing album is created (a name
        matching several albums raises :class:`AmbiguousAlbumError`); only missing assets are
        added, in bounded batches, and with ``remove_extras`` the others are removed. With
        ``dry_run`` nothing is written. The server's per-item refusals are in ``result.failed``.

        Raises:
            AlbumNotFoundError: an album id that does not exist, or an album deleted while syncing.
        """
        return await self._run(
            albums_ops.sync_album(
                self._engine,
                await self._api(),
                self._capabilities(),
                album,
                people=people,
                match=match,
                remove_extras=remove_extras,
                dry_run=dry_run,
            )
        )
