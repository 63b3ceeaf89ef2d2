"""`make demo` runs end to end (so the README's first command cannot rot)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_demo_runs_against_the_embedded_fake_server(tmp_path: Path) -> None:
    output = tmp_path / "demo-output"
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMMICH_")}
    env["HOME"] = str(tmp_path / "home")  # the demo must not need (or touch) the real config
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py"), "--output", str(output)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Logged in to http://127.0.0.1:" in result.stdout
    assert "fetch_people(): total=" in result.stdout
    cli_files = sorted((output / "cli").glob("*.jpg"))
    library_files = sorted((output / "library").glob("*.jpg"))
    assert len(cli_files) >= 5
    assert len(library_files) == 1
    assert all(path.read_bytes()[:2] == b"\xff\xd8" for path in cli_files + library_files)
    assert not (tmp_path / "home").exists()
