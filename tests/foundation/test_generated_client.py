"""The generated client works over a real socket against a local stdlib HTTP server."""

from __future__ import annotations

import datetime
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from immich_client import AuthenticatedClient, Client
from immich_client.api.people import get_all_people, get_person
from immich_client.api.server import ping_server
from immich_client.models import PeopleResponseDto, PersonResponseDto, ServerPingResponse
from immich_client.types import format_datetime, parse_datetime

PERSON_ID = "5174df3b-37a7-46b2-a6c6-5cee411fbdae"
PERSON = {
    "id": PERSON_ID,
    "name": "Anna",
    "birthDate": "1990-04-01",
    "thumbnailPath": "/data/thumbs/a.jpeg",
    "isHidden": False,
    "isFavorite": True,
    "updatedAt": "2026-11-23T11:25:59.835Z",
    "color": "#ff0000",
}


class Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[dict[str, Any]]

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self.server.seen.append(  # type: ignore[attr-defined]
            {"path": url.path, "query": parse_qs(url.query), "headers": dict(self.headers.items())}
        )
        if url.path == "/api/server/ping":
            body: Any = {"res": "pong"}
        elif url.path == "/api/people":
            body = {"people": [PERSON], "total": 7, "hidden": 2, "hasNextPage": True}
        elif url.path == f"/api/people/{PERSON_ID}":
            body = PERSON
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    httpd.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def api_root(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/api"


def test_ping_server_unauthenticated(server: ThreadingHTTPServer) -> None:
    with Client(base_url=api_root(server)) as client:
        pong = ping_server.sync(client=client)
    assert isinstance(pong, ServerPingResponse)
    assert pong.res == "pong"
    (request,) = server.seen  # type: ignore[attr-defined]
    assert request["path"] == "/api/server/ping"
    assert "x-api-key" not in {k.lower() for k in request["headers"]}


def test_get_all_people_sends_query_and_api_key(server: ThreadingHTTPServer) -> None:
    client = AuthenticatedClient(base_url=api_root(server), token="secret-key", prefix="", auth_header_name="x-api-key")
    with client:
        page = get_all_people.sync(client=client, page=2, size=3, with_hidden=True)
    assert isinstance(page, PeopleResponseDto)
    assert (page.total, page.hidden, page.has_next_page) == (7, 2, True)
    (person,) = page.people
    assert str(person.id) == PERSON_ID and person.is_favorite is True  # a UUID since the v3.2 spec
    assert person.birth_date == datetime.date(1990, 4, 1)
    assert person.updated_at == datetime.datetime(2026, 11, 23, 11, 25, 59, 835000, tzinfo=datetime.timezone.utc)
    (request,) = server.seen  # type: ignore[attr-defined]
    assert request["path"] == "/api/people"
    assert request["query"] == {"page": ["2"], "size": ["3"], "withHidden": ["true"]}
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["x-api-key"] == "secret-key"
    assert "authorization" not in headers


def test_get_person_with_bearer_token(server: ThreadingHTTPServer) -> None:
    client = AuthenticatedClient(base_url=api_root(server), token="opaque-token")
    with client:
        person = get_person.sync(PERSON_ID, client=client)
    assert isinstance(person, PersonResponseDto)
    assert (person.name, person.color) == ("Anna", "#ff0000")
    (request,) = server.seen  # type: ignore[attr-defined]
    assert request["path"] == f"/api/people/{PERSON_ID}"
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["authorization"] == "Bearer opaque-token"
    assert "x-api-key" not in headers


def test_shared_httpx_client_is_not_mutated_and_each_client_sends_its_own_key(
    server: ThreadingHTTPServer,
) -> None:
    """One pool, two API clients with different keys: each request carries only its own key."""
    with httpx.Client() as pool:
        first = AuthenticatedClient(base_url=api_root(server), token="key-1", prefix="", auth_header_name="x-api-key")
        second = AuthenticatedClient(base_url=api_root(server), token="key-2", prefix="", auth_header_name="x-api-key")
        first.set_httpx_client(pool)
        second.set_httpx_client(pool)
        get_person.sync(PERSON_ID, client=first)
        get_person.sync(PERSON_ID, client=second)
        assert "x-api-key" not in pool.headers
        assert pool.auth is None
    keys = [r["headers"].get("x-api-key") for r in server.seen]  # type: ignore[attr-defined]
    assert keys == ["key-1", "key-2"]


def test_credentials_never_appear_in_repr() -> None:
    client = AuthenticatedClient(base_url="http://x/api", token="super-secret-token")
    assert "super-secret-token" not in repr(client)
    assert "super-secret-token" not in repr(client.auth)


def test_datetimes_are_sent_as_utc_with_z_and_parsed_on_every_python() -> None:
    paris = datetime.timezone(datetime.timedelta(hours=2))
    assert format_datetime(datetime.datetime(2024, 5, 1, 12, 0, tzinfo=paris)) == "2024-05-01T10:00:00Z"
    assert parse_datetime("2024-05-01T10:00:00.123Z") == datetime.datetime(
        2024, 5, 1, 10, 0, 0, 123000, tzinfo=datetime.timezone.utc
    )
    # A form fromisoformat does not read on any Python: the dateutil fallback handles it.
    assert parse_datetime("20240501T100000Z").year == 2024
