"""The exceptions immiche raises: one tree under :class:`ImmichError`.

::

    ImmichError
    ├── ImmichConnectionError        refused, DNS failure, TLS failure, reset, truncated body
    │   └── RequestTimeoutError      no answer to connect, a read, or the whole request in time
    ├── UnexpectedRedirectError      the server redirects (e.g. http -> https); never followed
    ├── InvalidResponseError         HTML or non-JSON body, JSON of the wrong shape, not Immich
    ├── APIStatusError               any other 4xx/5xx answer
    │   ├── BadRequestError          400 with the server's validation messages
    │   ├── AuthenticationError      401
    │   ├── PermissionDeniedError    403, ``permission`` names what the API key lacks
    │   ├── NotFoundError            404, and Immich's 400 "Not found or no <permission> access"
    │   ├── RateLimitError           429 once the retries are used up
    │   └── ServerError              5xx
    ├── InvalidArgumentError         (also ValueError) rejected before any request is sent
    ├── OutputFileError              (also OSError) a downloaded file cannot be written
    └── SessionError                 the profile session store
        ├── InvalidProfileNameError  (also InvalidArgumentError; ``InvalidProfileName`` is an alias)
        └── NotLoggedInError         no stored session and no credential in the environment

Every error says what went wrong and, in ``hint``, what to do about it. Errors about a request
carry ``method`` and ``path`` (the URL path, never the query), the HTTP ``status_code`` where there
is one, Immich's ``message`` and the ``correlation_id`` to quote in a bug report. No error ever
carries a credential: the clients pass every error through :func:`redact_error`, which masks their
own credential (whole or in pieces, also when a server echoes it back) and the user name,
password, query and fragment of any URL in its texts.

:class:`ImmichVersionWarning` (a ``UserWarning``) lives here too: a server outside the tested range.
"""

from __future__ import annotations

import json
import re
import sys
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "APIStatusError",
    "AuthenticationError",
    "BadRequestError",
    "ImmichConnectionError",
    "ImmichError",
    "ImmichVersionWarning",
    "InvalidArgumentError",
    "InvalidProfileName",
    "InvalidProfileNameError",
    "InvalidResponseError",
    "NotFoundError",
    "NotLoggedInError",
    "OutputFileError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestTimeoutError",
    "ServerError",
    "SessionError",
    "UnexpectedRedirectError",
    "correlation_suffix",
    "error_from_response",
    "redact",
    "redact_error",
    "redact_url",
    "warn_at_caller",
]

#: The most of an error answer's body :attr:`APIStatusError.body` keeps (bytes of a non-JSON body,
#: or the size of the JSON text parsed); a larger JSON body is kept as its first bytes.
MAX_ERROR_BODY: int = 64 * 1024


