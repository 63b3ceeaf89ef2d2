"""What the facade needs from the Immich API, declared in one place.

The types of the declarations: every operation the facade calls (operationId, method, path, the
parameters it sends, whether it may be retried), every response model it parses and every field it
reads, with the JSON type it expects. Each API area declares its own next to its operations
(:mod:`immiche._ops.server`, :mod:`immiche._ops.people`); ``OPERATIONS`` and ``MODELS`` gather them.
The facade calls the generated endpoints through these declarations (:meth:`Operation.endpoint`), so they cannot
drift apart silently, and :mod:`immiche.compat` checks them against any Immich OpenAPI document to
tell whether the facade still fits a new server version.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from immiche._engine.downloads import SinkRule

__all__ = [
    "IDEMPOTENT_METHODS",
    "MODELS",
    "OPERATIONS",
    "TESTED_RANGE",
    "Field",
    "Model",
    "Operation",
    "Parameter",
    "is_tested",
    "op",
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


_CAMEL_HUMP: Final = re.compile(r"(?<!^)([A-Z])")

IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
"""Methods whose requests may be repeated: an operation using another one (POST, PATCH) is
never retried unless it declares ``idempotent=True`` (a read-only ``POST /search/metadata``)."""


@dataclass(frozen=True)
class Operation:
    """An API operation the facade calls, and the generated module that implements it.

    ``idempotent`` decides alone whether a request may be retried after a 502/503/504, a 429 or
    a reset connection; left out, it follows the method (:data:`IDEMPOTENT_METHODS`).
    """

    operation_id: str
    method: str
    path: str
    module: str
    parameters: tuple[Parameter, ...] = ()
    response: str | None = None
    """The response model name; ``"[Name]"`` for an array of it; ``None`` for binary content; ``""`` for none (204)."""
    idempotent: bool | None = None
    body: str | None = None
    """The request body model the facade builds (its ``"body"`` parameters are fields of it)."""
    download: SinkRule | None = None
    """For a binary answer that may be streamed to disk: what the file may hold, its cap and name."""
    optional: str | None = None
    """Why a spec may lack this operation (e.g. ``POST /people/merge`` before v3.2.1): the facade
    only calls it on servers that have it, so :mod:`immiche.compat` reports its absence as tolerated."""
    former_ids: tuple[str, ...] = ()
    """The operationIds older specs give the same method and path (``mergePerson`` before
    ``mergePersonLegacy``): the pinned client's module calls it all the same."""

    def __post_init__(self) -> None:
        if self.idempotent is None:
            object.__setattr__(self, "idempotent", self.method.upper() in IDEMPOTENT_METHODS)

    def endpoint(self) -> ModuleType:
        """The generated endpoint module (``immich_client.api.<tag>.<operation>``); in a client
        generated from an older spec, the module of a former operationId (:attr:`former_ids`)."""
        try:
            return importlib.import_module(self.module)
        except ModuleNotFoundError:
            for former in self._former_modules():
                if importlib.util.find_spec(former) is not None:
                    return importlib.import_module(former)
            raise

    def has_endpoint(self) -> bool:
        """Whether the installed ``immich_client`` has this operation (an :attr:`optional` one may be
        missing from a client regenerated from an older spec)."""
        return any(importlib.util.find_spec(name) is not None for name in (self.module, *self._former_modules()))

    def _former_modules(self) -> list[str]:
        package = self.module.rpartition(".")[0]
        return [package + "." + _CAMEL_HUMP.sub(r"_\1", name).lower() for name in self.former_ids]


def op(operation_id: str, method: str, path: str, module: str, *parameters: Parameter, **kw: Any) -> Operation:
    """Declare an operation of the generated ``immich_client.api.<module>``."""
    return Operation(operation_id, method, path, f"immich_client.api.{module}", tuple(parameters), **kw)


AREAS: Final = ("server", "people", "curation", "assets", "asset_files", "albums")
"""The :mod:`immiche._ops` modules, each declaring ``OPERATIONS`` and ``MODELS`` for its API area."""

if TYPE_CHECKING:
    OPERATIONS: tuple[Operation, ...]
    MODELS: tuple[Model, ...]


def __getattr__(name: str) -> Any:
    """``OPERATIONS`` and ``MODELS``, gathered from the area modules on first use (they import
    this module's types, so they cannot be imported while it loads)."""
    if name not in ("OPERATIONS", "MODELS"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return globals().get(name) or _gather(name)


def _gather(name: str) -> Any:
    modules = [importlib.import_module(f"immiche._ops.{area}") for area in AREAS]
    value = tuple(item for module in modules for item in getattr(module, name))
    globals()[name] = value
    return value


@functools.cache
def _read_required() -> dict[str, tuple[str, ...]]:
    return {model.name: tuple(f.name for f in model.fields if f.required) for model in _gather("MODELS")}


def require_read_fields(model_name: str, parsed: object) -> None:
    """Raise ``KeyError(field)`` when the parsed answer lacks a field the facade needs.

    The generated models parse an answer without a required field (another Immich version's) to
    ``UNSET`` and name it in ``missing_fields``; that only matters for the fields the facade reads.
    """
    missing = getattr(parsed, "missing_fields", ())
    if missing:
        for name in _read_required().get(model_name, ()):
            if name in missing:
                raise KeyError(name)
