"""``/assets/{id}``: one asset, its thumbnail/preview and its original file (recorded on v2.4.1).

Files carry a weak ETag, ``Last-Modified``, ``Accept-Ranges`` and an inline Content-Disposition;
``If-None-Match`` / ``If-Modified-Since`` answer 304, one ``Range`` answers 206 (several: 200,
the whole file), and an unsatisfiable range answers 500 with a JSON body labelled as the image,
as Immich does.
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from immiche.testing._errors import Issue, dumps, error_body
from immiche.testing._jpeg import Thumbnail
from immiche.testing._media import IMAGE_HEIGHT, IMAGE_WIDTH, FakeAsset
from immiche.testing._models import FakeUser
from immiche.testing._modes import Mode
from immiche.testing._routing import ApiRequest, Route, RouteAnswer, caller, etag_matches, http_date, not_modified
from immiche.testing._state import Auth, iso_millis, pg_time
from immiche.testing._validation import check_uuid

if TYPE_CHECKING:
    from immiche.testing._api import Api

__all__ = ["IMPORTED", "asset_json", "routes", "user_json"]

_SIZES = ("fullsize", "preview", "thumbnail")
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
IMPORTED = datetime.datetime(2026, 1, 10, 8, 0, tzinfo=datetime.timezone.utc)


def user_json(user: FakeUser) -> dict[str, object]:
    """A UserResponseDto."""
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "profileImagePath": "",
        "avatarColor": "gray",
        "profileChangedAt": pg_time(IMPORTED),
    }


def _person(api: Api, person_id: str, faces: list[dict[str, object]] | None) -> dict[str, Any]:
    person = api.state.people[person_id]
    body: dict[str, Any] = {
        "id": person.id,
        "name": person.name,
        "birthDate": person.birth_date.isoformat() if person.birth_date else None,
        "thumbnailPath": api.state.thumbnail_path(person),
        "isHidden": person.is_hidden,
        "isFavorite": person.is_favorite,
    }
    if person.color is not None:
        body["color"] = person.color
    if faces is None:  # v3: a PersonResponseDto
        body["updatedAt"] = iso_millis(person.updated_at)
        if api.mode.person_sharing:
            body["sharedBy"], body["sharedWith"], body["otherPeople"] = [], [], []
    else:
        body["updatedAt"] = pg_time(person.updated_at)
        body["faces"] = faces
    return body


def asset_json(
    api: Api, asset: FakeAsset, *, full: bool = False, exif: bool = False, people: bool = True, album: bool = False
) -> dict[str, Any]:
    """An AssetResponseDto of the mode's release, as recorded in each place: ``full`` for
    GET /assets/{id} (owner, tags, exif, stack, unassigned faces); ``album`` inside a v2 album
    (exif, no unassigned faces); else a search item (unassigned faces in v2, exif on request)."""
    version = api.mode.version
    user = next(u for u in api.state.users if u.id == asset.owner)
    taken = iso_millis(asset.file_created_at)
    body: dict[str, Any] = {"id": asset.id}
    if version >= (1, 133, 0):
        body["createdAt"] = iso_millis(IMPORTED)
    if version < (3, 0, 0):
        body["deviceAssetId"] = f"fake-{asset.original_file_name}"
    body["ownerId"] = asset.owner
    if full:
        body["owner"] = user_json(user)
    if version < (3, 0, 0):
        body["deviceId"] = "immiche-fake"
    body.update(
        {
            "libraryId": None,
            "type": "IMAGE",
            "originalPath": f"/data/upload/upload/{asset.owner}/{asset.id[:2]}/{asset.id[2:4]}/{asset.id}.jpg",
            "originalFileName": asset.original_file_name,
            "originalMimeType": "image/jpeg",
            "thumbhash": "4DgKFYR4dnmPiGh3eHeHiIqQ5Qo5",
            "fileCreatedAt": taken,
            "fileModifiedAt": taken,
            "localDateTime": taken,
            "updatedAt": iso_millis(IMPORTED),
            "isFavorite": asset.is_favorite,
            "isArchived": False,
            "isTrashed": False,
        }
    )
    if version >= (1, 133, 0):
        body["visibility"] = "timeline"
    if version >= (2, 7, 0):
        body.update({"width": IMAGE_WIDTH, "height": IMAGE_HEIGHT, "isEdited": False})
    body.update({"duration": "0:00:00.00000" if version < (3, 0, 0) else None, "livePhotoVideoId": None})
    if exif or full or album:
        body["exifInfo"] = _exif(asset)
    if full:
        body["tags"] = []
    media = api.state.media
    if version < (3, 0, 0):  # people with their faces, always (recorded)
        faces = media.faces_of_asset(asset.id)
        body["people"] = [
            _person(api, pid, [_face(f) for f in faces if f.person_id == pid])
            for pid in media.people_of_asset(asset.id)
        ]
        if not album:
            body["unassignedFaces"] = [_face(f) for f in faces if f.person_id is None]
    else:
        body["people"] = [_person(api, pid, None) for pid in media.people_of_asset(asset.id)] if people else []
    body["checksum"] = asset.checksum
    if full:
        body["stack"] = None
    body.update({"isOffline": False, "hasMetadata": True, "duplicateId": None})
    body["resized"] = True
    return body


def _face(face: Any) -> dict[str, object]:
    return {"id": face.id, **face.box, "sourceType": "machine-learning"}


def _exif(asset: FakeAsset) -> dict[str, object]:
    taken = asset.file_created_at.isoformat()
    return {
        "make": "ImmicheFake",
        "model": "FaceGrid",
        "exifImageWidth": IMAGE_WIDTH,
        "exifImageHeight": IMAGE_HEIGHT,
        "fileSizeInByte": asset.file_size,
        "orientation": None,
        "dateTimeOriginal": taken,
        "modifyDate": taken,
        "timeZone": None,
        "lensModel": None,
        "fNumber": None,
        "focalLength": None,
        "iso": None,
        "exposureTime": None,
        "latitude": None,
        "longitude": None,
        "city": None,
        "state": None,
        "country": None,
        "description": "",
        "projectionType": None,
        "rating": None,
    }


def _owned(api: Api, request: ApiRequest, auth: Auth, asset_id: str, permission: str) -> FakeAsset | RouteAnswer:
    invalid = api.invalid(request, [check_uuid("id", asset_id)])
    if invalid is not None:
        return invalid
    asset = api.state.media.assets.get(asset_id)
    if asset is None or asset.owner != auth.user.id:
        return api.error(request, 400, f"Not found or no {permission} access")
    return asset


def _get(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    asset = _owned(api, request, caller(auth), params["id"], "asset.read")
    if isinstance(asset, RouteAnswer):
        return asset
    return RouteAnswer(200, dumps(asset_json(api, asset, full=True)))


def _thumbnail(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    auth = caller(auth)
    values = request.query.get("size", ["thumbnail"])
    size = values[0] if len(values) == 1 else ""
    issue = None
    if size not in _SIZES:
        issue = Issue(
            "size",
            ("size must be one of the following values: fullsize, preview, thumbnail",),
            "invalid_value",
            'Invalid option: expected one of "fullsize"|"preview"|"thumbnail"',
        )
    invalid = api.invalid(request, [check_uuid("id", params["id"]), issue])
    if invalid is not None:
        return invalid
    asset = _owned(api, request, auth, params["id"], "asset.view")
    if isinstance(asset, RouteAnswer):
        return asset
    if size == "fullsize":
        return _original_file(api, request, asset)
    kind, suffix = ("image/webp", "thumbnail.webp") if size == "thumbnail" else ("image/jpeg", "preview.jpeg")
    return _file(api, request, api.state.preview(asset), kind, name=f"{asset.stem}_{suffix}", modified=IMPORTED)


def _original(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    asset = _owned(api, request, caller(auth), params["id"], "asset.download")
    if isinstance(asset, RouteAnswer):
        return asset
    return _original_file(api, request, asset)


def _original_file(api: Api, request: ApiRequest, asset: FakeAsset) -> RouteAnswer:
    data = api.state.original(asset)
    return _file(api, request, data, "image/jpeg", name=asset.original_file_name, modified=asset.file_created_at)


def _file(
    api: Api, request: ApiRequest, data: Thumbnail, kind: str, *, name: str, modified: datetime.datetime
) -> RouteAnswer:
    seconds = int(modified.timestamp())
    etag = f'W/"{data.size:x}-{seconds * 1000:x}"'
    headers = [
        ("Cache-Control", "private, max-age=86400, no-transform"),
        ("Content-Disposition", f"inline; filename*=UTF-8''{quote(name)}"),
        ("Accept-Ranges", "bytes"),
        ("Last-Modified", http_date(seconds)),
        ("ETag", etag),
    ]
    if not_modified(request.headers, etag, seconds):
        return RouteAnswer(304, b"", content_type=None, headers=headers)
    wanted = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if wanted is None or (if_range is not None and not etag_matches(if_range, etag) and if_range != http_date(seconds)):
        return RouteAnswer(200, data, content_type=kind, headers=headers)
    span = _span(wanted, data.size)
    if span is None:  # several ranges, or not a bytes range: the whole file
        return RouteAnswer(200, data, content_type=kind, headers=headers)
    if span == (-1, -1):
        body = error_body(api.dialect, 500, "Internal server error", request.correlation_id, with_error=False)
        headers[0] = ("Cache-Control", "none")
        headers.append(("Content-Range", f"bytes */{data.size}"))
        return RouteAnswer(500, dumps(body), content_type=f"{kind}; charset=utf-8", headers=headers)
    start, end = span
    headers.append(("Content-Range", f"bytes {start}-{end}/{data.size}"))
    return RouteAnswer(206, data.to_bytes()[start : end + 1], content_type=kind, headers=headers)


def _span(header: str, size: int) -> tuple[int, int] | None:
    """``(start, end)`` inclusive; ``(-1, -1)`` when unsatisfiable; ``None`` to send everything."""
    match = _RANGE.match(header.strip())
    if match is None or (not match[1] and not match[2]):
        return None
    if not match[1]:  # a suffix: the last N bytes
        length = int(match[2])
        return (max(0, size - length), size - 1) if length > 0 and size else (-1, -1)
    start = int(match[1])
    end = min(int(match[2]), size - 1) if match[2] else size - 1
    if start >= size or start > end:
        return (-1, -1)
    return start, end


def routes(mode: Mode) -> list[Route]:
    return [
        Route("GET", "/assets/{id}", "asset.read", _get),
        Route("GET", "/assets/{id}/thumbnail", "asset.view", _thumbnail),
        Route("GET", "/assets/{id}/original", "asset.download", _original),
    ]
