"""`make demo`: the immiche CLI and library at work against the embedded fake Immich server.

Starts a FakeImmichServer with sample people on 127.0.0.1, logs in to a throwaway profile in a
temporary config directory (never your real ~/.config/immich), lists, searches and shows people,
downloads thumbnails into ./demo-output/ with both the CLI and the library, and stops the server.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import immiche
from immiche.testing import FakeImmichServer


def banner(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m" if sys.stdout.isatty() else f"\n== {text}", flush=True)


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    """Run `immiche ARGS` as a user would, echoing the command and its output."""
    print(f"$ immiche {shlex.join(args)}" + (" <<< (from stdin)" if stdin else ""), flush=True)
    result = subprocess.run(
        [sys.executable, "-m", "immiche", *args], input=stdin, capture_output=True, text=True, env=env, check=False
    )
    sys.stdout.write(result.stdout)
    sys.stdout.write(result.stderr)
    if result.returncode != 0:
        raise SystemExit(f"demo: 'immiche {shlex.join(args)}' failed with exit code {result.returncode}")
    return result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", type=Path, default=Path("demo-output"), help="where thumbnails go")
    args = parser.parse_args()
    output = args.output.resolve()

    with FakeImmichServer() as server, tempfile.TemporaryDirectory(prefix="immiche-demo-") as config:
        env = {**os.environ, "IMMICH_CONFIG_DIR": config, "NO_COLOR": "1"}
        for name in ("IMMICH_INSTANCE_URL", "IMMICH_API_KEY", "IMMICH_PROFILE"):
            env.pop(name, None)
        banner(f"A fake Immich server is running at {server.url} (sample library, Immich v3.0.0)")

        banner("CLI: log in to a throwaway profile (the key comes from stdin, not the command line)")
        cli(env, "login", "--server", server.url, "--api-key-stdin", "--profile", "demo", stdin=server.api_key)
        cli(env, "whoami")
        banner("CLI: list, search and show people")
        cli(env, "people", "list", "--with-hidden")
        first_name = next(p.name for p in server.people if p.name).split()[0]
        cli(env, "people", "search", first_name)
        person = next(p for p in server.people if p.name and p.has_thumbnail)
        cli(env, "people", "show", person.id)
        cli(env, "people", "list", "--limit", "3", "--json")
        banner("CLI: download every thumbnail")
        cli(env, "people", "thumbnails", "--all", "-o", str(output / "cli"))

        banner("Library: the same with immiche.Client")
        print(">>> with immiche.Client(url, api_key=key) as client:")
        with immiche.Client(server.url, api_key=server.api_key) as client:
            people = client.fetch_people(with_hidden=True)
            print(f"...     fetch_people(): total={people.total} visible={people.visible} hidden={people.hidden}")
            found = client.search_person(first_name)
            print(f"...     search_person({first_name!r}): {[p.display_name for p in found]}")
            path = client.download_thumbnail(person.id, output / "library" / f"{person.id}.jpg")
            print(f"...     download_thumbnail(...): {path} ({path.stat().st_size} bytes)")
            from immich_client.api.server import get_about_info

            about = get_about_info.sync(client=client.low_level)
            print(f"...     low level, get_about_info: Immich {about.version if about else '?'}")

        cli(env, "logout")

    banner("Done")
    files = sorted(output.rglob("*.jpg"))
    print(f"{len(files)} thumbnails are in {output}/ (cli/ and library/); the fake server is stopped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
