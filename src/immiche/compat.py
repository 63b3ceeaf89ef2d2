"""Does the immiche facade fit another Immich version's API? A check against its OpenAPI document.

The facade declares what it needs from the API in :mod:`immiche._contract`: the operations it calls
(with the parameters it sends and the model it parses), and the fields it reads from each response
model, with the type it expects. :func:`check` compares that declaration with any Immich OpenAPI
document, and with the pinned document the current ``immich_client`` was generated from:

- **operations**: found by operationId, with the declared method, path and generated module; each
  parameter the facade sends exists with a type that accepts what it sends; no new required
  parameter; the success response is the declared model (through ``$ref`` and arrays of refs). An
  ``optional`` operation may be absent and one may carry a ``former_ids`` name (both tolerated).
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
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from immiche import _contract
from immiche._openapi import (
    SchemaType,
    SpecError,
    SpecOperation,
    as_dict,
    as_list,
    default_pinned_path,
    describe,
    json_schema,
    load_pinned,
    load_spec,
    looks_renamed,
    resolve_schema,
    schema_properties,
    schema_required,
    similar_name,
    snake_case,
    spec_operations,
    spec_schemas,
    success_content,
    validate_spec,
)

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

_NUMERIC: Final = frozenset({"integer", "number"})


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


class _Checker:
    def __init__(self, spec: Mapping[str, Any], pinned: Mapping[str, Any]) -> None:
        self.spec, self.pinned = spec, pinned
        self.ops = spec_operations(spec)
        self.pinned_ops = {op.operation_id: op for op in spec_operations(pinned)}
        self.by_id = {op.operation_id: op for op in self.ops if op.operation_id}
        self.schemas, self.pinned_schemas = spec_schemas(spec), spec_schemas(pinned)
        self.declared_models = {model.name for model in _contract.MODELS}
        self.findings: list[Finding] = []
        self._nested_seen: set[str] = set()  # a model parsed inside several declared ones is checked once

    def add(self, subject: str, status: str, detail: str = "", breaking: bool = False) -> None:
        self.findings.append(Finding(subject, status, detail, breaking))

    # ---- operations

    def operation(self, op: _contract.Operation) -> None:
        subject = f"operation {op.operation_id}"
        found = self.by_id.get(op.operation_id)
        former = next((self.by_id[name] for name in op.former_ids if name in self.by_id and not found), None)
        if former is not None and (former.method, former.path) == (op.method, op.path):  # an older name
            found = former
            self.add(subject, TOLERATED, f"named {former.operation_id!r} here; the pinned module sends the same")
        if found is None:
            same = [o for o in self.ops if o.method == op.method and o.path == op.path and o.operation_id]
            if op.optional is not None:
                self.add(subject, TOLERATED, f"absent here; {op.optional}")
            elif same:
                new = same[0]
                tag = snake_case(str((as_list(new.node.get("tags")) or ["default"])[0]))
                detail = f"{op.method} {op.path} is now operationId {new.operation_id!r}; its generated module "
                self.add(
                    subject, RENAMED, f"{detail}becomes immich_client.api.{tag}.{snake_case(new.operation_id)}", True
                )
            else:
                similar = similar_name(op.operation_id, self.by_id)
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
        tags = as_list(found.node.get("tags")) or ["default"]
        module = f"immich_client.api.{snake_case(str(tags[0]))}.{snake_case(found.operation_id)}"
        if module != op.module and found is not former:
            problems = True
            self.add(
                subject, MOVED, f"{op.module} -> {module} (tag {tags[0]!r}): the facade imports the old module", True
            )
        if not problems and found is not former:
            self.add(subject, OK, f"{found.method} {found.path}")
        self.parameters(op, found)
        self.body(op, found)
        self.response(op, found)

    def parameters(self, op: _contract.Operation, found: SpecOperation) -> None:
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
                similar = looks_renamed(param.name, old, new)
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

    def body(self, op: _contract.Operation, found: SpecOperation) -> None:
        sent = [p for p in op.parameters if p.location == "body"]
        request = resolve_schema(self.spec, found.node.get("requestBody"))
        schema = json_schema(as_dict(request.get("content"))) if request else None
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
        resolved = resolve_schema(self.spec, schema)
        properties = schema_properties(resolved)
        elsewhere = {p.name for p in op.parameters if p.location != "body"}  # PUT /faces/{id} {id}
        for param in sent:
            item = f"operation {op.operation_id} param {param.name}" + (" (body)" * (param.name in elsewhere))
            if param.name not in properties:
                similar = looks_renamed(param.name, self._pinned_body(op), self._types(self.spec, properties))
                if similar:
                    self.add(item, RENAMED, f"missing from the body; {similar!r} looks like its new name", True)
                else:
                    self.add(item, MISSING, f"the facade sends it in the {body_type} body", breaking=True)
                continue
            self._sent_value(item, param.type, describe(self.spec, properties[param.name]))
        names = {p.name for p in sent}
        for name in schema_required(resolved):
            if name not in names:
                self.add(
                    f"operation {op.operation_id} param {name}",
                    NEW_REQUIRED,
                    f"required field of the {body_type} body the facade does not send",
                    breaking=True,
                )

    def response(self, op: _contract.Operation, found: SpecOperation) -> None:
        subject = f"operation {op.operation_id} response"
        content = success_content(self.spec, found.node)
        if content is None:
            self.add(subject, MISSING, "no success (2xx) response", breaking=True)
            return
        schema = json_schema(content)
        if not op.response:  # None: binary; "": no content (a 204)
            binary = [str(media) for media in content if "json" not in str(media)]
            if op.response == "" and schema is None:
                self.add(subject, OK, "no content")
            elif binary:
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
        pinned_schema = resolve_schema(self.pinned, self.pinned_schemas.get(model.name))
        if not isinstance(schema, dict):
            renamed = self._renamed_model(model.name)
            if renamed:
                self.add(subject, RENAMED, f"missing; {renamed}", breaking=True)
            else:
                similar = similar_name(model.name, [n for n in self.schemas if n not in self.pinned_schemas])
                self.add(subject, MISSING, f"similar: {similar}" if similar else "", breaking=True)
            return
        schema = resolve_schema(self.spec, schema)
        issues = _FieldIssues()
        issues.touch("")
        for declared in model.fields:
            issues.touch(declared.name)
            self._read_field(declared, schema, pinned_schema, issues)
        self._parser(model.name, schema, pinned_schema, model.tolerated_missing, issues)
        for name, problems in issues.items():
            item = f"model {model.name} field {name}" if name else subject
            if not problems:
                shown = str(describe(self.spec, schema_properties(schema).get(name))) if name else ""
                self.add(item, OK, shown)
                continue
            worst = next((p for p in problems if p.breaking), problems[0])
            detail = "; ".join(p.detail for p in problems if p.detail)
            self.add(item, worst.status, detail, any(p.breaking for p in problems))
        self._nested(model.name, schema, pinned_schema, seen=self._nested_seen)

    def _renamed_model(self, name: str) -> str | None:
        """Which schema now takes the place of ``name``, judging by the operations that answer with it."""
        for op in _contract.OPERATIONS:
            if op.response in (name, f"[{name}]") or op.body == name:
                found = self.by_id.get(op.operation_id)
                if found is None:
                    continue
                if op.body == name:
                    request = resolve_schema(self.spec, found.node.get("requestBody"))
                    schema = json_schema(as_dict(request.get("content")))
                else:
                    schema = json_schema(success_content(self.spec, found.node) or {})
                model = describe(self.spec, schema).model if schema is not None else None
                if model and model != name and model in self.schemas:
                    return f"{op.operation_id} now uses {model!r}"
        for parent in _contract.MODELS:
            for declared in parent.fields:
                if declared.model == name and isinstance(self.schemas.get(parent.name), dict):
                    prop = schema_properties(resolve_schema(self.spec, self.schemas[parent.name])).get(declared.name)
                    model = describe(self.spec, prop).model if prop is not None else None
                    if model and model != name and model in self.schemas:
                        return f"{parent.name}.{declared.name} now holds {model!r}"
        return None

    def _renamed_field(self, name: str, schema: Mapping[str, Any], pinned_schema: Mapping[str, Any]) -> str | None:
        old = self._types(self.pinned, schema_properties(pinned_schema))
        return looks_renamed(name, old, self._types(self.spec, schema_properties(schema)))

    @staticmethod
    def _types(spec: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, SchemaType]:
        return {name: describe(spec, prop) for name, prop in properties.items()}

    def _pinned_body(self, op: _contract.Operation) -> dict[str, SchemaType]:
        pinned_op = self.pinned_ops.get(op.operation_id)
        if pinned_op is None:
            return {}
        request = resolve_schema(self.pinned, pinned_op.node.get("requestBody"))
        schema = resolve_schema(self.pinned, json_schema(as_dict(request.get("content"))))
        return self._types(self.pinned, schema_properties(schema))

    def _read_field(
        self,
        declared: _contract.Field,
        schema: Mapping[str, Any],
        pinned_schema: Mapping[str, Any],
        issues: _FieldIssues,
    ) -> None:
        prop = schema_properties(schema).get(declared.name)
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
        if declared.required and declared.name not in schema_required(schema):
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
        required, props = schema_required(schema), schema_properties(schema)
        for field_name in schema_required(pinned_schema):
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
        props = schema_properties(schema)
        for prop_name, pinned_prop in schema_properties(pinned_schema).items():
            pinned_model = describe(self.pinned, pinned_prop).model
            if not pinned_model or pinned_model in seen or pinned_model in self.declared_models:
                continue
            seen.add(pinned_model)
            model = describe(self.spec, props[prop_name]).model if prop_name in props else None
            subject = f"model {pinned_model}"
            inside = f"parsed inside {parent}.{prop_name}"
            other = resolve_schema(self.spec, self.schemas.get(model)) if model else {}
            if not other:
                continue  # the field itself is reported (missing/changed) by its parent when it matters
            nested_pinned = resolve_schema(self.pinned, self.pinned_schemas.get(pinned_model))
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
    pinned_spec = load_pinned(pinned)
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
