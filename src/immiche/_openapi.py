"""Reading Immich OpenAPI documents for :mod:`immiche.compat` and :mod:`immiche.spec_diff`.

Loading and validating a document, finding the pinned one (packaged with ``immich_client``),
resolving ``$ref``s, describing a schema's type, and listing operations. The names here are the
tools' shared helpers: public (``__all__``) so that neither tool imports the other's private names.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

__all__ = [
    "HTTP_METHODS",
    "SchemaType",
    "SpecError",
    "SpecOperation",
    "as_dict",
    "as_list",
    "default_pinned_path",
    "describe",
    "json_schema",
    "load_pinned",
    "load_spec",
    "looks_renamed",
    "ref_name",
    "resolve_schema",
    "schema_properties",
    "schema_required",
    "similar_name",
    "snake_case",
    "spec_operations",
    "spec_schemas",
    "success_content",
    "validate_spec",
]

HTTP_METHODS: Final = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


class SpecError(ValueError):
    """The document is not a usable OpenAPI 3 spec (reported as one line, exit status 2)."""


# -- reading specs --------------------------------------------------------------------------------


def validate_spec(spec: object, origin: str) -> dict[str, Any]:
    """Return ``spec`` if it looks like an OpenAPI 3 document with a version; raise SpecError."""
    if not isinstance(spec, dict):
        raise SpecError(f"{origin} is not an OpenAPI document (a JSON object is expected)")
    if "swagger" in spec or not str(spec.get("openapi", "")).startswith("3."):
        found = spec.get("openapi", spec.get("swagger"))
        raise SpecError(f"{origin} is not an OpenAPI 3 document (openapi: {found!r})")
    if not isinstance(spec.get("paths"), dict):
        raise SpecError(f"{origin} is not an OpenAPI document (no 'paths' object)")
    info = spec.get("info")
    if not isinstance(info, dict) or not isinstance(info.get("version"), str):
        raise SpecError(f"{origin} has no info.version")
    components = spec.get("components", {})
    if not isinstance(components, dict) or not isinstance(components.get("schemas", {}), dict):
        raise SpecError(f"{origin} has a malformed 'components.schemas' object")
    return spec


def load_spec(path: str | Path) -> dict[str, Any]:
    """Read and validate an OpenAPI document (JSON); raise SpecError with one clear line."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise SpecError(f"{path} is a directory, not a spec file") from None
    except OSError as err:
        raise SpecError(f"cannot read {path}: {err.strerror or err}") from None
    try:
        spec = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise SpecError(f"{path} is not a JSON document ({err})") from None
    except RecursionError:
        raise SpecError(f"{path} is nested too deeply to be an OpenAPI document") from None
    return validate_spec(spec, str(path))


def default_pinned_path() -> Path:
    """The document the installed ``immich_client`` was generated from.

    ``immich_client/immich-openapi.json``, which travels in the wheel (scripts/regen.sh writes it,
    byte for byte ``openapi/immich-openapi.json``); in a checkout without it, that file of the checkout.
    """
    import importlib.util

    found = importlib.util.find_spec("immich_client")
    if found is not None and found.origin:
        packaged = Path(found.origin).parent / "immich-openapi.json"
        if packaged.is_file():
            return packaged
    return Path(__file__).resolve().parent.parent.parent / "openapi" / "immich-openapi.json"


def load_pinned(pinned: Mapping[str, Any] | str | Path | None) -> Mapping[str, Any]:
    if isinstance(pinned, Mapping):
        return validate_spec(dict(pinned), "the pinned spec")
    path = Path(pinned) if pinned is not None else default_pinned_path()
    if pinned is None and not path.is_file():
        raise SpecError(
            f"cannot find the pinned spec the current client was generated from ({path}); "
            "reinstall immiche (the wheel carries it) or pass --pinned PATH"
        )
    return load_spec(path)


# -- schemas --------------------------------------------------------------------------------------


def as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def spec_schemas(spec: Mapping[str, Any]) -> dict[str, Any]:
    return as_dict(as_dict(spec.get("components")).get("schemas"))


def ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def resolve_schema(spec: Mapping[str, Any], node: object) -> dict[str, Any]:
    """Follow local ``$ref`` chains (``#/components/...``); an unresolvable one gives ``{}``."""
    seen: set[str] = set()
    current = as_dict(node)
    while isinstance(current.get("$ref"), str):
        ref = current["$ref"]
        if ref in seen or not ref.startswith("#/"):
            return {}
        seen.add(ref)
        target: object = spec
        for part in ref[2:].split("/"):
            target = as_dict(target).get(part.replace("~1", "/").replace("~0", "~"))
        current = as_dict(target)
    return current


@dataclass(frozen=True)
class SchemaType:
    """What a schema is, as far as a client cares: ``base`` type (``"string"``, ``"integer"``,
    ``"array"``, ``"object"``, ``"any"``...), ``format``, ``nullable``, the referenced model (for an
    array: its items' model), the items' type and the enum values."""

    base: str
    format: str = ""
    nullable: bool = False
    model: str | None = None
    items: str | None = None
    enum: tuple[str, ...] | None = None

    def __str__(self) -> str:
        if self.base == "array":
            return f"array of {self.items or 'any'}"
        if self.base == "object" and self.model:
            return self.model
        return f"{self.base}:{self.format}" if self.format else self.base

    @classmethod
    def declared(cls, text: str, model: str | None = None) -> SchemaType:
        """The type a declaration names: ``"string:date"``, ``"array"`` (+ model), ``"[Name]"``, ``"Name"``."""
        if text.startswith("[") and text.endswith("]"):
            return cls("array", model=text[1:-1], items=text[1:-1])
        if text[:1].isupper():
            return cls("object", model=text)
        base, _, fmt = text.partition(":")
        if base == "array":
            return cls("array", model=model, items=model)
        return cls(base, fmt, model=model)


