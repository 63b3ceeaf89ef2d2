"""The ``immiche`` logger: the library's own decisions (retries and why, discovery, fallbacks).

immiche never configures logging itself. Attach a handler to ``logging.getLogger("immiche")``
(the CLI's ``-v`` does) to see them; credentials never appear in these messages (URLs go through
:func:`immiche.errors.redact_url`).

For the engine:

- :func:`log_decision` for what it decides (``"retrying GET /api/people in 0.5 s: 503"``,
  ``"discovery: trying %s"``...), at DEBUG;
- :func:`log_request` once per HTTP exchange, at DEBUG, with ``record.immiche_event ==
  "request"`` and the parts in ``record.immiche_request`` (method, url, status, reason), which
  the CLI's ``-v`` shows as ``GET <url> -> 200 OK``. While :data:`ENGINE_LOGS_REQUESTS` is
  ``False`` the CLI shows httpx's own request log instead (as plain text, never parsed).
"""

from __future__ import annotations

import logging
from typing import Final

__all__ = ["ENGINE_LOGS_REQUESTS", "REQUEST_EVENT", "log_decision", "log_request", "logger"]

logger = logging.getLogger("immiche")

#: ``record.immiche_event`` of the records :func:`log_request` makes.
REQUEST_EVENT: Final = "request"

#: Whether the drivers call :func:`log_request` for every exchange (then the CLI's ``-v`` no
#: longer needs httpx's log): the engine logs each answer in ``Engine.call``.
ENGINE_LOGS_REQUESTS: bool = True


def log_decision(message: str, *args: object) -> None:
    """Log one of the engine's decisions at DEBUG (``%``-style ``args``, formatted only if shown)."""
    logger.debug(message, *args)


_SECRET_PARAMS: Final = ("key", "token", "password", "secret", "session")


def _loggable_url(url: str) -> str:
    """``url`` without user info or fragment, its query kept (page, size...) but for the values
    of parameters that may hold a credential (``apiKey``, ``sessionKey``, ``token``...)."""
    from urllib.parse import parse_qsl, urlencode

    from immiche.errors import redact_url

    base, _, query = url.partition("?")
    safe = redact_url(base.partition("#")[0])
    if not query:
        return safe
    pairs = [
        (name, "***" if any(word in name.lower() for word in _SECRET_PARAMS) else value)
        for name, value in parse_qsl(query.partition("#")[0], keep_blank_values=True)
    ]
    return f"{safe}?{urlencode(pairs, safe='*')}"


def log_request(method: str, url: str, status: int, reason: str = "", params: object = None) -> None:
    """Log one HTTP exchange at DEBUG; ``url`` without user info and with credential-like query
    values masked."""
    if not logger.isEnabledFor(logging.DEBUG):
        return
    if params:  # the query as it was sent (the engine keeps it apart from the URL)
        from immiche._http import httpx

        url = str(httpx.URL(url, params=params))
    safe = _loggable_url(url)
    logger.debug(
        "%s %s -> %d %s",
        method,
        safe,
        status,
        reason,
        extra={"immiche_event": REQUEST_EVENT, "immiche_request": (method, safe, status, reason)},
    )
