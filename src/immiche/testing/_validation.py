"""Query and body validation with Immich's messages (v2 class-validator, v3 zod)."""

from __future__ import annotations

import math
import re
from typing import Any

from immiche.testing._errors import Issue
from immiche.testing._models import UUID_V4

__all__ = ["check_boolean", "check_email", "check_integer", "check_password", "check_search_name", "check_uuid"]

_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_PREFIXED = re.compile(r"0([xXoObB])([0-9a-fA-F]+)")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)+$")


def _js_number(values: list[str]) -> float:
    """What JavaScript's ``Number(value)`` makes of a query value (class-transformer's ``@Type``)."""
    if len(values) != 1:
        return math.nan  # a repeated parameter arrives as an array
    text = values[0].strip()
    if not text:
        return 0.0
    if _DECIMAL.fullmatch(text):
        return float(text)
    prefixed = _PREFIXED.fullmatch(text)
    if prefixed:
        try:
            return float(int(prefixed.group(2), {"x": 16, "o": 8, "b": 2}[prefixed.group(1).lower()]))
        except ValueError:
            return math.nan
    return {"Infinity": math.inf, "+Infinity": math.inf, "-Infinity": -math.inf}.get(text, math.nan)


def check_integer(
    name: str, values: list[str] | None, *, default: int, maximum: int | None, v2_maximum: bool = True
) -> tuple[int, Issue | None]:
    """An integer parameter ``>= 1`` and ``<= maximum`` (``page`` and ``size``).

    ``v2_maximum=False``: v2 does not check the maximum (``page`` had none before v3).
    """
    if values is None:
        return default, None
    number = _js_number(values)
    too_big = maximum is not None and not number <= maximum
    too_small = not number >= 1
    not_int = not (math.isfinite(number) and number.is_integer())
    v2 = []
    if too_big and v2_maximum:
        v2.append(f"{name} must not be greater than {maximum}")
    if too_small:
        v2.append(f"{name} must not be less than 1")
    if not_int:
        v2.append(f"{name} must be an integer number")
    if math.isnan(number):
        code, message = "invalid_type", "Invalid input: expected number, received NaN"
    elif not_int:
        code, message = "invalid_type", "Invalid input: expected int, received number"
    elif too_small:
        code, message = "too_small", "Too small: expected number to be >=1"
    elif too_big:
        code, message = "too_big", f"Too big: expected number to be <={maximum}"
    else:
        return int(number), None
    if not v2:  # only v3 rejects it (a page beyond v3's maximum)
        return int(number), Issue(name, (), code, message)
    return default, Issue(name, tuple(v2), code, message)


def check_boolean(name: str, values: list[str] | None) -> tuple[bool, Issue | None]:
    """Exactly ``true`` or ``false``; anything else is rejected."""
    if values is None:
        return False, None
    if values == ["true"]:
        return True, None
    if values == ["false"]:
        return False, None
    return False, Issue(
        name, (f"{name} must be a boolean value",), "invalid_value", 'Invalid option: expected one of "true"|"false"'
    )


def check_uuid(name: str, value: str | list[str] | None) -> Issue | None:
    """A UUID v4 (any case); ``None`` passes (optional parameters)."""
    if value is None:
        return None
    if isinstance(value, str) and UUID_V4.match(value):
        return None
    return Issue(name, (f"{name} must be a UUID",), "invalid_format", "Invalid UUID")


def check_search_name(values: list[str] | None) -> tuple[str, Issue | None]:
    """``GET /search/person``'s required, non-empty ``name``."""
    if values is None:
        return "", Issue(
            "name",
            ("name should not be empty", "name must be a string"),
            "invalid_type",
            "Invalid input: expected string, received undefined",
        )
    if len(values) != 1:
        return "", Issue(
            "name", ("name must be a string",), "invalid_type", "Invalid input: expected string, received array"
        )
    if not values[0]:
        return "", Issue(
            "name", ("name should not be empty",), "too_small", "Too small: expected string to have >=1 characters"
        )
    return values[0], None


def check_email(value: Any) -> Issue | None:
    """The login's ``email``."""
    if value is None or value == "":
        return Issue(
            "email",
            ("email should not be empty", "email must be an email"),
            "invalid_type" if value is None else "invalid_format",
            "Invalid input: expected string, received undefined" if value is None else "Invalid email address",
        )
    if not isinstance(value, str) or not _EMAIL.match(value):
        return Issue("email", ("email must be an email",), "invalid_format", "Invalid email address")
    return None


def check_password(value: Any) -> Issue | None:
    """The login's ``password``."""
    if value is None:
        return Issue(
            "password",
            ("password should not be empty", "password must be a string"),
            "invalid_type",
            "Invalid input: expected string, received undefined",
        )
    if not isinstance(value, str):
        return Issue("password", ("password must be a string",), "invalid_type", "Invalid input: expected string")
    if not value:
        return Issue(
            "password",
            ("password should not be empty",),
            "too_small",
            "Too small: expected string to have >=1 characters",
        )
    return None
