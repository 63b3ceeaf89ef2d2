"""Assets: a person's photos from ``POST /search/metadata``, one asset, and the people given by name.

Up to v3.1 the search takes flat fields (``personIds`` = ALL of them, ``page`` / ``size``, answers
with ``nextPage`` a string or null and ``total`` counting only the page); from v3.2 a ``filter``
tree (``personIds: {all, any, none}``) with cursor paging (``nextCursor``). The style comes from
the server's capabilities alone. Without an OR filter (before v3.2), ``match="any"`` is a union of
one search per person, merged in order without duplicates.
"""

from __future__ import annotations

import datetime
import heapq
from collections.abc import Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from immiche._config import PAGE_SIZE
from immiche._contract import Field, Model, Parameter, op
from immiche._engine.effects import Emit
from immiche._engine.ids import check_person_id, check_uuid
from immiche._matching import match_person
from immiche.assets import Asset
from immiche.errors import InvalidArgumentError
from immiche.pagination import Page, collect, paginate
from immiche.people import Person

if TYPE_CHECKING:
    from immich_client import AuthenticatedClient
    from immiche._capabilities import ServerCapabilities
    from immiche._engine.effects import Reply, Send, Steps
    from immiche._engine.engine import Engine

__all__ = [
    "ASSET",
    "MODELS",
    "OPERATIONS",
    "SEARCH",
    "asset_pages",
    "check_date",
    "fetch_asset",
    "fetch_assets",
    "resolve_people",
    "search_pages",
]

SEARCH = op(
    "searchAssets",
    "POST",
    "/search/metadata",
    "search.search_assets",
    Parameter("personIds", "body", "array"),
    Parameter("page", "body", "integer"),
    Parameter("size", "body", "integer"),
    Parameter("order", "body", "string"),
    Parameter("takenAfter", "body", "string:date-time"),
    Parameter("takenBefore", "body", "string:date-time"),
    Parameter("withExif", "body", "boolean"),
    Parameter("withPeople", "body", "boolean"),
    response="SearchResponseDto",
    body="MetadataSearchDto",
    idempotent=True,  # a read, although a POST
)
# Also sent, and not declared because the compat check has no per-version parameters: ``albumIds``
# (an album's assets, from v3 only, where it exists) and, from v3.2 (search_style "filter"),
# ``filter``, ``orderBy`` and ``cursor`` instead of the flat fields.
ASSET = op(
    "getAssetInfo",
    "GET",
    "/assets/{id}",
    "assets.get_asset_info",
    Parameter("id", "path", "string:uuid"),
    response="AssetResponseDto",
)

OPERATIONS: Final = (SEARCH, ASSET)
MODELS: Final = (
    Model("SearchResponseDto", (Field("assets", "object", model="SearchAssetResponseDto"),)),
    Model(
        "SearchAssetResponseDto",
        (
            Field("items", "array", model="AssetResponseDto"),
            Field("nextPage", "string", required=False, nullable=True),
        ),
    ),
    Model(
        "AssetResponseDto",
        (
            Field("id", "string"),
            Field("originalFileName", "string", required=False),
            Field("type", "string", required=False),
            Field("fileCreatedAt", "string:date-time", required=False),
            Field("localDateTime", "string:date-time", required=False),
            Field("isFavorite", "boolean", required=False),
            Field("checksum", "string", required=False),
            Field("originalMimeType", "string", required=False),
        ),
    ),
)

FILTER_STYLE_PAGE: Final = PAGE_SIZE
"""Assets asked for per search request (the server's maximum)."""


# ---- arguments


