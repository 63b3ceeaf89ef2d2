"""Multi-call workflows, written once from the area operations and chained with ``yield from``.

Both drivers run them like any operation, so a recipe of several requests is never copied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from immiche._config import PAGE_SIZE
from immiche._ops.people import people_pages
from immiche.pagination import Page, collect
from immiche.people import PeopleResponse, Person

if TYPE_CHECKING:
    from immich_client import AuthenticatedClient
    from immiche._engine.effects import Steps
    from immiche._engine.engine import Engine

__all__ = ["fetch_people"]


def fetch_people(engine: Engine, api: AuthenticatedClient, *, with_hidden: bool) -> Steps[PeopleResponse]:
    """Every person of the library: all pages of the people listing, collected."""
    pages: list[Page[Person]] = yield from collect(
        people_pages(engine, api, with_hidden=with_hidden, page_size=PAGE_SIZE)
    )
    people = tuple(person for page in pages for person in page.items)
    last = pages[-1] if pages else Page[Person]()
    total, hidden = last.total or 0, last.hidden
    return PeopleResponse(total=total, visible=max(0, total - hidden), hidden=hidden, people=people)
