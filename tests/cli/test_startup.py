"""Start-up: --help and --version load neither the HTTP stack, nor the generated client, nor rich."""

from __future__ import annotations

import subprocess
import sys

from tests.cli.conftest import SCRIPT, Cli

HEAVY = ("httpx", "httpcore", "immich_client", "rich", "attrs", "dateutil", "immiche.client", "immiche._engine")


def _modules_after(args: list[str]) -> set[str]:
    code = (
        "import sys, io, contextlib\n"
        "from immiche.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main({args!r})\n"
        "assert code == 0, code\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return set(done.stdout.split())


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_help_does_not_import_the_http_stack_or_rich() -> None:
    modules = _modules_after(["--help"])
    assert "click" in modules
    assert "immiche.cli._app" in modules
    assert _heavy(modules) == []


def test_subcommand_help_does_not_import_the_http_stack_either() -> None:
    for args in (["people", "list", "--help"], ["login", "--help"], ["people", "thumbnails", "--help"]):
        assert _heavy(_modules_after(args)) == [], args


def test_importtime_of_help_via_the_installed_script(cli: Cli) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", str(SCRIPT), "--help"],
        capture_output=True,
        text=True,
        env=cli.env,
        check=True,
        timeout=60,
    )
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "click" in imported
    assert _heavy(imported) == []
    assert "Usage: immiche" in done.stdout


def test_help_lists_every_command_and_the_exit_codes(cli: Cli) -> None:
    result = cli("--help", script=True)
    assert result.code == 0, result
    for command in ("login", "logout", "whoami", "status", "profile", "people", "server", "completion"):
        assert f"  {command} " in result.out
    for option in ("--profile", "--server", "--api-key", "--json", "--insecure", "--ca-bundle", "--timeout"):
        assert option in result.out
    assert "IMMICH_INSTANCE_URL" in result.out and "IMMICH_CONFIG_DIR" in result.out
    assert "3 authentication" in result.out
    assert result.err == ""


def test_subcommand_help_separates_its_options_from_the_global_ones(cli: Cli) -> None:
    result = cli("people", "thumbnails", "-h")
    assert result.code == 0, result
    _, _, options = result.out.partition("\nOptions:\n")
    own, _, common = options.partition("Global options (also accepted before the command):")
    assert "--concurrency" in own and "--json" not in own
    assert "--json" in common and "--concurrency" not in common


def test_version_names_immiche_and_the_pinned_spec(cli: Cli) -> None:
    import immich_client
    import immiche

    for args in (["--version"], ["people", "list", "--version"]):
        result = cli(*args)
        assert result.code == 0, result
        assert result.out.strip() == f"immiche {immiche.__version__} (Immich API spec v{immich_client.IMMICH_VERSION})"


def test_no_command_shows_help_on_stderr_with_usage_exit(cli: Cli) -> None:
    result = cli()
    assert result.code == 2
    assert result.out == ""
    assert "Commands:" in result.err


def test_python_dash_m_and_the_script_agree(cli: Cli) -> None:
    assert cli("--help").out == cli("--help", script=True).out
