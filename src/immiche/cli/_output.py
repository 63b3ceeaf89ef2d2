"""Everything the CLI writes: JSON, tables, records, messages and progress bars.

Rules:

- stdout carries the result only: a table or record for humans, or, with ``--json``, exactly one
  JSON document. Notes, warnings, errors, progress and the request log go to stderr.
- Every write passes through :func:`redact`, which replaces each credential the invocation knows
  (API key, token, password) with ``[redacted]``: a defence in depth, as immiche never puts a
  credential in a message in the first place.
- Every write also passes through :func:`scrub_urls`: a URL's ``user:password@`` and its query
  parameters named like credentials (``apiKey``, ``token``...) are replaced; error lines drop a
  URL's whole query.
- Text from the server (names...) is shown with control characters, line and paragraph separators
  (U+2028, U+2029) and bidirectional controls (U+200E/F, U+202A-U+202E, U+2066-U+2069, U+061C)
  replaced by ``?``, so a name cannot rewrite the terminal, split a table row or reverse the text
  around it. JSON output keeps names as they are.
- ``NO_COLOR`` (any value) turns off every style and escape sequence: no bold, no colour, and no
  animated progress bar.
- rich is imported only to draw tables and progress bars.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TextIO

import click

from immiche.cli._options import GlobalState, state

__all__ = [
    "REDACTED",
    "Column",
    "Output",
    "clean",
    "dumps_json",
    "no_color",
    "output",
    "redact",
    "scrub_urls",
    "silence_stdout",
    "stdout_error",
    "terminal_width",
    "write_stdout",
]

REDACTED = "[redacted]"
#: Separators and bidirectional controls: harmless to a terminal's state, but they break lines or
#: reorder what is shown around them.
UNSAFE_FORMAT_CHARACTERS = (0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_CONTROL = dict.fromkeys((*range(0x20), *range(0x7F, 0xA0), *UNSAFE_FORMAT_CHARACTERS), "?")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"<>]*@")
_SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:api[-_]?key|key|session[-_]?key|token|access[-_]?token|password|secret)=)[^&;#\s'\"<>]*"
)
_QUERY = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^\s?#'\"<>]*)\?[^\s#'\"<>]*")


def scrub_urls(text: str, *, queries: bool = False) -> str:
    """``text`` with URLs' ``user:password@`` and credential-like query values replaced by ``[redacted]``;
    with ``queries``, every URL's whole query."""
    if "://" not in text:
        return text
    text = _USERINFO.sub(rf"\1{REDACTED}@", text)
    if queries:
        return _QUERY.sub(rf"\1?{REDACTED}", text)
    return _SECRET_PARAM.sub(rf"\1{REDACTED}", text)


def no_color() -> bool:
    """Whether ``NO_COLOR`` is set (https://no-color.org: any value, even empty, per this CLI)."""
    return "NO_COLOR" in os.environ


