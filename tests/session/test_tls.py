"""The optional ``tls`` field of session files: the TLS choice of the login (issue 12, item 21)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from immiche.errors import InvalidArgumentError, SessionError
from immiche.session import ApiKey, Session, SessionStore
from tests.session.conftest import API_KEY, CREATED

OLD_FILE = {
    "version": 1,
    "server_url": "https://photos.example.com",
    "created_at": CREATED,
    "auth": {"type": "api_key", "key": API_KEY, "name": None},
}


def test_files_without_tls_are_read_as_before_and_written_as_before() -> None:
    stored = Session.from_dict(OLD_FILE)
    assert (stored.insecure, stored.ca_bundle) == (False, None)
    assert stored.to_dict() == OLD_FILE  # no "tls" key unless a choice was made: older immiche reads it too
    assert Session.from_dict({**OLD_FILE, "tls": None}) == stored


@pytest.mark.parametrize(
    ("insecure", "ca_bundle"), [(True, None), (False, "/etc/ssl/homelab-ca.pem")], ids=["insecure", "ca_bundle"]
)
def test_tls_choice_round_trips(store: SessionStore, insecure: bool, ca_bundle: str | None) -> None:
    stored = Session.create("https://photos.example.com", ApiKey(API_KEY), insecure=insecure, ca_bundle=ca_bundle)
    assert stored.to_dict()["tls"] == {"insecure": insecure, "ca_bundle": ca_bundle}
    path = store.save(stored, "home")
    assert json.loads(Path(path).read_text())["tls"] == {"insecure": insecure, "ca_bundle": ca_bundle}
    assert store.load("home") == stored
    assert API_KEY not in repr(stored) and ("insecure=True" in repr(stored) or "homelab-ca" in repr(stored))


@pytest.mark.parametrize(
    ("tls", "message"),
    [
        ([], "tls must be an object, not an array"),
        ({"insecure": "yes"}, "tls.insecure must be a boolean, not a string"),
        ({"ca_bundle": 3}, "tls.ca_bundle must be a string or null, not a number"),
        ({"ca_bundle": ""}, "ca_bundle must not be empty"),
        ({"insecure": True, "ca_bundle": "/ca.pem"}, "insecure and ca_bundle cannot be used together"),
    ],
)
def test_bad_tls_fields_are_session_errors(tls: Any, message: str) -> None:
    with pytest.raises(SessionError) as caught:
        Session.from_dict({**OLD_FILE, "tls": tls})
    assert message in caught.value.message


def test_the_constructor_checks_the_tls_fields() -> None:
    with pytest.raises(InvalidArgumentError):
        Session("https://x.example", ApiKey(API_KEY), CREATED, insecure=1)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        Session("https://x.example", ApiKey(API_KEY), CREATED, insecure=True, ca_bundle="/ca.pem")
