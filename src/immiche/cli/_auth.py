"""``immiche login``, ``logout`` and ``whoami`` (alias ``status``)."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import click

from immiche.cli._errors import EXIT_AUTH, EXIT_USAGE, CliError
from immiche.cli._options import GlobalState, ImmicheCommand, global_options, state

if TYPE_CHECKING:
    from immiche.cli._output import Output
    from immiche.client import Client
    from immiche.server import User
    from immiche.session import AuthMethod, Session

__all__ = ["login", "logout", "whoami"]


def _usage(message: str) -> CliError:
    return CliError(message, hint="see 'immiche login --help'", exit_code=EXIT_USAGE)


def _read_stdin_secret(what: str, *, strip: bool) -> str:
    """A secret read from stdin: prompted without echo on a terminal, else the piped text."""
    if sys.stdin is None:
        raise _usage(f"no standard input to read the {what} from")
    if sys.stdin.isatty():
        value = str(click.prompt(what.capitalize(), hide_input=True, err=True))
    else:
        value = sys.stdin.read()
        # One trailing line break is the pipe's, not the secret's.
        value = value.removesuffix("\n").removesuffix("\r")
    if strip:
        value = value.strip()
    if not value:
        raise _usage(f"the {what} read from standard input is empty")
    return value


def _user_json(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.id, "email": user.email, "name": user.name, "is_admin": user.is_admin}


@click.command(cls=ImmicheCommand)
@click.option(
    "--api-key-stdin", is_flag=True, help="Read the API key from stdin (prompted without echo on a terminal)."
)
@click.option("--email", metavar="EMAIL", help="Log in with this account's email and password instead of an API key.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (with --email).")
@click.option("--name", "key_name", metavar="NAME", help="A name for the API key, shown by 'profile show'.")
@global_options
def login(api_key_stdin: bool, email: str | None, password_stdin: bool, key_name: str | None) -> None:
    """Log in to an Immich server and save the session in a profile.

    \b
    With an API key (Immich: Account Settings > API Keys):
      immiche login --server https://photos.example.com --api-key-stdin < key.txt
      IMMICH_API_KEY=... immiche login --server https://photos.example.com
    With email and password (prompted without echo, or --password-stdin):
      immiche login --server http://192.168.1.10:2283 --email me@example.com

    The credential is checked against the server (GET /users/me) before anything is saved; a
    failed check saves nothing. The session goes to --profile (default: the current profile),
    with the server URL as normalised and the TLS choice (--insecure, or --ca-bundle's absolute
    path), used by later commands of the profile unless they pass their own.
    """
    from immiche.session import ENV_API_KEY, ENV_INSTANCE_URL, server_and_key

    options = state()
    found_server, found_key = server_and_key(server=options.server, api_key=options.api_key)
    server = found_server or ""
    if not server:
        raise _usage(f"login needs --server URL (or {ENV_INSTANCE_URL})")
    if password_stdin and not email:
        raise _usage("--password-stdin goes with --email")
    given = [flag for flag, on in (("--api-key", options.api_key), ("--api-key-stdin", api_key_stdin)) if on]
    if email:
        given.append("--email")
    if len(given) > 1:
        raise _usage(f"{' and '.join(given)} cannot be used together: choose one credential")
    if email and key_name is not None:
        raise _usage("--name names an API key; it does not apply to --email")

    from immiche.cli._connect import client_options

    client_kwargs = client_options(options)
    if email:
        if password_stdin:
            password = _read_stdin_secret("password", strip=False)
        elif sys.stdin is not None and sys.stdin.isatty():
            password = str(click.prompt("Password", hide_input=True, err=True))
        else:
            raise _usage("no terminal to ask for the password: pass --password-stdin and pipe it in")
        options.add_secret(password)
        _login_with_password(options, server, email, password, client_kwargs)
        return
    if api_key_stdin:
        key = _read_stdin_secret("API key", strip=True)
    else:
        key = found_key or ""
        if not key:
            raise _usage(f"login needs a credential: --api-key-stdin, --email EMAIL, or {ENV_API_KEY}")
    options.add_secret(key)
    _login_with_key(options, server, key, key_name, client_kwargs)


def _profile(options: GlobalState) -> str:
    from immiche.session import SessionStore, validate_profile_name

    if options.profile is not None:
        return validate_profile_name(options.profile)
    return SessionStore().get_current_profile()


def _login_with_key(
    options: GlobalState, server: str, key: str, key_name: str | None, client_kwargs: dict[str, Any]
) -> None:
    from immiche.client import Client
    from immiche.errors import AuthenticationError
    from immiche.session import ApiKey

    profile = _profile(options)
    with Client(server, api_key=key, **client_kwargs) as client:
        try:
            user = _whoami_or_none(client)
        except AuthenticationError as err:
            raise _refused("the server refused the API key", err) from None
        if user is None:
            # A key limited to the people API (person.read) cannot read /users/me: check it there.
            for _ in client.iter_people(page_size=1):
                break
        _save(options, client, profile=profile, auth=ApiKey(key, name=key_name), user=user, server=server)


def _login_with_password(
    options: GlobalState, server: str, email: str, password: str, client_kwargs: dict[str, Any]
) -> None:
    from immiche.client import Client
    from immiche.errors import AuthenticationError
    from immiche.session import Jwt

    profile = _profile(options)
    try:
        result = Client.login(server, email, password, **client_kwargs)
    except AuthenticationError as err:
        raise _refused("login refused: wrong email or password", err) from None
    options.add_secret(result.access_token)
    with Client(server, access_token=result.access_token, **client_kwargs) as client:
        user = client.whoami()
        auth = Jwt(result.access_token, user.id, user.email)
        _save(options, client, profile=profile, auth=auth, user=user, server=server)


def _refused(what: str, err: Any) -> CliError:
    hint = (
        "check the email and password, or log in with an API key (--api-key-stdin)"
        if "password" in what
        else "check the key, or create one in Immich under Account Settings > API Keys"
    )
    return CliError(
        f"{what} ({err.status_code}: {err.server_message or 'no reason given'})", hint=hint, exit_code=EXIT_AUTH
    )


def _save(
    options: GlobalState, client: Client, *, profile: str, auth: AuthMethod, user: User | None, server: str
) -> None:
    from immiche import session
    from immiche.cli._output import clean, output

    version = client.server_version()
    sessions = session.SessionStore()
    first = not sessions.list_profiles()
    # The URL as normalised (127.0.0.1:2283 -> http://127.0.0.1:2283), and the TLS choice of the login.
    stored = session.Session.create(
        client.base_url,
        auth,
        insecure=options.insecure,
        ca_bundle=os.path.abspath(options.ca_bundle) if options.ca_bundle else None,
    )
    sessions.save(stored, profile)
    if first:
        sessions.set_current_profile(profile)
    out = output()
    kind = "api_key" if isinstance(auth, session.ApiKey) else "login"
    if out.json:
        out.emit_json(
            {
                "profile": profile,
                "server": client.base_url,
                "server_version": str(version),
                "user": _user_json(user),
                "credential": kind,
            }
        )
    else:
        who = clean(user.email) if user is not None else "an API key without the user.read permission"
        out.line(f"Logged in to {client.base_url} (Immich {version}) as {who}, profile {profile}")
    if user is None:
        out.note("note: the key cannot read the account (no user.read permission); 'whoami' cannot show the user")
    current = sessions.get_current_profile()
    if current != profile:
        out.note(f"note: the current profile is {current!r}; run 'immiche profile use {profile}' to switch")


@click.command(cls=ImmicheCommand)
@global_options
def logout() -> None:
    """Log out: end the login session on the server, remove the stored session.

    With an API key nothing is revoked on the server (delete the key in Immich to revoke it).
    When the server cannot be reached the local session is removed anyway, with a note.
    """
    from immiche import session
    from immiche.cli._output import output
    from immiche.errors import SessionError

    options = state()
    out = output()
    sessions = session.SessionStore()
    profile = _profile(options)
    server_ended: bool | None = None
    try:
        stored = sessions.load(profile)
    except SessionError as err:
        out.note(f"note: the session of profile {profile!r} is unreadable ({err.message}); removing it")
        sessions.clear(profile)
        _logout_result(out, profile, None, None)
        return
    if stored is None:
        out.note(f"note: not logged in: profile {profile!r} has no stored session")
        _logout_result(out, profile, None, None)
        return
    if isinstance(stored.auth, session.Jwt):
        server_ended = _end_server_session(options, out, stored)
    sessions.clear(profile)
    _logout_result(out, profile, stored.server_url, server_ended)


def _end_server_session(options: GlobalState, out: Output, stored: Session) -> bool:
    from immiche.cli._connect import Target, open_client
    from immiche.cli._errors import describe
    from immiche.errors import ImmichError
    from immiche.session import Jwt

    assert isinstance(stored.auth, Jwt)
    options.add_secret(stored.auth.access_token)
    target = Target.of_session(stored, "stored session", None)
    try:
        with open_client(options, target) as client:
            client.logout()
    except ImmichError as err:
        message, _ = describe(err)
        out.note(f"note: could not end the session on the server ({message}); removed it locally")
        return False
    return True


def _logout_result(out: Output, profile: str, server: str | None, server_ended: bool | None) -> None:
    if out.json:
        out.emit_json(
            {"profile": profile, "server": server, "removed": server is not None, "server_session_ended": server_ended}
        )
    elif server is not None:
        out.line(f"Logged out of {server}, profile {profile}")


@click.command(cls=ImmicheCommand)
@global_options
def whoami() -> None:
    """Show who you are logged in as: profile, server, user, credential and versions."""
    import warnings

    import immiche
    from immiche.cli._connect import open_client, resolve
    from immiche.cli._output import clean, output
    from immiche.session import ApiKey

    options = state()
    target = resolve(options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", immiche.ImmichVersionWarning)  # shown below as "compatible: no"
        with open_client(options, target) as client:
            user = _whoami_or_none(client)
            version = client.server_version()
            base_url = client.base_url
    pinned = immiche.PINNED_IMMICH_VERSION
    from immiche.cli._server import compatible

    ok = compatible(version)
    out = output()
    key_name = target.auth.name if isinstance(target.auth, ApiKey) else None
    if out.json:
        out.emit_json(
            {
                "profile": target.profile,
                "source": target.source,
                "server": base_url,
                "user": _user_json(user),
                "credential": target.credential_kind,
                "key_name": key_name,
                "server_version": str(version),
                "pinned_version": f"v{pinned}",
                "compatible": ok,
            }
        )
        return
    if target.credential_kind == "api_key":
        how = f"API key {clean(key_name)!r}" if key_name else "API key"
    else:
        how = "password login"
    out.record(
        [
            ("Profile", target.profile or f"(none: {target.source})"),
            ("Server", base_url),
            ("User", _user_text(user)),
            ("Credential", how),
            ("Server version", str(version)),
            ("Pinned spec", f"v{pinned}" + ("" if ok else " (server version not tested: see 'immiche server info')")),
        ]
    )


def _whoami_or_none(client: Client) -> User | None:
    """The account, or None for an API key without the user.read permission (it may still list people)."""
    from immiche.errors import PermissionDeniedError

    try:
        return client.whoami()
    except PermissionDeniedError as err:
        if err.permission != "user.read":
            raise
        return None


def _user_text(user: User | None) -> str:
    from immiche.cli._output import clean

    if user is None:
        return "(unknown: the API key lacks the user.read permission)"
    return f"{clean(user.name)} <{clean(user.email)}>" + (" (admin)" if user.is_admin else "")
