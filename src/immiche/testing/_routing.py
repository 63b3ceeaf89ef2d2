"""The fake API's request, reply and route types, and credential lookup; free of I/O."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING
from urllib.parse import unquote

from immiche.testing._jpeg import Thumbnail
from immiche.testing._state import Auth, Credential

if TYPE_CHECKING:
    from immiche.testing._api import Api

__all__ = [
    "ANY",
    "JSON",
    "PUBLIC",
    "ApiRequest",
    "Handler",
    "Route",
    "RouteAnswer",
    "caller",
    "cookies",
    "etag_matches",
    "find_credential",
    "http_date",
    "not_modified",
    "single",
]

JSON = "application/json; charset=utf-8"
PUBLIC = "<public>"  # a route without authentication
ANY = "<any>"  # authenticated, but no API key permission needed (``permission: false``)
_COOKIE_LIFETIME = 400 * 24 * 3600


@dataclass(frozen=True)
class ApiRequest:
    """A parsed request.

    Attributes:
        method: upper-case method.
        path: the URL path below the base path, still percent-encoded (``/api/people``).
        query_string: the raw query, without ``?``.
        query: the decoded query parameters.
        headers: lower-case header names.
        body: the request body.
        correlation_id: the id this answer carries.
    """

    method: str
    path: str
    query_string: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    correlation_id: str


@dataclass
class RouteAnswer:
    """An answer to send: JSON bytes, a thumbnail, or nothing (304)."""

    status: int
    body: bytes | Thumbnail = b""
    content_type: str | None = JSON
    headers: list[tuple[str, str]] = field(default_factory=list)
    template: str | None = None  # the spec's path template, for recorded responses

    @property
    def size(self) -> int:
        return self.body.size if isinstance(self.body, Thumbnail) else len(self.body)


Handler = Callable[["Api", ApiRequest, Auth | None, dict[str, str]], RouteAnswer]


@dataclass(frozen=True)
class Route:
    """``permission``: the API key permission needed, or ``PUBLIC`` / ``ANY``."""

    method: str
    template: str
    permission: str
    handler: Handler
    segments: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "segments", tuple(self.template.lower()[1:].split("/")))

    def match(self, parts: list[str]) -> dict[str, str] | None:
        if len(parts) != len(self.segments):
            return None
        params = {}
        for segment, part in zip(self.segments, parts, strict=True):
            if segment.startswith("{"):
                params[segment[1:-1]] = unquote(part)
            elif segment != part.lower():
                return None
        return params


def find_credential(headers: Mapping[str, str], query: Mapping[str, list[str]]) -> Credential | None:
    """The credential Immich uses: session carriers first (Bearer among them), then the API key."""

    def joined(values: list[str] | None) -> str:  # a repeated parameter is never a valid credential
        return ",".join(values) if values else ""

    for token in (headers.get("x-immich-user-token"), headers.get("x-immich-session-token")):
        if token:
            return Credential("session", token)
    if joined(query.get("sessionKey")):
        return Credential("session", joined(query.get("sessionKey")))
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.split(" ")[0]:
        return Credential("bearer", token.split(" ")[0])
    cookie = _cookie(headers.get("cookie", ""), "immich_access_token")
    if cookie:
        return Credential("session", cookie)
    key = headers.get("x-api-key") or joined(query.get("apiKey"))
    return Credential("api_key", key) if key else None


def _cookie(header: str, name: str) -> str:
    if name not in header:
        return ""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return ""
    morsel = jar.get(name)
    return morsel.value if morsel is not None else ""


def http_date(seconds: float) -> str:
    return email.utils.formatdate(seconds, usegmt=True)


def cookies(token: str | None) -> list[tuple[str, str]]:
    """Login's three cookies, or (``token=None``) logout's expired ones."""
    if token is None:
        expired = "Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        return [
            ("Set-Cookie", f"{name}=; {expired}")
            for name in ("immich_access_token", "immich_auth_type", "immich_is_authenticated")
        ]
    expires = http_date(time.time() + _COOKIE_LIFETIME)
    lasting = f"Max-Age={_COOKIE_LIFETIME}; Path=/; Expires={expires}"
    return [
        ("Set-Cookie", f"immich_access_token={token}; {lasting}; HttpOnly; SameSite=Lax"),
        ("Set-Cookie", f"immich_auth_type=password; {lasting}; HttpOnly; SameSite=Lax"),
        ("Set-Cookie", f"immich_is_authenticated=true; {lasting}; SameSite=Lax"),
    ]


def etag_matches(header: str, etag: str) -> bool:
    """Weak comparison of an If-None-Match list (RFC 9110 13.1.2)."""
    opaque = etag.removeprefix("W/")
    return any(
        candidate.strip() == "*" or candidate.strip().removeprefix("W/") == opaque for candidate in header.split(",")
    )


def caller(auth: Auth | None) -> Auth:
    if auth is None:  # pragma: no cover - the routing table pairs these handlers with authentication
        raise RuntimeError("this endpoint needs an authenticated caller")
    return auth


def single(values: list[str] | None) -> str | list[str] | None:
    if values is None:
        return None
    return values[0] if len(values) == 1 else values


def not_modified(headers: Mapping[str, str], etag: str, modified: int) -> bool:
    """Express's freshness check: If-None-Match wins over If-Modified-Since."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        return etag_matches(if_none_match, etag)
    since = headers.get("if-modified-since")
    if since:
        try:
            parsed = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        return parsed.timestamp() >= modified
    return False
