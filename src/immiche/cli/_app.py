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
from immiche.cli._errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, describe, exit_code_for, one_line
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
  4 not found, 5 server or network, 130 interrupted."""


class RootGroup(ImmicheGroup):
    """The ``immiche`` group: runs the invocation and turns every failure into a message and a code."""

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
        except (click.Abort, KeyboardInterrupt):
            out.message("error: interrupted")
            return EXIT_INTERRUPTED
        except BrokenPipeError:
            _silence_stdout()
            return 1
        except Exception as err:
            if options.verbose:
                import traceback

                out.message("".join(traceback.format_exception(type(err), err, err.__traceback__)).rstrip())
            message, hint = describe(err)
            out.error(message, hint)
            return exit_code_for(err)
        finally:
            restore()


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the interpreter's final flush is quiet."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover
        pass


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
