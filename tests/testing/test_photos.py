"""A person's photos on the fake: search/metadata (flat and v3.2 filter), asset files, albums."""

from __future__ import annotations

import pytest

from immiche.testing import FakeImmichServer
from tests.testing.conftest import ServerFactory, client_for

UNKNOWN = "00000000-0000-4000-8000-000000000000"
VERSIONS = ["1.132.3", "2.4.1", "3.0.0", "3.1.0", "3.2.2", "3.3.5"]


def _by_name(server: FakeImmichServer, name: str) -> str:
    return next(p.id for p in server.all_people if p.name == name)


def _assets_of(server: FakeImmichServer, *names: str) -> set[str]:
    sets = [{f.asset_id for f in server.faces_of(_by_name(server, n))} for n in names]
    return set.intersection(*sets)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_persons_photos_page_by_page(server_factory: ServerFactory, version: str) -> None:
    server = server_factory(version=version)
    bob = _by_name(server, "Bob")
    expected = _assets_of(server, "Bob")
    seen: list[str] = []
    with client_for(server) as api:
        page = 1
        while True:
            answer = api.post("/search/metadata", json={"personIds": [bob], "size": 3, "page": page})
            assert answer.status_code == 200
            assets = answer.json()["assets"]
            assert assets["total"] == assets["count"] == len(assets["items"])  # this page only (recorded)
            seen += [item["id"] for item in assets["items"]]
            if assets["nextPage"] is None:
                break
            assert assets["nextPage"] == str(page + 1)
            page += 1
    assert len(seen) == len(set(seen)) and set(seen) == expected