class ImmichError(Exception):
    """Base class of every error immiche raises.

    Attributes:
        message: what went wrong, in one sentence.
        hint: what to do about it, or ``None``.
        method: HTTP method of the request involved, if any.
        path: URL path of the request involved (no query string), if any.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.method = method
        self.path = path

    def __str__(self) -> str:
        where = f"{self.method} {self.path}: " if self.method and self.path else ""
        text = f"{where}{self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructor arguments: rebuild from the attributes (pickle, multiprocessing).
        return (_restore, (type(self), self.args, dict(self.__dict__)))


def _restore(cls: type[ImmichError], args: tuple[Any, ...], state: dict[str, Any]) -> ImmichError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ImmichConnectionError(ImmichError):
    """The server could not be reached or the connection broke (refused, DNS, TLS, reset)."""


class RequestTimeoutError(ImmichConnectionError):
    """The server did not answer within the timeout."""


class UnexpectedRedirectError(ImmichError):
    """The server answered with a redirect, which immiche never follows with a credential.

    Attributes:
        location: where the server points to.
        suggested_url: the server URL to configure instead, when it can be worked out.
    """

    def __init__(self, message: str, *, location: str, suggested_url: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.location = location
        self.suggested_url = suggested_url


class InvalidResponseError(ImmichError):
    """The server's answer is not what Immich sends: HTML, not JSON, or JSON of the wrong shape."""

    def __init__(self, message: str, *, status_code: int | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.status_code = status_code


class APIStatusError(ImmichError):
    """Immich answered with an error status.

    Attributes:
        status_code: the HTTP status.
        server_message: Immich's own message (validation messages joined with "; ").
        details: every validation message, when the server sent a list.
        correlation_id: the request id Immich logged (``X-Correlation-ID`` in v3, ``correlationId``
            / ``x-immich-cid`` in v2), to quote when reporting a server problem.
        body: the answer's body as the server sent it: the parsed JSON when it was JSON (up to
            :data:`MAX_ERROR_BODY` bytes), else its first :data:`MAX_ERROR_BODY` bytes (``bytes``); ``None``
            when the error was built without one. Fields immiche does not model (per-item results of
            a bulk call, for instance) can be read there.
        headers: the answer's headers (names in lower case), ``{}`` when built without them.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        server_message: str | None = None,
        details: Sequence[str] = (),
        correlation_id: str | None = None,
        body: object = None,
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(message, **kwargs)
        self.status_code = status_code
        self.server_message = server_message
        self.details: tuple[str, ...] = tuple(details)
        self.correlation_id = correlation_id
        self.body = body
        # Set-Cookie can carry a session token: never kept.
        self.headers: dict[str, str] = {
            k.lower(): v for k, v in (headers or {}).items() if k.lower() not in _SECRET_HEADERS
        }

    def __str__(self) -> str:
        return super().__str__() + correlation_suffix(self.correlation_id)


def correlation_suffix(correlation_id: str | None) -> str:
    """`` [correlation id <id>]``, the one way errors quote Immich's request id; ``""`` without one."""
    return f" [correlation id {correlation_id}]" if correlation_id else ""


_SECRET_HEADERS = frozenset({"set-cookie", "authorization", "cookie", "x-api-key"})


class BadRequestError(APIStatusError):
    """400: the server rejected the request's parameters."""


class AuthenticationError(APIStatusError):
    """401: the credential is missing, wrong, revoked or expired."""


class PermissionDeniedError(APIStatusError):
    """403: the API key lacks a permission.

    Attributes:
        permission: the missing permission named by the server (e.g. ``person.read``), if any.
    """

    def __init__(self, message: str, *, permission: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.permission = permission


class NotFoundError(APIStatusError):
    """404, or the 400 "Not found or no <permission> access" Immich answers for unknown ids.

    Attributes:
        permission: the permission the server named in a 400 "Not found or no ``asset.read``
            access" (``person.read``, ``album.read``...), else ``None``.
    """

    def __init__(self, message: str, *, permission: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.permission = permission


class RateLimitError(APIStatusError):
    """429 from a proxy in front of Immich, still there after the retries."""


class ServerError(APIStatusError):
    """5xx: the server (or a proxy in front of it) failed."""


class InvalidArgumentError(ImmichError, ValueError):
    """An argument was rejected before any request was sent."""


class OutputFileError(ImmichError, OSError):
    """A downloaded file cannot be written (missing or read-only directory, full disk).

    The previous file at that path, if any, is left as it was.
    """


class SessionError(ImmichError):
    """The profile session store cannot do what was asked (corrupt file, unwritable directory...)."""


class InvalidProfileNameError(SessionError, InvalidArgumentError):
    """A profile name that could escape the config directory or is otherwise unusable."""


#: The earlier name of :class:`InvalidProfileNameError`, kept working.
InvalidProfileName = InvalidProfileNameError


class NotLoggedInError(SessionError):
    """No stored session for the profile and no credential in the environment."""


# -- warnings -------------------------------------------------------------------------------------


class ImmichVersionWarning(UserWarning):
    """The server's version is outside the range the facade is tested against."""


_PACKAGE_DIR = str(Path(__file__).resolve().parent)


def _inside_immiche(filename: str) -> bool:
    try:
        return str(Path(filename).resolve()).startswith(_PACKAGE_DIR)
    except (OSError, ValueError):
        return False


def _caller_stacklevel() -> int:
    """The ``stacklevel`` that points :func:`warnings.warn`, called from :func:`warn_at_caller`,
    at the first frame outside the immiche package (asyncio's and the event loop's frames count as
    outside: an async caller's line is the awaiting coroutine, which is the user's)."""
    level, frame = 2, sys._getframe(2)  # stacklevel 2 = warn_at_caller's caller
    while frame.f_back is not None and _inside_immiche(frame.f_code.co_filename):
        frame, level = frame.f_back, level + 1
    return level


def warn_at_caller(warning: Warning) -> None:
    """Issue ``warning`` attributed to the user's line: the first caller outside the immiche package.

    The engine and the session store call this instead of ``warnings.warn(..., stacklevel=N)``, whose
    fixed level points into immiche on most call paths.
    """
    warnings.warn(warning, stacklevel=_caller_stacklevel())


# -- keeping credentials out of errors -------------------------------------------------------------

_REDACTED = "<redacted>"
_WINDOW = 12
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


def redact_url(url: str) -> str:
    """``url`` without what may carry a credential: user name and password, query and fragment."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    end = len(rest)
    for mark in "/?#":
        found = rest.find(mark)
        if found != -1:
            end = min(end, found)
    authority, tail = rest[:end], rest[end:]
    if "@" in authority:
        authority = _REDACTED + "@" + authority.rsplit("@", 1)[1]
    for mark in "?#":
        if mark in tail:
            tail = tail.split(mark, 1)[0] + mark + _REDACTED
            break
    return f"{scheme}://{authority}{tail}"


def redact(text: str, secrets: Sequence[str] = (), *, urls: bool = True) -> str:
    """``text`` with every URL's userinfo and query masked (unless ``urls=False``), and every
    credential in ``secrets`` masked wherever it appears, whole or as a piece of 12 characters or
    more (a server may echo a truncated key)."""
    if urls and "://" in text:
        text = _URL.sub(lambda match: redact_url(match.group()), text)
    for secret in secrets:
        if not secret:
            continue
        text = text.replace(secret, _REDACTED)
        if len(secret) <= _WINDOW:
            continue
        windows = {secret[i : i + _WINDOW] for i in range(len(secret) - _WINDOW + 1)}
        if not any(window in text for window in windows):  # the usual case, at C speed
            continue
        out: list[str] = []
        i = 0
        while i < len(text):
            if text[i : i + _WINDOW] in windows:
                end = i + _WINDOW
                while end < len(text) and text[end - _WINDOW + 1 : end + 1] in windows:
                    end += 1
                out.append(_REDACTED)
                i = end
            else:
                out.append(text[i])
                i += 1
        text = "".join(out)
    return text


def redact_error(error: ImmichError, secrets: Sequence[str] = ()) -> ImmichError:
    """Mask URLs' userinfo and queries and the given credentials in every text of ``error``
    (its message, hint, server message, details; only credentials in a redirect's ``location``,
    which is there to be followed by hand); returns the same error."""
    for name in ("message", "hint", "server_message", "location", "suggested_url"):
        value = getattr(error, name, None)
        if isinstance(value, str):  # a redirect's location is kept whole, but for credentials
            setattr(error, name, redact(value, secrets, urls=name not in ("location", "suggested_url")))
    details = getattr(error, "details", None)
    if isinstance(details, tuple):
        error.details = tuple(redact(item, secrets) for item in details)  # type: ignore[attr-defined]
    if isinstance(error, APIStatusError):
        error.body = _redact_value(error.body, secrets)
        error.headers = {name: redact(value, secrets) for name, value in error.headers.items()}
    error.args = tuple(redact(arg, secrets) if isinstance(arg, str) else arg for arg in error.args)
    return error


def _redact_value(value: object, secrets: Sequence[str]) -> object:
    """``value`` (parsed JSON or bytes) with every string in it passed through :func:`redact`."""
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, bytes):
        return redact(value.decode("latin-1"), secrets).encode("latin-1")
    if isinstance(value, Mapping):
        return {key: _redact_value(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_redact_value(item, secrets) for item in value]
    return value


# -- mapping HTTP answers to errors (the one place it happens) ---------------------------------

_PERMISSION = re.compile(r"Missing required permission: ([\w.]+)")
_NOT_FOUND_400 = re.compile(r"Not found or no ([\w.]+) access")


def _server_message(body: Any) -> tuple[str | None, list[str]]:
    """Read Immich's message from a v2 or v3 error body: (joined message, every message)."""
    if not isinstance(body, Mapping):
        return None, []
    raw = body.get("message")
    messages: list[str]
    if isinstance(raw, list):
        messages = [str(item) for item in raw]
    elif isinstance(raw, str):
        messages = [raw]
    else:
        messages = []
    errors = body.get("errors")  # v3 validation: [{code, path, message}, ...]
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, Mapping) and item.get("message"):
                where = item.get("path")
                path = ".".join(map(str, where)) if isinstance(where, list) else where
                messages.append(f"{path}: {item['message']}" if path else str(item["message"]))
    return ("; ".join(messages) or None), messages


def error_from_response(
    status_code: int,
    content: bytes,
    headers: Mapping[str, str],
    *,
    method: str,
    path: str,
) -> APIStatusError | InvalidResponseError:
    """Build the error for an Immich error answer (v2 and v3 bodies alike).

    ``headers`` must look up case-insensitively (``httpx.Headers`` does).
    """
    content_type = headers.get("content-type", "")
    body: Any = None
    if "json" in content_type or content[:1] in (b"{", b"["):
        try:
            body = json.loads(content)
        except (ValueError, UnicodeDecodeError):
            body = None
    fits = len(content) <= MAX_ERROR_BODY
    raw_body: object = body if body is not None and fits else bytes(content[:MAX_ERROR_BODY])
    where = {"method": method, "path": path}
    if body is None and ("html" in content_type or content.lstrip()[:1] == b"<"):
        if status_code >= 500 or status_code == 429:
            pass  # a proxy's error page: the status tells the story, handled below
        else:
            return InvalidResponseError(
                f"the server answered {status_code} with an HTML page, not Immich's JSON",
                status_code=status_code,
                hint="check that the server URL points at Immich and not at a proxy or another web app",
                **where,
            )
    server_message, details = _server_message(body)
    correlation_id = headers.get("x-correlation-id") or headers.get("x-immich-cid")
    if correlation_id is None and isinstance(body, Mapping) and isinstance(body.get("correlationId"), str):
        correlation_id = body["correlationId"]
    common: dict[str, Any] = {
        "status_code": status_code,
        "server_message": server_message,
        "details": details,
        "correlation_id": correlation_id,
        "body": raw_body,
        "headers": dict(headers.items()),
        **where,
    }
    said = f": {server_message}" if server_message else ""
    not_found = _NOT_FOUND_400.match(server_message or "") if status_code == 400 else None
    if not_found:
        permission = not_found.group(1)
        return NotFoundError(
            f"not found (400{said})",
            permission=permission,
            hint=f"check the id; it may belong to another user or the API key may lack {permission}",
            **common,
        )
    if status_code == 400:
        return BadRequestError(f"the server rejected the request (400{said})", **common)
    if status_code == 401:
        return AuthenticationError(
            f"authentication failed (401{said})",
            hint="check the API key or log in again with 'immiche login'",
            **common,
        )
    if status_code == 403:
        match = _PERMISSION.search(server_message or "")
        permission = match.group(1) if match else None
        hint = (
            f"give the API key the '{permission}' permission in Immich (Account Settings > API Keys)"
            if permission
            else "the credential is not allowed to do this"
        )
        return PermissionDeniedError(f"permission denied (403{said})", permission=permission, hint=hint, **common)
    if status_code == 404:
        return NotFoundError(f"not found (404{said})", **common)
    if status_code == 429:
        return RateLimitError(
            f"rate limited (429{said})",
            hint="a proxy in front of Immich is limiting requests; wait and retry, or lower --concurrency",
            **common,
        )
    if status_code >= 500:
        return ServerError(
            f"server error ({status_code}{said})",
            hint="the server or a proxy in front of it failed; retry later or check the server's logs",
            **common,
        )
    return APIStatusError(f"unexpected answer ({status_code}{said})", **common)
