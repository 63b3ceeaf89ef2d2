"""Profiles printed under a table when a budget is missed: they show where the time goes.

- :func:`importtime`: ``python -X importtime`` of a fresh process, summarised (the start-up cost
  is almost all imports);
- :func:`cprofile`: ``cProfile`` of a callable in this process, top functions by own time.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

_LINE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def importtime(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None, top: int = 10, label: str = ""
) -> list[str]:
    """Where a fresh ``python ARGV`` spends its import time: top-level packages and heaviest modules.

    ``argv`` starts with the Python executable; ``-X importtime`` is inserted after it.
    """
    done = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]],
        capture_output=True,
        text=True,
        env=dict(env) if env is not None else None,
        timeout=120,
        check=False,
    )
    entries: list[tuple[int, int, int, str]] = []  # self us, cumulative us, depth, module
    for line in done.stderr.splitlines():
        match = _LINE.match(line)
        if match:
            entries.append((int(match[1]), int(match[2]), len(match[3]) // 2, match[4]))
    if not entries:
        return [f"(no -X importtime output for {label or ' '.join(argv)}: {done.stderr.strip()[-200:]})"]
    total = sum(own for own, _, _, _ in entries)
    roots = sorted((e for e in entries if e[2] == 0), key=lambda e: -e[1])[:top]
    heaviest = sorted(entries, key=lambda e: -e[0])[:top]
    return [
        f"Profile (python -X importtime) of `{label or ' '.join(argv[1:])}`: {len(entries)} modules, "
        f"{total / 1000:.1f} ms of imports in all.",
        "  top-level imports by cumulative time: "
        + ", ".join(f"{name} {cum / 1000:.1f} ms" for _, cum, _, name in roots),
        "  modules by own time: " + ", ".join(f"{name} {own / 1000:.1f} ms" for own, _, _, name in heaviest),
    ]


def _where(filename: str) -> str:
    """A short location: ``immiche/_core.py``, ``httpx/_client.py``, ``~`` for built-ins."""
    if filename == "~":
        return ""
    parts = Path(filename).parts
    for anchor in ("site-packages", "src", "generated"):
        if anchor in parts:
            return "/".join(parts[parts.index(anchor) + 1 :])
    return Path(filename).name


def cprofile(function: Callable[[], object], *, top: int = 12, label: str = "") -> list[str]:
    """cProfile of one call of ``function``: the top functions by own time, with cumulative times."""
    profile = cProfile.Profile()
    profile.enable()
    try:
        function()
    finally:
        profile.disable()
    return _summary(pstats.Stats(profile, stream=io.StringIO()), top=top, label=label)


def cprofile_process(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None, top: int = 12, label: str = ""
) -> list[str]:
    """cProfile of a fresh ``python SCRIPT ARGS`` (``argv[0]`` is the Python, ``argv[1]`` the script)."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "profile.out"
        done = subprocess.run(
            [argv[0], "-m", "cProfile", "-o", str(output), *argv[1:]],
            capture_output=True,
            text=True,
            env=dict(env) if env is not None else None,
            timeout=120,
            check=False,
        )
        if not output.exists():
            return [f"(cProfile of {label} failed: {done.stderr.strip()[-200:]})"]
        return _summary(pstats.Stats(str(output), stream=io.StringIO()), top=top, label=label)


def _summary(stats: pstats.Stats, *, top: int, label: str) -> list[str]:
    raw: dict[tuple[str, int, str], tuple[int, int, float, float, object]] = stats.stats  # type: ignore[attr-defined]
    rows = sorted(raw.items(), key=lambda item: -item[1][2])[:top]
    total = stats.total_tt  # type: ignore[attr-defined]
    lines = [f"Profile (cProfile, {total * 1000:.1f} ms under the profiler) of {label}, top {top} by own time:"]
    lines.append("  own ms | cumulative ms | calls | function")
    for (filename, lineno, name), (_, calls, own, cumulative, _) in rows:
        where = _where(filename)
        place = f"{where}:{lineno}({name})" if where else name
        lines.append(f"  {own * 1000:6.1f} | {cumulative * 1000:13.1f} | {calls:5d} | {place}")
    return lines


def python_of(script: str) -> str:
    """The interpreter a console script runs with (its ``#!`` line), else this one."""
    try:
        first = Path(script).read_text(errors="replace").splitlines()[0]
    except (OSError, IndexError):
        return sys.executable
    return first[2:].strip() if first.startswith("#!") and "python" in first else sys.executable
