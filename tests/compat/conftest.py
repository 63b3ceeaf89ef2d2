"""Fixtures for the compatibility check and spec-diff tests: the real specs, copies of the repo."""

from __future__ import annotations

import copy
import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

PINNED = ROOT / "openapi" / "immich-openapi.json"
SPECS = ROOT / "tests" / "fixtures" / "specs"
V2 = SPECS / "immich-openapi-v2.4.1.json"
V1 = SPECS / "immich-openapi-v1.132.3.json"


@functools.cache
def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def spec(path: Path) -> dict[str, Any]:
    """A fresh copy of a spec, safe to mutate."""
    return copy.deepcopy(_load(path))


def write(tmp_path: Path, document: object, name: str = "spec.json") -> Path:
    target = tmp_path / name
    target.write_text(json.dumps(document), encoding="utf-8")
    return target


def run_module(module: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m immiche.<module> ARGS`` from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env or dict(os.environ),
        check=False,
        timeout=60,
    )


def regen(repo: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``scripts/regen.sh ARGS`` in ``repo`` (a copy of the repository)."""
    return subprocess.run(
        ["bash", str(repo / "scripts" / "regen.sh"), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "IMMICHE_PYTHON": sys.executable, **(env or {})},
        check=False,
        timeout=120,
    )


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (caches excepted) with its bytes."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """What scripts/regen.sh needs of the repository, copied: openapi, scripts, generated, src."""
    target = tmp_path / "repo"
    target.mkdir()
    for name in ("openapi", "scripts", "generated", "src"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target
