"""Fidelity: replay the v2.4.1 people-management and photo recordings against the fake (2.4.1 mode).

The recordings (``tests/fixtures/recorded/immich-v2.4.1/management/``, summarised in its
``FACTS-management.md``) were made on a library of 1205 people. The fake runs its sample library
instead, so every recorded id is translated before the request is replayed: the unknown uuid
stays unknown, a malformed id stays malformed, and every other id becomes a distinct fake entity
of the kind its place says (``/people/{id}`` a person, ``assetIds`` assets, the body of
``PUT /faces/{id}`` a face...), the same recorded id always the same fake one.

Each replay asserts the status, the content type and, for JSON, the error message exactly
(``message``/``error``/``statusCode``) or, for successes, the body's shape (keys and JSON types,
recursively; a list's items as the set of their shapes, since the libraries differ in size); v3
validation errors compare each issue's code, path and message. File
answers compare the caching and range headers' presence and form. Recordings that check the
state a previous recording left behind are excused (:data:`SEQUENCE`): test_curation.py and
test_photos.py replay those scenarios end to end on the fake.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from immiche.testing import FakeImmichServer
from tests.conftest import ROOT
from tests.testing.conftest import ServerFactory, http

MANAGEMENT = ROOT / "tests" / "fixtures" / "recorded" / "immich-v2.4.1" / "management"
V3 = ROOT / "tests" / "fixtures" / "recorded" / "immich-v3.1.0"
FAMILIES = ("people_update", "people_merge", "people_delete", "faces_", "search_metadata", "assets_", "albums_")
UNKNOWN = "00000000-0000-4000-8000-000000000000"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
#: ``<api-key-no-person>`` held only ``asset.read`` in these recordings.
KEYS = {"<api-key-all>": "all", "<api-key-person-read-only>": "person.read", "<api-key-no-person>": "asset.read"}

#: Keys whose presence depends on the data, not on behaviour: a colour, an album's dates (only
#: with assets).
OPTIONAL = {"color", "startDate", "endDate", "lastModifiedAssetTimestamp"}
ALL = sorted(path.name for path in MANAGEMENT.glob("*.json"))

#: Checks of what an earlier recording changed (merged away, deleted, renamed...): the fake's
#: scenario tests cover them; a fresh fake per replay cannot.
SEQUENCE = {name for name in ALL if re.search(r"_(after|before)(_|\.json)|_again\.json|_final", name)}

#: Recordings excused for another reason.
NOT_REPLAYED = {
    "faces_create.json": "POST /faces (adding a face by hand) is not implemented",
    "faces_create_person_read_key.json": "POST /faces (adding a face by hand) is not implemented",
    "people_update_feature_face.json": "needs an asset holding the person's face: test_curation covers it",
    "albums_statistics.json": "GET /albums/statistics is not implemented",
    "assets_upload_created.json": "uploads are not implemented: the fake's assets are given at start-up",
    "assets_upload_duplicate.json": "uploads are not implemented: the fake's assets are given at start-up",
}

#: Per-item results that depend on which assets an album already holds: shape compared per item.
REPLAYED = [name for name in ALL if name not in SEQUENCE and name not in NOT_REPLAYED]


def test_the_recordings_are_all_accounted_for() -> None:
    assert len(ALL) == 302
    assert set(NOT_REPLAYED) <= set(ALL)
    assert len(REPLAYED) > 200


class Translator:
    """Recorded ids to fake ids, by kind, consistently within one replay."""

    def __init__(self, server: FakeImmichServer, albums: list[str]) -> None:
        main = server.user.id
        listed = {p.id for p in server.people}
        in_albums = {asset for album in server.albums for asset in album.asset_ids}  # mapped last
        self.pools: dict[str, Iterator[str]] = {
            "person": iter([p.id for p in server.all_people if p.owner == main and p.id in listed]),
            "asset": iter(sorted((a.id for a in server.assets if a.owner == main), key=lambda a: a in in_albums)),
            "album": iter(albums),
            "face": iter([f.id for p in server.people for f in server.faces_of(p.id)][::3]),
        }
        self.seen: dict[str, str] = {UNKNOWN: UNKNOWN}

    def id(self, recorded: str, kind: str) -> str:
        if recorded not in self.seen and UUID.fullmatch(recorded):
            self.seen[recorded] = next(self.pools[kind])
        return self.seen.get(recorded, recorded)

    def path(self, method: str, path: str) -> str:
        parts = path.split("/")
        for index in range(1, len(parts)):
            area = parts[index - 1]
            kind = {"people": "person", "assets": "asset", "albums": "album", "faces": "face"}.get(area)
            if kind == "face" and method == "PUT":
                kind = "person"  # PUT /faces/{id}: the path holds the person
            if kind is not None:
                parts[index] = self.id(parts[index], kind)
        return "/".join(parts)

    def query(self, query: str) -> str:
        def one(match: re.Match[str]) -> str:
            return f"{match[1]}={self.id(match[2], 'person' if match[1] == 'personId' else 'asset')}"

        return re.sub(r"\b(id|assetId|personId)=([0-9a-f-]{36})", one, query)

    def body(self, method: str, path: str, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: self.body(method, path, v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.body(method, path, v, key) for v in value]
        if not isinstance(value, str):
            return value
        kind = _body_kind(method, path, key)
        return self.id(value, kind) if kind else value


def _body_kind(method: str, path: str, key: str) -> str | None:
    if key in ("personIds", "personId", "all", "any", "none"):
        return "person"
    if key in ("assetIds", "assetId", "featureFaceAssetId", "albumThumbnailAssetId"):
        return "asset"
    if key == "albumIds":
        return "album"
    if key == "ids":
        return "asset" if path.startswith("/api/albums") else "person"
    if key == "id":
        return "face" if path.startswith("/api/faces") else "person"
    return None


def shape(value: Any) -> Any:
    """Keys and JSON types, recursively; a list as the sorted set of its items' shapes."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        shapes = {json.dumps(shape(item), sort_keys=True) for item in value}
        return sorted(shapes)
    return "number" if isinstance(value, (int, float)) and not isinstance(value, bool) else type(value).__name__


