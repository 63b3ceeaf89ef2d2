"""immiche profile list / use / show / remove end to end."""

from __future__ import annotations

import json

from immiche.session import mask_secret
from immiche.testing import FakeImmichServer
from tests.cli.conftest import Cli


def _two_profiles(cli: Cli, server: FakeImmichServer) -> None:
    cli.login(server)  # "default", becomes current
    user = server.user
    result = cli(
        "login", "--server", server.url, "--email", user.email, "--password-stdin", "-p", "work", input=user.password
    )
    assert result.code == 0, result


def test_profile_list_marks_the_current_one_and_masks_secrets(cli: Cli, server: FakeImmichServer) -> None:
    _two_profiles(cli, server)
    result = cli("profile", "list")
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert lines[0].split() == ["PROFILE", "SERVER", "CREDENTIAL", "CREATED"]
    assert lines[1].startswith("*") and lines[1].split()[1] == "default"
    assert f"API key ({mask_secret(server.api_key)})" in lines[1]
    assert lines[2].split()[0] == "work"
    assert f"login of {server.user.email}" in lines[2]
    token = json.loads(cli.session_file("work").read_text())["auth"]["access_token"]
    assert server.api_key not in result.all and token not in result.all


def test_profile_list_json(cli: Cli, server: FakeImmichServer) -> None:
    _two_profiles(cli, server)
    result = cli("profile", "list", "--json")
    assert result.code == 0, result
    rows = result.json()
    assert [(row["name"], row["current"], row["credential"]) for row in rows] == [
        ("default", True, "api_key"),
        ("work", False, "login"),
    ]
    assert rows[0]["key"] == mask_secret(server.api_key)
    assert rows[1]["email"] == server.user.email and rows[1]["user_id"] == server.user.id
    assert set(rows[0]) == {
        "name",
        "current",
        "server",
        "credential",
        "key",
        "key_name",
        "email",
        "user_id",
        "created_at",
        "tls",
    }
    assert rows[0]["tls"] == {"insecure": False, "ca_bundle": None}
    assert server.api_key not in result.out


def test_profile_list_when_there_is_none(cli: Cli) -> None:
    result = cli("profile", "list")
    assert result.code == 0
    assert result.out == ""
    assert "no profiles yet" in result.err
    assert cli("profile", "list", "--json").json() == []


def test_profile_use_switches_the_current_profile(cli: Cli, server: FakeImmichServer) -> None:
    _two_profiles(cli, server)
    result = cli("profile", "use", "work")
    assert result.code == 0, result
    assert result.out == "Current profile: work\n"
    assert json.loads((cli.config / "config.json").read_text())["current_profile"] == "work"
    whoami = cli("whoami", "--json")
    assert whoami.json()["profile"] == "work" and whoami.json()["credential"] == "login"


def test_profile_use_warns_when_immich_profile_overrides_it(cli: Cli, server: FakeImmichServer) -> None:
    _two_profiles(cli, server)
    result = cli("profile", "use", "work", env={"IMMICH_PROFILE": "default"})
    assert result.code == 0, result
    assert "warning: IMMICH_PROFILE=default is set and overrides the current profile" in result.err


def test_profile_use_of_an_unknown_profile_is_not_found(cli: Cli, server: FakeImmichServer) -> None:
    cli.login(server)
    result = cli("profile", "use", "nope")
    assert result.code == 4
    assert result.err.startswith("error: no profile 'nope'\nhint: see 'immiche profile list'")
    assert json.loads((cli.config / "config.json").read_text())["current_profile"] == "default"


def test_profile_show_masks_the_secret(cli: Cli, server: FakeImmichServer) -> None:
    _two_profiles(cli, server)
    result = cli("profile", "show")
    assert result.code == 0, result
    assert "Profile:    default (current)" in result.out
    assert f"Server:     {server.url}" in result.out
    assert f"Credential: API key ({mask_secret(server.api_key)})" in result.out
    assert f"File:       {cli.session_file()}" in result.out
    assert server.api_key not in result.all
    work = cli("profile", "show", "work", "--json")
    assert work.code == 0, work
    info = work.json()
    token = json.loads(cli.session_file("work").read_text())["auth"]["access_token"]
    assert info["key"] == mask_secret(token) and token not in work.out
    assert info["name"] == "work" and info["current"] is False and info["path"] == str(cli.session_file("work"))
    # the global --profile selects the profile to show too
    assert cli("profile", "show", "-p", "work", "--json").json()["name"] == "work"


def test_profile_show_of_an_unknown_profile(cli: Cli) -> None:
    result = cli("profile", "show", "ghost")
    assert result.code == 4
    assert "no profile 'ghost'" in result.err


def test_invalid_profile_name_is_a_usage_error(cli: Cli) -> None:
    result = cli("profile", "show", "../etc")
    assert result.code == 2
    assert result.err.startswith("error: invalid profile name '../etc'")


def test_profile_remove(cli: Cli, server: FakeImmichServer) -> None:
    _two_profiles(cli, server)
    result = cli("profile", "remove", "work")
    assert result.code == 0, result
    assert result.out == "Removed profile work\n"
    assert not cli.session_file("work").exists()
    assert [row["name"] for row in cli("profile", "list", "--json").json()] == ["default"]
    current = cli("profile", "remove", "default")
    assert current.code == 0
    assert "that was the current profile" in current.err
    again = cli("profile", "remove", "default")
    assert again.code == 4


def test_corrupt_session_file_is_reported_with_its_path(cli: Cli, server: FakeImmichServer) -> None:
    cli.login(server)
    path = cli.session_file()
    path.write_text('{"version": 1, "server_url": ')
    for args in (["people", "list"], ["whoami"], ["profile", "show"]):
        result = cli(*args)
        assert result.code == 1, result
        assert result.err.startswith(f"error: the session file {path} is corrupt"), result
        assert f"hint: run 'immiche logout --profile default' (or delete {path}) and log in again" in result.err
        assert "Traceback" not in result.err
    listed = cli("profile", "list")
    assert listed.code == 0
    assert "warning: skipping profile 'default'" in listed.err
