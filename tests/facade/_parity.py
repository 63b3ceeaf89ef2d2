"""Run one behavioural test against both clients: ``Client`` and ``AsyncClient`` behind the same calls.

A test takes the ``flavour`` fixture (made with :func:`flavour_fixture`, parametrised over
``"sync"`` and ``"async"``) and writes sync-looking code::

    def test_x(flavour: Flavour, server: FakeImmichServer) -> None:
        with flavour.client(server.url, api_key=server.api_key) as client:
            assert client.fetch_people().people
        flavour.login(server.url, email, password)

For ``"async"``, :class:`SyncFacade` drives a real :class:`immiche.AsyncClient` on a private event
loop running in its own thread: every coroutine method is awaited there, every async iterator is
pulled there item by item, ``with`` maps to ``async with``. Exceptions (and their types) come back
unchanged, so the async client gets exactly the sync client's assertions.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from typing import Any, TypeVar

import httpx
import pytest

import immiche

T = TypeVar("T")


class _LoopThread:
    """An asyncio event loop running forever in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="parity-loop", daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=120)

    def close(self) -> None:
        async def drain() -> None:
            await asyncio.sleep(0)

        self.run(drain())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


def _iterate(loop: _LoopThread, source: AsyncIterator[Any]) -> Iterator[Any]:
    async def step() -> tuple[bool, Any]:
        try:
            return True, await source.__anext__()
        except StopAsyncIteration:
            return False, None

    while True:
        more, item = loop.run(step())
        if not more:
            return
        yield item


def _sync(loop: _LoopThread, value: Any) -> Any:
    if asyncio.iscoroutine(value):
        value = loop.run(value)
    if hasattr(value, "__aiter__") and hasattr(value, "__anext__"):
        return _iterate(loop, value)
    return value


class SyncFacade:
    """An :class:`immiche.AsyncClient` seen through the sync client's calls."""

    def __init__(self, loop: _LoopThread, client: immiche.AsyncClient) -> None:
        self._loop = loop
        self._client = client

    @property
    def wrapped(self) -> immiche.AsyncClient:
        return self._client

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._client, name)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            return _sync(self._loop, value(*args, **kwargs))

        return call

    def close(self) -> None:
        self._loop.run(self._client.aclose())

    def __enter__(self) -> SyncFacade:
        self._loop.run(self._client.__aenter__())
        return self

    def __exit__(self, *exc: object) -> None:
        self._loop.run(self._client.__aexit__(*exc))

    def __repr__(self) -> str:
        return repr(self._client)


class Flavour:
    """One of the two clients, behind sync-looking calls."""

    def __init__(self, name: str, loop: _LoopThread | None) -> None:
        self.name = name
        self._loop = loop

    @property
    def is_async(self) -> bool:
        return self._loop is not None

    @property
    def client_class(self) -> type[immiche.Client] | type[immiche.AsyncClient]:
        return immiche.AsyncClient if self.is_async else immiche.Client

    def run(self, make: Callable[[], Any]) -> Any:
        """``make()``'s result, awaited on the loop for the async client."""
        if self._loop is None:
            return make()

        async def call() -> Any:
            return await make()

        return self._loop.run(call())

    def client(self, *args: Any, **kwargs: Any) -> Any:
        """A client (``immiche.Client``, or a :class:`SyncFacade` over an ``AsyncClient``)."""
        if self._loop is None:
            return immiche.Client(*args, **kwargs)

        async def make() -> immiche.AsyncClient:  # built on the loop it will run on
            return immiche.AsyncClient(*args, **kwargs)

        return SyncFacade(self._loop, self._loop.run(make()))

    def from_profile(self, *args: Any, **kwargs: Any) -> Any:
        return self._build("from_profile", *args, **kwargs)

    def from_session(self, *args: Any, **kwargs: Any) -> Any:
        return self._build("from_session", *args, **kwargs)

    def _build(self, constructor: str, *args: Any, **kwargs: Any) -> Any:
        """``Client.<constructor>(...)``, or ``AsyncClient.<constructor>(...)`` made on the loop."""
        if self._loop is None:
            return getattr(immiche.Client, constructor)(*args, **kwargs)

        async def make() -> immiche.AsyncClient:
            return getattr(immiche.AsyncClient, constructor)(*args, **kwargs)  # type: ignore[no-any-return]

        return SyncFacade(self._loop, self._loop.run(make()))

    def login(self, *args: Any, **kwargs: Any) -> immiche.LoginResult:
        return self.run(lambda: self.client_class.login(*args, **kwargs))  # type: ignore[no-any-return]

    def probe(self, *args: Any, **kwargs: Any) -> immiche.ServerInfo:
        return self.run(lambda: self.client_class.probe(*args, **kwargs))  # type: ignore[no-any-return]

    @contextlib.contextmanager
    def shared_http_client(self) -> Iterator[httpx.Client | httpx.AsyncClient]:
        """An httpx client of the right kind for ``http_client=``, closed at the end."""
        if self._loop is None:
            with httpx.Client() as shared:
                yield shared
            return

        async def make() -> httpx.AsyncClient:
            return httpx.AsyncClient()

        shared_async = self._loop.run(make())
        try:
            yield shared_async
        finally:
            self._loop.run(shared_async.aclose())


def flavour_fixture() -> Any:
    """The ``flavour`` fixture for a test module: ``flavour = flavour_fixture()``."""

    @pytest.fixture(params=["sync", "async"])
    def flavour(request: pytest.FixtureRequest) -> Iterator[Flavour]:
        if request.param == "sync":
            yield Flavour("sync", None)
            return
        loop = _LoopThread()
        try:
            yield Flavour("async", loop)
        finally:
            loop.close()

    return flavour
