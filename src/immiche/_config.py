"""Client settings: timeouts, retry policy and limits, with their defaults in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, TypedDict

if TYPE_CHECKING:
    import os
    import random
    import ssl

__all__ = [
    "DEFAULT_CONCURRENCY",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_RETRIES",
    "DEFAULT_TOTAL_TIMEOUT",
    "MAX_CONCURRENCY",
    "MAX_CONNECTIONS",
    "MAX_KEEPALIVE_CONNECTIONS",
    "MAX_PAGES",
    "MAX_SEARCH_NAME",
    "MAX_TIMEOUT",
    "PAGE_SIZE",
    "ClientOptions",
    "Options",
    "RetryPolicy",
    "Timeout",
]

DEFAULT_CONNECT_TIMEOUT: Final = 5.0
"""Seconds to wait for a TCP/TLS connection."""
DEFAULT_READ_TIMEOUT: Final = 30.0
"""Seconds to wait for each read (and write) on an open connection."""
DEFAULT_TOTAL_TIMEOUT: Final = 60.0
"""Seconds one request may take from its first attempt to its last byte, retries and waits included."""
MAX_TIMEOUT: Final = 86400.0
"""The longest timeout accepted (a day); longer values are almost certainly a mistake."""
DEFAULT_RETRIES: Final = 3
"""Retries after the first attempt of an idempotent request."""
DEFAULT_MAX_RESPONSE_BYTES: Final = 64 * 1024 * 1024
"""Largest JSON (or in-memory thumbnail) body read; bigger answers raise InvalidResponseError."""
DEFAULT_MAX_DOWNLOAD_BYTES: Final = 1024 * 1024 * 1024
"""Largest thumbnail streamed to disk (face thumbnails are a few KB; this stops an endless answer)."""
PAGE_SIZE: Final = 1000
"""The largest page size Immich allows for GET /people (the CLI's page-size cap too)."""
DEFAULT_CONCURRENCY: Final = 8
"""Downloads at once in a bulk download, unless told otherwise."""
MAX_CONCURRENCY: Final = 64
"""The most downloads at once a bulk download accepts (library and CLI)."""
MAX_CONNECTIONS: Final = 100
"""Connections in a client's own pool."""
MAX_KEEPALIVE_CONNECTIONS: Final = 32
"""Idle connections a client's own pool keeps open."""
MAX_PAGES: Final = 1000
"""The most pages one listing reads (1,000,000 people at the default page size): a server that
claims an enormous ``total`` and keeps sending new pages is stopped there."""
MAX_SEARCH_NAME: Final = 4096
"""The longest name :meth:`search_person` sends: it travels in the URL's query, which httpx caps at 64 KiB
(4,096 characters stay under it even when each one is percent-encoded UTF-8)."""


def _seconds(value: object, what: str) -> float | None:
    """A timeout value checked: None, or a finite positive number of seconds up to MAX_TIMEOUT."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_TIMEOUT:
        from immiche.errors import InvalidArgumentError

        shown = repr(value) if isinstance(value, (int, float, str)) else type(value).__name__
        raise InvalidArgumentError(  # also NaN, inf and 1e300 (which would fail at request time)
            f"{what} must be a positive number of seconds up to {MAX_TIMEOUT:g}, not {shown[:40]}"
        )
    return float(value)


@dataclass(frozen=True)
class Timeout:
    """Timeouts in seconds; ``None`` disables one.

    ``connect`` bounds opening a connection, ``read`` each read (and write) on it, and ``total``
    a whole request: from its first attempt to its last byte, retries and their waits included,
    so a server that sends one byte at a time cannot hold a call for longer. Every value must be
    a finite number of seconds up to a day.

    Example:
        >>> Timeout(connect=2.0, read=60.0)
        Timeout(connect=2.0, read=60.0, total=60.0)
    """

    connect: float | None = DEFAULT_CONNECT_TIMEOUT
    read: float | None = DEFAULT_READ_TIMEOUT
    total: float | None = DEFAULT_TOTAL_TIMEOUT

    def __post_init__(self) -> None:
        for name in ("connect", "read", "total"):
            object.__setattr__(self, name, _seconds(getattr(self, name), f"timeout {name}"))

    @classmethod
    def coerce(cls, value: Timeout | float | None) -> Timeout:
        """Accept a Timeout, one number (a request's whole duration; connecting at most 5 s of it),
        or None (no timeout at all)."""
        if isinstance(value, Timeout):
            return value
        if value is None:
            return cls(connect=None, read=None, total=None)
        seconds = _seconds(value, "timeout")
        assert seconds is not None
        return cls(connect=min(seconds, DEFAULT_CONNECT_TIMEOUT), read=seconds, total=seconds)


@dataclass(frozen=True)
class RetryPolicy:
    """How idempotent requests are retried on connection errors, 429, 502, 503 and 504.

    Delays grow exponentially from ``backoff`` (with full jitter) up to ``max_backoff``; a
    ``Retry-After`` header is honoured when it asks for no more than ``max_backoff``. No retry is
    started once ``max_total`` seconds have passed since the first attempt. Login, logout and other
    non-idempotent calls are never retried.

    Example:
        >>> RetryPolicy(max_retries=5, backoff=0.2).max_retries
        5
    """

    max_retries: int = DEFAULT_RETRIES
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_total: float = 30.0
    retry_statuses: frozenset[int] = frozenset({429, 502, 503, 504})

    @classmethod
    def coerce(cls, value: RetryPolicy | int) -> RetryPolicy:
        """Accept a RetryPolicy or a number of retries (0 turns retrying off)."""
        if isinstance(value, RetryPolicy):
            return value
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            from immiche.errors import InvalidArgumentError

            raise InvalidArgumentError(f"retries must be a non-negative integer, not {value!r}")
        return cls(max_retries=value)

    def delay(self, attempt: int, retry_after: str | None, *, rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        asked = parse_retry_after(retry_after)
        if asked is not None:
            return min(asked, self.max_backoff)
        ceiling = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
        if rng is None:
            import random

            return random.uniform(ceiling / 2, ceiling)  # noqa: S311 (jitter, not cryptography)
        return rng.uniform(ceiling / 2, ceiling)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta-seconds or HTTP date), if valid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    from datetime import datetime, timezone

    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class Options(TypedDict, total=False):
    """The keyword options every client constructor takes (``Client(...)``, ``from_session``,
    ``from_profile``, ``login``, ``probe``, ``create``); see :class:`immiche.Client`."""

    http_client: Any
    timeout: Timeout | float | None
    verify: bool | str | os.PathLike[str] | ssl.SSLContext
    retries: RetryPolicy | int
    max_response_bytes: int


@dataclass(frozen=True)
class ClientOptions:
    """The options of one client, checked and normalised once (:meth:`build`)."""

    http_client: Any = None
    timeout: Timeout = field(default_factory=Timeout)
    verify: bool | str | os.PathLike[str] | ssl.SSLContext = True
    retries: RetryPolicy = field(default_factory=RetryPolicy)
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

    @classmethod
    def build(cls, **options: Any) -> ClientOptions:
        """Check ``options`` (the keys of :class:`Options`) and fill in the defaults.

        Raises:
            TypeError: for an unknown option, as a misspelt keyword argument would.
            InvalidArgumentError: for a value of the wrong type or out of range.
        """
        unknown = set(options) - set(Options.__annotations__)
        if unknown:
            raise TypeError(f"unexpected options: {', '.join(sorted(unknown))}")
        size = options.get("max_response_bytes", DEFAULT_MAX_RESPONSE_BYTES)
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            from immiche.errors import InvalidArgumentError

            raise InvalidArgumentError(f"max_response_bytes must be a positive integer, not {size!r}")
        return cls(
            http_client=options.get("http_client"),
            timeout=Timeout.coerce(options.get("timeout", Timeout())),
            verify=options.get("verify", True),
            retries=RetryPolicy.coerce(options.get("retries", DEFAULT_RETRIES)),
            max_response_bytes=size,
        )
