"""Every generated endpoint the facade uses sends requests that Prism accepts under the pinned spec.

Each request goes through ``prism_http``, whose guard fails the test with Prism's message when Prism
refuses it; the negative tests show that the harness does fail when a request breaks the spec.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import httpx
import pytest

from immich_client import AuthenticatedClient, Client
from immich_client.api.authentication import login, logout, validate_access_token
from immich_client.api.people import get_all_people, get_person, get_person_thumbnail
from immich_client.api.search import search_assets, search_person
from immich_client.api.server import get_about_info, get_server_version, ping_server
from immich_client.api.users import get_my_user
from immich_client.models import (
    LoginCredentialDto,
    LoginResponseDto,
    LogoutResponseDto,
    MetadataSearchDto,
    PeopleResponseDto,
    PersonResponseDto,
    SearchResponseDto,
    ServerAboutResponseDto,
    ServerPingResponse,
    ServerVersionResponseDto,
    UserAdminResponseDto,
    ValidateAccessTokenResponseDto,
)
from immich_client.types import File, Response

from .conftest import (
    FAKE_API_KEY,
    PrismGuard,
    PrismServer,
    assert_prism_accepts,
    assert_prism_rejects,
    prism_violation_codes,
)

pytestmark = pytest.mark.prism

# The spec's uuid pattern admits version-4 UUIDs only.
PERSON_ID = uuid.UUID("5174df3b-37a7-46b2-a6c6-5cee411fbdae")
PARIS_SUMMER = datetime.timezone(datetime.timedelta(hours=2))
API_KEY_HEADER = {"x-api-key": FAKE_API_KEY}

Call = Callable[[AuthenticatedClient], Response[Any]]

ENDPOINTS: list[tuple[str, Call, type | tuple[type, ...]]] = [
    ("server.ping_server", lambda c: ping_server.sync_detailed(client=c), ServerPingResponse),
    ("server.get_server_version", lambda c: get_server_version.sync_detailed(client=c), ServerVersionResponseDto),
    ("server.get_about_info", lambda c: get_about_info.sync_detailed(client=c), ServerAboutResponseDto),
    ("users.get_my_user", lambda c: get_my_user.sync_detailed(client=c), UserAdminResponseDto),
    (
        "authentication.login",
        lambda c: login.sync_detailed(
            client=c, body=LoginCredentialDto(email="anna@example.com", password="correct horse")
        ),
        LoginResponseDto,
    ),
    ("authentication.logout", lambda c: logout.sync_detailed(client=c), LogoutResponseDto),
    (
        "authentication.validate_access_token",
        lambda c: validate_access_token.sync_detailed(client=c),
        ValidateAccessTokenResponseDto,
    ),
    ("people.get_all_people", lambda c: get_all_people.sync_detailed(client=c), PeopleResponseDto),
    (
        "people.get_all_people(page,size,with_hidden)",
        lambda c: get_all_people.sync_detailed(client=c, page=3, size=1000, with_hidden=True),
        PeopleResponseDto,
    ),
    (
        "people.get_all_people(with_hidden=False)",
        lambda c: get_all_people.sync_detailed(client=c, page=1, size=1, with_hidden=False),
        PeopleResponseDto,
    ),
    ("people.get_person", lambda c: get_person.sync_detailed(PERSON_ID, client=c), PersonResponseDto),
    ("people.get_person_thumbnail", lambda c: get_person_thumbnail.sync_detailed(PERSON_ID, client=c), File),
    ("search.search_person", lambda c: search_person.sync_detailed(client=c, name="Anna"), list),
    (
        "search.search_person(with_hidden)",
        lambda c: search_person.sync_detailed(client=c, name="Anna Maria ß", with_hidden=True),
        list,
    ),
]


@pytest.mark.parametrize(("call", "model"), [pytest.param(c, m, id=i) for i, c, m in ENDPOINTS])
def test_prism_accepts_generated_endpoint(
    prism_api: AuthenticatedClient, call: Call, model: type | tuple[type, ...]
) -> None:
    response = call(prism_api)
    assert HTTPStatus.OK <= response.status_code < 300
    assert response.parsed is not None
    assert isinstance(response.parsed, model)


def test_people_are_parsed_from_prisms_answers(prism_api: AuthenticatedClient) -> None:
    people = search_person.sync_detailed(client=prism_api, name="Anna").parsed
    assert isinstance(people, list)
    assert people and all(isinstance(p, PersonResponseDto) for p in people)
    thumbnail = get_person_thumbnail.sync_detailed(PERSON_ID, client=prism_api)
    assert isinstance(thumbnail.parsed, File)
    assert thumbnail.parsed.payload.read() == thumbnail.content != b""


def test_login_answers_201(prism_api: AuthenticatedClient) -> None:
    response = login.sync_detailed(client=prism_api, body=LoginCredentialDto(email="a@example.com", password="p"))
    assert response.status_code == HTTPStatus.CREATED


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c: ping_server.sync_detailed(client=c), id="ping_server"),
        pytest.param(lambda c: get_server_version.sync_detailed(client=c), id="get_server_version"),
        pytest.param(
            lambda c: login.sync_detailed(client=c, body=LoginCredentialDto(email="a@example.com", password="p")),
            id="login",
        ),
    ],
)
def test_public_endpoints_need_no_credential(
    prism: PrismServer, prism_http: httpx.Client, call: Callable[[Client], Response[Any]]
) -> None:
    client = Client(base_url=prism.api_url).set_httpx_client(prism_http)
    response = call(client)
    assert 200 <= response.status_code < 300
    assert response.parsed is not None


def test_bearer_token_is_accepted(prism: PrismServer, prism_http: httpx.Client) -> None:
    client = AuthenticatedClient(base_url=prism.api_url, token="opaque-session-token").set_httpx_client(prism_http)
    assert get_my_user.sync_detailed(client=client).parsed is not None


def test_secured_endpoint_without_credential_is_refused(
    prism: PrismServer, prism_http: httpx.Client, prism_guard: PrismGuard
) -> None:
    with prism_guard.expect_rejection() as responses:
        prism_http.get("/api/users/me")
    (response,) = responses
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert "Invalid security scheme used" in assert_prism_rejects(response)


def test_prism_rejects_page_size_zero_sent_raw(prism: PrismServer) -> None:
    with httpx.Client(base_url=prism.api_url, headers=API_KEY_HEADER) as raw:
        response = raw.get("/people", params={"size": 0})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("#UNPROCESSABLE_ENTITY")
    assert prism_violation_codes(response) == [("query.size", "minimum")]
    assert "Request query parameter size must be >= 1" in assert_prism_rejects(response)


def test_prism_rejects_page_size_zero_sent_by_the_generated_client(
    prism_api: AuthenticatedClient, prism_guard: PrismGuard
) -> None:
    with prism_guard.expect_rejection() as responses:
        response = get_all_people.sync_detailed(client=prism_api, size=0)
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.parsed is None
    assert prism_violation_codes(responses[0]) == [("query.size", "minimum")]


def test_prism_rejects_an_id_that_is_not_a_version_4_uuid(
    prism_api: AuthenticatedClient, prism_guard: PrismGuard
) -> None:
    with prism_guard.expect_rejection() as responses:
        get_person.sync_detailed(uuid.UUID("5174df3b-37a7-16b2-a6c6-5cee411fbdae"), client=prism_api)
    assert prism_violation_codes(responses[0]) == [("path.id", "pattern")]


def test_the_guard_fails_the_test_with_prisms_message(prism_api: AuthenticatedClient) -> None:
    """Outside ``expect_rejection`` a refused request is a test failure that quotes Prism."""
    with pytest.raises(pytest.fail.Exception, match=r"Request query parameter size must be >= 1"):
        get_all_people.sync_detailed(client=prism_api, size=0)
    with pytest.raises(pytest.fail.Exception, match=r"422: Invalid request\n.*\n  - \[required\] query: .*'name'"):
        prism_api.get_httpx_client().get("/api/search/person", headers=API_KEY_HEADER)
    with pytest.raises(pytest.fail.Exception, match="expected Prism to reject"), PrismGuard().expect_rejection():
        pass


@pytest.mark.parametrize(
    "taken_after",
    [
        pytest.param(datetime.datetime(2024, 5, 1, 12, 0, tzinfo=PARIS_SUMMER), id="aware-utc+2"),
        pytest.param(datetime.datetime(2024, 5, 1, 12, 0, 0, 123456), id="naive-local"),
        pytest.param(datetime.datetime(2024, 2, 29, 23, 59, tzinfo=datetime.timezone.utc), id="aware-utc"),
    ],
)
def test_datetimes_are_sent_as_utc_z_and_prism_accepts_them_but_not_isoformat(
    prism: PrismServer, prism_api: AuthenticatedClient, taken_after: datetime.datetime
) -> None:
    body = MetadataSearchDto(taken_after=taken_after, taken_before=taken_after + datetime.timedelta(days=1))
    sent = body.to_dict()["takenAfter"]
    assert sent.endswith("Z")
    assert datetime.datetime.fromisoformat(sent.replace("Z", "+00:00")) == taken_after.astimezone()

    response = search_assets.sync_detailed(client=prism_api, body=body)
    assert 200 <= response.status_code < 300
    assert isinstance(response.parsed, SearchResponseDto)

    # The stock generator's `.isoformat()` (`+02:00`, `+00:00` or no zone): v3.2's pattern accepts an
    # offset (v3.0 and v3.1 wanted `Z`, which every version accepts), but never a zoneless value.
    stock = taken_after.isoformat()
    assert not stock.endswith("Z")
    with httpx.Client(base_url=prism.api_url, headers=API_KEY_HEADER) as raw:
        stock_answer = raw.post("/search/metadata", json={"takenAfter": stock})
        accepted = raw.post("/search/metadata", json={"takenAfter": sent})
    if taken_after.tzinfo is None:
        assert stock_answer.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
        assert ("body.takenAfter", "pattern") in prism_violation_codes(stock_answer)
    else:
        assert_prism_accepts(stock_answer)
    assert_prism_accepts(accepted)
