"""The CLI's side of issue 12: credentials stay with their server, signals and closed or full
stdout end a run cleanly, output paths and names mean what they look like, TLS choices are kept
with the profile, and --json is honoured everywhere.

Each test drives ``python -m immiche`` in subprocesses (counted CLI runs, output scanned for
every credential) against fake Immich servers on real sockets.
"""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from immiche.testing import FakeImmichServer, FakePerson
from tests.reliability._ledger import Outcome
from tests.reliability._servers import TlsProxy
from tests.reliability.conftest import Certificates, Cli, Result, ServerFactory


def _first_with_thumbnail(server: FakeImmichServer) -> str:
    return next(p.id for p in server.people if p.has_thumbnail and not p.is_hidden)


def _credentials_received(server: FakeImmichServer) -> set[str | None]:
    return {request.credential for request in server.requests}


# -- item 2: --server never takes the profile's credential to another server -----------------------


def test_server_flag_does_not_send_the_profile_credential_elsewhere(
    outcome: Outcome, immich: ServerFactory, cli: Cli
) -> None:
    home = immich()
    other = immich(seed=7)  # other keys
    assert other.api_key != home.api_key
    cli.login(home)
    for args, env in (
        (("people", "list", "--server", other.url), {}),
        (("people", "list"), {"IMMICH_INSTANCE_URL": other.url}),
        (("whoami", "--server", other.url.replace("127.0.0.1", "localhost")), {}),
    ):
        errors = outcome.cli_error(cli(*args, env=env), 3, contains="is not the server of profile 'default'")
        assert "its credential is not sent to another server" in errors[0]
    assert other.requests == []  # nothing, so no credential, reached the other server
    # Explicit ways: its own key, or the flag that says "same server, other address".
    own_key = cli("people", "list", "--json", "--server", other.url, "--api-key", other.api_key)
    assert own_key.code == 0, own_key
    explicit = cli("people", "list", "--server", other.url, "--use-profile-credential")
    outcome.cli_error(explicit, 3, contains="401")  # sent because the user said so; that server refuses it
    # The profile's own server under another spelling is the same server.
    same = cli("people", "list", "--json", "--server", home.url.removeprefix("http://") + "/")
    assert same.code == 0, same


# -- item 7: SIGTERM ends the CLI like Ctrl-C ------------------------------------------------------


def _start(cli: Cli, *args: str, stdout: int | None = subprocess.PIPE) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        cli.argv(*args),
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=cli.full_env(None),
        cwd=cli.cwd,
    )


