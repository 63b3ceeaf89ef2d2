"""People curation: edit one or many people, create, delete, reassign faces (recorded on v2.4.1 and v3.1.0)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from immiche.testing._body import (
    MISSING,
    BadJson,
    birth_date,
    check_bool,
    check_color,
    check_ids,
    check_string,
    check_uuid_value,
    parse_body,
)
from immiche.testing._errors import Issue, dumps
from immiche.testing._models import UUID_V4, FakePerson
from immiche.testing._modes import Mode
from immiche.testing._routing import ApiRequest, Route, RouteAnswer, caller
from immiche.testing._state import Auth
from immiche.testing._validation import check_uuid

if TYPE_CHECKING:
    from immiche.testing._api import Api

__all__ = ["owned", "person_changes", "routes"]

_NO_UPDATE = "Not found or no person.update access"
_NO_DELETE = "Not found or no person.delete access"


def owned(api: Api, auth: Auth, person_id: str) -> FakePerson | None:
    person = api.state.people.get(person_id)
    return person if person is not None and person.owner == auth.user.id else None


def person_changes(
    api: Api, body: dict[str, Any], prefix: tuple[str | int, ...] = (), *, bulk: bool = False
) -> tuple[dict[str, object], list[Issue | None], bool]:
    """The ``FakePerson`` changes a PersonUpdateDto / PeopleUpdateItem / PersonCreateDto asks for:
    (changes, issues, fails with a v3 500). The bulk endpoint ignores ``color`` (recorded)."""
    v3 = api.mode.dialect == "v3"
    born, born_issue, crash = birth_date(body, v3, prefix)
    issues = [
        check_string(body, "name", prefix),
        born_issue,
        check_bool(body, "isHidden", prefix),
        check_bool(body, "isFavorite", prefix),
        check_color(body, prefix),
        check_uuid_value(body, "featureFaceAssetId", prefix),
    ]
    changes: dict[str, object] = {}
    for key, field in (("name", "name"), ("isHidden", "is_hidden"), ("isFavorite", "is_favorite")):
        if key in body:
            changes[field] = body[key]
    if born is not MISSING:
        changes["birth_date"] = born
    if "color" in body and not bulk:
        changes["color"] = body["color"]
    return changes, issues, crash


def _body(api: Api, request: ApiRequest) -> dict[str, Any] | RouteAnswer:
    try:
        return parse_body(request.body)
    except BadJson:
        return api.error(request, 400, "Unexpected end of JSON input")


def _feature_face(api: Api, request: ApiRequest, person: FakePerson, body: dict[str, Any]) -> RouteAnswer | None:
    asset_id = body.get("featureFaceAssetId")
    if asset_id is None:
        return None
    if not any(f.asset_id == asset_id for f in api.state.media.faces_of_person(person.id)):
        return api.error(request, 400, "Invalid assetId for feature face")
    return None


def _update(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    """``PUT /people/{id}`` (``PATCH`` from v3.1): only the fields given change; ``updatedAt`` moves."""
    auth = caller(auth)
    body = _body(api, request)
    if isinstance(body, RouteAnswer):
        return body
    changes, issues, crash = person_changes(api, body)
    invalid = api.invalid(request, [check_uuid("id", params["id"]), *issues])
    if invalid is not None:
        return invalid
    if crash:
        return api.error(request, 500, "Failed to update person")
    person = owned(api, auth, params["id"])
    if person is None:
        return api.error(request, 400, _NO_UPDATE)
    wrong_face = _feature_face(api, request, person, body)
    if wrong_face is not None:
        return wrong_face
    (updated,) = api.state.update_people([(person.id, changes)])
    return RouteAnswer(200, api.state.person_json(updated))


def _update_all(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    """``PUT /people``: per-item results in input order; an invalid item rejects everything."""
    auth = caller(auth)
    body = _body(api, request)
    if isinstance(body, RouteAnswer):
        return body
    items = body.get("people")
    if not isinstance(items, list):
        issue = Issue("people", ("people must be an array",), "invalid_type", "Invalid input: expected array")
        return api.invalid(request, [issue]) or api.error(request, 400, "Bad Request")
    issues: list[Issue | None] = []
    planned: list[tuple[Any, dict[str, object]]] = []
    for index, item in enumerate(items):
        entry = item if isinstance(item, dict) else {}
        prefix = ("people", index)
        issues.append(check_string(entry, "id", prefix, required=True))
        if api.mode.dialect == "v3" and isinstance(entry.get("id"), str) and entry["id"]:
            issues.append(check_uuid_value(entry, "id", prefix))
        changes, item_issues, _ = person_changes(api, entry, prefix, bulk=True)
        issues.extend(item_issues)
        planned.append((entry.get("id"), changes))
    invalid = api.invalid(request, issues)
    if invalid is not None:
        return invalid
    results: list[dict[str, object]] = []
    applied: list[tuple[str, dict[str, object]]] = []
    for person_id, changes in planned:
        person = owned(api, auth, person_id) if isinstance(person_id, str) and UUID_V4.match(person_id) else None
        if person is None:
            results.append({"id": person_id, "success": False, "error": "unknown"})
            continue
        applied.append((person.id, changes))
        results.append({"id": person_id, "success": True})
    api.state.update_people(applied)  # in order (the same id twice: the last wins), one re-sort
    return RouteAnswer(200, dumps(results))


def _create(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    auth = caller(auth)
    body = _body(api, request)
    if isinstance(body, RouteAnswer):
        return body
    changes, issues, crash = person_changes(api, body)
    invalid = api.invalid(request, issues)
    if invalid is not None:
        return invalid
    if crash:
        return api.error(request, 500, "Failed to create person")
    changes.setdefault("name", "")
    return RouteAnswer(201, api.state.person_json(api.state.create_person(auth.user.id, changes)))


def _delete(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    auth = caller(auth)
    invalid = api.invalid(request, [check_uuid("id", params["id"])])
    if invalid is not None:
        return invalid
    if owned(api, auth, params["id"]) is None:
        return api.error(request, 400, _NO_DELETE)
    api.state.delete_people([params["id"]])
    return RouteAnswer(204, b"", content_type=None)


def _delete_all(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    """``DELETE /people {ids}``: all or nothing."""
    auth = caller(auth)
    body = _body(api, request)
    if isinstance(body, RouteAnswer):
        return body
    ids, issue = check_ids(body, "ids")
    invalid = api.invalid(request, [issue])
    if invalid is not None or ids is None:
        return invalid or api.error(request, 400, "Bad Request")
    if any(owned(api, auth, person_id) is None for person_id in ids):
        return api.error(request, 400, _NO_DELETE)
    api.state.delete_people(ids)
    return RouteAnswer(204, b"", content_type=None)


def _reassign(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    """``PUT /people/{id}/reassign {data: [{assetId, personId}]}``: move those faces to the path's person.

    The answer holds one copy of the target per item, as it was before the call (recorded)."""
    auth = caller(auth)
    body = _body(api, request)
    if isinstance(body, RouteAnswer):
        return body
    data = body.get("data")
    issues: list[Issue | None] = [check_uuid("id", params["id"])]
    if not isinstance(data, list):
        issues.append(Issue("data", ("data must be an array",), "invalid_type", "Invalid input: expected array"))
        data = []
    for index, item in enumerate(data):
        entry = item if isinstance(item, dict) else {}
        for name in ("assetId", "personId"):
            value = entry.get(name)
            if not (isinstance(value, str) and UUID_V4.match(value)):
                message = f"data.{index}.{name} must be a UUID"
                issues.append(Issue(name, (message,), "invalid_format", "Invalid UUID", ("data", index, name)))
    invalid = api.invalid(request, issues)
    if invalid is not None:
        return invalid
    target = owned(api, auth, params["id"])
    if target is None:
        return api.error(request, 400, _NO_UPDATE)
    before = api.state.person_json(target)
    media, touched = api.state.media, {target.id}
    for item in data:
        source = owned(api, auth, item["personId"])
        if source is None:
            continue
        for face in media.faces_of_person(source.id):
            if face.asset_id == item["assetId"]:
                media.move_face(face, target.id)
                touched.add(source.id)
    api.state.recount(touched)
    return RouteAnswer(200, b"[" + b",".join([before] * len(data)) + b"]")


def routes(mode: Mode) -> list[Route]:
    found = [
        Route("POST", "/people", "person.create", _create),
        Route("PUT", "/people", "person.update", _update_all),
        Route("DELETE", "/people", "person.delete", _delete_all),
        Route("PUT", "/people/{id}", "person.update", _update),
        Route("DELETE", "/people/{id}", "person.delete", _delete),
        Route("PUT", "/people/{id}/reassign", "person.reassign", _reassign),
    ]
    if mode.version >= (3, 1, 0):  # recorded on v3.1.0, outside the spec
        found.append(Route("PATCH", "/people/{id}", "person.update", _update))
    return found
