"""``Client`` and ``AsyncClient``: the people, person and thumbnail API of an Immich server.

Both are thin drivers of one I/O-free core (:mod:`immiche._core`): they send requests, sleep
between retries and stream bodies; every decision (which request, retry or not, which error,
how to parse) is taken once, in the core, for both.

Example:
    >>> import immiche
    >>> with immiche.Client("https://photos.example.com", api_key="...") as client:  # doctest: +SKIP
    ...     people = client.fetch_people()
    ...     print(people.total, [p.name for p in people.people])
"""

from __future__ import annotations

import contextlib
import functools
import os
import ssl
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Generic, TypeVar

from immiche import _contract
from immiche._atomic import open_atomic
from immiche._capabilities import ServerCapabilities
from immiche._config import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_RETRIES, PAGE_SIZE, RetryPolicy, Timeout
from immiche._core import (
    Core,
    Emit,
    Outcome,
    Reply,
    Send,
    Sleep,
    Steps,
    download_outcome,
    is_image_answer,
    plan_bulk,
)
from immiche._http import httpx
from immiche._url import parse_server_url
from immiche.errors import (
    ImmichError,
    InvalidArgumentError,
    OutputFileError,
)
from immiche.people import BulkDownloadResult, PeopleResponse, Person, ThumbnailDownload
from immiche.server import LoginResult, ServerInfo, ServerVersion, User

if TYPE_CHECKING:
    import asyncio

    from immich_client import AuthenticatedClient
    from immich_client import Client as PublicClient
    from immiche.session import AuthMethod, Session

__all__ = ["AsyncClient", "Client", "ProgressCallback", "create"]

T = TypeVar("T")
HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)
ApiT = TypeVar("ApiT", "AuthenticatedClient", "PublicClient")
ProgressCallback = Callable[[ThumbnailDownload, int, int], None]
"""``on_progress(item, done, total)``, called once per thumbnail as it finishes."""

_API_KEY, _BEARER, _NONE = "api_key", "access_token", "none"


