"""AsyncClient: the same API, awaited, on the same core (respx-mocked; real-socket tests elsewhere)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import respx

import immiche
from immiche import errors
from tests.facade.conftest import BASE, KEY, RECORDED, recorded, recorded_response

pytestmark = pytest.mark.anyio
ANN = "e991c2d4-80c1-48dd-99a3-a3ee13e07c0c"


async def test_every_method(immich: respx.MockRouter, tmp_path: Path) -> None:
    body = recorded("people_list_withHidden")["body"]
    immich.get("/api/people").mock(return_value=recorded_response("people_list_withHidden"))
    immich.get(f"/api/people/{ANN}").mock(return_value=recorded_response("person_get_ann"))
    immich.get(f"/api/people/{ANN}/thumbnail").mock(return_value=recorded_response("person_thumbnail_ann"))
    immich.get("/api/search/person").mock(return_value=recorded_response("search_person_name_ann"))
    immich.get("/api/users/me").mock(return_value=recorded_response("users_me_api_key_all"))
    jpeg = (RECORDED / "person_thumbnail_ann.jpg").read_bytes()
    async with immiche.AsyncClient(BASE, api_key=KEY) as client:
        with pytest.raises(errors.ImmichError, match="not connected") as info:
            _ = client.api_root
        assert info.value.hint is not None
        assert "await client.connect()" in info.value.hint
        with pytest.raises(errors.ImmichError, match="not connected"):
            _ = client.low_level
        result = await client.fetch_people(with_hidden=True)
        assert client.api_root == f"{BASE}/api"
        assert [p.id for p in result.people] == [p["id"] for p in body["people"]]
        assert [p.id async for p in client.iter_people(with_hidden=True)] == [p["id"] for p in body["people"]]
        assert (await client.fetch_person(ANN)).name == "Ann"
        assert await client.fetch_thumbnail(ANN) == jpeg
        assert (await client.download_thumbnail(ANN, tmp_path / "a.jpg")).read_bytes() == jpeg
        assert [p.name for p in await client.search_person("ann")]
        assert (await client.whoami()).email == recorded("users_me_api_key_all")["body"]["email"]
        assert str(await client.server_version()) == "v2.4.1"
        assert await client.ping() is True


async def test_bulk_download_collects_failures_and_reports_progress(immich: respx.MockRouter, tmp_path: Path) -> None:
    ok_ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(1, 21)]
    missing = "00000000-0000-4000-8000-999999999999"
    for person_id in ok_ids:
        immich.get(f"/api/people/{person_id}/thumbnail").mock(
            return_value=httpx.Response(200, headers={"content-type": "image/jpeg"}, content=person_id.encode())
        )
    immich.get(f"/api/people/{missing}/thumbnail").mock(return_value=recorded_response("person_thumbnail_no_face"))
    progress: list[tuple[str, int, int]] = []
    async with immiche.AsyncClient(BASE, api_key=KEY, retries=0) as client:
        result = await client.download_thumbnails(
            [*ok_ids, missing, "../etc/passwd"],
            tmp_path / "thumbs",
            concurrency=4,
            on_progress=lambda item, done, total: progress.append((item.person_id, done, total)),
        )
    assert len(result) == 22
    assert set(result.failed) == {missing, "../etc/passwd"}
    assert isinstance(result.failed[missing], errors.NotFoundError)
    assert isinstance(result.failed["../etc/passwd"], errors.InvalidArgumentError)
    assert [p.name for p in result.succeeded] == [f"{i}.jpg" for i in ok_ids]
    for path in result.succeeded:
        assert path.read_bytes() == path.stem.encode()
    assert sorted(done for _, done, _ in progress) == list(range(1, 23))
    assert {total for _, _, total in progress} == {22}
    assert not result.ok


def test_sync_bulk_download_matches(immich: respx.MockRouter, tmp_path: Path) -> None:
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(1, 9)]
    for person_id in ids:
        immich.get(f"/api/people/{person_id}/thumbnail").mock(
            return_value=httpx.Response(
                200, headers={"content-type": "image/jpeg"}, content=b"jpeg" + person_id.encode()
            )
        )
    with immiche.Client(BASE, api_key=KEY) as client:
        result = client.download_thumbnails(ids + ids[:2], tmp_path, concurrency=3)
    assert result.ok
    assert len(result) == 8  # duplicates are downloaded once
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{i}.jpg" for i in ids)


@pytest.mark.parametrize("concurrency", [0, -1, 65, True, 2.5])
def test_bad_concurrency(immich: respx.MockRouter, tmp_path: Path, concurrency: object) -> None:
    with immiche.Client(BASE, api_key=KEY) as client, pytest.raises(errors.InvalidArgumentError, match="concurrency"):
        client.download_thumbnails([ANN], tmp_path, concurrency=concurrency)  # type: ignore[arg-type]


async def test_async_login(immich: respx.MockRouter) -> None:
    immich.post("/api/auth/login").mock(return_value=recorded_response("auth_login"))
    result = await immiche.AsyncClient.login(BASE, "admin@example.com", "pw-123456")
    assert result.access_token == recorded("auth_login")["body"]["accessToken"]


async def test_api_root_and_low_level_behave_as_in_the_sync_client(immich: respx.MockRouter) -> None:
    """Neither property sends a request: both clients raise the same error until connected."""
    with immiche.Client(BASE, api_key=KEY) as sync_client:
        async with immiche.AsyncClient(BASE, api_key=KEY) as async_client:
            for client in (sync_client, async_client):
                for name in ("api_root", "low_level"):
                    with pytest.raises(errors.ImmichError, match=f"the {type(client).__name__} is not connected yet"):
                        getattr(client, name)
            assert not immich.calls  # no property sent anything
            sync_client.connect()
            await async_client.connect()
            assert sync_client.api_root == async_client.api_root == f"{BASE}/api"
            assert type(sync_client.low_level) is type(async_client.low_level)
