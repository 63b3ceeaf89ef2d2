"""``POST /search/metadata``: a person's (or an album's) photos.

Up to v3.1 the flat v2 request (recorded on v2.4.1): ``personIds`` means ALL of them, ``page`` /
``size`` paging with ``nextPage`` a string or ``null``, and ``total`` = ``count`` = the items of
this page. From v3.2 also the ``filter`` tree (``personIds: {all, any, none}``, ``or`` branches...)
with cursor paging (``cursor`` in, ``nextCursor`` out); the flat fields stay accepted (deprecated).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from immiche.testing._body import BadJson, check_ids, parse_body
from immiche.testing._errors import Issue, dumps
from immiche.testing._media import FakeAsset
from immiche.testing._models import UUID_V4
from immiche.testing._modes import Mode
from immiche.testing._routes.assets import asset_json
from immiche.testing._routing import ApiRequest, Route, RouteAnswer, caller
from immiche.testing._state import Auth

if TYPE_CHECKING:
    from immiche.testing._api import Api

__all__ = ["routes"]

_MAX_SIZE = 1000
_ID_FILTERS = ("personIds", "albumIds", "tagIds")
_BOOL_FILTERS = ("hasPeople", "hasAlbums", "hasTags", "isFavorite", "isMotion", "isOffline", "isEncoded")
_KNOWN_FILTERS = frozenset(
    {
        *_ID_FILTERS, *_BOOL_FILTERS, "takenAt", "createdAt", "updatedAt", "id", "type", "visibility", "or",
        "checksum", "city", "country", "description", "encodedVideoPath", "fileSizeInBytes", "lensModel",
        "libraryId", "make", "model", "ocr", "originalFileName", "originalPath", "rating", "state", "trashedAt",
    }
)  # fmt: skip

Test = Callable[[FakeAsset], bool]


def _parse_time(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def _number(body: dict[str, Any], name: str, default: int, v3: bool, maximum: float) -> tuple[int, Issue | None]:
    value = body.get(name, default)
    if isinstance(value, str) and not v3:  # v2's class-transformer turns "2" into 2 (recorded)
        try:
            value = float(value)
        except ValueError:
            value = math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        received = "string" if isinstance(value, str) else type(value).__name__
        return default, Issue(
            name,
            (f"{name} must be an integer number",),
            "invalid_type",
            f"Invalid input: expected number, received {received}",
        )
    v2 = []
    if value > maximum:
        v2.append(f"{name} must not be greater than {int(maximum)}")
    if value < 1:
        v2.append(f"{name} must not be less than 1")
    if not float(value).is_integer():
        v2.append(f"{name} must be an integer number")
    if v2:
        message = (
            "Too small: expected number to be >=1" if value < 1 else f"Too big: expected number to be <={int(maximum)}"
        )
        return default, Issue(name, tuple(v2), "too_small" if value < 1 else "too_big", message)
    return int(value), None


def _flat(api: Api, auth: Auth, body: dict[str, Any], issues: list[Issue | None]) -> list[Test]:
    """The deprecated flat fields (the only ones before v3.2)."""
    tests: list[Test] = []
    media = api.state.media
    people, issue = check_ids(body, "personIds", required=False)
    issues.append(issue)
    if people:
        wanted = set(people)
        tests.append(lambda a: wanted <= set(media.people_of_asset(a.id)))
    albums, issue = check_ids(body, "albumIds", required=False)
    issues.append(issue)
    if albums:
        members = [_members(api, auth, album) for album in albums]  # sets: one look-up per asset
        tests.append(lambda a: all(a.id in inside for inside in members))
    for name, after in (("takenAfter", True), ("takenBefore", False)):
        if name not in body:
            continue
        moment = _parse_time(body[name])
        if moment is None:
            issues.append(Issue(name, (f"{name} must be a date string",), "invalid_format", "Invalid ISO datetime"))
        else:
            tests.append(_taken(moment, after=after))
    if isinstance(body.get("isFavorite"), bool):
        tests.append(_favorite(body["isFavorite"]))
    return tests


def _taken(moment: datetime.datetime, *, after: bool) -> Test:
    return (lambda a: a.file_created_at >= moment) if after else (lambda a: a.file_created_at <= moment)


def _favorite(wanted: bool) -> Test:
    return lambda a: a.is_favorite == wanted


def _has(of: Callable[[FakeAsset], set[str]], wanted: bool) -> Test:
    return lambda a: bool(of(a)) == wanted


def _never(wanted: bool) -> Test:
    """Motion, offline, encoded: the fake's assets are none of those."""
    return lambda a: wanted is False


