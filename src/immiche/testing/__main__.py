"""``python -m immiche.testing``: run a fake Immich server in the foreground until Ctrl-C.

::

    python -m immiche.testing --port 2283 --people 1000 --version v2 --base-path /photos
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from immiche.testing._modes import GENERATIONS
from immiche.testing._server import FakeImmichServer

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m immiche.testing", description="Run a fake Immich server.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=2283, help="port (default 2283; 0 picks a free one)")
    parser.add_argument("--people", type=int, default=None, help="generate N people instead of the sample ones")
    parser.add_argument(
        "--version", default="3.0.0", help=f"Immich release to imitate: {', '.join(GENERATIONS)} (default 3.0.0)"
    )
    parser.add_argument("--base-path", default="", help="serve under a sub-path, e.g. /photos")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument("--seed", type=int, default=0, help="seed for ids, people and thumbnails")
    parser.add_argument("--asset-size", type=int, default=None, help="exact size in bytes of every photo's original")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until interrupted (SIGINT or SIGTERM); returns the exit status."""
    args = _parser().parse_args(argv)
    done = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        server = FakeImmichServer(
            version=args.version,
            people=args.people,
            seed=args.seed,
            latency=args.latency,
            asset_size=args.asset_size,
            base_path=args.base_path,
            host=args.host,
            port=args.port,
        ).start()
    except (OSError, ValueError) as error:
        print(f"cannot start the fake Immich server: {error}", file=sys.stderr)
        return 1
    try:
        user = server.user
        lines = [
            f"Fake Immich {server.version} server at {server.url}",
            f"  API root:  {server.api_url}",
            f"  login:     {user.email} / {user.password}",
            *(f"  API key ({name}): {key}" for name, key in server.api_keys.items()),
            f"  people:    {len(server.people)} listed",
            f"  photos:    {len(server.assets)} assets, {len(server.albums)} album(s)",
            "Press Ctrl-C to stop.",
        ]
        print("\n".join(lines), flush=True)
        while not done.wait(0.5):
            pass
    finally:
        server.stop()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
