"""``/people/*`` and ``/search/person``: listing, one person, statistics, thumbnails, search, merge."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from immiche.testing._errors import Issue, dumps
from immiche.testing._models import UUID_V4, FakePerson
from immiche.testing._modes import Mode
from immiche.testing._routing import ApiRequest, Route, RouteAnswer, caller, http_date, not_modified, single
from immiche.testing._search import search_v2, search_v3
from immiche.testing._state import Auth
from immiche.testing._validation import check_boolean, check_integer, check_search_name, check_uuid

if TYPE_CHECKING:
    from immiche.testing._api import Api

__all__ = ["routes"]

_NOT_FOUND = "Not found or no person.read access"


def _people(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    auth = caller(auth)
    query = request.query
    with_hidden, hidden_issue = check_boolean("withHidden", query.get("withHidden"))
    closest_person = query.get("closestPersonId")
    closest_asset = query.get("closestAssetId")
    page, page_issue = check_integer("page", query.get("page"), default=1, maximum=9007199254740991, v2_maximum=False)
    size, size_issue = check_integer(
        "size", query.get("size"), default=min(500, api.max_page_size), maximum=api.max_page_size
    )
    issues = [
        hidden_issue,
        check_uuid("closestPersonId", single(closest_person)),
        check_uuid("closestAssetId", single(closest_asset)),
        page_issue,
        size_issue,
    ]
    favorite = hidden = None
    if api.mode.people_filters:  # v3.3; older servers strip unknown parameters
        if "isFavorite" in query:
            favorite, issue = check_boolean("isFavorite", query["isFavorite"])
            issues.append(issue)
        if "isHidden" in query:
            hidden, issue = check_boolean("isHidden", query["isHidden"])
            issues.append(issue)
    invalid = api.invalid(request, issues)
    if invalid is not None:
        return invalid
    library = api.state.library(auth.user)
    listing = library.listed if with_hidden or hidden else library.visible
    if api.mode.people_filters:
        listing = _filtered(listing, query.get("name"), favorite, hidden)
    if closest_person is not None:
        anchor = api.state.people.get(closest_person[0])
        if anchor is None or not anchor.has_thumbnail:
            return api.error(request, 404, "Person not found")
        listing = api.state.similarity_order(listing, anchor.id)
    start = (page - 1) * size
    chunk = listing[start : start + size]
    has_next = len(listing) > start + size
    body = b'{"people":%s,"hasNextPage":%s,"total":%d,"hidden":%d}' % (
        api.state.people_json(chunk),
        b"true" if has_next else b"false",
        library.total,
        library.hidden,
    )
    return RouteAnswer(200, body)


def _filtered(
    people: list[FakePerson], name: list[str] | None, favorite: bool | None, hidden: bool | None
) -> list[FakePerson]:
    """v3.3's filters (an approximation: ``name`` matches a case-insensitive substring)."""
    wanted = name[0].casefold() if name else ""
    return [
        p
        for p in people
        if wanted in p.name.casefold()
        and (favorite is None or p.is_favorite == favorite)
        and (hidden is None or p.is_hidden == hidden)
    ]


