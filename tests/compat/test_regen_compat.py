"""scripts/regen.sh --spec/--version runs the compatibility check first: refuses, forces, regenerates.

Everything runs on a copy of the repository (openapi, scripts, generated, src).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import immiche
from tests.compat.conftest import PINNED, V2, regen, spec, tree, write
from tests.compat.test_variants import remove_get_person, total_to_string
from tests.conftest import ROOT, ServerFactory

pytestmark = pytest.mark.slow


def breaking_spec(tmp_path: Path, version: str = "3.0.0") -> Path:
    document = spec(PINNED)
    remove_get_person(document)
    total_to_string(document)
    document["info"]["version"] = version
    return write(tmp_path, document, f"immich-openapi-v{version}.json")


def snapshot(repo: Path) -> dict[str, bytes]:
    return {**tree(repo / "generated"), **{f"openapi/{k}": v for k, v in tree(repo / "openapi").items()}}


def test_a_spec_the_facade_does_not_fit_is_refused_and_nothing_changes(repo_copy: Path, tmp_path: Path) -> None:
    before = snapshot(repo_copy)
    result = regen(repo_copy, "--spec", str(breaking_spec(tmp_path)))
    assert result.returncode == 1
    out = result.stdout.splitlines()
    assert out[0].startswith("compat: the immiche facade against the Immich 3.0.0 spec")
    assert "  BREAKS  operation getPerson: missing (no operation GET /people/{id} either; similar: deletePerson)" in out
    assert "  BREAKS  model PeopleResponseDto field total: changed type integer -> string" in out
    assert out[-1].startswith("compat: BREAKS: the facade would break with the Immich 3.0.0 spec (2 breaking, ")
    assert result.stderr.splitlines()[-2:] == [
        "regen: error: the facade does not fit this spec (see the report above); "
        "fix src/immiche or rerun with --force to regenerate anyway",
        "regen: nothing was changed.",
    ]
    assert "Traceback" not in result.stderr
    assert snapshot(repo_copy) == before
    assert regen(repo_copy, "--check").returncode == 0


def test_force_regenerates_anyway(repo_copy: Path, tmp_path: Path) -> None:
    variant = breaking_spec(tmp_path, "3.0.1")
    result = regen(repo_copy, "--spec", str(variant), "--force")
    assert result.returncode == 0, result.stderr
    assert "  BREAKS  operation getPerson: missing" in result.stdout
    assert "regen: --force: regenerating although the facade does not fit this spec" in result.stderr
    assert result.stdout.splitlines()[-1].startswith("regen: immich_client from Immich 3.0.1 spec: 275 operations")
    assert (repo_copy / "openapi" / "immich-openapi.json").read_bytes() == variant.read_bytes()
    generated = repo_copy / "generated" / "immich_client"
    assert not (generated / "api" / "people" / "get_person.py").exists()
    assert 'IMMICH_VERSION = "3.0.1"' in (generated / "__init__.py").read_text()
    assert regen(repo_copy, "--check").returncode == 0


def test_version_runs_the_check_too(repo_copy: Path, tmp_path: Path) -> None:
    served = tmp_path / "releases" / "v3.0.2"
    served.mkdir(parents=True)
    breaking_spec(tmp_path, "3.0.2").rename(served / "spec.json")
    before = snapshot(repo_copy)
    template = f"file://{tmp_path}/releases/{{tag}}/spec.json"
    result = regen(repo_copy, "--version", "v3.0.2", env={"IMMICHE_SPEC_URL_TEMPLATE": template})
    assert result.returncode == 1
    assert "compat: BREAKS: the facade would break with the Immich 3.0.2 spec" in result.stdout
    assert "regen: nothing was changed." in result.stderr
    assert snapshot(repo_copy) == before


def test_a_check_that_cannot_run_is_not_taken_for_a_verdict(repo_copy: Path) -> None:
    """A damaged pinned spec: the check exits 2; regen says so and refuses unless --force."""
    pinned = repo_copy / "openapi" / "immich-openapi.json"
    pinned.write_text("{ not json")
    before = snapshot(repo_copy)
    result = regen(repo_copy, "--spec", str(V2))
    assert result.returncode == 1
    assert "compat: error: " in result.stderr and "is not a JSON document" in result.stderr
    assert "regen: error: the facade compatibility check could not run (see above)" in result.stderr
    assert snapshot(repo_copy) == before
    forced = regen(repo_copy, "--spec", str(V2), "--force")
    assert forced.returncode == 0, forced.stderr
    assert "regen: --force: regenerating although the facade could not be checked" in forced.stderr


def test_the_command_of_the_runtime_warning_works(repo_copy: Path, tmp_path: Path, fake_immich: ServerFactory) -> None:
    """A server outside the tested range: the warning's `scripts/regen.sh --version` does the job."""
    server = fake_immich(server_version=(4, 1, 0))
    with (
        immiche.Client(server.url, api_key=server.api_key) as client,
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        client.whoami()
    message = str(next(w.message for w in caught if issubclass(w.category, immiche.ImmichVersionWarning)))
    assert "'python -m immiche.compat <that file>'" in message
    assert "open-api/immich-openapi-specs.json at tag v4.1.0" in message
    assert "'scripts/regen.sh --version v4.1.0'" in message
    served = tmp_path / "releases" / "v4.1.0"
    served.mkdir(parents=True)
    document = spec(PINNED)
    document["info"]["version"] = "4.1.0"
    write(served, document)
    template = f"file://{tmp_path}/releases/{{tag}}/spec.json"
    result = regen(repo_copy, "--version", "v4.1.0", env={"IMMICHE_SPEC_URL_TEMPLATE": template})
    assert result.returncode == 0, result.stderr
    assert "compat: OK: the facade fits the Immich 4.1.0 spec (183 OK)." in result.stdout
    assert json.loads((repo_copy / "openapi" / "immich-openapi.json").read_text())["info"]["version"] == "4.1.0"


def test_regenerating_from_v2_4_1_gives_a_client_the_facade_works_with(repo_copy: Path) -> None:
    result = regen(repo_copy, "--spec", str(V2))
    assert result.returncode == 0, result.stderr
    assert (
        "compat: OK: the facade fits the Immich 2.4.1 spec (4 compatible changes, 8 tolerated, 173 OK)."
        in result.stdout
    )
    assert "regen: immich_client from Immich 2.4.1 spec: 230 operations" in result.stdout
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(repo_copy / "src"), str(repo_copy / "generated")]),
    }

    # the regenerated client imports, and the facade drives it against the fake server in v2 mode
    check = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "compat" / "v2_facade_check.py"), str(repo_copy)],
        capture_output=True,
        text=True,
        env=env,
        cwd=repo_copy,
        check=False,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.splitlines()[0] == f"immich_client 2.4.1 from {repo_copy / 'generated' / 'immich_client'}"
    assert check.stdout.splitlines()[-1] == "login, logout: ok"

    # and the facade's own test suite passes on it
    run_tests = (
        "import sys, immich_client, pytest; "  # imported first: the tests get the regenerated client
        f"assert immich_client.__file__.startswith({str(repo_copy)!r}), immich_client.__file__; "
        "assert immich_client.IMMICH_VERSION == '2.4.1'; "
        "sys.exit(pytest.main(['tests/facade', '-q', '-p', 'no:cacheprovider']))"
    )
    tests = subprocess.run(
        [sys.executable, "-c", run_tests],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
        timeout=300,
    )
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-3000:]
    assert " passed" in tests.stdout.splitlines()[-1] and "failed" not in tests.stdout.splitlines()[-1]