def check_date(value: object, name: str, *, end: bool) -> str | None:
    """A ``taken_after``/``taken_before`` bound as the ISO date-time the server takes (UTC).

    A ``date`` (or ``"YYYY-MM-DD"``) covers its whole day: its start for ``taken_after`` and its
    end for ``taken_before``. A naive date-time is UTC.
    """
    if value is None:
        return None
    moment: datetime.datetime
    if isinstance(value, str):
        text = value.strip()
        try:
            if len(text) == 10:
                value = datetime.date.fromisoformat(text)
            else:
                value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise InvalidArgumentError(
                f"{name} {text[:40]!r} is not a date", hint="use YYYY-MM-DD or an ISO 8601 date-time"
            ) from None
    if isinstance(value, datetime.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    elif isinstance(value, datetime.date):
        clock = datetime.time(23, 59, 59, 999000) if end else datetime.time(0, 0)
        moment = datetime.datetime.combine(value, clock, tzinfo=datetime.timezone.utc)
    else:
        raise InvalidArgumentError(f"{name} must be a date, a date-time or an ISO string, not {type(value).__name__}")
    utc = moment.astimezone(datetime.timezone.utc)
    return utc.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _check_order(order: object) -> str:
    if order not in ("asc", "desc"):
        raise InvalidArgumentError(f"order must be 'asc' or 'desc', not {order!r}")
    return str(order)


def _people_items(people: object) -> list[str | Person]:
    if isinstance(people, (str, Person)):
        return [people]
    if isinstance(people, Iterable) and not isinstance(people, (bytes, dict)):
        items = list(people)
        if not all(isinstance(item, (str, Person)) for item in items):
            raise InvalidArgumentError("people must be ids, names or Person values")
        if not items:
            raise InvalidArgumentError("give at least one person")
        return items
    raise InvalidArgumentError(f"people must be an id, a name, a Person or a list of them, not {type(people).__name__}")


def resolve_people(engine: Engine, api: AuthenticatedClient, people: object) -> Steps[list[str]]:
    """The person ids of ``people`` (ids, Persons or exact names), in order, without duplicates.

    Names are resolved like the CLI's PERSON (exact, case-insensitive, NFKC) over every person,
    hidden ones included: one people listing, only when a name is given.
    """
    from immiche._ops.workflows import fetch_people

    items = _people_items(people)
    everyone: list[Person] | None = None
    ids: list[str] = []
    for item in items:
        if isinstance(item, Person):
            ids.append(str(check_person_id(item.id)))
            continue
        try:
            ids.append(str(check_uuid(item.strip(), "person")))
            continue
        except InvalidArgumentError:
            pass
        if everyone is None:
            everyone = list((yield from fetch_people(engine, api, with_hidden=True)).people)
        ids.append(match_person(item, everyone).id)
    return list(dict.fromkeys(ids))


# ---- the search


def _read_page(engine: Engine, cursor_style: bool, send: Send, reply: Reply) -> Page[Asset]:
    body = engine.parse_json(send, reply)
    try:
        if not isinstance(body, dict) or not isinstance(body.get("assets"), dict):
            raise TypeError("expected an object with 'assets'")
        found = body["assets"]
        items = found["items"]
        if not isinstance(items, list):
            raise TypeError("'items' is not a list")
        from_json = Asset.from_json
        assets = [from_json(item) for item in items]
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise engine.shape_error(send, reply, err) from None
    if cursor_style:
        cursor = found.get("nextCursor")
        return Page(assets, next_page=cursor if isinstance(cursor, str) and cursor else None, has_next=bool(cursor))
    # nextPage: a string page number or null; total/count count this page only (never a total)
    following = found.get("nextPage")
    return Page(assets, has_next=isinstance(following, str) and bool(following))


def _asset_key(asset: Asset) -> str:
    return asset.id


def search_pages(
    engine: Engine,
    api: AuthenticatedClient,
    caps: ServerCapabilities,
    *,
    person_ids: list[str] | None = None,
    any_person: bool = False,
    album_id: str | None = None,
    after: str | None = None,
    before: str | None = None,
    order: str = "desc",
    with_people: bool = True,
    page_size: int = FILTER_STYLE_PAGE,
    tree: dict[str, Any] | None = None,
) -> Steps[None]:
    """Emit the pages of one search: ``person_ids`` all (or, with ``any_person`` on the filter
    style, any) of them, and/or in the album ``album_id``; or, on the filter style, the ``tree``."""
    from immich_client.models import MetadataSearchDto

    cursor_style = caps.search_style == "filter"
    base: dict[str, Any] = {"size": page_size, "withExif": True, "withPeople": with_people}
    if cursor_style:
        if tree is None:
            tree = {}
            if person_ids:
                tree["personIds"] = {"any" if any_person else "all": person_ids}
            if album_id:
                tree["albumIds"] = {"all": [album_id]}
            if after or before:
                tree["takenAt"] = {k: v for k, v in (("gte", after), ("lte", before)) if v}
        base["filter"] = tree
        base["orderBy"] = {"field": "fileCreatedAt", "direction": order}
    else:
        if any_person and person_ids and len(person_ids) > 1:
            raise AssertionError("the flat search has no OR: search person by person")  # pragma: no cover
        if person_ids:
            base["personIds"] = person_ids
        if album_id:
            base["albumIds"] = [album_id]
        if after:
            base["takenAfter"] = after
        if before:
            base["takenBefore"] = before
        base["order"] = order
    template = engine.build(api, SEARCH, body=MetadataSearchDto(size=page_size))

    def request(number: int, cursor: str | None) -> Send:
        body = dict(base)
        if cursor_style:
            if cursor is not None:
                body["cursor"] = cursor
        else:
            body["page"] = number
        return _with_json(template, body)

    yield from paginate(
        engine, request, partial(_read_page, engine, cursor_style), page_size=page_size, key=_asset_key, noun="assets"
    )


def _with_json(template: Send, body: dict[str, Any]) -> Send:
    """``template`` (built once through the generated endpoint) with this page's JSON body."""
    from dataclasses import replace

    return replace(template, options={**template.options, "json": body})


def _merged(lists: list[list[Asset]], order: str) -> Iterator[Asset]:
    """The assets of several listings in ``order`` of their date, each id once."""
    low = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)

    def key(asset: Asset) -> tuple[datetime.datetime, str]:
        return (asset.file_created_at or low, asset.id)

    seen: set[str] = set()
    for asset in heapq.merge(*lists, key=key, reverse=order == "desc"):
        if asset.id not in seen:
            seen.add(asset.id)
            yield asset


