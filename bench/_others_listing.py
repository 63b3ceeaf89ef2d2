"""Runs inside bench/.cache/venv-others: immichpy and aioimmich list every person, timed.

``python _others_listing.py URL API_KEY EXPECTED`` prints one JSON object: for each client, the
seconds of one listing after a warm-up on the same connected client, the number of people it
returned, or the error it raised (a finding for the table, not a failure of the bench). Standard
library plus those two clients only: this file does not see the immiche venv.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import sys
import time
from typing import Any
from urllib.parse import urlsplit

PAGE = 1000


def _error(err: BaseException) -> str:
    text = re.sub(r"\s*For further information visit \S+", "", str(err))  # pydantic's links
    text = " ".join(text.split())
    return f"{type(err).__module__}.{type(err).__name__}: {text[:600]}"


async def _immichpy(url: str, key: str) -> dict[str, Any]:
    try:
        from immichpy import AsyncClient
    except ImportError as err:
        return {"error": f"not importable: {err}"}

    async def listing(client: Any) -> int:
        people: list[Any] = []
        page = 1
        while True:
            answer = await client.people.get_all_people(page=page, size=PAGE, with_hidden=False)
            people.extend(answer.people)
            if not answer.has_next_page:
                return len(people)
            page += 1

    try:
        async with AsyncClient(api_key=key, base_url=url) as client:
            await listing(client)  # warm-up: connection, first use
            started = time.perf_counter()
            count = await listing(client)
            return {"seconds": time.perf_counter() - started, "count": count}
    except Exception as err:
        return {"error": _error(err)}


async def _aioimmich(url: str, key: str, expected: int) -> dict[str, Any]:
    try:
        import aiohttp
        from aioimmich import Immich
    except ImportError as err:
        return {"error": f"not importable: {err}"}
    where = urlsplit(url)
    pages = math.ceil(expected / PAGE) + 1
    try:
        async with aiohttp.ClientSession() as session:
            immich = Immich(
                session, key, where.hostname or "127.0.0.1", where.port or 80, use_ssl=where.scheme == "https"
            )
            await immich.async_setup()  # its version check: part of connecting
            await immich.people.async_get_all_people(with_unnamed=True, page_size=PAGE, max_pages=pages)
            started = time.perf_counter()
            people = await immich.people.async_get_all_people(with_unnamed=True, page_size=PAGE, max_pages=pages)
            return {"seconds": time.perf_counter() - started, "count": len(people)}
    except Exception as err:
        return {"error": _error(err)}


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


async def _main(url: str, key: str, expected: int) -> dict[str, Any]:
    return {
        "immichpy": {**await _immichpy(url, key), "version": _version("immichpy")},
        "aioimmich": {**await _aioimmich(url, key, expected), "version": _version("aioimmich")},
    }


if __name__ == "__main__":
    url, key, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
    print(json.dumps(asyncio.run(_main(url, key, expected))))