def _members(api: Api, auth: Auth, album_id: str) -> frozenset[str]:
    """The asset ids of the caller's album ``album_id`` (none for another's or an unknown one)."""
    album = api.state.media.albums.get(album_id)
    return frozenset(album.asset_ids) if album is not None and album.owner == auth.user.id else frozenset()


def _ids_test(
    name: str, spec: Any, path: tuple[str | int, ...], issues: list[Issue | None], of: Callable[[FakeAsset], set[str]]
) -> Test | None:
    if not isinstance(spec, dict):
        issues.append(Issue(name, (), "invalid_type", "Invalid input: expected object", path))
        return None
    sets: dict[str, set[str]] = {}
    for key in ("all", "any", "none"):
        if key not in spec:
            continue
        values = spec[key]
        if not isinstance(values, list) or not values:
            issues.append(Issue(name, (), "too_small", "Too small: expected array to have >=1 items", (*path, key)))
            continue
        for index, value in enumerate(values):
            if not (isinstance(value, str) and UUID_V4.match(value)):
                issues.append(Issue(name, (), "invalid_format", "Invalid UUID", (*path, key, index)))
        sets[key] = {str(v) for v in values}
    return lambda a: (
        ("all" not in sets or sets["all"] <= of(a))
        and ("any" not in sets or bool(sets["any"] & of(a)))
        and ("none" not in sets or not sets["none"] & of(a))
    )


def _date_test(spec: Any, path: tuple[str | int, ...], issues: list[Issue | None]) -> Test | None:
    bounds = spec if isinstance(spec, dict) else {}
    parsed = {key: _parse_time(value) for key, value in bounds.items()}
    for key, value in parsed.items():
        if value is None:
            issues.append(Issue(str(path[-1]), (), "invalid_format", "Invalid ISO datetime", (*path, key)))
            return None
    checks = {
        "eq": lambda t, m: t == m, "ne": lambda t, m: t != m, "gt": lambda t, m: t > m,
        "gte": lambda t, m: t >= m, "lt": lambda t, m: t < m, "lte": lambda t, m: t <= m,
    }  # fmt: skip
    return lambda a: all(checks[k](a.file_created_at, m) for k, m in parsed.items() if k in checks)


def _tree(api: Api, auth: Auth, spec: Any, path: tuple[str | int, ...], issues: list[Issue | None]) -> list[Test]:
    """The v3.2 ``filter``: every field must hold; ``or``: at least one branch."""
    if not isinstance(spec, dict):
        issues.append(Issue("filter", (), "invalid_type", "Invalid input: expected object", path))
        return []
    media, tests = api.state.media, []
    owned = [(x.id, frozenset(x.asset_ids)) for x in media.albums.values() if x.owner == auth.user.id]
    unknown = sorted(set(spec) - _KNOWN_FILTERS - ({"or"} if path != ("filter",) else set()))
    if unknown or (path != ("filter",) and "or" in spec):
        issues.append(
            Issue("filter", (), "unrecognized_keys", f"Unrecognized key(s) in object: {unknown or ['or']}", path)
        )
    relations: dict[str, Callable[[FakeAsset], set[str]]] = {
        "personIds": lambda a: set(media.people_of_asset(a.id)),
        "albumIds": lambda a: {album for album, inside in owned if a.id in inside},
        "tagIds": lambda a: set(),
    }
    for name, of in relations.items():
        if name in spec:
            test = _ids_test(name, spec[name], (*path, name), issues, of)
            if test is not None:
                tests.append(test)
    has = {"hasPeople": "personIds", "hasAlbums": "albumIds", "hasTags": "tagIds"}
    for name in _BOOL_FILTERS:
        if name not in spec:
            continue
        wanted = spec[name].get("eq") if isinstance(spec[name], dict) else None
        if not isinstance(wanted, bool):
            issues.append(Issue(name, (), "invalid_type", "Invalid input: expected boolean", (*path, name, "eq")))
        elif name in has:
            tests.append(_has(relations[has[name]], wanted))
        elif name == "isFavorite":
            tests.append(_favorite(wanted))
        else:
            tests.append(_never(wanted))
    if "takenAt" in spec:
        test = _date_test(spec["takenAt"], (*path, "takenAt"), issues)
        if test is not None:
            tests.append(test)
    if isinstance(spec.get("id"), dict):
        eq, ne = spec["id"].get("eq"), spec["id"].get("ne")
        tests.append(lambda a: (eq is None or a.id == eq) and (ne is None or a.id != ne))
    if "or" in spec and path == ("filter",):
        branches = spec["or"] if isinstance(spec["or"], list) else []
        options = [_tree(api, auth, branch, (*path, "or", i), issues) for i, branch in enumerate(branches)]
        if options:
            tests.append(lambda a: any(all(t(a) for t in option) for option in options))
    return tests


