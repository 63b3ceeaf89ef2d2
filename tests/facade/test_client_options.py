"""Constructor rules, credentials, shared pools and secrets in reprs."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest
import respx

import immiche
from immiche import errors
from tests.facade.conftest import BASE, KEY, recorded_response

PERSON = "e991c2d4-80c1-48dd-99a3-a3ee13e07c0c"


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({}, "exactly one credential"),
        ({"api_key": KEY, "access_token": "tok"}, "exactly one credential"),
        ({"api_key": ""}, "empty"),
        ({"api_key": "has space"}, "spaces"),
        ({"api_key": "line\nbreak"}, "spaces"),
        ({"access_token": 42}, "must be a string"),
        ({"api_key": KEY, "retries": -1}, "retries"),
        ({"api_key": KEY, "timeout": 0}, "timeout"),
        ({"api_key": KEY, "http_client": httpx.AsyncClient()}, "httpx.Client"),
    ],
)
def test_constructor_rejects_bad_arguments(kwargs: dict[str, object], fragment: str) -> None:
    try:
        with pytest.raises(errors.InvalidArgumentError, match=fragment) as info:
            immiche.Client(BASE, **kwargs)  # type: ignore[arg-type]
        assert isinstance(info.value, ValueError)
        for secret in ("has space", "line\nbreak", KEY):
            assert secret not in str(info.value)
    finally:
        http = kwargs.get("http_client")
        if isinstance(http, httpx.AsyncClient):
            import asyncio

            asyncio.run(http.aclose())


def test_repr_names_the_server_and_credential_kind_only() -> None:
    with immiche.Client(BASE, api_key=KEY) as client:
        assert repr(client) == "<immiche.Client 'http://immich.local:2283' credential=api_key>"
        assert KEY not in repr(client.__dict__)


def test_shared_pool_two_servers_two_keys(immich: respx.MockRouter) -> None:
    """One httpx.Client for two immiche clients: each request carries only its own key."""
    immich.get(f"/api/people/{PERSON}").mock(return_value=recorded_response("person_get_ann"))
    with httpx.Client() as shared:
        first = immiche.create(BASE, "key-one-111", http_client=shared)
        second = immiche.Client(BASE, access_token="token-two-222", http_client=shared)
        first.fetch_person(PERSON)
        second.fetch_person(PERSON)
        first.close()
        second.close()
        assert not shared.is_closed  # a shared client is never closed by immiche
        assert "x-api-key" not in shared.headers
        assert "authorization" not in shared.headers
    people_calls = [c.request for c in immich.calls if c.request.url.path.startswith("/api/people/")]
    assert people_calls[0].headers["x-api-key"] == "key-one-111"
    assert "authorization" not in people_calls[0].headers
    assert people_calls[1].headers["authorization"] == "Bearer token-two-222"
    assert "x-api-key" not in people_calls[1].headers


def test_low_level_escape_hatch_uses_the_same_pool_and_key(immich: respx.MockRouter) -> None:
    from immich_client.api.people import get_person

    immich.get(f"/api/people/{PERSON}").mock(return_value=recorded_response("person_get_ann"))
    with httpx.Client() as shared:
        client = immiche.Client(BASE, api_key=KEY, http_client=shared)
        client.connect()
        dto = get_person.sync(PERSON, client=client.low_level)  # type: ignore[arg-type]
        assert dto is not None
        assert dto.name == "Ann"
        # immiche's own cookie-less httpx client, sending through the shared one's pool
        own = client.low_level.get_httpx_client()
        assert own is client._http
        assert own._transport_for_url(httpx.URL(BASE)) is not shared._transport_for_url(httpx.URL(BASE))
        assert own._transport._shared is shared  # type: ignore[attr-defined]
    assert immich.calls.last.request.headers["x-api-key"] == KEY


def test_own_pool_is_closed_with_the_client() -> None:
    client = immiche.Client(BASE, api_key=KEY)
    http = client._http
    with client:
        pass
    assert http.is_closed
    with pytest.raises(errors.InvalidArgumentError, match="closed"):
        client.fetch_people()


def test_ca_bundle_path_becomes_an_ssl_context(tmp_path: Path) -> None:
    import certifi

    with immiche.Client("https://nas.local", api_key=KEY, verify=certifi.where()) as client:
        pool = client._http._transport._pool  # type: ignore[attr-defined]
        assert isinstance(pool._ssl_context, ssl.SSLContext)
    missing = tmp_path / "missing.pem"
    with pytest.raises(errors.InvalidArgumentError, match="CA bundle"):
        immiche.Client("https://nas.local", api_key=KEY, verify=str(missing))


def test_verify_cannot_be_combined_with_a_shared_client() -> None:
    with httpx.Client() as shared, pytest.raises(errors.InvalidArgumentError, match="verify"):
        immiche.Client(BASE, api_key=KEY, http_client=shared, verify=False)


@pytest.mark.parametrize("bad", ["../admin/users", "..%2Fadmin%2Fusers", "%2e%2e/admin", "", "abc", 42, None])
def test_person_ids_are_checked_before_any_request(immich: respx.MockRouter, bad: object) -> None:
    with immiche.Client(BASE, api_key=KEY) as client:
        for call in (client.fetch_person, client.fetch_thumbnail):
            with pytest.raises(errors.InvalidArgumentError):
                call(bad)  # type: ignore[arg-type]
    assert not [c for c in immich.calls if "/people/" in c.request.url.path]


@pytest.mark.parametrize("bad", ["", "   ", "\x00", 5])
def test_search_names_are_checked(immich: respx.MockRouter, bad: object) -> None:
    with immiche.Client(BASE, api_key=KEY) as client, pytest.raises(errors.InvalidArgumentError):
        client.search_person(bad)  # type: ignore[arg-type]


def test_unicode_names_are_sent_as_typed(immich: respx.MockRouter) -> None:
    route = immich.get("/api/search/person").mock(return_value=httpx.Response(200, json=[]))
    with immiche.Client(BASE, api_key=KEY) as client:
        assert client.search_person("Zoë Ångström 李") == []
    assert route.calls.last.request.url.params["name"] == "Zoë Ångström 李"


def test_plain_http_clients_skip_loading_the_ca_store_but_still_verify() -> None:
    with immiche.Client("http://nas:2283", api_key=KEY) as client:
        context = client._http._transport._pool._ssl_context  # type: ignore[attr-defined]
        assert context.verify_mode == ssl.CERT_REQUIRED
        assert context.check_hostname is True
        assert context.cert_store_stats()["x509_ca"] == 0  # trusts nothing: TLS could never go unverified
    with immiche.Client("https://nas", api_key=KEY) as client:
        context = client._http._transport._pool._ssl_context  # type: ignore[attr-defined]
        assert context.cert_store_stats()["x509_ca"] > 0
