"""What ``Client`` and ``AsyncClient`` share without any I/O: options, credential, pool and engine."""

from __future__ import annotations

import functools
import os
import ssl
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from immiche import _contract
from immiche._config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_RETRIES,
    MAX_CONCURRENCY,
    MAX_CONNECTIONS,
    MAX_KEEPALIVE_CONNECTIONS,
    ClientOptions,
    Options,
    RetryPolicy,
    Timeout,
)
from immiche._engine.discovery import warn_if_untested
from immiche._engine.engine import Engine
from immiche._http import httpx, remember_secret
from immiche._url import parse_server_url
from immiche.errors import ImmichError, InvalidArgumentError
from immiche.server import ServerInfo, ServerVersion

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from immich_client import AuthenticatedClient
    from immich_client import Client as PublicClient
    from immiche.session import AuthMethod, Session

__all__ = ["ApiT", "BaseClient", "ClientT", "HttpT"]

HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)
ApiT = TypeVar("ApiT", "AuthenticatedClient", "PublicClient")
ClientT = TypeVar("ClientT", bound="BaseClient[Any]")

CredentialKind = Literal["api_key", "access_token", "none"]
"""How a client authenticates: an API key, a login access token, or nothing (probe and login)."""
_API_KEY: CredentialKind = "api_key"
_BEARER: CredentialKind = "access_token"
_NONE: CredentialKind = "none"


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
    if not isinstance(verify, (str, os.PathLike)) or not str(os.fspath(verify)).strip():
        raise InvalidArgumentError(
            f"verify must be True, False, a CA bundle path or an ssl.SSLContext, not {type(verify).__name__}"
            + (" ''" if isinstance(verify, str) else "")
        )
    path = Path(verify).expanduser()
    try:
        return ssl.create_default_context(cafile=str(path))
    except (OSError, ssl.SSLError) as err:
        raise InvalidArgumentError(
            f"cannot use {path} as a CA bundle: {getattr(err, 'strerror', None) or err}",
            hint="give the PEM file of the certificate authority that signed the server's certificate",
        ) from None


