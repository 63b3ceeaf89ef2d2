"""The photo and album methods, sync and async, send only requests the pinned spec allows (Prism).

Prism's made-up server version is older than v3, so the flat search and the album read are used;
a second pass pretends v3.2.2 to send the filter/cursor search and the album search as well.
Prism answers from the schemas (a ``nextPage``/``nextCursor`` that repeats), so these tests judge
the requests; the repeated page is refused as the paging generator must.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

import immiche
from immiche import ServerVersion
from tests.contract.conftest import PrismServer
from tests.contract.test_facade_contract import KEY, PERSON, FacadeGuard

pytestmark = pytest.mark.prism

ASSET = "8a3c21a2-94e7-4c8f-9a4b-6f0f0f1de2b1"
ALBUM = "0f6d8f55-1f51-4b6c-8a11-2d7f0d1d9a01"


@pytest.fixture
def guard() -> FacadeGuard:
    return FacadeGuard()


@pytest.fixture(params=[None, ServerVersion(3, 2, 2)], ids=["prism-version", "v3.2.2"])
def client(request: pytest.FixtureRequest, prism: PrismServer, guard: FacadeGuard) -> Iterator[immiche.Client]:
    with httpx.Client(event_hooks={"response": [guard.check]}) as http:
        client = immiche.Client(prism.url, api_key=KEY, http_client=http, retries=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", immiche.ImmichVersionWarning)
            client.connect()
        if request.param is not None:
            client._server_version = request.param
        yield client
        client.close()


def _listing(call: Callable[[], object]) -> None:
    """Run a listing whose pages Prism repeats: the repeat is refused, every request was accepted."""
    with pytest.raises(immiche.InvalidResponseError, match="already sent"):
        call()


def test_listing_and_downloading(client: immiche.Client, guard: FacadeGuard, tmp_path: Path) -> None:
    _listing(lambda: client.fetch_assets(people=PERSON, taken_after="2024-01-01", taken_before="2024-12-31"))
    _listing(lambda: client.fetch_assets(people=[PERSON, ASSET], match="any", order="asc"))
    result = client.download_assets([ASSET], tmp_path / "o")
    assert result.ok, result.failed
    assert client.download_assets([ASSET], tmp_path / "p", size="preview").ok
    assert client.download_assets([ASSET], tmp_path / "t", size="thumbnail").ok
    sent = set(guard.paths)
    assert {"POST /api/search/metadata", f"GET /api/assets/{ASSET}"} <= sent
    # Prism's asset has its example id: the file requests use it
    assert any(p.startswith("GET /api/assets/") and p.endswith("/original") for p in sent)
    assert any(p.startswith("GET /api/assets/") and p.endswith("/thumbnail") for p in sent)


def test_album_sync(client: immiche.Client, guard: FacadeGuard) -> None:
    _listing(lambda: client.sync_album(ALBUM, people=PERSON, remove_extras=True))
    _listing(lambda: client.sync_album("Anna", people=PERSON, match="only"))
    assert {"GET /api/albums", f"GET /api/albums/{ALBUM}"} <= set(guard.paths)


def test_album_writes(prism: PrismServer, guard: FacadeGuard) -> None:
    """The writes, sent directly through the declared operations (Prism's listings never end)."""
    from immiche._ops import albums

    with httpx.Client(event_hooks={"response": [guard.check]}) as http, warnings.catch_warnings():
        warnings.simplefilter("ignore", immiche.ImmichVersionWarning)
        with immiche.Client(prism.url, api_key=KEY, http_client=http, retries=0) as client:
            client.connect()
            created = client._run(albums.create_album(client._engine, client.low_level, "Anna"))
            added = client._run(albums.change_assets(client._engine, client.low_level, ALBUM, [ASSET], add=True))
            removed = client._run(albums.change_assets(client._engine, client.low_level, ALBUM, [ASSET], add=False))
    assert created.id
    # Prism answers one example item (another id): it is reported, and ours is "no answer"
    assert [f.error for f in added[2]] == ["no answer"]
    assert [f.error for f in removed[2]] == ["no answer"]
    assert {"POST /api/albums", f"PUT /api/albums/{ALBUM}/assets", f"DELETE /api/albums/{ALBUM}/assets"} <= set(
        guard.paths
    )


@pytest.mark.anyio
async def test_async_methods(prism: PrismServer, guard: FacadeGuard, tmp_path: Path) -> None:
    async with (
        httpx.AsyncClient(event_hooks={"response": [guard.acheck]}) as http,
        immiche.AsyncClient(prism.url, api_key=KEY, http_client=http, retries=0) as client,
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", immiche.ImmichVersionWarning)
            await client.connect()
        with pytest.raises(immiche.InvalidResponseError, match="already sent"):
            await client.fetch_assets(people=PERSON)
        assert (await client.download_assets([ASSET], tmp_path)).ok
        with pytest.raises(immiche.InvalidResponseError, match="already sent"):
            await client.sync_album(ALBUM, people=PERSON, dry_run=True)
    assert "POST /api/search/metadata" in guard.paths