def _person(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    person = api.owned_person(request, caller(auth), params["id"])
    if isinstance(person, RouteAnswer):
        return person
    return RouteAnswer(200, api.state.person_json(person))


def _statistics(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    person = api.owned_person(request, caller(auth), params["id"])
    if isinstance(person, RouteAnswer):
        return person
    return RouteAnswer(200, dumps({"assets": len(api.state.media.person_assets(person.id))}))  # distinct assets


def _thumbnail(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    person = api.owned_person(request, caller(auth), params["id"], serving_file=True)
    if isinstance(person, RouteAnswer):
        return person
    if not person.has_thumbnail:
        reply = api.error(request, 404, "Not Found", with_error=False)
        reply.headers.append(("Cache-Control", "none"))
        return reply
    thumbnail = api.state.thumbnail(person)
    modified = person.updated_at.timestamp()
    etag = f'W/"{thumbnail.size:x}-{int(modified * 1000):x}"'
    headers = [
        ("Cache-Control", "private, no-cache, no-transform"),
        ("Last-Modified", http_date(int(modified))),
        ("ETag", etag),
    ]
    if not_modified(request.headers, etag, int(modified)):
        return RouteAnswer(304, b"", content_type=None, headers=headers)
    return RouteAnswer(200, thumbnail, content_type="image/jpeg", headers=headers)


def _search(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    auth = caller(auth)
    if api.mode.version >= (3, 1, 0) and request.query.get("name") == [""]:
        return RouteAnswer(200, b"[]")  # recorded on v3.1.0 (v2 and v3.0: 400)
    name, name_issue = check_search_name(request.query.get("name"))
    with_hidden, hidden_issue = check_boolean("withHidden", request.query.get("withHidden"))
    invalid = api.invalid(request, [name_issue, hidden_issue])
    if invalid is not None:
        return invalid
    people = api.state.library(auth.user).created
    if not with_hidden:
        people = [p for p in people if not p.is_hidden]
    found = search_v3(people, name) if api.mode.fuzzy_search else search_v2(people, name)
    return RouteAnswer(200, api.state.people_json(found))


# -- merge ---------------------------------------------------------------------------------


def _merge_ids(api: Api, request: ApiRequest) -> list[str] | RouteAnswer:
    """The body's ``ids``: a list of UUIDs, or the 400 answer."""
    try:
        body: Any = json.loads(request.body) if request.body.strip() else {}
    except (ValueError, UnicodeDecodeError):
        return api.error(request, 400, "Unexpected end of JSON input")
    ids = body.get("ids") if isinstance(body, dict) else None
    if not isinstance(ids, list):
        issue = Issue(
            "ids",
            ("each value in ids must be a UUID", "ids should not be empty", "ids must be an array"),
            "invalid_type",
            "Invalid input: expected array, received undefined",
        )
        return api.invalid(request, [issue]) or api.error(request, 400, "Bad Request")
    if not all(isinstance(item, str) and UUID_V4.match(item) for item in ids):
        index = next(i for i, item in enumerate(ids) if not (isinstance(item, str) and UUID_V4.match(item)))
        issue = Issue("ids", ("each value in ids must be a UUID",), "invalid_format", "Invalid UUID", ("ids", index))
        return api.invalid(request, [issue]) or api.error(request, 400, "Bad Request")
    return [str(item) for item in ids]


def _merge_results(api: Api, auth: Auth, target: FakePerson, sources: list[str]) -> bytes:
    results: list[dict[str, object]] = []
    for source_id in sources:
        source = api.state.people.get(source_id)
        if source is None or source.owner != auth.user.id or source.id == target.id:
            results.append({"id": source_id, "success": False, "error": "no_permission"})
            continue
        target = api.state.merge(target.id, source.id)
        results.append({"id": source_id, "success": True})
    return dumps(results)


def _merge_legacy(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    """``POST /people/{id}/merge {ids}``: merge ``ids`` into the person of the path."""
    auth = caller(auth)
    invalid = api.invalid(request, [check_uuid("id", params["id"])])
    if invalid is not None:
        return invalid
    ids = _merge_ids(api, request)
    if isinstance(ids, RouteAnswer):
        return ids
    if api.mode.legacy_merge_broken:
        return RouteAnswer(200, b"[]")  # v3.2.0 (immich-app/immich#31392)
    target = api.state.people.get(params["id"])
    if target is None or target.owner != auth.user.id:
        return api.error(request, 400, "Not found or no person.update access")
    if target.id in ids:
        return api.error(request, 400, "Cannot merge a person into themselves")
    created = api.mode.version < (2, 0, 0)  # v1.132's spec declares 201 (NestJS's POST default), v2.4.1 answers 200
    return RouteAnswer(201 if created else 200, _merge_results(api, auth, target, ids))


def _merge(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    """``POST /people/merge {ids}`` (v3.2.1): the first person absorbs the others, in order."""
    auth = caller(auth)
    ids = _merge_ids(api, request)
    if isinstance(ids, RouteAnswer):
        return ids
    if not ids:
        return RouteAnswer(200, b"[]")
    target = api.state.people.get(ids[0])
    if target is None or target.owner != auth.user.id:
        return api.error(request, 400, "Not found or no person.update access")
    return RouteAnswer(200, _merge_results(api, auth, target, ids[1:]))


def routes(mode: Mode) -> list[Route]:
    found = [
        Route("GET", "/people", "person.read", _people),
        Route("GET", "/people/{id}", "person.read", _person),
        Route("GET", "/people/{id}/statistics", "person.statistics", _statistics),
        Route("GET", "/people/{id}/thumbnail", "person.read", _thumbnail),
        Route("GET", "/search/person", "person.read", _search),
    ]
    if mode.people_merge:  # before /people/{id}/merge would never match "merge" as an id anyway
        found.append(Route("POST", "/people/merge", "person.merge", _merge))
    found.append(Route("POST", "/people/{id}/merge", "person.merge", _merge_legacy))
    return found
