"""Client.from_session / from_profile and the environment's precedence."""

from __future__ import annotations

import pytest
import respx

import immiche
from immiche import session
from tests.facade.conftest import BASE, recorded_response


@pytest.fixture
def me(immich: respx.MockRouter) -> respx.Route:
    return immich.get("/api/users/me").mock(return_value=recorded_response("users_me_api_key_all"))


def test_from_session_with_an_api_key(me: respx.Route) -> None:
    stored = session.Session.create(BASE, session.ApiKey("stored-key-123456", name="cli"))
    with immiche.Client.from_session(stored) as client:
        client.whoami()
    assert me.calls.last.request.headers["x-api-key"] == "stored-key-123456"


def test_from_session_with_a_login_token(me: respx.Route) -> None:
    stored = session.Session.create(BASE, session.Jwt("opaque-token-abcdef", "user-1", "a@example.com"))
    with immiche.Client.from_session(stored) as client:
        client.whoami()
    assert me.calls.last.request.headers["authorization"] == "Bearer opaque-token-abcdef"


def test_from_profile_reads_the_current_profile(me: respx.Route) -> None:
    session.save(session.Session.create(BASE, session.ApiKey("home-key-123456")), "home")
    session.set_current_profile("home")
    with immiche.Client.from_profile() as client:
        client.whoami()
    assert me.calls.last.request.headers["x-api-key"] == "home-key-123456"


def test_environment_takes_precedence_over_the_stored_profile(me: respx.Route, monkeypatch: pytest.MonkeyPatch) -> None:
    session.save(session.Session.create("http://elsewhere:2283", session.ApiKey("home-key-123456")))
    monkeypatch.setenv("IMMICH_INSTANCE_URL", BASE)
    monkeypatch.setenv("IMMICH_API_KEY", "env-key-654321")
    with immiche.Client.from_profile() as client:
        client.whoami()
    assert me.calls.last.request.headers["x-api-key"] == "env-key-654321"


def test_immich_profile_selects_the_profile(me: respx.Route, monkeypatch: pytest.MonkeyPatch) -> None:
    session.save(session.Session.create(BASE, session.ApiKey("work-key-123456")), "work")
    monkeypatch.setenv("IMMICH_PROFILE", "work")
    with immiche.Client.from_profile() as client:
        client.whoami()
    assert me.calls.last.request.headers["x-api-key"] == "work-key-123456"


def test_not_logged_in() -> None:
    with pytest.raises(immiche.NotLoggedInError, match="default") as info:
        immiche.Client.from_profile()
    assert "immiche login" in (info.value.hint or "")


def test_every_constructor_builds_the_same_checked_options(immich: respx.MockRouter) -> None:
    """from_session, probe, login and create check options the way Client() does, and keep them."""
    stored = session.Session.create(BASE, session.ApiKey("stored-key-123456"))
    policy = immiche.RetryPolicy(max_retries=1)
    with immiche.Client.from_session(stored, retries=policy, timeout=7) as client:
        assert type(client) is immiche.Client
        assert client._options.retries is policy
        assert client._options.timeout == immiche.Timeout.coerce(7)
    aclient = immiche.AsyncClient.from_session(stored, max_response_bytes=1000)
    assert type(aclient) is immiche.AsyncClient
    assert aclient._options.max_response_bytes == 1000
    assert immiche.create(BASE, "key-123456", retries=0)._options.retries.max_retries == 0
    for build in (
        lambda: immiche.Client.from_session(stored, retry=3),  # type: ignore[call-arg]
        lambda: immiche.Client.probe(BASE, timeuot=3),  # type: ignore[call-arg]
        lambda: immiche.Client.login(BASE, "a@example.com", "pw", verfiy=False),  # type: ignore[call-arg]
    ):
        with pytest.raises(TypeError, match="unexpected options"):
            build()
    with pytest.raises(immiche.InvalidArgumentError, match="max_response_bytes"):
        immiche.Client.probe(BASE, max_response_bytes=0)
    assert not immich.calls  # every refusal came before any request