_JSON_ESCAPES = {code: f"\\u{code:04x}" for code in (*range(0x7F, 0xA0), 0x2028, 0x2029)}


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret replaced by ``[redacted]`` (secrets longest first)."""
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, REDACTED)
    return text


def clean(text: str) -> str:
    """Text from the server, safe to print on a terminal: control characters, line separators and
    bidirectional controls become ``?``."""
    return text.translate(_CONTROL)


def dumps_json(value: Any) -> str:
    """Indented JSON, UTF-8 as is, with DEL and C1 control characters (and U+2028/9) escaped."""
    import json

    return json.dumps(value, indent=2, ensure_ascii=False).translate(_JSON_ESCAPES)


class Output:
    """Writes to stdout and stderr for one invocation, honouring ``--json`` and ``--quiet``."""

    def __init__(self, options: GlobalState, *, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.options = options
        self._out = out
        self._err = err

    @property
    def out(self) -> TextIO:
        return self._out or sys.stdout

    @property
    def err(self) -> TextIO:
        return self._err or sys.stderr

    @property
    def json(self) -> bool:
        return self.options.json

    def _write(self, stream: TextIO, text: str) -> None:
        try:
            stream.write(scrub_urls(redact(text, self.options.secrets)))
            stream.flush()
        except BrokenPipeError:
            raise
        except OSError as err:
            if stream is not self.out:
                raise
            raise stdout_error(err) from None

    # -- stdout --

    def line(self, text: str = "") -> None:
        """One line of human output on stdout."""
        self._write(self.out, text + "\n")

    def emit_json(self, value: Any) -> None:
        """The JSON document of the command on stdout."""
        self._write(self.out, dumps_json(value) + "\n")

    def record(self, rows: Sequence[tuple[str, str | None]]) -> None:
        """A record as aligned ``Label: value`` lines (``None`` values are left out)."""
        shown = [(label, value) for label, value in rows if value is not None]
        width = max((len(label) for label, _ in shown), default=0) + 1
        self._write(self.out, "".join(f"{label + ':':<{width}} {value}\n" for label, value in shown))

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> None:
        """An aligned table that fits the terminal (or is as wide as needed when not a terminal)."""
        from rich import box
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        terminal = self.out.isatty()
        console = Console(
            file=self.out,
            width=None if terminal else 100_000,
            force_terminal=terminal,
            no_color=not terminal or no_color(),
            color_system="auto" if terminal and not no_color() else None,  # None: no style, no escape
            highlight=False,
            emoji=False,
            markup=False,
        )
        table = Table(box=box.SIMPLE_HEAD if terminal else None, show_edge=False, pad_edge=False, expand=False)
        for column in columns:
            table.add_column(
                column.title,
                no_wrap=column.no_wrap,
                overflow="ellipsis" if column.no_wrap else "fold",
                min_width=column.min_width,
                header_style="bold" if terminal and not no_color() else "",
            )
        for row in rows:
            table.add_row(*(Text(cell) for cell in row))
        with console.capture() as captured:
            console.print(table)
        text = "\n".join(line.rstrip() for line in captured.get().splitlines())
        self._write(self.out, text + "\n")

    # -- stderr --

    def note(self, text: str) -> None:
        """An informational message on stderr (not with ``--quiet``)."""
        if not self.options.quiet:
            self._write(self.err, text + "\n")

    def message(self, text: str) -> None:
        """A message on stderr, even with ``--quiet``."""
        self._write(self.err, text + "\n")

    def warn(self, text: str) -> None:
        """``warning: ...`` on stderr, even with ``--quiet``."""
        self._write(self.err, f"warning: {text}\n")

    def error(self, message: str, hint: str | None = None) -> None:
        """``error: ...`` (and ``hint: ...``) on stderr."""
        from immiche.cli._errors import one_line

        text = f"error: {scrub_urls(one_line(message), queries=True)}\n"
        if hint:
            text += f"hint: {scrub_urls(one_line(hint), queries=True)}\n"
        self._write(self.err, text)

    def verbose(self, text: str) -> None:
        """A line of the ``--verbose`` log on stderr."""
        if self.options.verbose:
            self._write(self.err, f"immiche: {text}\n")

    # -- progress --

    @contextmanager
    def progress(self, total: int, description: str) -> Iterator[Any]:
        """A progress bar on stderr when it is a terminal (and not ``--quiet``); yields ``advance()``."""
        if self.options.quiet or total == 0 or not self.err.isatty() or no_color():
            yield lambda: None
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        console = Console(file=self.err, highlight=False, markup=False, emoji=False)
        with Progress(
            TextColumn(description),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(description, total=total)
            yield lambda: bar.advance(task)


def silence_stdout() -> None:
    """Point stdout at /dev/null once it failed (closed pipe, full disk): the interpreter's final
    flush of what is still buffered then succeeds quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # pragma: no cover
        pass


def stdout_error(err: OSError) -> Exception:
    """The error for a standard output that cannot be written (``> /dev/full``); stdout is silenced."""
    from immiche.cli._errors import CliError

    silence_stdout()
    return CliError(f"cannot write to standard output: {err.strerror or type(err).__name__}")


def write_stdout(text: str) -> None:
    """Write to stdout outside a command's :class:`Output` (``--version``), with its error handling."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as err:
        raise stdout_error(err) from None


class Column:
    """A table column: its title and how it behaves when the terminal is narrow."""

    __slots__ = ("min_width", "no_wrap", "title")

    def __init__(self, title: str, *, no_wrap: bool = True, min_width: int | None = None) -> None:
        self.title = title
        self.no_wrap = no_wrap
        self.min_width = min_width


def output(ctx: click.Context | None = None) -> Output:
    """The :class:`Output` of the current invocation."""
    return Output(state(ctx))


def terminal_width() -> int:
    """The terminal's width in columns (80 when unknown)."""
    import shutil

    return shutil.get_terminal_size().columns