def test_several_people_mean_all_of_them_and_order_and_dates(server_v2: FakeImmichServer) -> None:
    ann, anna = _by_name(server_v2, "Ann"), _by_name(server_v2, "Anna")
    with client_for(server_v2) as api:
        both = api.post("/search/metadata", json={"personIds": [ann, anna], "size": 1000}).json()["assets"]
        assert {i["id"] for i in both["items"]} == _assets_of(server_v2, "Ann", "Anna")
        dates = [i["fileCreatedAt"] for i in both["items"]]
        assert dates == sorted(dates, reverse=True)
        ascending = api.post("/search/metadata", json={"personIds": [ann], "order": "asc"}).json()["assets"]["items"]
        assert [i["fileCreatedAt"] for i in ascending] == sorted(i["fileCreatedAt"] for i in ascending)
        middle = ascending[len(ascending) // 2]["fileCreatedAt"]
        after = api.post("/search/metadata", json={"personIds": [ann], "takenAfter": middle}).json()["assets"]
        assert 0 < after["count"] < len(ascending)
        assert api.post("/search/metadata", json={"personIds": [ann, UNKNOWN]}).json()["assets"]["count"] == 0
        people = ascending[0]["people"]
        assert ann in [p["id"] for p in people] and all("faces" in p for p in people)


@pytest.mark.parametrize(
    ("body", "v2"),
    [
        ({"page": 0}, ["page must not be less than 1"]),
        ({"size": 0}, ["size must not be less than 1"]),
        ({"size": 1001}, ["size must not be greater than 1000"]),
        ({"order": "up"}, ["order must be one of the following values: asc, desc"]),
        ({"personIds": ["not-a-uuid"]}, ["each value in personIds must be a UUID"]),
        ({"takenAfter": "yesterday"}, "takenAfter must be a date string"),
    ],
)
def test_search_validation(any_server: FakeImmichServer, body: dict[str, object], v2: object) -> None:
    with client_for(any_server) as api:
        answer = api.post("/search/metadata", json=body)
    assert answer.status_code == 400
    if any_server.dialect == "v2":
        assert answer.json()["message"] == v2
    else:
        assert answer.json()["message"] == "Validation failed"


def test_v2_accepts_a_string_page_and_v3_does_not(any_server: FakeImmichServer) -> None:
    with client_for(any_server) as api:
        status = api.post("/search/metadata", json={"page": "2", "size": 1}).status_code
    assert status == (200 if any_server.dialect == "v2" else 400)


def test_v3_items_carry_people_only_on_request(server: FakeImmichServer) -> None:
    bob = _by_name(server, "Bob")
    with client_for(server) as api:
        bare = api.post("/search/metadata", json={"personIds": [bob]}).json()["assets"]["items"][0]
        full = api.post("/search/metadata", json={"personIds": [bob], "withPeople": True}).json()["assets"]["items"][0]
    assert bare["people"] == [] and "deviceId" not in bare and bare["width"] == 1200
    assert bob in [p["id"] for p in full["people"]] and "faces" not in full["people"][0]


def test_v3_2_filter_tree_and_cursor_paging(server_factory: ServerFactory) -> None:
    server = server_factory(version="3.2.2")
    ann, bob = _by_name(server, "Ann"), _by_name(server, "Bob")
    with client_for(server) as api:

        def every(filter_: dict[str, object]) -> list[str]:
            found, body = [], {"filter": filter_, "size": 4}
            while True:
                assets = api.post("/search/metadata", json=body).json()["assets"]
                found += [item["id"] for item in assets["items"]]
                if assets["nextCursor"] is None:
                    return found
                body = {"filter": filter_, "size": 4, "cursor": assets["nextCursor"]}

        anyone = every({"personIds": {"any": [ann, bob]}})
        assert len(anyone) == len(set(anyone))
        assert set(anyone) == _assets_of(server, "Ann") | _assets_of(server, "Bob")
        assert set(every({"personIds": {"all": [ann, bob]}})) == _assets_of(server, "Ann", "Bob")
        assert set(every({"personIds": {"all": [ann], "none": [bob]}})) == _assets_of(server, "Ann") - _assets_of(
            server, "Bob"
        )
        branches = every({"or": [{"personIds": {"all": [ann]}}, {"personIds": {"all": [bob]}}]})
        assert set(branches) == set(anyone)
        bad = api.post("/search/metadata", json={"filter": {"personIds": {"any": ["nope"]}}})
        assert bad.status_code == 400
        assert bad.json()["errors"][0]["path"] == ["filter", "personIds", "any", 0]
        assert api.post("/search/metadata", json={"cursor": "???"}).status_code == 400


def test_older_servers_ignore_nothing_they_do_not_know(server_factory: ServerFactory) -> None:
    """Before v3.2 there is no filter: a v3.1 server strips it, so the search is unfiltered."""
    server = server_factory(version="3.1.0")
    with client_for(server) as api:
        assets = api.post("/search/metadata", json={"filter": {"personIds": {"any": [UNKNOWN]}}, "size": 5}).json()
    assert assets["assets"]["count"] == 5 and "nextCursor" not in assets["assets"]


@pytest.mark.parametrize("version", ["2.4.1", "3.1.0", "3.3.5"])
def test_one_asset(server_factory: ServerFactory, version: str) -> None:
    server = server_factory(version=version)
    asset = server.faces_of(_by_name(server, "Bob"))[0].asset_id
    with client_for(server) as api:
        body = api.get(f"/assets/{asset}").json()
        assert (body["id"], body["exifInfo"]["fileSizeInByte"]) == (asset, len(server.original(asset)))
        assert _by_name(server, "Bob") in [p["id"] for p in body["people"]]
        unknown = api.get(f"/assets/{UNKNOWN}")
        assert (unknown.status_code, unknown.json()["message"]) == (400, "Not found or no asset.read access")


def test_asset_files_etag_range_and_quirks(server_v2: FakeImmichServer) -> None:
    asset = server_v2.assets[0]
    original = server_v2.original(asset.id)
    with client_for(server_v2) as api:
        whole = api.get(f"/assets/{asset.id}/original")
        assert whole.content == original and whole.content[:2] == b"\xff\xd8"
        assert whole.headers["content-disposition"] == f"inline; filename*=UTF-8''{asset.original_file_name}"
        assert whole.headers["cache-control"] == "private, max-age=86400, no-transform"
        etag = whole.headers["etag"]
        assert etag.startswith('W/"') and whole.headers["accept-ranges"] == "bytes"
        cached = api.get(f"/assets/{asset.id}/original", headers={"If-None-Match": etag})
        assert (cached.status_code, cached.content, cached.headers.get("content-type")) == (304, b"", None)
        since = api.get(f"/assets/{asset.id}/original", headers={"If-Modified-Since": whole.headers["last-modified"]})
        assert since.status_code == 304
        part = api.get(f"/assets/{asset.id}/original", headers={"Range": "bytes=0-99"})
        assert (part.status_code, part.content) == (206, original[:100])
        assert part.headers["content-range"] == f"bytes 0-99/{len(original)}"
        tail = api.get(f"/assets/{asset.id}/original", headers={"Range": "bytes=-100"})
        assert tail.content == original[-100:]
        rest = api.get(f"/assets/{asset.id}/original", headers={"Range": "bytes=100-", "If-Range": etag})
        assert (rest.status_code, rest.content) == (206, original[100:])
        stale = api.get(f"/assets/{asset.id}/original", headers={"Range": "bytes=100-", "If-Range": 'W/"0-0"'})
        assert stale.status_code == 200 and stale.content == original
        multi = api.get(f"/assets/{asset.id}/original", headers={"Range": "bytes=0-1,5-9"})
        assert multi.status_code == 200
        beyond = api.get(f"/assets/{asset.id}/original", headers={"Range": "bytes=99999999-"})
        assert beyond.status_code == 500
        assert beyond.headers["content-type"] == "image/jpeg; charset=utf-8"
        assert beyond.headers["content-range"] == f"bytes */{len(original)}"
        assert beyond.json()["message"] == "Internal server error"
        head = api.head(f"/assets/{asset.id}/original")
        assert (head.content, head.headers["content-length"]) == (b"", str(len(original)))
        thumb = api.get(f"/assets/{asset.id}/thumbnail")
        assert thumb.headers["content-type"] == "image/webp"
        assert thumb.headers["content-disposition"].endswith(f"{asset.stem}_thumbnail.webp")
        preview = api.get(f"/assets/{asset.id}/thumbnail", params={"size": "preview"})
        assert preview.headers["content-type"] == "image/jpeg" and preview.content[:2] == b"\xff\xd8"
        fullsize = api.get(f"/assets/{asset.id}/thumbnail", params={"size": "fullsize"})
        assert fullsize.content == original and fullsize.headers["etag"] == etag
        bad = api.get(f"/assets/{asset.id}/thumbnail", params={"size": "huge"})
        assert bad.json()["message"] == ["size must be one of the following values: fullsize, preview, thumbnail"]
        assert api.get(f"/assets/{UNKNOWN}/thumbnail").json()["message"] == "Not found or no asset.view access"
        assert api.get(f"/assets/{UNKNOWN}/original").json()["message"] == "Not found or no asset.download access"


def test_asset_permissions(any_server: FakeImmichServer) -> None:
    asset = any_server.assets[0].id
    with client_for(any_server, "person.read") as api:
        for path, permission in (
            (f"/assets/{asset}", "asset.read"),
            (f"/assets/{asset}/thumbnail", "asset.view"),
            (f"/assets/{asset}/original", "asset.download"),
            ("/albums", "album.read"),
        ):
            answer = api.get(path)
            assert (answer.status_code, answer.json()["message"]) == (403, f"Missing required permission: {permission}")
        assert api.post("/search/metadata", json={}).status_code == 403


def test_too_small_an_original_is_refused() -> None:
    with pytest.raises(ValueError, match="asset_size must be at least"):
        FakeImmichServer(asset_size=100)


def test_configurable_original_size(server_factory: ServerFactory) -> None:
    server = server_factory(asset_size=300_000, people=3)
    asset = server.assets[0]
    with client_for(server) as api:
        body = api.get(f"/assets/{asset.id}/original").content
    assert len(body) == 300_000 == asset.file_size and body[:2] == b"\xff\xd8" and body[-2:] == b"\xff\xd9"


@pytest.mark.parametrize("version", ["1.132.3", "2.4.1", "3.1.0", "3.2.2"])
def test_albums_lifecycle(server_factory: ServerFactory, version: str) -> None:
    server = server_factory(version=version)
    v2 = server.dialect == "v2"
    first, second = server.assets[0].id, server.assets[1].id
    with client_for(server) as api:
        (family,) = api.get("/albums").json()
        assert family["albumName"] == "Family" and family["assetCount"] == len(_assets_of(server, "Ann"))
        created = api.post("/albums", json={"albumName": "Anna", "assetIds": [first, first, UNKNOWN]})
        assert created.status_code == 201
        album = created.json()
        assert album["assetCount"] == 1 and album["albumThumbnailAssetId"] == first
        assert ("assets" in album) is v2 and ("owner" in album) is v2
        added = api.put(f"/albums/{album['id']}/assets", json={"ids": [first, second, UNKNOWN, second]}).json()
        assert [r.get("error") for r in added] == ["duplicate", None, "no_permission", "duplicate"]
        got = api.get(f"/albums/{album['id']}").json()
        assert got["assetCount"] == 2
        if v2:
            assert len(got["assets"]) == 2
            assert api.get(f"/albums/{album['id']}", params={"withoutAssets": "true"}).json()["assets"] == []
        listed = api.post("/search/metadata", json={"albumIds": [album["id"]]}).json()["assets"]["items"]
        assert {i["id"] for i in listed} == {first, second}
        holding = {a["id"] for a in api.get("/albums", params={"assetId": second}).json()}
        assert holding == {album["id"]} | ({family["id"]} if second in _assets_of(server, "Ann") else set())
        removed = api.request("DELETE", f"/albums/{album['id']}/assets", json={"ids": [second, second, UNKNOWN]})
        assert [r.get("error") for r in removed.json()] == [None, "not_found", "not_found"]
        renamed = api.patch(f"/albums/{album['id']}", json={"albumName": "Anna B", "order": "asc"}).json()
        assert (renamed["albumName"], renamed["order"]) == ("Anna B", "asc")
        wrong = api.patch(f"/albums/{album['id']}", json={"albumThumbnailAssetId": second})
        assert wrong.json()["message"] == "Invalid album thumbnail"
        unknown = api.put(f"/albums/{UNKNOWN}/assets", json={"ids": [first]})
        assert unknown.json()["message"] == "Album not found"
        assert api.post("/albums", json={"assetIds": []}).status_code == 400
        assert api.delete(f"/albums/{album['id']}").status_code == 204
        again = api.delete(f"/albums/{album['id']}")
        assert again.json()["message"] == "Not found or no album.delete access"
        assert api.get(f"/albums/{album['id']}").json()["message"] == "Not found or no album.read access"


def test_add_to_many_albums_answers_once(server_v2: FakeImmichServer) -> None:
    (family,) = server_v2.albums
    fresh = next(a.id for a in server_v2.assets if a.id not in family.asset_ids)
    with client_for(server_v2) as api:
        body = {"albumIds": [family.id], "assetIds": [fresh]}
        assert api.put("/albums/assets", json=body).json() == {"success": True}
        assert api.put("/albums/assets", json=body).json() == {"success": False, "error": "duplicate"}
        unknown = api.put("/albums/assets", json={"albumIds": [UNKNOWN], "assetIds": [fresh]}).json()
        assert unknown == {"success": False, "error": "no_permission"}


def test_v3_3_faces_and_assets_carry_the_sharing_fields(server_factory: ServerFactory) -> None:
    server = server_factory(version="3.3.5")
    face = server.faces_of(_by_name(server, "Bob"))[0]
    with client_for(server) as api:
        (listed,) = [f for f in api.get("/faces", params={"id": face.asset_id}).json() if f["id"] == face.id]
        asset = api.get(f"/assets/{face.asset_id}").json()
    assert listed["person"]["sharedWith"] == [] and listed["person"]["otherPeople"] == []
    assert all(p["sharedBy"] == [] for p in asset["people"])
