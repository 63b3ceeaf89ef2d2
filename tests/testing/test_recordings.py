"""Fidelity against reality: replay requests recorded from a real Immich v2.4.1 server.

The recordings (``tests/fixtures/recorded/immich-v2.4.1/``) were made against a server holding
six people. The fake is started in v2 mode with the same six people, same ids, names, birth
dates, faces, thumbnails and dates (:data:`RECORDED_PEOPLE`), so most answers can be compared
value for value; only what is random or per-install differs and is normalised away:

- credentials: ``<api-key-all>``, ``<api-key-person-read-only>`` and ``<api-key-no-person>`` become
  the fake's ``all``, ``person.read`` and ``none`` keys; ``<access-token>`` a fresh session token
  (or one already logged out, for the recordings made after the logout); ``<password>`` the fake
  user's password (the email, ``admin@example.com``, is the same);
- the user id (inside ``thumbnailPath``), correlation ids and access tokens;
- thumbnail bytes (both are 250x250 baseline JPEGs; the headers are compared instead).

Each replay asserts the same status, content type, body shape (keys and JSON types, recursively)
and error message; people, search, server and error answers are compared in full.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from immiche.testing import FakeImmichServer, FakePerson
from tests.conftest import ROOT
from tests.testing.conftest import ServerFactory, http

RECORDED = ROOT / "tests" / "fixtures" / "recorded" / "immich-v2.4.1"
RECORDED_USER = "99b5ded8-56cf-41f5-b3f4-b5316ad7888c"


def _at(millis: int) -> datetime.datetime:
    return datetime.datetime(2026, 11, 23, 11, 25, 59, millis * 1000, tzinfo=datetime.timezone.utc)


#: The recorded server's people, in creation order. Carol Anne has a face but no feature face
#: (so no thumbnail); Dave has no face at all (never listed nor counted, but found by search).
RECORDED_PEOPLE = [
    FakePerson(
        id="e991c2d4-80c1-48dd-99a3-a3ee13e07c0c",
        name="Ann",
        birth_date=datetime.date(1990, 1, 2),
        updated_at=_at(796),
    ),
    FakePerson(id="5174df3b-37a7-46b2-a6c6-5cee411fbdae", name="Anna", updated_at=_at(835)),
    FakePerson(id="73601eae-4b9c-4fac-96c3-cd59a87fa0c6", name="Carol Anne", updated_at=_at(844), has_thumbnail=False),
    FakePerson(
        id="08991467-3fdf-43cb-8d4b-84967afa8944",
        name="Bob",
        birth_date=datetime.date(1985, 6, 30),
        updated_at=_at(864),
    ),
    FakePerson(
        id="4eade6e2-b408-4e56-bcc1-544ca392012a",
        name="Dave NoFace",
        updated_at=_at(879),
        face_count=0,
        has_thumbnail=False,
    ),
    FakePerson(id="40b9729e-c9e3-4cf6-8563-3fa391bf4373", name="Hidden Henry", updated_at=_at(891), is_hidden=True),
]

KEYS = {"<api-key-all>": "all", "<api-key-person-read-only>": "person.read", "<api-key-no-person>": "none"}

#: Recordings of endpoints the fake does not implement, and why.
NOT_REPLAYED = {
    "api_keys_create_all.json": "API key management: the fake's keys exist from the start",
    "api_keys_create_no-person.json": "API key management: the fake's keys exist from the start",
    "api_keys_create_person-read-only.json": "API key management: the fake's keys exist from the start",
    "api_keys_me_person_read_key.json": "GET /api-keys/me is not implemented (immiche does not use it)",
    "assets_upload_created.json": "assets are not modelled: people are given at start-up",
    "assets_upload_duplicate.json": "assets are not modelled: people are given at start-up",
    "auth_admin_sign_up.json": "users are given at start-up",
    "auth_status_bearer.json": "GET /auth/status (PIN codes) is not implemented",
    "faces_create.json": "faces are not modelled beyond a count per person",
    "faces_create_person_read_key.json": "faces are not modelled beyond a count per person",
    "faces_list_for_asset.json": "faces are not modelled beyond a count per person",
    "jobs_status.json": "jobs are not modelled",
    "people_create.json": "people are read-only: given at start-up",
    "people_create_invalid_birthdate_format.json": "people are read-only: given at start-up",
    "people_create_invalid_birthdate_future.json": "people are read-only: given at start-up",
    "people_create_person_read_key.json": "people are read-only: given at start-up",
    "people_update_feature_face.json": "people are read-only: given at start-up",
    "people_update_feature_face_wrong_asset.json": "people are read-only: given at start-up",
    "people_update_unknown_uuid.json": "people are read-only: given at start-up",
    "server_config.json": "GET /server/config is not implemented (immiche does not use it)",
    "server_features.json": "GET /server/features is not implemented (immiche does not use it)",
    "server_media_types.json": "GET /server/media-types is not implemented (immiche does not use it)",
}

#: Compared by shape only: the values depend on the install, not on behaviour.
SHAPE_ONLY = {
    "auth_login.json": "token, onboarding flags",
    "auth_login_2.json": "token, onboarding flags",
    "users_me_bearer.json": "dates, avatar colour, quota usage, password-change flag",
    "users_me_api_key_all.json": "dates, avatar colour, quota usage, password-change flag",
    "users_me_api_key_after_logout_call.json": "dates, avatar colour, quota usage, password-change flag",
}

#: Compared without regard to the order of the people: the real order comes from face embeddings.
UNORDERED = {"people_list_closestPersonId.json"}

#: Recordings made with a session token that had been logged out before.
LOGGED_OUT = {"auth_logout_again.json", "people_list_bearer_logged_out.json", "users_me_after_logout.json"}

REPLAYED = sorted(path.name for path in RECORDED.glob("*.json") if path.name not in NOT_REPLAYED)


def test_every_recording_is_replayed_or_excused() -> None:
    names = {path.name for path in RECORDED.glob("*.json")}
    assert len(names) == 118
    assert set(NOT_REPLAYED) <= names
    assert set(SHAPE_ONLY) | LOGGED_OUT | UNORDERED <= set(REPLAYED)
    assert len(REPLAYED) == len(names) - len(NOT_REPLAYED) == 96


def shape(value: Any) -> Any:
    """Keys and JSON types, recursively."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(item) for item in value]
    return type(value).__name__


