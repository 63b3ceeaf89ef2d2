"""Transport failures: how each maps to an immiche error, and which are retried."""

from __future__ import annotations

from immiche._http import httpx
from immiche.errors import ImmichConnectionError, ImmichError, RequestTimeoutError

__all__ = ["deadline_passed", "retryable_transport", "transport_error"]


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
    lowered = text.lower()
    if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
        return ImmichConnectionError(
            f"TLS failure talking to {server}: {text}",
            hint="for a self-signed certificate pass its CA bundle (ca_bundle / --ca-bundle) or verify=False (--insecure)",
            **where,
        )
    if isinstance(err, httpx.ConnectError):
        if any(
            s in lowered
            for s in ("name or service not known", "nodename nor servname", "getaddrinfo", "name resolution")
        ):
            return ImmichConnectionError(
                f"cannot resolve the host of {server}", hint="check the server URL's host name", **where
            )
        if "refused" in lowered:
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
        text = str(err).lower()
        return not ("certificate" in text or "ssl" in text)
    return False
