"""Secrets: no API key, login token or password in anything immiche prints, logs, raises or writes
outside the session files.

The scanning itself happens for every test of this suite (conftest.py and _ledger.py); the tests
here make sure the scanner works, and drive complete sessions of the library and the CLI, at
DEBUG level and with --verbose, successes and failures alike, so that there is much to scan.
"""

from __future__ import annotations

import asyncio
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from immiche import AsyncClient, AuthenticationError, Client, RetryPolicy, session
from immiche.testing import FakeImmichServer
from tests.reliability._ledger import SYNTHETIC_SECRETS, Ledger, Outcome
from tests.reliability.conftest import Cli, token_for

FAST = RetryPolicy(backoff=0.01, max_backoff=0.05)
KEY = SYNTHETIC_SECRETS["api_key"]
TOKEN = SYNTHETIC_SECRETS["token"]
PASSWORD = SYNTHETIC_SECRETS["password"]


def test_the_scanner_finds_what_it_must(tmp_path_factory: pytest.TempPathFactory) -> None:
    """On a private ledger: whole secrets, pieces of them, in text, bytes and files, but not in
    session files; and nothing in clean text. (The planted files are not under this test's
    tmp_path, which the suite's own scanner reads, and are removed at the end.)"""
    tmp_path = tmp_path_factory.mktemp("planted")
    try:
        _scanner_checks(tmp_path)
    finally:
        shutil.rmtree(tmp_path)


def _scanner_checks(tmp_path: Path) -> None:
    ledger = Ledger()
    assert ledger.scan("GET /api/people -> 200 OK", "clean") == 0
    assert ledger.scan(f"key={KEY}", "whole") == 1
    assert ledger.scan(f"...{KEY[5:25]}...", "a 20-character piece") == 1
    assert ledger.scan(f"{PASSWORD} and {TOKEN} and again {PASSWORD}", "three") == 3
    assert ledger.scan(b"\x00\xff" + KEY.encode() + b"\x00", "bytes") == 1
    secret = "a secret with spaces!"  # not URL-safe: looked for whole
    ledger.secrets.add(secret, "odd secret")
    assert ledger.scan(f"<{secret}>", "odd") == 1
    assert ledger.scan(secret[:-1], "odd, truncated") == 0
    profile = tmp_path / "config" / "profiles" / "home"
    profile.mkdir(parents=True)
    (profile / "session.json").write_text(KEY)
    (profile / ".session.json.abc.tmp").write_text(KEY)
    (tmp_path / "thumbs").mkdir()
    (tmp_path / "thumbs" / "face.jpg").write_bytes(b"\xff\xd8" + TOKEN.encode())
    assert ledger.scan_tree(tmp_path, "tree") == 1
    assert ledger.secrets_leaked == 1 + 1 + 3 + 1 + 1 + 1
    assert ledger.failed and len(ledger.problems) == 6


def _library_session_sync(server: FakeImmichServer, outcome: Outcome, folder: Path) -> None:
    token = token_for(server, outcome)
    credentials: list[dict[str, Any]] = [{"access_token": token}, {"api_key": server.api_key}]
    for credential in credentials:
        with Client(server.url, retries=FAST, **credential) as client:
            me = client.whoami()
            people = client.fetch_people(with_hidden=True)
            found = client.search_person("Ann")
            person = client.fetch_person(found[0].id)
            client.fetch_thumbnail(person.id)
            result = client.download_thumbnails(people.people, folder, concurrency=4)
            outcome.saw(f"{client} {client!r} {client.low_level!r} {vars(client)!r}", "print(Client)")
            outcome.saw(f"{me!r} {people!r} {found!r} {person!r} {result!r}", "print(results)")
            if "access_token" in credential:
                assert client.logout() is True
    user = server.user
    outcome.raises(AuthenticationError, Client.login, server.url, user.email, PASSWORD)
    refused: list[dict[str, Any]] = [{"api_key": KEY}, {"access_token": TOKEN}, {"access_token": token}]
    for credential in refused:  # the last one: logged out above
        with Client(server.url, **credential) as client:
            error = outcome.raises(AuthenticationError, client.whoami)
            assert error.status_code == 401


