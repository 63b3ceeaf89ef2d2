"""``python -m bench [--quick] [--only NAME ...]``: run the benchmarks and print one table each.

Exits 1 when immiche or a baseline failed to run (an ERROR row) or a benchmark crashed; a MISS
(a budget not kept) is reported, not an exit status: the numbers are the product.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from bench._context import FULL, QUICK, Context, default_cache
from bench._harness import ERROR, Table, machine

BENCHMARKS = (
    "startup",
    "listing",
    "connections",
    "thumbnails",
    "streaming",
    "curation",
    "counts",
    "photos",
    "originals",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="smoke mode: tiny sizes, 1-2 runs, never installs the other clients"
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help=f"run only these benchmarks (repeat or comma-separate): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="where the other clients are installed (default bench/.cache)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="print the profile of every budgeted row, not only of a MISS"
    )
    parser.add_argument(
        "--no-install", action="store_true", help="use the other clients only if already installed in the cache"
    )
    return parser


def _selected(only: Sequence[str] | None, parser: argparse.ArgumentParser) -> list[str]:
    if not only:
        return list(BENCHMARKS)
    names = [name.strip() for item in only for name in item.split(",") if name.strip()]
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    return [name for name in BENCHMARKS if name in names]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    names = _selected(args.only, parser)
    ctx = Context(
        quick=args.quick,
        sizes=QUICK if args.quick else FULL,
        cache=(args.cache_dir or default_cache()).resolve(),
        install=not (args.quick or args.no_install),
        profile=args.profile,
    )
    print("# immiche benchmarks\n")
    print("\n".join(f"- {line}" for line in machine()))
    print(f"- mode: {ctx.mode}\n", flush=True)
    failed: list[str] = []
    summary: list[str] = []
    for name in names:
        started = time.perf_counter()
        try:
            table: Table = importlib.import_module(f"bench.{name}").run(ctx)
        except Exception:
            failed.append(name)
            print(f"### {name}: the benchmark crashed\n\n```\n{traceback.format_exc()}```\n", flush=True)
            continue
        print(table.render(), flush=True)
        print(f"\n({name}: {time.perf_counter() - started:.1f} s)\n", flush=True)
        for row, result in table.results():
            if result in ("PASS", "MISS", ERROR):
                summary.append(f"- {name}: {row.name}: {result}" + (f" ({row.budget.text})" if row.budget else ""))
            if result == ERROR:
                failed.append(f"{name}: {row.name}")
    print("## Budgets\n")
    print("\n".join(summary) if summary else "(no budgets in the selected benchmarks)")
    if failed:
        print(f"\nbench failed: {'; '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
