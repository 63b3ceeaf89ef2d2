"""Every public facade method over a real socket against the fake Immich server (v3 and v2).

Servers come from the shared ``fake_immich`` factory (tests/conftest.py): each one records its JSON
answers, which are validated against the spec at teardown.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

import immiche
from immiche import RetryPolicy, errors
from immiche.testing import FakeImmichServer
from tests.conftest import ServerFactory

FAST = RetryPolicy(max_retries=3, backoff=0.01, max_backoff=0.05, max_total=10)


@pytest.fixture(params=["v3", "v2"])
def server(request: pytest.FixtureRequest, fake_immich: ServerFactory) -> FakeImmichServer:
    return fake_immich(version=request.param)


def test_fetch_people_across_pages_with_hidden(fake_immich: ServerFactory) -> None:
    server = fake_immich(people=2345)
    with immiche.Client(server.url, api_key=server.api_key) as client:
        everyone = client.fetch_people(with_hidden=True)
        visible = client.fetch_people()
        lazily = list(client.iter_people(with_hidden=True, page_size=400))
    expected = server.people
    assert [p.id for p in everyone.people] == [p.id for p in expected]
    assert [p.id for p in lazily] == [p.id for p in expected]
    hidden = [p for p in expected if p.is_hidden]
    assert everyone.hidden == visible.hidden == len(hidden)
    assert everyone.total == visible.total
    assert visible.visible == everyone.total - len(hidden)
    assert [p.id for p in visible.people] == [p.id for p in expected if not p.is_hidden]
    pages = [r for r in server.requests if r.path == "/api/people"]
    assert [r.query["size"] for r in pages[:3]] == [["1000"]] * 3
    assert len([r for r in pages if r.query.get("size") == ["400"]]) == 6  # 2345 / 400, rounded up


def test_people_person_search_and_thumbnails(server: FakeImmichServer, tmp_path: Path) -> None:
    with immiche.Client(server.url, api_key=server.api_key) as client:
        people = client.fetch_people(with_hidden=True).people
        named = next(p for p in people if p.name and p.thumbnail_path)
        assert client.fetch_person(named.id) == named
        first_word = named.name.split()[0]
        assert named.id in [p.id for p in client.search_person(first_word.lower())]
        assert client.fetch_thumbnail(named.id) == server.thumbnail(named.id)
        path = client.download_thumbnail(named.id, tmp_path / "deep" / "dir" / "t.jpg")
        assert path.read_bytes() == server.thumbnail(named.id)
        with_thumbnails = [p for p in people if p.thumbnail_path]
        result = client.download_thumbnails(with_thumbnails, tmp_path / "all", concurrency=4)
        assert result.ok
        for person in with_thumbnails:
            assert (tmp_path / "all" / f"{person.id}.jpg").read_bytes() == server.thumbnail(person.id)
        assert client.whoami().email == server.user.email
        assert client.server_version() == immiche.ServerVersion(*server.server_version)
        assert client.ping() is True


def test_person_fields_match_the_server(server: FakeImmichServer) -> None:
    with immiche.Client(server.url, api_key=server.api_key) as client:
        people = {p.id: p for p in client.fetch_people(with_hidden=True).people}
    for fake in server.people:
        person = people[fake.id]
        assert (person.name, person.birth_date, person.is_hidden) == (fake.name, fake.birth_date, fake.is_hidden)
        assert person.is_favorite == fake.is_favorite
        assert person.color == fake.color
        assert person.updated_at is not None


def test_login_token_and_logout(server: FakeImmichServer) -> None:
    result = immiche.Client.login(server.url, server.user.email, server.user.password)
    assert result.email == server.user.email
    with immiche.Client(server.url, access_token=result.access_token) as client:
        assert client.whoami().id == server.user.id
        assert client.logout() is True
        with pytest.raises(errors.AuthenticationError, match="Invalid user token"):
            client.whoami()
    kinds = {r.credential for r in server.requests if r.path == "/api/users/me"}
    assert kinds == {"bearer"}


def test_every_error_class(server: FakeImmichServer) -> None:
    other = next(p for p in server.all_people if p.owner != server.user.id)
    no_thumbnail = next(p for p in server.people if not p.has_thumbnail)
    with immiche.Client(server.url, api_key=server.api_key, retries=0) as client:
        with pytest.raises(errors.NotFoundError) as info:
            client.fetch_person(other.id)
        assert info.value.status_code == 400
        assert info.value.correlation_id
        with pytest.raises(errors.NotFoundError) as info:
            client.fetch_thumbnail(no_thumbnail.id)
        assert info.value.status_code == 404
        with pytest.raises(errors.BadRequestError, match="UUID"):  # a version-1 UUID: Immich wants v4
            client.fetch_person("00000000-0000-1000-8000-000000000000")
    with immiche.Client(server.url, api_key="wrong-key-123", retries=0) as client:
        with pytest.raises(errors.AuthenticationError, match="Invalid API key"):
            client.fetch_people()
    with immiche.Client(server.url, api_key=server.api_keys["none"], retries=0) as client:
        with pytest.raises(errors.PermissionDeniedError) as denied:
            client.fetch_people()
        assert denied.value.permission == "person.read"
    with pytest.raises(errors.AuthenticationError, match="Incorrect email or password"):
        immiche.Client.login(server.url, server.user.email, "not-the-password")


def test_a_person_read_key_is_enough_for_people(server: FakeImmichServer) -> None:
    with immiche.Client(server.url, api_key=server.api_keys["person.read"]) as client:
        assert client.fetch_people().people
        with pytest.raises(errors.PermissionDeniedError, match=r"user\.read"):
            client.whoami()


def test_retries_recover_from_bursts_and_rate_limits(fake_immich: ServerFactory) -> None:
    server = fake_immich()
    server.faults.add("status", status=503, times=2, path="/api/people")
    server.faults.add("rate_limit", retry_after=0, times=1, path="/api/people")
    with immiche.Client(server.url, api_key=server.api_key, retries=FAST) as client:
        assert client.fetch_people().people
    assert len([r for r in server.requests if r.path == "/api/people"]) == 4
    server.faults.add("status", status=502, times=-1, path="/api/people")
    with immiche.Client(server.url, api_key=server.api_key, retries=FAST) as client:
        with pytest.raises(errors.ServerError) as info:
            client.fetch_people()
    assert info.value.status_code == 502


def test_resets_and_truncated_bodies_are_retried(fake_immich: ServerFactory, tmp_path: Path) -> None:
    server = fake_immich()
    person = next(p for p in server.people if p.has_thumbnail)
    server.faults.add("reset", times=1, path="/api/people")
    server.faults.add("truncate", times=1, path=f"/api/people/{person.id}/thumbnail")
    with immiche.Client(server.url, api_key=server.api_key, retries=FAST) as client:
        assert client.fetch_people().people
        assert client.download_thumbnail(person.id, tmp_path / "t.jpg").read_bytes() == server.thumbnail(person.id)


def test_shared_pool_two_servers_each_sees_only_its_own_key(fake_immich: ServerFactory) -> None:
    first, second = fake_immich(), fake_immich(seed=7)
    with httpx.Client() as shared:
        one = immiche.Client(first.url, api_key=first.api_key, http_client=shared)
        two = immiche.Client(second.url, access_token=second.login_token(), http_client=shared)
        for _ in range(5):
            one.fetch_people()
            two.fetch_people()
        one.close()
        two.close()
        assert not shared.is_closed
    assert {r.credential for r in first.requests if r.path.startswith("/api/people")} == {"api_key"}
    assert {r.credential for r in second.requests if r.path.startswith("/api/people")} == {"bearer"}
    assert first.connections == second.connections == 1


def test_sub_path_server(fake_immich: ServerFactory) -> None:
    server = fake_immich(base_path="/photos")
    with immiche.Client(server.url + "/", api_key=server.api_key) as client:
        client.connect()
        assert client.api_root == server.url + "/api"
        assert client.fetch_people().people


@pytest.mark.anyio
async def test_async_concurrency(fake_immich: ServerFactory, tmp_path: Path) -> None:
    server = fake_immich(people=60, latency=0.02)
    async with immiche.AsyncClient(server.url, api_key=server.api_key) as client:
        people = (await client.fetch_people()).people
        results = await asyncio.gather(*(client.fetch_person(p.id) for p in people[:20]))
        assert [p.id for p in results] == [p.id for p in people[:20]]
        server.reset_counters()
        bulk = await client.download_thumbnails(people, tmp_path, concurrency=8)
    assert bulk.ok
    assert len(bulk.succeeded) == len(people)
    assert server.connections <= 8  # pooled connections are reused; never more than the concurrency


def test_probe_needs_no_credential_and_never_warns(fake_immich: ServerFactory) -> None:
    current, future = fake_immich(), fake_immich(server_version=(4, 1, 0))
    info = immiche.Client.probe(current.url)
    assert info == immiche.ServerInfo(current.url, current.api_url, immiche.ServerVersion(3, 0, 0), tested=True)
    newer = immiche.Client.probe(future.url)  # filterwarnings=error: a warning would fail here
    assert newer.version == immiche.ServerVersion(4, 1, 0)
    assert newer.tested is False
    assert {r.credential for r in current.requests} == {None}


@pytest.mark.anyio
async def test_async_probe(fake_immich: ServerFactory) -> None:
    server = fake_immich(version="v2")
    info = await immiche.AsyncClient.probe(server.url)
    assert str(info.version) == "v2.4.1"


def test_sync_bulk_download_stops_queued_items_when_interrupted(fake_immich: ServerFactory, tmp_path: Path) -> None:
    server = fake_immich(people=40, latency=0.01)

    def interrupt(item: object, done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with immiche.Client(server.url, api_key=server.api_key) as client:
        people = client.fetch_people().people
        with pytest.raises(KeyboardInterrupt):
            client.download_thumbnails(people, tmp_path, concurrency=2, on_progress=interrupt)
    written = list(tmp_path.glob("*.jpg"))
    assert 3 <= len(written) < len(people)  # queued downloads were cancelled, not all run
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind
