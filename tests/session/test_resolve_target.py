"""resolve_target: the one table of "flags, then environment, then profile" (library and CLI alike)."""

from __future__ import annotations

from pathlib import Path

import pytest

import immiche
from immiche.errors import InvalidArgumentError, NotLoggedInError, SessionError
from immiche.session import ApiKey, ResolvedCredentials, Session, SessionStore, resolve_server, resolve_target

HOME = "http://home.example:2283"
OTHER = "http://other.example:2283"
PROFILE_KEY = "ProfileKey0123456789abcdWXYZ"
ENV_KEY = "EnvKey0123456789abcdefWXYZ"
ARG_KEY = "ArgKey0123456789abcdefWXYZ"
ENV_BOTH = {"IMMICH_INSTANCE_URL": OTHER, "IMMICH_API_KEY": ENV_KEY}


@pytest.fixture
def store(tmp_path: Path) -> SessionStore:
    """A store whose default profile is logged in to HOME (with a saved TLS choice)."""
    made = SessionStore(tmp_path / "config", environ={})
    made.save(Session.create(HOME, ApiKey(PROFILE_KEY), insecure=True), "default")
    return made


# (arguments, environment) -> (server, key, source); every row of the precedence table.
TABLE = [
    pytest.param({}, {}, (HOME, PROFILE_KEY, "profile:default"), id="nothing-profile"),
    pytest.param({}, ENV_BOTH, (OTHER, ENV_KEY, "environment"), id="env-beats-profile"),
    pytest.param({"server": OTHER, "api_key": ARG_KEY}, ENV_BOTH, (OTHER, ARG_KEY, "arguments"), id="args-beat-env"),
    pytest.param({"server": OTHER, "api_key": ARG_KEY}, {}, (OTHER, ARG_KEY, "arguments"), id="args-beat-profile"),
    pytest.param({"profile": "default"}, ENV_BOTH, (HOME, PROFILE_KEY, "profile:default"), id="profile-beats-env"),
    pytest.param({"api_key": ARG_KEY}, {}, (HOME, ARG_KEY, "profile:default"), id="key-alone-profile-server"),
    pytest.param(
        {"server": "home.example:2283/"},
        {},
        ("home.example:2283/", PROFILE_KEY, "profile:default"),
        id="server-alone-same-server",
    ),
    pytest.param(
        {"server": OTHER},
        {"IMMICH_API_KEY": ENV_KEY},
        (OTHER, ENV_KEY, "arguments and environment"),
        id="server-arg-key-env",
    ),
    pytest.param(
        {"api_key": ARG_KEY},
        {"IMMICH_INSTANCE_URL": OTHER},
        (OTHER, ARG_KEY, "arguments and environment"),
        id="key-arg-url-env",
    ),
    pytest.param(
        {}, {"IMMICH_INSTANCE_URL": HOME}, (HOME, PROFILE_KEY, "profile:default"), id="url-env-alone-same-server"
    ),
    pytest.param(
        {"server": OTHER, "use_profile_credential": True},
        {},
        (OTHER, PROFILE_KEY, "profile:default"),
        id="server-alone-consented",
    ),
]


@pytest.mark.parametrize(("args", "env", "expected"), TABLE)
def test_precedence_table(store: SessionStore, args: dict[str, object], env: dict[str, str], expected: tuple) -> None:
    resolved = resolve_target(store=store, environ=env, **args)  # type: ignore[arg-type]
    server, key, source = expected
    assert (resolved.server_url, resolved.source) == (server, source)
    assert isinstance(resolved.auth, ApiKey) and resolved.auth.key == key
    # The profile's TLS choice comes along exactly when its session is used.
    assert resolved.insecure is source.startswith("profile:")
    assert resolved.profile == (source.removeprefix("profile:") if source.startswith("profile:") else None)


@pytest.mark.parametrize(
    ("args", "env", "error", "text"),
    [
        pytest.param({"server": OTHER}, {}, NotLoggedInError, "server http://other.example:2283 is not the server"),
        pytest.param(
            {}, {"IMMICH_INSTANCE_URL": OTHER}, NotLoggedInError, "$IMMICH_INSTANCE_URL http://other.example:2283 is"
        ),
        pytest.param({}, {"IMMICH_API_KEY": ENV_KEY}, SessionError, "IMMICH_API_KEY is set but IMMICH_INSTANCE_URL"),
        pytest.param({"api_key": ARG_KEY, "profile": "nobody"}, {}, InvalidArgumentError, "api_key needs a server"),
        pytest.param({"server": OTHER, "profile": "nobody"}, {}, NotLoggedInError, "no credential for"),
        pytest.param({"profile": "nobody"}, {}, NotLoggedInError, "not logged in"),
    ],
)
def test_refusals(store: SessionStore, args: dict[str, str], env: dict[str, str], error: type, text: str) -> None:
    with pytest.raises(error) as caught:
        resolve_target(store=store, environ=env, **args)  # type: ignore[arg-type]
    assert text in caught.value.message
    for secret in (PROFILE_KEY, ENV_KEY, ARG_KEY):
        assert secret not in str(caught.value)


def test_library_entry_points_use_the_same_rules(store: SessionStore, monkeypatch: pytest.MonkeyPatch) -> None:
    env_store = SessionStore(store.base, environ={"IMMICH_INSTANCE_URL": HOME})
    assert env_store.resolve_credentials() == ResolvedCredentials(HOME, ApiKey(PROFILE_KEY), "profile:default", True)
    monkeypatch.setenv("IMMICH_CONFIG_DIR", str(store.base))
    monkeypatch.setenv("IMMICH_INSTANCE_URL", OTHER)
    monkeypatch.setenv("IMMICH_API_KEY", ENV_KEY)
    with immiche.Client.from_profile() as client:
        assert client.base_url == OTHER
    monkeypatch.delenv("IMMICH_API_KEY")
    with pytest.raises(NotLoggedInError, match="is not the server of profile"):
        immiche.Client.from_profile()


def test_resolve_server_needs_no_credential(store: SessionStore) -> None:
    assert resolve_server(server=OTHER, store=store, environ={}) == (OTHER, None)
    assert resolve_server(store=store, environ={"IMMICH_INSTANCE_URL": OTHER}) == (OTHER, None)
    url, stored = resolve_server(store=store, environ={"IMMICH_INSTANCE_URL": OTHER}, profile="default")
    assert url == HOME and stored is not None and stored.insecure
    with pytest.raises(NotLoggedInError, match="no server"):
        resolve_server(store=store, environ={}, profile="nobody")
