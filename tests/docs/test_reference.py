"""The API reference (docs/reference/) documents every public name of ``immiche``."""

from __future__ import annotations

import re

import immiche
from tests.docs._examples import ROOT

REFERENCE = ROOT / "docs" / "reference"
CONSTANTS = {"PINNED_IMMICH_VERSION", "__version__"}


def _directives() -> set[str]:
    """Every ``::: dotted.name`` of the reference pages."""
    return {
        match
        for page in REFERENCE.glob("*.md")
        for match in re.findall(r"^::: ([\w.]+)\s*$", page.read_text(encoding="utf-8"), flags=re.MULTILINE)
    }


def test_every_public_name_is_in_the_reference() -> None:
    directives = _directives()
    exports: dict[str, str] = immiche._EXPORTS
    missing = [
        name
        for name in sorted(set(immiche.__all__) - CONSTANTS)
        if f"immiche.{name}" not in directives and exports[name] not in directives
    ]
    assert not missing, f"add these to docs/reference/immiche.md (or a page of their module): {missing}"


def test_every_reference_page_is_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in REFERENCE.glob("*.md"):
        assert f"reference/{page.name}" in nav, f"{page.name} is not in mkdocs.yml's nav"
