"""Validate JSON responses against the pinned OpenAPI spec (or the v2.4.1 one) with jsonschema.

The spec is OpenAPI 3.0: ``nullable`` is turned into JSON Schema's ``null`` type, ``$ref``s are
resolved inside the spec document, and the ``bearer`` security scheme's invalid ``in: header`` is
stripped, in an in-memory copy only (``openapi/`` is never touched). The spec describes 2xx bodies
only; error bodies are checked against the Immich v2 / v3 error shapes instead.

::

    validator = SpecValidator.pinned()
    validator.validate("/people/{id}", "GET", 200, body)  # raises ResponseMismatch
"""

from __future__ import annotations

import copy
import datetime
import functools
import json
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).resolve().parents[2]
PINNED_SPEC = ROOT / "openapi" / "immich-openapi.json"
V2_SPEC = ROOT / "tests" / "fixtures" / "specs" / "immich-openapi-v2.4.1.json"
V3_SPEC = ROOT / "tests" / "fixtures" / "specs" / "immich-openapi-v3.0.0-prerelease-2026-05-18.json"
_SPEC_URI = "urn:immich-openapi"

#: ``GET /.well-known/immich`` is outside the API, so outside the spec.
WELL_KNOWN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["api"],
    "additionalProperties": False,
    "properties": {
        "api": {
            "type": "object",
            "required": ["endpoint"],
            "additionalProperties": False,
            "properties": {"endpoint": {"type": "string"}},
        }
    },
}

V2_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["message", "statusCode", "correlationId"],
    "additionalProperties": False,
    "properties": {
        "message": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]},
        "error": {"type": "string"},
        "statusCode": {"type": "integer"},
        "correlationId": {"type": "string", "pattern": "^[a-z0-9]{8}$"},
    },
}

V3_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["message"],
    "additionalProperties": False,
    "properties": {
        "message": {"type": "string"},
        "errors": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["code", "path", "message"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string"},
                    "path": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "message": {"type": "string"},
                },
            },
        },
    },
}


class ResponseMismatch(AssertionError):
    """A response does not match the spec (or the error shape)."""


def _format_checker() -> FormatChecker:
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        parsed = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.tzinfo is not None

    return checker


def openapi_to_json_schema(node: Any, *, closed: bool) -> Any:
    """An OpenAPI 3.0 schema tree as JSON Schema 2020-12.

    ``closed=True`` also forbids properties the spec does not declare, to catch misspelt keys.
    """
    if isinstance(node, list):
        return [openapi_to_json_schema(item, closed=closed) for item in node]
    if not isinstance(node, dict):
        return node
    out = {
        key: openapi_to_json_schema(value, closed=closed)
        for key, value in node.items()
        if key != "nullable" and key != "example" and not key.startswith("x-")
    }
    if isinstance(out.get("pattern"), str) and "\\p{" in out["pattern"]:
        del out["pattern"]  # Unicode property escapes (v3.2+ e-mail patterns): Python's re cannot compile them
    if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node and closed:
        out["additionalProperties"] = False
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:  # allOf / $ref: either that, or null
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _pointer(*parts: str) -> str:
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


class SpecValidator:
    """Checks response bodies against one spec."""

    def __init__(self, spec: dict[str, Any], *, closed: bool = True) -> None:
        spec = copy.deepcopy(spec)
        for scheme in spec.get("components", {}).get("securitySchemes", {}).values():
            if scheme.get("type") == "http":
                scheme.pop("in", None)  # invalid on an http scheme; strict validators reject it
        self.spec = spec
        self.version = str(spec["info"]["version"])
        converted = openapi_to_json_schema(spec, closed=closed)
        resource = Resource.from_contents(converted, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
        self._checker = _format_checker()

    @classmethod
    @functools.cache
    def pinned(cls) -> SpecValidator:
        """The pinned v3 spec of ``openapi/``."""
        return cls(json.loads(PINNED_SPEC.read_text(encoding="utf-8")))

    @classmethod
    @functools.cache
    def v3(cls) -> SpecValidator:
        """The pre-release v3.0.0 document the fake server's ``v3`` mode was built against (it was pinned then)."""
        return cls(json.loads(V3_SPEC.read_text(encoding="utf-8")))

    @classmethod
    @functools.cache
    def v2(cls) -> SpecValidator:
        """The v2.4.1 spec (what the recordings were made against)."""
        return cls(json.loads(V2_SPEC.read_text(encoding="utf-8")))

    def response_schema(self, template: str, method: str, status: int) -> dict[str, Any]:
        """A ``$ref`` to the JSON schema of a response; KeyError when the spec has none."""
        operation = self.spec["paths"][template][method.lower()]
        response = operation["responses"][str(status)]
        if "application/json" not in response.get("content", {}):
            raise KeyError(f"{method} {template} {status} has no JSON body in the spec")
        pointer = _pointer("paths", template, method.lower(), "responses", str(status), "content", "application/json")
        return {"$ref": f"{_SPEC_URI}#/{pointer}/schema"}

    def _check(self, schema: dict[str, Any], body: Any, what: str) -> None:
        validator = Draft202012Validator(schema, registry=self._registry, format_checker=self._checker)
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        if errors:
            details = "; ".join(f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}" for e in errors[:5])
            raise ResponseMismatch(f"{what} does not match the spec {self.version}: {details}")

    def validate(self, template: str | None, method: str, status: int, body: Any, *, dialect: str = "v3") -> None:
        """Check one response; ``dialect`` ("v2"/"v3") picks the error shape for 4xx/5xx.

        Raises:
            ResponseMismatch: the body does not match (or the spec has no such response).
        """
        what = f"{method} {template} {status}"
        if status >= 400:
            schema = V2_ERROR_SCHEMA if dialect == "v2" else V3_ERROR_SCHEMA
            self._check(schema, body, f"error body of {what} ({dialect})")
            if dialect == "v2" and body.get("statusCode") != status:
                raise ResponseMismatch(f"{what}: statusCode {body.get('statusCode')} in the body")
            return
        if template == "/.well-known/immich":
            self._check(WELL_KNOWN_SCHEMA, body, what)
            return
        if template is None:
            raise ResponseMismatch(f"{what}: a success answer outside the spec's routes")
        try:
            schema = self.response_schema(template, method, status)
        except KeyError as error:
            raise ResponseMismatch(f"{what}: not in the spec {self.version} ({error})") from None
        self._check(schema, body, what)
