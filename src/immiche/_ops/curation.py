"""People curation: edit one or many people, merge, delete, move faces, statistics.

Each request is one declaration and one generator; the recipes of several requests (a bulk edit
in batches plus its colour singles, finding a person by name) are here too, written once for both
drivers. Bodies are built by :func:`immiche.curation.to_request_json` (the tested JSON, with
``null`` to clear a date or a colour) and sent through the generated endpoints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from immiche._contract import Field, Model, Parameter, op
from immiche._ids import UUID_PATTERN, canonical_id
from immiche._ops import workflows
from immiche._ops.people import fetch_person
from immiche.curation import (
    BULK_IGNORED_FIELDS,
    NOT_GIVEN,
    BulkItemResult,
    BulkResult,
    MergeResult,
    PersonNotFoundError,
    PersonStatistics,
    PersonUpdate,
    batches,
    match_person,
    merge_request,
    split_bulk,
    to_request_json,
    validate_updates,
    verify_merge,
)
from immiche.errors import (
    APIStatusError,
    AuthenticationError,
    InvalidArgumentError,
    InvalidResponseError,
    NotFoundError,
    PermissionDeniedError,
)
from immiche.people import Person

if TYPE_CHECKING:
    from immich_client import AuthenticatedClient
    from immiche._capabilities import ServerCapabilities
    from immiche._engine.effects import Steps
    from immiche._engine.engine import Engine

__all__ = [
    "DELETE",
    "MERGE",
    "MERGE_LEGACY",
    "MODELS",
    "OPERATIONS",
    "REASSIGN",
    "REASSIGN_FACE",
    "STATISTICS",
    "UPDATE",
    "UPDATE_MANY",
    "delete_people",
    "find_person",
    "merge_people",
    "reassign_face",
    "reassign_faces",
    "statistics",
    "unique_ids",
    "update_people",
    "update_person",
]

_PERSON_BODY = (
    Parameter("name", "body", "string"),
    Parameter("birthDate", "body", "string:date"),
    Parameter("isHidden", "body", "boolean"),
    Parameter("isFavorite", "body", "boolean"),
    Parameter("color", "body", "string"),
    Parameter("featureFaceAssetId", "body", "string:uuid"),
)

UPDATE = op(
    "updatePerson",
    "PUT",
    "/people/{id}",
    "people.update_person",
    Parameter("id", "path", "string:uuid"),
    *_PERSON_BODY,
    response="PersonResponseDto",
    body="PersonUpdateDto",
)
UPDATE_MANY = op(
    "updatePeople",
    "PUT",
    "/people",
    "people.update_people",
    Parameter("people", "body", "array"),
    response="[BulkIdResponseDto]",
    body="PeopleUpdateDto",
)
MERGE_LEGACY = op(
    "mergePersonLegacy",
    "POST",
    "/people/{id}/merge",
    "people.merge_person_legacy",
    Parameter("id", "path", "string:uuid"),
    Parameter("ids", "body", "array"),
    response="[BulkIdResponseDto]",
    body="MergePersonDto",
    idempotent=False,
    former_ids=("mergePerson",),
)
MERGE = op(
    "mergePeople",
    "POST",
    "/people/merge",
    "people.merge_people",
    Parameter("ids", "body", "array"),
    response="[BulkIdResponseDto]",
    body="MergePersonDto",
    idempotent=False,
    optional="new in v3.2.1, older servers get the legacy merge",
)
DELETE = op(
    "deletePeople",
    "DELETE",
    "/people",
    "people.delete_people",
    Parameter("ids", "body", "array"),
    response="",
    body="BulkIdsDto",
    idempotent=False,  # repeated after a lost answer, it would report "not found" for what it deleted
    optional="delete_people needs a server that has it (v1.132.3 has not)",
)
REASSIGN = op(
    "reassignFaces",
    "PUT",
    "/people/{id}/reassign",
    "people.reassign_faces",
    Parameter("id", "path", "string:uuid"),
    Parameter("data", "body", "array"),
    response="[PersonResponseDto]",
    body="AssetFaceUpdateDto",
    idempotent=False,
)
REASSIGN_FACE = op(
    "reassignFacesById",
    "PUT",
    "/faces/{id}",
    "faces.reassign_faces_by_id",
    Parameter("id", "path", "string:uuid"),  # the PERSON the face goes to
    Parameter("id", "body", "string:uuid"),  # the FACE
    response="PersonResponseDto",
    body="FaceDto",
    idempotent=False,
)
STATISTICS = op(
    "getPersonStatistics",
    "GET",
    "/people/{id}/statistics",
    "people.get_person_statistics",
    Parameter("id", "path", "string:uuid"),
    response="PersonStatisticsResponseDto",
)

OPERATIONS: Final = (UPDATE, UPDATE_MANY, MERGE_LEGACY, MERGE, DELETE, REASSIGN, REASSIGN_FACE, STATISTICS)

MODELS: Final = (
    Model(
        "BulkIdResponseDto",
        (
            Field("id", "string"),
            Field("success", "boolean"),
            Field("error", "string", required=False),
        ),
    ),
    Model("PersonStatisticsResponseDto", (Field("assets", "integer"),)),
)


class _Body:
    """A request body already in Immich's JSON (what the generated ``_get_kwargs`` sends via ``to_dict``)."""

    __slots__ = ("_json",)

    def __init__(self, json: dict[str, Any]) -> None:
        self._json = json

    def to_dict(self) -> dict[str, Any]:
        return self._json


