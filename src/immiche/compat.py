"""Does the immiche facade fit another Immich version's API? A check against its OpenAPI document.

The facade declares what it needs from the API in :mod:`immiche._contract`: the operations it calls
(with the parameters it sends and the model it parses), and the fields it reads from each response
model, with the type it expects. :func:`check` compares that declaration with any Immich OpenAPI
document, and with the pinned document the current ``immich_client`` was generated from:

- **operations**: found by operationId, with the declared method, path and generated module; each
  parameter the facade sends exists with a type that accepts what it sends; no new required
  parameter; the success response is the declared model (through ``$ref`` and arrays of refs).
- **fields the facade reads**: exist, with the declared type (a declared type without a format
  accepts any format; ``integer``/``number`` are interchangeable), not optional where the facade
  needs them, not nullable unless declared so.
- **the current client's parser**: fields the pinned spec makes required in a parsed model (and in
  the models nested in it) that the other spec omits or makes optional, and enum values it adds,
  are *tolerated* notes: the generated models parse a missing required field to ``UNSET`` (named in
  ``missing_fields``) and keep an unknown enum value (an ``UNKNOWN`` member holding the string).
  Fields that ``openapi/overrides.json`` makes optional (``Model.tolerated_missing``) say so.

Each finding is OK, missing, renamed-looking, moved, changed type, new required or tolerated,
and says whether it breaks the facade. From a shell (an installed wheel carries the pinned document,
``immich_client/immich-openapi.json``)::

    python -m immiche.compat path/to/immich-openapi-specs.json     # or: make compat SPEC=path

Exit status: 0 when the facade fits, 1 when it would break, 2 for a bad spec file or usage
(3 for an internal error).
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import traceback
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from immiche import _contract

__all__ = [
    "BREAKING_MARK",
    "CHANGED",
    "MISSING",
    "MOVED",
    "NEW_REQUIRED",
    "OK",
    "RENAMED",
    "TOLERATED",
    "CompatReport",
    "Finding",
    "SchemaType",
    "SpecError",
    "check",
    "default_pinned_path",
    "load_spec",
    "main",
    "validate_spec",
]

OK: Final = "OK"
MISSING: Final = "missing"
RENAMED: Final = "renamed-looking"
MOVED: Final = "moved"
CHANGED: Final = "changed type"
NEW_REQUIRED: Final = "new required"
TOLERATED: Final = "tolerated"
BREAKING_MARK: Final = "BREAKS"

HTTP_METHODS: Final = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_NUMERIC: Final = frozenset({"integer", "number"})


class SpecError(ValueError):
    """The document is not a usable OpenAPI 3 spec (reported as one line, exit status 2)."""


# -- findings and the report ----------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One checked item: ``subject`` (``"operation getAllPeople param size"``), its ``status``
    (:data:`OK`, :data:`MISSING`, :data:`RENAMED`, :data:`MOVED`, :data:`CHANGED`,
    :data:`NEW_REQUIRED`, :data:`TOLERATED`), a ``detail``, and ``breaking``: whether it stops the
    facade from working with that spec."""

    subject: str
    status: str
    detail: str = ""
    breaking: bool = False

    def render(self) -> str:
        """``operation getAllPeople param size: changed type integer -> number (compatible)``."""
        text = f"{self.subject}: {self.status}"
        if self.detail:
            text += f" {self.detail}" if self.status in (CHANGED, MOVED) else f" ({self.detail})"
        if self.status in (CHANGED, MOVED) and not self.breaking:
            text += " (compatible)"
        return text

    @property
    def mark(self) -> str:
        """The report's first column: empty when OK, ``note`` (compatible or tolerated) or ``BREAKS``."""
        if self.breaking:
            return BREAKING_MARK
        return "" if self.status == OK else "note"


