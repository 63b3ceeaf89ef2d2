"""httpx as immiche uses it: imported lean, and with credentials kept out of httpcore's debug log.

- ``import httpx`` also imports click, rich and pygments when they are installed (immiche's CLI
  installs them), doubling its import time (encode/httpx#3547). ``immich_client/__init__.py``
  imports httpx without them; importing it first here gives every immiche module the same httpx.
- At DEBUG level httpcore logs every response's headers, among them the ``Set-Cookie`` that
  carries a login's access token. A filter on httpcore's loggers masks credential headers, and
  the credentials of immiche's clients wherever a server echoes them (any header, a redirect's
  ``Location``).
"""

# isort: off
import immich_client  # noqa: F401 (must come first: it imports httpx without the extras)
import httpx

# isort: on
import logging
import re
import threading

from immiche.errors import redact

__all__ = ["httpx", "remember_secret"]

_SECRETS: dict[str, None] = {}
_SECRETS_LOCK = threading.Lock()


def remember_secret(value: str) -> None:
    """Mask ``value`` in httpcore's debug log from now on (each client's credential)."""
    if value:
        with _SECRETS_LOCK:
            _SECRETS[value] = None


_CREDENTIAL_HEADER = re.compile(
    r"(\(b['\"](?:set-cookie|cookie|authorization|proxy-authorization|x-api-key|x-immich-user-token"
    r"|x-immich-session-token)['\"], b['\"])[^'\"]*",
    re.IGNORECASE,
)


class RedactCredentials(logging.Filter):
    """Mask the values of credential headers in httpcore's trace messages."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _CREDENTIAL_HEADER.sub(r"\1<redacted>", message)
        if _SECRETS:
            with _SECRETS_LOCK:
                secrets = tuple(_SECRETS)
            redacted = redact(redacted, secrets, urls=False)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


_FILTER = RedactCredentials()
for _name in ("httpcore.http11", "httpcore.http2", "httpcore.connection", "httpcore.proxy", "httpcore.socks"):
    _logger = logging.getLogger(_name)
    if _FILTER not in _logger.filters:
        _logger.addFilter(_FILTER)
