"""Public typing check: ``pyright --verifytypes`` must score 100% for ``immiche`` and ``immich_client``.

Run by ``make typecheck-public`` (and so by ``make test``)::

    .venv/bin/python scripts/verify_types.py [immiche immich_client]

pyright (the pinned PyPI wrapper, which carries its own copy of the npm package) looks the packages
up in the running interpreter's environment, exactly as a user's type checker would see them
installed. It runs from a temporary directory: inside the checkout pyright would take ``src/`` as
the project's own source and refuse to verify it as an installed package. ``--ignoreexternal``
leaves the types of other packages (httpx, attrs) to them.

Exit status: 0 when every package scores 100%, 1 otherwise (the ambiguous or unknown symbols are
printed, with their file and line), 2 when pyright cannot run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGES = ("immiche", "immich_client")


def verify(package: str, workdir: str) -> bool:
    """Print ``package``'s score; True when it is 100%."""
    env = dict(
        os.environ, VIRTUAL_ENV=sys.prefix, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    )
    command = [
        sys.executable,
        "-m",
        "pyright",
        "--pythonpath",
        sys.executable,
        "--outputjson",
        "--verifytypes",
        package,
        "--ignoreexternal",
    ]
    completed = subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True, check=False)
    try:
        report = json.loads(completed.stdout)
    except ValueError:
        print(
            f"verify_types: pyright did not answer with a report:\n{completed.stdout}{completed.stderr}",
            file=sys.stderr,
        )
        raise SystemExit(2) from None
    completeness = report["typeCompleteness"]
    score = completeness["completenessScore"]
    exported = completeness["exportedSymbolCounts"]
    problems = [
        symbol
        for symbol in completeness["symbols"]
        if any(diagnostic["severity"] == "error" for diagnostic in symbol.get("diagnostics", []))
    ]
    if completeness.get("packageRootDirectory") in (None, "") or not completeness.get("pyTypedPath"):
        print(f"verify_types: pyright did not find the installed package {package} (py.typed)", file=sys.stderr)
        return False
    print(
        f"verify_types: {package}: {score:.1%} type completeness "
        f"({exported['withKnownType']} known, {exported['withAmbiguousType']} ambiguous, "
        f"{exported['withUnknownType']} unknown exported symbols)"
    )
    for symbol in problems:
        for diagnostic in symbol["diagnostics"]:
            where = diagnostic.get("file", "")
            if where and "range" in diagnostic:
                where += f":{diagnostic['range']['start']['line'] + 1}"
            message = " ".join(diagnostic["message"].split())
            print(f"  {symbol['name']}: {message} {where}".rstrip())
    return score == 1 and not problems


def main(argv: list[str]) -> int:
    packages = argv or list(PACKAGES)
    with tempfile.TemporaryDirectory(prefix="immiche-verifytypes-") as workdir:
        results = [verify(package, workdir) for package in packages]
    if not all(results):
        print("verify_types: the public types are not complete (see above)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
