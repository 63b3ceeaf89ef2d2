"""Error bodies as Immich v2 and v3 write them, and compact JSON encoding.

- v2 (NestJS + class-validator): ``{message, error, statusCode, correlationId}``; validation errors
  put every failed constraint's message in a list; the correlation id is also in ``x-immich-cid``.
- v3: ``{message}`` only, the id in ``X-Correlation-ID``; validation errors are
  ``{"message": "Validation failed", "errors": [{code, path, message}, ...]}``. The v3 codes and
  messages follow zod's defaults; the exact wording of a v3 server may differ (uncertain).
"""

from __future__ import annotations

import json
import secrets
import string
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal

__all__ = [
    "Issue",
    "Version",
    "correlation_header",
    "dumps",
    "error_body",
    "new_correlation_id",
    "validation_body",
]

Version = Literal["v2", "v3"]

_ALPHABET = string.ascii_lowercase + string.digits


@dataclass(frozen=True)
class Issue:
    """One failed validation, in both dialects.

    Attributes:
        field: the parameter's name.
        v2: class-validator's messages for it, in the order v2 lists them.
        code: the zod issue code (v3).
        message: the zod message (v3).
        path: the zod path when it is not just ``[field]`` (``("people", 1, "id")``).
    """

    field: str
    v2: tuple[str, ...]
    code: str
    message: str
    path: tuple[str | int, ...] = ()


def dumps(value: Any) -> bytes:
    """Compact UTF-8 JSON, like Express's ``res.json``."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def new_correlation_id() -> str:
    """An 8-character request id like the ones Immich logs."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(8))


def correlation_header(version: Version) -> str:
    """The response header that carries the correlation id."""
    return "x-immich-cid" if version == "v2" else "X-Correlation-ID"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def error_body(
    version: Version, status: int, message: str, correlation_id: str, *, with_error: bool = True
) -> dict[str, Any]:
    """An error body; ``with_error=False`` leaves out v2's ``error`` (the thumbnail 404 does)."""
    if version == "v3":
        return {"message": message}
    body: dict[str, Any] = {"message": message}
    if with_error:
        body["error"] = _phrase(status)
    body["statusCode"] = status
    body["correlationId"] = correlation_id
    return body


def validation_body(version: Version, issues: list[Issue], correlation_id: str) -> dict[str, Any]:
    """The 400 body for failed request validation."""
    if version == "v3":
        return {
            "message": "Validation failed",
            "errors": [
                {"code": issue.code, "path": list(issue.path) or [issue.field], "message": issue.message}
                for issue in issues
            ],
        }
    messages = [message for issue in issues for message in issue.v2]
    return {"message": messages, "error": "Bad Request", "statusCode": 400, "correlationId": correlation_id}
