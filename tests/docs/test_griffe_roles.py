"""The site's griffe extension (tools/griffe_sphinx_roles.py) turns reST leftovers into Markdown."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from tests.docs._examples import ROOT


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("griffe_sphinx_roles", ROOT / "tools" / "griffe_sphinx_roles.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_roles_become_inline_code_and_literal_markers_colons() -> None:
    markdown = _tool().markdown
    text = (
        "Use :class:`Person` and :meth:`~immiche.Client.fetch_people` (:data:`NOT_GIVEN`).\n\nExample::\n\n    x = 1\n"
    )
    assert markdown(text) == "Use `Person` and `fetch_people` (`NOT_GIVEN`).\n\nExample:\n\n    x = 1\n"
    assert markdown("A block:\n\n::\n\n    code\n") == "A block:\n\n    code\n"
    assert markdown("``literal`` and a:b") == "``literal`` and a:b"


def test_the_site_uses_the_extension() -> None:
    assert "tools/griffe_sphinx_roles.py" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
