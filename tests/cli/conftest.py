"""Fixtures for the CLI tests: a fake Immich server on a real socket and the real entry point.

Every end-to-end test runs ``python -m immiche ...`` (or the installed ``immiche`` script) in a
subprocess with an explicit environment: its own config directory, no credential variables,
UTC, no colours.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from immiche.testing import FakeImmichServer

SCRIPT = Path(sys.executable).with_name("immiche")


@dataclass
class Result:
    """What a CLI run did."""

    args: Sequence[str]
    code: int
    out: str
    err: str

    def json(self) -> Any:
        """stdout parsed as exactly one JSON document (json.loads rejects trailing data)."""
        return json.loads(self.out)

    @property
    def all(self) -> str:
        return self.out + self.err

    def __repr__(self) -> str:  # shown by pytest when an assertion fails
        return f"Result(args={list(self.args)!r}, code={self.code}, out={self.out[:2000]!r}, err={self.err[:2000]!r})"


class Cli:
    """Runs the CLI in a subprocess with an isolated environment."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.config = home / "config" / "immich"
        self.cwd = home / "work"
        self.cwd.mkdir(parents=True)
        self.env: dict[str, str] = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "IMMICH_CONFIG_DIR": str(self.config),
            "XDG_CONFIG_HOME": str(home / "config"),
            "TZ": "UTC",
            "NO_COLOR": "1",
            "LANG": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
            "COLUMNS": "120",
        }

    def command(self, *, script: bool = False) -> list[str]:
        return [str(SCRIPT)] if script else [sys.executable, "-m", "immiche"]

    def __call__(
        self,
        *args: str,
        input: str | bytes | None = None,
        env: Mapping[str, str] | None = None,
        script: bool = False,
        cwd: Path | None = None,
        timeout: float = 60,
    ) -> Result:
        full_env = {**self.env, **(env or {})}
        proc = subprocess.run(
            [*self.command(script=script), *args],
            input=input.encode() if isinstance(input, str) else input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            env=full_env,
            cwd=cwd or self.cwd,
            timeout=timeout,
            check=False,
        )
        return Result(args, proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))

    def login(self, server: FakeImmichServer, *, profile: str | None = None, key: str | None = None) -> Result:
        """Log in with an API key through stdin (the key defaults to the 'all' one)."""
        args = ["login", "--server", server.url, "--api-key-stdin"]
        if profile:
            args += ["--profile", profile]
        result = self(*args, input=(key or server.api_key) + "\n")
        assert result.code == 0, result
        return result

    def session_file(self, profile: str = "default") -> Path:
        return self.config / "profiles" / profile / "session.json"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


@pytest.fixture
def server(fake_immich: Callable[..., FakeImmichServer]) -> FakeImmichServer:
    """A sample server whose every answer is validated against the spec at teardown."""
    return fake_immich()


@pytest.fixture
def make_server(fake_immich: Callable[..., FakeImmichServer]) -> Callable[..., FakeImmichServer]:
    """Start contract-checked servers with any options (tests/conftest.py's ``fake_immich``)."""
    return fake_immich


@pytest.fixture
def logged_in(cli: Cli, server: FakeImmichServer) -> Cli:
    """The CLI logged in to ``server`` (profile "default") with the full-permission API key."""
    cli.login(server)
    return cli


def unused_port() -> int:
    """A local port nothing listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def visible(server: FakeImmichServer) -> list[str]:
    """Ids of the people ``people list`` shows without --with-hidden, in server order."""
    return [p.id for p in server.people if not p.is_hidden]