def asset_pages(
    engine: Engine,
    api: AuthenticatedClient,
    caps: ServerCapabilities,
    *,
    people: object,
    match: str,
    taken_after: object = None,
    taken_before: object = None,
    order: str = "desc",
    page_size: int = FILTER_STYLE_PAGE,
) -> Steps[None]:
    """Emit every page of the assets of ``people`` (``match`` ``"all"`` or ``"any"``)."""
    if match not in ("all", "any"):
        raise InvalidArgumentError(f"match must be 'all' or 'any', not {match!r}")
    after = check_date(taken_after, "taken_after", end=False)
    before = check_date(taken_before, "taken_before", end=True)
    order = _check_order(order)
    ids = yield from resolve_people(engine, api, people)
    search = partial(search_pages, engine, api, caps, after=after, before=before, order=order, page_size=page_size)
    if match == "all" or len(ids) == 1 or caps.search_style == "filter":
        yield from search(person_ids=ids, any_person=match == "any")
        return
    # no OR filter before v3.2: one search per person, merged in order without duplicates
    lists: list[list[Asset]] = []
    for person_id in ids:
        pages: list[Page[Asset]] = yield from collect(search(person_ids=[person_id]))
        lists.append([asset for page in pages for asset in page.items])
    merged = list(_merged(lists, order))
    for start in range(0, len(merged), page_size):
        yield Emit(Page(merged[start : start + page_size]))


def fetch_asset(engine: Engine, api: AuthenticatedClient, asset_id: str) -> Steps[Asset]:
    """One asset by id (``GET /assets/{id}``)."""
    send = engine.build(api, ASSET, id=check_uuid(asset_id, "asset"))
    reply = yield from engine.call(send)
    return engine.read(send, reply, Asset.from_json)


def fetch_assets(
    engine: Engine, api: AuthenticatedClient, caps: ServerCapabilities, **query: Any
) -> Steps[list[Asset]]:
    """Every asset :func:`asset_pages` emits, collected."""
    pages: list[Page[Asset]] = yield from collect(asset_pages(engine, api, caps, **query))
    return [asset for page in pages for asset in page.items]
