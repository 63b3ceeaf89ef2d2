"""Start-up: wall time and peak RSS of fresh processes (imports, ``--help``, one ``people list``).

Each command runs once to warm the disk cache and the bytecode, then ``runs`` times, the commands
interleaved round-robin so that a noisy moment hits them all alike. Wall time is fork to exit as
seen by the parent; peak RSS is ``ru_maxrss`` of that one child (``os.wait4``).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench import _others
from bench._context import Context
from bench._fake import FakeServerProcess
from bench._harness import ERROR, FAILED, GNU_TIME, MB, OK, RSS, SECONDS, SKIPPED, Budget, Row, Table, run_process, tail
from bench._profile import cprofile_process, importtime, python_of

NAME = "startup"

IMPORT_WALL, IMPORT_RSS, HELP_WALL, LIST_WALL = 0.15, 30 * MB, 0.08, 0.30

IMPORT_BUDGET = Budget(
    f"<= {IMPORT_WALL} s, <= {IMPORT_RSS // MB} MB",
    lambda row, table: row.median("wall") <= IMPORT_WALL and row.median("rss") <= IMPORT_RSS,
)
HELP_BUDGET = Budget(f"<= {HELP_WALL} s", lambda row, table: row.median("wall") <= HELP_WALL)
LIST_BUDGET = Budget(f"<= {LIST_WALL} s", lambda row, table: row.median("wall") <= LIST_WALL)


@dataclass
class Command:
    row: Row
    argv: list[str]
    env: dict[str, str] | None = None
    check: str = ""
    """``json-list``: stdout must be a non-empty JSON array; else only the exit status counts."""
    python_argv: list[str] = field(default_factory=list)
    """How to profile it with Python (empty for non-Python commands)."""
    # The row is a FAILED finding rather than an ERROR when it is not immiche's own command.
    ours: bool = True


def _check(command: Command, stdout: str) -> str | None:
    if command.check == "json-list":
        try:
            value = json.loads(stdout)
        except ValueError:
            return f"stdout is not JSON: {stdout[:120]!r}"
        if not isinstance(value, list) or not value:
            return f"expected a non-empty JSON array, got {stdout[:120]!r}"
    return None


def run(ctx: Context) -> Table:
    python = ctx.python
    table = Table(
        NAME,
        "Start-up: fresh processes, wall time and peak RSS",
        [
            f"{ctx.mode}. Median of {ctx.sizes.startup_runs} runs after one warm-up, commands interleaved. "
            "Wall = start to exit, as the parent sees it; peak RSS = GNU time's %M for that process "
            "(not os.wait4: Linux carries the parent's peak RSS into a child's ru_maxrss). "
            "Baseline: `python -c 'import httpx'` in the same venv; `python -c pass` is the interpreter's floor.",
            "`immiche people list --json` talks to a fake Immich server (FakeImmichServer, the sample people) "
            "running in a separate process (bench/_fake.py), with IMMICH_INSTANCE_URL/IMMICH_API_KEY set and an "
            "empty config directory. MB = 10^6 bytes.",
        ],
        [SECONDS, RSS],
    )
    if not os.access(GNU_TIME, os.X_OK):
        table.caption.append(f"{GNU_TIME} is missing (Debian package `time`): no peak RSS, so RSS budgets MISS.")
    script = ctx.immiche_script
    script_python = python_of(script)
    commands = [
        Command(table.row("python -c pass"), [python, "-c", "pass"]),
        Command(table.row("python -c 'import httpx'", baseline=True), [python, "-c", "import httpx"]),
        Command(
            table.row("python -c 'import immiche'", budget=IMPORT_BUDGET),
            [python, "-c", "import immiche"],
            python_argv=[python, "-c", "import immiche"],
        ),
        Command(
            table.row("python -c 'import immich_client.api.people.get_all_people'", budget=IMPORT_BUDGET),
            [python, "-c", "import immich_client.api.people.get_all_people"],
            python_argv=[python, "-c", "import immich_client.api.people.get_all_people"],
        ),
        Command(
            table.row("immiche --help", budget=HELP_BUDGET),
            [script, "--help"],
            python_argv=[script_python, script, "--help"],
        ),
    ]
    list_row = table.row("immiche people list --json (fake server)", budget=LIST_BUDGET)
    immichpy = _others.python_client_script(ctx, "immichpy")
    immichpy_row = table.row(f"immichpy --help ({immichpy.version or 'immichpy'})")
    node = _others.node_cli(ctx)
    node_row = table.row(f"immich --help (Node CLI{', ' + node.version if node.version else ''})")

    with tempfile.TemporaryDirectory() as config, FakeServerProcess() as server:
        env = ctx.isolated_env(Path(config), IMMICH_INSTANCE_URL=server.url, IMMICH_API_KEY=server.api_key)
        commands.append(
            Command(
                list_row,
                [script, "people", "list", "--json"],
                env=env,
                check="json-list",
                python_argv=[script_python, script, "people", "list", "--json"],
            )
        )
        for installed, row in ((immichpy, immichpy_row), (node, node_row)):
            if installed.path is None:
                row.fail(SKIPPED, f"not installed: {installed.reason}")
            else:
                commands.append(Command(row, [str(installed.path), "--help"], ours=False))

        for round_ in range(ctx.sizes.startup_runs + 1):
            for command in commands:
                if command.row.status != OK:
                    continue
                done = run_process(command.argv, env=command.env)
                problem = (
                    f"exit status {done.returncode}: {tail(done.stderr or done.stdout)}" if done.returncode else None
                ) or _check(command, done.stdout)
                if problem is not None:
                    command.row.fail(ERROR if command.ours else FAILED, problem)
                    continue
                if round_ > 0:  # round 0 is the warm-up
                    command.row.add("wall", done.wall)
                    if done.max_rss is not None:
                        command.row.add("rss", done.max_rss)

        for command in commands:
            if ctx.wants_profile(table.result(command.row)) and command.python_argv:
                label = command.row.name
                table.after += importtime(command.python_argv, env=command.env, label=label)
                if command.check:  # more than imports: where the rest of the time goes
                    table.after += cprofile_process(command.python_argv, env=command.env, label=label)
    return table
