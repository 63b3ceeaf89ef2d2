"""Fast in-process unit tests of the CLI's pieces: option merging, formatting, errors, redaction.

The end-to-end behaviour is tested through the real entry point in the other modules; these pin
the details with click's CliRunner and plain calls.
"""

from __future__ import annotations

import datetime
import io
import json

import click
import pytest
from click.testing import CliRunner

from immiche import errors
from immiche.cli._app import cli
from immiche.cli._errors import CliError, describe, exit_code_for, one_line
from immiche.cli._options import GlobalState, ImmicheGroup, global_options, state
from immiche.cli._output import Column, Output, clean, dumps_json, redact
from immiche.cli._people_output import people_table, person_record
from immiche.people import Person

# -- global options -----------------------------------------------------------------------------


@click.group(cls=ImmicheGroup)
@global_options
def probe() -> None:
    pass


@probe.command()
@global_options
def show() -> None:
    merged = state()
    click.echo(
        json.dumps(
            {
                "profile": merged.profile,
                "server": merged.server,
                "json": merged.json,
                "verbose": merged.verbose,
                "quiet": merged.quiet,
                "timeout": merged.timeout,
                "insecure": merged.insecure,
            }
        )
    )


def _probe(*args: str) -> dict[str, object]:
    result = CliRunner().invoke(probe, list(args), obj=GlobalState(), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_global_options_merge_from_both_sides_of_the_subcommand() -> None:
    assert _probe("show") == {
        "profile": None,
        "server": None,
        "json": False,
        "verbose": 0,
        "quiet": False,
        "timeout": None,
        "insecure": False,
    }
    before = _probe("--json", "-p", "a", "--timeout", "2.5", "show")
    after = _probe("show", "--json", "-p", "a", "--timeout", "2.5")
    assert before == after
    assert before["json"] is True and before["profile"] == "a" and before["timeout"] == 2.5


def test_later_values_win_flags_stick_and_verbose_counts() -> None:
    merged = _probe("-p", "outer", "--json", "-v", "--server", "http://a", "show", "-p", "inner", "-vv")
    assert merged["profile"] == "inner"
    assert merged["server"] == "http://a"  # not given again: the outer value stays
    assert merged["json"] is True
    assert merged["verbose"] == 3


def test_state_without_root_object() -> None:
    result = CliRunner().invoke(probe, ["show", "-q"], catch_exceptions=False)
    assert json.loads(result.output)["quiet"] is True


def test_api_key_option_is_remembered_as_a_secret() -> None:
    options = GlobalState()
    CliRunner().invoke(probe, ["show", "--api-key", "abcdefgh-secret"], obj=options, catch_exceptions=False)
    assert options.api_key == "abcdefgh-secret"
    assert options.secrets == ["abcdefgh-secret"]
    assert "abcdefgh" not in repr(options)


# -- the real tree, in process --------------------------------------------------------------------


def test_real_cli_in_process_version_and_usage_error() -> None:
    runner = CliRunner()
    version = runner.invoke(cli, ["people", "list", "--version"])
    assert version.exit_code == 0 and version.output.startswith("immiche ")
    usage = runner.invoke(cli, ["people", "list", "--limit", "0"])
    assert usage.exit_code == 2
    assert "error: Invalid value for '--limit'" in usage.output
    assert "hint: see 'immiche people list --help'" in usage.output


def test_real_cli_in_process_not_logged_in() -> None:
    result = CliRunner().invoke(cli, ["--json", "people", "list"])
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.startswith("error: not logged in")


def test_real_cli_in_process_profile_list_json_is_empty() -> None:
    result = CliRunner().invoke(cli, ["profile", "list", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


# -- errors -------------------------------------------------------------------------------------


def _status(cls: type[errors.APIStatusError], code: int, **kw: object) -> errors.APIStatusError:
    return cls("failed", status_code=code, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (errors.NotLoggedInError("x"), 3),
        (_status(errors.AuthenticationError, 401), 3),
        (_status(errors.PermissionDeniedError, 403), 3),
        (_status(errors.NotFoundError, 404), 4),
        (errors.ImmichConnectionError("x"), 5),
        (errors.RequestTimeoutError("x"), 5),
        (_status(errors.ServerError, 503), 5),
        (_status(errors.RateLimitError, 429), 5),
        (errors.InvalidResponseError("x"), 5),
        (errors.UnexpectedRedirectError("x", location="https://a"), 5),
        (errors.InvalidArgumentError("x"), 2),
        (errors.InvalidProfileName("x"), 2),
        (errors.SessionError("x"), 1),
        (errors.OutputFileError("x"), 1),
        (_status(errors.BadRequestError, 400), 1),
        (errors.ImmichError("x"), 1),
        (CliError("x", exit_code=4), 4),
        (RuntimeError("bug"), 1),
    ],
)
def test_exit_codes(error: BaseException, code: int) -> None:
    assert exit_code_for(error) == code


def test_describe() -> None:
    error = errors.NotFoundError("not found (404)", status_code=404, correlation_id="abc123", hint="check")
    assert describe(error) == ("not found (404) [correlation id abc123]", "check")
    assert describe(CliError("m", hint="h")) == ("m", "h")
    message, hint = describe(RuntimeError("boom"))
    assert message == "unexpected RuntimeError: boom" and hint is not None and "--verbose" in hint


def test_one_line() -> None:
    assert one_line("a\nb\r\n\tc\x1b[2Jd") == "a b c?[2Jd"


def test_error_output_is_one_line_plus_hint() -> None:
    err = io.StringIO()
    Output(GlobalState(), err=err).error("bad\nthing", "do\nthis")
    assert err.getvalue() == "error: bad thing\nhint: do this\n"


# -- redaction and sanitising --------------------------------------------------------------------


def test_redact_replaces_every_secret_longest_first() -> None:
    options = GlobalState()
    options.add_secret("abcdefgh")
    options.add_secret("abcdefgh-longer")
    options.add_secret("short")  # too short to redact safely
    assert options.secrets == ["abcdefgh-longer", "abcdefgh"]
    assert redact("x abcdefgh-longer y abcdefgh z short", options.secrets) == "x [redacted] y [redacted] z short"


def test_every_write_is_redacted() -> None:
    options = GlobalState()
    options.add_secret("s3cr3t-token-value")
    out, err = io.StringIO(), io.StringIO()
    output = Output(options, out=out, err=err)
    output.line("token s3cr3t-token-value")
    output.emit_json({"t": "s3cr3t-token-value"})
    output.note("n s3cr3t-token-value")
    output.warn("w s3cr3t-token-value")
    output.error("e s3cr3t-token-value", "h s3cr3t-token-value")
    assert "s3cr3t" not in out.getvalue() + err.getvalue()
    assert out.getvalue().count("[redacted]") == 2 and err.getvalue().count("[redacted]") == 4


def test_quiet_drops_notes_only() -> None:
    options = GlobalState()
    options.quiet = True
    err = io.StringIO()
    output = Output(options, err=err)
    output.note("a note")
    output.warn("a warning")
    output.message("a message")
    assert err.getvalue() == "warning: a warning\na message\n"


def test_clean_and_json_escape_terminal_controls() -> None:
    assert clean("Ann\x1b]0;pwned\x07\x9b") == "Ann?]0;pwned??"
    text = dumps_json({"name": "Zoë\x1b\x9b\u2028"})
    assert "\x1b" not in text and "\x9b" not in text and "\u2028" not in text
    assert json.loads(text) == {"name": "Zoë\x1b\x9b\u2028"}
    assert "Zoë" in text  # UTF-8 kept readable


# -- tables and records --------------------------------------------------------------------------

ANN = Person(
    "0f32be88-5f9d-4152-9952-d4c1efff1359",
    "Ann",
    datetime.date(1990, 1, 2),
    "/thumbs/a.jpeg",
    False,
    True,
    "#2196f3",
    datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.timezone.utc),
)
HIDDEN = Person("3c6a4d3a-b315-4224-a278-f55ecd87ceba", "", None, "", True, None, None, None)
EVIL = Person("d8da55af-8f1f-4bef-9874-3a07d0663906", "Eve\x1b[2J", None, "", False)


def test_people_table_when_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    import time

    time.tzset()
    out = io.StringIO()
    people_table(Output(GlobalState(), out=out), [ANN, HIDDEN, EVIL])
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["ID", "NAME", "BIRTH", "DATE", "UPDATED", "FLAGS"]
    assert lines[1].split() == [ANN.id, "Ann", "1990-01-02", "2026-01-15", "favorite"]
    assert lines[2].split() == [HIDDEN.id, "(unnamed)", "-", "-", "hidden"]
    assert "\x1b" not in out.getvalue() and "Eve?[2J" in lines[3]
    assert all(line == line.rstrip() for line in lines)


def test_table_aligns_wide_characters() -> None:
    out = io.StringIO()
    Output(GlobalState(), out=out).table([Column("A"), Column("B")], [["日本語", "x"], ["ab", "y"]])
    lines = out.getvalue().splitlines()
    from rich.cells import cell_len

    assert cell_len(lines[1].split("x")[0]) == cell_len(lines[2].split("y")[0])


def test_person_record() -> None:
    out = io.StringIO()
    person_record(Output(GlobalState(), out=out), HIDDEN)
    assert out.getvalue().splitlines() == [
        f"ID:         {HIDDEN.id}",
        "Name:       (unnamed)",
        "Birth date: -",
        "Hidden:     yes",
        "Favorite:   -",
        "Color:      -",
        "Updated:    -",
        "Thumbnail:  (none)",
    ]


def test_progress_is_a_no_op_off_a_terminal() -> None:
    err = io.StringIO()
    with Output(GlobalState(), err=err).progress(3, "x") as advance:
        advance()
    assert err.getvalue() == ""


def _walk(command: click.Command, path: str = "immiche") -> list[tuple[str, click.Command]]:
    found = [(path, command)]
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            found += _walk(sub, f"{path} {name}")
    return found


def test_every_command_accepts_every_global_option_and_splits_its_help() -> None:
    from immiche.cli._options import GlobalOption, ImmicheCommand

    expected = {"--profile", "--server", "--api-key", "--json", "--insecure", "--ca-bundle", "--timeout"}
    expected |= {"--verbose", "--quiet", "--version"}
    commands = _walk(cli)
    assert len(commands) >= 15
    for path, command in commands:
        assert isinstance(command, (ImmicheCommand, ImmicheGroup)), path
        options = {opt for p in command.params if isinstance(p, GlobalOption) for opt in p.opts}
        assert expected <= options, (path, expected - options)
