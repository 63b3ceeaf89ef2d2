"""Fault injection: every kind, its options, and recovery afterwards."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest

from immiche.testing import FakeImmichServer
from tests.testing.conftest import ServerFactory, client_for


def raw_get(server: FakeImmichServer, path: str) -> bytes:
    """Send one GET over a plain socket and read until the server closes."""
    host, port = server.url.removeprefix("http://").split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        request = f"GET {path} HTTP/1.1\r\nHost: x\r\nx-api-key: {server.api_key}\r\nConnection: close\r\n\r\n"
        sock.sendall(request.encode())
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
        return data


def test_status_burst_then_recovery(any_server: FakeImmichServer) -> None:
    fault = any_server.faults.add("status", status=503, times=2, retry_after=3)
    with client_for(any_server) as client:
        answers = [client.get("/people") for _ in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 200]
    assert answers[0].headers["retry-after"] == "3"
    body = answers[0].json()
    if any_server.dialect == "v2":
        assert body == {
            "message": "Service Unavailable",
            "error": "Service Unavailable",
            "statusCode": 503,
            "correlationId": answers[0].headers["x-immich-cid"],
        }
    else:
        assert body == {"message": "Service Unavailable"}
    assert fault.hits == 2
    assert len(any_server.faults) == 0
    assert len(any_server.requests) == 3


def test_status_500_uses_immichs_message(server: FakeImmichServer) -> None:
    server.faults.add("status", status=500)
    with client_for(server) as client:
        assert client.get("/server/ping").json() == {"message": "Internal server error"}


def test_rate_limit(server: FakeImmichServer) -> None:
    server.faults.add("rate_limit", retry_after=2)
    server.faults.add("rate_limit")
    with client_for(server) as client:
        first, second, third = (client.get("/people") for _ in range(3))
    assert (first.status_code, first.headers["retry-after"]) == (429, "2")
    assert (second.status_code, second.headers["retry-after"]) == (429, "1")
    assert first.json() == {"message": "Too Many Requests"}
    assert third.status_code == 200


def test_retry_after_as_an_http_date(server: FakeImmichServer) -> None:
    date = "Wed, 21 Oct 2037 07:28:00 GMT"
    server.faults.add("status", status=503, retry_after=date)
    with client_for(server) as client:
        assert client.get("/people").headers["retry-after"] == date


def test_path_filter(server: FakeImmichServer) -> None:
    server.faults.add("status", status=502, path="/api/people", times=-1)
    with client_for(server) as client:
        assert client.get("/server/ping").status_code == 200
        assert client.get("/people").status_code == 502
        assert client.get(f"/people/{server.people[0].id}/thumbnail").status_code == 502
        assert client.get("/search/person", params={"name": "a"}).status_code == 200
        server.faults.clear()
        assert client.get("/people").status_code == 200


def test_path_filter_under_a_sub_path(server_factory: ServerFactory) -> None:
    server = server_factory(base_path="/photos")
    server.faults.add("status", status=502, path="/api/people")
    server.faults.add("status", status=503, path="/photos/api/people")
    with client_for(server) as client:
        assert [client.get("/people").status_code for _ in range(3)] == [502, 503, 200]


def test_forever_until_cleared(server: FakeImmichServer) -> None:
    fault = server.faults.add("status", status=500, times=-1)
    with client_for(server) as client:
        assert all(client.get("/server/ping").status_code == 500 for _ in range(5))
        assert list(server.faults) == [fault]
        server.faults.clear()
        assert client.get("/server/ping").status_code == 200
    assert fault.hits == 5


def test_faults_apply_in_order(server: FakeImmichServer) -> None:
    server.faults.add("status", status=500)
    server.faults.add("status", status=502)
    with client_for(server) as client:
        assert [client.get("/server/ping").status_code for _ in range(3)] == [500, 502, 200]


def test_reset(server: FakeImmichServer) -> None:
    server.faults.add("reset")
    with client_for(server) as client:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            client.get("/people")
        assert client.get("/people").status_code == 200  # a new connection works
    assert server.connections == 2


def test_reset_sends_nothing(server: FakeImmichServer) -> None:
    server.faults.add("reset")
    assert raw_get(server, "/api/server/ping") == b""


def test_truncate(server: FakeImmichServer) -> None:
    server.faults.add("truncate")
    with client_for(server) as client, pytest.raises(httpx.RemoteProtocolError):
        client.get("/people")
    server.faults.add("truncate")
    raw = raw_get(server, "/api/people")
    head, _, body = raw.partition(b"\r\n\r\n")
    length = int(
        next(line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")).split(b":")[1]
    )
    assert len(body) == length // 2
    with client_for(server) as client:
        assert body == client.get("/people").content[: length // 2]


def test_truncated_thumbnail(server_factory: ServerFactory) -> None:
    server = server_factory(thumbnail_size=300_000)
    server.faults.add("truncate")
    person = server.people[0]
    raw = raw_get(server, f"/api/people/{person.id}/thumbnail")
    body = raw.partition(b"\r\n\r\n")[2]
    assert body == server.thumbnail(person.id)[:150_000]


def test_slow_body(server: FakeImmichServer) -> None:
    server.faults.add("slow_body", delay=0.5)
    with client_for(server) as client:
        started = time.monotonic()
        slow = client.get("/people")
        elapsed = time.monotonic() - started
        fast = client.get("/people")
    assert elapsed >= 0.45
    assert slow.status_code == 200
    assert slow.json()["people"] == fast.json()["people"]


def test_slow_body_times_out_a_client(server: FakeImmichServer) -> None:
    server.faults.add("slow_body", delay=2)
    with client_for(server, timeout=httpx.Timeout(5, read=0.1)) as client, pytest.raises(httpx.ReadTimeout):
        client.get("/people")


def test_delay_before_answering(server: FakeImmichServer) -> None:
    server.faults.add("status", status=504, delay=0.3)
    with client_for(server) as client:
        started = time.monotonic()
        assert client.get("/server/ping").status_code == 504
        assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize("status", [None, 503])
def test_html_error_page(server: FakeImmichServer, status: int | None) -> None:
    server.faults.add("html", status=status)
    with client_for(server) as client:
        answer = client.get("/people")
    expected = status or 502
    assert answer.status_code == expected
    assert answer.headers["content-type"] == "text/html"
    assert answer.headers["server"] == "nginx"
    assert f"<title>{expected} ".encode() in answer.content
    assert b"<center>nginx</center>" in answer.content


def test_invalid_json(server: FakeImmichServer) -> None:
    server.faults.add("invalid_json")
    with client_for(server) as client:
        answer = client.get("/people")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    with pytest.raises(json.JSONDecodeError):
        answer.json()


def test_wrong_shape(server: FakeImmichServer) -> None:
    server.faults.add("wrong_shape", times=2)
    with client_for(server) as client:
        people = client.get("/people").json()
        version = client.get("/server/version").json()
    assert isinstance(people, dict)
    assert "people" not in people
    assert "major" not in version


def test_faulty_answers_are_not_recorded_as_responses(server: FakeImmichServer) -> None:
    server.faults.add("wrong_shape")
    with client_for(server) as client:
        client.get("/people")
        client.get("/people")
    assert len(server.requests) == 2
    assert len(server.responses) == 1


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("explode", {}, "unknown fault kind"),
        ("status", {}, "needs status"),
        ("status", {"status": 700}, "not an HTTP status"),
        ("reset", {"times": 0}, "times"),
        ("reset", {"times": -2}, "times"),
        ("slow_body", {"delay": -1}, "delay"),
    ],
)
def test_invalid_faults(server: FakeImmichServer, kind: str, options: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        server.faults.add(kind, **options)  # type: ignore[arg-type]