def _wait_for(condition: object, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("the CLI did not get there in time")
        time.sleep(0.02)


@pytest.mark.parametrize("command", ["thumbnails", "list"])
def test_sigterm_stops_the_cli_promptly_and_cleanly(
    outcome: Outcome, server: FakeImmichServer, logged_in: Cli, command: str
) -> None:
    server.latency = 1.0
    args = ("people", "thumbnails", "--all", "-o", "faces") if command == "thumbnails" else ("people", "list")
    proc = _start(logged_in, *args)
    _wait_for(lambda: any(r.path.startswith("/api/people") for r in server.requests) or proc.poll() is not None)
    time.sleep(0.3)  # in the middle of a slow request
    sent = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    elapsed = time.monotonic() - sent
    result = logged_in.record(args, proc.returncode, out, err)
    assert elapsed < 2.0, (elapsed, result)
    assert result.code == 143, result
    assert result.err == "error: terminated\n"
    if (logged_in.cwd / "faces").exists():
        outcome.no_partial_files(logged_in.cwd / "faces")


# -- item 14: a closed or full stdout ---------------------------------------------------------------


def _with_closed_stdout(cli: Cli, *args: str) -> Result:
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will read: the first write fails with EPIPE
    try:
        proc = _start(cli, *args, stdout=write_end)
    finally:
        os.close(write_end)
    _, err = proc.communicate(timeout=60)
    return cli.record(args, proc.returncode, b"", err)


@pytest.mark.parametrize(
    "args",
    [("people", "list"), ("people", "list", "--json"), ("--help",), ("--version",), ("completion", "bash")],
    ids=["table", "json", "help", "version", "completion"],
)
def test_closed_stdout_ends_quietly(outcome: Outcome, logged_in: Cli, args: tuple[str, ...]) -> None:
    result = _with_closed_stdout(logged_in, *args)
    assert result.code == 141, result
    assert result.err == "", result  # no error, no "report the bug", no "Exception ignored"


@pytest.mark.parametrize(
    "args",
    [("people", "list"), ("people", "show", "@"), ("--help",), ("--version", "--json"), ("completion", "zsh")],
    ids=["table", "record", "help", "version", "completion"],
)
def test_full_stdout_is_one_clear_error(
    outcome: Outcome, server: FakeImmichServer, logged_in: Cli, args: tuple[str, ...]
) -> None:
    args = tuple(_first_with_thumbnail(server) if arg == "@" else arg for arg in args)
    with open("/dev/full", "wb") as full:
        proc = _start(logged_in, *args, stdout=full.fileno())
        _, err = proc.communicate(timeout=60)
    result = logged_in.record(args, proc.returncode, b"", err)
    errors = outcome.cli_error(result, 1, contains="cannot write to standard output: No space left on device")
    assert len(errors) == 1 and "Exception ignored" not in result.err


def test_thumbnail_to_a_full_stdout(outcome: Outcome, server: FakeImmichServer, logged_in: Cli) -> None:
    person = _first_with_thumbnail(server)
    with open("/dev/full", "wb") as full:
        proc = _start(logged_in, "people", "thumbnail", person, "-o", "-", stdout=full.fileno())
        _, err = proc.communicate(timeout=60)
    result = logged_in.record(("people", "thumbnail", person, "-o", "-"), proc.returncode, b"", err)
    outcome.cli_error(result, 1, contains="cannot write to standard output")


# -- item 15: -o newdir/ and -o "" ------------------------------------------------------------------


def test_output_with_a_trailing_slash_is_a_directory(
    outcome: Outcome, server: FakeImmichServer, logged_in: Cli
) -> None:
    person = _first_with_thumbnail(server)
    result = logged_in("people", "thumbnail", person, "-o", "newdir/")
    assert result.code == 0, result
    saved = logged_in.cwd / "newdir" / f"{person}.jpg"
    assert saved.read_bytes() == server.thumbnail(person)
    assert sorted(p.name for p in logged_in.cwd.iterdir()) == ["newdir"]
    nested = logged_in("people", "thumbnail", person, "-o", "a/b/", "--json")
    assert nested.code == 0, nested
    assert logged_in.cwd / nested_path(nested) == logged_in.cwd / "a" / "b" / f"{person}.jpg"
    outcome.data_intact(saved, server.thumbnail(person))


def nested_path(result: Result) -> Path:
    return Path(json.loads(result.out)["path"])


@pytest.mark.parametrize("command", ["thumbnail", "thumbnails"])
@pytest.mark.parametrize("value", ["", "  "])
def test_empty_output_is_an_error(
    outcome: Outcome, server: FakeImmichServer, logged_in: Cli, command: str, value: str
) -> None:
    person = _first_with_thumbnail(server)
    before = len(server.requests)
    outcome.cli_error(logged_in("people", command, person, "-o", value), 2, contains="-o needs a")
    assert len(server.requests) == before
    assert list(logged_in.cwd.iterdir()) == []


# -- item 16: passwords in URLs and queries never shown ---------------------------------------------


def test_password_in_server_url_is_never_shown(outcome: Outcome, server: FakeImmichServer, cli: Cli) -> None:
    password = outcome.secret("Pw-in-the-URL-7f3c9e1a", "password in a URL")
    url = server.url.replace("http://", f"http://ann:{password}@")
    no_profile = cli("-vv", "people", "list", "--server", url, "--api-key", server.api_key)
    assert no_profile.code == 2, no_profile
    assert password not in no_profile.err and "user name or password" in no_profile.err
    cli.login(server)
    with_profile = cli("-v", "people", "list", "--server", url)
    assert with_profile.code in (2, 3), with_profile
    assert password not in with_profile.out + with_profile.err
    login = cli("-v", "login", "--server", url, "--api-key-stdin", input=server.api_key)
    assert password not in login.err and login.code == 2


def test_query_of_a_url_is_never_echoed(outcome: Outcome, server: FakeImmichServer, cli: Cli) -> None:
    secret = outcome.secret("QueryKey-0b5d2f8e6a4c", "key in a URL query")
    for args in (
        ("people", "list", "--server", f"{server.url}/?apiKey={secret}", "--api-key", server.api_key),
        ("login", "--server", f"{server.url}?apiKey={secret}&x=1", "--api-key", server.api_key),
        ("server", "info", "--server", f"{server.url}?token={secret}"),
    ):
        errors = outcome.cli_error(cli(*args), 2, contains="query")
        assert "[redacted]" in errors[0] and secret not in errors[0]
        verbose = cli("-vv", *args)  # the request log and the traceback too
        assert verbose.code == 2 and secret not in verbose.out + verbose.err, verbose


# -- item 17: IMMICH_INSTANCE_URL without IMMICH_API_KEY --------------------------------------------


def test_instance_url_alone_uses_the_profile(outcome: Outcome, server: FakeImmichServer, cli: Cli) -> None:
    env = {"IMMICH_INSTANCE_URL": server.url}
    login = cli("login", "--api-key-stdin", input=server.api_key, env=env)
    assert login.code == 0, login
    for args in (("people", "list", "--json"), ("whoami", "--json"), ("server", "info", "--json")):
        result = cli(*args, env=env)
        assert result.code == 0, result
        json.loads(result.out)
    assert _credentials_received(server) <= {"api_key", None}


# -- item 18: profile names starting with '-' -------------------------------------------------------


@pytest.mark.parametrize("name", ["-x", "-", "--json"])
def test_profile_names_starting_with_a_dash_are_refused(
    outcome: Outcome, server: FakeImmichServer, cli: Cli, name: str
) -> None:
    result = cli("login", "--server", server.url, "--api-key-stdin", f"--profile={name}", input=server.api_key)
    outcome.cli_error(result, 2, contains="invalid profile name")
    assert "not starting with '.' or '-'" in result.err
    assert not cli.config.exists()
    assert server.requests == []  # refused before anything was sent


# -- item 19: names that would break the terminal ---------------------------------------------------

TRICKY = {
    "line": "Ann\u2028Injected row",
    "paragraph": "Bob\u2029X",
    "rlo": "Eve \u202egpj.exe",
    "isolates": "Dan \u2066x\u2069 \u2067y\u2068",
    "marks": "Cy\u200e\u200f\u061c",
    "embed": "Fay \u202a\u202b\u202c\u202d",
}
UNSAFE = "\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\x1b"


@pytest.fixture
def tricky(immich: ServerFactory) -> FakeImmichServer:
    return immich(people=[FakePerson(name=name, face_count=3) for name in TRICKY.values()])


def test_separators_and_bidi_controls_are_neutralised(outcome: Outcome, tricky: FakeImmichServer, cli: Cli) -> None:
    cli.login(tricky)
    table = cli("people", "list")
    assert table.code == 0, table
    lines = table.out.splitlines()
    assert len(lines) == 1 + len(TRICKY)  # one row per person: no name splits a row
    assert not set(table.out) & set(UNSAFE)
    assert "Ann?Injected row" in table.out and "Eve ?gpj.exe" in table.out
    for person in tricky.people:
        shown = cli("people", "show", person.id)
        assert shown.code == 0 and not set(shown.out) & set(UNSAFE), shown
    search = cli("people", "search", "Nobody\u202eydoboN")
    assert search.code == 0 and not set(search.err) & set(UNSAFE), search
    raw = cli("people", "list", "--json")
    assert sorted(p["name"] for p in json.loads(raw.out)) == sorted(TRICKY.values())  # JSON keeps the data


def _on_a_terminal(cli: Cli, env: dict[str, str], *args: str) -> bytes:
    master, slave = pty.openpty()
    full = {k: v for k, v in cli.full_env(env).items() if k != "NO_COLOR" or "NO_COLOR" in env}
    proc = subprocess.Popen(
        cli.argv(*args), stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=full, cwd=cli.cwd
    )
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=60)
    os.close(master)
    cli.record(args, proc.returncode, seen, b"")
    return seen


