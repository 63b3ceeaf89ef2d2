"""Errors of the CLI and their exit codes: the one place an exception becomes a message and a code.

Exit codes (documented in README):

==== ================================================================================
0    success
1    error (anything not listed below: a corrupt session file, a file that cannot be
     written, a failed item of a bulk download of mixed failures...)
2    usage: a missing or wrong option or argument (also an invalid person id or URL,
     a person name several people share, invalid ``people apply`` rows, a destructive
     command without ``--yes`` when standard input is not a terminal)
3    authentication: not logged in, a wrong/revoked API key or token (401), or a
     credential lacking a permission (403)
4    not found: an unknown person (id or name) or profile
5    server or network: unreachable, timeout, TLS failure, 5xx, not an Immich server
130  interrupted (Ctrl-C)
141  standard output closed by its reader (``immiche people list | head -1``): the
     command stops without a message, like a Unix tool killed by SIGPIPE
143  terminated (SIGTERM, e.g. ``timeout 10 immiche ...``): cleaned up like Ctrl-C
==== ================================================================================

A full standard output (``> /dev/full``) is an error like any other (exit 1, one
``error: cannot write to standard output: ...`` line).

This module imports nothing heavy: it is used before the facade is loaded.
"""

from __future__ import annotations

import sys

__all__ = [
    "EXIT_AUTH",
    "EXIT_CLOSED_STDOUT",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_NETWORK",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "CliError",
    "Terminated",
    "describe",
    "exit_code_for",
    "one_line",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_NOT_FOUND = 4
EXIT_NETWORK = 5
EXIT_INTERRUPTED = 130
EXIT_CLOSED_STDOUT = 141
EXIT_TERMINATED = 143


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, as Ctrl-C raises :class:`KeyboardInterrupt`."""


class CliError(Exception):
    """An error found by the CLI itself, with its hint and exit code."""

    def __init__(self, message: str, *, hint: str | None = None, exit_code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.exit_code = exit_code


def exit_code_for(error: BaseException) -> int:
    """The exit code of an exception raised by immiche (or by the CLI)."""
    if isinstance(error, CliError):
        return error.exit_code
    if "immiche.errors" not in sys.modules:  # no immiche error can exist yet
        return EXIT_ERROR
    from immiche import errors as e

    if isinstance(error, e.NotLoggedInError):
        return EXIT_AUTH
    if isinstance(error, e.InvalidArgumentError):  # includes InvalidProfileNameError
        return EXIT_USAGE
    if isinstance(error, (e.AuthenticationError, e.PermissionDeniedError)):
        return EXIT_AUTH
    if isinstance(error, e.NotFoundError):
        return EXIT_NOT_FOUND
    if isinstance(
        error,
        (e.ImmichConnectionError, e.ServerError, e.RateLimitError, e.InvalidResponseError, e.UnexpectedRedirectError),
    ):
        return EXIT_NETWORK
    return EXIT_ERROR


#: Bidirectional controls (U+061C, U+200E/F, U+202A-U+202E, U+2066-U+2069): they reorder what a terminal shows.
_BIDI = frozenset((0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def one_line(text: str) -> str:
    """``text`` on one line: runs of white space (line breaks too) become one space; control
    characters and bidirectional controls ``?``."""
    out = []
    for ch in text:
        if ch in "\r\n\t\u2028\u2029":
            out.append(" ")
        elif ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F or ord(ch) in _BIDI:
            out.append("?")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def describe(error: BaseException) -> tuple[str, str | None]:
    """(message, hint) of an exception, for ``error: ...`` / ``hint: ...``."""
    if isinstance(error, CliError):
        return error.message, error.hint
    if "immiche.errors" in sys.modules:
        from immiche.errors import APIStatusError, ImmichError, correlation_suffix

        if isinstance(error, APIStatusError):
            return error.message + correlation_suffix(error.correlation_id), error.hint
        if isinstance(error, ImmichError):
            return error.message, error.hint
    text = str(error) or type(error).__name__
    return f"unexpected {type(error).__name__}: {text}", "run again with --verbose for details, and report the bug"
