"""Pytest fixtures for testing code against a fake Immich server.

Enable them in your top-level ``conftest.py``::

    pytest_plugins = ["immiche.testing.pytest_plugin"]

    def test_lists_people(immich_server):
        people = my_script.list_people(immich_server.url, immich_server.api_key)
        assert [p.id for p in people] == [p.id for p in immich_server.people]

    def test_old_server(immich_server_factory):
        server = immich_server_factory(version="2.4.1", people=1_000)
        ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from immiche.testing._server import FakeImmichServer

__all__ = ["immich_server", "immich_server_factory"]


@pytest.fixture
def immich_server() -> Iterator[FakeImmichServer]:
    """A running FakeImmichServer with the sample people (v3), stopped after the test."""
    with FakeImmichServer() as server:
        yield server


@pytest.fixture
def immich_server_factory() -> Iterator[Callable[..., FakeImmichServer]]:
    """Start FakeImmichServers with any options (``factory(version="1.132.3")``); all stop after the test."""
    servers: list[FakeImmichServer] = []

    def start(**options: Any) -> FakeImmichServer:
        server = FakeImmichServer(**options).start()
        servers.append(server)
        return server

    yield start
    for server in reversed(servers):
        server.stop()
