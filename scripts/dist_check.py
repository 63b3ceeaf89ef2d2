"""Build the wheel and sdist, install the wheel into a fresh virtual environment and check it.

Run by ``make dist-check`` (part of ``make test``). Checks that the wheel, installed on its own,
imports ``immiche`` and ``immich_client`` from the new environment (not from this checkout), ships
``py.typed`` for both, installs the ``immiche`` command, carries the pinned OpenAPI document so that
``python -m immiche.compat SPEC`` and ``python -m immiche.spec_diff NEW`` work without a checkout
(no ``--pinned``), and that the sdist carries the generated package and the pinned spec needed to
rebuild it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
import json, pathlib, sys
import immiche, immich_client
from immich_client.api.people import get_all_people
from immich_client.models import PersonResponseDto
root = pathlib.Path(sys.prefix).resolve()
files = {name: pathlib.Path(mod.__file__).resolve() for name, mod in
         (("immiche", immiche), ("immich_client", immich_client))}
print(json.dumps({
    "outside_checkout": all(root in path.parents for path in files.values()),
    "typed": all((path.parent / "py.typed").is_file() for path in files.values()),
    "version": immiche.__version__,
    "immich": immich_client.IMMICH_VERSION,
}))
"""


def run(*command: str | Path, cwd: Path | None = None) -> str:
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, cwd=cwd, check=False)
    if result.returncode != 0:
        sys.exit(f"dist-check: {' '.join(map(str, command))} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def check_tools_without_checkout(python: Path, cwd: Path) -> None:
    """``python -m immiche.compat`` / ``immiche.spec_diff`` in the fresh venv find the packaged pinned spec."""
    pinned = json.loads((ROOT / "openapi" / "immich-openapi.json").read_text(encoding="utf-8"))["info"]["version"]
    other = ROOT / "tests" / "fixtures" / "specs" / "immich-openapi-v2.4.1.json"
    compat = run(python, "-I", "-m", "immiche.compat", "--quiet", other, cwd=cwd)
    if f"(the current immich_client is generated from Immich {pinned})" not in compat.splitlines()[0]:
        sys.exit(f"dist-check: python -m immiche.compat did not use the packaged Immich {pinned} spec:\n{compat}")
    if not compat.splitlines()[-1].startswith("compat: OK: the facade fits the Immich 2.4.1 spec"):
        sys.exit(f"dist-check: python -m immiche.compat gave an unexpected verdict:\n{compat}")
    spec_diff = run(python, "-I", "-m", "immiche.spec_diff", other, cwd=cwd).splitlines()
    if not spec_diff[0].startswith(f"spec-diff: Immich {pinned} (") or "site-packages" not in spec_diff[0]:
        sys.exit(f"dist-check: python -m immiche.spec_diff NEW did not start from the packaged spec: {spec_diff[0]}")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="immiche-dist-") as tmp:
        out = Path(tmp) / "dist"
        run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT)
        wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
        if len(wheels) != 1 or len(sdists) != 1:
            sys.exit(f"dist-check: expected one wheel and one sdist, got {[p.name for p in out.iterdir()]}")
        names = zipfile.ZipFile(wheels[0]).namelist()
        for required in (
            "immiche/py.typed",
            "immich_client/py.typed",
            "immich_client/models/__init__.py",
            "immich_client/immich-openapi.json",
        ):
            if required not in names:
                sys.exit(f"dist-check: the wheel lacks {required}")
        with tarfile.open(sdists[0]) as sdist:
            members = sdist.getnames()
        for suffix in ("generated/immich_client/__init__.py", "openapi/immich-openapi.json", "scripts/regen.sh"):
            if not any(name.endswith(suffix) for name in members):
                sys.exit(f"dist-check: the sdist lacks {suffix}")
        env_dir = Path(tmp) / "venv"
        venv.create(env_dir, with_pip=True)
        python = env_dir / "bin" / "python"
        run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheels[0])
        report = run(python, "-I", "-c", CHECK, cwd=Path(tmp))
        if '"outside_checkout": true' not in report or '"typed": true' not in report:
            sys.exit(f"dist-check: the installed wheel is not self-contained and typed: {report}")
        help_text = run(env_dir / "bin" / "immiche", "--help")
        if "people" not in help_text:
            sys.exit("dist-check: the installed immiche command does not show its help")
        check_tools_without_checkout(python, Path(tmp))
        print(f"dist-check: {wheels[0].name} and {sdists[0].name} install and import cleanly: {report.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
