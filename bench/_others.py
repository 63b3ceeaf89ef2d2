"""The other clients, bench-only, installed under bench/.cache so the dev venv stays clean.

- ``venv-others``: a virtual environment with the other Python Immich clients from PyPI
  (``immichpy`` with its CLI extra, ``aioimmich``), pinned to the versions measured in RESULTS.md.
- ``node``: the official Node CLI (npm ``@immich/cli``).

A client that is not there (``--quick`` never installs; a failed install) gives a row
``not installed: ...`` in the tables, never a failure of the bench.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench._context import Context
from bench._harness import tail

PYTHON_CLIENTS = ("immichpy[cli]==9.2.4", "aioimmich==0.18.0")
NODE_CLI = "@immich/cli"


@dataclass(frozen=True)
class Installed:
    path: Path | None
    """The executable (a Python, or the ``immich`` script), or None when not installed."""
    reason: str = ""
    version: str = ""


def _venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def python_clients(ctx: Context) -> Installed:
    """The bench-only venv's Python, with immichpy and aioimmich; installed on first use."""
    venv = ctx.cache / "venv-others"
    stamp = venv / ".bench-requirements"
    wanted = "\n".join(PYTHON_CLIENTS)
    python = _venv_python(venv)
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return Installed(python, version=", ".join(PYTHON_CLIENTS))
    if not ctx.install:
        return Installed(None, f"{venv} is empty (a full `make bench` installs {', '.join(PYTHON_CLIENTS)} there)")
    print(f"installing {', '.join(PYTHON_CLIENTS)} into {venv} ...", flush=True)
    try:
        if not python.exists():
            subprocess.run([ctx.python, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PYTHON_CLIENTS],
            check=False,
            capture_output=True,
            text=True,
            timeout=900,
        )
    except (OSError, subprocess.SubprocessError) as err:
        return Installed(None, f"creating {venv} failed: {err}")
    if done.returncode != 0:
        errors = "\n".join(line for line in done.stderr.splitlines() if not line.startswith("WARNING"))
        return Installed(None, f"pip install failed: {tail(errors)}")
    stamp.write_text(wanted)
    return Installed(python, version=", ".join(PYTHON_CLIENTS))


def python_client_script(ctx: Context, name: str) -> Installed:
    """A console script of the bench-only venv (``immichpy``)."""
    clients = python_clients(ctx)
    if clients.path is None:
        return clients
    script = clients.path.parent / name
    if not script.exists():
        return Installed(None, f"{script} is missing")
    pins = [pin.split("==") for pin in PYTHON_CLIENTS]
    version = next((f"{name} {pin}" for package, pin in pins if package.split("[")[0] == name), name)
    return Installed(script, version=version)


def node_cli(ctx: Context) -> Installed:
    """The official ``immich`` CLI from npm, installed into bench/.cache/node on first use."""
    prefix = ctx.cache / "node"
    script = prefix / "node_modules" / ".bin" / "immich"
    package = prefix / "node_modules" / "@immich" / "cli" / "package.json"

    def found() -> Installed:
        version = json.loads(package.read_text()).get("version", "?")
        return Installed(script, version=f"@immich/cli {version}")

    if script.exists() and package.exists():
        return found()
    if not ctx.install:
        return Installed(None, f"{prefix} is empty (a full `make bench` runs npm install {NODE_CLI} there)")
    npm = shutil.which("npm")
    if npm is None:
        return Installed(None, "npm is not on PATH: install Node.js 20+ to compare with the official CLI")
    print(f"installing {NODE_CLI} into {prefix} with npm ...", flush=True)
    prefix.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", str(prefix), NODE_CLI],
            check=False,
            capture_output=True,
            text=True,
            timeout=900,
        )
    except (OSError, subprocess.SubprocessError) as err:
        return Installed(None, f"npm install {NODE_CLI} failed: {err}")
    if done.returncode != 0 or not script.exists():
        return Installed(None, f"npm install {NODE_CLI} failed: {tail(done.stderr or done.stdout)}")
    return found()
