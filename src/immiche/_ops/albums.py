"""Albums: find one by name or id, create it, read its assets, add and remove assets in batches,
and the incremental ``sync_album`` workflow built from them.

Up to v2 an album read (``GET /albums/{id}``) embeds its assets; v3 removed them, and an album's
assets come from ``POST /search/metadata`` with ``albumIds`` (flat) or the v3.2 filter. Adds and
removals answer per item (``duplicate``, ``no_permission``, ``not_found``): each is reported.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, Final

from immiche._contract import Field, Model, Parameter, op
from immiche._engine.ids import UUID_PATTERN, check_uuid
from immiche._matching import normalize_name
from immiche._ops.assets import asset_pages, resolve_people, search_pages
from immiche.albums import Album, AlbumItemFailure, AlbumNotFoundError, AlbumSyncResult, AmbiguousAlbumError
from immiche.errors import APIStatusError, ImmichError, InvalidArgumentError, NotFoundError
from immiche.pagination import Page, collect
from immiche.server import ServerVersion

if TYPE_CHECKING:
    from immich_client import AuthenticatedClient
    from immiche._capabilities import ServerCapabilities
    from immiche._engine.effects import Steps
    from immiche._engine.engine import Engine
    from immiche.assets import Asset

__all__ = [
    "ADD",
    "ALBUM",
    "ALBUMS",
    "BATCH_SIZE",
    "CREATE",
    "MODELS",
    "OPERATIONS",
    "REMOVE",
    "album_asset_ids",
    "change_assets",
    "create_album",
    "find_album",
    "list_albums",
    "sync_album",
]

ALBUMS = op("getAllAlbums", "GET", "/albums", "albums.get_all_albums", response="[AlbumResponseDto]")
ALBUM = op(
    "getAlbumInfo",
    "GET",
    "/albums/{id}",
    "albums.get_album_info",
    Parameter("id", "path", "string:uuid"),
    response="AlbumResponseDto",
)
CREATE = op(
    "createAlbum",
    "POST",
    "/albums",
    "albums.create_album",
    Parameter("albumName", "body", "string"),
    body="CreateAlbumDto",
    response="AlbumResponseDto",
)
ADD = op(
    "addAssetsToAlbum",
    "PUT",
    "/albums/{id}/assets",
    "albums.add_assets_to_album",
    Parameter("id", "path", "string:uuid"),
    Parameter("ids", "body", "array"),
    body="BulkIdsDto",
    response="[BulkIdResponseDto]",
)
REMOVE = op(
    "removeAssetFromAlbum",
    "DELETE",
    "/albums/{id}/assets",
    "albums.remove_asset_from_album",
    Parameter("id", "path", "string:uuid"),
    Parameter("ids", "body", "array"),
    body="BulkIdsDto",
    response="[BulkIdResponseDto]",
)

OPERATIONS: Final = (ALBUMS, ALBUM, CREATE, ADD, REMOVE)
MODELS: Final = (
    Model(
        "AlbumResponseDto",
        (
            Field("id", "string"),
            Field("albumName", "string"),
            Field("assetCount", "integer"),
            Field("updatedAt", "string:date-time", required=False),
        ),
    ),
)
# BulkIdResponseDto (the per-item answers of ADD and REMOVE) is declared once, in _ops/curation.py.

BATCH_SIZE: Final = 500
"""Asset ids per add or remove request."""

_EMBEDS_ASSETS = ServerVersion(3, 0, 0)  # before it, GET /albums/{id} lists the album's assets


def list_albums(engine: Engine, api: AuthenticatedClient) -> Steps[list[Album]]:
    send = engine.build(api, ALBUMS)
    reply = yield from engine.call(send)
    return engine.read_list(send, reply, Album.from_json)


def _album_error(err: ImmichError, album_id: str) -> ImmichError:
    """An unknown (or deleted) album as :class:`AlbumNotFoundError`, other errors as they are."""
    if isinstance(err, NotFoundError) or (
        isinstance(err, APIStatusError) and err.status_code == 400 and "album not found" in str(err).lower()
    ):
        return AlbumNotFoundError(
            album_id,
            f"the album {album_id} does not exist (any more): {getattr(err, 'server_message', None) or err.message}",
            method=err.method,
            path=err.path,
        )
    return err


def _read_album(data: dict[str, Any]) -> tuple[Album, list[str] | None]:
    album = Album.from_json(data)
    assets = data.get("assets")
    if not isinstance(assets, list):
        return album, None
    ids = [item["id"] for item in assets if isinstance(item, dict) and type(item.get("id")) is str]
    return album, ids


def fetch_album(engine: Engine, api: AuthenticatedClient, album_id: str) -> Steps[tuple[Album, list[str] | None]]:
    """One album, with its asset ids when the server embeds them (before v3), else None."""
    send = engine.build(api, ALBUM, id=check_uuid(album_id, "album"))
    reply = yield from engine.call(send)
    try:
        return engine.read(send, reply, _read_album)
    except ImmichError as err:
        raise _album_error(err, album_id) from None


def find_album(engine: Engine, api: AuthenticatedClient, album: str) -> Steps[tuple[Album | None, list[str] | None]]:
    """The album named (exactly, case-insensitively) or with the id ``album``; None for a name no
    album has. With an id, also its asset ids when the server embeds them."""
    if not isinstance(album, str) or not album.strip():
        raise InvalidArgumentError("give an album name or id")
    if any(ord(ch) < 32 for ch in album):
        raise InvalidArgumentError("the album name contains control characters")
    query = album.strip()
    if UUID_PATTERN.fullmatch(query):
        return (yield from fetch_album(engine, api, query))
    key = normalize_name(query)
    found = [a for a in (yield from list_albums(engine, api)) if normalize_name(a.name) == key]
    if len(found) > 1:
        raise AmbiguousAlbumError(query, found)
    return (found[0] if found else None), None


def create_album(engine: Engine, api: AuthenticatedClient, name: str) -> Steps[Album]:
    from immich_client.models import CreateAlbumDto

    send = engine.build(api, CREATE, body=CreateAlbumDto(album_name=name))
    reply = yield from engine.call(send)
    return engine.read(send, reply, Album.from_json)


def album_asset_ids(
    engine: Engine, api: AuthenticatedClient, caps: ServerCapabilities, album: Album
) -> Steps[set[str]]:
    """The ids of the album's assets: one album read before v3, an album search from v3."""
    if caps.version < _EMBEDS_ASSETS:
        _, ids = yield from fetch_album(engine, api, album.id)
        return set(ids or ())
    pages: list[Page[Asset]] = yield from collect(search_pages(engine, api, caps, album_id=album.id, with_people=False))
    return {asset.id for page in pages for asset in page.items}


