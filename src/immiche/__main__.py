"""``python -m immiche``: the ``immiche`` command-line tool."""

from __future__ import annotations

from immiche.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
