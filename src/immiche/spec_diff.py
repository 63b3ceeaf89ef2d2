"""What changed between two Immich OpenAPI documents: operations and schemas, breaking changes first.

A change is *breaking* when a client written for the old document can fail against the new one:
an operation removed, renamed or moved; a parameter removed, added as required, made required or
retyped; a different request or response model; a schema removed; a field removed, retyped, made
optional or nullable in a response (a generated parser fails), made required in a request; an enum
value removed (requests) or added (responses: stock generated enums reject unknown values). Whether a
schema is a request or a response schema is judged by the operations that reach it; one that no
operation reaches counts as both. Formats, descriptions and limits are not compared, except that a
changed format is listed as a non-breaking change.

From a shell::

    python -m immiche.spec_diff OLD.json NEW.json        # or: make spec-diff OLD=... NEW=...
    python -m immiche.spec_diff NEW.json                 # from the pinned document (in the wheel) to NEW

Exit status: 0 (whatever the differences), 2 for a bad spec file or usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from immiche._openapi import (
    SchemaType,
    SpecError,
    SpecOperation,
    as_dict,
    default_pinned_path,
    describe,
    json_schema,
    load_spec,
    resolve_schema,
    schema_properties,
    schema_required,
    spec_operations,
    spec_schemas,
    validate_spec,
)

__all__ = ["Change", "SpecDiff", "diff", "main"]

_ORDER: Final = {
    ("operation", "removed"): 0,
    ("operation", "renamed"): 1,
    ("operation", "changed"): 2,
    ("operation", "added"): 3,
    ("schema", "removed"): 4,
    ("schema", "changed"): 5,
    ("schema", "added"): 6,
}


@dataclass(frozen=True)
class Change:
    """One operation or schema that was ``added``, ``removed``, ``renamed`` or ``changed``.

    An item with breaking and non-breaking changes gives two Change objects, one of each.
    """

    kind: str  # "operation" | "schema"
    action: str  # "added" | "removed" | "renamed" | "changed"
    subject: str
    details: tuple[str, ...] = ()
    breaking: bool = False

    def render(self) -> str:
        text = f"{self.kind} {self.action}: {self.subject}"
        return text + (f": {'; '.join(self.details)}" if self.details else "")


@dataclass(frozen=True)
class SpecDiff:
    """The differences between two documents, breaking ones first."""

    old_version: str
    new_version: str
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.breaking)

    def count(self, kind: str, action: str) -> int:
        """How many operations/schemas were ``action`` (an item with both kinds of change counts once)."""
        return len({c.subject for c in self.changes if c.kind == kind and c.action == action})

    def render(self, old_name: str = "OLD", new_name: str = "NEW") -> str:
        head = f"spec-diff: Immich {self.old_version} ({old_name}) -> Immich {self.new_version} ({new_name})"
        if not self.changes:
            return f"{head}\nspec-diff: no differences in operations or schemas."
        lines = [head]
        for kind in ("operation", "schema"):
            counts = [f"{self.count(kind, a)} {a}" for a in ("added", "removed", "renamed", "changed")]
            lines.append(f"{kind}s: " + ", ".join(c for c in counts if not c.startswith("0 ")))
        breaking = self.breaking
        other = [change for change in self.changes if not change.breaking]
        lines.append("")
        lines.append(f"Breaking changes ({len(breaking)}):" if breaking else "Breaking changes: none")
        lines += [f"  ! {change.render()}" for change in breaking]
        if other:
            lines.append("")
            lines.append(f"Other changes ({len(other)}):")
            lines += [f"  {'+' if c.action == 'added' else '~'} {c.render()}" for c in other]
        return "\n".join(lines)


# -- comparing ------------------------------------------------------------------------------------


def _shape(kind: SchemaType) -> str:
    """The type without its format: what decides compatibility."""
    if kind.base == "array":
        return f"array of {kind.items.split(':')[0] if kind.items else 'any'}"
    return str(kind.model) if kind.base == "object" and kind.model else kind.base


def _type_change(old: SchemaType, new: SchemaType, *, request: bool, response: bool) -> tuple[str, bool] | None:
    """(description, breaking) of a type change, ``None`` if there is none worth listing."""
    if _shape(old) != _shape(new):
        numeric = {old.base, new.base} == {"integer", "number"}
        widened = numeric and new.base == "number"  # integer -> number: fine for what clients send
        narrowed = numeric and new.base == "integer"  # number -> integer: fine for what clients read
        breaking = not ((widened and not response) or (narrowed and not request))
        return f"{old} -> {new}", breaking
    if old.format != new.format:
        return f"format {old.format or 'none'} -> {new.format or 'none'}", False
    return None


def _refs(node: object, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[-1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _closure(spec: Mapping[str, Any], roots: Iterable[str]) -> set[str]:
    schemas, seen, todo = spec_schemas(spec), set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        found: set[str] = set()
        _refs(schemas.get(name), found)
        todo.extend(found - seen)
    return seen


def _usage(spec: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """(schemas requests use, schemas responses use), through nested refs."""
    request: set[str] = set()
    response: set[str] = set()
    for op in spec_operations(spec):
        _refs([resolve_schema(spec, p) for p in op.parameters], request)
        _refs(resolve_schema(spec, op.node.get("requestBody")), request)
        for answer in as_dict(op.node.get("responses")).values():
            _refs(resolve_schema(spec, answer), response)
    return _closure(spec, request), _closure(spec, response)


class _Differ:
    def __init__(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        self.old, self.new = old, new
        old_request, old_response = _usage(old)
        new_request, new_response = _usage(new)
        self.request, self.response = old_request | new_request, old_response | new_response
        self.changes: list[Change] = []

    def add(self, kind: str, action: str, subject: str, details: Sequence[tuple[str, bool]] = ()) -> None:
        """Record ``details`` as (text, breaking) pairs: split into a breaking and a non-breaking Change."""
        if not details:
            self.changes.append(Change(kind, action, subject, (), action in ("removed", "renamed")))
            return
        for breaking in (True, False):
            texts = tuple(text for text, flag in details if flag is breaking)
            if texts:
                self.changes.append(Change(kind, action, subject, texts, breaking))

    # ---- operations

    def operations(self) -> None:
        def key(op: SpecOperation) -> str:
            return op.operation_id or f"{op.method} {op.path}"

        old = {key(op): op for op in spec_operations(self.old)}
        new = {key(op): op for op in spec_operations(self.new)}
        new_by_route = {(op.method, op.path): op for op in new.values()}
        renamed: set[str] = set()
        for name, op in old.items():
            if name in new:
                self.operation(op, new[name])
                continue
            successor = new_by_route.get((op.method, op.path))
            if successor is not None and key(successor) not in old:
                renamed.add(key(successor))
                self.add("operation", "renamed", f"{name} -> {key(successor)} ({op.method} {op.path})")
                self.operation(op, successor)
            else:
                self.add("operation", "removed", f"{name} ({op.method} {op.path})")
        for name, op in new.items():
            if name not in old and name not in renamed:
                self.add("operation", "added", f"{name} ({op.method} {op.path})")

    def operation(self, old: SpecOperation, new: SpecOperation) -> None:
        details = _operation_details(self, old, new)
        if details:
            name = new.operation_id or f"{new.method} {new.path}"
            self.add("operation", "changed", f"{name} ({new.method} {new.path})", details)


def _operation_details(differ: _Differ, old: SpecOperation, new: SpecOperation) -> list[tuple[str, bool]]:
    found: list[tuple[str, bool]] = []
    if (old.method, old.path) != (new.method, new.path):
        found.append((f"moved {old.method} {old.path} -> {new.method} {new.path}", True))
    if bool(new.node.get("deprecated")) and not bool(old.node.get("deprecated")):
        found.append(("deprecated", False))
    old_params = {(str(p.get("name")), str(p.get("in"))): p for p in old.parameters}
    new_params = {(str(p.get("name")), str(p.get("in"))): p for p in new.parameters}
    for (name, where), param in old_params.items():
        if (name, where) not in new_params:
            found.append((f"{where} param {name} removed", True))
            continue
        other = new_params[(name, where)]
        was, now = param.get("required") is True, other.get("required") is True
        if was != now:
            found.append((f"{where} param {name} {'optional -> required' if now else 'required -> optional'}", now))
        old_type, new_type = describe(differ.old, param.get("schema")), describe(differ.new, other.get("schema"))
        change = _type_change(old_type, new_type, request=True, response=False)
        if change:
            found.append((f"{where} param {name} {change[0]}", change[1]))
        removed = _removed_values(old_type, new_type)
        if removed:
            found.append((f"{where} param {name} enum loses {removed}", True))
    for (name, where), param in new_params.items():
        if (name, where) not in old_params:
            required = param.get("required") is True
            found.append((f"{where} param {name} added" + (" (required)" if required else ""), required))
    found += _body_details(differ, old, new)
    old_answer, new_answer = _success(differ.old, old), _success(differ.new, new)
    if old_answer[0] != new_answer[0]:
        found.append((f"success status {old_answer[0] or 'none'} -> {new_answer[0] or 'none'}", False))
    if old_answer[1] != new_answer[1]:
        found.append((f"response {old_answer[1]} -> {new_answer[1]}", True))
    return found


def _body_details(differ: _Differ, old: SpecOperation, new: SpecOperation) -> list[tuple[str, bool]]:
    old_body = resolve_schema(differ.old, old.node.get("requestBody"))
    new_body = resolve_schema(differ.new, new.node.get("requestBody"))
    if not old_body and not new_body:
        return []
    if not new_body:
        return [("request body removed", True)]
    if not old_body:
        required = new_body.get("required") is True
        return [("request body added" + (" (required)" if required else ""), required)]
    found = []
    if new_body.get("required") is True and old_body.get("required") is not True:
        found.append(("request body optional -> required", True))
    old_type, new_type = _body_type(differ.old, old_body), _body_type(differ.new, new_body)
    if old_type != new_type:
        found.append((f"request body {old_type} -> {new_type}", True))
    return found


def _body_type(spec: Mapping[str, Any], body: Mapping[str, Any]) -> str:
    content = as_dict(body.get("content"))
    schema = json_schema(content)
    if schema is not None:
        return _shape(describe(spec, schema))
    return ", ".join(sorted(str(media) for media in content)) or "no content"


def _success(spec: Mapping[str, Any], op: SpecOperation) -> tuple[str, str]:
    """(status, shape) of the first 2xx response."""
    responses = as_dict(op.node.get("responses"))
    for code in sorted(str(code) for code in responses):
        if code.startswith("2"):
            content = as_dict(resolve_schema(spec, responses[code]).get("content"))
            schema = json_schema(content)
            if schema is not None:
                return code, _shape(describe(spec, schema))
            return code, ", ".join(sorted(str(media) for media in content)) or "no content"
    return "", "no success response"


def _removed_values(old: SchemaType, new: SchemaType) -> str:
    if old.enum is None or new.enum is None:
        return ""
    return ", ".join(repr(value) for value in old.enum if value not in new.enum)


def _schema_details(differ: _Differ, name: str) -> list[tuple[str, bool]]:
    old = resolve_schema(differ.old, spec_schemas(differ.old)[name])
    new = resolve_schema(differ.new, spec_schemas(differ.new)[name])
    request, response = name in differ.request, name in differ.response
    if not request and not response:
        request = response = True  # no operation reaches it: judge it both ways
    found: list[tuple[str, bool]] = []
    old_type, new_type = describe(differ.old, old), describe(differ.new, new)
    if old_type.base != new_type.base:
        found.append((f"type {old_type} -> {new_type}", True))
    if old_type.enum is not None and new_type.enum is not None:
        removed = _removed_values(old_type, new_type)
        added = ", ".join(repr(v) for v in new_type.enum if v not in old_type.enum)
        if removed:
            found.append((f"enum loses {removed}", request))
        if added:
            found.append((f"enum gains {added}", response))
    old_props, new_props = schema_properties(old), schema_properties(new)
    old_required, new_required = set(schema_required(old)), set(schema_required(new))
    for field_name, prop in old_props.items():
        if field_name not in new_props:
            found.append((f"field {field_name} removed", True))
            continue
        was, now = field_name in old_required, field_name in new_required
        if was != now:
            text = f"field {field_name} {'optional -> required' if now else 'required -> optional'}"
            found.append((text, request if now else response))
        before, after = describe(differ.old, prop), describe(differ.new, new_props[field_name])
        change = _type_change(before, after, request=request, response=response)
        if change:
            found.append((f"field {field_name} {change[0]}", change[1]))
        if before.nullable != after.nullable:
            text = f"field {field_name} {'nullable added' if after.nullable else 'nullable removed'}"
            found.append((text, response if after.nullable else request))
    for field_name in new_props:
        if field_name not in old_props:
            required = field_name in new_required
            found.append((f"field {field_name} added" + (" (required)" if required else ""), required and request))
    return found


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> SpecDiff:
    """Compare two OpenAPI documents; raise SpecError when one is not a usable OpenAPI 3 spec."""
    old = validate_spec(dict(old) if isinstance(old, Mapping) else old, "the old spec")
    new = validate_spec(dict(new) if isinstance(new, Mapping) else new, "the new spec")
    differ = _Differ(old, new)
    differ.operations()
    old_schemas, new_schemas = spec_schemas(old), spec_schemas(new)
    for name in old_schemas:
        if name not in new_schemas:
            differ.add("schema", "removed", name)
        else:
            details = _schema_details(differ, name)
            if details:
                differ.add("schema", "changed", name, details)
    for name in new_schemas:
        if name not in old_schemas:
            differ.add("schema", "added", name)
    changes = sorted(differ.changes, key=lambda c: (not c.breaking, _ORDER[(c.kind, c.action)], c.subject.casefold()))
    return SpecDiff(str(old["info"]["version"]), str(new["info"]["version"]), tuple(changes))


# -- command line ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m immiche.spec_diff [OLD] NEW``: print the summary; exit 0, or 2 for bad input."""
    parser = argparse.ArgumentParser(
        prog="python -m immiche.spec_diff",
        description="Summarise the operations and schemas added, removed and changed between two Immich "
        "OpenAPI documents, breaking changes first.",
    )
    parser.add_argument(
        "documents",
        type=Path,
        nargs="+",
        metavar="[OLD] NEW",
        help="the old and the new OpenAPI documents (JSON); with NEW alone, OLD is the pinned document "
        "the installed immich_client was generated from",
    )
    args = parser.parse_args(argv)
    if len(args.documents) > 2:
        parser.error("give at most two documents: [OLD] NEW")
    args.old, args.new = args.documents if len(args.documents) == 2 else (default_pinned_path(), args.documents[0])
    try:
        result = diff(load_spec(args.old), load_spec(args.new))
    except SpecError as err:
        print(f"spec-diff: error: {err}", file=sys.stderr)
        return 2
    print(result.render(str(args.old), str(args.new)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
