"""Shared test configuration. Fixtures for a subject live in that subject's own conftest.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
