"""The fake server's lifecycle, discovery endpoints, routing, sub-path, latency and bookkeeping."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import httpx
import pytest

from immiche.testing import FakeImmichServer, RecordedRequest
from tests.testing.conftest import ServerFactory, client_for, http


def test_context_manager_serves_and_then_releases_port_and_threads() -> None:
    before = set(threading.enumerate())
    with FakeImmichServer() as server:
        url = server.url
        assert url.startswith("http://127.0.0.1:")
        assert server.api_url == f"{url}/api"
        assert http.get(f"{server.api_url}/server/ping").json() == {"res": "pong"}
    assert set(threading.enumerate()) <= before
    with pytest.raises(httpx.ConnectError):
        http.get(f"{url}/api/server/ping")


def test_stop_closes_idle_keep_alive_connections_without_waiting() -> None:
    server = FakeImmichServer().start()
    client = http.client(base_url=server.api_url)
    client.get("/server/ping")  # leaves a keep-alive connection (and its thread) open
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2
    client.close()
    server.stop()  # idempotent


def test_url_before_start_and_restart_are_errors() -> None:
    server = FakeImmichServer()
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.url
    server.start()
    with pytest.raises(RuntimeError, match="starts once"):
        server.start()
    server.stop()
    with pytest.raises(RuntimeError):
        server.start()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"version": "v4"}, "version"),
        ({"max_page_size": 0}, "max_page_size"),
        ({"latency": -1}, "latency"),
        ({"people": -1}, "people"),
        ({"base_path": "/a?b"}, "base_path"),
        ({"thumbnail_size": 100}, "thumbnail_size must be at least"),
    ],
)
def test_invalid_options_are_rejected_at_construction(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FakeImmichServer(**options)  # type: ignore[arg-type]


def test_repr_and_requests_never_show_credentials(server: FakeImmichServer) -> None:
    token = server.login_token()
    with http.client(base_url=server.api_url) as client:
        client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
        client.get("/users/me", params={"apiKey": server.api_key})
        client.get("/users/me", headers={"x-api-key": server.api_key, "Cookie": f"immich_access_token={token}"})
    dumped = repr(server) + repr(server.requests) + repr([r.headers for r in server.requests]) + repr(server.user)
    for secret in (token, server.api_key, server.user.password):
        assert secret not in dumped
    assert [r.credential for r in server.requests] == ["bearer", "api_key", "session"]
    assert server.requests[1].query == {"apiKey": ["[redacted]"]}
    assert server.requests[0].headers["authorization"] == "[redacted]"


@pytest.mark.parametrize("version", ["v2", "v3"])
def test_discovery_endpoints_are_public(server_factory: ServerFactory, version: str) -> None:
    server = server_factory(version=version)
    with http.client(base_url=server.url) as client:
        well_known = client.get("/.well-known/immich")
        assert well_known.status_code == 200
        assert well_known.headers["content-type"] == "application/json; charset=utf-8"
        assert well_known.json() == {"api": {"endpoint": "/api"}}
        assert client.get("/api/server/ping").json() == {"res": "pong"}
        version_body = client.get("/api/server/version", headers={"x-api-key": "not-a-key"}).json()
    # the v3.0.0 release document requires ``prerelease`` (null on a release), as a v3.1.0 server sends it
    expected: dict[str, object] = (
        {"major": 2, "minor": 4, "patch": 1} if version == "v2" else {"major": 3, "minor": 0, "patch": 0}
    )
    if version == "v3":
        expected["prerelease"] = None
    assert version_body == expected


def test_server_about_needs_auth_and_reports_the_version(any_server: FakeImmichServer) -> None:
    with client_for(any_server, None) as anonymous:
        assert anonymous.get("/server/about").status_code == 401
    with client_for(any_server, "person.read") as limited:
        denied = limited.get("/server/about")
        assert denied.status_code == 403
        assert denied.json()["message"] == "Missing required permission: server.about"
    with client_for(any_server) as client:
        about = client.get("/server/about").json()
    tag = "v2.4.1" if any_server.dialect == "v2" else "v3.0.0"
    assert about["version"] == tag
    assert about["versionUrl"].endswith(f"/tag/{tag}")
    assert about["licensed"] is False


def test_server_version_override(server_factory: ServerFactory) -> None:
    server = server_factory(version="v2", server_version=(1, 132, 3))
    assert server.server_version == (1, 132, 3)
    with client_for(server) as client:
        assert client.get("/server/version").json() == {"major": 1, "minor": 132, "patch": 3}
        assert client.get("/server/about").json()["version"] == "v1.132.3"


def test_users_me(any_server: FakeImmichServer) -> None:
    with client_for(any_server) as client:
        me = client.get("/users/me").json()
    user = any_server.user
    assert (me["id"], me["email"], me["name"], me["isAdmin"]) == (user.id, user.email, user.name, True)
    assert me["status"] == "active"
    assert me["deletedAt"] is None
    with client_for(any_server, "person.read") as limited:
        denied = limited.get("/users/me")
    assert denied.status_code == 403
    assert denied.json()["message"] == "Missing required permission: user.read"


def test_unknown_api_route_is_404_before_authentication(any_server: FakeImmichServer) -> None:
    with client_for(any_server, None) as client:
        answer = client.get("/does-not-exist", params={"a": "1"})
        wrong_method = client.delete("/server/ping")
    assert answer.status_code == 404
    assert answer.json()["message"] == "Cannot GET /api/does-not-exist?a=1"
    assert wrong_method.json()["message"] == "Cannot DELETE /api/server/ping"
    if any_server.dialect == "v2":
        assert answer.json()["error"] == "Not Found"
        assert answer.json()["correlationId"] == answer.headers["x-immich-cid"]
    else:
        assert set(answer.json()) == {"message"}
        assert len(answer.headers["x-correlation-id"]) == 8


def test_routes_ignore_case_and_one_trailing_slash(api: httpx.Client) -> None:
    assert api.get("/Server/Ping/").json() == {"res": "pong"}
    assert api.get("/people/").status_code == 200


def test_paths_outside_the_api_serve_the_web_app(server: FakeImmichServer) -> None:
    page = http.get(f"{server.url}/people")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert b"<title>Immich</title>" in page.content


def test_sub_path(server_factory: ServerFactory) -> None:
    server = server_factory(base_path="photos/")
    assert server.url.endswith("/photos")
    assert server.api_url.endswith("/photos/api")
    with http.client(timeout=10) as client:
        assert client.get(f"{server.url}/.well-known/immich").json() == {"api": {"endpoint": "/api"}}
        assert client.get(f"{server.api_url}/people", headers={"x-api-key": server.api_key}).json()["total"] == 13
        root = server.url.removesuffix("/photos")
        outside = client.get(f"{root}/api/server/ping")
    assert outside.status_code == 404
    assert outside.headers["content-type"] == "text/html"
    assert b"nginx" in outside.content
    assert [r.path for r in server.requests] == ["/photos/.well-known/immich", "/photos/api/people", "/api/server/ping"]


def test_latency_is_added_to_every_request(server_factory: ServerFactory) -> None:
    server = server_factory(latency=0.2)
    with client_for(server) as client:
        started = time.monotonic()
        client.get("/server/ping")
        client.get("/people")
        assert time.monotonic() - started >= 0.4
        server.latency = 0
        started = time.monotonic()
        client.get("/server/ping")
        assert time.monotonic() - started < 0.2
    with pytest.raises(ValueError, match="latency"):
        server.latency = -0.1


def test_keep_alive_uses_one_connection(server: FakeImmichServer) -> None:
    with client_for(server) as client:
        for _ in range(20):
            assert client.get("/server/ping").status_code == 200
    assert server.connections == 1
    for _ in range(3):
        http.get(f"{server.api_url}/server/ping")  # a new connection each time
    assert server.connections == 4
    server.reset_counters()
    assert (server.connections, server.requests) == (0, [])


def test_every_answer_has_content_length(server: FakeImmichServer) -> None:
    person = server.people[0]
    with client_for(server) as client:
        answers = [
            client.get("/people"),
            client.get("/nope"),
            client.get(f"/people/{person.id}/thumbnail"),
            client.post("/auth/login", json={}),
        ]
    for answer in answers:
        assert answer.headers["content-length"] == str(len(answer.content))
        assert "transfer-encoding" not in answer.headers
        assert "content-encoding" not in answer.headers


def test_requests_are_recorded_with_query_and_credential_kind(server: FakeImmichServer) -> None:
    with client_for(server) as client:
        client.get("/people", params={"page": 2, "size": 3})
    with http.client() as anonymous:
        anonymous.head(f"{server.url}/.well-known/immich")
    assert server.requests == [
        RecordedRequest("GET", "/api/people", {"page": ["2"], "size": ["3"]}, "api_key"),
        RecordedRequest("HEAD", "/.well-known/immich", {}, None),
    ]
    assert server.requests[0].headers["x-api-key"] == "[redacted]"


def test_concurrent_clients(server: FakeImmichServer) -> None:
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with client_for(server) as client:
                for page in range(1, 4):
                    assert client.get("/people", params={"page": page, "size": 5}).status_code == 200
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert server.connections == 8
    assert len(server.requests) == 24


def test_importing_the_fake_does_not_import_httpx() -> None:
    code = "import sys, immiche.testing; print('httpx' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
