"""docs/permissions.md names every operation the facade declares, with the permission the pinned
Immich document requires for it (``x-immich-permission``)."""

from __future__ import annotations

import json
import re

from immiche._contract import OPERATIONS
from tests.docs._examples import ROOT

PAGE = ROOT / "docs" / "permissions.md"


def _spec_permissions() -> dict[str, str | None]:
    spec = json.loads((ROOT / "openapi" / "immich-openapi.json").read_text(encoding="utf-8"))
    return {
        operation["operationId"]: operation.get("x-immich-permission")
        for item in spec["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }


def _documented() -> dict[str, str]:
    """operationId -> the permission cell, from the page's tables (``| ... | `op` | perm |``)."""
    rows: dict[str, str] = {}
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 4 or not line.startswith("|"):
            continue
        for operation_id in re.findall(r"`(\w+)`", cells[-2]):
            rows[operation_id] = cells[-1]
    return rows


def test_every_declared_operation_is_documented_with_its_permission() -> None:
    spec = _spec_permissions()
    documented = _documented()
    missing = sorted({operation.operation_id for operation in OPERATIONS} - set(documented))
    assert not missing, f"docs/permissions.md does not list: {missing}"
    for operation in OPERATIONS:
        required = spec.get(operation.operation_id)
        cell = documented[operation.operation_id]
        if required is None:
            assert cell.startswith("none"), f"{operation.operation_id}: no permission needed, the page says {cell!r}"
        else:
            assert f"`{required}`" in cell, f"{operation.operation_id} needs {required}, the page says {cell!r}"


def test_the_page_documents_only_real_operations() -> None:
    spec = _spec_permissions()
    unknown = sorted(set(_documented()) - set(spec))
    assert not unknown, f"docs/permissions.md names operations the pinned document lacks: {unknown}"