# -- one request each --------------------------------------------------------------------------------


def update_person(engine: Engine, api: AuthenticatedClient, update: PersonUpdate) -> Steps[Person]:
    """``PUT /people/{id}`` with the given fields of ``update``; the person as the server answers."""
    send = engine.build(api, UPDATE, id=update.id, body=_Body(to_request_json(update)))
    reply = yield from engine.call(send)
    return engine.read(send, reply, Person.from_json)


def _bulk(engine: Engine, api: AuthenticatedClient, updates: Sequence[PersonUpdate]) -> Steps[BulkResult]:
    body = {"people": [to_request_json(update, bulk=True) for update in updates]}
    send = engine.build(api, UPDATE_MANY, body=_Body(body))
    reply = yield from engine.call(send)
    answer = engine.parse_json(send, reply)
    try:
        return BulkResult.from_json(answer, [update.id for update in updates])
    except InvalidResponseError as err:
        raise engine.invalid_response_error(send, reply, err.message) from None


def statistics(engine: Engine, api: AuthenticatedClient, person: str | Person) -> Steps[PersonStatistics]:
    """``GET /people/{id}/statistics``: the number of distinct assets showing the person."""
    send = engine.build(api, STATISTICS, id=canonical_id(person))
    reply = yield from engine.call(send)
    answer = engine.parse_json(send, reply)
    try:
        return PersonStatistics.from_json(answer)
    except InvalidResponseError as err:
        raise engine.invalid_response_error(send, reply, err.message) from None


def merge_people(
    engine: Engine,
    api: AuthenticatedClient,
    capabilities: ServerCapabilities,
    into: str | Person,
    sources: Iterable[str | Person],
) -> Steps[MergeResult]:
    """Merge ``sources`` into ``into`` with the endpoint this server has; checked, sent once, verified."""
    target = canonical_id(into)
    _path, _body, ids = merge_request(target, sources, capabilities)  # every refusal before any request
    # The legacy endpoint still serves v3.2.1+: used there only by a client generated from an older spec.
    if capabilities.merge_endpoint == "people" and MERGE.has_endpoint():
        send = engine.build(api, MERGE, body=_Body({"ids": [target, *ids]}))
    else:
        send = engine.build(api, MERGE_LEGACY, id=target, body=_Body({"ids": list(ids)}))
    reply = yield from engine.call(send)
    answer = engine.parse_json(send, reply)
    return verify_merge(target, ids, answer)


def unique_ids(people: Iterable[str | Person], what: str = "person") -> list[str]:
    """Canonical ids of ``people``, each once, in order (checked before any request)."""
    if isinstance(people, (str, bytes, Person)):
        raise InvalidArgumentError(f"give a list of {what}s, not a single {type(people).__name__}")
    ids: list[str] = []
    seen: set[str] = set()
    for item in people:
        person_id = canonical_id(item, what)
        if person_id not in seen:
            seen.add(person_id)
            ids.append(person_id)
    return ids


def delete_people(engine: Engine, api: AuthenticatedClient, people: Iterable[str | Person]) -> Steps[int]:
    """``DELETE /people {ids}``: all or nothing (one unknown id and nothing is deleted); the number deleted."""
    ids = unique_ids(people)
    if not ids:
        return 0
    send = engine.build(api, DELETE, body=_Body({"ids": ids}))
    reply = yield from engine.call(send)
    engine.check_status(send, reply)
    return len(ids)