def _bulk_results(data: Any) -> list[tuple[str, bool, str]]:
    if not isinstance(data, list):
        raise TypeError(f"expected a JSON array, got {type(data).__name__}")
    results = []
    for item in data:
        if not isinstance(item, dict) or type(item.get("id")) is not str or type(item.get("success")) is not bool:
            raise TypeError("a per-item result needs a string 'id' and a boolean 'success'")
        error = item.get("error")
        results.append((item["id"], item["success"], error if isinstance(error, str) else "unknown"))
    return results


def change_assets(
    engine: Engine, api: AuthenticatedClient, album_id: str, ids: list[str], *, add: bool
) -> Steps[tuple[list[str], list[str], list[AlbumItemFailure]]]:
    """Add (or remove) ``ids`` in batches of :data:`BATCH_SIZE`: (done, already so, refused).

    ``duplicate`` on add (already there: a retried request, or another writer) and ``not_found``
    on remove (already gone) count as "already so"; every other refusal is reported.
    """
    action, operation = ("add", ADD) if add else ("remove", REMOVE)
    already_so = "duplicate" if add else "not_found"
    done: list[str] = []
    already: list[str] = []
    refused: list[AlbumItemFailure] = []
    from immich_client.models import BulkIdsDto

    album = check_uuid(album_id, "album")
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        send = engine.build(api, operation, id=album, body=BulkIdsDto(ids=batch))  # type: ignore[arg-type]
        reply = yield from engine.call(send)
        try:
            body = engine.parse_json(send, reply)
        except ImmichError as err:
            raise _album_error(err, album_id) from None
        try:
            results = _bulk_results(body)
        except TypeError as err:
            raise engine.shape_error(send, reply, err) from None
        answered = set()
        for asset_id, success, error in results:
            answered.add(asset_id)
            if success:
                done.append(asset_id)
            elif error == already_so:
                already.append(asset_id)
            else:
                refused.append(AlbumItemFailure(asset_id, action, error))
        for asset_id in batch:
            if asset_id not in answered:
                refused.append(AlbumItemFailure(asset_id, action, "no answer"))
    return done, already, refused


def _wanted(
    engine: Engine, api: AuthenticatedClient, caps: ServerCapabilities, ids: list[str], match: str
) -> Steps[list[str]]:
    """The ids of the assets the album should hold, in listing order."""
    listing = "all" if match == "only" else match
    pages: list[Page[Asset]] = yield from collect(asset_pages(engine, api, caps, people=ids, match=listing))
    assets = [asset for page in pages for asset in page.items]
    if match == "only":
        people = set(ids)
        assets = [asset for asset in assets if set(asset.person_ids) == people]
    return list(dict.fromkeys(asset.id for asset in assets))


