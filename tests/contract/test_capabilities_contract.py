"""``capabilities()`` against Prism: decided from the version the facade already read, no request of its own."""

from __future__ import annotations

import httpx
import pytest

import immiche
from tests.contract.conftest import PrismServer
from tests.contract.test_facade_contract import KEY, FacadeGuard

pytestmark = pytest.mark.prism


@pytest.fixture
def facade_guard() -> FacadeGuard:
    return FacadeGuard()


def test_capabilities_come_from_the_version_only(prism: PrismServer, facade_guard: FacadeGuard) -> None:
    with httpx.Client(event_hooks={"response": [facade_guard.check]}) as http:
        client = immiche.Client(prism.url, api_key=KEY, http_client=http, retries=0)
        with pytest.warns(immiche.ImmichVersionWarning):
            caps = client.capabilities()
        sent = list(facade_guard.paths)
        assert caps == immiche.ServerCapabilities.for_version(client.server_version())
        assert client.capabilities() is caps
        client.close()
    assert sent == ["GET /.well-known/immich", "GET /api/server/ping", "GET /api/server/version"]
    assert facade_guard.paths == sent  # nothing more was asked


@pytest.mark.anyio
async def test_async_capabilities(prism: PrismServer, facade_guard: FacadeGuard) -> None:
    async with (
        httpx.AsyncClient(event_hooks={"response": [facade_guard.acheck]}) as http,
        immiche.AsyncClient(prism.url, api_key=KEY, http_client=http, retries=0) as client,
    ):
        with pytest.warns(immiche.ImmichVersionWarning):
            caps = await client.capabilities()
        assert caps == immiche.ServerCapabilities.for_version(await client.server_version())
    assert facade_guard.paths == ["GET /.well-known/immich", "GET /api/server/ping", "GET /api/server/version"]
