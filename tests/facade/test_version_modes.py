"""Every facade method behaves the same against every Immich generation the fake imitates.

One behavioural scenario per method, run over a real socket against ``FakeImmichServer`` in each
mode (v1.132.3, v2.4.1, v3.0.0, v3.1.0, v3.2.2, v3.3.5), sync and async. Each server's answers are
validated against that release's document at teardown (``fake_immich``). The README's
"Supported Immich versions" table is backed by this file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import immiche
from immiche.testing import FakeImmichServer

ServerFactory = Callable[..., FakeImmichServer]

MODES = FakeImmichServer.GENERATIONS
UNKNOWN = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(params=MODES)
def server(request: pytest.FixtureRequest, fake_immich: ServerFactory) -> FakeImmichServer:
    return fake_immich(version=request.param)


def _visible(server: FakeImmichServer) -> list[str]:
    return [p.id for p in server.people if not p.is_hidden]


def _named(server: FakeImmichServer, name: str) -> str:
    return next(p.id for p in server.people if p.name == name)


def _expected_version(server: FakeImmichServer) -> immiche.ServerVersion:
    return immiche.ServerVersion(*server.mode.version)


# -- discovery, version, capabilities --------------------------------------------------------


def test_probe_connect_ping_and_version(server: FakeImmichServer) -> None:
    info = immiche.Client.probe(server.url)
    assert (info.api_root, info.version, info.tested) == (server.api_url, _expected_version(server), True)
    with immiche.Client(server.url, api_key=server.api_key) as client:
        client.connect()
        assert client.api_root == server.api_url
        assert client.server_version() == _expected_version(server)
        assert client.ping() is True
    assert not [r for r in server.requests if r.path == "/api/server/version" and r.credential is not None]


def test_capabilities_follow_the_version_only(server: FakeImmichServer) -> None:
    with immiche.Client(server.url, api_key=server.api_key) as client:
        caps = client.capabilities()
        assert caps is client.capabilities()  # decided once for a version
    mode = server.mode
    assert caps == immiche.ServerCapabilities.for_version(_expected_version(server))
    assert caps.error_style == mode.dialect
    assert caps.person_sharing is mode.person_sharing
    assert (caps.merge_endpoint == "people") is mode.people_merge
    assert caps.may_send_people_filter("isFavorite") is mode.people_filters
    assert caps.may_send_people_filter("withHidden")


def test_whoami(server: FakeImmichServer) -> None:
    with immiche.Client(server.url, api_key=server.api_key) as client:
        user = client.whoami()
    assert (user.id, user.email, user.is_admin) == (server.user.id, server.user.email, True)


# -- people ----------------------------------------------------------------------------------


def test_fetch_and_iter_people(server: FakeImmichServer) -> None:
    with immiche.Client(server.url, api_key=server.api_key) as client:
        visible = client.fetch_people()
        everyone = client.fetch_people(with_hidden=True)
        paged = [p.id for p in client.iter_people(with_hidden=True, page_size=5)]
    assert [p.id for p in visible.people] == _visible(server)
    assert [p.id for p in everyone.people] == [p.id for p in server.people] == paged
    assert everyone.hidden == sum(1 for p in server.people if p.is_hidden)
    ann = next(p for p in everyone.people if p.name == "Ann")
    fake = server.person(ann.id)
    assert (ann.birth_date, ann.is_favorite, ann.color, ann.updated_at is not None) == (
        fake.birth_date,
        fake.is_favorite,
        fake.color,
        True,
    )


def test_search_person_finds_by_name_in_every_generation(server: FakeImmichServer) -> None:
    with immiche.Client(server.url, api_key=server.api_key) as client:
        found = client.search_person("Ann")
        hidden = client.search_person("Hidden", with_hidden=True)
        assert client.search_person("Hidden") == []
        assert client.search_person("Zzzzzz") == []
    assert _named(server, "Ann") in [p.id for p in found]
    assert sorted(p.name for p in hidden) == ["Hidden Hannah", "Hidden Henry"]
    # the order and fuzziness differ by generation (v3 ranks by similarity), never the match itself
    assert found[0].name == "Ann"


def test_fetch_person_and_not_found(server: FakeImmichServer) -> None:
    ann = _named(server, "Ann")
    with immiche.Client(server.url, api_key=server.api_key) as client:
        person = client.fetch_person(ann)
        with pytest.raises(immiche.NotFoundError) as caught:
            client.fetch_person(UNKNOWN)
        with pytest.raises(immiche.InvalidArgumentError):
            client.fetch_person("not-a-uuid")
    assert (person.id, person.name, person.birth_date) == (ann, "Ann", server.person(ann).birth_date)
    assert caught.value.status_code == 400


def test_thumbnails(server: FakeImmichServer, tmp_path: Path) -> None:
    ann, bob = _named(server, "Ann"), _named(server, "Bob")
    no_thumb = _named(server, "Dave NoThumb")
    with immiche.Client(server.url, api_key=server.api_key) as client:
        assert client.fetch_thumbnail(ann) == server.thumbnail(ann)
        path = client.download_thumbnail(bob, tmp_path / "bob.jpg")
        assert path.read_bytes() == server.thumbnail(bob)
        # v3.1+ answers 404 for an unknown person's thumbnail, older servers 400: the same error
        with pytest.raises(immiche.NotFoundError):
            client.fetch_thumbnail(UNKNOWN)
        with pytest.raises(immiche.NotFoundError):
            client.fetch_thumbnail(no_thumb)
        result = client.download_thumbnails([ann, bob, no_thumb], tmp_path / "many")
    assert sorted(result.succeeded) == sorted([tmp_path / "many" / f"{ann}.jpg", tmp_path / "many" / f"{bob}.jpg"])
    assert list(result.failed) == [no_thumb]
    assert isinstance(result.failed[no_thumb], immiche.NotFoundError)
    assert (tmp_path / "many" / f"{ann}.jpg").read_bytes() == server.thumbnail(ann)


def test_errors_carry_the_generation_s_correlation_id(server: FakeImmichServer) -> None:
    with (
        immiche.Client(server.url, api_key="wrong-key") as client,
        pytest.raises(immiche.AuthenticationError) as caught,
    ):
        client.fetch_people()
    assert caught.value.server_message == "Invalid API key"
    assert caught.value.correlation_id is not None and len(caught.value.correlation_id) == 8


def test_login_and_logout(server: FakeImmichServer) -> None:
    result = immiche.Client.login(server.url, server.user.email, server.user.password)
    assert (result.user_id, result.email) == (server.user.id, server.user.email)
    with immiche.Client(server.url, access_token=result.access_token) as client:
        assert client.whoami().id == server.user.id
        assert client.logout() is True
        with pytest.raises(immiche.AuthenticationError):
            client.whoami()
    with pytest.raises(immiche.AuthenticationError):
        immiche.Client.login(server.url, server.user.email, "wrong password")


# -- async: the same behaviour, awaited --------------------------------------------------------


@pytest.mark.anyio
async def test_async_every_method(server: FakeImmichServer, tmp_path: Path) -> None:
    ann = _named(server, "Ann")
    info = await immiche.AsyncClient.probe(server.url)
    assert info.version == _expected_version(server)
    async with immiche.AsyncClient(server.url, api_key=server.api_key) as client:
        await client.connect()
        assert client.api_root == server.api_url
        assert await client.server_version() == _expected_version(server)
        assert await client.capabilities() == immiche.ServerCapabilities.for_version(_expected_version(server))
        assert await client.ping() is True
        assert (await client.whoami()).id == server.user.id
        assert [p.id for p in (await client.fetch_people()).people] == _visible(server)
        assert [p.id async for p in client.iter_people(with_hidden=True, page_size=4)] == [p.id for p in server.people]
        assert ann in [p.id for p in await client.search_person("Ann")]
        assert (await client.fetch_person(ann)).name == "Ann"
        with pytest.raises(immiche.NotFoundError):
            await client.fetch_person(UNKNOWN)
        assert await client.fetch_thumbnail(ann) == server.thumbnail(ann)
        with pytest.raises(immiche.NotFoundError):
            await client.fetch_thumbnail(UNKNOWN)
        path = await client.download_thumbnail(ann, tmp_path / "ann.jpg")
        assert path.read_bytes() == server.thumbnail(ann)
        result = await client.download_thumbnails([ann, UNKNOWN], tmp_path / "many")
        assert result.succeeded == [tmp_path / "many" / f"{ann}.jpg"]
        assert list(result.failed) == [UNKNOWN]
    login = await immiche.AsyncClient.login(server.url, server.user.email, server.user.password)
    async with immiche.AsyncClient(server.url, access_token=login.access_token) as client:
        assert await client.logout() is True
        with pytest.raises(immiche.AuthenticationError):
            await client.whoami()


# -- the capability table itself -------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "merge", "works", "search", "sharing", "errors"),
    [
        ((1, 132, 3), "legacy", True, "flat", False, "v2"),
        ((2, 4, 1), "legacy", True, "flat", False, "v2"),
        ((3, 0, 0), "legacy", True, "flat", False, "v3"),
        ((3, 1, 0), "legacy", True, "flat", False, "v3"),
        ((3, 2, 0), "legacy", False, "filter", False, "v3"),
        ((3, 2, 1), "people", True, "filter", False, "v3"),
        ((3, 3, 5), "people", True, "filter", True, "v3"),
        ((4, 0, 0), "people", True, "filter", True, "v3"),
    ],
)
def test_capabilities_by_version(
    version: tuple[int, int, int], merge: str, works: bool, search: str, sharing: bool, errors: str
) -> None:
    caps = immiche.ServerCapabilities.for_version(immiche.ServerVersion(*version))
    assert (caps.merge_endpoint, caps.merge_works, caps.search_style, caps.person_sharing, caps.error_style) == (
        merge,
        works,
        search,
        sharing,
        errors,
    )
    assert caps.merge_path == ("/people/merge" if merge == "people" else "/people/{id}/merge")
    assert caps.correlation_header == ("x-immich-cid" if errors == "v2" else "X-Correlation-ID")
    assert caps.may_send_people_filter("name") is sharing  # the people filters came with sharing, in 3.3


def test_the_fake_and_the_capabilities_agree_on_every_generation() -> None:
    for name in MODES:
        mode = FakeImmichServer(version=name).mode
        caps = immiche.ServerCapabilities.for_version(immiche.ServerVersion(*mode.version))
        assert caps.error_style == mode.dialect
        assert caps.person_sharing is mode.person_sharing
        assert caps.fuzzy_person_search is mode.fuzzy_search
        assert caps.version_has_prerelease is mode.version_prerelease
        assert (caps.merge_endpoint == "people") is mode.people_merge
        assert caps.merge_works is not mode.legacy_merge_broken
