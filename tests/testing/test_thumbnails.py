"""GET /people/{id}/thumbnail: real JPEG bytes, caching headers, HEAD, 404, padding, streaming."""

from __future__ import annotations

import email.utils
import re

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from immiche.testing import FakeImmichServer
from immiche.testing._jpeg import THUMBNAIL_PIXELS, encode_jpeg, person_thumbnail
from tests.support.jpeg import JpegError, read_jpeg
from tests.testing.conftest import ServerFactory, client_for


def test_thumbnail_is_a_decodable_jpeg(api: httpx.Client, server: FakeImmichServer) -> None:
    person = server.people[0]
    answer = api.get(f"/people/{person.id}/thumbnail")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.content == server.thumbnail(person.id)
    assert 5_000 <= len(answer.content) <= 10_000
    jpeg = read_jpeg(answer.content)
    assert (jpeg.width, jpeg.height) == (THUMBNAIL_PIXELS, THUMBNAIL_PIXELS)
    assert [len(component.blocks) for component in jpeg.components] == [32 * 32] * 3
    assert jpeg.markers[:2] == [0xE0, 0xFE]  # JFIF, then the comment naming the person
    assert person.id.encode() in jpeg.comments[0]


def test_thumbnails_are_deterministic_per_seed_and_person(server_factory: ServerFactory) -> None:
    first, again, other_seed = (server_factory(seed=seed) for seed in (0, 0, 1))
    ids = [p.id for p in first.people if p.has_thumbnail]
    assert [first.thumbnail(i) for i in ids] == [again.thumbnail(i) for i in ids]
    assert len({first.thumbnail(i) for i in ids}) == len(ids)  # every person's bytes differ
    same_person = [p.id for p in other_seed.people]
    assert {first.thumbnail(ids[0])} != {other_seed.thumbnail(same_person[0])}


def test_caching_headers_and_conditional_requests(api: httpx.Client, server: FakeImmichServer) -> None:
    person = server.people[0]
    path = f"/people/{person.id}/thumbnail"
    first = api.get(path)
    etag = first.headers["etag"]
    assert re.fullmatch(r'W/"[0-9a-f]+-[0-9a-f]+"', etag)
    assert etag.startswith(f'W/"{len(first.content):x}-')
    assert first.headers["cache-control"] == "private, no-cache, no-transform"
    modified = email.utils.parsedate_to_datetime(first.headers["last-modified"])
    assert modified == person.updated_at.replace(microsecond=0)

    not_modified = api.get(path, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    assert "content-type" not in not_modified.headers
    assert api.get(path, headers={"If-None-Match": f'"other", {etag.removeprefix("W/")}'}).status_code == 304
    assert api.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    assert api.get(path, headers={"If-Modified-Since": first.headers["last-modified"]}).status_code == 304
    assert api.get(path, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
    assert api.get(path).status_code == 200  # the connection is still usable after 304s
    assert server.connections == 1


def test_head_sends_headers_only(api: httpx.Client, server: FakeImmichServer) -> None:
    person = server.people[0]
    answer = api.head(f"/people/{person.id}/thumbnail")
    assert answer.status_code == 200
    assert answer.content == b""
    assert answer.headers["content-length"] == str(len(server.thumbnail(person.id)))
    assert answer.headers["content-type"] == "image/jpeg"
    assert api.get("/server/ping").json() == {"res": "pong"}  # nothing left over on the connection


def test_no_thumbnail_is_404_without_error_field(any_server: FakeImmichServer) -> None:
    person = next(p for p in any_server.people if not p.has_thumbnail)
    with client_for(any_server) as client:
        answer = client.get(f"/people/{person.id}/thumbnail")
    assert answer.status_code == 404
    body = answer.json()
    assert body["message"] == "Not Found"
    assert "error" not in body
    assert answer.headers["cache-control"] == "none"
    with pytest.raises(KeyError):
        any_server.thumbnail(person.id)


def test_thumbnail_errors_follow_the_person_rules(api: httpx.Client, server: FakeImmichServer) -> None:
    assert api.get("/people/not-a-uuid/thumbnail").status_code == 400
    unknown = api.get("/people/00000000-0000-4000-8000-000000000000/thumbnail")
    assert unknown.json() == {"message": "Not found or no person.read access"}
    hidden = next(p for p in server.people if p.is_hidden)
    assert api.get(f"/people/{hidden.id}/thumbnail").status_code == 200


@pytest.mark.parametrize("size", [20_000, 65_537 * 3 + 1])
def test_padded_thumbnails_have_the_exact_size(server_factory: ServerFactory, size: int) -> None:
    server = server_factory(thumbnail_size=size)
    person = server.people[0]
    with client_for(server) as client:
        answer = client.get(f"/people/{person.id}/thumbnail")
    assert len(answer.content) == size
    assert answer.content == server.thumbnail(person.id)
    read_jpeg(answer.content)


def test_a_50_megabyte_thumbnail_is_streamed(server_factory: ServerFactory) -> None:
    size = 50_000_000
    server = server_factory(thumbnail_size=size)
    person = server.people[0]
    with client_for(server) as client, client.stream("GET", f"/people/{person.id}/thumbnail") as answer:
        assert answer.headers["content-length"] == str(size)
        received, head, tail = 0, b"", b""
        for chunk in answer.iter_bytes():
            if not head:
                head = chunk[:4]
            received += len(chunk)
            tail = (tail + chunk)[-2:]
    assert received == size
    assert head[:2] == b"\xff\xd8"
    assert tail == b"\xff\xd9"


@settings(max_examples=60, deadline=None)
@given(extra=st.integers(min_value=0, max_value=300_000))
def test_padding_reaches_any_size_and_stays_valid(extra: int) -> None:
    natural = person_thumbnail(7, "p").size
    thumbnail = person_thumbnail(7, "p", natural + extra)
    data = thumbnail.to_bytes()
    assert len(data) == thumbnail.size == natural + extra
    assert all(len(chunk) <= 65_600 for chunk in thumbnail.chunks() if chunk is not thumbnail.body)
    read_jpeg(data)


def test_padding_below_the_natural_size_is_refused() -> None:
    natural = person_thumbnail(0, "p").size
    with pytest.raises(ValueError, match=f"at least {natural}"):
        person_thumbnail(0, "p", natural - 1)


def test_encoder_round_trips_coefficients() -> None:
    blocks = [
        [(-1024, ()), (1016, ((1, 5), (63, -1))), (0, ((20, 1000),)), (8, ())],
        [(0, ())] * 4,
        [(16, ((2, -3),)), (16, ()), (-16, ()), (0, ())],
    ]
    jpeg = read_jpeg(encode_jpeg(16, 9, blocks))
    assert (jpeg.width, jpeg.height) == (16, 9)
    decoded = [[(b[0], tuple((i, v) for i, v in enumerate(b) if i and v)) for b in c.blocks] for c in jpeg.components]
    assert decoded == blocks
    with pytest.raises(ValueError, match="blocks"):
        encode_jpeg(24, 16, blocks)


def test_the_reader_rejects_damaged_files(api: httpx.Client, server: FakeImmichServer) -> None:
    data = server.thumbnail(server.people[0].id)
    for damaged in (data[:-2], data[: len(data) // 2], b"\x00" + data[1:], data + b"\x00"):
        with pytest.raises(JpegError):
            read_jpeg(damaged)


def test_the_reader_decodes_a_real_immich_thumbnail() -> None:
    from tests.testing.test_recordings import RECORDED

    jpeg = read_jpeg((RECORDED / "person_thumbnail_ann.jpg").read_bytes())
    assert (jpeg.width, jpeg.height) == (250, 250)
