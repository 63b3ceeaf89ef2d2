"""Which Immich release the fake server imitates, and the behaviour that follows from it.

One version decides everything: :class:`Mode` derives each behaviour flag from the
``(major, minor, patch)`` it imitates, so a test picks a release, never a bag of switches.
The supported generations and where each behaviour comes from:

- ``1.132.3``: the v1 generation (spec v1.132.3): v2-style errors, no ``isOnboarded`` at login.
- ``2.4.1``: recorded from a real server (``recorded/immich-v2.4.1``).
- ``3.0.0`` / ``3.1.0``: the release specs and a real v3.1.0 server (``recorded/immich-v3.1.0``):
  ``{message}`` errors with ``X-Correlation-ID``, ``prerelease`` in ``/server/version``, fuzzy
  person search; from 3.1 an unknown person's thumbnail is a 404 and ``name=`` searches to ``[]``.
- ``3.2.x`` (``3.2.2``): spec v3.2.2: ``clusterGroupId`` on users, search v2; ``POST /people/merge`` from
  3.2.1 (on 3.2.0 the legacy merge answered ``200 []`` and merged nothing).
- ``3.3.x`` (``3.3.5``): the published 3.3.5 clients (immichpy 9.2.4, ``@immich/sdk``):
  ``PersonResponseDto`` gains the required ``sharedBy``, ``sharedWith`` and ``otherPeople``;
  ``GET /people`` gains the ``name``, ``isFavorite`` and ``isHidden`` filters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from immiche.testing._errors import Version

__all__ = ["ALIASES", "GENERATIONS", "Mode"]

#: The release each supported generation is modelled on, oldest first.
GENERATIONS: tuple[str, ...] = ("1.132.3", "2.4.1", "3.0.0", "3.1.0", "3.2.2", "3.3.5")

#: Short names: ``"v2"`` and ``"v3"`` (the fake's former modes) and one per generation.
ALIASES: dict[str, str] = {
    "v1": "1.132.3",
    "v2": "2.4.1",
    "v3": "3.0.0",
    "v3.1": "3.1.0",
    "v3.2": "3.2.2",
    "v3.3": "3.3.5",
}

_OLDEST = (1, 132, 0)
_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)$")


@dataclass(frozen=True)
class Mode:
    """The behaviour of one Immich release, derived from its version alone.

    Example::

        mode = Mode.parse("3.3.5")
        assert mode.dialect == "v3" and mode.person_sharing and mode.people_merge
    """

    version: tuple[int, int, int]

    @classmethod
    def parse(cls, text: str) -> Mode:
        """``"3.1.0"``, ``"v3.1.0"``, or an alias of :data:`ALIASES`.

        Raises:
            ValueError: not a version, or older than v1.132 (the oldest generation imitated).
        """
        match = _VERSION.match(ALIASES.get(text, text))
        if match is None:
            raise ValueError(f"version must be 'X.Y.Z' (one of {', '.join(GENERATIONS)}) or an alias, got {text!r}")
        version = (int(match[1]), int(match[2]), int(match[3]))
        if version < _OLDEST:
            raise ValueError(f"the fake imitates Immich v1.132 and newer, got {text!r}")
        return cls(version)

    @property
    def name(self) -> str:
        """``"3.1.0"``."""
        return ".".join(map(str, self.version))

    # -- errors ----------------------------------------------------------------------------

    @property
    def dialect(self) -> Version:
        """The error format: ``"v2"`` (``{message, error, statusCode, correlationId}`` +
        ``x-immich-cid``, up to 2.x) or ``"v3"`` (``{message}`` + ``X-Correlation-ID``)."""
        return "v2" if self.version < (3, 0, 0) else "v3"

    # -- server and auth -------------------------------------------------------------------

    @property
    def login_is_onboarded(self) -> bool:
        """``isOnboarded`` in the login answer (since v1.135)."""
        return self.version >= (1, 135, 0)

    @property
    def version_prerelease(self) -> bool:
        """``prerelease`` in ``/server/version`` (the v3.0.0 release spec and later)."""
        return self.version >= (3, 0, 0)

    @property
    def user_cluster_group(self) -> bool:
        """``clusterGroupId`` on ``/users/me`` (v3.2, cluster groups)."""
        return self.version >= (3, 2, 0)

    # -- people ----------------------------------------------------------------------------

    @property
    def fuzzy_search(self) -> bool:
        """``GET /search/person`` matches by similarity (v3) instead of word prefixes (v2)."""
        return self.version >= (3, 0, 0)

    @property
    def thumbnail_access_404(self) -> bool:
        """An unknown person's thumbnail is 404 ``Not Found`` (recorded on v3.1.0; v2: 400)."""
        return self.version >= (3, 1, 0)

    @property
    def legacy_merge_broken(self) -> bool:
        """v3.2.0's ``POST /people/{id}/merge`` answered ``200 []`` and merged nothing."""
        return self.version[:2] == (3, 2) and self.version < (3, 2, 1)

    @property
    def people_merge(self) -> bool:
        """``POST /people/merge {ids}`` exists (v3.2.1)."""
        return self.version >= (3, 2, 1)

    @property
    def person_sharing(self) -> bool:
        """``sharedBy``, ``sharedWith`` and ``otherPeople`` on every person (v3.3)."""
        return self.version >= (3, 3, 0)

    @property
    def people_filters(self) -> bool:
        """``GET /people`` accepts ``name``, ``isFavorite`` and ``isHidden`` (v3.3)."""
        return self.version >= (3, 3, 0)