def merged_shape(value: Any) -> Any:
    """Per-item results: the union of the items' keys (``error`` appears on failed items only)."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return sorted({k for v in value for k in v})
    return shape(value)


V3_ALL = sorted(p.name for p in V3.glob("*.json") if p.name.startswith(FAMILIES))
#: PATCH /people/{id} works on v3.1.0 but is outside its spec (test_curation checks it unchecked).
V3_REPLAYED = [
    n for n in V3_ALL if not re.search(r"_(after|before)|_again", n) and n != "people_update_patch_rename.json"
]


def make_replay_server(server_factory: ServerFactory, version: str) -> tuple[FakeImmichServer, list[str]]:
    server = server_factory(version=version)
    albums = []
    headers = {"x-api-key": server.api_key}
    for index in range(3):
        assets = [a.id for a in server.assets[index * 4 : index * 4 + 3]]
        created = http.post(
            f"{server.api_url}/albums", headers=headers, json={"albumName": f"R{index}", "assetIds": assets}
        )
        albums.append(created.json()["id"])
    return server, albums


@pytest.fixture
def replay_server(server_factory: ServerFactory) -> tuple[FakeImmichServer, list[str]]:
    return make_replay_server(server_factory, "v2")


def fit_range(wanted: str, recording: dict[str, Any], size: int) -> str:
    """``bytes=137000-`` on the real 137467-byte file: the same distance from the end of the fake's."""
    real = header(recording["headers"], "Content-Range")
    total = int(real.rsplit("/", 1)[1]) if real else None
    match = re.fullmatch(r"bytes=(\d+)-", wanted)
    if match is None or total is None or int(match[1]) >= total:
        return wanted
    return f"bytes={size - (total - int(match[1]))}-"