def _ids_of(pages: list[Page[Asset]]) -> list[str]:
    return list(dict.fromkeys(asset.id for page in pages for asset in page.items))


def _differences(
    engine: Engine,
    api: AuthenticatedClient,
    caps: ServerCapabilities,
    album: Album,
    *,
    ids: list[str],
    match: str,
    remove_extras: bool,
) -> Steps[tuple[list[str], list[str], int]]:
    """From v3.2 the server tells the differences itself: the wanted assets not in the album
    (``albumIds: {none}``) and the album's assets that are not wanted (``personIds: {none}``, or
    for ``all`` an ``or`` of one such branch per person). An unchanged album costs two searches
    answering nothing. Returns (missing, extras, unchanged)."""
    inside = {"all": [album.id]}
    people = {"any" if match == "any" else "all": ids}
    search = partial(search_pages, engine, api, caps, with_people=False)
    missing = _ids_of((yield from collect(search(tree={"personIds": people, "albumIds": {"none": [album.id]}}))))
    if match == "any" or len(ids) == 1:
        others: dict[str, Any] = {"albumIds": inside, "personIds": {"none": ids}}
    else:
        others = {"albumIds": inside, "or": [{"personIds": {"none": [person]}} for person in ids]}
    extras = _ids_of((yield from collect(search(tree=others))))
    return missing, (sorted(extras) if remove_extras else []), max(0, album.asset_count - len(extras))


def sync_album(
    engine: Engine,
    api: AuthenticatedClient,
    caps: ServerCapabilities,
    album: str,
    *,
    people: object,
    match: str,
    remove_extras: bool,
    dry_run: bool,
) -> Steps[AlbumSyncResult]:
    """Make ``album`` hold the assets of ``people``; see :meth:`immiche.Client.sync_album`.

    Requests on an unchanged library: the people listing (only for names), the album lookup
    (``GET /albums`` for a name), then before v3.2 the assets listing and one album read (its
    embedded assets before v3, an album search from v3), from v3.2 two searches for the
    differences (see :func:`_differences`); no write.
    """
    if match not in ("any", "all", "only"):
        raise InvalidArgumentError(f"match must be 'any', 'all' or 'only', not {match!r}")
    ids = yield from resolve_people(engine, api, people)
    found, members = yield from find_album(engine, api, album)
    name = found.name if found is not None else album.strip()
    if found is not None and caps.search_style == "filter" and match != "only":
        missing, extras, unchanged = yield from _differences(
            engine, api, caps, found, ids=ids, match=match, remove_extras=remove_extras
        )
        return (
            yield from _apply(
                engine,
                api,
                found,
                name=name,
                created=False,
                missing=missing,
                extras=extras,
                unchanged=unchanged,
                dry_run=dry_run,
            )
        )
    wanted = yield from _wanted(engine, api, caps, ids, match)
    if found is None:
        if dry_run:
            return AlbumSyncResult("", name, created=True, added=tuple(wanted), dry_run=True)
        found = yield from create_album(engine, api, name)
        current: set[str] = set()
        created = True
    else:
        created = False
        if members is not None and caps.version < _EMBEDS_ASSETS:
            current = set(members)
        else:
            current = yield from album_asset_ids(engine, api, caps, found)
    missing = [asset_id for asset_id in wanted if asset_id not in current]
    wanted_set = set(wanted)
    extras = sorted(current - wanted_set) if remove_extras else []
    unchanged = len(wanted) - len(missing)
    return (
        yield from _apply(
            engine,
            api,
            found,
            name=name,
            created=created,
            missing=missing,
            extras=extras,
            unchanged=unchanged,
            dry_run=dry_run,
        )
    )


def _apply(
    engine: Engine,
    api: AuthenticatedClient,
    found: Album,
    *,
    name: str,
    created: bool,
    missing: list[str],
    extras: list[str],
    unchanged: int,
    dry_run: bool,
) -> Steps[AlbumSyncResult]:
    """Add ``missing`` and remove ``extras`` (unless ``dry_run``); the result."""
    if dry_run:
        return AlbumSyncResult(found.id, name, created, tuple(missing), tuple(extras), unchanged, dry_run=True)
    added, already, refused = yield from change_assets(engine, api, found.id, missing, add=True)
    removed: list[str] = []
    if extras:
        removed, gone, refused_removal = yield from change_assets(engine, api, found.id, extras, add=False)
        removed += gone
        refused += refused_removal
    return AlbumSyncResult(
        found.id,
        name,
        created,
        tuple(added),
        tuple(removed),
        unchanged + len(already),
        tuple(refused),
    )