@dataclass(frozen=True)
class CompatReport:
    """Every finding of one check, in declaration order (operations, then models)."""

    spec_version: str
    pinned_version: str
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        """True when nothing breaks the facade."""
        return not any(item.breaking for item in self.findings)

    @property
    def problems(self) -> tuple[Finding, ...]:
        """The findings that are not OK (breaking or not)."""
        return tuple(item for item in self.findings if item.status != OK)

    @property
    def breaking(self) -> tuple[Finding, ...]:
        return tuple(item for item in self.findings if item.breaking)

    def summary(self) -> str:
        """One line: the verdict and the counts."""
        counts = {
            "breaking": len(self.breaking),
            "compatible changes": sum(
                1 for item in self.findings if not item.breaking and item.status not in (OK, TOLERATED)
            ),
            "tolerated": sum(1 for item in self.findings if not item.breaking and item.status == TOLERATED),
            "OK": sum(1 for item in self.findings if item.status == OK),
        }
        text = ", ".join(f"{number} {label}" for label, number in counts.items() if number)
        if self.ok:
            return f"compat: OK: the facade fits the Immich {self.spec_version} spec ({text})."
        return (
            f"compat: BREAKS: the facade would break with the Immich {self.spec_version} spec ({text}); "
            "adapt src/immiche and its declaration in src/immiche/_contract.py, "
            "or regenerate anyway with scripts/regen.sh --force."
        )

    def render(self, *, quiet: bool = False) -> str:
        """The report: a header, one line per finding (``quiet``: only those not OK), the summary."""
        lines = [
            f"compat: the immiche facade against the Immich {self.spec_version} spec "
            f"(the current immich_client is generated from Immich {self.pinned_version}):"
        ]
        width = len(BREAKING_MARK)
        lines += [
            f"  {item.mark:<{width}}  {item.render()}" for item in self.findings if not (quiet and item.status == OK)
        ]
        lines.append(self.summary())
        return "\n".join(lines)


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


def _load_pinned(pinned: Mapping[str, Any] | str | Path | None) -> Mapping[str, Any]:
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


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _schemas(spec: Mapping[str, Any]) -> dict[str, Any]:
    return _dict(_dict(spec.get("components")).get("schemas"))


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _resolve(spec: Mapping[str, Any], node: object) -> dict[str, Any]:
    """Follow local ``$ref`` chains (``#/components/...``); an unresolvable one gives ``{}``."""
    seen: set[str] = set()
    current = _dict(node)
    while isinstance(current.get("$ref"), str):
        ref = current["$ref"]
        if ref in seen or not ref.startswith("#/"):
            return {}
        seen.add(ref)
        target: object = spec
        for part in ref[2:].split("/"):
            target = _dict(target).get(part.replace("~1", "/").replace("~0", "~"))
        current = _dict(target)
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
    schema = _dict(node)
    nullable = schema.get("nullable") is True
    if depth > 16:
        return SchemaType("any", nullable=nullable)
    ref = schema.get("$ref")
    if isinstance(ref, str):
        inner = describe(spec, _resolve(spec, schema), depth + 1)
        return replace(inner, model=_ref_name(ref), nullable=inner.nullable or nullable)
    for key in ("allOf", "oneOf", "anyOf"):
        parts = [part for part in _list(schema.get(key)) if _dict(part).get("type") != "null"]
        if key in schema:
            nullable = nullable or len(parts) < len(_list(schema.get(key)))
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


def _properties(schema: Mapping[str, Any]) -> dict[str, Any]:
    return _dict(schema.get("properties"))


def _required(schema: Mapping[str, Any]) -> list[str]:
    return [name for name in _list(schema.get("required")) if isinstance(name, str)]


def snake_case(value: str) -> str:
    """openapi-python-client's module and argument names: ``getAllPeople`` -> ``get_all_people``."""
    value = "".join(ch for ch in value if ch.isidentifier() or ch.isdecimal() or ch in ". _-")
    if any(ch.isupper() for ch in value):
        value = " ".join(re.split("([A-Z]?[a-z]+)", value))
    return "_".join(re.findall(r"[^. _-]+", value)).lower()


