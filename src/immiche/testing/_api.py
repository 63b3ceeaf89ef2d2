"""The Immich API the fake implements: routing, authentication and endpoints, free of I/O.

:class:`Api` turns an :class:`ApiRequest` into a :class:`Reply`; the HTTP layer does the rest.
Checks run in Immich's order: unknown route 404, then 401, 403 (API key permission), 400
(validation), 400 (access), then the endpoint's own errors.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from urllib.parse import unquote

from immiche.testing._errors import Issue, Version, dumps, error_body, validation_body
from immiche.testing._jpeg import Thumbnail
from immiche.testing._models import FakePerson
from immiche.testing._search import search_v2, search_v3
from immiche.testing._state import Auth, Credential, ImmichState
from immiche.testing._validation import (
    check_boolean,
    check_email,
    check_integer,
    check_password,
    check_search_name,
    check_uuid,
)

__all__ = ["JSON", "Api", "ApiRequest", "Reply", "find_credential"]

JSON = "application/json; charset=utf-8"
_PUBLIC = "<public>"  # a route without authentication
_ANY = "<any>"  # authenticated, but no API key permission needed (``permission: false``)
_COOKIE_LIFETIME = 400 * 24 * 3600
_NOT_FOUND = "Not found or no person.read access"
_USER_CREATED = "2026-01-15T09:00:00.000Z"
_ABOUT_COMPONENTS = {  # what the recorded v2.4.1 server reported
    "nodejs": "v24.12.0",
    "exiftool": "13.44",
    "ffmpeg": "5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers",
    "libvips": "8.17.3",
    "imagemagick": "",
}


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
class Reply:
    """An answer to send: JSON bytes, a thumbnail, or nothing (304)."""

    status: int
    body: bytes | Thumbnail = b""
    content_type: str | None = JSON
    headers: list[tuple[str, str]] = field(default_factory=list)
    template: str | None = None  # the spec's path template, for recorded responses

    @property
    def size(self) -> int:
        return self.body.size if isinstance(self.body, Thumbnail) else len(self.body)


Handler = Callable[[ApiRequest, Auth | None, dict[str, str]], Reply]


@dataclass(frozen=True)
class _Route:
    """``permission``: the API key permission needed, or ``_PUBLIC`` / ``_ANY``."""

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


def _http_date(seconds: float) -> str:
    return email.utils.formatdate(seconds, usegmt=True)


def _cookies(token: str | None) -> list[tuple[str, str]]:
    """Login's three cookies, or (``token=None``) logout's expired ones."""
    if token is None:
        expired = "Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
        return [
            ("Set-Cookie", f"{name}=; {expired}")
            for name in ("immich_access_token", "immich_auth_type", "immich_is_authenticated")
        ]
    expires = _http_date(time.time() + _COOKIE_LIFETIME)
    lasting = f"Max-Age={_COOKIE_LIFETIME}; Path=/; Expires={expires}"
    return [
        ("Set-Cookie", f"immich_access_token={token}; {lasting}; HttpOnly; SameSite=Lax"),
        ("Set-Cookie", f"immich_auth_type=password; {lasting}; HttpOnly; SameSite=Lax"),
        ("Set-Cookie", f"immich_is_authenticated=true; {lasting}; SameSite=Lax"),
    ]


def _etag_matches(header: str, etag: str) -> bool:
    """Weak comparison of an If-None-Match list (RFC 9110 13.1.2)."""
    opaque = etag.removeprefix("W/")
    return any(
        candidate.strip() == "*" or candidate.strip().removeprefix("W/") == opaque for candidate in header.split(",")
    )


class Api:
    """The fake Immich API of one server.

    Example::

        api = Api(state, "v3", (3, 0, 0), max_page_size=1000)
        reply = api.handle(ApiRequest("GET", "/api/server/ping", "", {}, {}, b"", "abcd1234"))
    """

    def __init__(
        self, state: ImmichState, version: Version, server_version: tuple[int, int, int], *, max_page_size: int
    ) -> None:
        self.state = state
        self.version = version
        self.server_version = server_version
        self.max_page_size = max_page_size
        major, minor, patch = server_version
        tag = f"v{major}.{minor}.{patch}"
        self._ping = dumps({"res": "pong"})
        self._version = dumps({"major": major, "minor": minor, "patch": patch})
        self._about = dumps(
            {
                "version": tag,
                "versionUrl": f"https://github.com/immich-app/immich/releases/tag/{tag}",
                "licensed": False,
                "sourceRef": tag,
                **_ABOUT_COMPONENTS,
            }
        )
        self._routes = [
            _Route("GET", "/server/ping", _PUBLIC, self._server_ping),
            _Route("GET", "/server/version", _PUBLIC, self._server_version),
            _Route("GET", "/server/about", "server.about", self._server_about),
            _Route("GET", "/users/me", "user.read", self._users_me),
            _Route("POST", "/auth/login", _PUBLIC, self._login),
            _Route("POST", "/auth/logout", "all", self._logout),
            _Route("POST", "/auth/validateToken", _ANY, self._validate_token),
            _Route("GET", "/people", "person.read", self._people),
            _Route("GET", "/people/{id}", "person.read", self._person),
            _Route("GET", "/people/{id}/statistics", "person.statistics", self._statistics),
            _Route("GET", "/people/{id}/thumbnail", "person.read", self._thumbnail),
            _Route("GET", "/search/person", "person.read", self._search),
        ]

    # -- dispatch --------------------------------------------------------------------------

    def handle(self, request: ApiRequest) -> Reply:
        """Answer a request whose path starts with ``/api/``."""
        parts = request.path[len("/api/") :].split("/")
        if len(parts) > 1 and parts[-1] == "":
            parts.pop()  # Express's non-strict routing ignores one trailing slash
        method = "GET" if request.method == "HEAD" else request.method
        for route in self._routes:
            params = route.match(parts)
            if params is not None and route.method == method:
                return self._run(route, request, params)
        target = request.path + (f"?{request.query_string}" if request.query_string else "")
        return self.error(request, 404, f"Cannot {request.method} {target}")

    def _run(self, route: _Route, request: ApiRequest, params: dict[str, str]) -> Reply:
        if route.permission == _PUBLIC:
            reply = route.handler(request, None, params)
        else:
            auth = self.state.authenticate(find_credential(request.headers, request.query))
            if isinstance(auth, str):
                reply = self.error(request, 401, auth)
            elif route.permission != _ANY and not auth.allows(route.permission):
                reply = self.error(request, 403, f"Missing required permission: {route.permission}")
            else:
                reply = route.handler(request, auth, params)
        reply.template = route.template
        return reply

    # -- answers ---------------------------------------------------------------------------

    def error(self, request: ApiRequest, status: int, message: str, *, with_error: bool = True) -> Reply:
        """An error answer in this server's dialect."""
        return Reply(
            status, dumps(error_body(self.version, status, message, request.correlation_id, with_error=with_error))
        )

    def _invalid(self, request: ApiRequest, issues: list[Issue | None]) -> Reply | None:
        found = [issue for issue in issues if issue is not None and (self.version == "v3" or issue.v2)]
        if not found:
            return None
        return Reply(400, dumps(validation_body(self.version, found, request.correlation_id)))

    def _owned_person(
        self, request: ApiRequest, auth: Auth, person_id: str, *, serving_file: bool = False
    ) -> FakePerson | Reply:
        """The caller's person, or the 400 answer (malformed id, or not found / not theirs).

        ``serving_file``: the thumbnail route, whose access errors carry ``Cache-Control: none``.
        """
        invalid = self._invalid(request, [check_uuid("id", person_id)])
        if invalid is not None:
            return invalid
        person = self.state.people.get(person_id)  # exact match: an upper-case copy is "not found"
        if person is None or person.owner != auth.user.id:
            reply = self.error(request, 400, _NOT_FOUND)
            if serving_file:
                reply.headers.append(("Cache-Control", "none"))
            return reply
        return person

    # -- server and auth -------------------------------------------------------------------

    def _server_ping(self, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> Reply:
        return Reply(200, self._ping)

    def _server_version(self, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> Reply:
        return Reply(200, self._version)

    def _server_about(self, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> Reply:
        return Reply(200, self._about)

    def _users_me(self, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> Reply:
        auth = _caller(auth)
        user, created = auth.user, _USER_CREATED
        return Reply(
            200,
            dumps(
                {
                    "id": user.id,
                    "email": user.email,
                    "name": user.name,
                    "profileImagePath": "",
                    "avatarColor": "primary",
                    "profileChangedAt": created,
                    "storageLabel": "admin" if user.is_admin else None,
                    "shouldChangePassword": False,
                    "isAdmin": user.is_admin,
                    "createdAt": created,
                    "deletedAt": None,
                    "updatedAt": created,
                    "oauthId": "",
                    "quotaSizeInBytes": None,
                    "quotaUsageInBytes": 0,
                    "status": "active",
                    "license": None,
                }
            ),
        )

    def _login(self, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> Reply:
        try:
            body = json.loads(request.body) if request.body.strip() else {}
        except (ValueError, UnicodeDecodeError):
            return self.error(request, 400, "Unexpected token in JSON body")
        if not isinstance(body, dict):
            body = {}
        email_value, password = body.get("email"), body.get("password")
        invalid = self._invalid(request, [check_email(email_value), check_password(password)])
        if invalid is not None:
            return invalid
        session = self.state.login(str(email_value), str(password))
        if session is None:
            return self.error(request, 401, "Incorrect email or password")
        user, token = session
        answer = {
            "accessToken": token,
            "userId": user.id,
            "userEmail": user.email,
            "name": user.name,
            "isAdmin": user.is_admin,
            "profileImagePath": "",
            "shouldChangePassword": False,
            "isOnboarded": True,
        }
        return Reply(201, dumps(answer), headers=_cookies(token))

    def _logout(self, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> Reply:
        auth = _caller(auth)
        if auth.session_token is not None:
            self.state.end_session(auth.session_token)
        answer = {"successful": True, "redirectUri": "/auth/login?autoLaunch=0"}
        return Reply(200, dumps(answer), headers=_cookies(None))

    def _validate_token(self, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> Reply:
        return Reply(200, dumps({"authStatus": True}))

    # -- people ----------------------------------------------------------------------------

    def _people(self, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> Reply:
        auth = _caller(auth)
        query = request.query
        with_hidden, hidden_issue = check_boolean("withHidden", query.get("withHidden"))
        closest_person = query.get("closestPersonId")
        closest_asset = query.get("closestAssetId")
        page, page_issue = check_integer(
            "page", query.get("page"), default=1, maximum=9007199254740991, v2_maximum=False
        )
        size, size_issue = check_integer(
            "size", query.get("size"), default=min(500, self.max_page_size), maximum=self.max_page_size
        )
        invalid = self._invalid(
            request,
            [
                hidden_issue,
                check_uuid("closestPersonId", _single(closest_person)),
                check_uuid("closestAssetId", _single(closest_asset)),
                page_issue,
                size_issue,
            ],
        )
        if invalid is not None:
            return invalid
        library = self.state.library(auth.user)
        listing = library.listed if with_hidden else library.visible
        if closest_person is not None:
            anchor = self.state.people.get(closest_person[0])
            if anchor is None or not anchor.has_thumbnail:
                return self.error(request, 404, "Person not found")
            listing = self.state.similarity_order(listing, anchor.id)
        start = (page - 1) * size
        chunk = listing[start : start + size]
        has_next = len(listing) > start + size
        body = b'{"people":%s,"hasNextPage":%s,"total":%d,"hidden":%d}' % (
            self.state.people_json(chunk),
            b"true" if has_next else b"false",
            library.total,
            library.hidden,
        )
        return Reply(200, body)

    def _person(self, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> Reply:
        auth = _caller(auth)
        person = self._owned_person(request, auth, params["id"])
        if isinstance(person, Reply):
            return person
        return Reply(200, self.state.person_json(person))

    def _statistics(self, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> Reply:
        auth = _caller(auth)
        person = self._owned_person(request, auth, params["id"])
        if isinstance(person, Reply):
            return person
        return Reply(200, dumps({"assets": person.face_count}))  # one face per asset

    def _thumbnail(self, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> Reply:
        auth = _caller(auth)
        person = self._owned_person(request, auth, params["id"], serving_file=True)
        if isinstance(person, Reply):
            return person
        if not person.has_thumbnail:
            reply = self.error(request, 404, "Not Found", with_error=False)
            reply.headers.append(("Cache-Control", "none"))
            return reply
        thumbnail = self.state.thumbnail(person)
        modified = person.updated_at.timestamp()
        etag = f'W/"{thumbnail.size:x}-{int(modified * 1000):x}"'
        headers = [
            ("Cache-Control", "private, no-cache, no-transform"),
            ("Last-Modified", _http_date(int(modified))),
            ("ETag", etag),
        ]
        if _not_modified(request.headers, etag, int(modified)):
            return Reply(304, b"", content_type=None, headers=headers)
        return Reply(200, thumbnail, content_type="image/jpeg", headers=headers)

    def _search(self, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> Reply:
        auth = _caller(auth)
        name, name_issue = check_search_name(request.query.get("name"))
        with_hidden, hidden_issue = check_boolean("withHidden", request.query.get("withHidden"))
        invalid = self._invalid(request, [name_issue, hidden_issue])
        if invalid is not None:
            return invalid
        people = self.state.library(auth.user).created
        if not with_hidden:
            people = [p for p in people if not p.is_hidden]
        found = search_v2(people, name) if self.version == "v2" else search_v3(people, name)
        return Reply(200, self.state.people_json(found))


def _caller(auth: Auth | None) -> Auth:
    if auth is None:  # pragma: no cover - the routing table pairs these handlers with authentication
        raise RuntimeError("this endpoint needs an authenticated caller")
    return auth


def _single(values: list[str] | None) -> str | list[str] | None:
    if values is None:
        return None
    return values[0] if len(values) == 1 else values


def _not_modified(headers: Mapping[str, str], etag: str, modified: int) -> bool:
    """Express's freshness check: If-None-Match wins over If-Modified-Since."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        return _etag_matches(if_none_match, etag)
    since = headers.get("if-modified-since")
    if since:
        try:
            parsed = email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        return parsed.timestamp() >= modified
    return False
