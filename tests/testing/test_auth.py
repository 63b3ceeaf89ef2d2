"""Authentication: credentials and their precedence, permissions, login, logout, error formats."""

from __future__ import annotations

import re

import httpx
import pytest

from immiche.testing import FakeImmichServer
from tests.testing.conftest import ServerFactory, client_for, http


def login(server: FakeImmichServer, email: str | None = None, password: str | None = None) -> httpx.Response:
    body = {"email": email or server.user.email, "password": password or server.user.password}
    return http.post(f"{server.api_url}/auth/login", json=body)


def test_login_returns_an_opaque_token_and_cookies(any_server: FakeImmichServer) -> None:
    answer = login(any_server)
    assert answer.status_code == 201
    body = answer.json()
    token = body["accessToken"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # opaque, not a JWT
    user = any_server.user
    assert (body["userId"], body["userEmail"], body["name"], body["isAdmin"]) == (user.id, user.email, "Admin", True)
    assert set(body) == {
        "accessToken",
        "userId",
        "userEmail",
        "name",
        "isAdmin",
        "profileImagePath",
        "shouldChangePassword",
        "isOnboarded",
    }
    cookies = answer.headers.get_list("set-cookie")
    assert cookies[0].startswith(f"immich_access_token={token}; Max-Age=34560000; Path=/;")
    assert "HttpOnly" in cookies[0]
    assert cookies[1].startswith("immich_auth_type=password;")
    assert cookies[2].startswith("immich_is_authenticated=true;")
    me = http.get(f"{any_server.api_url}/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["email"] == user.email


def test_login_email_is_case_insensitive_and_tokens_differ(server: FakeImmichServer) -> None:
    first = login(server, email=server.user.email.upper()).json()["accessToken"]
    second = login(server).json()["accessToken"]
    assert first != second


def test_second_user_sees_only_their_people(server: FakeImmichServer) -> None:
    other = server.users[1]
    token = login(server, other.email, other.password).json()["accessToken"]
    with http.client(base_url=server.api_url, headers={"Authorization": f"Bearer {token}"}) as client:
        people = client.get("/people").json()
        mine = server.people[0]
        assert client.get(f"/people/{mine.id}").status_code == 400
    theirs = [p for p in server.all_people if p.owner == other.id]
    assert [p["id"] for p in people["people"]] == [p.id for p in theirs]
    assert people["total"] == 2


@pytest.mark.parametrize(
    ("email", "password"), [("admin@example.com", "wrong"), ("nobody@example.com", "fake-immich-password")]
)
def test_login_with_wrong_credentials(server_v2: FakeImmichServer, email: str, password: str) -> None:
    answer = login(server_v2, email, password)
    assert answer.status_code == 401
    assert answer.json()["message"] == "Incorrect email or password"
    assert answer.json()["error"] == "Unauthorized"


@pytest.mark.parametrize(
    ("body", "v2_messages", "v3_paths"),
    [
        (
            {},
            [
                "email should not be empty",
                "email must be an email",
                "password should not be empty",
                "password must be a string",
            ],
            ["email", "password"],
        ),
        ({"email": "not-an-email", "password": "x"}, ["email must be an email"], ["email"]),
        ({"email": "a@example.com", "password": ""}, ["password should not be empty"], ["password"]),
        ({"email": "a@example.com", "password": 12}, ["password must be a string"], ["password"]),
    ],
)
def test_login_validation(
    server_factory: ServerFactory, body: dict[str, object], v2_messages: list[str], v3_paths: list[str]
) -> None:
    v2, v3 = server_factory(version="v2"), server_factory(version="v3")
    answer_v2 = http.post(f"{v2.api_url}/auth/login", json=body)
    answer_v3 = http.post(f"{v3.api_url}/auth/login", json=body)
    assert answer_v2.status_code == answer_v3.status_code == 400
    assert answer_v2.json()["message"] == v2_messages
    assert answer_v3.json()["message"] == "Validation failed"
    assert [error["path"] for error in answer_v3.json()["errors"]] == [[path] for path in v3_paths]


def test_login_with_a_broken_json_body(server: FakeImmichServer) -> None:
    answer = http.post(f"{server.api_url}/auth/login", content=b"{nope", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400


def test_logout_ends_a_session_but_not_an_api_key(any_server: FakeImmichServer) -> None:
    token = any_server.login_token()
    bearer = {"Authorization": f"Bearer {token}"}
    with http.client(base_url=any_server.api_url) as client:
        answer = client.post("/auth/logout", headers=bearer)
        assert answer.status_code == 200
        assert answer.json() == {"successful": True, "redirectUri": "/auth/login?autoLaunch=0"}
        assert all("Expires=Thu, 01 Jan 1970" in c for c in answer.headers.get_list("set-cookie"))
        after = client.get("/users/me", headers=bearer)
        assert after.status_code == 401
        assert after.json()["message"] == "Invalid user token"
        assert client.post("/auth/logout", headers=bearer).status_code == 401
        key = {"x-api-key": any_server.api_key}
        assert client.post("/auth/logout", headers=key).status_code == 200
        assert client.get("/users/me", headers=key).status_code == 200


def test_logout_needs_the_all_permission_with_an_api_key(server: FakeImmichServer) -> None:
    with client_for(server, "person.read") as client:
        answer = client.post("/auth/logout")
    assert answer.status_code == 403
    assert answer.json() == {"message": "Missing required permission: all"}


@pytest.mark.parametrize("key", ["all", "person.read", "none"])
def test_validate_token_accepts_any_valid_credential(server: FakeImmichServer, key: str) -> None:
    with client_for(server, key) as client:
        answer = client.post("/auth/validateToken")
    assert answer.status_code == 200
    assert answer.json() == {"authStatus": True}


@pytest.mark.parametrize(
    ("headers", "params", "message"),
    [
        ({}, {}, "Authentication required"),
        ({"x-api-key": "not-a-key"}, {}, "Invalid API key"),
        ({}, {"apiKey": "not-a-key"}, "Invalid API key"),
        ({"Authorization": "Bearer not-a-token"}, {}, "Invalid user token"),
        ({"Cookie": "immich_access_token=not-a-token"}, {}, "Invalid user token"),
        ({"x-immich-user-token": "not-a-token"}, {}, "Invalid user token"),
        ({"Authorization": "Basic abc"}, {}, "Authentication required"),
    ],
)
def test_401_messages(
    any_server: FakeImmichServer, headers: dict[str, str], params: dict[str, str], message: str
) -> None:
    answer = http.get(f"{any_server.api_url}/people", headers=headers, params=params)
    assert answer.status_code == 401
    assert answer.json()["message"] == message


def test_bearer_wins_over_a_valid_api_key(server: FakeImmichServer) -> None:
    headers = {"Authorization": "Bearer not-a-token", "x-api-key": server.api_key}
    answer = http.get(f"{server.api_url}/people", headers=headers)
    assert answer.status_code == 401
    assert answer.json()["message"] == "Invalid user token"
    assert server.requests[-1].credential == "bearer"


def test_an_api_key_sent_as_bearer_is_rejected(server: FakeImmichServer) -> None:
    answer = http.get(f"{server.api_url}/people", headers={"Authorization": f"Bearer {server.api_key}"})
    assert answer.status_code == 401
    assert answer.json()["message"] == "Invalid user token"


def test_the_session_cookie_wins_over_the_api_key(server: FakeImmichServer) -> None:
    token = server.login_token()
    with client_for(server, "none") as client:  # this key alone may not read people
        client.cookies.set("immich_access_token", token)
        assert client.get("/people").status_code == 200


def test_api_key_in_query(server: FakeImmichServer) -> None:
    answer = http.get(f"{server.api_url}/people", params={"apiKey": server.api_keys["person.read"]})
    assert answer.status_code == 200


@pytest.mark.parametrize("path", ["/people", "/people/{id}", "/people/{id}/thumbnail", "/search/person?name=a"])
def test_person_read_permission(server: FakeImmichServer, path: str) -> None:
    path = path.replace("{id}", server.people[0].id)
    with client_for(server, "none") as denied, client_for(server, "person.read") as allowed:
        refused = denied.get(path)
        assert allowed.get(path).status_code == 200
    assert refused.status_code == 403
    assert refused.json() == {"message": "Missing required permission: person.read"}


def test_failure_order_401_then_403_then_400(server: FakeImmichServer) -> None:
    bad = "/people/not-a-uuid"
    assert http.get(f"{server.api_url}{bad}").status_code == 401
    with client_for(server, "none") as client:
        assert client.get(bad).status_code == 403
    with client_for(server) as client:
        assert client.get(bad).status_code == 400


def test_error_formats_and_correlation_ids(server_factory: ServerFactory) -> None:
    v2, v3 = server_factory(version="v2"), server_factory(version="v3")
    old = http.get(f"{v2.api_url}/people")
    new = http.get(f"{v3.api_url}/people")
    assert old.json() == {
        "message": "Authentication required",
        "error": "Unauthorized",
        "statusCode": 401,
        "correlationId": old.headers["x-immich-cid"],
    }
    assert "x-correlation-id" not in old.headers
    assert new.json() == {"message": "Authentication required"}
    assert re.fullmatch(r"[a-z0-9]{8}", new.headers["x-correlation-id"])
    assert "x-immich-cid" not in new.headers
    assert new.headers["content-type"] == "application/json; charset=utf-8"
