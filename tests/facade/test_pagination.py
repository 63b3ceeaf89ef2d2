"""The one paging generator: its stop rules for numbered and cursor listings, driven without I/O."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from immiche import errors
from immiche._config import MAX_PAGES, RetryPolicy
from immiche._contract import Operation
from immiche._engine.effects import Emit, Outcome, Reply, Send, Sleep, Steps
from immiche._engine.engine import Engine
from immiche._url import parse_server_url
from immiche.pagination import Page, collect, paginate

LIST = Operation("listThings", "GET", "/things", "m")


def engine() -> Engine:
    return Engine(server=parse_server_url("http://immich.local"), retry=RetryPolicy(max_retries=0), max_bytes=10**6)


def read(send: Send, reply: Reply) -> Page[str]:
    body = json.loads(reply.content)
    return Page(body["items"], body.get("total"), 0, body.get("hasNextPage"), body.get("nextPage"))


def run(
    answer: Callable[[int, str | None], dict[str, Any]], *, page_size: int = 2
) -> tuple[list[Page[str]], list[Send]]:
    """Drive paginate over pages answered by ``answer(page number, cursor)``; return pages and requests."""
    sent: list[Send] = []
    the_engine = engine()

    def request(number: int, cursor: str | None) -> Send:
        params: dict[str, Any] = {"page": number} if cursor is None else {"cursor": cursor}
        return Send("GET", "http://immich.local/api/things", {"params": params}, label="GET /things", operation=LIST)

    steps: Steps[list[Page[Any]]] = collect(
        paginate(the_engine, request, read, page_size=page_size, key=lambda item: item, noun="things")
    )
    outcome: Outcome = None
    while True:
        try:
            effect = steps.send(outcome)
        except StopIteration as stop:
            return stop.value, sent
        assert isinstance(effect, Send) and not isinstance(effect, (Sleep, Emit))
        sent.append(effect)
        params = effect.options["params"]
        body = answer(params.get("page", 0), params.get("cursor"))
        outcome = Reply(200, httpx.Headers({"content-type": "application/json"}), json.dumps(body).encode())


def test_has_next_page_false_ends_the_listing() -> None:
    pages, sent = run(lambda n, _: {"items": [f"{n}a", f"{n}b"], "total": 100, "hasNextPage": n < 3})
    assert [p.items for p in pages] == [["1a", "1b"], ["2a", "2b"], ["3a", "3b"]]
    assert len(sent) == 3


def test_without_has_next_page_a_short_page_is_the_last() -> None:
    pages, _ = run(lambda n, _: {"items": ["x1", "x2"] if n == 1 else ["y1"], "total": 100})
    assert [p.items for p in pages] == [["x1", "x2"], ["y1"]]


def test_the_total_bounds_a_server_that_always_says_there_is_more() -> None:
    pages, sent = run(lambda n, _: {"items": [f"{n}a", f"{n}b"], "total": 4, "hasNextPage": True})
    assert len(pages) == len(sent) == 2


def test_a_repeated_page_raises() -> None:
    with pytest.raises(errors.InvalidResponseError, match="page 2 with things it had already sent"):
        run(lambda n, _: {"items": ["same", "page"], "total": 100, "hasNextPage": True})


def test_a_string_cursor_is_followed_until_it_is_absent() -> None:
    cursors = {None: "c2", "c2": "c3", "c3": None}
    pages, sent = run(lambda _, cursor: {"items": [f"{cursor}-1", f"{cursor}-2"], "nextPage": cursors[cursor]})
    assert [p.next_page for p in pages] == ["c2", "c3", None]
    assert [s.options["params"] for s in sent] == [{"page": 1}, {"cursor": "c2"}, {"cursor": "c3"}]


def test_a_cursor_given_twice_raises() -> None:
    with pytest.raises(errors.InvalidResponseError, match="already sent"):
        run(lambda n, cursor: {"items": [f"{n}-{cursor}-1", f"{n}-{cursor}-2"], "nextPage": "again"})


def test_the_page_cap_stops_an_endless_listing() -> None:
    with pytest.raises(errors.InvalidResponseError, match=f"after {MAX_PAGES} pages") as info:
        run(lambda n, _: {"items": [f"{n}a", f"{n}b"], "total": 10**9, "hasNextPage": True})
    assert info.value.hint is not None
    assert f"at most {MAX_PAGES} pages" in info.value.hint
