"""Client.from_session / from_profile and the credential precedence, for BOTH clients, over a socket."""

from __future__ import annotations

import pytest

import immiche
from immiche import session
from immiche.testing import FakeImmichServer
from tests.conftest import ServerFactory
from tests.facade._parity import Flavour, flavour_fixture

flavour = flavour_fixture()


@pytest.fixture
def server(fake_immich: ServerFactory) -> FakeImmichServer:
    return fake_immich()


def test_from_profile_uses_the_current_profile(flavour: Flavour, server: FakeImmichServer) -> None:
    session.save(session.Session.create(server.url, session.ApiKey(server.api_key)), "home")
    session.set_current_profile("home")
    with flavour.from_profile() as client:
        assert client.whoami().email == server.user.email
    assert {r.credential for r in server.requests if r.path == "/api/users/me"} == {"api_key"}


def test_the_environment_beats_the_profile_and_an_explicit_profile_beats_both(
    flavour: Flavour, server: FakeImmichServer, fake_immich: ServerFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = fake_immich(seed=7)
    session.save(session.Session.create(other.url, session.ApiKey(other.api_key)))
    monkeypatch.setenv("IMMICH_INSTANCE_URL", server.url)
    monkeypatch.setenv("IMMICH_API_KEY", server.api_key)
    with flavour.from_profile() as client:
        assert client.base_url == server.url
        assert client.whoami().email == server.user.email
    with flavour.from_profile("default") as client:
        assert client.base_url == other.url
        assert client.whoami().email == other.user.email


def test_the_instance_url_alone_keeps_the_profiles_credential_on_its_server(
    flavour: Flavour, server: FakeImmichServer, fake_immich: ServerFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    session.save(session.Session.create(server.url, session.ApiKey(server.api_key)))
    monkeypatch.setenv("IMMICH_INSTANCE_URL", server.url.removeprefix("http://") + "/")
    with flavour.from_profile() as client:
        assert client.whoami().email == server.user.email
    elsewhere = fake_immich(seed=7)
    monkeypatch.setenv("IMMICH_INSTANCE_URL", elsewhere.url)
    with pytest.raises(immiche.NotLoggedInError, match="is not the server of profile 'default'"):
        flavour.from_profile()
    assert elsewhere.requests == []  # the credential went nowhere


def test_a_login_token_session(flavour: Flavour, server: FakeImmichServer) -> None:
    result = flavour.login(server.url, server.user.email, server.user.password)
    stored = session.Session.create(server.url, session.Jwt(result.access_token, result.user_id, result.email))
    with flavour.from_session(stored) as client:
        assert client.whoami().id == server.user.id
    assert {r.credential for r in server.requests if r.path == "/api/users/me"} == {"bearer"}
