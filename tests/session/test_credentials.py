"""resolve_credentials: explicit profile, then IMMICH_INSTANCE_URL + IMMICH_API_KEY, then the current profile."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from immiche import session
from immiche.errors import NotLoggedInError, SessionError
from immiche.session import ApiKey, ResolvedCredentials, Session, SessionStore
from tests.session.conftest import API_KEY

ENV_KEY = "EnvKey0123456789abcdefWXYZ"


def store_with(base: Path, env: dict[str, str], *saved: tuple[str, Session]) -> SessionStore:
    for profile, made in saved:
        SessionStore(base, environ={}).save(made, profile)
    return SessionStore(base, environ=env)


def test_the_environment_gives_an_api_key(base: Path) -> None:
    env = {"IMMICH_INSTANCE_URL": "https://env.example", "IMMICH_API_KEY": ENV_KEY}
    creds = store_with(base, env).resolve_credentials()
    assert creds == ResolvedCredentials("https://env.example", ApiKey(ENV_KEY), "environment")
    assert creds.profile is None
    assert not base.exists()


def test_surrounding_whitespace_in_the_variables_is_ignored(base: Path) -> None:
    env = {"IMMICH_INSTANCE_URL": " https://env.example\n", "IMMICH_API_KEY": f"{ENV_KEY}\n"}
    creds = store_with(base, env).resolve_credentials()
    assert (creds.server_url, creds.auth) == ("https://env.example", ApiKey(ENV_KEY))


def test_the_environment_wins_over_the_current_profile(base: Path, api_key_session: Session) -> None:
    env = {"IMMICH_INSTANCE_URL": "https://env.example", "IMMICH_API_KEY": ENV_KEY, "IMMICH_PROFILE": "home"}
    creds = store_with(base, env, ("home", api_key_session), ("default", api_key_session)).resolve_credentials()
    assert creds.source == "environment"


def test_an_explicit_profile_wins_over_the_environment(base: Path, api_key_session: Session) -> None:
    env = {"IMMICH_INSTANCE_URL": "https://env.example", "IMMICH_API_KEY": ENV_KEY}
    creds = store_with(base, env, ("home", api_key_session)).resolve_credentials(profile="home")
    assert creds == ResolvedCredentials(api_key_session.server_url, api_key_session.auth, "profile:home")
    assert creds.profile == "home"


def test_without_variables_the_current_profile_is_used(
    base: Path, api_key_session: Session, jwt_session: Session
) -> None:
    store = store_with(base, {}, ("default", api_key_session), ("work", jwt_session))
    assert store.resolve_credentials() == ResolvedCredentials(
        api_key_session.server_url, api_key_session.auth, "profile:default"
    )
    store.set_current_profile("work")
    assert store.resolve_credentials().source == "profile:work"
    assert store.resolve_credentials().auth == jwt_session.auth


def test_immich_profile_selects_the_profile(base: Path, jwt_session: Session) -> None:
    creds = store_with(base, {"IMMICH_PROFILE": "work"}, ("work", jwt_session)).resolve_credentials()
    assert creds == ResolvedCredentials(jwt_session.server_url, jwt_session.auth, "profile:work")


@pytest.mark.parametrize(
    ("env", "present", "missing"),
    [
        ({"IMMICH_API_KEY": ENV_KEY}, "IMMICH_API_KEY", "IMMICH_INSTANCE_URL"),
        ({"IMMICH_API_KEY": ENV_KEY, "IMMICH_INSTANCE_URL": "  "}, "IMMICH_API_KEY", "IMMICH_INSTANCE_URL"),
    ],
)
def test_half_a_credential_in_the_environment_is_an_error(
    env: dict[str, str], present: str, missing: str, base: Path, api_key_session: Session
) -> None:
    with pytest.raises(SessionError) as caught:
        store_with(base, env, ("default", api_key_session)).resolve_credentials()
    assert type(caught.value) is SessionError
    assert caught.value.message == f"{present} is set but {missing} is not"
    assert (
        caught.value.hint
        == f"set both IMMICH_INSTANCE_URL and IMMICH_API_KEY, or unset {present} to use a stored profile"
    )
    assert ENV_KEY not in str(caught.value)


def test_empty_variables_count_as_unset(base: Path, api_key_session: Session) -> None:
    env = {"IMMICH_INSTANCE_URL": "", "IMMICH_API_KEY": ""}
    assert store_with(base, env, ("default", api_key_session)).resolve_credentials().source == "profile:default"


def test_no_session_means_not_logged_in_with_the_command_to_run(base: Path) -> None:
    with pytest.raises(NotLoggedInError) as caught:
        SessionStore(base, environ={}).resolve_credentials()
    assert caught.value.message == "not logged in: no session stored for profile 'default'"
    assert caught.value.hint == (
        "run 'immiche login --server URL --api-key-stdin', or set IMMICH_INSTANCE_URL and IMMICH_API_KEY"
    )
    with pytest.raises(NotLoggedInError) as caught:
        SessionStore(base, environ={"IMMICH_PROFILE": "work"}).resolve_credentials()
    assert caught.value.message == "not logged in: no session stored for profile 'work'"
    assert "immiche login --server URL --api-key-stdin --profile work" in (caught.value.hint or "")
    assert not base.exists()


def test_a_corrupt_session_is_not_mistaken_for_no_session(base: Path) -> None:
    store = SessionStore(base, environ={})
    path = store.config_dir("default") / "session.json"
    path.write_text("{")
    path.chmod(0o600)
    with pytest.raises(SessionError, match="is corrupt") as caught:
        store.resolve_credentials()
    assert not isinstance(caught.value, NotLoggedInError)


def test_the_module_function_reads_os_environ_by_default(
    monkeypatch: pytest.MonkeyPatch, api_key_session: Session
) -> None:
    session.save(api_key_session, "home")
    monkeypatch.setenv("IMMICH_PROFILE", "home")
    assert session.resolve_credentials().source == "profile:home"
    monkeypatch.setenv("IMMICH_INSTANCE_URL", "https://env.example")
    monkeypatch.setenv("IMMICH_API_KEY", ENV_KEY)
    assert session.resolve_credentials().source == "environment"
    assert session.resolve_credentials(profile="home").source == "profile:home"


def test_the_module_function_takes_an_environment_and_a_root(tmp_path: Path, api_key_session: Session) -> None:
    session.save(api_key_session, "x", base_dir=tmp_path)
    assert session.resolve_credentials(environ={"IMMICH_PROFILE": "x"}, base_dir=tmp_path).source == "profile:x"
    # IMMICH_CONFIG_DIR is read from the given environment too.
    assert (
        session.resolve_credentials(environ={"IMMICH_CONFIG_DIR": str(tmp_path), "IMMICH_PROFILE": "x"}).source
        == "profile:x"
    )


def test_resolved_credentials_are_frozen_and_masked(base: Path) -> None:
    env = {"IMMICH_INSTANCE_URL": "https://env.example", "IMMICH_API_KEY": API_KEY}
    creds = SessionStore(base, environ=env).resolve_credentials()
    assert (
        repr(creds)
        == f"ResolvedCredentials(server_url='https://env.example', auth=ApiKey(key='…{API_KEY[-4:]}', name=None), source='environment')"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        creds.source = "x"  # type: ignore[misc]
