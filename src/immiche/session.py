"""Stored logins: one session per named profile, kept in the user's config directory.

The layout is the one of the OCaml ``immich`` CLI::

    <config>/
        config.json                  {"current_profile": "home"}
        profiles/
            default/session.json     the session of profile "default"
            home/session.json        ...

``<config>`` is ``$IMMICH_CONFIG_DIR`` when set, else ``$XDG_CONFIG_HOME/immich``, else
``~/.config/immich``. Every function touching the store also takes ``base_dir=`` to use another
root, and :class:`SessionStore` bundles a root (and an environment mapping) for embedders and tests.

Example::

    from immiche import session

    key = session.ApiKey("kR2f7yQ0bT9mW4xZa1b2", name="cli")
    s = session.Session.create("https://immich.example.com", key)
    session.save(s, "home")                # atomic, mode 0600, directories 0700
    session.set_current_profile("home")
    assert session.load() == s             # the current profile's session, or None
    print(s)                               # https://immich.example.com: API key 'cli' (…a1b2), created ...
    creds = session.resolve_credentials()  # IMMICH_INSTANCE_URL + IMMICH_API_KEY, else the profile

Session files (``"version": 1``)::

    {"version": 1, "server_url": "https://immich.example.com", "created_at": "2026-11-23T12:00:00Z",
     "auth": {"type": "api_key", "key": "...", "name": "cli"}}
    ... "auth": {"type": "jwt", "access_token": "...", "user_id": "...", "email": "..."}
    ... "tls": {"insecure": false, "ca_bundle": "/home/me/homelab-ca.pem"}   (optional)

``tls`` is written only when the login chose ``--insecure`` or ``--ca-bundle``; files without it
(all older ones) mean "verify with the system's CAs".

Guarantees: writes are atomic (a crash or a full disk leaves the previous file intact); files
holding secrets are created 0600 and the profile directories 0700 whatever the umask; profile
names are validated before anything is touched; a corrupt file raises :class:`SessionError`
naming the file and the fix and is never overwritten or dropped silently; no secret ever appears
in a ``str``/``repr``, an error message or a warning.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import json
import math
import os
import re
import stat
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final, TypeAlias

from immiche._atomic import atomic_write, fsync_dir
from immiche.errors import InvalidArgumentError, InvalidProfileName, NotLoggedInError, SessionError

__all__ = [
    "DEFAULT_PROFILE",
    "FORMAT_VERSION",
    "ApiKey",
    "AuthMethod",
    "BrokenProfileWarning",
    "InsecurePermissionsWarning",
    "Jwt",
    "ResolvedCredentials",
    "Session",
    "SessionStore",
    "SessionWarning",
    "base_config_dir",
    "clear",
    "config_dir",
    "get_current_profile",
    "is_expired",
    "is_jwt_expired",
    "list_profiles",
    "load",
    "mask_secret",
    "resolve_credentials",
    "save",
    "session_path",
    "set_current_profile",
    "validate_profile_name",
]

DEFAULT_PROFILE: Final = "default"
"""The profile used when none is chosen."""
FORMAT_VERSION: Final = 1
"""The ``version`` written in session files; other versions are refused."""

ENV_CONFIG_DIR: Final = "IMMICH_CONFIG_DIR"
ENV_PROFILE: Final = "IMMICH_PROFILE"
ENV_INSTANCE_URL: Final = "IMMICH_INSTANCE_URL"
ENV_API_KEY: Final = "IMMICH_API_KEY"

_CONFIG_FILE: Final = "config.json"
_PROFILES_DIR: Final = "profiles"
_SESSION_FILE: Final = "session.json"
_FILE_MODE: Final = 0o600
_DIR_MODE: Final = 0o700
_MAX_FILE_BYTES: Final = 1024 * 1024
_MAX_JWT_CHARS: Final = 64 * 1024
_SAVE_ATTEMPTS: Final = 5

_PROFILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}", re.ASCII)
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
    """Warn, attributing the warning to the first caller outside this module."""
    import sys

    level, frame = 2, sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename == __file__:
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


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


# -- profiles -----------------------------------------------------------------------------------


def validate_profile_name(name: object) -> str:
    """Return ``name`` if it is a usable profile name, else raise :class:`InvalidProfileName`.

    Allowed: 1 to 64 ASCII letters, digits, ``.``, ``_`` and ``-``, not starting with ``.`` or ``-``
    (a name starting with ``-`` would read as an option on the command line).
    """
    if isinstance(name, str) and _PROFILE_NAME.fullmatch(name):
        return name
    shown = repr(name) if not isinstance(name, str) or len(name) <= 80 else repr(name[:77]) + "..."
    raise InvalidProfileName(
        f"invalid profile name {shown}",
        hint="use 1 to 64 ASCII letters, digits, '.', '_' or '-', not starting with '.' or '-'",
    )


def _os_error(action: str, path: Path, exc: OSError, hint: str) -> SessionError:
    reason = exc.strerror or type(exc).__name__
    return SessionError(f"cannot {action} {path}: {reason}", hint=hint)


def _owned(st: os.stat_result) -> bool:
    getuid = getattr(os, "geteuid", None)
    return getuid is None or st.st_uid == getuid()


def _read_limited(path: Path) -> tuple[bytes, os.stat_result] | None:
    """The file's bytes and stat, or None when it does not exist. OSError for the rest."""
    try:
        # O_NONBLOCK: opening a FIFO planted there must not hang; it is refused below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        st = os.fstat(handle.fileno())
        if not stat.S_ISREG(st.st_mode):
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError(errno.EISDIR, "Is a directory")
            raise OSError(errno.EINVAL, "Not a regular file")
        data = handle.read(_MAX_FILE_BYTES + 1)
    return data, st


