"""Shared test configuration. Fixtures for a subject live in that subject's own conftest.py."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from immiche.testing import FakeImmichServer

ServerFactory = Callable[..., FakeImmichServer]

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never let a test read or write the real ~/.config/immich, nor pick up a real credential."""
    for name in ("IMMICH_INSTANCE_URL", "IMMICH_API_KEY", "IMMICH_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    config = tmp_path_factory.mktemp("immich-config")
    monkeypatch.setenv("IMMICH_CONFIG_DIR", str(config / "immich"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def pytest_report_header() -> str:
    return f"immiche tests, repository {ROOT}, CI={os.environ.get('CI', '')}"


@pytest.fixture
def fake_immich() -> Iterator[ServerFactory]:
    """Start fake Immich servers with any options; at teardown they stop, no thread is left
    running, and every JSON answer they sent is validated against the spec (2xx bodies) or the
    version's error shape."""
    from tests.support.fake_servers import check_contract

    servers: list[FakeImmichServer] = []

    def start(**options: Any) -> FakeImmichServer:
        options.setdefault("record_responses", True)
        server = FakeImmichServer(**options).start()
        servers.append(server)
        return server

    threads_before = set(threading.enumerate())
    yield start
    for server in servers:
        server.stop()
    leaked = [t for t in threading.enumerate() if t not in threads_before and t.is_alive()]
    assert not leaked, f"threads left running: {leaked}"
    for server in servers:
        check_contract(server)
