"""Fixtures for the fake server's tests.

Every server started through these fixtures records its JSON answers, and at teardown each one
is validated: 2xx bodies against the spec (the pinned v3 spec, or v2.4.1 for a v2 server), error
bodies against that version's error shape. Any mismatch, or an exception inside the fake, fails
the test.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from immiche.testing import FakeImmichServer

ServerFactory = Callable[..., FakeImmichServer]

#: One TLS context for every client: building one per httpx.Client costs ~25 ms, and these
#: tests make hundreds of clients (all over plain http).
SSL_CONTEXT = ssl.create_default_context()


class Http:
    """``httpx.get``/``post``/... with the shared TLS context and a timeout."""

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        kwargs.setdefault("timeout", 10)
        return httpx.request(method, url, verify=SSL_CONTEXT, **kwargs)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("HEAD", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    @staticmethod
    def client(**kwargs: Any) -> httpx.Client:
        kwargs.setdefault("timeout", 10)
        return httpx.Client(verify=SSL_CONTEXT, **kwargs)


http = Http()


@pytest.fixture
def server_factory(fake_immich: ServerFactory) -> ServerFactory:
    """Start contract-checked servers with any options (the shared ``fake_immich`` of tests/conftest.py)."""
    return fake_immich


@pytest.fixture
def server(server_factory: ServerFactory) -> FakeImmichServer:
    """A v3 server with the sample people."""
    return server_factory()


@pytest.fixture
def server_v2(server_factory: ServerFactory) -> FakeImmichServer:
    """A v2 (2.4.1) server with the sample people."""
    return server_factory(version="v2")


@pytest.fixture(params=["v2", "v3"])
def any_server(request: pytest.FixtureRequest, server_factory: ServerFactory) -> FakeImmichServer:
    """The sample server in each version."""
    return server_factory(version=request.param)


def client_for(server: FakeImmichServer, credential: str | None = "all", **kwargs: Any) -> httpx.Client:
    """An httpx client on the server's API root, with the named API key (``None``: anonymous)."""
    headers = {"x-api-key": server.api_keys[credential]} if credential else {}
    return http.client(base_url=server.api_url, headers=headers, **kwargs)


@pytest.fixture
def api(server: FakeImmichServer) -> Iterator[httpx.Client]:
    """A client of :func:`server` with the ``all`` API key."""
    with client_for(server) as client:
        yield client
