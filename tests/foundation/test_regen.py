"""scripts/regen.sh: --check passes on a clean tree and catches a single changed byte (on a copy)."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import types
import urllib.request
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
    assert "is what the pinned Immich 3.2.2 spec produces" in result.stdout


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
    assert "276 operations, 442 models" in result.stdout
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
    assert "describes Immich 3.2.2, not v9.9.9" in result.stderr


def _load_regen(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """scripts/regen.py as a module, with the default (real) release URL template."""
    monkeypatch.delenv("IMMICHE_SPEC_URL_TEMPLATE", raising=False)
    loader_spec = importlib.util.spec_from_file_location("immiche_regen_under_test", ROOT / "scripts" / "regen.py")
    assert loader_spec is not None and loader_spec.loader is not None
    module = importlib.util.module_from_spec(loader_spec)
    loader_spec.loader.exec_module(module)
    return module


def test_version_fetches_the_document_of_the_release_tag_never_a_branch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Offline: the URL names refs/tags/vX.Y.Z (a bare name could resolve to a branch), and it is what is fetched."""
    regen_module = _load_regen(monkeypatch)
    expected = "https://raw.githubusercontent.com/immich-app/immich/refs/tags/v3.2.2/open-api/immich-openapi-specs.json"
    assert regen_module.release_spec_url("v3.2.2") == expected
    for not_a_release in ("main", "v3.2", "3.2.2", "v3.2.2-rc1", "v3.2.2/../main", "refs/heads/v3.2.2"):
        with pytest.raises(regen_module.RegenError, match="wants a release tag"):
            regen_module.release_spec_url(not_a_release)
    fetched: list[str] = []
    document = json.loads((ROOT / "openapi" / "immich-openapi.json").read_text(encoding="utf-8"))

    class Answer(io.BytesIO):
        def __enter__(self) -> Answer:
            return self

        def __exit__(self, *exc: object) -> None:
            self.close()

    def fake_urlopen(url: str, timeout: float) -> Answer:
        fetched.append(url)
        return Answer(json.dumps(document).encode())

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    assert json.loads(regen_module.fetch_release_spec("v3.2.2"))["info"]["version"] == "3.2.2"
    assert fetched == [expected]


def test_a_field_named_like_the_models_own_attributes_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every model has ``missing_fields`` (and ``additional_properties``): a spec field of that name would clash."""
    regen_module = _load_regen(monkeypatch)
    spec = json.loads((ROOT / "openapi" / "immich-openapi.json").read_text(encoding="utf-8"))
    regen_module.check_reserved_names(spec)  # the pinned document has none
    spec["components"]["schemas"]["PersonResponseDto"]["properties"]["missingFields"] = {"type": "string"}
    with pytest.raises(regen_module.RegenError, match="schema PersonResponseDto has a field 'missingFields'"):
        regen_module.check_reserved_names(spec)