def describe(spec: Mapping[str, Any], node: object, depth: int = 0) -> SchemaType:
    """The :class:`SchemaType` of a schema of ``spec`` (through refs, ``allOf`` wrappers and
    OpenAPI 3.1 ``null`` unions)."""
    schema = as_dict(node)
    nullable = schema.get("nullable") is True
    if depth > 16:
        return SchemaType("any", nullable=nullable)
    ref = schema.get("$ref")
    if isinstance(ref, str):
        inner = describe(spec, resolve_schema(spec, schema), depth + 1)
        return replace(inner, model=ref_name(ref), nullable=inner.nullable or nullable)
    for key in ("allOf", "oneOf", "anyOf"):
        parts = [part for part in as_list(schema.get(key)) if as_dict(part).get("type") != "null"]
        if key in schema:
            nullable = nullable or len(parts) < len(as_list(schema.get(key)))
            if len(parts) == 1:
                inner = describe(spec, parts[0], depth + 1)
                return replace(inner, nullable=inner.nullable or nullable)
            return SchemaType("any" if not parts else key, nullable=nullable)
    kind = schema.get("type")
    if isinstance(kind, list):  # OpenAPI 3.1: ["string", "null"]
        nullable = nullable or "null" in kind
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    enum = schema.get("enum")
    values = tuple(str(value) for value in enum) if isinstance(enum, list) else None
    if kind == "array":
        items = describe(spec, schema.get("items"), depth + 1)
        return SchemaType("array", nullable=nullable, model=items.model, items=str(items))
    if not isinstance(kind, str):
        kind = "object" if "properties" in schema else "any"
    fmt = schema.get("format")
    return SchemaType(kind, fmt if isinstance(fmt, str) else "", nullable, enum=values)


def schema_properties(schema: Mapping[str, Any]) -> dict[str, Any]:
    return as_dict(schema.get("properties"))


def schema_required(schema: Mapping[str, Any]) -> list[str]:
    return [name for name in as_list(schema.get("required")) if isinstance(name, str)]


def snake_case(value: str) -> str:
    """openapi-python-client's module and argument names: ``getAllPeople`` -> ``get_all_people``."""
    value = "".join(ch for ch in value if ch.isidentifier() or ch.isdecimal() or ch in ". _-")
    if any(ch.isupper() for ch in value):
        value = " ".join(re.split("([A-Z]?[a-z]+)", value))
    return "_".join(re.findall(r"[^. _-]+", value)).lower()


def similar_name(name: str, candidates: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def looks_renamed(name: str, old: Mapping[str, SchemaType], new: Mapping[str, SchemaType]) -> str | None:
    """Which name of ``new`` (fields or parameters, in order) looks like ``name`` of ``old`` renamed:
    one that ``old`` lacks with a close name, or with the same type at the same position (or the
    only one of that type when the count did not change)."""
    added = [other for other in new if other not in old]
    similar = similar_name(name, added)
    if similar or name not in old:
        return similar
    same_type = [other for other in added if new[other] == old[name]]
    position = list(old).index(name)
    for other in same_type:
        if list(new).index(other) == position or (len(same_type) == 1 and len(new) == len(old)):
            return other
    return None


# -- operations -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpecOperation:
    operation_id: str
    method: str
    path: str
    node: dict[str, Any]
    parameters: tuple[dict[str, Any], ...]


def spec_operations(spec: Mapping[str, Any]) -> list[SpecOperation]:
    found = []
    for path, path_item in as_dict(spec.get("paths")).items():
        item = as_dict(path_item)
        shared = [resolve_schema(spec, p) for p in as_list(item.get("parameters"))]
        for method in HTTP_METHODS:
            node = as_dict(item.get(method))
            if not node:
                continue
            own = [resolve_schema(spec, p) for p in as_list(node.get("parameters"))]
            keys = {(p.get("name"), p.get("in")) for p in own}
            params = tuple(own + [p for p in shared if (p.get("name"), p.get("in")) not in keys])
            operation_id = node.get("operationId")
            found.append(
                SpecOperation(
                    operation_id if isinstance(operation_id, str) else "", method.upper(), str(path), node, params
                )
            )
    return found


def success_content(spec: Mapping[str, Any], node: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``content`` of the first 2xx response (``{}`` when it has none), ``None`` without one."""
    responses = as_dict(node.get("responses"))
    for code in sorted(str(code) for code in responses):
        if code.startswith("2"):
            return as_dict(resolve_schema(spec, responses.get(code)).get("content"))
    return None


def json_schema(content: Mapping[str, Any]) -> dict[str, Any] | None:
    for media, entry in content.items():
        if "json" in str(media):
            return as_dict(as_dict(entry).get("schema"))
    return None
