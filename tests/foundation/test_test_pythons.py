""".ci/test-pythons (``make test-pythons``): an interpreter that is not there fails CI clearly and
only warns on a developer machine; nothing is installed for it."""

from __future__ import annotations

import os
import subprocess

from tests.conftest import ROOT

SCRIPT = ROOT / ".ci" / "test-pythons"


def _run(*versions: str, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        ["bash", str(SCRIPT), *versions], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_a_missing_python_fails_on_ci() -> None:
    result = _run("3.99", ci=True)
    assert result.returncode == 1, result
    assert "Python 3.99 not found" in result.stderr
    assert "missing on this CI machine: Python 3.99" in result.stderr
    assert not (ROOT / ".venvs" / "py3.99").exists()


def test_a_missing_python_is_a_warning_elsewhere() -> None:
    result = _run("3.99", ci=False)
    assert result.returncode == 0, result
    assert "Python 3.99 not found" in result.stderr
    assert "not found here: 3.99" in result.stdout


def test_the_skipped_version_is_not_run() -> None:
    env = {**os.environ, "SKIP_PYTHON": "3.98", "CI": "true"}
    result = subprocess.run(
        ["bash", str(SCRIPT), "3.98"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert result.returncode == 0, result
    assert "Python 3.98: tested by 'make pytest', skipped here" in result.stdout
