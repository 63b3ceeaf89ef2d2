"""immiche: a Python client and CLI for Immich people, faces and thumbnails.

Example:
    >>> import immiche
    >>> with immiche.Client("https://photos.example.com", api_key="...") as client:  # doctest: +SKIP
    ...     for person in client.search_person("Ann"):
    ...         client.download_thumbnail(person.id, f"thumbs/{person.id}.jpg")

The names below load on first use, so ``import immiche`` (and the CLI's ``--help``) stays fast.
The generated low-level client for the whole API is the ``immich_client`` package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from immiche._version import __version__

if TYPE_CHECKING:
    from immiche._capabilities import ServerCapabilities
    from immiche._config import RetryPolicy, Timeout
    from immiche._engine.ids import check_person_id
    from immiche.albums import Album, AlbumItemFailure, AlbumNotFoundError, AlbumSyncResult, AmbiguousAlbumError
    from immiche.assets import Asset
    from immiche.client import AsyncClient, Client, ProgressCallback, create
    from immiche.curation import (
        NOT_GIVEN,
        AmbiguousPersonError,
        BulkItemResult,
        BulkResult,
        InvalidUpdateError,
        MergeError,
        MergeResult,
        PersonNotFoundError,
        PersonStatistics,
        PersonUpdate,
    )
    from immiche.errors import (
        APIStatusError,
        AuthenticationError,
        BadRequestError,
        ImmichConnectionError,
        ImmichError,
        ImmichVersionWarning,
        InvalidArgumentError,
        InvalidProfileName,
        InvalidProfileNameError,
        InvalidResponseError,
        NotFoundError,
        NotLoggedInError,
        OutputFileError,
        PermissionDeniedError,
        RateLimitError,
        RequestTimeoutError,
        ServerError,
        SessionError,
        UnexpectedRedirectError,
    )
    from immiche.people import BulkDownloadResult, DownloadResult, PeopleResponse, Person, ThumbnailDownload
    from immiche.server import LoginResult, ServerInfo, ServerVersion, User

#: The public names and their homes: the one table the lazy loader and ``__all__`` come from
#: (``tests/facade/test_parity_exports.py`` ties it to the ``TYPE_CHECKING`` imports above).
_EXPORTS: dict[str, str] = {
    "APIStatusError": "immiche.errors",
    "AmbiguousPersonError": "immiche.curation",
    "Album": "immiche.albums",
    "AlbumItemFailure": "immiche.albums",
    "AlbumNotFoundError": "immiche.albums",
    "AlbumSyncResult": "immiche.albums",
    "AmbiguousAlbumError": "immiche.albums",
    "Asset": "immiche.assets",
    "AsyncClient": "immiche.client",
    "AuthenticationError": "immiche.errors",
    "BadRequestError": "immiche.errors",
    "BulkDownloadResult": "immiche.people",
    "BulkItemResult": "immiche.curation",
    "BulkResult": "immiche.curation",
    "Client": "immiche.client",
    "DownloadResult": "immiche.people",
    "ImmichConnectionError": "immiche.errors",
    "ImmichError": "immiche.errors",
    "ImmichVersionWarning": "immiche.errors",
    "InvalidArgumentError": "immiche.errors",
    "InvalidProfileName": "immiche.errors",
    "InvalidProfileNameError": "immiche.errors",
    "InvalidResponseError": "immiche.errors",
    "InvalidUpdateError": "immiche.curation",
    "LoginResult": "immiche.server",
    "MergeError": "immiche.curation",
    "MergeResult": "immiche.curation",
    "NOT_GIVEN": "immiche.curation",
    "NotFoundError": "immiche.errors",
    "NotLoggedInError": "immiche.errors",
    "OutputFileError": "immiche.errors",
    "PeopleResponse": "immiche.people",
    "PermissionDeniedError": "immiche.errors",
    "Person": "immiche.people",
    "PersonNotFoundError": "immiche.curation",
    "PersonStatistics": "immiche.curation",
    "PersonUpdate": "immiche.curation",
    "ProgressCallback": "immiche.client",
    "RateLimitError": "immiche.errors",
    "RequestTimeoutError": "immiche.errors",
    "RetryPolicy": "immiche._config",
    "ServerCapabilities": "immiche._capabilities",
    "ServerError": "immiche.errors",
    "ServerInfo": "immiche.server",
    "ServerVersion": "immiche.server",
    "SessionError": "immiche.errors",
    "ThumbnailDownload": "immiche.people",
    "Timeout": "immiche._config",
    "UnexpectedRedirectError": "immiche.errors",
    "User": "immiche.server",
    "check_person_id": "immiche._engine.ids",
    "create": "immiche.client",
}


def __getattr__(name: str) -> Any:
    if name == "PINNED_IMMICH_VERSION":
        import immich_client

        return immich_client.IMMICH_VERSION
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'immiche' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), name)
    if isinstance(value, type) and value.__module__.startswith("immiche."):
        # Shown as immiche.Client, immiche.NotFoundError..., as they are documented (like httpx).
        value.__module__ = "immiche"
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


# Written out (not built from _EXPORTS) so that type checkers and IDEs see the public names;
# tests/facade/test_parity_exports.py proves it equals _EXPORTS plus the two constants.
__all__ = [
    "NOT_GIVEN",
    "PINNED_IMMICH_VERSION",
    "APIStatusError",
    "Album",
    "AlbumItemFailure",
    "AlbumNotFoundError",
    "AlbumSyncResult",
    "AmbiguousAlbumError",
    "AmbiguousPersonError",
    "Asset",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "BulkDownloadResult",
    "BulkItemResult",
    "BulkResult",
    "Client",
    "DownloadResult",
    "ImmichConnectionError",
    "ImmichError",
    "ImmichVersionWarning",
    "InvalidArgumentError",
    "InvalidProfileName",
    "InvalidProfileNameError",
    "InvalidResponseError",
    "InvalidUpdateError",
    "LoginResult",
    "MergeError",
    "MergeResult",
    "NotFoundError",
    "NotLoggedInError",
    "OutputFileError",
    "PeopleResponse",
    "PermissionDeniedError",
    "Person",
    "PersonNotFoundError",
    "PersonStatistics",
    "PersonUpdate",
    "ProgressCallback",
    "RateLimitError",
    "RequestTimeoutError",
    "RetryPolicy",
    "ServerCapabilities",
    "ServerError",
    "ServerInfo",
    "ServerVersion",
    "SessionError",
    "ThumbnailDownload",
    "Timeout",
    "UnexpectedRedirectError",
    "User",
    "__version__",
    "check_person_id",
    "create",
]