def _similar(name: str, candidates: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def _looks_renamed(name: str, old: Mapping[str, SchemaType], new: Mapping[str, SchemaType]) -> str | None:
    """Which name of ``new`` (fields or parameters, in order) looks like ``name`` of ``old`` renamed:
    one that ``old`` lacks with a close name, or with the same type at the same position (or the
    only one of that type when the count did not change)."""
    added = [other for other in new if other not in old]
    similar = _similar(name, added)
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
class _SpecOperation:
    operation_id: str
    method: str
    path: str
    node: dict[str, Any]
    parameters: tuple[dict[str, Any], ...]


def _operations(spec: Mapping[str, Any]) -> list[_SpecOperation]:
    found = []
    for path, path_item in _dict(spec.get("paths")).items():
        item = _dict(path_item)
        shared = [_resolve(spec, p) for p in _list(item.get("parameters"))]
        for method in HTTP_METHODS:
            node = _dict(item.get(method))
            if not node:
                continue
            own = [_resolve(spec, p) for p in _list(node.get("parameters"))]
            keys = {(p.get("name"), p.get("in")) for p in own}
            params = tuple(own + [p for p in shared if (p.get("name"), p.get("in")) not in keys])
            operation_id = node.get("operationId")
            found.append(
                _SpecOperation(
                    operation_id if isinstance(operation_id, str) else "", method.upper(), str(path), node, params
                )
            )
    return found


def _success_content(spec: Mapping[str, Any], node: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``content`` of the first 2xx response (``{}`` when it has none), ``None`` without one."""
    responses = _dict(node.get("responses"))
    for code in sorted(str(code) for code in responses):
        if code.startswith("2"):
            return _dict(_resolve(spec, responses.get(code)).get("content"))
    return None


def _json_schema(content: Mapping[str, Any]) -> dict[str, Any] | None:
    for media, entry in content.items():
        if "json" in str(media):
            return _dict(_dict(entry).get("schema"))
    return None


class _Checker:
    def __init__(self, spec: Mapping[str, Any], pinned: Mapping[str, Any]) -> None:
        self.spec, self.pinned = spec, pinned
        self.ops = _operations(spec)
        self.pinned_ops = {op.operation_id: op for op in _operations(pinned)}
        self.by_id = {op.operation_id: op for op in self.ops if op.operation_id}
        self.schemas, self.pinned_schemas = _schemas(spec), _schemas(pinned)
        self.declared_models = {model.name for model in _contract.MODELS}
        self.findings: list[Finding] = []

    def add(self, subject: str, status: str, detail: str = "", breaking: bool = False) -> None:
        self.findings.append(Finding(subject, status, detail, breaking))

    # ---- operations

    def operation(self, op: _contract.Operation) -> None:
        subject = f"operation {op.operation_id}"
        found = self.by_id.get(op.operation_id)
        if found is None:
            same = [o for o in self.ops if o.method == op.method and o.path == op.path and o.operation_id]
            if same:
                new = same[0]
                tag = snake_case(str((_list(new.node.get("tags")) or ["default"])[0]))
                self.add(
                    subject,
                    RENAMED,
                    f"{op.method} {op.path} is now operationId {new.operation_id!r}; its generated module "
                    f"becomes immich_client.api.{tag}.{snake_case(new.operation_id)}",
                    breaking=True,
                )
            else:
                similar = _similar(op.operation_id, self.by_id)
                where = f"no operation {op.method} {op.path} either"
                self.add(subject, MISSING, where + (f"; similar: {similar}" if similar else ""), breaking=True)
            return
        problems = False
        if (found.method, found.path) != (op.method, op.path):
            problems = True
            self.add(
                subject,
                MOVED,
                f"{op.method} {op.path} -> {found.method} {found.path}; the generated endpoint follows it, "
                "update src/immiche/_contract.py",
            )
        tags = _list(found.node.get("tags")) or ["default"]
        module = f"immich_client.api.{snake_case(str(tags[0]))}.{snake_case(found.operation_id)}"
        if module != op.module:
            problems = True
            self.add(
                subject,
                MOVED,
                f"{op.module} -> {module} (tag {tags[0]!r}): the facade imports the old module",
                breaking=True,
            )
        if not problems:
            self.add(subject, OK, f"{found.method} {found.path}")
        self.parameters(op, found)
        self.body(op, found)
        self.response(op, found)

    def parameters(self, op: _contract.Operation, found: _SpecOperation) -> None:
        sent = {(p.name, p.location) for p in op.parameters}
        pinned_op = self.pinned_ops.get(op.operation_id)
        old = (
            {str(p.get("name")): describe(self.pinned, p.get("schema")) for p in pinned_op.parameters}
            if pinned_op
            else {}
        )
        new = {str(p.get("name")): describe(self.spec, p.get("schema")) for p in found.parameters}
        for param in op.parameters:
            if param.location == "body":
                continue
            subject = f"operation {op.operation_id} param {param.name}"
            match = [p for p in found.parameters if p.get("name") == param.name]
            if not match:
                similar = _looks_renamed(param.name, old, new)
                if similar:
                    self.add(subject, RENAMED, f"missing; {similar!r} looks like its new name", breaking=True)
                else:
                    self.add(subject, MISSING, f"the facade sends it in the {param.location}", breaking=True)
                continue
            spec_param = match[0]
            if spec_param.get("in") != param.location:
                self.add(subject, CHANGED, f"location {param.location} -> {spec_param.get('in')}", breaking=True)
                continue
            self._sent_value(subject, param.type, describe(self.spec, spec_param.get("schema")))
        for spec_param in found.parameters:
            if spec_param.get("required") is True and (spec_param.get("name"), spec_param.get("in")) not in sent:
                self.add(
                    f"operation {op.operation_id} param {spec_param.get('name')}",
                    NEW_REQUIRED,
                    f"required {spec_param.get('in')} parameter the facade does not send",
                    breaking=True,
                )

    def _sent_value(self, subject: str, declared: str, spec_type: SchemaType) -> None:
        """A value the facade sends (``declared``) against what the spec accepts."""
        sent = SchemaType.declared(declared)
        if spec_type.base == sent.base:
            if not sent.format or sent.format == spec_type.format:
                self.add(subject, OK, str(spec_type) if sent.format else sent.base)
            elif not spec_type.format:
                self.add(subject, CHANGED, f"{sent} -> {spec_type}")
            else:
                self.add(subject, CHANGED, f"{sent} -> {spec_type}", breaking=True)
        elif (sent.base == "integer" and spec_type.base == "number") or spec_type.base == "any":
            self.add(subject, CHANGED, f"{sent} -> {spec_type}")
        else:
            self.add(subject, CHANGED, f"{sent} -> {spec_type}", breaking=True)

    def body(self, op: _contract.Operation, found: _SpecOperation) -> None:
        sent = [p for p in op.parameters if p.location == "body"]
        request = _resolve(self.spec, found.node.get("requestBody"))
        schema = _json_schema(_dict(request.get("content"))) if request else None
        if not sent and op.body is None:
            if request.get("required") is True:
                self.add(
                    f"operation {op.operation_id} body",
                    NEW_REQUIRED,
                    "required request body the facade does not send",
                    breaking=True,
                )
            return
        subject = f"operation {op.operation_id} body"
        if schema is None:
            self.add(subject, MISSING, "no JSON request body", breaking=True)
            return
        body_type = describe(self.spec, schema)
        if op.body is not None and body_type.model != op.body:
            self.add(subject, CHANGED, f"{op.body} -> {body_type}", breaking=True)
            return
        self.add(subject, OK, str(body_type))
        resolved = _resolve(self.spec, schema)
        properties = _properties(resolved)
        for param in sent:
            item = f"operation {op.operation_id} param {param.name}"
            if param.name not in properties:
                similar = _looks_renamed(param.name, self._pinned_body(op), self._types(self.spec, properties))
                if similar:
                    self.add(item, RENAMED, f"missing from the body; {similar!r} looks like its new name", True)
                else:
                    self.add(item, MISSING, f"the facade sends it in the {body_type} body", breaking=True)
                continue
            self._sent_value(item, param.type, describe(self.spec, properties[param.name]))
        names = {p.name for p in sent}
        for name in _required(resolved):
            if name not in names:
                self.add(
                    f"operation {op.operation_id} param {name}",
                    NEW_REQUIRED,
                    f"required field of the {body_type} body the facade does not send",
                    breaking=True,
                )

    def response(self, op: _contract.Operation, found: _SpecOperation) -> None:
        subject = f"operation {op.operation_id} response"
        content = _success_content(self.spec, found.node)
        if content is None:
            self.add(subject, MISSING, "no success (2xx) response", breaking=True)
            return
        schema = _json_schema(content)
        if op.response is None:
            binary = [str(media) for media in content if "json" not in str(media)]
            if binary:
                self.add(subject, OK, f"{binary[0]}, binary")
            else:
                shown = describe(self.spec, schema) if schema is not None else "no content"
                self.add(subject, CHANGED, f"binary -> {shown}", breaking=True)
            return
        expected = SchemaType.declared(op.response)
        actual = describe(self.spec, schema) if schema is not None else SchemaType("none")
        if actual.base == expected.base and actual.model == expected.model:
            self.add(subject, OK, str(expected))
        else:
            self.add(subject, CHANGED, f"{expected} -> {actual if schema is not None else 'no JSON'}", breaking=True)

    # ---- models

    def model(self, model: _contract.Model) -> None:
        subject = f"model {model.name}"
        schema = self.schemas.get(model.name)
        pinned_schema = _resolve(self.pinned, self.pinned_schemas.get(model.name))
        if not isinstance(schema, dict):
            renamed = self._renamed_model(model.name)
            if renamed:
                self.add(subject, RENAMED, f"missing; {renamed}", breaking=True)
            else:
                similar = _similar(model.name, [n for n in self.schemas if n not in self.pinned_schemas])
                self.add(subject, MISSING, f"similar: {similar}" if similar else "", breaking=True)
            return
        schema = _resolve(self.spec, schema)
        issues = _FieldIssues()
        issues.touch("")
        for declared in model.fields:
            issues.touch(declared.name)
            self._read_field(declared, schema, pinned_schema, issues)
        self._parser(model.name, schema, pinned_schema, model.tolerated_missing, issues)
        for name, problems in issues.items():
            item = f"model {model.name} field {name}" if name else subject
            if not problems:
                shown = str(describe(self.spec, _properties(schema).get(name))) if name else ""
                self.add(item, OK, shown)
                continue
            worst = next((p for p in problems if p.breaking), problems[0])
            detail = "; ".join(p.detail for p in problems if p.detail)
            self.add(item, worst.status, detail, any(p.breaking for p in problems))
        self._nested(model.name, schema, pinned_schema, seen={model.name})

    def _renamed_model(self, name: str) -> str | None:
        """Which schema now takes the place of ``name``, judging by the operations that answer with it."""
        for op in _contract.OPERATIONS:
            if op.response in (name, f"[{name}]") or op.body == name:
                found = self.by_id.get(op.operation_id)
                if found is None:
                    continue
                if op.body == name:
                    request = _resolve(self.spec, found.node.get("requestBody"))
                    schema = _json_schema(_dict(request.get("content")))
                else:
                    schema = _json_schema(_success_content(self.spec, found.node) or {})
                model = describe(self.spec, schema).model if schema is not None else None
                if model and model != name and model in self.schemas:
                    return f"{op.operation_id} now uses {model!r}"
        for parent in _contract.MODELS:
            for declared in parent.fields:
                if declared.model == name and isinstance(self.schemas.get(parent.name), dict):
                    prop = _properties(_resolve(self.spec, self.schemas[parent.name])).get(declared.name)
                    model = describe(self.spec, prop).model if prop is not None else None
                    if model and model != name and model in self.schemas:
                        return f"{parent.name}.{declared.name} now holds {model!r}"
        return None

    def _renamed_field(self, name: str, schema: Mapping[str, Any], pinned_schema: Mapping[str, Any]) -> str | None:
        old = self._types(self.pinned, _properties(pinned_schema))
        return _looks_renamed(name, old, self._types(self.spec, _properties(schema)))

    @staticmethod
    def _types(spec: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, SchemaType]:
        return {name: describe(spec, prop) for name, prop in properties.items()}

    def _pinned_body(self, op: _contract.Operation) -> dict[str, SchemaType]:
        pinned_op = self.pinned_ops.get(op.operation_id)
        if pinned_op is None:
            return {}
        request = _resolve(self.pinned, pinned_op.node.get("requestBody"))
        schema = _resolve(self.pinned, _json_schema(_dict(request.get("content"))))
        return self._types(self.pinned, _properties(schema))

    def _read_field(
        self,
        declared: _contract.Field,
        schema: Mapping[str, Any],
        pinned_schema: Mapping[str, Any],
        issues: _FieldIssues,
    ) -> None:
        prop = _properties(schema).get(declared.name)
        if prop is None:
            renamed = self._renamed_field(declared.name, schema, pinned_schema)
            if renamed:
                issues.add(declared.name, RENAMED, f"the facade reads it; {renamed!r} looks like its new name", True)
            else:
                issues.add(declared.name, MISSING, "the facade reads it", True)
            return
        want = SchemaType.declared(declared.type, declared.model)
        have = describe(self.spec, prop)
        if have.base != want.base and not ({have.base, want.base} <= _NUMERIC):
            issues.add(declared.name, CHANGED, f"{want} -> {have}", True)
        elif have.base != want.base:
            issues.add(declared.name, CHANGED, f"{want} -> {have}")
        elif (want.format and have.format != want.format) or (want.model and have.model != want.model):
            issues.add(declared.name, CHANGED, f"{want} -> {have}", True)
        if declared.required and declared.name not in _required(schema):
            issues.add(declared.name, CHANGED, "required -> optional (the facade needs it)", True)
        if have.nullable and not declared.nullable:
            issues.add(declared.name, CHANGED, "nullable added (the facade expects a value)", True)

    def _parser(
        self,
        name: str,
        schema: Mapping[str, Any],
        pinned_schema: Mapping[str, Any],
        tolerated: Sequence[str],
        issues: _FieldIssues,
    ) -> None:
        """Fields the pinned spec requires that this spec may omit, and enum values it adds: the
        generated parser tolerates both (a missing required field parses to ``UNSET`` and is named in
        ``missing_fields``; an unknown enum value to an ``UNKNOWN`` member keeping the string), so
        they are notes, not breaks; what the facade itself reads is checked by :meth:`_read_field`."""
        required, props = _required(schema), _properties(schema)
        for field_name in _required(pinned_schema):
            if field_name in required or issues.by_field.get(field_name):
                continue
            state = "absent" if field_name not in props else "optional"
            if field_name in tolerated:
                why = "openapi/overrides.json makes it optional"
            else:
                renamed = self._renamed_field(field_name, schema, pinned_schema) if state == "absent" else None
                looks = f"; {renamed!r} looks like its new name" if renamed else ""
                why = f"the generated parser leaves it UNSET when missing{looks}"
            issues.add(field_name, TOLERATED, f"required in the pinned spec, {state} here; {why}")
        pinned_enum = describe(self.pinned, pinned_schema).enum
        enum = describe(self.spec, schema).enum
        if pinned_enum is not None and enum is not None:
            added = [value for value in enum if value not in pinned_enum]
            if added:
                issues.add(
                    "",
                    TOLERATED,
                    f"enum gains {', '.join(map(repr, added))}: the generated parser keeps unknown values",
                )

    def _nested(self, parent: str, schema: Mapping[str, Any], pinned_schema: Mapping[str, Any], seen: set[str]) -> None:
        """The models the pinned parser parses inside ``parent`` (not declared ones: checked on their own)."""
        props = _properties(schema)
        for prop_name, pinned_prop in _properties(pinned_schema).items():
            pinned_model = describe(self.pinned, pinned_prop).model
            if not pinned_model or pinned_model in seen or pinned_model in self.declared_models:
                continue
            seen.add(pinned_model)
            model = describe(self.spec, props[prop_name]).model if prop_name in props else None
            subject = f"model {pinned_model}"
            inside = f"parsed inside {parent}.{prop_name}"
            other = _resolve(self.spec, self.schemas.get(model)) if model else {}
            if not other:
                continue  # the field itself is reported (missing/changed) by its parent when it matters
            nested_pinned = _resolve(self.pinned, self.pinned_schemas.get(pinned_model))
            issues = _FieldIssues()
            self._parser(pinned_model, other, nested_pinned, (), issues)
            problems = [(name, p) for name, found in issues.items() for p in found]
            if not problems:
                self.add(subject, OK, inside + (f", now {model}" if model != pinned_model else ""))
            for name, problem in problems:
                item = f"{subject} field {name}" if name else subject
                self.add(item, problem.status, f"{problem.detail} ({inside})", problem.breaking)
            self._nested(pinned_model, other, nested_pinned, seen)


@dataclass
class _Issue:
    status: str
    detail: str
    breaking: bool = False


@dataclass
class _FieldIssues:
    """Problems per field name, in the order the fields were first mentioned (``""``: the model)."""

    by_field: dict[str, list[_Issue]] = field(default_factory=dict)

    def touch(self, name: str) -> None:
        self.by_field.setdefault(name, [])

    def add(self, name: str, status: str, detail: str, breaking: bool = False) -> None:
        self.by_field.setdefault(name, []).append(_Issue(status, detail, breaking))

    def breaks(self, name: str) -> bool:
        return any(issue.breaking for issue in self.by_field.get(name, ()))

    def items(self) -> Iterator[tuple[str, list[_Issue]]]:
        yield from self.by_field.items()


def check(spec: Mapping[str, Any], *, pinned: Mapping[str, Any] | str | Path | None = None) -> CompatReport:
    """Check the facade's declared needs (:mod:`immiche._contract`) against the OpenAPI ``spec``.

    ``pinned`` is the spec the current ``immich_client`` was generated from (a document or a path);
    by default ``openapi/immich-openapi.json`` of the checkout. Raises :class:`SpecError` when
    either document is not a usable OpenAPI 3 spec.
    """
    spec = validate_spec(dict(spec) if isinstance(spec, Mapping) else spec, "the spec")
    pinned_spec = _load_pinned(pinned)
    checker = _Checker(spec, pinned_spec)
    for op in _contract.OPERATIONS:
        checker.operation(op)
    for model in _contract.MODELS:
        checker.model(model)
    return CompatReport(
        spec_version=str(spec["info"]["version"]),
        pinned_version=str(pinned_spec["info"]["version"]),
        findings=tuple(checker.findings),
    )


# -- command line ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m immiche.compat SPEC``: print the report; exit 0 (fits), 1 (breaks) or 2 (bad input)."""
    parser = argparse.ArgumentParser(
        prog="python -m immiche.compat",
        description="Check whether the immiche facade fits an Immich OpenAPI document "
        "(exit 0: it fits, 1: it would break, 2: bad spec file or usage).",
    )
    parser.add_argument("spec", type=Path, metavar="SPEC", help="the Immich OpenAPI document (JSON) to check against")
    parser.add_argument(
        "--pinned",
        type=Path,
        metavar="PATH",
        help="the spec the current client was generated from (default: the one installed with immich_client)",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="list only the findings that are not OK")
    args = parser.parse_args(argv)
    try:
        report = check(load_spec(args.spec), pinned=args.pinned)
    except SpecError as err:
        print(f"compat: error: {err}", file=sys.stderr)
        return 2
    except Exception:  # a bug here, not a verdict: exit 3 so that regen does not read it as "breaks"
        traceback.print_exc()
        print("compat: internal error (see above); please report it", file=sys.stderr)
        return 3
    print(report.render(quiet=args.quiet))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
