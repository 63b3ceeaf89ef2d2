"""Fixtures for the session store tests: a store in a temporary directory and sessions with known secrets."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from immiche.session import ApiKey, Jwt, Session, SessionStore

API_KEY = "kR2f7yQ0bT9mW4xZpL6sVn3cHd8jEa1b2"
"""A secret that must never show up in any text immiche produces."""
ACCESS_TOKEN = "Zx9qT4vB7nM2kL5pR8wY3sD6fG1hJ0cAeUiOtXyWz"
CREATED = "2026-11-23T12:00:00Z"


@pytest.fixture
def api_key_session() -> Session:
    return Session("https://immich.example.com", ApiKey(API_KEY, name="cli"), CREATED)


@pytest.fixture
def jwt_session() -> Session:
    return Session("http://192.168.1.10:2283", Jwt(ACCESS_TOKEN, "5f1c-user", "alice@example.com"), CREATED)


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """A config directory that does not exist yet."""
    return tmp_path / "config" / "immich"


@pytest.fixture
def store(base: Path) -> SessionStore:
    """A store with its own root and an empty environment (no IMMICH_PROFILE...)."""
    return SessionStore(base, environ={})


@pytest.fixture(params=[0o000, 0o022, 0o077], ids=["umask000", "umask022", "umask077"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test under each of several umasks."""
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def mode_of(path: Path) -> int:
    return path.stat().st_mode & 0o777


def tree(root: Path) -> list[str]:
    """Every path under ``root`` (relative), to check that nothing was created or left behind."""
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))
