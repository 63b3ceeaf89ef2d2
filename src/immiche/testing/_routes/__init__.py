"""The fake API's endpoints, one module per area; each exposes ``routes(mode)``."""

from __future__ import annotations

from immiche.testing._modes import Mode
from immiche.testing._routes import albums, assets, auth, curation, faces, people, search, server
from immiche.testing._routing import Route

__all__ = ["all_routes"]


def all_routes(mode: Mode) -> list[Route]:
    """Every route the imitated release has, in matching order."""
    return [
        *server.routes(mode),
        *auth.routes(mode),
        *people.routes(mode),
        *curation.routes(mode),
        *faces.routes(mode),
        *assets.routes(mode),
        *search.routes(mode),
        *albums.routes(mode),
    ]
