"""``/albums``: list, create, read, edit, delete albums, and add or remove their assets (recorded on v2.4.1).

v2 albums embed their assets (``GET /albums/{id}``, ``POST /albums``) and name their owner; v3
removed ``assets``, ``owner`` and ``ownerId`` and lists the owner in ``albumUsers``: an album's
assets come from ``POST /search/metadata`` with ``albumIds`` (or the v3.2 filter).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from immiche.testing._body import BadJson, check_ids, check_string, check_uuid_value, parse_body
from immiche.testing._errors import Issue, dumps
from immiche.testing._media import FakeAlbum
from immiche.testing._modes import Mode
from immiche.testing._routes.assets import IMPORTED, asset_json, user_json
from immiche.testing._routing import ApiRequest, Route, RouteAnswer, caller
from immiche.testing._state import Auth, iso_millis, now
from immiche.testing._validation import check_boolean, check_uuid

if TYPE_CHECKING:
    from immiche.testing._api import Api

__all__ = ["routes"]


def _day(moment: datetime.datetime) -> str:
    return f"{moment:%Y-%m-%d}T00:00:00.000Z"


def album_json(api: Api, album: FakeAlbum, *, assets: bool, created: bool = False) -> dict[str, Any]:
    """An AlbumResponseDto; ``assets``: embed them (v2 only); ``created``: POST's date format."""
    v2 = api.mode.dialect == "v2"
    user = next(u for u in api.state.users if u.id == album.owner)
    media = api.state.media
    members = [media.assets[a] for a in album.asset_ids if a in media.assets]
    body: dict[str, Any] = {
        "albumName": album.name,
        "description": album.description,
        "albumThumbnailAssetId": album.thumbnail_id,
        "createdAt": iso_millis(album.created_at),
        "updatedAt": iso_millis(album.updated_at),
        "id": album.id,
    }
    if v2:
        body["ownerId"] = album.owner
        body["owner"] = user_json(user)
        body["albumUsers"] = []
    else:
        body["albumUsers"] = [{"user": user_json(user), "role": "owner"}]
    body.update({"shared": False, "hasSharedLink": False})
    if members:
        first = min(a.file_created_at for a in members)
        last = max(a.file_created_at for a in members)
        if created:
            body["startDate"], body["endDate"] = first.isoformat(), last.isoformat()
        else:
            body["startDate"], body["endDate"] = _day(first), _day(last)
    if v2:
        shown = sorted(members, key=lambda a: a.file_created_at, reverse=True) if assets else []
        body["assets"] = [asset_json(api, a, album=True) for a in shown]
    body.update({"assetCount": len(members), "isActivityEnabled": True, "order": album.order})
    if members and not created:
        body["lastModifiedAssetTimestamp"] = iso_millis(IMPORTED)
    return body


def _body(api: Api, request: ApiRequest) -> dict[str, Any] | RouteAnswer:
    try:
        return parse_body(request.body)
    except BadJson:
        return api.error(request, 400, "Unexpected end of JSON input")


def _owned(api: Api, request: ApiRequest, auth: Auth, album_id: str, permission: str) -> FakeAlbum | RouteAnswer:
    invalid = api.invalid(request, [check_uuid("id", album_id)])
    if invalid is not None:
        return invalid
    album = api.state.media.albums.get(album_id)
    if album is None or album.owner != auth.user.id:
        return api.error(request, 400, f"Not found or no {permission} access")
    return album


