"""``Client`` and ``AsyncClient``: the people, person and thumbnail API of an Immich server.

Both are thin drivers of one I/O-free engine (:mod:`immiche._engine`) and the operations of
:mod:`immiche._ops`: they send requests, sleep between retries and stream bodies; every decision
(which request, retry or not, which error, how to parse, when a listing ends) is taken once, in
the operations, for both. Each driver has two loops: :meth:`Client._run` runs an operation to its
value, :meth:`Client._iterate` yields the items of a listing page by page.

Example::

    import immiche
    with immiche.Client("https://photos.example.com", api_key="...") as client:
        people = client.fetch_people()
        print(people.total, [p.name for p in people.people])
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from immiche._base import ApiT, BaseClient
from immiche._config import ClientOptions, Options
from immiche._driver import BulkRun, ProgressCallback, Receiver, run_in_threads, run_jobs, send_args
from immiche._engine.discovery import discover
from immiche._engine.downloads import PlanEntry, SinkRule, download_outcome, plan_bulk
from immiche._engine.effects import Emit, Outcome, Send, Sleep, Steps
from immiche._http import httpx
from immiche._methods._async.albums import AsyncAlbumMethods
from immiche._methods._async.assets import AsyncAssetMethods
from immiche._methods._async.curation import AsyncCurationMethods
from immiche._methods._async.people import AsyncPeopleMethods
from immiche._methods._async.server import AsyncServerMethods
from immiche._methods._sync.albums import AlbumMethods
from immiche._methods._sync.assets import AssetMethods
from immiche._methods._sync.curation import CurationMethods
from immiche._methods._sync.people import PeopleMethods
from immiche._methods._sync.server import ServerMethods
from immiche._ops import server as server_ops
from immiche._pool import async_pool_client, pool_client
from immiche.errors import (
    ImmichError,
)
from immiche.people import BulkDownloadResult, DownloadResult
from immiche.server import LoginResult, ServerInfo

if TYPE_CHECKING:
    import asyncio

    from typing_extensions import Unpack

    from immich_client import AuthenticatedClient

__all__ = ["AsyncClient", "Client", "ProgressCallback", "create"]

T = TypeVar("T")


class Client(BaseClient[httpx.Client], ServerMethods, PeopleMethods, CurationMethods, AssetMethods, AlbumMethods):
    """A synchronous Immich client for the people, person and thumbnail API.

    Args:
        base_url: the address you open Immich at (``https://photos.example.com``,
            ``http://192.168.1.10:2283``, ``https://host/photos`` behind a proxy, or the API root
            ``https://host/api``); see README for the exact rule.
        api_key: an Immich API key (sent as ``x-api-key``).
        access_token: a login access token instead (sent as ``Authorization: Bearer``).
        http_client: a shared ``httpx.Client`` whose pool to use (the seed's ``requests_session``);
            it is never modified or closed by immiche.
        timeout: a :class:`Timeout`, one number of seconds (the whole request), or None; default
            5 s to connect, 30 s per read, 60 s for a whole request (retries included).
        verify: TLS verification: True, False, a CA bundle path or an ``ssl.SSLContext``.
        retries: a :class:`RetryPolicy` or the number of retries of idempotent requests
            (connection errors, 429, 502, 503, 504); 0 turns retrying off.
        max_response_bytes: the largest JSON or in-memory thumbnail accepted.

    Raises:
        InvalidArgumentError: for a malformed URL, a missing/double credential or bad options.

    Example::

        with Client("http://127.0.0.1:2283", api_key="...") as client:
            for person in client.search_person("Ann"):
                client.download_thumbnail(person.id, f"{person.id}.jpg")
    """

    @classmethod
    def _http_type(cls) -> type[httpx.Client]:
        return httpx.Client

    @staticmethod
    def _pool_client(shared: httpx.Client | None, **options: Any) -> httpx.Client:
        return pool_client(shared, **options)

    def _init_driver(self) -> None:
        self._connect_lock = threading.Lock()

    def _attach(self, api: ApiT) -> ApiT:
        api.set_httpx_client(self._http)
        return api

    # ---- driver

    def _perform(self, effect: Send | Sleep) -> Outcome:
        if isinstance(effect, Sleep):
            time.sleep(effect.seconds)
            return None
        self._check_open()
        try:
            request, auth = send_args(self._http, effect)
            response = self._http.send(request, auth=auth, follow_redirects=False, stream=True)
        except httpx.TransportError as err:
            return err
        receiver = Receiver(effect, response)
        try:
            receiver.open()
            for chunk in response.iter_bytes():
                if not receiver.add(chunk):
                    break
            return receiver.finish()
        except BaseException as err:
            return receiver.fail(err)
        finally:
            response.close()

    def _run(self, steps: Steps[T]) -> T:
        self._check_open()
        outcome: Outcome = None
        while True:
            try:
                effect = steps.send(outcome)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            except ImmichError as err:
                raise self._engine.scrub(err) from err.__cause__
            assert not isinstance(effect, Emit), "a listing is iterated, not run"
            outcome = self._perform(effect)

    def _iterate(self, pages: Callable[[AuthenticatedClient], Steps[None]]) -> Iterator[Any]:
        """Yield the items of every page a listing emits, as they arrive."""
        self._check_open()
        steps = pages(self._api())
        outcome: Outcome = None
        while True:
            try:
                effect = steps.send(outcome)
            except StopIteration:
                return
            except ImmichError as err:
                raise self._engine.scrub(err) from err.__cause__
            if isinstance(effect, Emit):
                yield from effect.value.items
                outcome = None
            else:
                outcome = self._perform(effect)

    def connect(self) -> None:
        """Find the API root and check the server version now (otherwise done on first use).

        Raises:
            ImmichConnectionError: the server cannot be reached.
            InvalidResponseError: the address does not answer as Immich.
            UnexpectedRedirectError: the server redirects, e.g. from http:// to https://.
        """
        self._check_open()
        with self._connect_lock:
            if self._api_root is None:
                self._remember(*self._run(discover(self._engine, self._public)))

    def _api(self) -> AuthenticatedClient:
        self._check_open()
        self.connect()
        return self._connected_api()

    def _download_many(
        self,
        items: Iterable[Any],
        directory: str | os.PathLike[str],
        download: Callable[[str, Path], Path],
        rule: SinkRule,
        *,
        concurrency: int,
        on_progress: ProgressCallback | None,
    ) -> BulkDownloadResult:
        """Any bulk download: ``download(id, path)`` for each item, on at most ``concurrency`` threads."""
        workers = self._check_concurrency(concurrency)
        _, plan = plan_bulk(items, directory, rule=rule)
        run = BulkRun(len(plan), on_progress)
        if any(error is None for _, _, error in plan):
            self.connect()

        def one(index: int, item_id: str, path: Path | None, error: ImmichError | None) -> None:
            if error is not None or path is None:
                run.record(index, DownloadResult(item_id, error=error))
                return
            failure: BaseException | None = None
            try:
                download(item_id, path)
            except Exception as err:
                failure = err
            run.record(index, download_outcome(item_id, path, failure))

        run_in_threads(plan, workers, one, run)  # Ctrl-C: stops within a second, no temporary file left
        return run.result()

    def _run_many(self, steps: Iterable[Steps[T]], *, concurrency: int) -> list[T]:
        """Run operations on at most ``concurrency`` threads; their values in order (the first error raises)."""
        workers = self._check_concurrency(concurrency)
        jobs = [partial(self._run, one) for one in steps]
        if jobs:
            self.connect()
        return run_jobs(jobs, workers)

    def _download_jobs(
        self,
        plan: Sequence[PlanEntry],
        job: Callable[[int], Steps[DownloadResult]],
        *,
        concurrency: int,
        on_progress: ProgressCallback | None,
        finish: Callable[[], None],
    ) -> BulkDownloadResult:
        """A bulk download whose items are operations: ``job(index)`` for each planned item, on at
        most ``concurrency`` threads; ``finish()`` runs at the end, also when interrupted."""
        workers = self._check_concurrency(concurrency)
        run = BulkRun(len(plan), on_progress)

        def one(index: int, item_id: str, path: Path | None, error: ImmichError | None) -> None:
            if error is not None or path is None:
                run.record(index, DownloadResult(item_id, error=error))
                return
            try:
                result = self._run(job(index))
            except Exception as err:
                result = download_outcome(item_id, path, err)
            run.record(index, result)

        try:
            run_in_threads(plan, workers, one, run)
        finally:
            finish()
        return run.result()

    # ---- login

    @classmethod
    def login(cls, base_url: str, email: str, password: str, **options: Unpack[Options]) -> LoginResult:
        """Log in with email and password; return the access token and account (never retried).

        Example::

            result = Client.login("http://host:2283", "me@example.com", password)
            client = Client(result.server_url, access_token=result.access_token)
        """
        client = cls._without_credential(base_url, ClientOptions.build(**options))
        client._keep_out_of_errors(password)
        try:
            client.connect()
            return client._run(server_ops.login(client._engine, client._public(client.api_root), email, password))
        finally:
            client.close()

    @classmethod
    def probe(cls, base_url: str, **options: Unpack[Options]) -> ServerInfo:
        """Find a server's API root and version without any credential (no warning is issued).

        Example::

            info = Client.probe("http://192.168.1.10:2283")
            info.version, info.tested
        """
        client = cls._without_credential(base_url, ClientOptions.build(**options))
        with client:
            client.connect()
            return client._info()

    # ---- lifecycle

    def close(self) -> None:
        """Close the connection pool if this client created it (a shared one is left open)."""
        if not self._closed:
            self._closed = True
            self._http.close()  # on a shared pool, only immiche's own client around it

    def __enter__(self) -> Client:
        self._check_open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(
    BaseClient[httpx.AsyncClient],
    AsyncServerMethods,
    AsyncPeopleMethods,
    AsyncCurationMethods,
    AsyncAssetMethods,
    AsyncAlbumMethods,
):
    """The asyncio twin of :class:`Client`: same arguments, same methods, awaited.

    ``http_client`` is a shared ``httpx.AsyncClient``.

    Example::

        async with AsyncClient("http://127.0.0.1:2283", api_key="...") as client:
            result = await client.download_thumbnails(await client.search_person("Ann"), "thumbs")
    """

    @classmethod
    def _http_type(cls) -> type[httpx.AsyncClient]:
        return httpx.AsyncClient

    @staticmethod
    def _pool_client(shared: httpx.AsyncClient | None, **options: Any) -> httpx.AsyncClient:
        return async_pool_client(shared, **options)

    def _init_driver(self) -> None:
        self._connect_lock: asyncio.Lock | None = None

    def _attach(self, api: ApiT) -> ApiT:
        api.set_async_httpx_client(self._http)
        return api

    # ---- driver

    async def _perform(self, effect: Send | Sleep) -> Outcome:
        if isinstance(effect, Sleep):
            import asyncio

            await asyncio.sleep(effect.seconds)
            return None
        self._check_open()
        try:
            request, auth = send_args(self._http, effect)
            response = await self._http.send(request, auth=auth, follow_redirects=False, stream=True)
        except httpx.TransportError as err:
            return err
        receiver = Receiver(effect, response)
        try:
            receiver.open()
            async for chunk in response.aiter_bytes():
                if not receiver.add(chunk):
                    break
            return receiver.finish()
        except BaseException as err:
            return receiver.fail(err)
        finally:
            await response.aclose()

    async def _run(self, steps: Steps[T]) -> T:
        self._check_open()
        outcome: Outcome = None
        while True:
            try:
                effect = steps.send(outcome)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            except ImmichError as err:
                raise self._engine.scrub(err) from err.__cause__
            assert not isinstance(effect, Emit), "a listing is iterated, not run"
            outcome = await self._perform(effect)

    async def _iterate(self, pages: Callable[[AuthenticatedClient], Steps[None]]) -> AsyncIterator[Any]:
        """Yield the items of every page a listing emits, as they arrive."""
        self._check_open()
        steps = pages(await self._api())
        outcome: Outcome = None
        while True:
            try:
                effect = steps.send(outcome)
            except StopIteration:
                return
            except ImmichError as err:
                raise self._engine.scrub(err) from err.__cause__
            if isinstance(effect, Emit):
                for item in effect.value.items:
                    yield item
                outcome = None
            else:
                outcome = await self._perform(effect)

    async def connect(self) -> None:
        """Find the API root and check the server version now (otherwise done on first use)."""
        self._check_open()
        if self._connect_lock is None:
            import asyncio

            self._connect_lock = asyncio.Lock()
        async with self._connect_lock:
            if self._api_root is None:
                self._remember(*await self._run(discover(self._engine, self._public)))

    async def _api(self) -> AuthenticatedClient:
        self._check_open()
        await self.connect()
        return self._connected_api()

    async def _download_many(
        self,
        items: Iterable[Any],
        directory: str | os.PathLike[str],
        download: Callable[[str, Path], Awaitable[Path]],
        rule: SinkRule,
        *,
        concurrency: int,
        on_progress: ProgressCallback | None,
    ) -> BulkDownloadResult:
        """Any bulk download: ``await download(id, path)`` for each item, at most ``concurrency`` at once."""
        import asyncio

        limit = asyncio.Semaphore(self._check_concurrency(concurrency))
        _, plan = plan_bulk(items, directory, rule=rule)
        run = BulkRun(len(plan), on_progress)
        if any(error is None for _, _, error in plan):
            await self.connect()

        async def one(index: int, item_id: str, path: Path | None, error: ImmichError | None) -> None:
            if error is not None or path is None:
                run.record(index, DownloadResult(item_id, error=error))
                return
            failure: BaseException | None = None
            async with limit:
                try:
                    await download(item_id, path)
                except Exception as err:
                    failure = err
            run.record(index, download_outcome(item_id, path, failure))

        tasks = [asyncio.ensure_future(one(i, *entry)) for i, entry in enumerate(plan)]
        try:
            await asyncio.gather(*tasks)
        except BaseException:  # cancelled, or on_progress raised: stop every download, then raise
            run.stopped = True
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        return run.result()

    async def _run_many(self, steps: Iterable[Steps[T]], *, concurrency: int) -> list[T]:
        """Run operations, at most ``concurrency`` at once; their values in order (the first error
        cancels the others and raises, as does a cancellation)."""
        import asyncio

        limit = asyncio.Semaphore(self._check_concurrency(concurrency))
        pending = list(steps)
        if pending:
            await self.connect()

        async def one(operation: Steps[T]) -> T:
            async with limit:
                return await self._run(operation)

        tasks = [asyncio.ensure_future(one(operation)) for operation in pending]
        try:
            return list(await asyncio.gather(*tasks))
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise

    async def _download_jobs(
        self,
        plan: Sequence[PlanEntry],
        job: Callable[[int], Steps[DownloadResult]],
        *,
        concurrency: int,
        on_progress: ProgressCallback | None,
        finish: Callable[[], None],
    ) -> BulkDownloadResult:
        """A bulk download whose items are operations, at most ``concurrency`` at once; see :meth:`Client._download_jobs`."""
        import asyncio

        limit = asyncio.Semaphore(self._check_concurrency(concurrency))
        run = BulkRun(len(plan), on_progress)

        async def one(index: int, item_id: str, path: Path | None, error: ImmichError | None) -> None:
            if error is not None or path is None:
                run.record(index, DownloadResult(item_id, error=error))
                return
            async with limit:
                try:
                    result = await self._run(job(index))
                except Exception as err:
                    result = download_outcome(item_id, path, err)
            run.record(index, result)

        tasks = [asyncio.ensure_future(one(i, *entry)) for i, entry in enumerate(plan)]
        try:
            await asyncio.gather(*tasks)
        except BaseException:  # cancelled, or on_progress raised: stop every download, then raise
            run.stopped = True
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        finally:
            finish()
        return run.result()

    # ---- login

    @classmethod
    async def login(cls, base_url: str, email: str, password: str, **options: Unpack[Options]) -> LoginResult:
        """Log in with email and password (never retried); see :meth:`Client.login`."""
        client = cls._without_credential(base_url, ClientOptions.build(**options))
        client._keep_out_of_errors(password)
        try:
            await client.connect()
            assert client._api_root is not None
            return await client._run(
                server_ops.login(client._engine, client._public(client._api_root), email, password)
            )
        finally:
            await client.aclose()

    @classmethod
    async def probe(cls, base_url: str, **options: Unpack[Options]) -> ServerInfo:
        """Find a server's API root and version without any credential; see :meth:`Client.probe`."""
        client = cls._without_credential(base_url, ClientOptions.build(**options))
        async with client:
            await client.connect()
            return client._info()

    # ---- lifecycle

    async def aclose(self) -> None:
        """Close the connection pool if this client created it."""
        if not self._closed:
            self._closed = True
            await self._http.aclose()  # on a shared pool, only immiche's own client around it

    async def __aenter__(self) -> AsyncClient:
        self._check_open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def create(base_url: str, api_key: str | None = None, **options: Unpack[Options]) -> Client:
    """Create a :class:`Client` (the seed's ``Immiche.create``; ``http_client`` is its ``requests_session``).

    Example::

        shared = httpx.Client()
        home = create("https://photos1.example.com", "key1", http_client=shared)
        work = create("https://photos2.example.com", "key2", http_client=shared)
    """
    return Client(base_url, api_key, **options)