def _cursor(value: Any) -> int | None:
    """The offset a ``nextCursor`` stands for (an opaque token to clients)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(value.encode() + b"=" * (-len(value) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    offset = decoded.get("offset") if isinstance(decoded, dict) else None
    return offset if isinstance(offset, int) and offset >= 0 else None


def _next_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(dumps({"offset": offset})).decode().rstrip("=")


def _search(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    auth = caller(auth)
    try:
        body = parse_body(request.body)
    except BadJson:
        return api.error(request, 400, "Unexpected end of JSON input")
    v3, v3_2 = api.mode.dialect == "v3", api.mode.version >= (3, 2, 0)
    issues: list[Issue | None] = []
    page, issue = _number(body, "page", 1, v3, 9007199254740991)
    issues.append(issue)
    size, issue = _number(body, "size", 250, v3, _MAX_SIZE)
    issues.append(issue)
    order = body.get("order", "desc")
    if order not in ("asc", "desc"):
        issues.append(
            Issue(
                "order",
                ("order must be one of the following values: asc, desc",),
                "invalid_value",
                'Invalid option: expected one of "asc"|"desc"',
            )
        )
    tests = _flat(api, auth, body, issues)
    offset = (page - 1) * size
    if v3_2:
        if "filter" in body:
            tests += _tree(api, auth, body["filter"], ("filter",), issues)
        if isinstance(body.get("orderBy"), dict) and body["orderBy"].get("direction") in ("asc", "desc"):
            order = body["orderBy"]["direction"]
        if "cursor" in body:
            start = _cursor(body["cursor"])
            if start is None:
                issues.append(Issue("cursor", (), "custom", "Invalid cursor"))
            offset = start or 0
    dated = [issue for issue in issues if issue is not None and issue.field in ("takenAfter", "takenBefore")]
    if dated and not v3:  # class-validator's date checks answer a plain string (recorded)
        return api.error(request, 400, dated[0].v2[0])
    invalid = api.invalid(request, issues)
    if invalid is not None:
        return invalid
    found = [a for a in api.state.media.assets.values() if a.owner == auth.user.id and all(t(a) for t in tests)]
    found.sort(key=lambda a: (a.file_created_at, a.id), reverse=order == "desc")
    chunk = found[offset : offset + size]
    more = len(found) > offset + size
    with_people = body.get("withPeople") is True
    items = [asset_json(api, a, exif=body.get("withExif") is True, people=with_people) for a in chunk]
    assets: dict[str, Any] = {"total": len(items), "count": len(items), "items": items, "facets": []}
    assets["nextPage"] = str(page + 1) if more and "cursor" not in body else None
    if v3_2:
        assets["nextCursor"] = _next_cursor(offset + size) if more else None
    albums = {"total": 0, "count": 0, "items": [], "facets": []}
    return RouteAnswer(200, dumps({"albums": albums, "assets": assets}))


def routes(mode: Mode) -> list[Route]:
    return [Route("POST", "/search/metadata", "asset.read", _search)]