@dataclass(frozen=True, slots=True)
class ResolvedCredentials:
    """What a client should connect with, and where it came from.

    ``source`` is ``"environment"`` (``IMMICH_INSTANCE_URL`` + ``IMMICH_API_KEY``) or
    ``"profile:<name>"``. The ``repr`` shows the credential masked.
    """

    server_url: str
    auth: AuthMethod
    source: str

    @property
    def profile(self) -> str | None:
        """The profile the credential was read from, or None when it came from the environment."""
        return self.source.removeprefix("profile:") if self.source.startswith("profile:") else None


class SessionStore:
    """The profiles and sessions under one config directory.

    ``base`` is the config directory; by default it is worked out from ``environ`` (default
    :data:`os.environ`, read at each call): ``IMMICH_CONFIG_DIR``, else
    ``$XDG_CONFIG_HOME/immich``, else ``~/.config/immich``. ``environ`` also supplies
    ``IMMICH_PROFILE`` and, for :meth:`resolve_credentials`, ``IMMICH_INSTANCE_URL`` and
    ``IMMICH_API_KEY``.

    Directory modes: ``profiles/`` and ``profiles/<name>/`` are made 0700 (group and other bits
    are removed from existing ones we own). The config directory itself is created 0700, and an
    existing one is tightened the same way only when it is the default location; a directory the
    user chose with ``base`` or ``IMMICH_CONFIG_DIR`` keeps its mode (the files in it are 0600
    and ``profiles/`` is 0700 anyway).
    """

    def __init__(self, base: str | os.PathLike[str] | None = None, *, environ: Mapping[str, str] | None = None) -> None:
        self._base = Path(base) if base is not None else None
        self._environ = environ

    def __repr__(self) -> str:
        return f"SessionStore({str(self.base)!r})"

    # -- locations --

    @property
    def environ(self) -> Mapping[str, str]:
        """The environment this store reads."""
        return self._environ if self._environ is not None else os.environ

    def _base_and_ours(self) -> tuple[Path, bool]:
        if self._base is not None:
            return self._base, False
        env = self.environ
        chosen = env.get(ENV_CONFIG_DIR)
        if chosen:
            return Path(chosen).expanduser(), False
        xdg = env.get("XDG_CONFIG_HOME")
        if xdg and os.path.isabs(xdg):  # the XDG spec says relative values are to be ignored
            return Path(xdg) / "immich", True
        return Path.home() / ".config" / "immich", True

    @property
    def base(self) -> Path:
        """The config directory (not created)."""
        return self._base_and_ours()[0]

    def session_path(self, profile: str | None = None) -> Path:
        """Where the profile's session is stored (nothing is created)."""
        return self.base / _PROFILES_DIR / self._profile(profile) / _SESSION_FILE

    def _profile(self, profile: str | None) -> str:
        return self.get_current_profile() if profile is None else validate_profile_name(profile)

    def _ensure_dir(self, path: Path, *, tighten: bool) -> None:
        hint = f"check that {path.parent} exists and is writable by you"
        try:
            missing: list[Path] = []
            probe = path
            while not probe.exists():
                missing.append(probe)
                if probe.parent == probe:
                    break
                probe = probe.parent
            for directory in reversed(missing):
                with contextlib.suppress(FileExistsError):
                    os.mkdir(directory, _DIR_MODE)
                    if directory == path:
                        os.chmod(directory, _DIR_MODE)  # exactly 0700, whatever the umask
            st = os.stat(path)
            if not stat.S_ISDIR(st.st_mode):
                raise NotADirectoryError(20, "Not a directory")
            loose = stat.S_IMODE(st.st_mode) & 0o077
            if tighten and loose and _owned(st):
                os.chmod(path, stat.S_IMODE(st.st_mode) & ~0o077)
        except OSError as exc:
            raise _os_error("create the directory", path, exc, hint) from exc

    def base_config_dir(self) -> Path:
        """The config directory, created (mode 0700) if needed."""
        base, ours = self._base_and_ours()
        self._ensure_dir(base, tighten=ours)
        return base

    def config_dir(self, profile: str | None = None) -> Path:
        """The profile's directory (default: the current profile), created (mode 0700) if needed."""
        name = self._profile(profile)
        base = self.base_config_dir()
        self._ensure_dir(base / _PROFILES_DIR, tighten=True)
        self._ensure_dir(base / _PROFILES_DIR / name, tighten=True)
        return base / _PROFILES_DIR / name

    # -- the current profile --

    def _read_config(self, path: Path) -> dict[str, Any]:
        hint = f"fix or delete {path} (the current profile then falls back to '{DEFAULT_PROFILE}')"
        try:
            read = _read_limited(path)
        except NotADirectoryError:
            return {}  # the config directory is not there (a file is in the way): no settings
        except OSError as exc:
            raise _os_error("read", path, exc, hint) from exc
        if read is None:
            return {}
        data, _ = read
        if len(data) > _MAX_FILE_BYTES:
            raise SessionError(f"{path} is corrupt: larger than {_MAX_FILE_BYTES} bytes", hint=hint)
        try:
            config = _parse_json(data)
        except SessionError as exc:
            raise SessionError(f"{path} is corrupt: {exc.message}", hint=hint) from None
        if not isinstance(config, dict):
            raise SessionError(f"{path} is corrupt: expected a JSON object, found {_json_type(config)}", hint=hint)
        current = config.get("current_profile")
        if current is not None and not (isinstance(current, str) and _PROFILE_NAME.fullmatch(current)):
            raise SessionError(f"{path} is corrupt: current_profile is not a valid profile name", hint=hint)
        return config

    def get_current_profile(self) -> str:
        """The current profile: ``$IMMICH_PROFILE``, else ``config.json``'s, else ``"default"``."""
        from_env = self.environ.get(ENV_PROFILE)
        if from_env:
            try:
                return validate_profile_name(from_env)
            except InvalidProfileName as exc:
                raise InvalidProfileName(f"{ENV_PROFILE}: {exc.message}", hint=exc.hint) from None
        current = self._read_config(self.base / _CONFIG_FILE).get("current_profile")
        return current if isinstance(current, str) else DEFAULT_PROFILE

    def set_current_profile(self, name: str) -> None:
        """Make ``name`` the current profile (saved in ``config.json``; other keys are kept).

        ``$IMMICH_PROFILE``, when set, still wins over it.
        """
        name = validate_profile_name(name)
        config = self._read_config(self.base / _CONFIG_FILE)  # a corrupt file is reported, never overwritten
        config["current_profile"] = name
        base = self.base_config_dir()
        path = base / _CONFIG_FILE
        data = (json.dumps(config, indent=2) + "\n").encode()
        try:
            atomic_write(path, data, mode=_FILE_MODE)
        except OSError as exc:
            raise _os_error("write", path, exc, f"check that {base} is writable and the disk is not full") from exc

    # -- sessions --

    def list_profiles(self) -> list[str]:
        """The profiles holding a readable session, sorted.

        Entries that cannot be used are skipped with a :class:`BrokenProfileWarning`: a corrupt or
        unreadable session file, or a directory holding a session under an invalid name.
        """
        profiles_dir = self.base / _PROFILES_DIR
        try:
            entries = sorted(os.listdir(profiles_dir))
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            raise _os_error("list", profiles_dir, exc, f"check the permissions of {profiles_dir}") from exc
        found: list[str] = []
        for entry in entries:
            path = profiles_dir / entry / _SESSION_FILE
            if not _PROFILE_NAME.fullmatch(entry):
                if not entry.startswith(".") and os.path.lexists(path):
                    _warn(
                        f"ignoring {profiles_dir / entry}: {entry!r} is not a valid profile name", BrokenProfileWarning
                    )
                continue
            try:
                self._load_file(path, entry, check_mode=False)
            except SessionError as exc:
                _warn(f"skipping profile {entry!r}: {exc}", BrokenProfileWarning)
                continue
            except _Missing:
                continue
            found.append(entry)
        return found

    def _load_file(self, path: Path, profile: str, *, check_mode: bool) -> Session:
        hint = f"run 'immiche logout --profile {profile}' (or delete {path}) and log in again"
        try:
            read = _read_limited(path)
        except (NotADirectoryError, FileNotFoundError):
            raise _Missing from None
        except OSError as exc:
            raise _os_error("read", path, exc, hint) from exc
        if read is None:
            raise _Missing
        data, st = read
        if check_mode and stat.S_IMODE(st.st_mode) & 0o077:
            _warn(
                f"{path} is accessible by other users (mode {stat.S_IMODE(st.st_mode):04o}); "
                f"run 'chmod 600 {path}', and consider revoking the credential it holds",
                InsecurePermissionsWarning,
            )
        if len(data) > _MAX_FILE_BYTES:
            raise SessionError(f"the session file {path} is corrupt: larger than {_MAX_FILE_BYTES} bytes", hint=hint)
        try:
            return Session.from_json(data)
        except SessionError as exc:
            raise SessionError(f"the session file {path} is corrupt: {exc.message}", hint=hint) from None

    def load(self, profile: str | None = None) -> Session | None:
        """The profile's session (default: the current profile), or None when none is stored.

        Raises :class:`SessionError` when the file exists but cannot be read or parsed, and warns
        (:class:`InsecurePermissionsWarning`) when other users can access it.
        """
        name = self._profile(profile)
        try:
            return self._load_file(self.base / _PROFILES_DIR / name / _SESSION_FILE, name, check_mode=True)
        except _Missing:
            return None

    def save(self, session: Session, profile: str | None = None) -> Path:
        """Store ``session`` for the profile (default: the current profile); return the file's path.

        The write is atomic: on any failure the previous session is left as it was.
        """
        if not isinstance(session, Session):
            raise InvalidArgumentError(f"save() needs a Session, not {type(session).__name__}")
        name = self._profile(profile)
        data = session.to_json().encode("ascii")
        path = self.base / _PROFILES_DIR / name / _SESSION_FILE
        for attempt in range(1, _SAVE_ATTEMPTS + 1):
            try:
                directory = self.config_dir(name)
            except SessionError as exc:
                # A concurrent clear() removed the directory while it was being made: again.
                if isinstance(exc.__cause__, FileNotFoundError) and attempt < _SAVE_ATTEMPTS:
                    continue
                raise
            path = directory / _SESSION_FILE
            try:
                atomic_write(path, data, mode=_FILE_MODE)
            except FileNotFoundError as exc:
                # The profile directory vanished under us (a concurrent clear()): recreate it.
                if attempt == _SAVE_ATTEMPTS:
                    raise _os_error("save the session to", path, exc, "retry") from exc
                continue
            except OSError as exc:
                hint = f"check that {directory} is writable and the disk is not full; any previous session is unchanged"
                raise _os_error("save the session to", path, exc, hint) from exc
            break
        return path

    def clear(self, profile: str | None = None) -> bool:
        """Remove the profile's session (default: the current profile) and its directory if empty.

        Leftover temporary files of interrupted saves are removed too. Returns whether a session
        file was removed. A corrupt session file is removed like any other.
        """
        name = self._profile(profile)
        directory = self.base / _PROFILES_DIR / name
        path = directory / _SESSION_FILE
        try:
            os.unlink(path)
            removed = True
        except (FileNotFoundError, NotADirectoryError):
            removed = False
        except OSError as exc:
            raise _os_error("remove", path, exc, f"remove {path} by hand") from exc
        with contextlib.suppress(OSError):
            for leftover in directory.glob(f".{_SESSION_FILE}.*.tmp"):
                with contextlib.suppress(OSError):
                    os.unlink(leftover)
        with contextlib.suppress(OSError):
            os.rmdir(directory)
        if removed:
            fsync_dir(directory if directory.exists() else directory.parent)
        return removed

    # -- credentials --

    def resolve_credentials(self, *, profile: str | None = None) -> ResolvedCredentials:
        """The credential to connect with.

        Order: an explicit ``profile``; else ``IMMICH_INSTANCE_URL`` + ``IMMICH_API_KEY`` (the
        official CLI's variables, both needed); else the current profile (``IMMICH_PROFILE``,
        ``config.json``, ``"default"``).

        Raises:
            SessionError: only one of the two variables is set.
            NotLoggedInError: the profile holds no session.
        """
        if profile is None:
            env = self.environ
            url = (env.get(ENV_INSTANCE_URL) or "").strip()
            key = (env.get(ENV_API_KEY) or "").strip()
            if url and key:
                return ResolvedCredentials(server_url=url, auth=ApiKey(key), source="environment")
            if url or key:
                present, missing = (ENV_INSTANCE_URL, ENV_API_KEY) if url else (ENV_API_KEY, ENV_INSTANCE_URL)
                raise SessionError(
                    f"{present} is set but {missing} is not",
                    hint=f"set both {ENV_INSTANCE_URL} and {ENV_API_KEY}, or unset {present} to use a stored profile",
                )
        name = self._profile(profile)
        session = self.load(name)
        if session is None:
            option = "" if name == DEFAULT_PROFILE else f" --profile {name}"
            raise NotLoggedInError(
                f"not logged in: no session stored for profile {name!r}",
                hint=f"run 'immiche login --server URL --api-key-stdin{option}', "
                f"or set {ENV_INSTANCE_URL} and {ENV_API_KEY}",
            )
        return ResolvedCredentials(server_url=session.server_url, auth=session.auth, source=f"profile:{name}")


