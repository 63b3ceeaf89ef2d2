"""Server URL rules: what users may type, and where the API root is looked for.

The rule, as README states it:

- ``https://host``, ``https://host/`` and ``https://host/sub/path`` name the server; trailing
  slashes are dropped.
- A URL that ends in ``/api`` names the API root directly; the server is the part before it.
- Without a scheme, ``host`` and ``host:443`` mean ``https://``; any other port
  (``host:2283``, Immich's own port) means ``http://``.
- Only http and https are accepted; user names, passwords, queries, fragments, spaces, control
  characters and host names that cannot be looked up (empty or over-long labels, invalid IDNA)
  are rejected before anything is sent.

The API root is then resolved like the official apps do (see :func:`api_root_from_well_known`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from immiche.errors import InvalidArgumentError, redact_url

__all__ = ["ServerURL", "api_root_from_well_known", "parse_server_url"]

_HOST_PORT = re.compile(r"^([^/:?#@\[\]]+|\[[0-9A-Fa-f:.]+\])(?::(\d+))?(?=[/?#]|$)")


@dataclass(frozen=True)
class ServerURL:
    """A validated server address.

    Attributes:
        base: the server URL without a trailing slash or ``/api`` (``https://host/photos``).
        api_root_given: True when the user typed the API root itself (``.../api``).
    """

    base: str
    api_root_given: bool = False

    @property
    def well_known(self) -> str:
        return f"{self.base}/.well-known/immich"

    @property
    def fallback_api_root(self) -> str:
        return f"{self.base}/api"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base)
        return f"{parts.scheme}://{parts.netloc}"


def _reject(url: str, why: str) -> InvalidArgumentError:
    """The error for a URL, which shows it without user name, password, query or fragment."""
    if "://" not in url and ("@" in url or "?" in url or "#" in url):
        url = redact_url("x://" + url)[4:]
    else:
        url = redact_url(url)
    shown = url if len(url) <= 80 else url[:77] + "..."
    return InvalidArgumentError(
        f"invalid server URL {shown!r}: {why}",
        hint="use the address you open Immich at, e.g. https://photos.example.com or http://192.168.1.10:2283",
    )


def _host_is_usable(host: str) -> bool:
    """Whether the HTTP stack can connect to ``host``, checked the way it does it on every request:
    httpx's IDNA encoding (and decoding of ``xn--`` labels), then the socket layer's label rules
    (no empty label, none over 63 characters). IPv6 literals were checked by ``urlsplit``."""
    if ":" in host:
        return True
    import httpx

    try:
        parsed = httpx.URL(f"http://{host}/")
        _ = parsed.host
        parsed.raw_host.decode("ascii").encode("idna")
    except (httpx.InvalidURL, UnicodeError):
        return False
    return True


def parse_server_url(url: str) -> ServerURL:
    """Validate and normalise a server URL typed by a user.

    Example:
        >>> parse_server_url("photos.local:2283/").base
        'http://photos.local:2283'
        >>> parse_server_url("https://example.com/immich/api")
        ServerURL(base='https://example.com/immich', api_root_given=True)
    """
    if not isinstance(url, str):
        raise InvalidArgumentError(f"the server URL must be a string, not {type(url).__name__}")
    text = url.strip()
    if not text:
        raise _reject(url, "it is empty")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise _reject(url, "it contains spaces or control characters")
    if "://" in text:
        scheme = text.split("://", 1)[0]
        if scheme.lower() not in ("http", "https"):
            raise _reject(url, f"the scheme {scheme!r} is not http or https")
    else:
        # No scheme ("host", "host:2283", "10.0.0.2:2283/photos"): pick one by the port.
        match = _HOST_PORT.match(text)
        if match is None:
            raise _reject(url, "it is not an http:// or https:// address")
        text = ("https://" if match.group(2) in (None, "443") else "http://") + text
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed IPv6 bracket: "http://[::1"
        raise _reject(url, "it is not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise _reject(url, f"the scheme {parts.scheme!r} is not http or https")
    if not parts.hostname:
        raise _reject(url, "it has no host name")
    if not _host_is_usable(parts.hostname):
        raise _reject(url, "the host name is not valid")
    if parts.username is not None or parts.password is not None:
        raise _reject(url, "it contains a user name or password; pass credentials separately")
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise _reject(url, "it contains a query or fragment")
    try:
        parts.port  # noqa: B018 (validates the port number)
    except ValueError:
        raise _reject(url, "the port is not a number between 0 and 65535") from None
    path = parts.path.rstrip("/")
    api_root_given = path.endswith("/api") or path == "/api"
    if api_root_given:
        path = path[: -len("/api")]
    base = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, "", ""))
    return ServerURL(base=base, api_root_given=api_root_given)


def api_root_from_well_known(server: ServerURL, document: object) -> str | None:
    """The API root announced by ``/.well-known/immich``, or None when it announces none usable.

    A real server answers ``{"api": {"endpoint": "/api"}}``. An endpoint starting with ``/`` is
    appended to the server URL the user gave (so ``https://host/photos`` behind a proxy resolves to
    ``https://host/photos/api``, as the mobile app does). An absolute endpoint is accepted only on
    the same origin, so a credential is never sent to another host.
    """
    if not isinstance(document, dict):
        return None
    api = document.get("api")
    endpoint = api.get("endpoint") if isinstance(api, dict) else None
    if not isinstance(endpoint, str) or not endpoint.strip():
        return None
    endpoint = endpoint.strip().rstrip("/")
    if endpoint.startswith("/"):
        return server.base + endpoint
    if endpoint.lower().startswith(("http://", "https://")):
        announced = parse_server_url(endpoint)
        if ServerURL(announced.base).origin == server.origin:
            return announced.base + ("/api" if announced.api_root_given else "")
    return None
