"""The httpx clients immiche sends through: they never store or send a cookie.

Immich's login answers with ``Set-Cookie: immich_access_token=...``. An ``httpx.Client`` keeps
such cookies in its jar and sends them with every later request to that host, whoever makes it:
through a pool shared by several immiche clients (or by the rest of a program), a login token
would travel with requests that have nothing to do with it. So immiche sends every request through
an ``httpx`` client of its own whose cookie jar refuses every cookie:

- a client immiche creates gets that jar directly;
- for a client it is given (``http_client=shared``), immiche makes a light client of its own on
  the *shared one's transports* (its connection pool, TLS settings and proxies, chosen per URL
  exactly as the shared client chooses them) and sends through that. The shared client itself is
  never modified, so its cookie jar is never fed by immiche's answers, and its cookies, default
  headers, auth and request hooks (which could add a header) are not applied to immiche's
  requests. Its *response* hooks (logging, metrics), as they are when the immiche client is
  created, are called for immiche's answers.

Closing immiche's own client closes the pool only when immiche created it.
"""

from __future__ import annotations

import http.cookiejar
from typing import Any

from immiche._http import httpx

__all__ = ["NoCookies", "async_pool_client", "pool_client"]


class NoCookies(http.cookiejar.DefaultCookiePolicy):
    """A cookie policy that accepts no cookie and returns none."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: Any) -> bool:
        return False

    def path_return_ok(self, path: str, request: Any) -> bool:
        return False


def _no_cookie_jar() -> http.cookiejar.CookieJar:
    return http.cookiejar.CookieJar(policy=NoCookies())


class _SharedTransport(httpx.BaseTransport):
    """Sends through a shared ``httpx.Client``'s transport for each URL; closing it does nothing."""

    def __init__(self, shared: httpx.Client) -> None:
        self._shared = shared

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._shared.is_closed:
            raise httpx.TransportError("the shared httpx client is closed")
        return self._shared._transport_for_url(request.url).handle_request(request)

    def close(self) -> None:
        """The shared client's owner closes its pool."""


class _AsyncSharedTransport(httpx.AsyncBaseTransport):
    def __init__(self, shared: httpx.AsyncClient) -> None:
        self._shared = shared

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._shared.is_closed:
            raise httpx.TransportError("the shared httpx client is closed")
        return await self._shared._transport_for_url(request.url).handle_async_request(request)

    async def aclose(self) -> None:
        """The shared client's owner closes its pool."""


def pool_client(shared: httpx.Client | None, **options: Any) -> httpx.Client:
    """immiche's ``httpx.Client``: a new pool (``options``), or ``shared``'s pool; no cookies either way."""
    if shared is None:
        return httpx.Client(cookies=_no_cookie_jar(), follow_redirects=False, **options)
    return httpx.Client(
        cookies=_no_cookie_jar(),
        follow_redirects=False,
        transport=_SharedTransport(shared),
        trust_env=False,
        event_hooks={"response": shared.event_hooks.get("response", [])},
    )


def async_pool_client(shared: httpx.AsyncClient | None, **options: Any) -> httpx.AsyncClient:
    """The asyncio twin of :func:`pool_client`."""
    if shared is None:
        return httpx.AsyncClient(cookies=_no_cookie_jar(), follow_redirects=False, **options)
    return httpx.AsyncClient(
        cookies=_no_cookie_jar(),
        follow_redirects=False,
        transport=_AsyncSharedTransport(shared),
        trust_env=False,
        event_hooks={"response": shared.event_hooks.get("response", [])},
    )
