"""API root discovery, redirects and addresses that do not answer as Immich."""

from __future__ import annotations

import httpx
import pytest
import respx

import immiche
from immiche import errors
from tests.facade.conftest import KEY, recorded_response


def mock_immich(router: respx.MockRouter, root: str) -> None:
    router.get(f"{root}/server/ping").mock(return_value=recorded_response("server_ping"))
    router.get(f"{root}/server/version").mock(return_value=recorded_response("server_version"))


def test_sub_path_behind_a_proxy_resolves_like_the_mobile_app() -> None:
    with respx.mock(assert_all_called=False) as router:
        router.get("https://host.example/photos/.well-known/immich").mock(
            return_value=httpx.Response(200, json={"api": {"endpoint": "/api"}})
        )
        mock_immich(router, "https://host.example/photos/api")
        with immiche.Client("https://host.example/photos/", api_key=KEY) as client:
            client.connect()
            assert client.api_root == "https://host.example/photos/api"
        well_known = router.calls[0].request
        assert "x-api-key" not in well_known.headers  # no credential before the server is confirmed


def test_an_api_url_is_accepted_and_falls_back_when_there_is_no_well_known() -> None:
    with respx.mock(assert_all_called=False) as router:
        router.get("http://nas:2283/.well-known/immich").mock(return_value=httpx.Response(404, text="Not Found"))
        mock_immich(router, "http://nas:2283/api")
        with immiche.Client("nas:2283/api", api_key=KEY) as client:
            client.connect()
            assert client.api_root == "http://nas:2283/api"
            assert client.base_url == "http://nas:2283"


def test_an_html_page_is_not_immich() -> None:
    with respx.mock(assert_all_called=False) as router:
        router.get(url__regex=r"http://router\.local/.*").mock(
            return_value=httpx.Response(200, html="<html><body>Router login</body></html>")
        )
        with (
            immiche.Client("http://router.local", api_key=KEY) as client,
            pytest.raises(errors.InvalidResponseError) as info,
        ):
            client.connect()
    assert "does not answer as an Immich server" in str(info.value)
    assert "http://router.local" in str(info.value)


def test_http_to_https_redirect_is_reported_with_the_url_to_use() -> None:
    with respx.mock(assert_all_called=False) as router:
        router.get("http://photos.example.com/.well-known/immich").mock(
            return_value=httpx.Response(301, headers={"Location": "https://photos.example.com/.well-known/immich"})
        )
        with (
            immiche.Client("http://photos.example.com", api_key=KEY) as client,
            pytest.raises(errors.UnexpectedRedirectError) as info,
        ):
            client.fetch_people()
        assert len(router.calls) == 1  # not followed
    assert info.value.suggested_url == "https://photos.example.com"
    assert "https://photos.example.com" in str(info.value)


def test_a_redirect_to_another_host_is_never_followed_with_the_key() -> None:
    with respx.mock(assert_all_called=False) as router:
        router.get("http://immich.local:2283/.well-known/immich").mock(
            return_value=recorded_response("well_known_immich")
        )
        mock_immich(router, "http://immich.local:2283/api")
        router.get("http://immich.local:2283/api/people").mock(
            return_value=httpx.Response(302, headers={"Location": "https://evil.example/steal"})
        )
        evil = router.get(url__regex=r"https://evil\.example/.*").mock(return_value=httpx.Response(200, json={}))
        with (
            immiche.Client("http://immich.local:2283", api_key=KEY) as client,
            pytest.raises(errors.UnexpectedRedirectError) as info,
        ):
            client.fetch_people()
    assert evil.call_count == 0
    assert info.value.location == "https://evil.example/steal"
    assert info.value.suggested_url is None


def test_dns_failure_is_a_clear_connection_error() -> None:
    with respx.mock() as router:
        router.get(url__regex=r".*").mock(side_effect=httpx.ConnectError("[Errno -2] Name or service not known"))
        with (
            immiche.Client("https://no-such-host.invalid", api_key=KEY, retries=0) as client,
            pytest.raises(errors.ImmichConnectionError, match="cannot resolve") as info,
        ):
            client.connect()
    assert "host name" in (info.value.hint or "")


def test_tls_failure_suggests_a_ca_bundle() -> None:
    with respx.mock() as router:
        route = router.get(url__regex=r".*").mock(
            side_effect=httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed")
        )
        with (
            immiche.Client("https://nas.local", api_key=KEY) as client,
            pytest.raises(errors.ImmichConnectionError) as info,
        ):
            client.connect()
    assert "TLS" in str(info.value)
    assert "ca_bundle" in (info.value.hint or "")
    assert route.call_count == 1  # a certificate problem is not retried
