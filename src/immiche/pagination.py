"""One paging generator for every listing, and the typed page it emits.

:func:`paginate` requests page after page and emits each as a :class:`Page` until the stop rules
say the listing is over: the server says there is no next page (``hasNextPage`` false, or no
``nextPage`` cursor), a page is short or empty when the server does not say, or as many items as
``total`` have arrived. A server that repeats a page (or a cursor), or sends more pages than
``total`` allows, raises instead of being paged forever; so does one past :data:`MAX_PAGES`.
:func:`collect` runs a listing to its end; the drivers iterate one page by page.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from immiche._config import MAX_PAGES
from immiche._engine.effects import Emit, Outcome, Reply, Send, Steps

if TYPE_CHECKING:
    from immiche._engine.engine import Engine

__all__ = ["Page", "collect", "paginate"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing.

    Attributes:
        items: what the page lists, parsed.
        total: how many items the whole listing has, when the server says.
        hidden: how many of ``total`` are hidden (people), 0 when not told.
        has_next: whether the server says another page follows (None: it does not say).
        next_page: the cursor (``nextPage``) of the following page, for cursor-paged listings.
    """

    items: list[T] = field(default_factory=list)
    total: int | None = None
    hidden: int = 0
    has_next: bool | None = None
    next_page: str | None = None


def paginate(
    engine: Engine,
    request: Callable[[int, str | None], Send],
    read: Callable[[Send, Reply], Page[T]],
    *,
    page_size: int,
    key: Callable[[T], object],
    noun: str,
) -> Steps[None]:
    """Emit each :class:`Page` of a listing until its last one.

    Args:
        request: builds the request of page ``n`` (from 1), given the previous page's cursor.
        read: parses one reply into a page (raising for a wrong shape).
        page_size: the page size asked for: a full page may have more after it.
        key: an item's identity, to notice a repeated page.
        noun: what is listed, for errors ("people").
    """
    number, listed, previous_first, cursor = 1, 0, None, None
    most = max(1, min(MAX_PAGES, math.ceil(10**15 / page_size)))
    while True:
        send = request(number, cursor)
        reply = yield from engine.call(send)
        page = read(send, reply)
        yield Emit(page)
        listed += len(page.items)
        has_next = page.has_next
        if page.next_page is not None or (has_next is None and cursor is not None):
            has_next = page.next_page is not None
        if has_next is None:  # servers before v1.110 do not say: a full page may have more
            has_next = len(page.items) == page_size
        total = page.total
        # `total` counts every item that can be listed (and more), so once that many have arrived
        # there is nothing left: this also ends a server that always says hasNextPage.
        if not has_next or not page.items or (total is not None and listed >= total):
            return
        # A page that starts like the previous one, a cursor given twice, or more pages than `total`
        # allows: the server (or a cache ignoring the query) repeats itself and would be paged forever.
        first = key(page.items[0])
        if (
            first == previous_first
            or (page.next_page is not None and page.next_page == cursor)
            or (total is not None and number > total // page_size + 1)
        ):
            raise engine.invalid_response_error(
                send,
                reply,
                f"the server answered page {number} with {noun} it had already sent",
                "a proxy or cache in front of Immich may be ignoring the page parameter",
            )
        if number >= most:
            claims = f"; it claims {total}" if total is not None else ""
            raise engine.invalid_response_error(
                send,
                reply,
                f"the server still has more {noun} after {number} pages ({listed} {noun}{claims})",
                f"immiche reads at most {MAX_PAGES} pages per listing; use a larger page_size",
            )
        previous_first, cursor = first, page.next_page
        number += 1


def collect(pages: Steps[None]) -> Steps[list[Page[Any]]]:
    """Run a listing to its end; return its pages (the effects it yields pass through)."""
    collected: list[Page[Any]] = []
    outcome: Outcome = None
    while True:
        try:
            effect = pages.send(outcome)
        except StopIteration:
            return collected
        if isinstance(effect, Emit):
            collected.append(effect.value)
            outcome = None
        else:
            outcome = yield effect
