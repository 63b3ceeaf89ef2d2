"""The values of the session store: credentials (:class:`ApiKey`, :class:`Jwt`), :class:`Session`,
the store's warnings and the expiry checks. Public through :mod:`immiche.session`."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Final, TypeAlias

from immiche.errors import InvalidArgumentError, SessionError, warn_at_caller

__all__ = [
    "FORMAT_VERSION",
    "ApiKey",
    "AuthMethod",
    "BrokenProfileWarning",
    "InsecurePermissionsWarning",
    "Jwt",
    "LoginToken",
    "Session",
    "SessionWarning",
    "is_expired",
    "is_jwt_expired",
    "mask_secret",
]

FORMAT_VERSION: Final = 1
"""The ``version`` written in session files; other versions are refused."""

_MAX_JWT_CHARS: Final = 64 * 1024
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})",
    re.ASCII,
)
_B64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}", re.ASCII)
_ELLIPSIS: Final = "\u2026"


# -- warnings -----------------------------------------------------------------------------------


class SessionWarning(UserWarning):
    """Base class of the warnings of the session store."""


class InsecurePermissionsWarning(SessionWarning):
    """A session file can be read (or written) by other users than its owner."""


class BrokenProfileWarning(SessionWarning):
    """:func:`list_profiles` skipped a profile whose session cannot be read."""


def _warn(message: str, category: type[Warning]) -> None:
    """Warn, attributing the warning to the first caller outside the immiche package."""
    warn_at_caller(category(message))


# -- credentials --------------------------------------------------------------------------------


def mask_secret(secret: str) -> str:
    """The form of a secret fit for display: ``…`` and its last 4 characters.

    Secrets shorter than 16 characters are shown as ``…`` alone, so that at most a quarter of a
    secret is ever revealed.
    """
    return _ELLIPSIS + secret[-4:] if len(secret) >= 16 else _ELLIPSIS


def _require_str(value: object, what: str, *, empty: bool = True) -> None:
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{what} must be a string, not {type(value).__name__}")
    if not empty and not value:
        raise InvalidArgumentError(f"{what} must not be empty")


@dataclass(frozen=True, slots=True, repr=False)
class Jwt:
    """A password login: the access token ``POST /api/auth/login`` returned, and who it is for.

    The name comes from the OCaml seed. Immich's access token is in fact **opaque** (about 43
    URL-safe characters), not a JWT; it is sent as ``Authorization: Bearer <token>``. It does not
    expire by time, but the server deletes sessions unused for 90 days and ``immiche logout``
    ends it.

    >>> Jwt("0123456789abcdefghijklmnopqrstuvwxyzABCDEFG", "u-1", "a@example.com")
    Jwt(access_token='…DEFG', user_id='u-1', email='a@example.com')
    """

    access_token: str
    user_id: str
    email: str

    def __post_init__(self) -> None:
        _require_str(self.access_token, "the access token", empty=False)
        _require_str(self.user_id, "the user id")
        _require_str(self.email, "the email")

    def __repr__(self) -> str:
        return f"Jwt(access_token={mask_secret(self.access_token)!r}, user_id={self.user_id!r}, email={self.email!r})"

    __str__ = __repr__


LoginToken = Jwt
"""The same value under a name that says what it holds (Immich's login token is not a JWT)."""


@dataclass(frozen=True, slots=True, repr=False)
class ApiKey:
    """An API key created in Immich (Account Settings > API Keys); it never expires by time.

    >>> ApiKey("0123456789abcdefa1b2", name="cli")
    ApiKey(key='…a1b2', name='cli')
    """

    key: str
    name: str | None = None

    def __post_init__(self) -> None:
        _require_str(self.key, "the API key", empty=False)
        if self.name is not None:
            _require_str(self.name, "the API key's name")

    def __repr__(self) -> str:
        return f"ApiKey(key={mask_secret(self.key)!r}, name={self.name!r})"

    __str__ = __repr__


AuthMethod: TypeAlias = Jwt | ApiKey
"""How a session authenticates: a password login (:class:`Jwt`) or an :class:`ApiKey`."""


# -- sessions -----------------------------------------------------------------------------------


def _parse_rfc3339(text: str) -> datetime | None:
    match = _RFC3339.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    if offset in ("Z", "z"):
        tz = timezone.utc
    else:
        sign = -1 if offset[0] == "-" else 1
        hours, minutes = int(offset[1:3]), int(offset[4:6])
        if hours > 23 or minutes > 59:
            return None
        tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=tz)
    except ValueError:
        return None


def _now_rfc3339(now: datetime | None = None) -> str:
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    # Not strftime: "%Y" drops the leading zeros of years before 1000 on some platforms.
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z"


