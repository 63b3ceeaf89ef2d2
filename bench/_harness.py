"""The harness: samples, statistics, budgets, fresh-process measurements and the plain-text tables.

A benchmark builds one :class:`Table`: its rows collect samples per metric (several runs), one row
is the baseline measured in the same run, and rows with a :class:`Budget` get PASS or MISS. The
tables print as Markdown pipe tables, readable in a terminal and pasted as is into RESULTS.md.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

MB = 1_000_000
"""Budgets in MB are decimal megabytes (10**6 bytes), the strict reading."""

ROOT = Path(__file__).resolve().parent.parent

# Row statuses. Only ERROR (immiche or a baseline failed) makes `python -m bench` exit non-zero.
OK, ERROR, FAILED, SKIPPED = "ok", "ERROR", "FAILED", "not installed"


@dataclass(frozen=True)
class Metric:
    """One measured quantity: samples are stored in base units (seconds, bytes, counts)."""

    key: str
    label: str
    unit: str
    scale: float = 1.0
    """Displayed value = stored value / scale (e.g. 1e6 to show bytes as MB)."""
    digits: int = 3
    compare: str = "ratio"
    """How rows compare to the baseline: ``ratio`` (x base), ``speedup`` (base / row), ``delta`` (row - base), ``none``."""

    def show(self, value: float) -> str:
        return f"{value / self.scale:.{self.digits}f}"


SECONDS = Metric("wall", "wall s", "s")
MILLISECONDS = Metric("wall", "wall ms", "ms", scale=1e-3, digits=1)
RSS = Metric("rss", "peak RSS MB", "MB", scale=MB, digits=1)


@dataclass
class Row:
    name: str
    values: dict[str, list[float]] = field(default_factory=dict)
    baseline: bool = False
    budget: Budget | None = None
    note: str = ""
    status: str = OK
    reason: str = ""

    def add(self, key: str, value: float) -> None:
        self.values.setdefault(key, []).append(value)

    def median(self, key: str) -> float:
        return statistics.median(self.values[key])

    def has(self, key: str) -> bool:
        return bool(self.values.get(key))

    def fail(self, status: str, reason: str) -> None:
        """Mark the row as not measured (ERROR, FAILED or not installed), keeping the first reason."""
        if self.status == OK:
            self.status, self.reason = status, reason


@dataclass(frozen=True)
class Budget:
    """A promise from the issue: ``check(row, table)`` is true when the row keeps it."""

    text: str
    check: Callable[[Row, Table], bool]


@dataclass
class Table:
    name: str
    title: str
    caption: list[str]
    metrics: list[Metric]
    rows: list[Row] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    """Lines printed under the table: derived numbers, and the profiles of any MISS."""

    def row(self, name: str, **options: object) -> Row:
        row = Row(name, **options)  # type: ignore[arg-type]
        self.rows.append(row)
        return row

    def find(self, name: str) -> Row:
        return next(row for row in self.rows if row.name == name)

    @property
    def baseline(self) -> Row | None:
        return next((row for row in self.rows if row.baseline and row.status == OK), None)

    def result(self, row: Row) -> str:
        if row.status != OK:
            return row.status
        if row.budget is None:
            return "-"
        try:
            return "PASS" if row.budget.check(row, self) else "MISS"
        except (KeyError, StopIteration, ZeroDivisionError, statistics.StatisticsError):
            return "MISS"  # a number the budget needs is missing

    def results(self) -> list[tuple[Row, str]]:
        return [(row, self.result(row)) for row in self.rows]

    def _compare(self, metric: Metric, row: Row) -> str:
        base = self.baseline
        if metric.compare == "none" or base is None or not base.has(metric.key) or not row.has(metric.key):
            return "-"
        mine, theirs = row.median(metric.key), base.median(metric.key)
        if metric.compare == "delta":
            return f"{(mine - theirs) / metric.scale:+.{metric.digits}f}"
        if metric.compare == "speedup":
            return f"{theirs / mine:.2f}x" if mine else "-"
        return f"{mine / theirs:.2f}x" if theirs else "-"

    def render(self) -> str:
        header = ["benchmark"]
        for metric in self.metrics:
            header += [f"{metric.label} median", "min", "max"]
            if metric.compare != "none":
                header.append(
                    {"ratio": "x base", "speedup": "speedup", "delta": f"delta {metric.unit}"}[metric.compare]
                )
        header += ["budget", "result"]
        lines = [f"### {self.title}", ""]
        lines += [f"> {text}" for text in self.caption]
        lines += ["", "| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        notes: list[str] = []
        for row, result in self.results():
            name = row.name + (" (baseline)" if row.baseline else "")
            reason = row.reason if row.status != OK else row.note
            if reason:
                notes.append(reason)
                name += f" [{len(notes)}]"
            cells = [name]
            for metric in self.metrics:
                if row.status == OK and row.has(metric.key):
                    samples = row.values[metric.key]
                    cells += [
                        metric.show(statistics.median(samples)),
                        metric.show(min(samples)),
                        metric.show(max(samples)),
                    ]
                else:
                    cells += ["-", "-", "-"]
                if metric.compare != "none":
                    cells.append(self._compare(metric, row) if row.status == OK else "-")
            cells += [row.budget.text if row.budget else "-", result]
            lines.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
        if notes:
            lines.append("")
            lines += [f"[{index}] {text}" for index, text in enumerate(notes, 1)]
        if self.after:
            lines.append("")
            lines += self.after
        return "\n".join(lines)


# -- fresh processes ------------------------------------------------------------------------------


GNU_TIME = "/usr/bin/time"


@dataclass(frozen=True)
class ProcessRun:
    wall: float
    max_rss: int | None
    """Peak resident set size of that one process, in bytes; None without GNU time."""
    returncode: int
    stdout: str
    stderr: str


def run_process(argv: Sequence[str], *, env: Mapping[str, str] | None = None, timeout: float = 120.0) -> ProcessRun:
    """Run ``argv`` as a fresh process: its wall time (start to exit) and its own peak RSS.

    The peak RSS comes from GNU time (``/usr/bin/time -f %M``), which forks the command from a
    process of about 2 MB. It cannot come from ``os.wait4`` here: Linux carries the forking
    process's peak RSS over ``fork``/``vfork`` and ``execve`` into the child's ``ru_maxrss``, so
    every command started from this (30 MB) process would read at least 30 MB. The wall time is
    the parent's clock around the whole run, GNU time's own start (about 1 ms) included.
    """
    with tempfile.TemporaryDirectory() as folder:
        rss_file = Path(folder) / "rss"
        command = list(argv)
        if os.access(GNU_TIME, os.X_OK):
            command = [GNU_TIME, "-f", "%M", "-o", str(rss_file), *command]
        with open(Path(folder) / "out", "w+b") as out, open(Path(folder) / "err", "w+b") as err:
            started = time.perf_counter()
            try:
                done = subprocess.run(
                    command, check=False, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, timeout=timeout
                )
                returncode = done.returncode
            except subprocess.TimeoutExpired:
                returncode = -9
            wall = time.perf_counter() - started
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        max_rss = None
        if rss_file.exists():
            last = rss_file.read_text().strip().splitlines()[-1:]  # after "Command exited with non-zero status N"
            if last and last[0].isdigit():
                max_rss = int(last[0]) * 1024  # KiB
    return ProcessRun(wall=wall, max_rss=max_rss, returncode=returncode, stdout=stdout, stderr=stderr)


def tail(text: str, limit: int = 300) -> str:
    """The last meaningful line(s) of an error output, on one line."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    joined = " / ".join(lines[-3:])
    return joined if len(joined) <= limit else "..." + joined[-limit:]


# -- the machine ----------------------------------------------------------------------------------


def machine() -> list[str]:
    """What the numbers were measured on: CPU, cores, Python, OS."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor() or cpu
    os_name = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = f"{line.split('=', 1)[1].strip(chr(34))}, Linux {platform.release()}"
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    import httpx

    import immiche

    return [
        f"CPU: {cpu}, {os.cpu_count()} cores ({usable} usable)",
        f"Python: {platform.python_implementation()} {platform.python_version()} ({sys.executable})",
        f"OS: {os_name}",
        f"immiche {immiche.__version__}, httpx {httpx.__version__}",
        f"date: {time.strftime('%Y-%m-%d %H:%M %Z')}",
    ]
