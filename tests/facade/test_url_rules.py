"""Server URL rules (README documents the same table)."""

from __future__ import annotations

import pytest

from immiche._url import ServerURL, api_root_from_well_known, parse_server_url
from immiche.errors import InvalidArgumentError


@pytest.mark.parametrize(
    ("typed", "base", "api_given"),
    [
        ("https://photos.example.com", "https://photos.example.com", False),
        ("https://photos.example.com/", "https://photos.example.com", False),
        ("https://photos.example.com/api", "https://photos.example.com", True),
        ("https://photos.example.com/api/", "https://photos.example.com", True),
        ("https://example.com/sub/path", "https://example.com/sub/path", False),
        ("https://example.com/photos/api", "https://example.com/photos", True),
        ("photos.local:2283", "http://photos.local:2283", False),
        ("192.168.1.10:2283/", "http://192.168.1.10:2283", False),
        ("photos.example.com", "https://photos.example.com", False),
        ("photos.example.com:443", "https://photos.example.com:443", False),
        ("  HTTP://Photos.Local:2283  ", "http://photos.local:2283", False),
        ("[::1]:2283", "http://[::1]:2283", False),
    ],
)
def test_accepted_urls(typed: str, base: str, api_given: bool) -> None:
    assert parse_server_url(typed) == ServerURL(base, api_given)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("javascript:alert(1)", "not an http"),
        ("ftp://files.example.com", "scheme 'ftp'"),
        ("http://exa mple.com", "spaces"),
        ("http://example.com/a\x00b", "spaces or control"),
        ("http://example.com/a\nb", "spaces or control"),
        ("https://user:secret@example.com", "user name or password"),
        ("https://example.com/?apiKey=x", "query"),
        ("https://example.com/#x", "fragment"),
        ("http://example.com:99999", "port"),
        ("http://", "no host"),
        ("mailto:someone@example.com", "not an http"),
    ],
)
def test_rejected_urls(typed: str, reason: str) -> None:
    with pytest.raises(InvalidArgumentError, match=reason) as info:
        parse_server_url(typed)
    assert info.value.hint is not None
    assert "secret" not in str(info.value)


def test_well_known_endpoint_is_appended_to_the_given_base() -> None:
    server = parse_server_url("https://host/photos")
    assert api_root_from_well_known(server, {"api": {"endpoint": "/api"}}) == "https://host/photos/api"
    assert (
        api_root_from_well_known(server, {"api": {"endpoint": "https://host/photos/api"}}) == "https://host/photos/api"
    )


@pytest.mark.parametrize(
    "document",
    [
        None,
        [],
        {},
        {"api": "x"},
        {"api": {"endpoint": 3}},
        {"api": {"endpoint": ""}},
        {"api": {"endpoint": "https://evil.example/api"}},
    ],
)
def test_unusable_well_known_documents_are_ignored(document: object) -> None:
    assert api_root_from_well_known(parse_server_url("https://host"), document) is None