def test_no_color_means_no_escape_sequence(outcome: Outcome, server: FakeImmichServer, logged_in: Cli) -> None:
    styled = _on_a_terminal(logged_in, {}, "people", "list")
    assert b"\x1b[1m" in styled  # a terminal gets a bold header...
    for command in (("people", "list"), ("profile", "list"), ("people", "thumbnails", "--all", "-o", "t")):
        plain = _on_a_terminal(logged_in, {"NO_COLOR": "1"}, *command)
        assert b"\x1b" not in plain, (command, plain)  # ...but not with NO_COLOR


# -- item 20: --json everywhere, normalised profile URLs ---------------------------------------------


@pytest.mark.parametrize("args", [("--version", "--json"), ("--json", "--version"), ("people", "--version", "--json")])
def test_version_honours_json(outcome: Outcome, cli: Cli, args: tuple[str, ...]) -> None:
    result = cli(*args)
    assert result.code == 0, result
    document = json.loads(result.out)
    assert set(document) == {"immiche", "immich_api_spec"}
    assert document["immich_api_spec"].startswith("v")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_honours_json(outcome: Outcome, cli: Cli, shell: str) -> None:
    plain = cli("completion", shell)
    result = cli("completion", shell, "--json")
    assert result.code == 0, result
    assert json.loads(result.out) == {"shell": shell, "script": plain.out}


