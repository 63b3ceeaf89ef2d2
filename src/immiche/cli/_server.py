"""``immiche server info``: the server's version against the spec immiche is built on."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from immiche.cli._options import ImmicheGroup, global_options, state

if TYPE_CHECKING:
    from immiche.server import ServerVersion

__all__ = ["compatible", "server", "tested_range"]


def tested_range() -> str:
    """The tested server versions as text: ``v1.132 to v3.3.x``."""
    from immiche._contract import TESTED_RANGE

    (low_major, low_minor), (high_major, high_minor) = TESTED_RANGE
    return f"v{low_major}.{low_minor} to v{high_major}.{high_minor}.x"


def compatible(version: ServerVersion) -> bool:
    """Whether the facade is tested against this server version."""
    from immiche._contract import is_tested

    return is_tested(version.major, version.minor)


@click.group(cls=ImmicheGroup)
@global_options
def server() -> None:
    """Information about the Immich server."""


def _server_url() -> tuple[str, dict[str, Any]]:
    """--server, else $IMMICH_INSTANCE_URL, else the profile's server (no credential is needed);
    and the client options (the profile's TLS choice applies to the profile's server)."""
    from immiche.cli._connect import Target, client_options, store, target_labels
    from immiche.session import resolve_server

    options = state()
    profile = options.profile
    url, stored = resolve_server(server=options.server, profile=profile, store=store(), labels=target_labels())
    if stored is None:
        return url, client_options(options)
    name = profile or store().get_current_profile()
    return url, client_options(options, Target.of_session(stored, f"profile:{name}", name))


@server.command()
@global_options
def info() -> None:
    """Show the server's URL and version, the pinned spec version, and whether they are compatible.

    Needs no credential: the server is --server, else $IMMICH_INSTANCE_URL, else the profile's.
    With --json: {"server", "api_root", "version", "pinned_version", "tested_range", "compatible"}.
    """
    import immiche
    from immiche.cli._output import output
    from immiche.client import Client

    url, kwargs = _server_url()
    info = Client.probe(url, **kwargs)
    version, api_root, base_url, ok = info.version, info.api_root, info.base_url, info.tested
    pinned = immiche.PINNED_IMMICH_VERSION
    out = output()
    if out.json:
        out.emit_json(
            {
                "server": base_url,
                "api_root": api_root,
                "version": str(version),
                "pinned_version": f"v{pinned}",
                "tested_range": tested_range(),
                "compatible": ok,
            }
        )
        return
    out.record(
        [
            ("Server", base_url),
            ("API root", api_root),
            ("Version", f"Immich {version}"),
            ("Pinned spec", f"v{pinned} (tested with Immich {tested_range()})"),
            ("Compatible", "yes" if ok else "no: this server version is not tested; some calls may fail"),
        ]
    )