class _Secret:
    """A credential that never shows itself in ``repr()``, logs or debugger dumps."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<secret>"

    __str__ = __repr__


def _check_credential(value: object, what: str) -> _Secret:
    if not isinstance(value, str):
        raise InvalidArgumentError(f"the {what} must be a string, not {type(value).__name__}")
    if not value.strip():
        raise InvalidArgumentError(f"the {what} is empty", hint="pass the key created in Immich's account settings")
    if any(ch.isspace() or not ch.isprintable() or ord(ch) > 126 for ch in value):
        raise InvalidArgumentError(
            f"the {what} contains spaces, control or non-ASCII characters",
            hint="copy it again without surrounding text",
        )
    return _Secret(value)


@functools.lru_cache(maxsize=1)
def _default_ssl_context() -> ssl.SSLContext:
    """One verifying SSL context for every client: building one costs about 25 ms."""
    return httpx.create_ssl_context()


def _ssl_verify(
    verify: bool | str | os.PathLike[str] | ssl.SSLContext, *, plain_http: bool = False
) -> bool | ssl.SSLContext:
    """``verify`` as httpx wants it: True becomes the shared default context, a CA bundle path a new one.

    For a plain-http server (it never redirects us anywhere: redirects are not followed) a
    verifying context that trusts no CA stands in for the default one, whose CA store takes about
    20 ms to load: should TLS ever be attempted with it, it fails instead of going unverified.
    """
    if verify is True and plain_http:
        return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if verify is True:
        return _default_ssl_context()
    if isinstance(verify, (bool, ssl.SSLContext)):
        return verify
    path = Path(verify).expanduser()
    try:
        return ssl.create_default_context(cafile=str(path))
    except (OSError, ssl.SSLError) as err:
        raise InvalidArgumentError(
            f"cannot use {path} as a CA bundle: {getattr(err, 'strerror', None) or err}",
            hint="give the PEM file of the certificate authority that signed the server's certificate",
        ) from None


class _BaseClient(Generic[HttpT]):
    """Configuration, credential and the core; no I/O."""

    _http: HttpT

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        *,
        access_token: str | None = None,
        http_client: HttpT | None = None,
        timeout: Timeout | float | None = Timeout(),  # noqa: B008 (immutable value object)
        verify: bool | str | os.PathLike[str] | ssl.SSLContext = True,
        retries: RetryPolicy | int = DEFAULT_RETRIES,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if (api_key is None) == (access_token is None):
            raise InvalidArgumentError(
                "pass exactly one credential: api_key=... or access_token=...",
                hint="create an API key in Immich under Account Settings > API Keys",
            )
        if api_key is not None:
            self._credential_kind, self._credential = _API_KEY, _check_credential(api_key, "API key")
        else:
            self._credential_kind, self._credential = _BEARER, _check_credential(access_token, "access token")
        self._setup(
            base_url,
            http_client=http_client,
            timeout=timeout,
            verify=verify,
            retries=retries,
            max_response_bytes=max_response_bytes,
        )

    def _setup(
        self,
        base_url: str,
        *,
        http_client: HttpT | None,
        timeout: Timeout | float | None,
        verify: bool | str | os.PathLike[str] | ssl.SSLContext,
        retries: RetryPolicy | int,
        max_response_bytes: int,
    ) -> None:
        server = parse_server_url(base_url)
        if isinstance(max_response_bytes, bool) or not isinstance(max_response_bytes, int) or max_response_bytes < 1:
            raise InvalidArgumentError(f"max_response_bytes must be a positive integer, not {max_response_bytes!r}")
        self._timeout = Timeout.coerce(timeout)
        self._core = Core(server=server, retry=RetryPolicy.coerce(retries), max_bytes=max_response_bytes)
        self._api_root: str | None = None
        self._server_version: ServerVersion | None = None
        self._low_level: AuthenticatedClient | None = None
        self._closed = False
        self._init_driver()
        http_type = self._http_type()
        if http_client is not None:
            if not isinstance(http_client, http_type):
                raise InvalidArgumentError(
                    f"http_client must be an {http_type.__module__}.{http_type.__name__}, not {type(http_client).__name__}"
                )
            if verify is not True:
                raise InvalidArgumentError(
                    "verify cannot be combined with http_client: configure TLS on the shared httpx client"
                )
            self._http = http_client
            self._owns_http = False
        else:
            self._http = http_type(
                verify=_ssl_verify(verify, plain_http=server.base.startswith("http://")),
                timeout=self._httpx_timeout(),
                follow_redirects=False,
                limits=httpx.Limits(max_connections=100, max_keepalive_connections=32),
            )
            self._owns_http = True

    @classmethod
    def _http_type(cls) -> type[HttpT]:  # pragma: no cover (overridden)
        raise NotImplementedError

    @classmethod
    def _without_credential(cls, base_url: str, **options: Any) -> Any:
        """A client for the public endpoints only (discovery and login)."""
        client = cls.__new__(cls)
        client._credential_kind, client._credential = _NONE, _Secret("")
        client._setup(
            base_url,
            http_client=options.pop("http_client", None),
            timeout=options.pop("timeout", Timeout()),
            verify=options.pop("verify", True),
            retries=options.pop("retries", DEFAULT_RETRIES),
            max_response_bytes=options.pop("max_response_bytes", DEFAULT_MAX_RESPONSE_BYTES),
        )
        if options:
            raise TypeError(f"unexpected options: {', '.join(sorted(options))}")
        return client

    # ---- construction from stored sessions

    @classmethod
    def from_session(cls, session: Session, **options: Any) -> Any:
        """A client for a stored :class:`immiche.session.Session` (API key or login token).

        Example:
            >>> from immiche import session  # doctest: +SKIP
            >>> client = immiche.Client.from_session(session.load("home"))
        """
        return cls._from_auth(session.server_url, session.auth, **options)

    @classmethod
    def _from_auth(cls, server_url: str, auth: AuthMethod, **options: Any) -> Any:
        from immiche.session import ApiKey

        if isinstance(auth, ApiKey):
            return cls(server_url, api_key=auth.key, **options)
        return cls(server_url, access_token=auth.access_token, **options)

    @classmethod
    def from_profile(cls, profile: str | None = None, **options: Any) -> Any:
        """A client for the stored profile, or for the environment's credential.

        With ``profile=None``, ``IMMICH_INSTANCE_URL`` + ``IMMICH_API_KEY`` (the official CLI's
        names) take precedence over the stored profile, and ``IMMICH_PROFILE`` selects the profile;
        a profile named explicitly is always used. Raises :class:`immiche.NotLoggedInError` when
        there is nothing to log in with.
        """
        from immiche.session import resolve_credentials

        resolved = resolve_credentials(profile=profile)
        return cls._from_auth(resolved.server_url, resolved.auth, **options)

    # ---- state

    @property
    def base_url(self) -> str:
        """The server URL as normalised (no trailing slash, no ``/api``)."""
        return self._core.server.base

    @property
    def credential_kind(self) -> str:
        """``"api_key"`` or ``"access_token"``."""
        return self._credential_kind

    def __repr__(self) -> str:
        return f"<immiche.{type(self).__name__} {self.base_url!r} credential={self._credential_kind}>"

    def _httpx_timeout(self) -> httpx.Timeout:
        t = self._timeout
        return httpx.Timeout(connect=t.connect, read=t.read, write=t.read, pool=t.read)

    def _public(self, root: str) -> PublicClient:
        from immich_client import Client as PublicClient

        public = PublicClient(base_url=root, timeout=self._httpx_timeout(), follow_redirects=False)
        return self._attach(public)

    def _authenticated(self, root: str) -> AuthenticatedClient:
        from immich_client import AuthenticatedClient

        if self._credential_kind == _API_KEY:
            api = AuthenticatedClient(
                base_url=root, token=self._credential.reveal(), prefix="", auth_header_name="x-api-key"
            ).with_timeout(self._httpx_timeout())
        else:
            api = AuthenticatedClient(base_url=root, token=self._credential.reveal()).with_timeout(
                self._httpx_timeout()
            )
        return self._attach(api)

    def _attach(self, api: ApiT) -> ApiT:  # pragma: no cover (overridden)
        raise NotImplementedError

    def _init_driver(self) -> None:  # pragma: no cover (overridden)
        raise NotImplementedError

    def _connected_api(self) -> AuthenticatedClient:
        assert self._low_level is not None
        return self._low_level

    def _remember(self, root: str, version: ServerVersion) -> None:
        import immich_client

        self._api_root, self._server_version = root, version
        if self._credential_kind != _NONE:
            self._low_level = self._authenticated(root)
            self._core.warn_if_untested(version, immich_client.IMMICH_VERSION)

    def _info(self) -> ServerInfo:
        assert self._api_root is not None
        assert self._server_version is not None
        version = self._server_version
        return ServerInfo(self.base_url, self._api_root, version, _contract.is_tested(version.major, version.minor))

    def _check_open(self) -> None:
        if self._closed:
            raise InvalidArgumentError(f"this {type(self).__name__} is closed", hint="create a new client")

    @staticmethod
    def _check_concurrency(concurrency: int) -> int:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or not 1 <= concurrency <= 64:
            raise InvalidArgumentError(f"concurrency must be an integer from 1 to 64, not {concurrency!r}")
        return concurrency


class _Receiver:
    """Takes one response body: a 200 for a sink streams atomically into that file, anything else
    is read into memory up to ``max_bytes``. Shared by both drivers, which differ only in how they
    iterate the body."""

    def __init__(self, effect: Send, response: httpx.Response) -> None:
        self._response = response
        streamed = response.status_code == 200 and is_image_answer(response.headers)
        self._sink = effect.sink if effect.sink is not None and streamed else None
        self._limit = effect.max_bytes
        self._files = contextlib.ExitStack()
        self._file: BinaryIO | None = None
        self._chunks: list[bytes] = []
        self._size = 0
        self._too_large = False

    def open(self) -> None:
        if self._sink is not None:
            self._file = self._files.enter_context(open_atomic(self._sink, mode=0o644, durable=False))

    def add(self, chunk: bytes) -> bool:
        """Take a chunk; False when the in-memory bound is exceeded (stop reading)."""
        self._size += len(chunk)
        if self._size > self._limit:
            self._too_large = True
            self._chunks.clear()
            return False
        if self._file is not None:
            self._file.write(chunk)
            return True
        self._chunks.append(chunk)
        return True

    def finish(self) -> Reply:
        response = self._response
        if self._sink is not None and self._too_large:  # discard the temporary file, keep the old one
            self._files.__exit__(OverflowError, OverflowError(), None)
            return Reply(response.status_code, response.headers, too_large=True)
        self._files.close()  # commits the sink file: rename over the target
        if self._sink is not None:
            return Reply(response.status_code, response.headers, written=self._size)
        return Reply(response.status_code, response.headers, b"".join(self._chunks), too_large=self._too_large)

    def fail(self, err: BaseException) -> Outcome:
        """Discard the sink's temporary file; return the outcome for ``err`` or re-raise it."""
        self._files.__exit__(type(err), err, err.__traceback__)
        if isinstance(err, httpx.TransportError):
            return err
        if isinstance(err, OSError) and self._sink is not None:
            return OutputFileError(
                f"cannot write {self._sink}: {err.strerror or err}",
                hint="check the directory exists, is writable and has space",
            )
        raise err


