"""The lazy models template keeps every model of the spec importable by name, without eager imports."""

from __future__ import annotations

import json
import subprocess
import sys

from openapi_python_client.strings import ClassName

from tests.conftest import ROOT

SPEC = json.loads((ROOT / "openapi" / "immich-openapi.json").read_text(encoding="utf-8"))


def run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_importing_an_endpoint_loads_only_the_models_it_needs() -> None:
    out = run(
        "import sys, immich_client.api.people.get_all_people\n"
        "print(sorted(m for m in sys.modules if m.startswith('immich_client.models.')))"
    )
    assert out == "['immich_client.models.people_response_dto']"


def test_every_schema_of_the_spec_is_importable_by_name() -> None:
    names = [str(ClassName(name, "field_")) for name in SPEC["components"]["schemas"]]
    assert len(names) > 300
    code = (
        "import json, sys\n"
        "names = json.loads(sys.stdin.read())\n"
        "failed = []\n"
        "for name in names:\n"
        "    try:\n"
        "        exec(f'from immich_client.models import {name}')\n"
        "    except ImportError as err:\n"
        "        failed.append(f'{name}: {err}')\n"
        "from immich_client import models\n"
        "print(json.dumps({'failed': failed, 'all': len(models.__all__), 'dir': len(dir(models))}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(names), capture_output=True, text=True, check=True
    )
    report = json.loads(result.stdout)
    assert report["failed"] == []
    assert report["all"] >= len(names)
    assert report["dir"] >= report["all"]


def test_star_import_and_unknown_names() -> None:
    out = run(
        "from immich_client.models import *\n"
        "import immich_client.models as m\n"
        "try:\n"
        "    m.NoSuchModel\n"
        "except AttributeError as err:\n"
        "    print('AttributeError', 'NoSuchModel' in str(err), PersonResponseDto.__name__)\n"
    )
    assert out == "AttributeError True PersonResponseDto"
