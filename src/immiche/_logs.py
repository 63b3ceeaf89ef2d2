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


def log_request(method: str, url: str, status: int, reason: str = "") -> None:
    """Log one HTTP exchange at DEBUG; ``url`` is shown without user info, query or fragment."""
    if not logger.isEnabledFor(logging.DEBUG):
        return
    from immiche.errors import redact_url

    safe = redact_url(url)
    logger.debug(
        "%s %s -> %d %s",
        method,
        safe,
        status,
        reason,
        extra={"immiche_event": REQUEST_EVENT, "immiche_request": (method, safe, status, reason)},
    )
