"""Transport failures: how each maps to an immiche error, and which are retried.

Failures are classified by exception type, as httpx maps httpcore's: httpx chains each of its
errors to the one below it (``httpx.ConnectError`` <- ``httpcore.ConnectError`` <- the socket's
``ConnectionRefusedError``, ``socket.gaierror`` or ``ssl.SSLError``), so the cause chain says
exactly what happened. The message text is read only when the chain holds none of those types.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator

from immiche._http import httpx
from immiche.errors import ImmichConnectionError, ImmichError, RequestTimeoutError

__all__ = ["cause_kind", "deadline_passed", "retryable_transport", "transport_error"]

#: (type, kind), most specific first: the first type found along the cause chain decides.
_KINDS: tuple[tuple[type[BaseException], str], ...] = (
    (ssl.SSLError, "tls"),
    (socket.gaierror, "dns"),
    (ConnectionRefusedError, "refused"),
)
#: Fallback when the chain holds none of them (another transport, or a wrapped message only).
_TEXTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("certificate", "ssl", "tls"), "tls"),
    (("name or service not known", "nodename nor servname", "getaddrinfo", "name resolution"), "dns"),
    (("refused",), "refused"),
)


def _chain(err: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def cause_kind(err: BaseException) -> str | None:
    """``"tls"``, ``"dns"``, ``"refused"`` or None: what lies under a transport error."""
    chain = list(_chain(err))
    for kind_type, kind in _KINDS:
        if any(isinstance(link, kind_type) for link in chain):
            return kind
    text = " ".join(str(link) for link in chain).lower()
    for needles, kind in _TEXTS:
        if any(needle in text for needle in needles):
            return kind
    return None


def transport_error(err: Exception, label: str, server: str) -> ImmichError:
    """Map a transport-level failure to an immiche error (the one place this happens)."""
    method, _, path = label.partition(" ")
    where = {"method": method or None, "path": path or None}
    text = str(err) or type(err).__name__
    if isinstance(err, (httpx.ConnectTimeout, httpx.PoolTimeout)) and not isinstance(err, _DeadlinePassed):
        return RequestTimeoutError(
            f"timed out trying to connect to {server}",
            hint="check the server URL (host and port), that the server is up, and that this machine can reach it",
            **where,
        )
    if isinstance(err, httpx.TimeoutException):
        return RequestTimeoutError(
            f"timed out trying to get an answer from {server}",
            hint="the server is slow or overloaded; try again later, or raise the timeout (--timeout)",
            **where,
        )
    kind = cause_kind(err)
    if kind == "tls":
        return ImmichConnectionError(
            f"TLS failure talking to {server}: {text}",
            hint="for a self-signed certificate pass its CA bundle (ca_bundle / --ca-bundle) or verify=False (--insecure)",
            **where,
        )
    if isinstance(err, httpx.ConnectError):
        if kind == "dns":
            return ImmichConnectionError(
                f"cannot resolve the host of {server}", hint="check the server URL's host name", **where
            )
        if kind == "refused":
            return ImmichConnectionError(
                f"connection refused by {server}",
                hint="is Immich running there, on that port? Immich listens on 2283 by default",
                **where,
            )
        return ImmichConnectionError(
            f"cannot connect to {server}: {text}", hint="check the server URL and network", **where
        )
    if isinstance(err, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
        return ImmichConnectionError(
            f"the connection to {server} broke mid-request ({text})",
            hint="a proxy or the network dropped it; try again",
            **where,
        )
    if isinstance(err, OSError):
        return ImmichConnectionError(f"network error talking to {server}: {text}", **where)
    return ImmichConnectionError(f"request to {server} failed: {type(err).__name__}: {text}", **where)


class _DeadlinePassed(httpx.ReadTimeout):
    """The request's overall deadline (``Timeout.total``) passed while its answer was arriving."""


def deadline_passed() -> httpx.ReadTimeout:
    """What a driver answers when a request's deadline passes mid-body."""
    return _DeadlinePassed("the request took longer than its total timeout")


def retryable_transport(err: Exception) -> bool:
    """Connections that broke on an open connection (a keep-alive connection the server dropped)
    are retried; a host that does not answer, refuses, or cannot be resolved is reported at once,
    within the timeout the user gave."""
    if isinstance(err, (httpx.RemoteProtocolError, httpx.ReadError)):
        return cause_kind(err) != "tls"
    return False