def header(headers: dict[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


@pytest.mark.parametrize("name", REPLAYED)
def test_replay(replay_server: tuple[FakeImmichServer, list[str]], name: str) -> None:
    replay(*replay_server, json.loads((MANAGEMENT / name).read_text(encoding="utf-8")), name)


@pytest.mark.parametrize("name", V3_REPLAYED)
def test_replay_v3_1(server_factory: ServerFactory, name: str) -> None:
    """The same, for the v3.1.0 recordings of these endpoints, in 3.1.0 mode."""
    server, albums = make_replay_server(server_factory, "3.1.0")
    replay(server, albums, json.loads((V3 / name).read_text(encoding="utf-8")), name)


def replay(server: FakeImmichServer, albums: list[str], recording: dict[str, Any], name: str) -> None:
    request = recording["request"]
    ids = Translator(server, albums)
    target = request["url"].removeprefix("http://immich.local:2283")
    path, _, query = target.partition("?")
    url = server.url + ids.path(request["method"], path) + (f"?{ids.query(query)}" if query else "")
    headers = dict(request["headers"])
    if "Range" in headers:  # the recorded offsets are relative to the real file's size
        headers["Range"] = fit_range(
            headers["Range"], recording, len(server.original(ids.id(path.split("/")[3], "asset")))
        )
    for key, value in list(headers.items()):
        if value in KEYS:
            headers[key] = server.api_keys[KEYS[value]]
    conditional = {k.lower(): k for k in headers if k.lower() in ("if-none-match", "if-range", "if-modified-since")}
    if conditional:  # the recorded validators belong to the real file: use the fake's own
        plain = http.get(url, headers={k: v for k, v in headers.items() if k.lower() not in conditional})
        for lower, key in conditional.items():
            source = "last-modified" if lower == "if-modified-since" else "etag"
            if header(request["headers"], key) != 'W/"0-0"' and not name.endswith("_other.json"):
                headers[key] = plain.headers[source]
    body = None
    if request["body"] is not None:
        try:
            parsed = json.loads(request["body"])
        except ValueError:
            body = request["body"].encode()
        else:
            translated = ids.body(request["method"], path, parsed)
            if "albumThumbnailAssetId" in translated and recording["status"] == 200:  # one of the album's
                album = next(a for a in server.albums if a.id == ids.path("PATCH", path).split("/")[3])
                translated["albumThumbnailAssetId"] = album.asset_ids[-1]
            body = json.dumps(translated).encode()
    answer = http.request(request["method"], url, headers=headers, content=body)

    assert answer.status_code == recording["status"], answer.text[:300]
    expected_type = header(recording["headers"], "Content-Type")
    assert answer.headers.get("content-type") == expected_type
    if expected_type is None or not expected_type.startswith("application/json"):
        check_file(answer, recording)
        return
    fake, real = answer.json(), recording["body"]
    if recording["status"] >= 400:
        for key in ("message", "error", "statusCode"):
            assert fake.get(key) == real.get(key)
        issues = [(i["code"], i["path"], i["message"]) for i in real.get("errors", [])]
        assert [(i["code"], i["path"], i["message"]) for i in fake.get("errors", [])] == issues
        return
    if isinstance(real, dict) and set(real) <= {"success", "error"}:  # PUT /albums/assets: one result
        fake, real = [fake], [real]
    if isinstance(real, list) and real and all(isinstance(item, dict) and "success" in item for item in real):
        # per-item results: which items fail depends on what the album held; the form may not
        assert len(fake) == len(real)
        assert set(merged_shape(fake)) <= {"id", "success", "error"}
        assert all(isinstance(item["success"], bool) and ("error" in item) != item["success"] for item in fake)
        return
    assert_shape(fake, real)


def assert_shape(fake: Any, real: Any) -> None:
    """The fake's shape matches the real one; an empty list on either side says nothing."""
    if isinstance(real, dict):
        assert isinstance(fake, dict)
        assert set(fake) - OPTIONAL == set(real) - OPTIONAL, sorted(set(fake) ^ set(real))
        for key in set(real) & set(fake):
            assert_shape(fake[key], real[key])
    elif isinstance(real, list):
        assert isinstance(fake, list)
        if fake and real:
            for item in fake:
                assert_shape(item, real[0])
    elif real is None or fake is None:
        return  # nullable: a photo without a birth date, an album without a thumbnail...
    else:
        assert shape(fake) == shape(real)


def check_file(answer: Any, recording: dict[str, Any]) -> None:
    recorded = recording["headers"]
    for name in ("Cache-Control", "Accept-Ranges"):
        assert answer.headers.get(name) == header(recorded, name)
    for name in ("ETag", "Last-Modified", "Content-Range", "Content-Disposition"):
        assert (name.lower() in answer.headers) == (header(recorded, name) is not None), name
    disposition = header(recorded, "Content-Disposition")
    if disposition is not None:
        assert answer.headers["content-disposition"].startswith("inline; filename*=UTF-8''")
        assert answer.headers["content-disposition"].rsplit(".", 1)[1] == disposition.rsplit(".", 1)[1]
    content_range = header(recorded, "Content-Range")
    if content_range is not None:
        form = r"bytes \*/\d+" if "*" in content_range else r"bytes \d+-\d+/\d+"
        assert re.fullmatch(form, answer.headers["content-range"])
    if content_range is not None and content_range.startswith("bytes 0-"):
        assert len(answer.content) == recording["body_bytes"]
