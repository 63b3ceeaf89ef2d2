"""``sync_album``: an album kept in sync with people's photos, incrementally, for both clients,
against the fake server of v2.4.1 (albums embed their assets), 3.2.2 and 3.3.5 (they do not)."""

from __future__ import annotations

import json

import httpx
import pytest

import immiche
from immiche._ops import albums as albums_ops
from immiche.testing import FakeAlbum, FakeImmichServer
from tests.conftest import ServerFactory
from tests.facade._parity import Flavour, flavour_fixture
from tests.facade.test_parity_assets import VERSIONS, _busiest, _photos_of

flavour = flavour_fixture()

WRITES = ("POST", "PUT", "DELETE", "PATCH")


@pytest.fixture(params=VERSIONS)
def server(request: pytest.FixtureRequest, fake_immich: ServerFactory) -> FakeImmichServer:
    return fake_immich(version=request.param)


def _album(server: FakeImmichServer, album_id: str) -> FakeAlbum:
    return next(a for a in server.albums if a.id == album_id)


def _writes(server: FakeImmichServer) -> list[str]:
    return [f"{r.method} {r.path}" for r in server.requests if r.method in WRITES and r.path != "/api/search/metadata"]


def test_created_then_nothing_to_do(flavour: Flavour, server: FakeImmichServer) -> None:
    anna = _busiest(server, 1)[0]
    with flavour.client(server.url, api_key=server.api_key) as client:
        first = client.sync_album("Anna", people=anna)
        assert first.created
        assert first.ok
        assert set(first.added) == _photos_of(server, anna)
        assert set(_album(server, first.album_id).asset_ids) == _photos_of(server, anna)
        assert first.album_name == "Anna"
        server.reset_counters()
        second = client.sync_album("anna", people=anna)  # names match case-insensitively
        assert (second.created, second.added, second.removed) == (False, (), ())
        assert second.unchanged == len(first.added)
        assert second.album_id == first.album_id
        assert not second.changed
        requests = [f"{r.method} {r.path}" for r in server.requests]
    assert _writes(server) == []
    searches = requests.count("POST /api/search/metadata")
    if server.server_version < (3, 0, 0):  # the album read embeds its assets
        assert requests == ["GET /api/albums", "POST /api/search/metadata", f"GET /api/albums/{first.album_id}"]
    elif server.server_version < (3, 2, 0):  # one search for the person, one for the album's assets
        assert requests == ["GET /api/albums"] + ["POST /api/search/metadata"] * searches
        assert searches == 2
    else:  # the server finds the differences: two searches answering nothing
        assert requests == ["GET /api/albums", "POST /api/search/metadata", "POST /api/search/metadata"]
        missing, extras = (json.loads(r.body)["filter"] for r in server.requests[1:])
        assert missing == {"personIds": {"any": [anna]}, "albumIds": {"none": [first.album_id]}}
        assert extras == {"albumIds": {"all": [first.album_id]}, "personIds": {"none": [anna]}}
        assert all(r.body for r in server.requests[1:])


def test_only_missing_assets_are_added_and_extras_removed_on_request(
    flavour: Flavour, server: FakeImmichServer
) -> None:
    anna, bob = _busiest(server)
    with flavour.client(server.url, api_key=server.api_key) as client:
        made = client.sync_album("ZZ Anna only", people=anna)
        album = _album(server, made.album_id)
        dropped = album.asset_ids.pop()  # someone removed one photo by hand
        extra = next(iter(_photos_of(server, bob) - _photos_of(server, anna)))
        album.asset_ids.append(extra)  # and added another
        server.reset_counters()
        kept = client.sync_album(made.album_id, people=anna)
        assert kept.added == (dropped,)
        assert kept.removed == ()
        assert extra in _album(server, made.album_id).asset_ids
        puts = [json.loads(r.body) for r in server.requests if r.method == "PUT"]
        assert puts == [{"ids": [dropped]}]
        dry = client.sync_album(made.album_id, people=anna, remove_extras=True, dry_run=True)
        assert (dry.dry_run, dry.removed, dry.added) == (True, (extra,), ())
        assert extra in _album(server, made.album_id).asset_ids
        cleaned = client.sync_album(made.album_id, people=anna, remove_extras=True)
        assert cleaned.removed == (extra,)
        assert set(_album(server, made.album_id).asset_ids) == _photos_of(server, anna)


