"""JSON request bodies: parsing, and the field checks of the people, faces, search and album DTOs.

Each check returns the :class:`Issue` of a bad value (v2 class-validator messages, v3 zod ones),
or ``None``. ``prefix`` gives nested v2 messages their ``people.1.`` and v3 issues their path.
"""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

from immiche.testing._errors import Issue
from immiche.testing._models import UUID_V4

__all__ = [
    "BadJson",
    "birth_date",
    "check_bool",
    "check_color",
    "check_ids",
    "check_string",
    "check_uuid_value",
    "parse_body",
]

_HEX = re.compile(r"^#?([0-9A-Fa-f]{3}|[0-9A-Fa-f]{4}|[0-9A-Fa-f]{6}|[0-9A-Fa-f]{8})$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?$")
_UUID_PATTERN = "/^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12})$/"


class BadJson(Exception):
    """The body is not JSON (Immich: 400 "Unexpected end of JSON input")."""


def parse_body(body: bytes) -> dict[str, Any]:
    """The JSON object of a request; no body is ``{}``; a non-object is treated as ``{}``."""
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadJson from None
    return value if isinstance(value, dict) else {}


def _js_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "string"


def _received(value: Any, expected: str) -> str:
    return f"Invalid input: expected {expected}, received {_js_type(value) if value is not _MISSING else 'undefined'}"


_MISSING: Any = object()


def _issue(name: str, prefix: tuple[str | int, ...], v2: tuple[str, ...], code: str, message: str) -> Issue:
    dotted = "".join(f"{part}." for part in prefix)
    return Issue(name, tuple(dotted + m for m in v2), code, message, (*prefix, name) if prefix else ())


def check_string(
    body: dict[str, Any], name: str, prefix: tuple[str | int, ...] = (), *, required: bool = False
) -> Issue | None:
    value = body.get(name, _MISSING)
    if value is _MISSING:
        if not required:
            return None
        return _issue(
            name, prefix, (f"{name} should not be empty", f"{name} must be a string"), "invalid_type",
            _received(value, "string"),
        )  # fmt: skip
    if isinstance(value, str):
        if required and not value:
            return _issue(name, prefix, (f"{name} should not be empty",), "too_small", "Too small")
        return None
    return _issue(name, prefix, (f"{name} must be a string",), "invalid_type", _received(value, "string"))


def check_bool(body: dict[str, Any], name: str, prefix: tuple[str | int, ...] = ()) -> Issue | None:
    value = body.get(name, _MISSING)
    if value is _MISSING or isinstance(value, bool):
        return None
    return _issue(name, prefix, (f"{name} must be a boolean value",), "invalid_type", _received(value, "boolean"))


def check_color(body: dict[str, Any], prefix: tuple[str | int, ...] = ()) -> Issue | None:
    value = body.get("color", _MISSING)
    if value is _MISSING or value is None or (isinstance(value, str) and _HEX.match(value)):
        return None
    pattern = "/" + _HEX.pattern + "/"
    return _issue(
        "color", prefix, ("color must be a hexadecimal color",), "invalid_format",
        f"Invalid string: must match pattern {pattern}",
    )  # fmt: skip


def check_uuid_value(body: dict[str, Any], name: str, prefix: tuple[str | int, ...] = ()) -> Issue | None:
    value = body.get(name, _MISSING)
    if value is _MISSING or value is None or (isinstance(value, str) and UUID_V4.match(value)):
        return None
    return _issue(name, prefix, (f"{name} must be a UUID",), "invalid_format", "Invalid UUID")


def check_ids(body: dict[str, Any], name: str, *, required: bool = True) -> tuple[list[str] | None, Issue | None]:
    """A list of UUIDs (``ids``, ``assetIds``, ``personIds``...)."""
    value = body.get(name, _MISSING)
    if value is _MISSING and not required:
        return None, None
    if not isinstance(value, list):
        v2 = [f"each value in {name} must be a UUID"]
        if value is _MISSING or value is None:
            v2.append(f"{name} should not be empty")
        v2.append(f"{name} must be an array")
        return None, Issue(name, tuple(v2), "invalid_type", _received(value, "array"))
    for index, item in enumerate(value):
        if not (isinstance(item, str) and UUID_V4.match(item)):
            return None, Issue(
                name, (f"each value in {name} must be a UUID",), "invalid_format", "Invalid UUID", (name, index)
            )
    return [str(item) for item in value], None


def _future(name: str, prefix: tuple[str | int, ...], v2: tuple[str, ...] = ()) -> Issue:
    return _issue(
        name, prefix, (*v2, "Birth date cannot be in the future"), "custom", "Birth date cannot be in the future"
    )


def birth_date(body: dict[str, Any], v3: bool, prefix: tuple[str | int, ...] = ()) -> tuple[object, Issue | None, bool]:
    """``birthDate``: (the value to store, or ``_MISSING`` to leave it; the issue; whether v3 fails
    with a 500 "Failed to update person", as recorded for impossible dates and ``""``)."""
    value = body.get("birthDate", _MISSING)
    if value is _MISSING:
        return _MISSING, None, False
    if value is None:
        return None, None, False
    if not isinstance(value, str):
        fmt = ("birthDate must be a string in the format yyyy-MM-dd",)
        return _MISSING, _future("birthDate", prefix, fmt), False
    today = datetime.date.today()
    if v3:
        if value == "":
            return _MISSING, None, True
        match = _DATE_PREFIX.match(value)
        if match is None:
            return _MISSING, _future("birthDate", prefix), False
        try:
            parsed = datetime.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return _MISSING, None, True
        return (parsed, None, False) if parsed <= today else (_MISSING, _future("birthDate", prefix), False)
    if value == "":
        return None, None, False
    real = _real_date(_DATE_PREFIX.match(value))
    fmt_ok = _DATE.match(value) is not None and real is not None
    v2 = () if fmt_ok else ("birthDate must be a string in the format yyyy-MM-dd",)
    if real is None or real > today:
        return _MISSING, _future("birthDate", prefix, v2), False
    if not fmt_ok:
        return _MISSING, _issue("birthDate", prefix, v2, "custom", "Invalid date"), False
    return real, None, False


def _real_date(match: re.Match[str] | None) -> datetime.date | None:
    if match is None:
        return None
    try:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


MISSING = _MISSING
