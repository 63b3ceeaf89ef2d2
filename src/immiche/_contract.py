"""What the facade needs from the Immich API, declared in one place.

Every operation the facade calls (operationId, method, path, the parameters it sends), every
response model it parses and every field it reads, with the JSON type it expects. The facade calls
the generated endpoints through these declarations (:meth:`Operation.endpoint`), so they cannot
drift apart silently, and :mod:`immiche.compat` checks them against any Immich OpenAPI document to
tell whether the facade still fits a new server version.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Final

__all__ = [
    "MODELS",
    "OPERATIONS",
    "TESTED_RANGE",
    "Field",
    "Model",
    "Operation",
    "Parameter",
    "is_tested",
    "require_read_fields",
]

TESTED_RANGE: Final = ((1, 132), (3, 3))
"""(major, minor) bounds, inclusive, of the server versions the facade is tested against: v1.132 to v3.3.x."""


def is_tested(major: int, minor: int) -> bool:
    """Whether a server version is within :data:`TESTED_RANGE`."""
    low, high = TESTED_RANGE
    return low <= (major, minor) <= high


@dataclass(frozen=True)
class Parameter:
    """A parameter the facade sends: ``type`` is the JSON schema type (with ``format`` if any)."""

    name: str
    location: str  # "query" | "path" | "body"
    type: str


@dataclass(frozen=True)
class Field:
    """A response field the facade reads, with the JSON type it expects.

    ``required``: the facade cannot do without it; ``nullable``: it copes with ``null``. A type
    without a format (``"string"``) accepts any format, one with a format (``"string:date"``)
    relies on the generated client converting it.
    """

    name: str
    type: str  # "string", "integer", "number", "boolean", "array", "string:date", "string:date-time"
    required: bool = True
    nullable: bool = False
    model: str | None = None
    """For an ``"array"`` or ``"object"`` field: the model of its items or of its value."""


@dataclass(frozen=True)
class Model:
    """A response model the facade parses with the generated ``immich_client`` model."""

    name: str
    fields: tuple[Field, ...]
    tolerated_missing: tuple[str, ...] = ()
    """Fields a spec may make required that the facade tolerates missing (openapi/overrides.json)."""


@dataclass(frozen=True)
class Operation:
    """An API operation the facade calls, and the generated module that implements it."""

    operation_id: str
    method: str
    path: str
    module: str
    parameters: tuple[Parameter, ...] = ()
    response: str | None = None
    """The response model name; ``"[Name]"`` for an array of it; ``None`` for binary content."""
    idempotent: bool = True
    body: str | None = None
    """The request body model the facade builds (its ``"body"`` parameters are fields of it)."""

    def endpoint(self) -> ModuleType:
        """The generated endpoint module (``immich_client.api.<tag>.<operation>``)."""
        return importlib.import_module(self.module)


def _op(operation_id: str, method: str, path: str, module: str, *parameters: Parameter, **kw: object) -> Operation:
    return Operation(operation_id, method, path, f"immich_client.api.{module}", tuple(parameters), **kw)  # type: ignore[arg-type]


PING = _op("pingServer", "GET", "/server/ping", "server.ping_server", response="ServerPingResponse")
VERSION = _op(
    "getServerVersion", "GET", "/server/version", "server.get_server_version", response="ServerVersionResponseDto"
)
ME = _op("getMyUser", "GET", "/users/me", "users.get_my_user", response="UserAdminResponseDto")
LOGIN = _op(
    "login",
    "POST",
    "/auth/login",
    "authentication.login",
    Parameter("email", "body", "string"),
    Parameter("password", "body", "string"),
    response="LoginResponseDto",
    idempotent=False,
    body="LoginCredentialDto",
)
LOGOUT = _op("logout", "POST", "/auth/logout", "authentication.logout", response="LogoutResponseDto", idempotent=False)
PEOPLE = _op(
    "getAllPeople",
    "GET",
    "/people",
    "people.get_all_people",
    Parameter("page", "query", "integer"),
    Parameter("size", "query", "integer"),
    Parameter("withHidden", "query", "boolean"),
    response="PeopleResponseDto",
)
PERSON = _op(
    "getPerson",
    "GET",
    "/people/{id}",
    "people.get_person",
    Parameter("id", "path", "string:uuid"),
    response="PersonResponseDto",
)
SEARCH = _op(
    "searchPerson",
    "GET",
    "/search/person",
    "search.search_person",
    Parameter("name", "query", "string"),
    Parameter("withHidden", "query", "boolean"),
    response="[PersonResponseDto]",
)
THUMBNAIL = _op(
    "getPersonThumbnail",
    "GET",
    "/people/{id}/thumbnail",
    "people.get_person_thumbnail",
    Parameter("id", "path", "string:uuid"),
)

OPERATIONS: Final = (PING, VERSION, ME, LOGIN, LOGOUT, PEOPLE, PERSON, SEARCH, THUMBNAIL)

MODELS: Final = (
    Model("ServerPingResponse", (Field("res", "string"),)),
    Model(
        "ServerVersionResponseDto", (Field("major", "integer"), Field("minor", "integer"), Field("patch", "integer"))
    ),
    Model(
        "UserAdminResponseDto",
        (Field("id", "string"), Field("email", "string"), Field("name", "string"), Field("isAdmin", "boolean")),
    ),
    Model(
        "LoginResponseDto",
        (
            Field("accessToken", "string"),
            Field("userId", "string"),
            Field("userEmail", "string"),
            Field("name", "string"),
            Field("isAdmin", "boolean"),
        ),
        tolerated_missing=("isOnboarded",),
    ),
    Model("LogoutResponseDto", (Field("successful", "boolean"),)),
    Model(
        "PeopleResponseDto",
        (
            Field("people", "array", model="PersonResponseDto"),
            Field("total", "integer"),
            Field("hidden", "integer", required=False),
            Field("hasNextPage", "boolean", required=False),
        ),
        tolerated_missing=("hidden",),
    ),
    Model(
        "PersonResponseDto",
        (
            Field("id", "string"),
            Field("name", "string"),
            Field("birthDate", "string:date", nullable=True),
            Field("thumbnailPath", "string"),
            Field("isHidden", "boolean"),
            Field("isFavorite", "boolean", required=False),
            Field("color", "string", required=False),
            Field("updatedAt", "string:date-time", required=False),
        ),
    ),
)

_READ_REQUIRED: Final = {model.name: tuple(f.name for f in model.fields if f.required) for model in MODELS}


def require_read_fields(model_name: str, parsed: object) -> None:
    """Raise ``KeyError(field)`` when the parsed answer lacks a field the facade needs.

    The generated models parse an answer without a required field (another Immich version's) to
    ``UNSET`` and name it in ``missing_fields``; that only matters for the fields the facade reads.
    """
    missing = getattr(parsed, "missing_fields", ())
    if missing:
        for name in _READ_REQUIRED.get(model_name, ()):
            if name in missing:
                raise KeyError(name)