def test_a_whole_library_session_at_debug_level(
    outcome: Outcome, server: FakeImmichServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    _library_session_sync(server, outcome, tmp_path / "faces")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "HTTP Request: POST" in logged and "receive_response_body" in logged  # there was a log to scan
    assert len(list((tmp_path / "faces").iterdir())) == len([p for p in server.people if p.has_thumbnail])


def test_a_whole_async_session_at_debug_level(outcome: Outcome, server: FakeImmichServer, tmp_path: Path) -> None:
    token = token_for(server, outcome)

    async def run() -> None:
        async with AsyncClient(server.url, access_token=token, retries=FAST) as client:
            people = await client.fetch_people(with_hidden=True)
            await client.download_thumbnails(people.people, tmp_path / "faces")
            outcome.saw(f"{client!r} {client.low_level!r}", "print(AsyncClient)")
            await client.logout()
        async with AsyncClient(server.url, access_token=token) as client:
            try:
                await client.whoami()
            except AuthenticationError as error:
                outcome.clear_error(error, AuthenticationError)
            else:  # pragma: no cover
                raise AssertionError("a logged-out token still works")

    asyncio.run(run())


def test_password_login_at_debug_level(outcome: Outcome, server: FakeImmichServer) -> None:
    """Client.login with DEBUG logging on, as a user debugging a connection would run it.

    Immich answers a login with ``Set-Cookie: immich_access_token=<the token>``, and httpcore logs
    every response's headers at DEBUG (``receive_response_headers.complete return_value=...``):
    the new token lands in the log unless immiche redacts it.
    """
    user = server.user
    result = Client.login(server.url, user.email, user.password)
    outcome.secret(result.access_token, "login token")
    outcome.saw(f"{result} {result!r}", "print(LoginResult)")

    async def login() -> str:
        return (await AsyncClient.login(server.url, user.email, user.password)).access_token

    outcome.secret(asyncio.run(login()), "login token")


def test_stored_sessions_display_masked(outcome: Outcome, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = session.SessionStore(tmp_path / "config")
    key_session = session.Session.create("https://photos.example.com", session.ApiKey(KEY, name="laptop"))
    token_session = session.Session.create("https://photos.example.com", session.Jwt(TOKEN, "u-1", "a@example.com"))
    store.save(key_session, "key")
    store.save(token_session, "token")
    monkeypatch.setenv("IMMICH_INSTANCE_URL", "https://photos.example.com")
    monkeypatch.setenv("IMMICH_API_KEY", KEY)
    resolved = session.resolve_credentials()
    for value in (key_session, token_session, store.load("key"), store.load("token"), resolved, store):
        outcome.saw(f"{value} {value!r}", f"print({type(value).__name__})")
    with Client("https://photos.example.com", api_key=KEY) as client:
        outcome.saw(f"{client} {client!r}", "print(Client)")


def _store_token_session(cli: Cli, server: FakeImmichServer, outcome: Outcome, profile: str) -> None:
    user = server.user
    jwt = session.Jwt(token_for(server, outcome), user.id, user.email)
    session.SessionStore(cli.config).save(session.Session.create(server.url, jwt), profile)


def test_a_whole_cli_session_with_verbose(outcome: Outcome, cli: Cli, server: FakeImmichServer) -> None:
    user = server.user
    person = next(p.id for p in server.people if p.has_thumbnail)
    server.faults.add("status", status=503, path="/api/people")
    cli.login(server)
    _store_token_session(cli, server, outcome, "token")
    no_debug_log = {"IMMICHE_RELIABILITY_LOG_DIR": ""}  # see test_password_login_at_debug_level
    working = cli.many(
        (["-vv", "login", "-p", "password", "--server", server.url, "--email", user.email, "--password-stdin",
          "--json"], {"input": user.password, "env": no_debug_log}),
        ["-v", "whoami", "--json"],
        ["-v", "people", "list", "--with-hidden"],
        ["-v", "people", "thumbnail", person, "-o", "face.jpg"],
        ["-vv", "people", "thumbnails", "--all", "-o", "faces", "--json", "-p", "token"],
        ["-v", "profile", "show", "--json", "-p", "token"],
        ["-v", "profile", "list"],
        ["-v", "people", "list", "--api-key", server.api_keys["person.read"]],
        ["-v", "server", "info", "--json"],
    )  # fmt: skip
    assert [run.code for run in working] == [0] * 9, working
    ended = cli.many(["-v", "logout", "-p", "token"], ["-v", "logout", "-p", "password"])
    assert [run.code for run in ended] == [0, 0], ended
    refused = cli.many(
        (["-vv", "whoami"], {"env": {"IMMICH_INSTANCE_URL": server.url, "IMMICH_API_KEY": KEY}}),
        (["-v", "login", "--server", server.url, "--email", user.email, "--password-stdin"], {"input": PASSWORD}),
        ["-vv", "people", "list", "--server", server.url, "--api-key", TOKEN],
        ["-v", "people", "list", "-p", "token"],
    )
    assert [run.code for run in refused] == [3] * 4, refused
    runs = [*working, *ended, *refused]
    logs = "".join(path.read_text() for path in cli.logs.iterdir())
    assert "HTTP Request: POST" in logs and "send_request_headers" in logs  # the DEBUG logs exist
    assert any("immiche: +" in run.err for run in runs)  # and so does the --verbose request log


def test_secrets_are_only_in_session_files(outcome: Outcome, cli: Cli, server: FakeImmichServer) -> None:
    """After logins, downloads and failures, the credentials are in the session files (0600),
    and the scanner (run at teardown over everything else under the test's directory) finds them
    nowhere else."""
    cli.login(server)
    _store_token_session(cli, server, outcome, "token")
    assert cli("people", "thumbnails", "--all", "-o", "faces").code == 0
    assert cli("people", "thumbnails", "--all", "-o", "faces", "-p", "token").code == 0
    for name in ("default", "token"):
        path = cli.session_file(name)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert server.api_key in cli.session_file().read_text()
    written = [path for path in cli.home.rglob("*") if path.is_file()]
    assert any(path.suffix == ".jpg" for path in written) and any(path.suffix == ".log" for path in written)
