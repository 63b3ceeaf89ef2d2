"""Which server and credential a command uses, and the clients built from them.

Precedence, highest first (command-line flags beat the environment, which beats the profile):

1. ``--server`` and ``--api-key`` on the command line;
2. with no explicit ``--profile``: ``$IMMICH_INSTANCE_URL`` and ``$IMMICH_API_KEY``;
3. the profile's stored session: ``--profile``, else ``$IMMICH_PROFILE``, else the current profile.

A flag (or variable) overrides its half of the profile's session: ``--server`` alone talks to
another address of the same server (say, its LAN address) with the profile's credential;
``--api-key`` alone uses another key on the profile's server. Without any flag the rules are those
of :func:`immiche.session.resolve_credentials` (both variables or neither).
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from immiche.cli._errors import EXIT_AUTH, EXIT_USAGE, CliError
from immiche.cli._options import GlobalState

if TYPE_CHECKING:
    from immiche.client import AsyncClient, Client
    from immiche.session import AuthMethod, SessionStore

__all__ = ["Target", "client_options", "open_async_client", "open_client", "resolve", "setup_logging"]

_START = time.monotonic()


@dataclass(frozen=True)
class Target:
    """A server and credential to use; ``profile`` is None when no stored session is involved."""

    server_url: str
    auth: AuthMethod
    source: str
    profile: str | None

    @property
    def credential_kind(self) -> str:
        from immiche.session import ApiKey

        return "api_key" if isinstance(self.auth, ApiKey) else "login"


def store() -> SessionStore:
    from immiche.session import SessionStore

    return SessionStore()


def resolve(options: GlobalState) -> Target:
    """The server and credential for this invocation (see the module's precedence rules)."""
    from immiche import session
    from immiche.session import ApiKey, Jwt

    server = options.server.strip() if options.server else None
    key = options.api_key.strip() if options.api_key else None
    if not server and not key:
        resolved = session.resolve_credentials(profile=options.profile)
        target = Target(resolved.server_url, resolved.auth, resolved.source, resolved.profile)
    elif server and key:
        target = Target(server, ApiKey(key), "command line", None)
    else:
        if options.profile is None:
            server = server or (os.environ.get(session.ENV_INSTANCE_URL) or "").strip() or None
            key = key or (os.environ.get(session.ENV_API_KEY) or "").strip() or None
        if server and key:
            target = Target(server, ApiKey(key), "command line and environment", None)
        else:
            sessions = store()
            profile = sessions.get_current_profile() if options.profile is None else options.profile
            stored = sessions.load(profile)
            if stored is None:
                if key:
                    raise CliError(
                        "--api-key needs a server",
                        hint=f"add --server URL, set {session.ENV_INSTANCE_URL}, or log in to profile {profile!r}",
                        exit_code=EXIT_USAGE,
                    )
                raise CliError(
                    f"no credential for {server}",
                    hint=f"set {session.ENV_API_KEY}, pass --api-key, or run 'immiche login --server {server} "
                    "--api-key-stdin'",
                    exit_code=EXIT_AUTH,
                )
            auth: ApiKey | Jwt = ApiKey(key) if key else stored.auth
            target = Target(server or stored.server_url, auth, f"profile:{profile}", profile)
    options.add_secret(target.auth.key if isinstance(target.auth, ApiKey) else target.auth.access_token)
    return target


def client_options(options: GlobalState) -> dict[str, Any]:
    """The client keyword arguments of ``--timeout``, ``--insecure`` and ``--ca-bundle``."""
    if options.insecure and options.ca_bundle:
        raise CliError("--insecure and --ca-bundle cannot be used together", exit_code=EXIT_USAGE)
    setup_logging(options)
    kwargs: dict[str, Any] = {}
    if options.timeout is not None:
        kwargs["timeout"] = options.timeout
    if options.insecure:
        kwargs["verify"] = False
    elif options.ca_bundle:
        kwargs["verify"] = options.ca_bundle
    return kwargs


def _credential(target: Target) -> dict[str, Any]:
    from immiche.session import ApiKey

    if isinstance(target.auth, ApiKey):
        return {"api_key": target.auth.key}
    return {"access_token": target.auth.access_token}


def _describe(options: GlobalState, target: Target) -> None:
    if options.verbose:
        from immiche.cli._output import Output

        kind = "an API key" if target.credential_kind == "api_key" else "a login token"
        source = f"profile {target.profile!r}" if target.profile else f"the {target.source}"
        Output(options).verbose(f"using {target.server_url} with {kind} from {source}")


def open_client(options: GlobalState, target: Target | None = None) -> Client:
    """A :class:`immiche.Client` for the invocation's server and credential."""
    target = target or resolve(options)
    kwargs = client_options(options)
    _describe(options, target)
    from immiche.client import Client

    return Client(target.server_url, **_credential(target), **kwargs)


def open_async_client(options: GlobalState, target: Target | None = None) -> AsyncClient:
    """An :class:`immiche.AsyncClient` for the invocation's server and credential."""
    target = target or resolve(options)
    kwargs = client_options(options)
    _describe(options, target)
    from immiche.client import AsyncClient

    return AsyncClient(target.server_url, **_credential(target), **kwargs)


# -- the --verbose request log ---------------------------------------------------------------------


class _RequestLog(logging.Handler):
    """Writes httpx's request log to stderr, timed from start-up, with every credential redacted."""

    def __init__(self, options: GlobalState) -> None:
        super().__init__(logging.INFO)
        self.options = options

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if record.msg == 'HTTP Request: %s %s "%s %d %s"' and isinstance(record.args, tuple):
                method, url, _, status, reason = record.args
                text = f"{method} {_strip_query_secrets(str(url))} -> {status} {reason}"
            else:
                text = record.getMessage()
            from immiche.cli._output import Output

            Output(self.options).verbose(f"+{time.monotonic() - _START:.3f}s {text}")
        except Exception:  # pragma: no cover (logging must never break a command)
            self.handleError(record)


def _strip_query_secrets(url: str) -> str:
    """Hide query parameters that carry credentials (immiche never sends any; belt and braces)."""
    if "?" not in url:
        return url
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = [
        (k, "[redacted]" if k.lower() in {"apikey", "api_key", "key", "sessionkey", "token", "password"} else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query, safe="[]")))


def setup_logging(options: GlobalState) -> None:
    """With ``--verbose``, log every HTTP request httpx sends to stderr (for this invocation)."""
    logger = logging.getLogger("httpx")
    for handler in [h for h in logger.handlers if isinstance(h, _RequestLog)]:
        logger.removeHandler(handler)  # left by an earlier in-process invocation
        logger.propagate = True
    if not options.verbose:
        return
    logger.addHandler(_RequestLog(options))
    logger.setLevel(logging.INFO)
    logger.propagate = False
