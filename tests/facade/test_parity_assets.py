"""A person's photos: listing (flat v2 search, v3.2 filter/cursor search) and downloading them,
for both clients, over a real socket against the fake server."""

from __future__ import annotations

import datetime
import json
import os
from pathlib import Path

import pytest

import immiche
from immiche import _capabilities
from immiche._matching import PersonNotFoundError
from immiche._ops import assets as assets_ops
from immiche.testing import FakeImmichServer
from tests.conftest import ServerFactory
from tests.facade._parity import Flavour, flavour_fixture

flavour = flavour_fixture()

VERSIONS = ["2.4.1", "3.2.2", "3.3.5"]


@pytest.fixture(params=VERSIONS)
def server(request: pytest.FixtureRequest, fake_immich: ServerFactory) -> FakeImmichServer:
    return fake_immich(version=request.param)


def _busiest(server: FakeImmichServer, count: int = 2) -> list[str]:
    """Named people with the most photos, most first."""
    named = [p for p in server.people if p.name]
    named.sort(key=lambda p: -len({f.asset_id for f in server.faces_of(p.id)}))
    return [p.id for p in named[:count]]


def _photos_of(server: FakeImmichServer, person_id: str) -> set[str]:
    return {a.id for a in server.assets if person_id in server.asset_people(a.id)}


def _newest_first(server: FakeImmichServer, ids: set[str]) -> list[str]:
    assets = [a for a in server.assets if a.id in ids]
    assets.sort(key=lambda a: (a.file_created_at, a.id), reverse=True)
    return [a.id for a in assets]


def _searches(server: FakeImmichServer) -> list[dict[str, object]]:
    return [json.loads(r.body) for r in server.requests if r.path == "/api/search/metadata"]


def test_a_persons_photos_newest_first_then_oldest_first(flavour: Flavour, server: FakeImmichServer) -> None:
    anna = _busiest(server, 1)[0]
    with flavour.client(server.url, api_key=server.api_key) as client:
        assets = client.fetch_assets(people=anna)
        lazily = list(client.iter_assets(people=anna))
        oldest_first = client.fetch_assets(people=anna, order="asc")
    expected = _newest_first(server, _photos_of(server, anna))
    assert [a.id for a in assets] == expected
    assert lazily == assets
    assert [a.id for a in oldest_first] == expected[::-1]
    first = next(a for a in server.assets if a.id == assets[0].id)
    assert assets[0].original_file_name == first.original_file_name
    assert assets[0].size == first.file_size
    assert assets[0].file_created_at == first.file_created_at
    assert anna in assets[0].person_ids
    assert assets[0].type == "IMAGE"
    style = _capabilities.ServerCapabilities.for_version(immiche.ServerVersion(*server.server_version)).search_style
    body = _searches(server)[0]
    if style == "filter":
        assert body["filter"] == {"personIds": {"all": [anna]}}
        assert "personIds" not in body
        assert "page" not in body
    else:
        assert body["personIds"] == [anna]
        assert body["page"] == 1
        assert "filter" not in body


def test_people_by_name_and_by_person_value(flavour: Flavour, server: FakeImmichServer) -> None:
    anna = _busiest(server, 1)[0]
    person = server.person(anna)
    with flavour.client(server.url, api_key=server.api_key) as client:
        by_id = client.fetch_assets(people=anna)
        by_name = client.fetch_assets(people=person.name.upper())
        value = client.fetch_person(anna)
        by_value = client.fetch_assets(people=[value])
        with pytest.raises(PersonNotFoundError):
            client.fetch_assets(people="Nobody By This Name")
        with pytest.raises(immiche.InvalidArgumentError):
            client.fetch_assets(people=[])
        with pytest.raises(immiche.InvalidArgumentError):
            client.fetch_assets(people=anna, match="some")  # type: ignore[arg-type]
    assert by_id == by_name == by_value


def test_all_and_any_of_two_people(flavour: Flavour, server: FakeImmichServer) -> None:
    anna, bob = _busiest(server)
    with flavour.client(server.url, api_key=server.api_key) as client:
        both = client.fetch_assets(people=[anna, bob])
        server.reset_counters()
        either = client.fetch_assets(people=[anna, bob], match="any")
        searches = _searches(server)
    expected_both = _photos_of(server, anna) & _photos_of(server, bob)
    expected_either = _photos_of(server, anna) | _photos_of(server, bob)
    assert [a.id for a in both] == _newest_first(server, expected_both)
    assert [a.id for a in either] == _newest_first(server, expected_either)
    assert len({a.id for a in either}) == len(either)
    if server.server_version >= (3, 2, 0):
        assert [s["filter"] for s in searches] == [{"personIds": {"any": [anna, bob]}}]
    else:  # no OR filter: one search per person, merged
        assert [s["personIds"] for s in searches] == [[anna], [bob]]


