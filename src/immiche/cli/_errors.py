"""Errors of the CLI and their exit codes: the one place an exception becomes a message and a code.

Exit codes (documented in README):

==== ================================================================================
0    success
1    error (anything not listed below: a corrupt session file, a file that cannot be
     written, a failed item of a bulk download of mixed failures...)
2    usage: a missing or wrong option or argument (also an invalid person id or URL)
3    authentication: not logged in, a wrong/revoked API key or token (401), or a
     credential lacking a permission (403)
4    not found: an unknown person or profile
5    server or network: unreachable, timeout, TLS failure, 5xx, not an Immich server
130  interrupted (Ctrl-C)
==== ================================================================================

This module imports nothing heavy: it is used before the facade is loaded.
"""

from __future__ import annotations

import sys

__all__ = [
    "EXIT_AUTH",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_NETWORK",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_USAGE",
    "CliError",
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
    if isinstance(error, e.InvalidArgumentError):  # includes InvalidProfileName
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


def one_line(text: str) -> str:
    """``text`` on one line: runs of white space (line breaks too) become one space, control characters ``?``."""
    out = []
    for ch in text:
        if ch in "\r\n\t":
            out.append(" ")
        elif ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F:
            out.append("?")
        else:
            out.append(ch)
    return " ".join("".join(out).split())


def describe(error: BaseException) -> tuple[str, str | None]:
    """(message, hint) of an exception, for ``error: ...`` / ``hint: ...``."""
    if isinstance(error, CliError):
        return error.message, error.hint
    if "immiche.errors" in sys.modules:
        from immiche.errors import APIStatusError, ImmichError

        if isinstance(error, APIStatusError) and error.correlation_id:
            return f"{error.message} [correlation id {error.correlation_id}]", error.hint
        if isinstance(error, ImmichError):
            return error.message, error.hint
    text = str(error) or type(error).__name__
    return f"unexpected {type(error).__name__}: {text}", "run again with --verbose for details, and report the bug"
