"""Global options, accepted before and after the subcommand alike.

Every command and group of the tree gets the same set of global options through
:func:`global_options`. None of them is passed to the command function
(``expose_value=False``); instead each option's callback records a value *given* on the command
line into the one :class:`GlobalState` shared by the whole context chain (``ctx.obj``, created by
the root group). Options are processed outer command first, so for ``immiche -p a people list
-p b`` the later, inner ``-p b`` wins, as on any command line; flags are sticky and ``-v`` counts
add up. Values left at their defaults never overwrite what an outer command recorded.

Commands read the merged values with :func:`state`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from click.core import ParameterSource

__all__ = [
    "GlobalOption",
    "GlobalState",
    "ImmicheCommand",
    "ImmicheGroup",
    "complete_profiles",
    "global_options",
    "state",
]

F = TypeVar("F", bound=Callable[..., Any])


class GlobalState:
    """The global options of one invocation, merged from every level of the command line.

    ``secrets`` holds every credential the invocation handles (API key, token, password) so that
    all output can be redacted (see :mod:`immiche.cli._output`). Nothing here is ever printed.
    """

    __slots__ = (
        "api_key",
        "argv",
        "ca_bundle",
        "insecure",
        "json",
        "profile",
        "quiet",
        "secrets",
        "server",
        "timeout",
        "use_profile_credential",
        "verbose",
        "verify_tls",
    )

    def __init__(self) -> None:
        self.profile: str | None = None
        self.server: str | None = None
        self.api_key: str | None = None
        self.json = False
        self.insecure = False
        self.ca_bundle: str | None = None
        self.timeout: float | None = None
        self.verbose = 0
        self.quiet = False
        self.use_profile_credential = False
        self.verify_tls = False
        self.argv: list[str] = []  # the command line, to honour --json given after --version
        self.secrets: list[str] = []

    def add_secret(self, value: str | None) -> None:
        """Remember a credential so that it is redacted from any output.

        Values shorter than 8 characters are not redacted: they would mangle ordinary words
        (and no real API key or token is that short).
        """
        if value and len(value) >= 8 and value not in self.secrets:
            self.secrets.append(value)
            self.secrets.sort(key=len, reverse=True)  # longest first: redact a key before its parts

    def __repr__(self) -> str:
        return f"<GlobalState profile={self.profile!r} server={self.server!r} json={self.json}>"


def state(ctx: click.Context | None = None) -> GlobalState:
    """The invocation's merged global options."""
    ctx = ctx or click.get_current_context()
    found = ctx.find_object(GlobalState)
    if found is None:  # a command invoked without the root group (unit tests)
        found = ctx.find_root().obj = GlobalState()
    return found


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Record a global option given at this level into the shared state."""
    name = param.name
    assert name is not None
    if ctx.get_parameter_source(name) in (None, ParameterSource.DEFAULT):
        return value
    merged = state(ctx)
    if name == "timeout" and not value > 0:
        raise click.BadParameter("must be a positive number of seconds", ctx, param)
    if name == "verbose":
        merged.verbose += int(value)
    elif name == "api_key":
        merged.api_key = value
        merged.add_secret(value)
    else:
        setattr(merged, name, value)
    return value


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from immiche import __version__

    try:
        import immich_client

        spec: str | None = f"v{immich_client.IMMICH_VERSION}"
    except ImportError:  # pragma: no cover (a broken install)
        spec = None
    from immiche.cli._output import dumps_json, write_stdout

    options = state(ctx)
    args = options.argv[: options.argv.index("--")] if "--" in options.argv else options.argv
    if options.json or "--json" in args:  # --version is handled first, wherever --json is
        write_stdout(dumps_json({"immiche": __version__, "immich_api_spec": spec}) + "\n")
    else:
        pinned = f"Immich API spec {spec}" if spec else "Immich API spec unknown (immich_client is missing)"
        write_stdout(f"immiche {__version__} ({pinned})\n")
    ctx.exit(0)


def complete_profiles(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    import warnings

    from immiche import session

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return [name for name in session.list_profiles() if name.startswith(incomplete)]
        except Exception:  # completion must never fail loudly
            return []


class GlobalOption(click.Option):
    """An option accepted by every command (shown under "Global options" in help)."""


def global_options(f: F) -> F:
    """Add the global options to a command or group (applied to every command of the tree)."""
    specs: list[tuple[tuple[str, ...], dict[str, Any]]] = [
        (
            ("-p", "--profile"),
            {
                "metavar": "NAME",
                "help": "Profile to use (default: $IMMICH_PROFILE, else the current profile).",
                "shell_complete": complete_profiles,
            },
        ),
        (
            ("--server",),
            {"metavar": "URL", "help": "Immich server URL; overrides $IMMICH_INSTANCE_URL and the profile's."},
        ),
        (
            ("--api-key",),
            {
                "metavar": "KEY",
                "help": "API key; overrides $IMMICH_API_KEY and the profile's. A key typed here lands in "
                "your shell history: prefer $IMMICH_API_KEY, or 'login --api-key-stdin'.",
            },
        ),
        (("--json",), {"is_flag": True, "help": "Print JSON only on stdout (messages go to stderr)."}),
        (
            ("--use-profile-credential",),
            {
                "is_flag": True,
                "help": "With --server (or $IMMICH_INSTANCE_URL) naming another address than the profile's "
                "server: send the profile's credential there anyway (it is refused otherwise).",
            },
        ),
        (
            ("--insecure",),
            {
                "is_flag": True,
                "help": "Do not verify the server's TLS certificate (saved with the profile by 'login').",
            },
        ),
        (
            ("--ca-bundle",),
            {
                "metavar": "PATH",
                "type": click.Path(exists=True, dir_okay=False),
                "help": "PEM file of the CA that signed the server's certificate (saved with the profile by 'login').",
            },
        ),
        (
            ("--verify-tls",),
            {
                "is_flag": True,
                "help": "Verify the certificate with the system's CAs, whatever the profile saved.",
            },
        ),
        (
            ("--timeout",),
            {
                "metavar": "SECONDS",
                "type": float,
                "help": "Network timeout per request (default: 5 s to connect, 30 s per read).",
            },
        ),
        (
            ("-v", "--verbose"),
            {"count": True, "help": "Log requests to stderr (credentials redacted); show tracebacks."},
        ),
        (("-q", "--quiet"), {"is_flag": True, "help": "No progress bars or notes; errors and warnings only."}),
    ]
    f = click.option(
        "--version",
        cls=GlobalOption,
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_show_version,
        help="Show the immiche and Immich API spec versions, then exit.",
    )(f)
    for decls, attrs in reversed(specs):
        f = click.option(*decls, cls=GlobalOption, expose_value=False, callback=_remember, **attrs)(f)
    return f


def _format_options(command: click.Command, ctx: click.Context, formatter: click.HelpFormatter) -> None:
    own: list[tuple[str, str]] = []
    common: list[tuple[str, str]] = []
    for param in command.get_params(ctx):
        if not isinstance(param, click.Option):
            continue
        record = param.get_help_record(ctx)
        if record is not None:
            (common if isinstance(param, GlobalOption) else own).append(record)
    if ctx.parent is None:  # the root: every option is global
        own, common = [*common, *own], []
    if own:
        with formatter.section("Options"):
            formatter.write_dl(own)
    if common:
        with formatter.section("Global options (also accepted before the command)"):
            formatter.write_dl(common)


class ImmicheCommand(click.Command):
    """A command whose help lists its own options apart from the global ones."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _format_options(self, ctx, formatter)


class ImmicheGroup(click.Group):
    """A group of :class:`ImmicheCommand` (and of groups like itself)."""

    command_class = ImmicheCommand
    group_class = type

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)


def concurrency_option(command: F) -> F:
    """``--concurrency N`` of the bulk downloads (``people thumbnails``, ``people download``)."""
    from immiche._config import DEFAULT_CONCURRENCY, MAX_CONCURRENCY

    return click.option(
        "--concurrency",
        type=click.IntRange(1, MAX_CONCURRENCY),
        default=DEFAULT_CONCURRENCY,
        show_default=True,
        metavar="N",
        help="Downloads at once.",
    )(command)
