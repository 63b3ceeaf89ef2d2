"""Global options before and after the subcommand, the environment, and their precedence."""

from __future__ import annotations

import json

import pytest

from immiche.testing import FakeImmichServer
from tests.cli.conftest import Cli, visible


@pytest.mark.parametrize(
    "args",
    [
        ["--json", "people", "list"],
        ["people", "list", "--json"],
        ["people", "--json", "list"],
        ["-p", "default", "people", "list", "--json"],
        ["people", "list", "--json", "--profile", "default"],
    ],
)
def test_json_and_profile_before_and_after_the_subcommand(
    logged_in: Cli, server: FakeImmichServer, args: list[str]
) -> None:
    result = logged_in(*args)
    assert result.code == 0, result
    assert [p["id"] for p in result.json()] == visible(server)


def test_before_and_after_give_identical_output(logged_in: Cli) -> None:
    before = logged_in("--json", "-q", "people", "search", "Ann")
    after = logged_in("people", "search", "Ann", "-q", "--json")
    assert before.code == after.code == 0
    assert before.out == after.out
    assert before.err == after.err == ""


def test_the_later_value_wins(cli: Cli, server: FakeImmichServer, make_server: object) -> None:
    other = make_server(people=3)  # type: ignore[operator]
    cli.login(server, profile="a")
    cli.login(other, profile="b")
    result = cli("-p", "a", "people", "list", "--json", "-p", "b")
    assert [p["id"] for p in result.json()] == [p.id for p in other.people if not p.is_hidden]
    result = cli("-p", "b", "people", "list", "--json", "-p", "a")
    assert [p["id"] for p in result.json()] == visible(server)


def test_profile_option_selects_the_profile(cli: Cli, server: FakeImmichServer, make_server: object) -> None:
    other = make_server(people=3)  # type: ignore[operator]
    cli.login(server)
    cli.login(other, profile="small")
    assert len(cli("people", "list", "--json").json()) == len(visible(server))
    assert len(cli("people", "list", "--json", "--profile", "small").json()) == 3
    assert len(cli("people", "list", "--json", env={"IMMICH_PROFILE": "small"}).json()) == 3


def test_environment_credentials_without_any_profile(cli: Cli, server: FakeImmichServer) -> None:
    env = {"IMMICH_INSTANCE_URL": server.url, "IMMICH_API_KEY": server.api_key}
    result = cli("people", "list", "--json", env=env)
    assert result.code == 0, result
    assert [p["id"] for p in result.json()] == visible(server)
    who = cli("whoami", "--json", env=env).json()
    assert who["profile"] is None and who["source"] == "environment"


def test_flags_beat_the_environment_which_beats_the_profile(
    cli: Cli, server: FakeImmichServer, make_server: object
) -> None:
    small = make_server(people=2)  # type: ignore[operator]
    tiny = make_server(people=1)  # type: ignore[operator]
    cli.login(server)  # the profile: the sample people
    env = {"IMMICH_INSTANCE_URL": small.url, "IMMICH_API_KEY": small.api_key}
    assert len(cli("people", "list", "--json", env=env).json()) == 2  # environment over profile
    flags = ["--server", tiny.url, "--api-key", tiny.api_key]
    assert len(cli("people", "list", "--json", *flags, env=env).json()) == 1  # flags over environment
    # an explicit --profile is a flag too: it beats the environment
    assert len(cli("people", "list", "--json", "-p", "default", env=env).json()) == len(visible(server))


def test_server_flag_alone_reuses_the_profiles_credential_on_its_server_only(
    cli: Cli, server: FakeImmichServer
) -> None:
    cli.login(server)
    same_url_spelled_otherwise = server.url.removeprefix("http://") + "/"  # 127.0.0.1:PORT/ is http://127.0.0.1:PORT
    result = cli("people", "list", "--json", "--server", same_url_spelled_otherwise)
    assert result.code == 0, result
    assert len(result.json()) == len(visible(server))
    other_address = server.url.replace("127.0.0.1", "localhost")
    before = len(server.requests)
    refused = cli("people", "list", "--json", "--server", other_address)
    assert refused.code == 3, refused
    assert refused.err.startswith(f"error: --server {other_address} is not the server of profile 'default'")
    assert "--use-profile-credential" in refused.err
    assert len(server.requests) == before  # nothing was sent anywhere
    allowed = cli("people", "list", "--json", "--server", other_address, "--use-profile-credential")
    assert allowed.code == 0, allowed
    assert len(allowed.json()) == len(visible(server))


