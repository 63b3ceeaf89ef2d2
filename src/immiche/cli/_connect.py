"""Which server and credential a command uses, and the clients built from them.

Precedence, highest first (command-line flags beat the environment, which beats the profile):

1. ``--server`` and ``--api-key`` on the command line;
2. with no explicit ``--profile``: ``$IMMICH_INSTANCE_URL`` and ``$IMMICH_API_KEY``;
3. the profile's stored session: ``--profile``, else ``$IMMICH_PROFILE``, else the current profile.

A flag (or variable) overrides its half of the profile's session. ``--api-key`` alone uses
another key on the profile's server. A server alone (``--server``, or ``$IMMICH_INSTANCE_URL``
without ``$IMMICH_API_KEY``) uses the profile's credential only when it is the profile's server
(compared once normalised: ``127.0.0.1:2283`` is ``http://127.0.0.1:2283``); another address is
refused unless ``--use-profile-credential`` says to send the credential there, so that a stored
credential never goes to a server the user did not log in to.

TLS: ``--insecure``, ``--ca-bundle`` and ``--verify-tls`` on the command line win; else the
profile's saved choice (``login --insecure`` / ``--ca-bundle``) applies whenever its credential
is used; else certificates are verified with the system's CAs.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from immiche.cli._errors import EXIT_USAGE, CliError
from immiche.cli._options import GlobalState

if TYPE_CHECKING:
    from immiche.client import AsyncClient, Client
    from immiche.session import AuthMethod, Session, SessionStore, TargetLabels

__all__ = [
    "Target",
    "client_options",
    "open_async_client",
    "open_client",
    "resolve",
    "safe_url",
    "setup_logging",
    "target_labels",
]

_START = time.monotonic()


@dataclass(frozen=True)
class Target:
    """A server and credential to use; ``profile`` is None when no stored session is involved.

    ``insecure`` and ``ca_bundle`` are the TLS choices saved with the profile (if any).
    """

    server_url: str
    auth: AuthMethod
    source: str
    profile: str | None
    insecure: bool = False
    ca_bundle: str | None = None

    @property
    def credential_kind(self) -> str:
        from immiche.session import ApiKey

        return "api_key" if isinstance(self.auth, ApiKey) else "login"

    @classmethod
    def of_session(cls, stored: Session, source: str, profile: str | None, server: str | None = None) -> Target:
        return cls(server or stored.server_url, stored.auth, source, profile, stored.insecure, stored.ca_bundle)


def store() -> SessionStore:
    from immiche.session import SessionStore

    return SessionStore()


def safe_url(url: str) -> str:
    """A URL fit for display: any ``user:password@`` and query are replaced by ``[redacted]``."""
    from immiche.cli._output import scrub_urls

    return scrub_urls(url, queries=True)


def target_labels() -> TargetLabels:
    from immiche.session import TargetLabels

    return TargetLabels(server="--server", api_key="--api-key", use_profile_credential="--use-profile-credential")


def resolve(options: GlobalState) -> Target:
    """The server and credential for this invocation (see the module's precedence rules, implemented
    once by :func:`immiche.session.resolve_target`)."""
    from immiche.session import ApiKey, resolve_target

    resolved = resolve_target(
        server=options.server,
        api_key=options.api_key,
        profile=options.profile,
        store=store(),
        use_profile_credential=options.use_profile_credential,
        labels=target_labels(),
    )
    source = resolved.source.replace("arguments", "command line")
    target = Target(resolved.server_url, resolved.auth, source, resolved.profile, resolved.insecure, resolved.ca_bundle)
    options.add_secret(target.auth.key if isinstance(target.auth, ApiKey) else target.auth.access_token)
    return target


def client_options(options: GlobalState, target: Target | None = None) -> dict[str, Any]:
    """The client keyword arguments of ``--timeout`` and of the TLS choice (flags, else the profile's)."""
    chosen = [
        flag
        for flag, on in (
            ("--insecure", options.insecure),
            ("--ca-bundle", options.ca_bundle),
            ("--verify-tls", options.verify_tls),
        )
        if on
    ]
    if len(chosen) > 1:
        raise CliError(f"{' and '.join(chosen)} cannot be used together", exit_code=EXIT_USAGE)
    setup_logging(options)
    kwargs: dict[str, Any] = {}
    if options.timeout is not None:
        kwargs["timeout"] = options.timeout
    if options.insecure:
        kwargs["verify"] = False
    elif options.ca_bundle:
        kwargs["verify"] = options.ca_bundle
    elif options.verify_tls or target is None:
        pass
    elif target.insecure:
        kwargs["verify"] = False
    elif target.ca_bundle:
        if not os.path.isfile(target.ca_bundle):
            raise CliError(
                f"the CA bundle saved with profile {target.profile!r} is missing: {target.ca_bundle}",
                hint="log in again with --ca-bundle PATH, or pass --ca-bundle / --verify-tls for this command",
            )
        kwargs["verify"] = target.ca_bundle
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
        Output(options).verbose(f"using {safe_url(target.server_url)} with {kind} from {source}")


def open_client(options: GlobalState, target: Target | None = None) -> Client:
    """A :class:`immiche.Client` for the invocation's server and credential."""
    target = target or resolve(options)
    kwargs = client_options(options, target)
    _describe(options, target)
    from immiche.client import Client

    return Client(target.server_url, **_credential(target), **kwargs)


def open_async_client(options: GlobalState, target: Target | None = None) -> AsyncClient:
    """An :class:`immiche.AsyncClient` for the invocation's server and credential."""
    target = target or resolve(options)
    kwargs = client_options(options, target)
    _describe(options, target)
    from immiche.client import AsyncClient

    return AsyncClient(target.server_url, **_credential(target), **kwargs)


# -- the --verbose request log ---------------------------------------------------------------------


class _RequestLog(logging.Handler):
    """Writes the ``immiche`` logger (the engine's decisions and its request log) to stderr,
    timed from start-up, with every credential redacted (the output layer redacts all it writes)."""

    def __init__(self, options: GlobalState) -> None:
        super().__init__(logging.DEBUG)
        self.options = options

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()  # never parsed: shown as logged, then redacted by Output
            from immiche.cli._output import Output

            Output(self.options).verbose(f"+{time.monotonic() - _START:.3f}s {text}")
        except Exception:  # pragma: no cover (logging must never break a command)
            self.handleError(record)


def setup_logging(options: GlobalState) -> None:
    """With ``--verbose``, show the ``immiche`` logger (and, until the engine logs its requests
    itself, httpx's request log as plain text) on stderr, for this invocation."""
    from immiche import _logs

    loggers = [logging.getLogger("immiche")]
    if not _logs.ENGINE_LOGS_REQUESTS:
        loggers.append(logging.getLogger("httpx"))
    for logger in {*loggers, logging.getLogger("httpx")}:
        for handler in [h for h in logger.handlers if isinstance(h, _RequestLog)]:
            logger.removeHandler(handler)  # left by an earlier in-process invocation
            logger.propagate = True
    if not options.verbose:
        return
    for logger in loggers:
        logger.addHandler(_RequestLog(options))
        logger.setLevel(logging.DEBUG if logger.name == "immiche" else logging.INFO)
        logger.propagate = False
