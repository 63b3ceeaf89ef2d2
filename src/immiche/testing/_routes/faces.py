"""``/faces``: an asset's faces, moving one face to a person, deleting a face (recorded on v2.4.1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from immiche.testing._body import BadJson, check_uuid_value, parse_body
from immiche.testing._errors import Issue, dumps
from immiche.testing._media import FakeFace
from immiche.testing._modes import Mode
from immiche.testing._routes.curation import owned
from immiche.testing._routing import ApiRequest, Route, RouteAnswer, caller
from immiche.testing._state import Auth, pg_time
from immiche.testing._validation import check_uuid

if TYPE_CHECKING:
    from immiche.testing._api import Api

__all__ = ["face_json", "routes"]


def face_json(api: Api, face: FakeFace) -> dict[str, object]:
    """An AssetFaceResponseDto; the embedded person's ``updatedAt`` in Postgres' format (recorded)."""
    person = api.state.people.get(face.person_id) if face.person_id else None
    embedded: dict[str, object] | None = None
    if person is not None:
        embedded = {
            "id": person.id,
            "name": person.name,
            "birthDate": person.birth_date.isoformat() if person.birth_date else None,
            "thumbnailPath": api.state.thumbnail_path(person),
            "isHidden": person.is_hidden,
            "isFavorite": person.is_favorite,
        }
        if person.color is not None:
            embedded["color"] = person.color
        embedded["updatedAt"] = pg_time(person.updated_at)
        if api.mode.person_sharing:
            embedded["sharedBy"], embedded["sharedWith"], embedded["otherPeople"] = [], [], []
    return {"id": face.id, **face.box, "sourceType": "machine-learning", "person": embedded}


def _list(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    """``GET /faces?id=<assetId>``: the asset's faces, left to right."""
    auth = caller(auth)
    values = request.query.get("id")
    issue: Issue | None
    if values is None:
        issue = Issue(
            "id",
            ("id must be a UUID", "id should not be empty", "id must be a string"),
            "invalid_type",
            "Invalid input: expected string, received undefined",
        )
    else:
        issue = check_uuid("id", values[0] if len(values) == 1 else values)
    invalid = api.invalid(request, [issue])
    if invalid is not None or values is None:
        return invalid or api.error(request, 400, "Bad Request")
    asset = api.state.media.assets.get(values[0])
    if asset is None or asset.owner != auth.user.id:
        return api.error(request, 400, "Not found or no asset.read access")
    return RouteAnswer(200, dumps([face_json(api, face) for face in api.state.media.faces_of_asset(asset.id)]))


def _reassign(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    """``PUT /faces/{id}`` where the path holds the PERSON and the body ``{id}`` the FACE."""
    auth = caller(auth)
    try:
        body = parse_body(request.body)
    except BadJson:
        return api.error(request, 400, "Unexpected end of JSON input")
    face_id = body.get("id")
    face_issue: Issue | None = check_uuid_value(body, "id")
    if face_id is None:
        face_issue = Issue(
            "id", ("id must be a UUID",), "invalid_type", "Invalid input: expected string, received undefined"
        )
    invalid = api.invalid(request, [check_uuid("id", params["id"]), face_issue])
    if invalid is not None:
        return invalid
    person = owned(api, auth, params["id"])
    if person is None:
        return api.error(request, 400, "Not found or no person.update access")
    face = api.state.media.faces.get(str(face_id))
    if face is None or face.deleted or api.state.media.assets[face.asset_id].owner != auth.user.id:
        return api.error(request, 400, "Not found or no person.create access")  # sic, recorded
    previous = face.person_id
    api.state.media.move_face(face, person.id)
    api.state.recount([previous, person.id])
    return RouteAnswer(200, api.state.person_json(api.state.people[person.id]))


def _delete(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    """``DELETE /faces/{id} {force}``: ``force: false`` hides the face, ``true`` removes it."""
    auth = caller(auth)
    try:
        body = parse_body(request.body)
    except BadJson:
        return api.error(request, 400, "Unexpected end of JSON input")
    force = body.get("force")
    issues: list[Issue | None] = [check_uuid("id", params["id"])]
    if force is None:
        issues.append(
            Issue(
                "force",
                ("force should not be empty",),
                "invalid_type",
                "Invalid input: expected boolean, received undefined",
            )
        )
    elif not isinstance(force, bool):
        issues.append(
            Issue("force", ("force must be a boolean value",), "invalid_type", "Invalid input: expected boolean")
        )
    invalid = api.invalid(request, issues)
    if invalid is not None:
        return invalid
    media = api.state.media
    face = media.faces.get(params["id"])
    if face is None or media.assets[face.asset_id].owner != auth.user.id or (face.deleted and not force):
        return api.error(request, 400, "Not found or no face.delete access")
    face.deleted = True
    if force:
        media.forget_face(face)
    api.state.recount([face.person_id])
    return RouteAnswer(204, b"", content_type=None)


def routes(mode: Mode) -> list[Route]:
    return [
        Route("GET", "/faces", "face.read", _list),
        Route("PUT", "/faces/{id}", "face.update", _reassign),
        Route("DELETE", "/faces/{id}", "face.delete", _delete),
    ]