class _Missing(Exception):
    """Internal: the session file does not exist."""


# -- module-level functions (the seed's API) ----------------------------------------------------

_PathArg: TypeAlias = "str | os.PathLike[str] | None"


def base_config_dir(*, base_dir: _PathArg = None) -> Path:
    """The config directory, created (mode 0700) if needed."""
    return SessionStore(base_dir).base_config_dir()


def config_dir(profile: str | None = None, *, base_dir: _PathArg = None) -> Path:
    """The profile's directory (default: the current profile), created (mode 0700) if needed."""
    return SessionStore(base_dir).config_dir(profile)


def session_path(profile: str | None = None, *, base_dir: _PathArg = None) -> Path:
    """Where the profile's session file is (nothing is created)."""
    return SessionStore(base_dir).session_path(profile)


def get_current_profile(*, base_dir: _PathArg = None) -> str:
    """The current profile: ``$IMMICH_PROFILE``, else the one saved in ``config.json``, else ``"default"``."""
    return SessionStore(base_dir).get_current_profile()


def set_current_profile(name: str, *, base_dir: _PathArg = None) -> None:
    """Save ``name`` as the current profile in ``config.json``."""
    SessionStore(base_dir).set_current_profile(name)


def list_profiles(*, base_dir: _PathArg = None) -> list[str]:
    """The profiles holding a session, sorted; broken ones are skipped with a warning."""
    return SessionStore(base_dir).list_profiles()


def save(session: Session, profile: str | None = None, *, base_dir: _PathArg = None) -> Path:
    """Store ``session`` atomically for the profile (default: the current one); return the file's path."""
    return SessionStore(base_dir).save(session, profile)


def load(profile: str | None = None, *, base_dir: _PathArg = None) -> Session | None:
    """The profile's stored session (default: the current profile), or None."""
    return SessionStore(base_dir).load(profile)


def clear(profile: str | None = None, *, base_dir: _PathArg = None) -> bool:
    """Remove the profile's session (default: the current profile); return whether one was removed."""
    return SessionStore(base_dir).clear(profile)


def resolve_credentials(
    *, profile: str | None = None, environ: Mapping[str, str] | None = None, base_dir: _PathArg = None
) -> ResolvedCredentials:
    """The credential a client should use; see :meth:`SessionStore.resolve_credentials`."""
    return SessionStore(base_dir, environ=environ).resolve_credentials(profile=profile)