def _list(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    auth = caller(auth)
    asset_id = request.query.get("assetId")
    shared, shared_issue = check_boolean("shared", request.query.get("shared"))
    issues = [shared_issue, check_uuid("assetId", asset_id[0] if asset_id else None)]
    invalid = api.invalid(request, issues)
    if invalid is not None:
        return invalid
    albums = [a for a in api.state.media.albums.values() if a.owner == auth.user.id and not shared]
    if asset_id:
        albums = [a for a in albums if asset_id[0] in a.asset_ids]
    albums.sort(key=lambda a: a.created_at, reverse=True)
    return RouteAnswer(200, dumps([album_json(api, a, assets=False) for a in albums]))


def _create(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    auth = caller(auth)
    body = _body(api, request)
    if isinstance(body, RouteAnswer):
        return body
    name_issue = check_string(body, "albumName")
    if "albumName" not in body:
        name_issue = Issue(
            "albumName",
            ("albumName must be a string",),
            "invalid_type",
            "Invalid input: expected string, received undefined",
        )
    asset_ids, ids_issue = check_ids(body, "assetIds", required=False)
    invalid = api.invalid(request, [name_issue, check_string(body, "description"), ids_issue])
    if invalid is not None:
        return invalid
    media = api.state.media
    wanted = [a for a in dict.fromkeys(asset_ids or []) if a in media.assets and media.assets[a].owner == auth.user.id]
    moment = now()
    album = FakeAlbum(
        media.new_id(),
        auth.user.id,
        str(body["albumName"]),
        moment,
        moment,
        description=str(body.get("description", "")),
        asset_ids=wanted,
        thumbnail_id=wanted[0] if wanted else None,
    )
    media.albums[album.id] = album
    return RouteAnswer(201, dumps(album_json(api, album, assets=True, created=True)))


def _get(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    without, issue = check_boolean("withoutAssets", request.query.get("withoutAssets"))
    invalid = api.invalid(request, [issue])
    if invalid is not None:
        return invalid
    album = _owned(api, request, caller(auth), params["id"], "album.read")
    if isinstance(album, RouteAnswer):
        return album
    return RouteAnswer(200, dumps(album_json(api, album, assets=not without)))


def _update(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    auth = caller(auth)
    body = _body(api, request)
    if isinstance(body, RouteAnswer):
        return body
    issues: list[Issue | None] = [
        check_string(body, "albumName"),
        check_string(body, "description"),
        check_uuid_value(body, "albumThumbnailAssetId"),
    ]
    if "order" in body and body["order"] not in ("asc", "desc"):
        issues.append(
            Issue(
                "order",
                ("order must be one of the following values: asc, desc",),
                "invalid_value",
                'Invalid option: expected one of "asc"|"desc"',
            )
        )
    invalid = api.invalid(request, [check_uuid("id", params["id"]), *issues])
    if invalid is not None:
        return invalid
    album = _owned(api, request, auth, params["id"], "album.update")
    if isinstance(album, RouteAnswer):
        return album
    thumbnail = body.get("albumThumbnailAssetId")
    if thumbnail is not None and thumbnail not in album.asset_ids:
        return api.error(request, 400, "Invalid album thumbnail")
    album.name = str(body.get("albumName", album.name))
    album.description = str(body.get("description", album.description))
    album.order = str(body.get("order", album.order))
    album.thumbnail_id = thumbnail or album.thumbnail_id
    album.updated_at = now()
    return RouteAnswer(200, dumps(album_json(api, album, assets=False)))


def _delete(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    album = _owned(api, request, caller(auth), params["id"], "album.delete")
    if isinstance(album, RouteAnswer):
        return album
    del api.state.media.albums[album.id]
    return RouteAnswer(204, b"", content_type=None)


def _ids(api: Api, request: ApiRequest, album_id: str) -> list[str] | RouteAnswer:
    body = _body(api, request)
    if isinstance(body, RouteAnswer):
        return body
    ids, issue = check_ids(body, "ids")
    invalid = api.invalid(request, [check_uuid("id", album_id), issue])
    return invalid if invalid is not None else ids or []


def _add(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    """Per item: ``duplicate`` (already there, or repeated), ``no_permission`` (unknown asset)."""
    auth = caller(auth)
    ids = _ids(api, request, params["id"])
    if isinstance(ids, RouteAnswer):
        return ids
    media = api.state.media
    album = media.albums.get(params["id"])
    if album is None or album.owner != auth.user.id:
        return api.error(request, 400, "Album not found")
    results: list[dict[str, object]] = []
    for asset_id in ids:
        asset = media.assets.get(asset_id)
        if asset_id in album.asset_ids:
            results.append({"id": asset_id, "success": False, "error": "duplicate"})
        elif asset is None or asset.owner != auth.user.id:
            results.append({"id": asset_id, "success": False, "error": "no_permission"})
        else:
            album.asset_ids.append(asset_id)
            results.append({"id": asset_id, "success": True})
    if album.thumbnail_id is None and album.asset_ids:
        album.thumbnail_id = album.asset_ids[0]
    album.updated_at = now()
    return RouteAnswer(200, dumps(results))


def _remove(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    """Per item: ``not_found`` for an asset not (or no longer) in the album."""
    auth = caller(auth)
    ids = _ids(api, request, params["id"])
    if isinstance(ids, RouteAnswer):
        return ids
    album = _owned(api, request, auth, params["id"], "albumAsset.delete")
    if isinstance(album, RouteAnswer):
        return album
    results: list[dict[str, object]] = []
    for asset_id in ids:
        if asset_id in album.asset_ids:
            album.asset_ids.remove(asset_id)
            results.append({"id": asset_id, "success": True})
        else:
            results.append({"id": asset_id, "success": False, "error": "not_found"})
    if album.thumbnail_id not in album.asset_ids:
        album.thumbnail_id = album.asset_ids[0] if album.asset_ids else None
    album.updated_at = now()
    return RouteAnswer(200, dumps(results))


def _add_to_many(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    """``PUT /albums/assets {albumIds, assetIds}``: one answer for everything (recorded)."""
    auth = caller(auth)
    body = _body(api, request)
    if isinstance(body, RouteAnswer):
        return body
    album_ids, albums_issue = check_ids(body, "albumIds")
    asset_ids, assets_issue = check_ids(body, "assetIds")
    invalid = api.invalid(request, [albums_issue, assets_issue])
    if invalid is not None or album_ids is None or asset_ids is None:
        return invalid or api.error(request, 400, "Bad Request")
    media = api.state.media
    albums = [media.albums.get(album_id) for album_id in album_ids]
    owned = [a for a in albums if a is not None and a.owner == auth.user.id]
    assets = [a for a in asset_ids if a in media.assets and media.assets[a].owner == auth.user.id]
    if len(owned) != len(albums) or len(assets) != len(asset_ids):
        return RouteAnswer(200, dumps({"success": False, "error": "no_permission"}))
    added = False
    for album in owned:
        for asset_id in dict.fromkeys(assets):
            if asset_id not in album.asset_ids:
                album.asset_ids.append(asset_id)
                added = True
        album.thumbnail_id = album.thumbnail_id or (album.asset_ids[0] if album.asset_ids else None)
        album.updated_at = now()
    return RouteAnswer(200, dumps({"success": True} if added else {"success": False, "error": "duplicate"}))


def routes(mode: Mode) -> list[Route]:
    many = [Route("PUT", "/albums/assets", "albumAsset.create", _add_to_many)] if mode.version >= (2, 0, 0) else []
    return [
        *many,
        Route("GET", "/albums", "album.read", _list),
        Route("POST", "/albums", "album.create", _create),
        Route("GET", "/albums/{id}", "album.read", _get),
        Route("PATCH", "/albums/{id}", "album.update", _update),
        Route("DELETE", "/albums/{id}", "album.delete", _delete),
        Route("PUT", "/albums/{id}/assets", "albumAsset.create", _add),
        Route("DELETE", "/albums/{id}/assets", "albumAsset.delete", _remove),
    ]
