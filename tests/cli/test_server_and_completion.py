"""immiche server info and immiche completion end to end."""

from __future__ import annotations

import pytest

from immiche.testing import FakeImmichServer
from tests.cli.conftest import Cli


def test_server_info_needs_no_credential(cli: Cli, server: FakeImmichServer) -> None:
    result = cli("server", "info", "--server", server.url)
    assert result.code == 0, result
    assert result.out.splitlines() == [
        f"Server:      {server.url}",
        f"API root:    {server.api_url}",
        "Version:     Immich v3.0.0",
        "Pinned spec: v3.2.2 (tested with Immich v1.132 to v3.3.x)",
        "Compatible:  yes",
    ]
    assert all(r.credential is None for r in server.requests)


def test_server_info_json_from_the_profile(logged_in: Cli, server: FakeImmichServer) -> None:
    result = logged_in("--json", "server", "info")
    assert result.code == 0, result
    assert result.json() == {
        "server": server.url,
        "api_root": server.api_url,
        "version": "v3.0.0",
        "pinned_version": "v3.2.2",
        "tested_range": "v1.132 to v3.3.x",
        "compatible": True,
    }


def test_server_info_from_the_environment(cli: Cli, server: FakeImmichServer) -> None:
    result = cli("server", "info", "--json", env={"IMMICH_INSTANCE_URL": server.url})
    assert result.code == 0, result
    assert result.json()["server"] == server.url


def test_server_info_of_an_untested_version(cli: Cli, make_server: object) -> None:
    old = make_server(version="v2", server_version=(1, 100, 0))  # type: ignore[operator]
    result = cli("server", "info", "--server", old.url, "--json")
    assert result.code == 0, result
    assert result.json()["version"] == "v1.100.0"
    assert result.json()["compatible"] is False
    text = cli("server", "info", "--server", old.url)
    assert "Compatible:  no: this server version is not tested" in text.out
    assert text.err == ""  # reported once, in the output: no extra warning


def test_untested_version_warns_on_other_commands(cli: Cli, make_server: object) -> None:
    old = make_server(version="v2", server_version=(1, 100, 0))  # type: ignore[operator]
    result = cli("people", "list", "--json", env={"IMMICH_INSTANCE_URL": old.url, "IMMICH_API_KEY": old.api_key})
    assert result.code == 0, result
    assert result.err.startswith("warning: the Immich server at ")
    assert "runs v1.100.0, outside the versions immiche" in result.err
    result.json()


def test_server_info_without_any_server(cli: Cli) -> None:
    result = cli("server", "info")
    assert result.code == 3
    assert result.err.startswith("error: no server: profile 'default' has no stored session")
    assert "--server URL" in result.err


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("bash", "complete -o"), ("zsh", "compdef"), ("fish", "complete --no-files --command immiche")],
)
def test_completion_scripts(cli: Cli, shell: str, marker: str) -> None:
    result = cli("completion", shell, script=True)
    assert result.code == 0, result
    assert "_IMMICHE_COMPLETE" in result.out
    assert marker in result.out
    assert "immiche" in result.out


def test_completion_of_an_unknown_shell(cli: Cli) -> None:
    result = cli("completion", "powershell")
    assert result.code == 2
    assert "powershell" in result.err


def _complete(cli: Cli, words: str) -> list[str]:
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    result = cli(env={"_IMMICHE_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)})
    assert result.code == 0, result
    return [line.split(",", 1)[1] for line in result.out.splitlines()]


def test_completion_answers_commands_options_and_profiles(cli: Cli, server: FakeImmichServer) -> None:
    assert _complete(cli, "immiche peo") == ["people"]
    assert set(_complete(cli, "immiche people ")) == {
        *("list", "search", "show", "thumbnail", "thumbnails"),
        *("rename", "edit", "apply", "merge", "delete", "prune", "undo"),  # issue 14
        *("photos", "download", "album"),  # issue 15
    }
    assert "--with-hidden" in _complete(cli, "immiche people list --w")
    assert "--json" in _complete(cli, "immiche people list --j")
    cli.login(server, profile="home")
    cli.login(server, profile="holiday")
    assert sorted(_complete(cli, "immiche profile use ho")) == ["holiday", "home"]
    assert sorted(_complete(cli, "immiche people list -p ho")) == ["holiday", "home"]


def test_bash_completion_works_in_bash(cli: Cli) -> None:
    import shutil
    import subprocess
    from pathlib import Path

    from tests.cli.conftest import SCRIPT

    bash = shutil.which("bash")
    assert bash is not None
    script = (
        'eval "$(immiche completion bash)"\n'
        "COMP_WORDS=(immiche people th); COMP_CWORD=2\n"
        "_immiche_completion immiche\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    env = {**cli.env, "PATH": f"{Path(SCRIPT).parent}:{cli.env['PATH']}"}
    done = subprocess.run(
        [bash, "--norc", "-c", script], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.split()) == ["thumbnail", "thumbnails"]
