"""Bad input from users: malformed server URLs, person ids that try path traversal, odd names.

Each is rejected before anything is sent (or, for names, sent exactly as typed, encoded), with a
clear error: an InvalidArgumentError in the library, exit code 2 in the CLI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from immiche import Client, InvalidArgumentError, NotFoundError
from immiche.testing import FakeImmichServer, FakePerson
from tests.reliability._ledger import SYNTHETIC_SECRETS, Outcome
from tests.reliability.conftest import Cli, ServerFactory

KEY = SYNTHETIC_SECRETS["api_key"]
URL_PASSWORD = SYNTHETIC_SECRETS["url_password"]

# -- server URLs -----------------------------------------------------------------------------------

MALFORMED_URLS = [
    "",
    "   ",
    "photos example.com",  # a space, no scheme
    "http://photos.example.com/my photos",
    "http://exa\u00a0mple.com",
    "javascript:alert(1)",
    "javascript://127.0.0.1/%0aalert(1)",
    "JAVASCRIPT:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "file:///etc/passwd",
    "ftp://photos.example.com",
    "ws://photos.example.com",
    "://photos.example.com",
    "http://",
    "http:/photos.example.com",
    "//photos.example.com",
    "http://:2283",
    "https://photos.example.com:99999",
    "https://photos.example.com:port",
    "https://photos.example.com/?apiKey=x",
    "https://photos.example.com/#fragment",
    f"https://admin:{URL_PASSWORD}@photos.example.com",
    "http://[::1",
    "http://ex\u200bample.invalid",
    "http://a..b.invalid",
    "http://xn--.invalid",
    "http://\u0661\u0662\u0667.0.0.1:2283",
    "http://" + "a" * 64 + ".invalid",
]


@pytest.mark.parametrize("url", MALFORMED_URLS)
def test_malformed_server_url_library(outcome: Outcome, url: str) -> None:
    error = outcome.raises(InvalidArgumentError, Client, url, api_key=KEY)
    assert error.message.startswith("invalid server URL")
    assert "https://photos.example.com" in (error.hint or "")


def test_malformed_server_urls_never_reach_a_socket(outcome: Outcome, server: FakeImmichServer) -> None:
    """The same URLs, aimed at a live server where that is possible: nothing is ever sent."""
    port = server.port
    for url in (
        f"javascript://127.0.0.1:{port}/",
        f"ftp://127.0.0.1:{port}",
        f"http://admin:{URL_PASSWORD}@127.0.0.1:{port}",
        f"http://127.0.0.1:{port}/api?x=1",
        f"127.0.0.1:{port}/ photos",
    ):
        outcome.raises(InvalidArgumentError, Client, url, api_key=server.api_key)
        outcome.raises(InvalidArgumentError, Client.login, url, server.user.email, server.user.password)
    assert server.requests == []


def test_no_scheme_means_http_on_immichs_port(outcome: Outcome, server: FakeImmichServer) -> None:
    with Client(f"127.0.0.1:{server.port}", api_key=server.api_key) as client:
        assert client.base_url == f"http://127.0.0.1:{server.port}"
        assert client.fetch_people().people


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "photos example.com",
        "ftp://photos.example.com",
        f"https://admin:{URL_PASSWORD}@photos.example.com",
        "http://[::1",
        "http://a..b.invalid",
    ],
)
def test_malformed_server_url_cli(outcome: Outcome, cli: Cli, url: str) -> None:
    runs = cli.many(
        (["login", "--server", url, "--api-key-stdin"], {"input": KEY}),
        ["people", "list", "--server", url, "--api-key", KEY],
        (["server", "info"], {"env": {"IMMICH_INSTANCE_URL": url}}),
    )
    for result in runs:
        outcome.cli_error(result, 2, contains="invalid server URL")
    assert not cli.config.exists()  # nothing saved, not even a directory


# -- person ids ------------------------------------------------------------------------------------

HOSTILE_IDS = [
    "../admin/users",
    "../../api/admin/users",
    "..%2Fadmin%2Fusers",
    "..%2fadmin%2fusers",
    "%2e%2e%2fadmin%2fusers",
    "%252e%252e%252fadmin",
    "..\\admin\\users",
    "....//....//admin",
    "5174df3b-37a7-46b2-a6c6-5cee411fbdae/../../admin/users",
    "../../../../../../../../admin/users",  # 36 characters, like a UUID
    "5174df3b-37a7-46b2-a6c6-5cee411fbdae?x=../admin",
    "5174df3b-37a7-46b2-a6c6-5cee411fbdae#x",
    "{5174df3b-37a7-46b2-a6c6-5cee411fbd}",
    "5174df3b/37a7/46b2/a6c6/5cee411fbdae",
    "/etc/passwd",
    "",
    " ",
    "\x00",
    "5174df3b-37a7-46b2-a6c6-5cee411fbdae\x00",
    "5174df3b-37a7-46b2-a6c6-5cee411fbdae\x1b[2J",
]


def _only_discovery(server: FakeImmichServer) -> None:
    allowed = {"/.well-known/immich", "/api/server/ping", "/api/server/version"}
    assert {request.path for request in server.requests} <= allowed


@pytest.mark.parametrize("person_id", HOSTILE_IDS)
def test_hostile_person_id_library(outcome: Outcome, server: FakeImmichServer, tmp_path: Path, person_id: str) -> None:
    with Client(server.url, api_key=server.api_key) as client:
        for call in (client.fetch_person, client.fetch_thumbnail):
            error = outcome.raises(InvalidArgumentError, call, person_id)
            assert "is not a person id" in error.message
        outcome.raises(InvalidArgumentError, client.download_thumbnail, person_id, tmp_path / "face.jpg")
        result = client.download_thumbnails([person_id], tmp_path / "bulk")
        assert [item.person_id for item in result.items] == [person_id]
        outcome.clear_error(result.failed[person_id], InvalidArgumentError)
    _only_discovery(server)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bulk", "tmp"]
    assert list((tmp_path / "bulk").iterdir()) == []


def test_a_download_refused_for_its_person_id_creates_no_directory(
    outcome: Outcome, server: FakeImmichServer, tmp_path: Path
) -> None:
    """A call rejected for its argument must have no effect: no output directory appears."""
    with Client(server.url, api_key=server.api_key) as client:
        outcome.raises(InvalidArgumentError, client.download_thumbnail, "../admin/users", tmp_path / "new" / "face.jpg")
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize(
    "person_id",
    [
        " 5174df3b-37a7-46b2-a6c6-5cee411fbdae\n",
        "5174DF3B-37A7-46B2-A6C6-5CEE411FBDAE",
        "５１７４df3b-37a7-46b2-a6c6-5cee411fbdae",
    ],
)
def test_lenient_person_ids_reach_the_url_canonical(outcome: Outcome, server: FakeImmichServer, person_id: str) -> None:
    """Surrounding spaces, upper case, full-width digits (which Python's uuid module reads as
    digits): whether accepted or refused, only a canonical UUID ever reaches the URL path (and
    this one is nobody's, hence "not found")."""
    with Client(server.url, api_key=server.api_key) as client:
        outcome.raises((NotFoundError, InvalidArgumentError), client.fetch_person, person_id)
    sent = [request.path for request in server.requests if request.path.startswith("/api/people")]
    assert sent in ([], ["/api/people/5174df3b-37a7-46b2-a6c6-5cee411fbdae"])


def test_hostile_person_ids_cli(outcome: Outcome, logged_in: Cli, server: FakeImmichServer) -> None:
    cli = logged_in
    outside = cli.cwd.parent / "admin"
    runs: list[list[str] | tuple[list[str], dict[str, str]]] = []
    for person_id in ("../admin/users", "..%2Fadmin%2Fusers", "5174df3b-37a7-46b2-a6c6-5cee411fbdae/../../admin"):
        runs += [
            ["people", "show", person_id],
            ["people", "thumbnail", person_id],
            ["people", "thumbnails", person_id, "-o", "faces"],
        ]
    runs.append((["people", "thumbnails", "-", "-o", "faces"], {"input": "../admin/users\n..%2Fadmin\n"}))
    for result in cli.many(*runs):
        outcome.cli_error(result, 2, contains="is not a person id")
    assert not outside.exists()  # the default output name ID.jpg never escapes the directory
    assert [path.name for path in cli.cwd.iterdir()] in ([], ["faces"])
    assert list(cli.cwd.glob("faces/*")) == []
    assert {request.path for request in server.requests if "admin" in request.path} == set()


# -- names -----------------------------------------------------------------------------------------

ODD_NAMES = [
    "Zoë",
    "Zoe\u0308",  # the same, decomposed
    "Émile",
    "李小龙",
    "👩‍👩‍👧",
    "עברית",
    "a&withHidden=true",
    "50% off",
    "x#y",
    "a/b/../c",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "a" * 2000,
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_names_are_sent_exactly_as_typed(outcome: Outcome, server: FakeImmichServer, name: str) -> None:
    with Client(server.url, api_key=server.api_key) as client:
        found = client.search_person(name)
    (request,) = [r for r in server.requests if r.path == "/api/search/person"]
    assert request.query["name"] == [name]
    assert request.query["withHidden"] == ["false"]  # not overridden by the name
    if name == "Zoë":
        assert [person.name for person in found] == ["Zoë Lefèvre"]


@pytest.mark.parametrize("name", ["", "   ", "\t", "\n", "Ann\x1b[2J", "Ann\x00", "a\nb"])
def test_empty_or_control_names_are_refused(outcome: Outcome, server: FakeImmichServer, name: str) -> None:
    with Client(server.url, api_key=server.api_key) as client:
        outcome.raises(InvalidArgumentError, client.search_person, name)
    assert not [r for r in server.requests if r.path == "/api/search/person"]


def test_names_cli(outcome: Outcome, logged_in: Cli, server: FakeImmichServer) -> None:
    found = logged_in("people", "search", "Zoë", "--json")
    assert found.code == 0, found
    assert [person["name"] for person in json.loads(found.out)] == ["Zoë Lefèvre"]
    injected = logged_in("people", "search", "a&withHidden=true", "--json")
    assert injected.code == 0, injected
    assert json.loads(injected.out) == []
    for result in logged_in.many(*(["people", "search", name] for name in ("", "   ", "Ann\x1b[2J"))):
        outcome.cli_error(result, 2, contains="name to search for")


def test_hostile_names_from_the_server_are_shown_harmlessly(outcome: Outcome, immich: ServerFactory, cli: Cli) -> None:
    """Names are the server's data: terminal escapes in them never reach the terminal."""
    evil = "\x1b[2J\x1b]0;pwned\x07Eve\u202e\x9b31m"
    server = immich(people=[FakePerson(name=evil, face_count=5), FakePerson(name="李 👩‍👩‍👧", face_count=5)])
    cli.login(server)
    for result in cli.many(["people", "list"], ["people", "search", "Eve"], ["people", "show", server.people[0].id]):
        assert result.code == 0, result
        assert not any(ch in result.out for ch in "\x1b\x07\x9b"), result
    as_json = cli("people", "list", "--json")
    assert {person["name"] for person in json.loads(as_json.out)} == {evil, "李 👩‍👩‍👧"}
    assert "\x1b" not in as_json.out and "\x9b" not in as_json.out  # escaped in the JSON text
