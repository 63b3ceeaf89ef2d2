"""Which server and credential to use: the one implementation of the precedence rules.

Public through :mod:`immiche.session` (:func:`resolve_target`, :class:`ResolvedCredentials`);
the library's :func:`immiche.session.resolve_credentials` and every CLI command call it.

Precedence, highest first:

1. the explicit ``server`` and ``api_key`` arguments (the CLI's ``--server`` / ``--api-key``);
2. with no explicit ``profile``: ``$IMMICH_INSTANCE_URL`` and ``$IMMICH_API_KEY``;
3. the profile's stored session: ``profile``, else ``$IMMICH_PROFILE``, else the current profile.

An argument (or variable) overrides its half of the profile's session: an API key alone is used
on the profile's server. A server alone (argument, or ``$IMMICH_INSTANCE_URL`` without
``$IMMICH_API_KEY``) gets the profile's credential only when it is the profile's server (compared
once normalised: ``127.0.0.1:2283`` is ``http://127.0.0.1:2283``), or when
``use_profile_credential`` says to send it there: a stored credential never goes to a server the
user did not log in to. ``$IMMICH_API_KEY`` without any server is an error.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from immiche._session_model import ApiKey, AuthMethod, Session
from immiche.errors import InvalidArgumentError, NotLoggedInError, SessionError

if TYPE_CHECKING:
    from immiche.session import SessionStore

__all__ = ["ResolvedCredentials", "TargetLabels", "resolve_server", "resolve_target", "server_and_key"]

ENV_INSTANCE_URL = "IMMICH_INSTANCE_URL"
ENV_API_KEY = "IMMICH_API_KEY"
_DEFAULT_PROFILE = "default"


@dataclass(frozen=True, slots=True, repr=False)
class ResolvedCredentials:
    """What a client should connect with, and where it came from.

    ``source`` is ``"environment"`` (``IMMICH_INSTANCE_URL`` + ``IMMICH_API_KEY``), ``"arguments"``
    (both given explicitly), ``"arguments and environment"``, or ``"profile:<name>"`` (the profile's
    session, possibly with its server or key replaced by an argument). ``insecure`` and
    ``ca_bundle`` are the TLS choices saved with the profile when its session is used. The
    ``repr`` shows the credential masked.
    """

    server_url: str
    auth: AuthMethod
    source: str
    insecure: bool = False
    ca_bundle: str | None = None

    def __repr__(self) -> str:
        tls = ""
        if self.insecure or self.ca_bundle is not None:
            tls = f", insecure={self.insecure!r}, ca_bundle={self.ca_bundle!r}"
        return f"ResolvedCredentials(server_url={self.server_url!r}, auth={self.auth!r}, source={self.source!r}{tls})"

    @property
    def profile(self) -> str | None:
        """The profile the credential was read from, or None when it came from elsewhere."""
        return self.source.removeprefix("profile:") if self.source.startswith("profile:") else None


@dataclass(frozen=True, slots=True)
class TargetLabels:
    """How errors name the arguments (the CLI passes ``--server``, ``--api-key``...)."""

    server: str = "server"
    api_key: str = "api_key"
    use_profile_credential: str = "use_profile_credential=True"


def _env(environ: Mapping[str, str], name: str) -> str | None:
    return (environ.get(name) or "").strip() or None


def _same_server(a: str, b: str) -> bool:
    from immiche._url import parse_server_url

    def normal(url: str) -> str:
        try:
            return parse_server_url(url).base
        except InvalidArgumentError:
            return url.strip().rstrip("/")

    return normal(a) == normal(b)


def _store(store: SessionStore | None, environ: Mapping[str, str] | None) -> SessionStore:
    if store is not None:
        return store
    from immiche.session import SessionStore

    return SessionStore(environ=environ)


def resolve_target(
    *,
    server: str | None = None,
    api_key: str | None = None,
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
    store: SessionStore | None = None,
    use_profile_credential: bool = False,
    labels: TargetLabels = TargetLabels(),
) -> ResolvedCredentials:
    """The server and credential to use (see the module's precedence rules).

    ``environ`` defaults to the store's environment (``os.environ`` for the default store);
    ``store`` defaults to the :class:`~immiche.session.SessionStore` of ``environ``.

    Raises:
        SessionError: ``$IMMICH_API_KEY`` is set without a server, or a stored file is corrupt.
        NotLoggedInError: no credential: no session in the profile, or the profile's credential
            would go to another server than its own.
        InvalidArgumentError: an API key without any server (none given, no stored session).
    """
    sessions = _store(store, environ)
    env = sessions.environ if environ is None else environ
    server = (server or "").strip() or None
    key = (api_key or "").strip() or None
    given = bool(server or key)
    server_from = labels.server
    if server and key:
        return ResolvedCredentials(server, ApiKey(key), "arguments")
    from_env = False
    if profile is None:
        env_url, env_key = _env(env, ENV_INSTANCE_URL), _env(env, ENV_API_KEY)
        if not server and not key and env_key and not env_url:
            raise SessionError(
                f"{ENV_API_KEY} is set but {ENV_INSTANCE_URL} is not",
                hint=f"set both {ENV_INSTANCE_URL} and {ENV_API_KEY}, or unset {ENV_API_KEY} to use a stored profile",
            )
        if not server and env_url:
            server, server_from, from_env = env_url, f"${ENV_INSTANCE_URL}", True
        if server and not key and env_key:
            key, from_env = env_key, True
    if server and key:
        source = "arguments and environment" if from_env and given else "environment" if from_env else "arguments"
        return ResolvedCredentials(server, ApiKey(key), source)
    return _from_profile(
        sessions,
        profile,
        server=server,
        server_from=server_from,
        key=key,
        use_profile_credential=use_profile_credential,
        labels=labels,
    )


def _from_profile(
    sessions: SessionStore,
    profile: str | None,
    *,
    server: str | None,
    server_from: str,
    key: str | None,
    use_profile_credential: bool,
    labels: TargetLabels,
) -> ResolvedCredentials:
    """The profile's session, with ``server`` (if given) or ``key`` (if given) in place of its own."""
    name = sessions.get_current_profile() if profile is None else profile
    stored = sessions.load(name)
    if stored is None:
        option = "" if name == _DEFAULT_PROFILE else f" --profile {name}"
        if key:
            raise InvalidArgumentError(
                f"{labels.api_key} needs a server",
                hint=f"add {labels.server} URL, set {ENV_INSTANCE_URL}, or log in to profile {name!r}",
            )
        if server:
            raise NotLoggedInError(
                f"no credential for {_safe(server)}: profile {name!r} has no stored session",
                hint=f"set {ENV_API_KEY}, pass {labels.api_key}, or run 'immiche login --server {_safe(server)} "
                f"--api-key-stdin{option}'",
            )
        raise NotLoggedInError(
            f"not logged in: no session stored for profile {name!r}",
            hint=f"run 'immiche login --server URL --api-key-stdin{option}', or set {ENV_INSTANCE_URL} and {ENV_API_KEY}",
        )
    return _with_overrides(
        stored,
        name,
        server=server,
        server_from=server_from,
        key=key,
        use_profile_credential=use_profile_credential,
        labels=labels,
    )


def _with_overrides(
    stored: Session,
    name: str,
    *,
    server: str | None,
    server_from: str,
    key: str | None,
    use_profile_credential: bool,
    labels: TargetLabels,
) -> ResolvedCredentials:
    source = f"profile:{name}"
    if key:
        return ResolvedCredentials(stored.server_url, ApiKey(key), source, stored.insecure, stored.ca_bundle)
    if server and not use_profile_credential and not _same_server(server, stored.server_url):
        raise NotLoggedInError(
            f"{server_from} {_safe(server)} is not the server of profile {name!r} ({_safe(stored.server_url)}): "
            "its credential is not sent to another server",
            hint=f"log in to that server ('immiche login --server URL --profile NAME'), pass {labels.api_key} or "
            f"{ENV_API_KEY}, or add {labels.use_profile_credential} if it is the same server under another address",
        )
    return ResolvedCredentials(server or stored.server_url, stored.auth, source, stored.insecure, stored.ca_bundle)


def server_and_key(
    *, server: str | None = None, api_key: str | None = None, environ: Mapping[str, str] | None = None
) -> tuple[str | None, str | None]:
    """Steps 1 and 2 alone, each half on its own: ``server`` else ``$IMMICH_INSTANCE_URL``, and
    ``api_key`` else ``$IMMICH_API_KEY`` (``None`` for a missing half). For ``immiche login``,
    which makes a session rather than reading one."""
    env = os.environ if environ is None else environ
    return (server or "").strip() or _env(env, ENV_INSTANCE_URL), (api_key or "").strip() or _env(env, ENV_API_KEY)


def resolve_server(
    *,
    server: str | None = None,
    profile: str | None = None,
    environ: Mapping[str, str] | None = None,
    store: SessionStore | None = None,
    labels: TargetLabels = TargetLabels(),
) -> tuple[str, Session | None]:
    """The server alone (for calls that need no credential), by the same precedence.

    Returns the URL and, when it is the profile's, the profile's session (for its TLS choice).

    Raises:
        NotLoggedInError: no server given and the profile holds no session.
    """
    sessions = _store(store, environ)
    env = sessions.environ if environ is None else environ
    server = (server or "").strip() or None
    if server:
        return server, None
    if profile is None and _env(env, ENV_INSTANCE_URL):
        return str(_env(env, ENV_INSTANCE_URL)), None
    name = sessions.get_current_profile() if profile is None else profile
    stored = sessions.load(name)
    if stored is None:
        raise NotLoggedInError(
            f"no server: profile {name!r} has no stored session",
            hint=f"pass {labels.server} URL, set {ENV_INSTANCE_URL}, or log in with 'immiche login'",
        )
    return stored.server_url, stored


def _safe(url: str) -> str:
    """``url`` fit for an error message: no user info, query or fragment."""
    from immiche.errors import redact_url

    return redact_url(url)


ResolvedCredentials.__module__ = "immiche.session"
TargetLabels.__module__ = "immiche.session"
