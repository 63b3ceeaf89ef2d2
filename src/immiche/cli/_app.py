"""The command tree and its top level: error reporting, exit codes, warnings.

Importing this module imports click and the command modules, which import nothing but click and
the standard library at module level: the facade, httpx, the generated client and rich load
inside the commands. ``immiche --help`` therefore never loads them (tests/cli checks it).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from immiche.cli._auth import login, logout, whoami
from immiche.cli._completion import completion
from immiche.cli._errors import (
    EXIT_CLOSED_STDOUT,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_USAGE,
    Terminated,
    describe,
    exit_code_for,
    one_line,
)
from immiche.cli._options import GlobalState, ImmicheCommand, ImmicheGroup, global_options
from immiche.cli._people import people
from immiche.cli._profiles import profile
from immiche.cli._server import server

__all__ = ["cli"]

_EPILOG = """\b
Environment:
  IMMICH_INSTANCE_URL, IMMICH_API_KEY  a server and key to use, not a profile
  IMMICH_PROFILE                       the profile to use
  IMMICH_CONFIG_DIR                    where profiles are stored
Exit codes: 0 ok, 1 error, 2 usage, 3 authentication or not logged in,
  4 not found, 5 server or network, 130 interrupted (Ctrl-C), 141 standard output
  closed (e.g. '| head': nothing more is printed), 143 terminated (SIGTERM)."""


class _TerminatedExit(Exception):
    """Carries SIGTERM past click, which turns a KeyboardInterrupt into Abort after printing an empty line."""


class _ClosedStdout(Exception):
    """Carries a closed stdout (EPIPE) past click, which would exit 1 for it."""


class RootGroup(ImmicheGroup):
    """The ``immiche`` group: runs the invocation and turns every failure into a message and a code."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:  # parsing runs --help and --version, which print
            return super().make_context(info_name, args, parent, **extra)
        except BrokenPipeError:
            raise _ClosedStdout from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Terminated:
            raise _TerminatedExit from None
        except BrokenPipeError:
            raise _ClosedStdout from None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        options = extra.setdefault("obj", GlobalState())
        options.argv = list(args) if args is not None else sys.argv[1:]
        code = self._run(
            options,
            args=args,
            prog_name=prog_name or "immiche",
            complete_var=complete_var,
            windows_expand_args=windows_expand_args,
            extra=extra,
        )
        if standalone_mode:
            sys.exit(code)
        return code

    def _run(
        self,
        options: GlobalState,
        *,
        args: Sequence[str] | None,
        prog_name: str,
        complete_var: str | None,
        windows_expand_args: bool,
        extra: dict[str, Any],
    ) -> int:
        from immiche.cli._output import Output

        out = Output(options)
        restore = _route_warnings(out)
        restore_signals = _terminate_like_interrupt()
        try:
            result = super().main(
                args,
                prog_name,
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
            return result if isinstance(result, int) else EXIT_OK
        except click.exceptions.NoArgsIsHelpError as err:
            out.message(err.format_message())
            return EXIT_USAGE
        except click.UsageError as err:
            command = err.ctx.command_path if err.ctx is not None else prog_name
            out.error(err.format_message(), f"see '{command} --help'")
            return EXIT_USAGE
        except click.ClickException as err:
            out.error(err.format_message())
            return err.exit_code
        except (_TerminatedExit, Terminated):
            out.message("error: terminated")
            return EXIT_TERMINATED
        except (click.Abort, KeyboardInterrupt) as err:
            if isinstance(err.__cause__, Terminated):
                out.message("error: terminated")
                return EXIT_TERMINATED
            out.message("error: interrupted")
            return EXIT_INTERRUPTED
        except (BrokenPipeError, _ClosedStdout):  # the reader of stdout went away (| head): stop quietly
            return _closed_stdout()
        except Exception as err:
            if isinstance(err, OSError) and _stdout_failed(err):  # click's own output (help) to a full disk
                from immiche.cli._output import stdout_error

                out.error(describe(stdout_error(err))[0])
                return EXIT_ERROR
            if options.verbose:
                import traceback

                out.message("".join(traceback.format_exception(type(err), err, err.__traceback__)).rstrip())
            message, hint = describe(err)
            out.error(message, hint)
            return exit_code_for(err)
        finally:
            restore_signals()
            restore()


def _terminate_like_interrupt() -> Any:
    """Make SIGTERM (``timeout``, ``kill``, a service manager) take Ctrl-C's path: the command
    unwinds, cleans up (temporary files, connections) and exits 143 with one line on stderr."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():  # in-process callers in threads
        return lambda: None

    def terminate(signum: int, frame: Any) -> None:
        raise Terminated

    try:
        previous = signal.signal(signal.SIGTERM, terminate)
    except (ValueError, OSError):  # pragma: no cover (no signals here)
        return lambda: None

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def _closed_stdout() -> int:
    from immiche.cli._output import silence_stdout

    silence_stdout()
    return EXIT_CLOSED_STDOUT


def _stdout_failed(err: OSError) -> bool:
    """Whether ``err`` (an OSError no immiche code wrapped) is standard output failing: click printing
    help to a full disk. immiche's own file and session writes raise immiche errors, never raw ones."""
    import errno

    if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return True
    try:
        sys.stdout.flush()
    except OSError:
        return True
    except (ValueError, AttributeError):  # pragma: no cover (closed or missing)
        return False
    return False


def _route_warnings(out: Any) -> Any:
    """Show Python warnings (insecure session file, untested server...) as ``warning: ...`` lines."""
    import warnings

    previous = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        out.warn(one_line(str(message)))

    warnings.showwarning = show

    def restore() -> None:
        warnings.showwarning = previous

    return restore


@click.group("immiche", cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]}, epilog=_EPILOG)
@global_options
def cli() -> None:
    """immiche: work with the people of an Immich server.

    \b
    Log in once, then list, search and show people and download thumbnails:
      immiche login --server https://photos.example.com --api-key-stdin < key.txt
      immiche people search Ann
      immiche people thumbnails --all -o thumbs
      immiche people list --json | jq -r '.[].name'

    Global options work before and after the command: 'immiche --json people list' and
    'immiche people list --json' are the same.
    """


cli.add_command(login)
cli.add_command(logout)
cli.add_command(whoami)
cli.add_command(
    ImmicheCommand(
        "status",
        callback=whoami.callback,
        params=whoami.params,
        help="Same as 'whoami'.",
        short_help="Same as 'whoami'.",
    )
)
cli.add_command(profile)
cli.add_command(people)
cli.add_command(server)
cli.add_command(completion)