def _send_args(http: httpx.Client | httpx.AsyncClient, effect: Send) -> tuple[httpx.Request, Any]:
    request = http.build_request(effect.method, effect.url, **effect.options)
    return request, effect.auth if effect.auth is not None else httpx.USE_CLIENT_DEFAULT


class _BulkRun:
    """Bookkeeping of one bulk download, shared by the thread and asyncio drivers."""

    def __init__(self, size: int, on_progress: ProgressCallback | None) -> None:
        self.items: list[ThumbnailDownload | None] = [None] * size
        self._on_progress = on_progress
        self._done = 0
        self._lock = threading.Lock()

    def record(self, index: int, item: ThumbnailDownload) -> None:
        with self._lock:
            self.items[index] = item
            self._done += 1
            done = self._done
        if self._on_progress is not None:
            self._on_progress(item, done, len(self.items))

    def result(self) -> BulkDownloadResult:
        return BulkDownloadResult(tuple(item for item in self.items if item is not None))


class Client(_BaseClient[httpx.Client]):
    """A synchronous Immich client for the people, person and thumbnail API.

    Args:
        base_url: the address you open Immich at (``https://photos.example.com``,
            ``http://192.168.1.10:2283``, ``https://host/photos`` behind a proxy, or the API root
            ``https://host/api``); see README for the exact rule.
        api_key: an Immich API key (sent as ``x-api-key``).
        access_token: a login access token instead (sent as ``Authorization: Bearer``).
        http_client: a shared ``httpx.Client`` whose pool to use (the seed's ``requests_session``);
            it is never modified or closed by immiche.
        timeout: a :class:`Timeout`, one number of seconds, or None; default 5 s to connect,
            30 s per read.
        verify: TLS verification: True, False, a CA bundle path or an ``ssl.SSLContext``.
        retries: a :class:`RetryPolicy` or the number of retries of idempotent requests
            (connection errors, 429, 502, 503, 504); 0 turns retrying off.
        max_response_bytes: the largest JSON or in-memory thumbnail accepted.

    Raises:
        InvalidArgumentError: for a malformed URL, a missing/double credential or bad options.

    Example:
        >>> with Client("http://127.0.0.1:2283", api_key="...") as client:  # doctest: +SKIP
        ...     for person in client.search_person("Ann"):
        ...         client.download_thumbnail(person.id, f"{person.id}.jpg")
    """

    @classmethod
    def _http_type(cls) -> type[httpx.Client]:
        return httpx.Client

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
        try:
            request, auth = _send_args(self._http, effect)
            response = self._http.send(request, auth=auth, follow_redirects=False, stream=True)
        except httpx.TransportError as err:
            return err
        receiver = _Receiver(effect, response)
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
            assert not isinstance(effect, Emit)
            outcome = self._perform(effect)

    def connect(self) -> None:
        """Find the API root and check the server version now (otherwise done on first use).

        Raises:
            ImmichConnectionError: the server cannot be reached.
            InvalidResponseError: the address does not answer as Immich.
            UnexpectedRedirectError: the server redirects, e.g. from http:// to https://.
        """
        with self._connect_lock:
            if self._api_root is None:
                self._remember(*self._run(self._core.discover(self._public)))

    def _api(self) -> AuthenticatedClient:
        self.connect()
        return self._connected_api()

    @property
    def low_level(self) -> AuthenticatedClient:
        """The generated ``immich_client.AuthenticatedClient`` on this client's pool and credential.

        Every endpoint of the spec works with it, e.g.
        ``immich_client.api.server.get_about_info.sync(client=client.low_level)``.
        """
        return self._api()

    @property
    def api_root(self) -> str:
        """The resolved API root (connects first if needed)."""
        self.connect()
        assert self._api_root is not None
        return self._api_root

    # ---- API

    def server_version(self) -> ServerVersion:
        """The server's version (cached from the first contact)."""
        self.connect()
        assert self._server_version is not None
        return self._server_version

    def capabilities(self) -> ServerCapabilities:
        """What the server supports, decided from its version alone (connects first if needed)."""
        return ServerCapabilities.for_version(self.server_version())

    def ping(self) -> bool:
        """True when the server answers ``/server/ping``."""
        self.connect()
        return self._run(self._core.ping(self._public(self.api_root)))

    def whoami(self) -> User:
        """The user this client's credential belongs to (``GET /users/me``)."""
        return self._run(self._core.whoami(self._api()))

    def fetch_people(self, *, with_hidden: bool = False) -> PeopleResponse:
        """Every person of the library, fetching all pages (1,000 per request).

        Example:
            >>> people = client.fetch_people(with_hidden=True)  # doctest: +SKIP
            >>> people.total, people.visible, people.hidden
        """
        return self._run(self._core.fetch_people(self._api(), with_hidden=with_hidden))

    def iter_people(self, *, with_hidden: bool = False, page_size: int = PAGE_SIZE) -> Iterator[Person]:
        """Yield people page by page as they arrive, for very large libraries."""
        steps = self._core.people_pages(self._api(), with_hidden=with_hidden, page_size=page_size)
        outcome: Outcome = None
        while True:
            try:
                effect = steps.send(outcome)
            except StopIteration:
                return
            if isinstance(effect, Emit):
                yield from effect.value[2]
                outcome = None
            else:
                outcome = self._perform(effect)

    def search_person(self, name: str, *, with_hidden: bool = False) -> list[Person]:
        """People whose name matches ``name`` (how exactly depends on the server version)."""
        return self._run(self._core.search_person(self._api(), name, with_hidden=with_hidden))

    def fetch_person(self, person_id: str) -> Person:
        """One person by id. Raises :class:`NotFoundError` for an unknown id."""
        return self._run(self._core.fetch_person(self._api(), person_id))

    def fetch_thumbnail(self, person_id: str) -> bytes:
        """A person's thumbnail JPEG in memory."""
        return self._run(self._core.fetch_thumbnail(self._api(), person_id))

    def download_thumbnail(self, person_id: str, output_path: str | os.PathLike[str]) -> Path:
        """Stream a person's thumbnail to ``output_path`` atomically; return the path.

        Parent directories are created. A failed download leaves no partial file and keeps a
        previous file at that path.
        """
        return self._run(self._core.download_thumbnail(self._api(), person_id, Path(output_path)))

    def download_thumbnails(
        self,
        people_or_ids: Iterable[Person | Mapping[str, Any] | str],
        directory: str | os.PathLike[str],
        *,
        concurrency: int = 8,
        on_progress: ProgressCallback | None = None,
    ) -> BulkDownloadResult:
        """Download many thumbnails as ``<directory>/<person-id>.jpg`` with bounded concurrency.

        Failures are collected per item (``result.failed``); they never abort the batch.
        """
        workers = self._check_concurrency(concurrency)
        _, plan = plan_bulk(people_or_ids, Path(directory))
        run = _BulkRun(len(plan), on_progress)
        if any(error is None for _, _, error in plan):
            self.connect()

        def one(index: int, person_id: str, path: Path | None, error: ImmichError | None) -> None:
            if error is not None or path is None:
                run.record(index, ThumbnailDownload(person_id, error=error))
                return
            failure: BaseException | None = None
            try:
                self.download_thumbnail(person_id, path)
            except Exception as err:
                failure = err
            run.record(index, download_outcome(person_id, path, failure))

        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="immiche-thumbnail")
        try:
            for future in [pool.submit(one, i, *entry) for i, entry in enumerate(plan)]:
                future.result()
        except BaseException:  # Ctrl-C or a failing on_progress: drop what has not started
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        return run.result()

    # ---- login

    @classmethod
    def login(cls, base_url: str, email: str, password: str, **options: Any) -> LoginResult:
        """Log in with email and password; return the access token and account (never retried).

        Example:
            >>> result = Client.login("http://host:2283", "me@example.com", password)  # doctest: +SKIP
            >>> client = Client(result.server_url, access_token=result.access_token)
        """
        client: Client = cls._without_credential(base_url, **options)
        try:
            client.connect()
            return client._run(client._core.login(client._public(client.api_root), email, password))
        finally:
            client.close()

    @classmethod
    def probe(cls, base_url: str, **options: Any) -> ServerInfo:
        """Find a server's API root and version without any credential (no warning is issued).

        Example:
            >>> info = Client.probe("http://192.168.1.10:2283")  # doctest: +SKIP
            >>> info.version, info.tested
        """
        client: Client = cls._without_credential(base_url, **options)
        with client:
            client.connect()
            return client._info()

    def logout(self) -> bool:
        """End this login session on the server (with an API key this does nothing server-side)."""
        return self._run(self._core.logout(self._api()))

    # ---- lifecycle

    def close(self) -> None:
        """Close the connection pool if this client created it (a shared one is left open)."""
        if not self._closed:
            self._closed = True
            if self._owns_http:
                self._http.close()

    def __enter__(self) -> Client:
        self._check_open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_BaseClient[httpx.AsyncClient]):
    """The asyncio twin of :class:`Client`: same arguments, same methods, awaited.

    ``http_client`` is a shared ``httpx.AsyncClient``. ``low_level`` is available once connected
    (``await client.connect()``, or after the first call).

    Example:
        >>> async with AsyncClient("http://127.0.0.1:2283", api_key="...") as client:  # doctest: +SKIP
        ...     result = await client.download_thumbnails(await client.search_person("Ann"), "thumbs")
    """

    @classmethod
    def _http_type(cls) -> type[httpx.AsyncClient]:
        return httpx.AsyncClient

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
        try:
            request, auth = _send_args(self._http, effect)
            response = await self._http.send(request, auth=auth, follow_redirects=False, stream=True)
        except httpx.TransportError as err:
            return err
        receiver = _Receiver(effect, response)
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
            assert not isinstance(effect, Emit)
            outcome = await self._perform(effect)

    async def connect(self) -> None:
        """Find the API root and check the server version now (otherwise done on first use)."""
        if self._connect_lock is None:
            import asyncio

            self._connect_lock = asyncio.Lock()
        async with self._connect_lock:
            if self._api_root is None:
                self._remember(*await self._run(self._core.discover(self._public)))

    async def _api(self) -> AuthenticatedClient:
        await self.connect()
        return self._connected_api()

    @property
    def low_level(self) -> AuthenticatedClient:
        """The generated ``AuthenticatedClient`` on this client's pool (use its ``asyncio`` functions)."""
        if self._low_level is None:
            raise ImmichError(
                "the AsyncClient is not connected yet", hint="await client.connect() before using low_level"
            )
        return self._low_level

    @property
    def api_root(self) -> str | None:
        """The resolved API root, once connected."""
        return self._api_root

    # ---- API

    async def server_version(self) -> ServerVersion:
        """The server's version (cached from the first contact)."""
        await self.connect()
        assert self._server_version is not None
        return self._server_version

    async def capabilities(self) -> ServerCapabilities:
        """What the server supports, decided from its version alone (connects first if needed)."""
        return ServerCapabilities.for_version(await self.server_version())

    async def ping(self) -> bool:
        """True when the server answers ``/server/ping``."""
        await self.connect()
        assert self._api_root is not None
        return await self._run(self._core.ping(self._public(self._api_root)))

    async def whoami(self) -> User:
        """The user this client's credential belongs to."""
        return await self._run(self._core.whoami(await self._api()))

    async def fetch_people(self, *, with_hidden: bool = False) -> PeopleResponse:
        """Every person of the library, fetching all pages."""
        return await self._run(self._core.fetch_people(await self._api(), with_hidden=with_hidden))

    async def iter_people(self, *, with_hidden: bool = False, page_size: int = PAGE_SIZE) -> AsyncIterator[Person]:
        """Yield people page by page as they arrive (``async for``)."""
        steps = self._core.people_pages(await self._api(), with_hidden=with_hidden, page_size=page_size)
        outcome: Outcome = None
        while True:
            try:
                effect = steps.send(outcome)
            except StopIteration:
                return
            if isinstance(effect, Emit):
                for person in effect.value[2]:
                    yield person
                outcome = None
            else:
                outcome = await self._perform(effect)

    async def search_person(self, name: str, *, with_hidden: bool = False) -> list[Person]:
        """People whose name matches ``name``."""
        return await self._run(self._core.search_person(await self._api(), name, with_hidden=with_hidden))

    async def fetch_person(self, person_id: str) -> Person:
        """One person by id."""
        return await self._run(self._core.fetch_person(await self._api(), person_id))

    async def fetch_thumbnail(self, person_id: str) -> bytes:
        """A person's thumbnail JPEG in memory."""
        return await self._run(self._core.fetch_thumbnail(await self._api(), person_id))

    async def download_thumbnail(self, person_id: str, output_path: str | os.PathLike[str]) -> Path:
        """Stream a person's thumbnail to ``output_path`` atomically; return the path."""
        return await self._run(self._core.download_thumbnail(await self._api(), person_id, Path(output_path)))

    async def download_thumbnails(
        self,
        people_or_ids: Iterable[Person | Mapping[str, Any] | str],
        directory: str | os.PathLike[str],
        *,
        concurrency: int = 8,
        on_progress: ProgressCallback | None = None,
    ) -> BulkDownloadResult:
        """Download many thumbnails concurrently (at most ``concurrency`` at once); see Client."""
        import asyncio

        limit = asyncio.Semaphore(self._check_concurrency(concurrency))
        _, plan = plan_bulk(people_or_ids, Path(directory))
        run = _BulkRun(len(plan), on_progress)
        if any(error is None for _, _, error in plan):
            await self.connect()

        async def one(index: int, person_id: str, path: Path | None, error: ImmichError | None) -> None:
            if error is not None or path is None:
                run.record(index, ThumbnailDownload(person_id, error=error))
                return
            failure: BaseException | None = None
            async with limit:
                try:
                    await self.download_thumbnail(person_id, path)
                except Exception as err:
                    failure = err
            run.record(index, download_outcome(person_id, path, failure))

        await asyncio.gather(*(one(i, *entry) for i, entry in enumerate(plan)))
        return run.result()

    # ---- login

    @classmethod
    async def login(cls, base_url: str, email: str, password: str, **options: Any) -> LoginResult:
        """Log in with email and password (never retried); see :meth:`Client.login`."""
        client: AsyncClient = cls._without_credential(base_url, **options)
        try:
            await client.connect()
            assert client._api_root is not None
            return await client._run(client._core.login(client._public(client._api_root), email, password))
        finally:
            await client.aclose()

    @classmethod
    async def probe(cls, base_url: str, **options: Any) -> ServerInfo:
        """Find a server's API root and version without any credential; see :meth:`Client.probe`."""
        client: AsyncClient = cls._without_credential(base_url, **options)
        async with client:
            await client.connect()
            return client._info()

    async def logout(self) -> bool:
        """End this login session on the server."""
        return await self._run(self._core.logout(await self._api()))

    # ---- lifecycle

    async def aclose(self) -> None:
        """Close the connection pool if this client created it."""
        if not self._closed:
            self._closed = True
            if self._owns_http:
                await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        self._check_open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def create(
    base_url: str,
    api_key: str | None = None,
    *,
    http_client: httpx.Client | None = None,
    **options: Any,
) -> Client:
    """Create a :class:`Client` (the seed's ``Immiche.create``; ``http_client`` is its ``requests_session``).

    Example:
        >>> shared = httpx.Client()  # doctest: +SKIP
        >>> home = create("https://photos1.example.com", "key1", http_client=shared)
        >>> work = create("https://photos2.example.com", "key2", http_client=shared)
    """
    return Client(base_url, api_key, http_client=http_client, **options)