class BaseClient(Generic[HttpT]):
    """Configuration, credential and the engine; no I/O."""

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
        options = ClientOptions.build(
            http_client=http_client,
            timeout=timeout,
            verify=verify,
            retries=retries,
            max_response_bytes=max_response_bytes,
        )
        self._setup(base_url, options)

    def _setup(self, base_url: str, options: ClientOptions) -> None:
        server = parse_server_url(base_url)
        http_client, verify = options.http_client, options.verify
        self._options = options
        self._timeout = options.timeout
        secrets = (self._credential.reveal(),) if self._credential.reveal() else ()
        for secret in secrets:
            remember_secret(secret)
        self._engine = Engine(
            server=server,
            retry=options.retries,
            max_bytes=options.max_response_bytes,
            timeout=self._timeout,
            secrets=secrets,
        )
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
            self._shared: HttpT | None = http_client
            self._owns_http = False
        else:
            self._shared = None
            self._owns_http = True
        # immiche's own httpx client: the shared one's pool, or a new one; it never keeps cookies
        self._http = self._pool_client(
            http_client,
            verify=_ssl_verify(verify, plain_http=server.base.startswith("http://")) if http_client is None else True,
            timeout=self._httpx_timeout(),
            limits=httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_KEEPALIVE_CONNECTIONS),
        )

    @classmethod
    def _http_type(cls) -> type[HttpT]:  # pragma: no cover (overridden)
        raise NotImplementedError

    @staticmethod
    def _pool_client(shared: HttpT | None, **options: Any) -> HttpT:  # pragma: no cover (overridden)
        raise NotImplementedError

    @classmethod
    def _without_credential(cls: type[ClientT], base_url: str, options: ClientOptions) -> ClientT:
        """A client for the public endpoints only (discovery and login)."""
        client = cls.__new__(cls)
        client._credential_kind, client._credential = _NONE, _Secret("")
        client._setup(base_url, options)
        return client

    # ---- construction from stored sessions

    @classmethod
    def from_session(cls: type[ClientT], session: Session, **options: Unpack[Options]) -> ClientT:
        """A client for a stored :class:`immiche.session.Session` (API key or login token).

        Example::

            from immiche import session
            client = immiche.Client.from_session(session.load("home"))
        """
        return cls._from_auth(session.server_url, session.auth, ClientOptions.build(**options))

    @classmethod
    def _from_auth(cls: type[ClientT], server_url: str, auth: AuthMethod, options: ClientOptions) -> ClientT:
        from immiche.session import ApiKey

        client = cls.__new__(cls)
        if isinstance(auth, ApiKey):
            client._credential_kind, client._credential = _API_KEY, _check_credential(auth.key, "API key")
        else:
            client._credential_kind, client._credential = _BEARER, _check_credential(auth.access_token, "access token")
        client._setup(server_url, options)
        return client

    @classmethod
    def from_profile(cls: type[ClientT], profile: str | None = None, **options: Unpack[Options]) -> ClientT:
        """A client for the stored profile, or for the environment's credential.

        With ``profile=None``, ``IMMICH_INSTANCE_URL`` + ``IMMICH_API_KEY`` (the official CLI's
        names) take precedence over the stored profile, and ``IMMICH_PROFILE`` selects the profile;
        a profile named explicitly is always used. Raises :class:`immiche.NotLoggedInError` when
        there is nothing to log in with.
        """
        from immiche.session import resolve_credentials

        built = ClientOptions.build(**options)  # bad options fail before any file is read
        resolved = resolve_credentials(profile=profile)
        return cls._from_auth(resolved.server_url, resolved.auth, built)

    # ---- state

    @property
    def base_url(self) -> str:
        """The server URL as normalised (no trailing slash, no ``/api``)."""
        return self._engine.server.base

    @property
    def credential_kind(self) -> CredentialKind:
        """``"api_key"`` or ``"access_token"``."""
        return self._credential_kind

    @property
    def api_root(self) -> str:
        """The resolved API root, once connected.

        No property sends a request: before :meth:`connect` (or a first call) this raises
        :class:`ImmichError`, the same in both clients.
        """
        self._check_open()
        if self._api_root is None:
            raise self._not_connected()
        return self._api_root

    @property
    def low_level(self) -> AuthenticatedClient:
        """The generated ``immich_client.AuthenticatedClient`` on this client's pool, API root and
        credential, once connected (see :attr:`api_root`); every endpoint of the spec works with it,
        e.g. ``immich_client.api.server.get_about_info.sync(client=client.low_level)`` (the
        endpoints' ``asyncio()`` functions with :class:`AsyncClient`).
        """
        self._check_open()
        if self._low_level is None:
            raise self._not_connected()
        return self._low_level

    def _not_connected(self) -> ImmichError:
        name = type(self).__name__
        call = "await client.connect()" if name.startswith("Async") else "client.connect()"
        return ImmichError(f"the {name} is not connected yet", hint=f"call {call} first (or make any call)")

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
            warn_if_untested(self._engine, version, immich_client.IMMICH_VERSION)

    def _info(self) -> ServerInfo:
        assert self._api_root is not None
        assert self._server_version is not None
        version = self._server_version
        return ServerInfo(self.base_url, self._api_root, version, _contract.is_tested(version.major, version.minor))

    def _keep_out_of_errors(self, secret: object) -> None:
        """Mask ``secret`` (a login's password) in this client's errors and in debug logs."""
        if isinstance(secret, str) and secret:
            remember_secret(secret)
            self._engine.secrets = (*self._engine.secrets, secret)

    def _check_open(self) -> None:
        if self._closed:
            raise InvalidArgumentError(f"this {type(self).__name__} is closed", hint="create a new client")
        if self._shared is not None and self._shared.is_closed:
            raise InvalidArgumentError(
                f"the shared {type(self._shared).__name__} of this {type(self).__name__} is closed",
                hint="close the shared httpx client only after the immiche clients using it",
            )

    @staticmethod
    def _check_concurrency(concurrency: int) -> int:
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or not 1 <= concurrency <= MAX_CONCURRENCY:
            raise InvalidArgumentError(
                f"concurrency must be an integer from 1 to {MAX_CONCURRENCY}, not {concurrency!r}"
            )
        return concurrency
