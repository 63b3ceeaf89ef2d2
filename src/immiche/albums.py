"""Albums: the :class:`Album` value, what :meth:`immiche.Client.sync_album` did, and its errors."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from immiche.errors import ImmichError, NotFoundError
from immiche.people import _read_datetime

__all__ = ["Album", "AlbumItemFailure", "AlbumNotFoundError", "AlbumSyncResult", "AmbiguousAlbumError"]


class Album(NamedTuple):
    """An album as Immich describes it (read leniently, like :class:`~immiche.Person`).

    Attributes:
        id: the album's UUID.
        name: its name (``albumName``), ``""`` for an unnamed one.
        asset_count: how many assets it holds (``assetCount``), 0 when not sent.
        owner_id: its owner's id (``ownerId`` up to v2, the ``owner`` of ``albumUsers`` from v3).
        updated_at: its last change, when sent.
    """

    id: str
    name: str = ""
    asset_count: int = 0
    owner_id: str | None = None
    updated_at: datetime.datetime | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Album:
        """An Album from an ``AlbumResponseDto`` JSON object; raises ``KeyError`` without ``id``."""
        album_id = data["id"]
        if type(album_id) is not str:
            raise TypeError("an album needs a string 'id'")
        name, count, owner = data.get("albumName"), data.get("assetCount"), data.get("ownerId")
        if type(owner) is not str:
            users = data.get("albumUsers")
            owner = next(
                (
                    u["user"].get("id")
                    for u in (users if isinstance(users, list) else [])
                    if isinstance(u, dict) and u.get("role") == "owner" and isinstance(u.get("user"), dict)
                ),
                None,
            )
        return cls(
            album_id,
            name if type(name) is str else "",
            count if type(count) is int and count >= 0 else 0,
            owner if type(owner) is str else None,
            _read_datetime(data.get("updatedAt")),
        )


class AlbumItemFailure(NamedTuple):
    """One asset the server refused to add to or remove from an album.

    Attributes:
        asset_id: the asset.
        action: ``"add"`` or ``"remove"``.
        error: the server's reason (``no_permission``, ``not_found``, ``duplicate``, ``unknown``...).
    """

    asset_id: str
    action: str
    error: str


@dataclass(frozen=True)
class AlbumSyncResult:
    """What :meth:`immiche.Client.sync_album` did (or, with ``dry_run``, would do).

    Attributes:
        album_id: the album's id (``""`` when a dry run would create it).
        album_name: its name.
        created: the album was created (or would be, in a dry run).
        added: the assets added (to be added), in listing order.
        removed: the assets removed (to be removed, with ``remove_extras``).
        unchanged: how many wanted assets were already in the album.
        failed: the items the server refused, with its reason; ``ok`` is False then.
        dry_run: nothing was written.
    """

    album_id: str
    album_name: str
    created: bool = False
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0
    failed: tuple[AlbumItemFailure, ...] = field(default_factory=tuple)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        """True when the server accepted every change."""
        return not self.failed

    @property
    def changed(self) -> bool:
        """True when something was (or, in a dry run, would be) created, added or removed."""
        return self.created or bool(self.added) or bool(self.removed)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the CLI's ``--json`` output)."""
        return {
            "album_id": self.album_id,
            "album_name": self.album_name,
            "created": self.created,
            "added": list(self.added),
            "removed": list(self.removed),
            "unchanged": self.unchanged,
            "failed": [item._asdict() for item in self.failed],
            "dry_run": self.dry_run,
        }


class AmbiguousAlbumError(ImmichError):
    """An album name matches several albums; ``candidates`` lists them (use an id).

    Attributes:
        query: the name asked for.
        candidates: the albums with that name.
    """

    def __init__(self, query: str, candidates: Sequence[Album]) -> None:
        self.query = query
        self.candidates: tuple[Album, ...] = tuple(candidates)
        listed = ", ".join(f"{album.name!r} ({album.id}, {album.asset_count} assets)" for album in self.candidates[:20])
        super().__init__(
            f"{len(self.candidates)} albums are named {query!r}: {listed}",
            hint="give the album's id instead of its name",
        )


class AlbumNotFoundError(NotFoundError):
    """The album does not exist (any more): an unknown id, or one deleted while syncing.

    Attributes:
        album_id: the album asked for.
    """

    def __init__(self, album_id: str, message: str | None = None, **kwargs: Any) -> None:
        self.album_id = album_id
        kwargs.setdefault("status_code", 404)
        kwargs.setdefault("hint", "it may have been deleted; run the sync again to create it")
        super().__init__(message or f"the album {album_id} does not exist (any more)", **kwargs)