def test_taken_after_and_before(flavour: Flavour, server: FakeImmichServer) -> None:
    anna = _busiest(server, 1)[0]
    photos = [a for a in server.assets if a.id in _photos_of(server, anna)]
    photos.sort(key=lambda a: a.file_created_at)
    middle = photos[len(photos) // 2].file_created_at
    with flavour.client(server.url, api_key=server.api_key) as client:
        after = client.fetch_assets(people=anna, taken_after=middle)
        before = client.fetch_assets(people=anna, taken_before=middle.date())
        with pytest.raises(immiche.InvalidArgumentError, match="not a date"):
            client.fetch_assets(people=anna, taken_after="yesterday")
    assert {a.id for a in after} == {a.id for a in photos if a.file_created_at >= middle}
    day_end = datetime.datetime.combine(middle.date(), datetime.time(23, 59, 59, 999000), tzinfo=datetime.timezone.utc)
    assert {a.id for a in before} == {a.id for a in photos if a.file_created_at <= day_end}


def test_listing_pages_through_every_page(fake_immich: ServerFactory) -> None:
    for version in ("2.4.1", "3.2.2"):
        server = fake_immich(version=version)
        anna = _busiest(server, 1)[0]
        with immiche.Client(server.url, api_key=server.api_key) as client:
            client.connect()
            caps = client.capabilities()
            paged = list(
                client._iterate(
                    lambda api, caps=caps, anna=anna: assets_ops.asset_pages(
                        client._engine, api, caps, people=anna, match="all", page_size=7
                    )
                )
            )
        expected = _newest_first(server, _photos_of(server, anna))
        assert [a.id for a in paged] == expected
        bodies = _searches(server)
        assert len(bodies) == -(-len(expected) // 7)  # the last page says there is no next one
        if version == "3.2.2":
            assert "cursor" not in bodies[0]
            assert all("cursor" in b for b in bodies[1:])
        else:
            assert [b["page"] for b in bodies] == list(range(1, len(bodies) + 1))


def test_download_originals_named_dated_and_not_downloaded_twice(
    flavour: Flavour, server: FakeImmichServer, tmp_path: Path
) -> None:
    anna = _busiest(server, 1)[0]
    seen: list[tuple[int, int, int | None]] = []
    with flavour.client(server.url, api_key=server.api_key) as client:
        assets = client.fetch_assets(people=anna)
        result = client.download_assets(
            assets,
            tmp_path / "out",
            concurrency=4,
            on_progress=lambda item, done, total: seen.append((done, total, item.size)),
        )
        assert result.ok, result.failed
        assert len(result.succeeded) == len(assets)
        for asset, item in zip(assets, result.items, strict=True):
            assert item.path is not None
            assert item.path.read_bytes() == server.original(asset.id)
            assert item.path.name == f"{asset.taken_at:%Y-%m-%d}_{asset.original_file_name}"
            assert item.size == asset.size
            assert asset.file_created_at is not None
            assert os.stat(item.path).st_mtime == asset.file_created_at.timestamp()
        assert sorted(done for done, _, _ in seen) == list(range(1, len(assets) + 1))
        assert sum(size or 0 for _, _, size in seen) == sum(a.size or 0 for a in assets)
        server.reset_counters()
        again = client.download_assets(assets, tmp_path / "out")
        assert again.ok
        assert all(item.skipped for item in again.items)
        assert [r.path for r in server.requests] == []  # complete by size: not a request
        by_id = client.download_assets([a.id for a in assets[:2]], tmp_path / "out")
        assert all(item.skipped for item in by_id.items)
        assert [r.path for r in server.requests] == [f"/api/assets/{a.id}" for a in assets[:2]]


def test_previews_and_thumbnails_are_checked_with_their_etag(
    flavour: Flavour, server: FakeImmichServer, tmp_path: Path
) -> None:
    anna = _busiest(server, 1)[0]
    with flavour.client(server.url, api_key=server.api_key) as client:
        assets = client.fetch_assets(people=anna)[:3]
        previews = client.download_assets(assets, tmp_path, size="preview", name="{id8}")
        thumbs = client.download_assets(assets, tmp_path, size="thumbnail", name="{id8}")
        assert previews.ok
        assert thumbs.ok
        assert [p.name for p in previews.succeeded] == [f"{a.id[:8]}.jpg" for a in assets]
        assert [p.name for p in thumbs.succeeded] == [f"{a.id[:8]}.webp" for a in assets]
        assert all(p.read_bytes()[:2] == b"\xff\xd8" for p in previews.succeeded)
        server.reset_counters()
        again = client.download_assets(assets, tmp_path, size="preview", name="{id8}")
        assert all(item.skipped for item in again.items)
        assert [r.headers.get("if-none-match", "")[:3] for r in server.requests] == ['W/"'] * 3
        with pytest.raises(immiche.InvalidArgumentError):
            client.download_assets(assets, tmp_path, size="huge")  # type: ignore[arg-type]
        with pytest.raises(immiche.InvalidArgumentError, match="unknown fields"):
            client.download_assets(assets, tmp_path, name="{nope}")


def test_same_file_names_never_overwrite_each_other(flavour: Flavour, server: FakeImmichServer, tmp_path: Path) -> None:
    anna = _busiest(server, 1)[0]
    with flavour.client(server.url, api_key=server.api_key) as client:
        assets = client.fetch_assets(people=anna)[:3]
    same = [a._replace(original_file_name="IMG_0001.JPG") for a in assets]
    with flavour.client(server.url, api_key=server.api_key) as client:
        result = client.download_assets(same, tmp_path, name="{filename}")
    assert result.ok
    names = [p.name for p in result.succeeded]
    assert names == ["IMG_0001.JPG", f"IMG_0001-{assets[1].id[:8]}.JPG", f"IMG_0001-{assets[2].id[:8]}.JPG"]
    assert [p.read_bytes() for p in result.succeeded] == [server.original(a.id) for a in assets]


def test_bad_items_fail_alone(flavour: Flavour, server: FakeImmichServer, tmp_path: Path) -> None:
    anna = _busiest(server, 1)[0]
    unknown = "00000000-0000-4000-8000-000000000000"
    with flavour.client(server.url, api_key=server.api_key) as client:
        good = client.fetch_assets(people=anna)[0]
        result = client.download_assets([good, "not-an-id", unknown], tmp_path)
    assert [item.ok for item in result.items] == [True, False, False]
    assert isinstance(result.failed["not-an-id"], immiche.InvalidArgumentError)
    assert isinstance(result.failed[unknown], immiche.NotFoundError)