def test_api_key_flag_alone_uses_the_profiles_server(cli: Cli, server: FakeImmichServer) -> None:
    cli.login(server)
    result = cli("people", "list", "--api-key", server.api_keys["none"])
    assert result.code == 3
    assert "403" in result.err
    without_server = cli("people", "list", "--api-key", server.api_key, "-p", "nobody")
    assert without_server.code == 2
    assert without_server.err.startswith("error: --api-key needs a server")


def test_only_the_api_key_variable_is_an_error(cli: Cli, server: FakeImmichServer) -> None:
    result = cli("people", "list", env={"IMMICH_API_KEY": server.api_key})
    assert result.code == 1
    assert result.err.startswith("error: IMMICH_API_KEY is set but IMMICH_INSTANCE_URL is not")


def test_only_the_instance_url_variable_uses_the_profile(cli: Cli, server: FakeImmichServer) -> None:
    """Exported IMMICH_INSTANCE_URL without a key: the profile's credential serves its own server."""
    env = {"IMMICH_INSTANCE_URL": server.url}
    not_yet = cli("people", "list", env=env)
    assert not_yet.code == 3, not_yet
    assert "profile 'default' has no stored session" in not_yet.err
    login = cli("login", "--api-key-stdin", input=server.api_key + "\n", env=env)
    assert login.code == 0, login
    result = cli("people", "list", "--json", env=env)
    assert result.code == 0, result
    assert len(result.json()) == len(visible(server))
    elsewhere = cli("people", "list", env={"IMMICH_INSTANCE_URL": server.url.replace("127.0.0.1", "localhost")})
    assert elsewhere.code == 3
    assert elsewhere.err.startswith("error: $IMMICH_INSTANCE_URL http://localhost:")


def test_timeout_applies(logged_in: Cli, server: FakeImmichServer) -> None:
    server.latency = 1.5
    result = logged_in("people", "list", "--timeout", "0.3", timeout=60)
    assert result.code == 5, result
    assert result.err.startswith("error: timed out")
    assert "--timeout" in result.err


def test_insecure_and_ca_bundle_are_exclusive(logged_in: Cli) -> None:
    bundle = logged_in.home / "ca.pem"
    bundle.write_text("not a certificate")
    result = logged_in("people", "list", "--insecure", "--ca-bundle", str(bundle))
    assert result.code == 2
    assert "--insecure and --ca-bundle cannot be used together" in result.err
    missing = logged_in("people", "list", "--ca-bundle", str(logged_in.home / "missing.pem"))
    assert missing.code == 2
    bad = logged_in("people", "list", "--ca-bundle", str(bundle))
    assert bad.code == 2
    assert f"cannot use {bundle} as a CA bundle" in bad.err


def test_insecure_is_accepted_over_http(logged_in: Cli) -> None:
    assert logged_in("--insecure", "people", "list", "--json").code == 0


def test_quiet_suppresses_notes_but_not_errors(logged_in: Cli) -> None:
    assert logged_in("people", "list", "-q").err == ""
    failed = logged_in("people", "show", "0f32be88-5f9d-4152-9952-d4c1efff1350", "--quiet")
    assert failed.code == 4 and failed.err.startswith("error: ")


def test_verbose_logs_requests_to_stderr_only(logged_in: Cli, server: FakeImmichServer) -> None:
    result = logged_in("people", "list", "--json", "-v")
    assert result.code == 0
    json.loads(result.out)  # stdout is still exactly one JSON document
    log = result.err.splitlines()
    assert log[0] == f"immiche: using {server.url} with an API key from profile 'default'"
    # The request log: the engine's (GET <url> -> 200 OK), or httpx's as plain text until it logs them.
    assert any("GET " + server.url + "/api/server/ping" in line and "200 OK" in line for line in log)
    assert any("/api/people?page=1&size=1000&withHidden=false" in line and "200 OK" in line for line in log)
    assert server.api_key not in result.err


def test_unknown_option_is_a_usage_error_with_a_hint(cli: Cli) -> None:
    result = cli("people", "list", "--colour")
    assert result.code == 2
    first, hint = result.err.splitlines()
    assert first.startswith("error: No such option") and "--colour" in first
    assert hint == "hint: see 'immiche people list --help'"
    assert cli("people", "nope").code == 2
    assert cli("people", "list", "--timeout", "-1").code == 2