@dataclass(frozen=True, slots=True, repr=False)
class Session:
    """A stored login: which server, how to authenticate, and when it was created.

    ``created_at`` is an RFC 3339 timestamp (``2026-11-23T12:00:00Z``); :meth:`create` sets it.
    ``str()`` and ``repr()`` show secrets masked; :meth:`to_dict` and :meth:`to_json` hold them in
    clear (that is what is saved).
    """

    server_url: str
    auth: AuthMethod
    created_at: str
    insecure: bool = False
    """Do not verify the server's TLS certificate (the login used ``--insecure``)."""
    ca_bundle: str | None = None
    """The PEM file of the CA that signed the server's certificate (the login used ``--ca-bundle``)."""

    def __post_init__(self) -> None:
        _require_str(self.server_url, "the server URL", empty=False)
        if not isinstance(self.auth, (Jwt, ApiKey)):
            raise InvalidArgumentError(f"auth must be a Jwt or an ApiKey, not {type(self.auth).__name__}")
        _require_str(self.created_at, "created_at")
        if _parse_rfc3339(self.created_at) is None:
            raise InvalidArgumentError("created_at must be an RFC 3339 timestamp such as 2026-11-23T12:00:00Z")
        if not isinstance(self.insecure, bool):
            raise InvalidArgumentError(f"insecure must be a boolean, not {type(self.insecure).__name__}")
        if self.ca_bundle is not None:
            _require_str(self.ca_bundle, "ca_bundle", empty=False)
            if self.insecure:
                raise InvalidArgumentError("insecure and ca_bundle cannot be used together")

    @classmethod
    def create(
        cls,
        server_url: str,
        auth: AuthMethod,
        *,
        now: datetime | None = None,
        insecure: bool = False,
        ca_bundle: str | None = None,
    ) -> Session:
        """A new session created now (or at ``now``), with ``created_at`` in UTC to the second."""
        return cls(
            server_url=server_url, auth=auth, created_at=_now_rfc3339(now), insecure=insecure, ca_bundle=ca_bundle
        )

    @property
    def created_datetime(self) -> datetime:
        """``created_at`` as a timezone-aware datetime."""
        moment = _parse_rfc3339(self.created_at)
        assert moment is not None  # checked in __post_init__
        return moment

    # -- codec --

    def to_dict(self) -> dict[str, Any]:
        """The JSON object saved for this session (secrets included)."""
        auth: dict[str, Any]
        if isinstance(self.auth, ApiKey):
            auth = {"type": "api_key", "key": self.auth.key, "name": self.auth.name}
        else:
            auth = {
                "type": "jwt",
                "access_token": self.auth.access_token,
                "user_id": self.auth.user_id,
                "email": self.auth.email,
            }
        data: dict[str, Any] = {
            "version": FORMAT_VERSION,
            "server_url": self.server_url,
            "created_at": self.created_at,
            "auth": auth,
        }
        if self.insecure or self.ca_bundle is not None:
            data["tls"] = {"insecure": self.insecure, "ca_bundle": self.ca_bundle}
        return data

    def to_json(self) -> str:
        """:meth:`to_dict` as indented JSON (ASCII only, any character escaped), ending in a newline."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Session:
        """Read a session from :meth:`to_dict`'s form.

        Unknown keys are ignored. Raises :class:`SessionError` for a wrong or missing version,
        missing fields, wrong types and unknown auth types; messages never quote values.
        """
        if not isinstance(data, Mapping):
            raise SessionError(f"a session must be a JSON object, not {_json_type(data)}")
        version = _field(data, "version", int, "")
        if version != FORMAT_VERSION:
            newer = version > FORMAT_VERSION
            raise SessionError(
                f"unsupported session format version {version} (this immiche reads version {FORMAT_VERSION})",
                hint="upgrade immiche" if newer else None,
            )
        server_url = _field(data, "server_url", str, "")
        created_at = _field(data, "created_at", str, "")
        auth_data = _field(data, "auth", Mapping, "")
        kind = _field(auth_data, "type", str, "auth.")
        auth: AuthMethod
        try:
            if kind == "api_key":
                name = auth_data.get("name")
                if name is not None and not isinstance(name, str):
                    raise SessionError(f"auth.name must be a string or null, not {_json_type(name)}")
                auth = ApiKey(key=_field(auth_data, "key", str, "auth."), name=name)
            elif kind == "jwt":
                auth = Jwt(
                    access_token=_field(auth_data, "access_token", str, "auth."),
                    user_id=_field(auth_data, "user_id", str, "auth."),
                    email=_field(auth_data, "email", str, "auth."),
                )
            else:
                raise SessionError("unknown auth.type (expected 'api_key' or 'jwt')")
            insecure, ca_bundle = _tls_fields(data.get("tls"))
            return cls(server_url=server_url, auth=auth, created_at=created_at, insecure=insecure, ca_bundle=ca_bundle)
        except InvalidArgumentError as exc:
            raise SessionError(exc.message) from None

    @classmethod
    def from_json(cls, text: str | bytes) -> Session:
        """Read a session from :meth:`to_json`'s form (``bytes`` are UTF-8, a BOM is tolerated).

        Raises :class:`SessionError` for malformed JSON and everything :meth:`from_dict` refuses.
        """
        return cls.from_dict(_parse_json(text))

    # -- display (the seed's pp) --

    def __repr__(self) -> str:
        tls = ""
        if self.insecure or self.ca_bundle is not None:
            tls = f", insecure={self.insecure!r}, ca_bundle={self.ca_bundle!r}"
        return f"Session(server_url={self.server_url!r}, auth={self.auth!r}, created_at={self.created_at!r}{tls})"

    def __str__(self) -> str:
        if isinstance(self.auth, ApiKey):
            named = f" {self.auth.name!r}" if self.auth.name else ""
            how = f"API key{named} ({mask_secret(self.auth.key)})"
        else:
            how = f"login of {self.auth.email} (token {mask_secret(self.auth.access_token)})"
        return f"{self.server_url}: {how}, created {self.created_at}"


def _tls_fields(tls: object) -> tuple[bool, str | None]:
    """``(insecure, ca_bundle)`` of the optional ``tls`` object (absent or null: verify as usual)."""
    if tls is None:
        return False, None
    if not isinstance(tls, Mapping):
        raise SessionError(f"tls must be an object, not {_json_type(tls)}")
    insecure = tls.get("insecure", False)
    if not isinstance(insecure, bool):
        raise SessionError(f"tls.insecure must be a boolean, not {_json_type(insecure)}")
    ca_bundle = tls.get("ca_bundle")
    if ca_bundle is not None and not isinstance(ca_bundle, str):
        raise SessionError(f"tls.ca_bundle must be a string or null, not {_json_type(ca_bundle)}")
    return insecure, ca_bundle


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


_EXPECTED = {int: "an integer", str: "a string", Mapping: "an object"}


def _field(data: Mapping[str, Any], key: str, kind: Any, prefix: str) -> Any:
    if key not in data:
        raise SessionError(f"missing field {prefix}{key}")
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise SessionError(f"{prefix}{key} must be {_EXPECTED[kind]}, not {_json_type(value)}")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parse_json(text: str | bytes) -> Any:
    # The SessionErrors are raised outside the ``except`` blocks: the decoding errors hold the
    # whole document (secrets included; UnicodeDecodeError even shows it in its repr), and must
    # not ride along as the error's __context__, hidden by ``from None`` but still reachable.
    problem: str | None = None
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            problem = f"not valid UTF-8 (byte {exc.start})"
        if problem is not None:
            raise SessionError(problem)
    elif text.startswith("\ufeff"):
        text = text[1:]
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        # exc.msg never quotes the document; str(exc) does not either, but keep our own wording.
        problem = f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
    except (ValueError, RecursionError):
        problem = "not valid JSON"
    raise SessionError(problem)


# -- expiry -------------------------------------------------------------------------------------


def _b64url_json(segment: str) -> Any:
    if not _B64URL.fullmatch(segment):
        return None
    bare = segment.rstrip("=")
    try:
        raw = base64.urlsafe_b64decode(bare + "=" * (-len(bare) % 4))
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (binascii.Error, ValueError, RecursionError):
        return None


def _check_leeway(leeway: float) -> None:
    if isinstance(leeway, bool) or not isinstance(leeway, (int, float)) or math.isnan(leeway):
        raise InvalidArgumentError(f"leeway must be a number of seconds, not {type(leeway).__name__}")


def is_jwt_expired(token: str, leeway: float = 60, *, now: float | None = None) -> bool:
    """Whether ``token`` is a JWT that has expired, or will within ``leeway`` seconds.

    The rule: answer ``True`` only when expiry can be proven, that is when ``token`` is a JWT
    (three base64url segments whose first two decode to JSON objects) whose payload has a
    numeric ``exp`` claim with ``exp <= now + leeway``. Everything else answers ``False``:

    - Immich's login tokens, which are opaque and not JWTs: they do not expire by time (the
      server deletes sessions unused for 90 days, which only the server can tell);
    - a JWT without ``exp``, or with a non-numeric one;
    - a token that looks like a JWT but does not decode: the server is the authority and will
      answer 401 if it refuses it.

    ``now`` is a Unix timestamp (default: the current time).
    """
    _check_leeway(leeway)
    if not isinstance(token, str) or len(token) > _MAX_JWT_CHARS:
        return False
    parts = token.split(".")
    if len(parts) != 3:
        return False
    header, payload = _b64url_json(parts[0]), _b64url_json(parts[1])
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return False
    exp = payload.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return False
    if now is None:
        from time import time

        now = time()
    return exp <= now + leeway


def is_expired(session: Session, leeway: float = 60, *, now: float | None = None) -> bool:
    """Whether the session's credential has expired: API keys never do; logins follow :func:`is_jwt_expired`."""
    _check_leeway(leeway)
    if isinstance(session.auth, ApiKey):
        return False
    return is_jwt_expired(session.auth.access_token, leeway, now=now)


for _public in (SessionWarning, InsecurePermissionsWarning, BrokenProfileWarning, Jwt, ApiKey, Session):
    _public.__module__ = "immiche.session"  # their public home (reprs, pickling, doctest)