def test_dry_run_sends_no_write_and_creates_nothing(flavour: Flavour, server: FakeImmichServer) -> None:
    anna = _busiest(server, 1)[0]
    before = len(server.albums)
    with flavour.client(server.url, api_key=server.api_key) as client:
        result = client.sync_album("Never", people=anna, dry_run=True)
    assert (result.created, result.dry_run, result.album_id) == (True, True, "")
    assert set(result.added) == _photos_of(server, anna)
    assert len(server.albums) == before
    assert _writes(server) == []


def test_all_any_and_only(flavour: Flavour, server: FakeImmichServer) -> None:
    anna, bob = _busiest(server)
    with flavour.client(server.url, api_key=server.api_key) as client:
        either = client.sync_album("Either", people=[anna, bob], dry_run=True)
        both = client.sync_album("Both", people=[anna, bob], match="all", dry_run=True)
        made = client.sync_album("Mixed", people=anna)  # an existing album, synced for two people
        kept = client.sync_album("Mixed", people=[anna, bob], match="all", remove_extras=True, dry_run=True)
        alone = client.sync_album("Alone", people=anna, match="only", dry_run=True)
        with pytest.raises(immiche.InvalidArgumentError):
            client.sync_album("x", people=anna, match="most", dry_run=True)  # type: ignore[arg-type]
    assert set(either.added) == _photos_of(server, anna) | _photos_of(server, bob)
    assert set(both.added) == _photos_of(server, anna) & _photos_of(server, bob)
    assert set(kept.removed) == set(made.added) - (_photos_of(server, anna) & _photos_of(server, bob))
    assert kept.added == ()
    assert kept.unchanged == len(_photos_of(server, anna) & _photos_of(server, bob))
    assert set(alone.added) == {a for a in _photos_of(server, anna) if server.asset_people(a) == [anna]}
    assert alone.added
    assert len(alone.added) < len(_photos_of(server, anna))


def test_a_name_of_several_albums_is_refused_with_their_ids(flavour: Flavour, server: FakeImmichServer) -> None:
    anna = _busiest(server, 1)[0]
    with flavour.client(server.url, api_key=server.api_key) as client:
        one = client.sync_album("Twins", people=anna)
        server.reset_counters()
        made = httpx.post(
            f"{server.api_url}/albums", json={"albumName": "twins"}, headers={"x-api-key": server.api_key}
        )
        assert made.status_code == 201
        with pytest.raises(immiche.AmbiguousAlbumError) as caught:
            client.sync_album("Twins", people=anna)
    assert one.album_id in str(caught.value)
    assert len(caught.value.candidates) == 2
    assert _writes(server) == ["POST /api/albums"]  # the second album, nothing from the sync


def test_unknown_album_id_and_adds_in_batches(
    flavour: Flavour, server: FakeImmichServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    anna = _busiest(server, 1)[0]
    monkeypatch.setattr(albums_ops, "BATCH_SIZE", 10)
    with flavour.client(server.url, api_key=server.api_key) as client:
        with pytest.raises(immiche.AlbumNotFoundError):
            client.sync_album("00000000-0000-4000-8000-000000000000", people=anna)
        result = client.sync_album("Batched", people=anna)
    sizes = [len(json.loads(r.body)["ids"]) for r in server.requests if r.method == "PUT"]
    assert sum(sizes) == len(result.added) == len(_photos_of(server, anna))
    assert max(sizes) == 10
