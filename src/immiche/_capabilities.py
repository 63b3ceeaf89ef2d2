"""What a server of a given Immich version can do, decided from its version alone.

The facade reads the server's version once per connection (``GET /server/version``) and derives
one :class:`ServerCapabilities` from it: which merge endpoint exists, which search style to use,
which request fields the server knows, and what its answers look like. Nothing else decides
(no probing, no retry with another shape), so the path taken is predictable and testable.

Sources: the release documents v1.132.3, v2.4.1, v3.0.0, v3.1.0 and v3.2.2, the recorded v2.4.1
and v3.1.0 servers, and the published 3.3.5 clients (see the README, "Supported Immich versions").
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from immiche.server import ServerVersion

__all__ = ["ErrorStyle", "MergeEndpoint", "SearchStyle", "ServerCapabilities"]

#: ``"legacy"``: ``POST /people/{id}/merge {ids}`` (every version; deprecated from v3.2.1).
#: ``"people"``: ``POST /people/merge {ids}``, ordered, the first person absorbs the others (v3.2.1).
MergeEndpoint = Literal["legacy", "people"]

#: ``"flat"``: search requests with flat fields (``personIds``, ``page``...), answers with ``nextPage``.
#: ``"filter"``: search v2 (v3.2): a ``filter`` tree (``personIds {all, any, none}``), ``cursor`` and
#: ``nextCursor``; the flat fields are deprecated.
SearchStyle = Literal["flat", "filter"]

#: ``"v2"``: ``{message, error, statusCode, correlationId}`` + ``x-immich-cid`` (up to 2.x).
#: ``"v3"``: ``{message}`` (validation: ``{message, errors: [{code, path, message}]}``) + ``X-Correlation-ID``.
ErrorStyle = Literal["v2", "v3"]

_PEOPLE_QUERY = frozenset({"withHidden", "page", "size", "closestPersonId", "closestAssetId"})
_PEOPLE_QUERY_V3_3 = _PEOPLE_QUERY | {"name", "isFavorite", "isHidden", "sharedById", "sharedWithId"}


@dataclass(frozen=True, slots=True)
class ServerCapabilities:
    """What the connected server supports; ``client.capabilities()`` returns it.

    Attributes:
        version: the server's version, the only input.
        merge_endpoint: the endpoint that merges people on this version (see :data:`MergeEndpoint`).
        merge_works: ``False`` on v3.2.0, whose merge answered ``200 []`` and merged nothing
            (immich-app/immich#31392): refuse to merge there rather than report a false success.
        search_style: ``"filter"`` from v3.2 (search v2 with cursors), else ``"flat"``.
        people_query_fields: the ``GET /people`` query parameters this version knows; never send
            another (v3 validates with Zod, and a silently dropped filter is a wrong answer).
        person_sharing: ``PersonResponseDto`` carries ``sharedBy``, ``sharedWith`` and
            ``otherPeople`` (required from v3.3).
        error_style: the error body format (see :data:`ErrorStyle`).
        correlation_header: the response header carrying the request id.
        fuzzy_person_search: ``GET /search/person`` ranks by similarity, accent-insensitive, at
            most 100 results (v3); before, it matched word prefixes in creation order.
        version_has_prerelease: ``/server/version`` carries ``prerelease`` (v3.0).

    Example:
        >>> caps = ServerCapabilities.for_version(ServerVersion(3, 3, 5))
        >>> caps.merge_endpoint, caps.search_style, caps.may_send_people_filter("isFavorite")
        ('people', 'filter', True)
        >>> ServerCapabilities.for_version(ServerVersion(2, 4, 1)).may_send_people_filter("name")
        False
    """

    version: ServerVersion
    merge_endpoint: MergeEndpoint
    merge_works: bool
    search_style: SearchStyle
    people_query_fields: frozenset[str]
    person_sharing: bool
    error_style: ErrorStyle
    correlation_header: str
    fuzzy_person_search: bool
    version_has_prerelease: bool

    @classmethod
    @functools.cache
    def for_version(cls, version: ServerVersion) -> ServerCapabilities:
        """The capabilities of ``version`` (a version newer than any known gets the newest's)."""
        v3 = version >= ServerVersion(3, 0, 0)
        v3_3 = version >= ServerVersion(3, 3, 0)
        return cls(
            version=version,
            merge_endpoint="people" if version >= ServerVersion(3, 2, 1) else "legacy",
            merge_works=version != ServerVersion(3, 2, 0),
            search_style="filter" if version >= ServerVersion(3, 2, 0) else "flat",
            people_query_fields=_PEOPLE_QUERY_V3_3 if v3_3 else _PEOPLE_QUERY,
            person_sharing=v3_3,
            error_style="v3" if v3 else "v2",
            correlation_header="X-Correlation-ID" if v3 else "x-immich-cid",
            fuzzy_person_search=v3,
            version_has_prerelease=v3,
        )

    @property
    def merge_path(self) -> str:
        """The merge endpoint's path template: ``/people/merge`` or ``/people/{id}/merge``."""
        return "/people/merge" if self.merge_endpoint == "people" else "/people/{id}/merge"

    def may_send_people_filter(self, name: str) -> bool:
        """Whether ``GET /people`` of this version knows the query parameter ``name``."""
        return name in self.people_query_fields