def normalise(value: Any, user_id: str) -> Any:
    """Replace what differs between installs and requests: user id, tokens, correlation ids."""
    if isinstance(value, dict):
        out = {key: normalise(item, user_id) for key, item in value.items()}
        if "accessToken" in out:
            out["accessToken"] = "<token>"
        if "correlationId" in out and re.fullmatch(r"[a-z0-9]{8}", str(out["correlationId"])):
            out["correlationId"] = "<cid>"
        return out
    if isinstance(value, list):
        return [normalise(item, user_id) for item in value]
    if isinstance(value, str):
        return value.replace(user_id, "<user>").replace(RECORDED_USER, "<user>")
    return value


def translate(text: str, server: FakeImmichServer, token: str) -> str:
    for placeholder, key in KEYS.items():
        text = text.replace(placeholder, server.api_keys[key])
    return text.replace("<access-token>", token).replace("<password>", server.user.password)


def header(headers: dict[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name.lower()), None)


@pytest.fixture
def recorded_server(server_factory: ServerFactory) -> FakeImmichServer:
    return server_factory(version="v2", people=RECORDED_PEOPLE)


@pytest.mark.parametrize("name", REPLAYED)
def test_replay(recorded_server: FakeImmichServer, name: str) -> None:
    server = recorded_server
    recording = json.loads((RECORDED / name).read_text(encoding="utf-8"))
    request = recording["request"]
    token = server.login_token()
    if name in LOGGED_OUT:
        http.post(f"{server.api_url}/auth/logout", headers={"Authorization": f"Bearer {token}"}).raise_for_status()
    url = server.url + translate(request["url"].removeprefix("http://immich.local:2283"), server, token)
    headers = {key: translate(value, server, token) for key, value in request["headers"].items()}
    if name == "person_thumbnail_if_none_match.json":  # the recorder did not keep this header
        headers["If-None-Match"] = http.get(url, headers=headers).headers["etag"]
    body = translate(request["body"], server, token).encode() if request["body"] else None
    answer = http.request(request["method"], url, headers=headers, content=body)

    assert answer.status_code == recording["status"]
    assert answer.headers.get("content-type") == header(recording["headers"], "Content-Type")
    assert "x-immich-cid" in answer.headers
    check_thumbnail_headers(answer, recording)
    if recording["body"] is None:
        assert (answer.content == b"") == (recording["body_bytes"] == 0)
        return
    fake, real = answer.json(), recording["body"]
    if name in UNORDERED:
        fake["people"].sort(key=lambda person: person["id"])
        real["people"].sort(key=lambda person: person["id"])
    assert shape(fake) == shape(real)
    if name in SHAPE_ONLY:
        return
    assert normalise(fake, server.user.id) == normalise(real, server.user.id)
    if isinstance(fake, dict) and "correlationId" in fake:
        assert fake["correlationId"] == answer.headers["x-immich-cid"]


def check_thumbnail_headers(answer: httpx.Response, recording: dict[str, Any]) -> None:
    """Caching headers as the real server sends them (values differ only by file)."""
    recorded = recording["headers"]
    assert answer.headers.get("cache-control") == header(recorded, "Cache-Control")
    for name in ("ETag", "Last-Modified"):
        if recording["body"] is None:  # a file answer: compare the header's form, not its value
            assert (name.lower() in answer.headers) == (header(recorded, name) is not None)
    if header(recorded, "ETag") and recording["body"] is None:
        assert answer.headers["etag"].startswith('W/"')
    if recording.get("body_first_bytes_hex", "").startswith("ffd8"):
        assert answer.content[:2] == b"\xff\xd8"
    if header(recorded, "Content-Length") is not None:
        assert "content-length" in answer.headers


def test_recorded_listing_matches_the_replayed_dataset(recorded_server: FakeImmichServer) -> None:
    """The dataset mirrors the recording: same listing order, total and hidden count."""
    recording = json.loads((RECORDED / "people_list_withHidden.json").read_text(encoding="utf-8"))
    assert [p.id for p in recorded_server.people] == [p["id"] for p in recording["body"]["people"]]
    assert (recording["body"]["total"], recording["body"]["hidden"]) == (5, 1)


def test_the_recorded_thumbnail_is_a_jpeg_like_the_fakes(recorded_server: FakeImmichServer) -> None:
    real = Path(RECORDED / "person_thumbnail_ann.jpg").read_bytes()
    fake = recorded_server.thumbnail(RECORDED_PEOPLE[0].id)
    assert real[:2] == fake[:2] == b"\xff\xd8"
    assert real[-2:] == fake[-2:] == b"\xff\xd9"
    assert abs(len(real) - len(fake)) < 2_000