def reassign_faces(
    engine: Engine, api: AuthenticatedClient, to: str | Person, faces: Iterable[tuple[str, str | Person]]
) -> Steps[int]:
    """``PUT /people/{to}/reassign {data: [{assetId, personId}]}``: the faces of ``personId`` on
    ``assetId`` move to ``to``. Returns the number of pairs the server took."""
    target = canonical_id(to)
    data: list[dict[str, str]] = []
    for item in faces:
        if not isinstance(item, tuple) or len(item) != 2:
            raise InvalidArgumentError(f"each face must be an (asset_id, from_person) pair, not {item!r:.60}")
        asset, person = item
        data.append({"assetId": canonical_id(asset, "asset"), "personId": canonical_id(person)})
    if not data:
        return 0
    send = engine.build(api, REASSIGN, id=target, body=_Body({"data": data}))
    reply = yield from engine.call(send)
    return len(engine.read_list(send, reply, Person.from_json))


def reassign_face(engine: Engine, api: AuthenticatedClient, face_id: str, to: str | Person) -> Steps[Person]:
    """``PUT /faces/{to} {id: face_id}``: the PATH holds the person, the BODY the face."""
    face = canonical_id(face_id, "face")
    send = engine.build(api, REASSIGN_FACE, id=canonical_id(to), body=_Body({"id": face}))
    reply = yield from engine.call(send)
    return engine.read(send, reply, Person.from_json)


# -- recipes of several requests ----------------------------------------------------------------------


def find_person(
    engine: Engine, api: AuthenticatedClient, name_or_id: str | Person, *, with_hidden: bool
) -> Steps[Person]:
    """A :class:`Person` as given; an id fetched; else the one person with this exact name."""
    if isinstance(name_or_id, Person):
        return name_or_id
    if not isinstance(name_or_id, str) or not name_or_id.strip():
        raise InvalidArgumentError("give a person's name or id")
    query = name_or_id.strip()
    if UUID_PATTERN.fullmatch(query):
        try:
            return (yield from fetch_person(engine, api, query.lower()))
        except NotFoundError as err:
            raise PersonNotFoundError(query, hint="check the id") from err
    everyone = yield from workflows.fetch_people(engine, api, with_hidden=with_hidden)
    return match_person(query, everyone.people)


_RAISED: Final = (AuthenticationError, PermissionDeniedError)
"""Refusals of the credential itself: every other request would get them too, so they end the run."""


def _refused(err: APIStatusError) -> str:
    return f"the server refused the request: {err.message}"


def update_people(
    engine: Engine, api: AuthenticatedClient, changes: Iterable[PersonUpdate | Mapping[str, Any]], *, batch_size: int
) -> Steps[BulkResult]:
    """Check every change, then send the bulk parts in batches and the colours one by one.

    One result per input item, in input order. A batch the server refuses as a whole (a 400, a
    500) fails its items with the server's message and the run goes on; 401/403, transport errors
    and interruptions raise (items of earlier batches stay applied).
    """
    if isinstance(changes, (str, bytes, Mapping, PersonUpdate)):
        raise InvalidArgumentError("changes must be a list of PersonUpdate values or mappings")
    next(batches((), batch_size), None)  # the batch size is checked before anything is sent
    updates = validate_updates(changes)
    bulk_items: list[tuple[int, PersonUpdate]] = []
    single_items: list[tuple[int, PersonUpdate]] = []
    for index, update in enumerate(updates):
        if all(getattr(update, name) is NOT_GIVEN for name in BULK_IGNORED_FIELDS):  # nothing to split off
            bulk_items.append((index, update))
            continue
        bulk, single = split_bulk([update])
        bulk_items += [(index, part) for part in bulk]
        single_items += [(index, part) for part in single]
    failures: dict[int, list[BulkItemResult]] = {}
    for batch in batches(bulk_items, batch_size):
        try:
            result = yield from _bulk(engine, api, [update for _, update in batch])
        except _RAISED:
            raise
        except APIStatusError as err:
            result = BulkResult(tuple(BulkItemResult(u.id, False, "refused", _refused(err)) for _, u in batch))
        for (index, _), item in zip(batch, result.items, strict=True):
            if not item.success:
                failures.setdefault(index, []).append(item)
    for index, update in single_items:
        try:
            yield from update_person(engine, api, update)
        except _RAISED:
            raise
        except APIStatusError as err:
            reason = f"the colour was not applied: {err.message}"
            failures.setdefault(index, []).append(BulkItemResult(update.id, False, "refused", reason))
    return BulkResult(tuple(_combined(update.id, failures.get(index, ())) for index, update in enumerate(updates)))


def _combined(person_id: str, failed: Sequence[BulkItemResult]) -> BulkItemResult:
    """One result for an item whose change took one or two requests (bulk part, colour)."""
    if not failed:
        return BulkItemResult(person_id, True)
    if len(failed) == 1:
        return failed[0]._replace(id=person_id)
    return BulkItemResult(person_id, False, failed[0].error, "; ".join(item.reason or "" for item in failed))
