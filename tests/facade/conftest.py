"""Fixtures for facade unit tests: respx-mocked Immich servers and the recorded v2.4.1 answers."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

RECORDED = Path(__file__).resolve().parent.parent / "fixtures" / "recorded" / "immich-v2.4.1"
BASE = "http://immich.local:2283"
API = f"{BASE}/api"
KEY = "test-api-key-0123456789"


def recorded(name: str) -> dict[str, Any]:
    """One recorded request/response pair from the real Immich v2.4.1 server."""
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


def recorded_response(name: str) -> httpx.Response:
    """The recorded answer as an httpx.Response (thumbnail bytes from the .jpg next to it)."""
    pair = recorded(name)
    headers = {k: v for k, v in pair["headers"].items() if k.lower() not in ("content-length", "transfer-encoding")}
    if pair["body"] is None and (RECORDED / f"{name}.jpg").exists():
        return httpx.Response(pair["status"], headers=headers, content=(RECORDED / f"{name}.jpg").read_bytes())
    if pair["body"] is None:
        return httpx.Response(pair["status"], headers=headers)
    content = json.dumps(pair["body"]).encode()
    if any(k.lower() == "content-encoding" and v == "gzip" for k, v in headers.items()):
        content = gzip.compress(content)  # as the real server sent it: exercises decoding too
    return httpx.Response(pair["status"], headers=headers, content=content)


@pytest.fixture
def immich() -> Iterator[respx.MockRouter]:
    """A mocked Immich v2.4.1 at BASE: discovery answers as recorded; add routes per test."""
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.get("/.well-known/immich").mock(return_value=recorded_response("well_known_immich"))
        router.get("/api/server/ping").mock(return_value=recorded_response("server_ping"))
        router.get("/api/server/version").mock(return_value=recorded_response("server_version"))
        yield router
