"""The CLI's login and people commands behave the same against every Immich generation.

Each test runs the real ``immiche`` command against ``FakeImmichServer`` in every mode
(v1.132.3, v2.4.1, v3.0.0, v3.1.0, v3.2.2, v3.3.5); every answer the fake sent is validated against the
release document of its version at teardown. Backs the README's "Supported Immich versions".
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from immiche.testing import FakeImmichServer
from tests.cli.conftest import Cli, visible

UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(params=FakeImmichServer.GENERATIONS)
def server(request: pytest.FixtureRequest, fake_immich: Callable[..., FakeImmichServer]) -> FakeImmichServer:
    return fake_immich(version=request.param)


def _id(server: FakeImmichServer, name: str) -> str:
    return next(p.id for p in server.people if p.name == name)


def test_login_whoami_and_server_info(cli: Cli, server: FakeImmichServer) -> None:
    result = cli.login(server)
    assert f"(Immich v{server.version})" in result.out
    whoami = cli("whoami", "--json")
    assert whoami.code == 0, whoami
    assert whoami.json()["server_version"] == f"v{server.version}"
    assert whoami.json()["user"]["email"] == server.user.email
    info = cli("server", "info", "--server", server.url, "--json")
    assert info.code == 0, info
    assert (info.json()["version"], info.json()["api_root"]) == (f"v{server.version}", server.api_url)


def test_password_login_and_logout(cli: Cli, server: FakeImmichServer) -> None:
    login = cli(
        "login", "--server", server.url, "--email", server.user.email, "--password-stdin", "--json",
        input=server.user.password + "\n",
    )  # fmt: skip
    assert login.code == 0, login
    assert login.json()["user"]["id"] == server.user.id
    logout = cli("logout", "--json")
    assert logout.code == 0, logout
    assert logout.json()["server_session_ended"] is True
    assert cli("people", "list").code == 3  # not logged in any more


def test_people_list_search_and_show(cli: Cli, server: FakeImmichServer) -> None:
    cli.login(server)
    listed = cli("people", "list", "--json")
    assert listed.code == 0, listed
    assert [p["id"] for p in listed.json()] == visible(server)
    everyone = cli("people", "list", "--with-hidden", "--limit", "4", "--json")
    assert [p["id"] for p in everyone.json()] == [p.id for p in server.people][:4]
    found = cli("people", "search", "Ann", "--json")
    assert found.code == 0, found
    assert found.json()[0]["name"] == "Ann"
    ann = _id(server, "Ann")
    shown = cli("people", "show", ann, "--json")
    assert shown.code == 0, shown
    assert (shown.json()["id"], shown.json()["birth_date"]) == (ann, "1990-01-02")
    missing = cli("people", "show", UNKNOWN)
    assert missing.code == 4
    assert missing.err.startswith("error: ") and "Traceback" not in missing.err


def test_thumbnails(cli: Cli, server: FakeImmichServer) -> None:
    cli.login(server)
    ann = _id(server, "Ann")
    one = cli("people", "thumbnail", ann, "-o", str(cli.cwd / "ann.jpg"), "--json")
    assert one.code == 0, one
    assert (cli.cwd / "ann.jpg").read_bytes() == server.thumbnail(ann)
    unknown = cli("people", "thumbnail", UNKNOWN, "-o", str(cli.cwd / "x.jpg"))
    assert unknown.code == 4, unknown  # a 400 before v3.1, a 404 from v3.1: the same exit code
    many = cli("people", "thumbnails", "--all", "-o", str(cli.cwd / "thumbs"), "--json")
    report = json.loads(many.out)
    with_thumbnail = [p.id for p in server.people if p.has_thumbnail and not p.is_hidden]
    assert sorted(item["id"] for item in report["downloaded"]) == sorted(with_thumbnail)
    for person_id in with_thumbnail:
        assert (cli.cwd / "thumbs" / f"{person_id}.jpg").read_bytes() == server.thumbnail(person_id)
