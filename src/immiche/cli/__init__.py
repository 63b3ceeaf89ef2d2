"""The ``immiche`` command-line tool (entry point ``immiche.cli:main``, also ``python -m immiche``).

Only click and the standard library are imported to build the command tree, so ``immiche
--help`` stays fast; the HTTP stack, the generated models and rich load inside the commands that
need them.

Modules: :mod:`._app` (the command tree and the entry point), :mod:`._options` (the global
options, accepted before and after the subcommand), :mod:`._connect` (credentials and clients),
:mod:`._errors` (errors and exit codes), :mod:`._output` (JSON, tables, progress, redaction), and
one module per command family: :mod:`._auth`, :mod:`._profiles`, :mod:`._people`,
:mod:`._server`, :mod:`._completion`.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    from immiche.cli._app import cli

    return cli.main(argv, prog_name="immiche", standalone_mode=False)  # type: ignore[no-any-return]
