"""scripts/regen.sh: --check passes on a clean tree and catches a single changed byte (on a copy)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def regen(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "IMMICHE_PYTHON": sys.executable}
    return subprocess.run(
        ["bash", str(repo / "scripts" / "regen.sh"), *args], capture_output=True, text=True, env=env, check=False
    )


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    copy.mkdir()
    for name in ("openapi", "scripts", "generated", "src"):
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", copy / "pyproject.toml")
    return copy


def test_check_passes_on_the_clean_tree() -> None:
    result = regen(ROOT, "--check")
    assert result.returncode == 0, result.stderr
    assert "is what the pinned Immich 3.0.0 spec produces" in result.stdout


def test_check_fails_after_one_byte_changes(repo_copy: Path) -> None:
    target = repo_copy / "generated" / "immich_client" / "api" / "people" / "get_person.py"
    data = bytearray(target.read_bytes())
    data[-2] = ord("#") if data[-2] != ord("#") else ord("!")
    target.write_bytes(bytes(data))
    result = regen(repo_copy, "--check")
    assert result.returncode == 1
    assert "1 changed: api/people/get_person.py" in result.stderr
    assert "Run scripts/regen.sh" in result.stderr


def test_regeneration_is_byte_identical_and_restores_a_damaged_tree(repo_copy: Path) -> None:
    (repo_copy / "generated" / "immich_client" / "models" / "person_response_dto.py").unlink()
    result = regen(repo_copy)
    assert result.returncode == 0, result.stderr
    assert "242 operations, 371 models" in result.stdout
    assert regen(repo_copy, "--check").returncode == 0
    for name in ("models/person_response_dto.py", "client.py", "models/__init__.py"):
        assert (repo_copy / "generated/immich_client" / name).read_bytes() == (
            ROOT / "generated/immich_client" / name
        ).read_bytes()


def test_a_bad_spec_changes_nothing(repo_copy: Path, tmp_path: Path) -> None:
    before = (repo_copy / "openapi" / "immich-openapi.json").read_bytes()
    not_json = tmp_path / "broken.json"
    not_json.write_text("<html>nope</html>")
    result = regen(repo_copy, "--spec", str(not_json))
    assert result.returncode == 1
    assert "is not a JSON document" in result.stderr and "nothing was changed" in result.stderr
    assert (repo_copy / "openapi" / "immich-openapi.json").read_bytes() == before
    assert regen(repo_copy, "--check").returncode == 0


def test_version_without_network_fails_clearly_and_changes_nothing(repo_copy: Path) -> None:
    env_url = "http://127.0.0.1:9/{tag}/spec.json"  # port 9 (discard): connection refused
    before = (repo_copy / "openapi" / "immich-openapi.json").read_bytes()
    result = subprocess.run(
        ["bash", str(repo_copy / "scripts" / "regen.sh"), "--version", "v2.4.1"],
        capture_output=True,
        text=True,
        env={**os.environ, "IMMICHE_PYTHON": sys.executable, "IMMICHE_SPEC_URL_TEMPLATE": env_url},
        check=False,
    )
    assert result.returncode == 1
    assert "could not fetch the v2.4.1 spec" in result.stderr and "--spec PATH" in result.stderr
    assert (repo_copy / "openapi" / "immich-openapi.json").read_bytes() == before


def test_version_rejects_a_spec_of_another_version(repo_copy: Path, tmp_path: Path) -> None:
    """A fetched document whose info.version is not the release asked for is refused."""
    served = tmp_path / "v9.9.9"
    served.mkdir()
    spec = json.loads((ROOT / "openapi" / "immich-openapi.json").read_text())
    (served / "spec.json").write_text(json.dumps(spec))
    result = subprocess.run(
        ["bash", str(repo_copy / "scripts" / "regen.sh"), "--version", "v9.9.9"],
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "IMMICHE_PYTHON": sys.executable,
            "IMMICHE_SPEC_URL_TEMPLATE": f"file://{tmp_path}/{{tag}}/spec.json",
        },
        check=False,
    )
    assert result.returncode == 1
    assert "describes Immich 3.0.0, not v9.9.9" in result.stderr
