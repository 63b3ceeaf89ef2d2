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

import contextlib
import errno
import json
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, TypeAlias

from immiche._atomic import atomic_write, fsync_dir
from immiche._session_model import (
    FORMAT_VERSION,
    ApiKey,
    AuthMethod,
    BrokenProfileWarning,
    InsecurePermissionsWarning,
    Jwt,
    LoginToken,
    Session,
    SessionWarning,
    _json_type,
    _parse_json,
    _warn,
    is_expired,
    is_jwt_expired,
    mask_secret,
)
from immiche._session_resolve import (
    ResolvedCredentials,
    TargetLabels,
    resolve_server,
    resolve_target,
    server_and_key,
)
from immiche.errors import InvalidArgumentError, InvalidProfileNameError, SessionError

__all__ = [
    "DEFAULT_PROFILE",
    "FORMAT_VERSION",
    "ApiKey",
    "AuthMethod",
    "BrokenProfileWarning",
    "InsecurePermissionsWarning",
    "Jwt",
    "LoginToken",
    "ResolvedCredentials",
    "Session",
    "SessionStore",
    "SessionWarning",
    "TargetLabels",
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
    "resolve_server",
    "resolve_target",
    "save",
    "server_and_key",
    "session_path",
    "set_current_profile",
    "validate_profile_name",
]

DEFAULT_PROFILE: Final = "default"
"""The profile used when none is chosen."""
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
_SAVE_ATTEMPTS: Final = 5

_PROFILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,63}", re.ASCII)


# -- profiles -----------------------------------------------------------------------------------


def validate_profile_name(name: object) -> str:
    """Return ``name`` if it is a usable profile name, else raise :class:`InvalidProfileNameError`.

    Allowed: 1 to 64 ASCII letters, digits, ``.``, ``_`` and ``-``, not starting with ``.`` or ``-``
    (a name starting with ``-`` would read as an option on the command line).
    """
    if isinstance(name, str) and _PROFILE_NAME.fullmatch(name):
        return name
    shown = repr(name) if not isinstance(name, str) or len(name) <= 80 else repr(name[:77]) + "..."
    raise InvalidProfileNameError(
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
            except InvalidProfileNameError as exc:
                raise InvalidProfileNameError(f"{ENV_PROFILE}: {exc.message}", hint=exc.hint) from None
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
        """The credential to connect with: :func:`resolve_target` with this store and its environment.

        Order: an explicit ``profile``; else ``IMMICH_INSTANCE_URL`` + ``IMMICH_API_KEY`` (the
        official CLI's variables); else the current profile (``IMMICH_PROFILE``, ``config.json``,
        ``"default"``). ``IMMICH_INSTANCE_URL`` alone uses the profile's credential only on the
        profile's own server.

        Raises:
            SessionError: ``IMMICH_API_KEY`` is set without ``IMMICH_INSTANCE_URL``.
            NotLoggedInError: the profile holds no session, or its credential would go to another
                server than ``IMMICH_INSTANCE_URL``.
        """
        return resolve_target(profile=profile, store=self)


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