def test_profiles_store_the_normalised_url(outcome: Outcome, server: FakeImmichServer, cli: Cli) -> None:
    typed = server.url.removeprefix("http://") + "//"
    login = cli("login", "--server", typed, "--api-key-stdin", input=server.api_key)
    assert login.code == 0, login
    assert json.loads(cli.session_file().read_text())["server_url"] == server.url
    shown = cli("profile", "show", "--json")
    assert json.loads(shown.out)["server"] == server.url
    logout = cli("logout")
    assert logout.out == f"Logged out of {server.url}, profile default\n"


# -- item 21: TLS choices saved with the profile -----------------------------------------------------


@pytest.fixture
def tls(server: FakeImmichServer, certificates: Certificates) -> Iterator[TlsProxy]:
    with TlsProxy(server.port, certificates.server_context()) as proxy:
        yield proxy


def test_ca_bundle_is_saved_with_the_profile(
    outcome: Outcome, server: FakeImmichServer, tls: TlsProxy, certificates: Certificates, cli: Cli
) -> None:
    relative = os.path.relpath(certificates.cert, cli.cwd)
    login = cli("login", "--server", tls.url, "--ca-bundle", relative, "--api-key-stdin", input=server.api_key)
    assert login.code == 0, login
    saved = json.loads(cli.session_file().read_text())
    assert saved["tls"] == {"insecure": False, "ca_bundle": str(certificates.cert)}  # absolute
    later = cli("people", "list", "--json", cwd=cli.home)  # another directory, no TLS flag
    assert later.code == 0, later
    shown = cli("profile", "show")
    assert f"TLS:        verified with CA bundle {certificates.cert}" in shown.out
    assert json.loads(cli("profile", "show", "--json").out)["tls"]["ca_bundle"] == str(certificates.cert)
    # Overridden per command: the system's CAs, or another bundle, refuse this certificate.
    outcome.cli_error(cli("people", "list", "--verify-tls"), 5, contains="certificate verify failed")
    outcome.cli_error(cli("people", "list", "--ca-bundle", str(certificates.other_cert)), 5, contains="TLS failure")
    assert cli("people", "list", "--insecure").code == 0
    assert cli("server", "info").code == 0  # no credential, but the profile's TLS choice


def test_insecure_is_saved_with_the_profile(
    outcome: Outcome, server: FakeImmichServer, tls: TlsProxy, cli: Cli
) -> None:
    login = cli("login", "--server", tls.url, "--insecure", "--api-key-stdin", input=server.api_key)
    assert login.code == 0, login
    assert json.loads(cli.session_file().read_text())["tls"] == {"insecure": True, "ca_bundle": None}
    assert cli("people", "list").code == 0
    assert "certificate not verified (--insecure)" in cli("profile", "show").out
    outcome.cli_error(cli("whoami", "--verify-tls"), 5, contains="certificate verify failed")
    outcome.cli_error(cli("people", "list", "--insecure", "--verify-tls"), 2, contains="cannot be used together")


def test_missing_saved_ca_bundle_is_a_clear_error(
    outcome: Outcome, server: FakeImmichServer, tls: TlsProxy, certificates: Certificates, cli: Cli
) -> None:
    bundle = cli.home / "ca.pem"
    bundle.write_bytes(certificates.cert.read_bytes())
    assert (
        cli("login", "--server", tls.url, "--ca-bundle", str(bundle), "--api-key-stdin", input=server.api_key).code == 0
    )
    bundle.unlink()
    outcome.cli_error(cli("people", "list"), 1, contains="the CA bundle saved with profile 'default' is missing")
