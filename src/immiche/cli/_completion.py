"""``immiche completion bash|zsh|fish``: the shell completion script.

Setup (README):

- bash: ``eval "$(immiche completion bash)"`` in ``~/.bashrc``
- zsh: ``eval "$(immiche completion zsh)"`` in ``~/.zshrc``
- fish: ``immiche completion fish > ~/.config/fish/completions/immiche.fish``

The script calls ``immiche`` back with ``_IMMICHE_COMPLETE`` set; click answers with the
commands, options and profile names that match.
"""

from __future__ import annotations

import click

from immiche.cli._options import ImmicheCommand, global_options

__all__ = ["completion"]

SHELLS = ("bash", "zsh", "fish")


@click.command(cls=ImmicheCommand)
@click.argument("shell", type=click.Choice(SHELLS))
@global_options
def completion(shell: str) -> None:
    """Print the completion script for SHELL (bash, zsh or fish).

    \b
    bash:  eval "$(immiche completion bash)"    in ~/.bashrc
    zsh:   eval "$(immiche completion zsh)"     in ~/.zshrc
    fish:  immiche completion fish > ~/.config/fish/completions/immiche.fish

    With --json: {"shell", "script"}.
    """
    from click.shell_completion import get_completion_class

    from immiche.cli._output import output

    ctx = click.get_current_context()
    root = ctx.find_root()
    completer = get_completion_class(shell)
    assert completer is not None
    script = completer(root.command, {}, "immiche", "_IMMICHE_COMPLETE").source()
    out = output()
    if out.json:
        out.emit_json({"shell": shell, "script": script})
    else:
        out.line(script.rstrip("\n"))
