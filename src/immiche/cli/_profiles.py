"""``immiche profile list | use | show | remove``: the stored sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from immiche.cli._errors import EXIT_NOT_FOUND, CliError
from immiche.cli._options import ImmicheGroup, complete_profiles, global_options, state

if TYPE_CHECKING:
    from immiche.session import Session, SessionStore

__all__ = ["profile"]


@click.group(cls=ImmicheGroup)
@global_options
def profile() -> None:
    """Manage profiles: named logins stored in the config directory.

    The config directory is $IMMICH_CONFIG_DIR, else $XDG_CONFIG_HOME/immich, else
    ~/.config/immich. $IMMICH_PROFILE overrides the current profile.
    """


def _store() -> SessionStore:
    from immiche.session import SessionStore

    return SessionStore()


def _describe(stored: Session) -> dict[str, Any]:
    """The JSON fields of a session (secrets masked)."""
    from immiche.session import ApiKey, mask_secret

    auth = stored.auth
    if isinstance(auth, ApiKey):
        return {
            "server": stored.server_url,
            "credential": "api_key",
            "key": mask_secret(auth.key),
            "key_name": auth.name,
            "email": None,
            "user_id": None,
            "created_at": stored.created_at,
            "tls": _tls(stored),
        }
    return {
        "server": stored.server_url,
        "credential": "login",
        "key": mask_secret(auth.access_token),
        "key_name": None,
        "email": auth.email,
        "user_id": auth.user_id,
        "created_at": stored.created_at,
        "tls": _tls(stored),
    }


def _tls(stored: Session) -> dict[str, Any]:
    return {"insecure": stored.insecure, "ca_bundle": stored.ca_bundle}


def _tls_text(stored: Session) -> str:
    from immiche.cli._output import clean

    if stored.insecure:
        return "certificate not verified (--insecure)"
    if stored.ca_bundle:
        return f"verified with CA bundle {clean(stored.ca_bundle)}"
    return "verified with the system's CAs"


def _credential_text(info: dict[str, Any]) -> str:
    from immiche.cli._output import clean

    if info["credential"] == "api_key":
        named = f" {clean(info['key_name'])!r}" if info["key_name"] else ""
        return f"API key{named} ({info['key']})"
    return f"login of {clean(info['email'])} (token {info['key']})"


def _missing(name: str) -> CliError:
    return CliError(
        f"no profile {name!r}",
        hint=f"see 'immiche profile list', or log in with 'immiche login --profile {name} --server URL ...'",
        exit_code=EXIT_NOT_FOUND,
    )


@profile.command("list")
@global_options
def list_() -> None:
    """List the profiles; the current one is marked with '*'."""
    from immiche.cli._output import Column, clean, output

    sessions = _store()
    names = sessions.list_profiles()
    current = sessions.get_current_profile()
    rows: list[dict[str, Any]] = []
    for name in names:
        stored = sessions.load(name)
        if stored is not None:
            rows.append({"name": name, "current": name == current, **_describe(stored)})
    out = output()
    if out.json:
        out.emit_json(rows)
        return
    if not rows:
        out.note("no profiles yet: run 'immiche login --server URL --api-key-stdin'")
        return
    out.table(
        [
            Column(""),
            Column("PROFILE"),
            Column("SERVER", no_wrap=False),
            Column("CREDENTIAL", no_wrap=False),
            Column("CREATED"),
        ],
        [
            [
                "*" if row["current"] else "",
                row["name"],
                clean(row["server"]),
                _credential_text(row),
                row["created_at"][:10],
            ]
            for row in rows
        ],
    )
    if current not in names:
        out.note(f"note: the current profile {current!r} has no stored session")


@profile.command()
@click.argument("name", shell_complete=complete_profiles)
@global_options
def use(name: str) -> None:
    """Make NAME the current profile."""
    import os

    from immiche.cli._output import output
    from immiche.session import ENV_PROFILE, validate_profile_name

    sessions = _store()
    name = validate_profile_name(name)
    if sessions.load(name) is None:
        raise _missing(name)
    sessions.set_current_profile(name)
    out = output()
    if out.json:
        out.emit_json({"current_profile": name})
    else:
        out.line(f"Current profile: {name}")
    overriding = os.environ.get(ENV_PROFILE)
    if overriding and overriding != name:
        out.warn(f"{ENV_PROFILE}={overriding} is set and overrides the current profile in this environment")


@profile.command()
@click.argument("name", required=False, shell_complete=complete_profiles)
@global_options
def show(name: str | None) -> None:
    """Show a profile (default: --profile, else the current one), secrets masked."""
    from immiche.cli._output import clean, output
    from immiche.session import validate_profile_name

    sessions = _store()
    current = sessions.get_current_profile()
    chosen = name if name is not None else (state().profile or current)
    chosen = validate_profile_name(chosen)
    stored = sessions.load(chosen)
    if stored is None:
        raise _missing(chosen)
    info = {
        "name": chosen,
        "current": chosen == current,
        **_describe(stored),
        "path": str(sessions.session_path(chosen)),
    }
    out = output()
    if out.json:
        out.emit_json(info)
        return
    out.record(
        [
            ("Profile", chosen + (" (current)" if info["current"] else "")),
            ("Server", clean(stored.server_url)),
            ("Credential", _credential_text(info)),
            ("TLS", _tls_text(stored)),
            ("User id", info["user_id"]),
            ("Created", stored.created_at),
            ("File", info["path"]),
        ]
    )


@profile.command()
@click.argument("name", shell_complete=complete_profiles)
@global_options
def remove(name: str) -> None:
    """Remove profile NAME's stored session (nothing is revoked on the server: see 'logout')."""
    from immiche.cli._output import output
    from immiche.session import validate_profile_name

    sessions = _store()
    name = validate_profile_name(name)
    current = sessions.get_current_profile()
    if not sessions.clear(name):
        raise _missing(name)
    out = output()
    if out.json:
        out.emit_json({"removed": name})
    else:
        out.line(f"Removed profile {name}")
    if name == current:
        out.note("note: that was the current profile; choose another with 'immiche profile use NAME'")
