"""The ``>>>`` examples in the engine's and the facade's modules run and give what they show.

Examples that need a server are literal ``Example::`` blocks instead, so none is skipped.
"""

from __future__ import annotations

import doctest
import importlib
import inspect

import pytest

MODULES = (
    "immiche.client",
    "immiche._base",
    "immiche._config",
    "immiche._contract",
    "immiche._driver",
    "immiche._atomic",
    "immiche._capabilities",
    "immiche._pool",
    "immiche.pagination",
    "immiche.people",
    "immiche.server",
    "immiche._engine.discovery",
    "immiche._engine.downloads",
    "immiche._engine.effects",
    "immiche._engine.engine",
    "immiche._engine.ids",
    "immiche._engine.transport",
    "immiche._ops.people",
    "immiche._ops.server",
    "immiche._ops.workflows",
    "immiche._ops.assets",
    "immiche._ops.asset_files",
    "immiche._ops.albums",
    "immiche.assets",
    "immiche.albums",
)
WITH_EXAMPLES = {"immiche._config", "immiche._capabilities", "immiche.people", "immiche.server", "immiche.assets"}


def _examples(name: str) -> list[doctest.DocTest]:
    """The doctests of the module ``name`` and of what it defines, including the classes that
    ``immiche/__init__`` shows as ``immiche.X`` (their ``__module__`` is then ``"immiche"``, which
    doctest's own module check would take for "defined elsewhere")."""
    module = importlib.import_module(name)
    tests = doctest.DocTestFinder().find(module, name, module=False, globs=vars(module).copy())
    kept = []
    for test in tests:
        attribute = test.name[len(name) + 1 :].split(".")[0] if test.name != name else ""
        if not attribute or _home(getattr(module, attribute, None)) == name:
            kept.append(test)
    return kept


def _home(obj: object) -> str | None:
    """The module that defines ``obj``; for a class shown as ``immiche.X``, the module of its methods."""
    if isinstance(obj, type):
        for value in vars(obj).values():
            if inspect.isfunction(value) and str(value.__module__).startswith("immiche."):
                return value.__module__
    return getattr(obj, "__module__", None)


@pytest.mark.parametrize("name", MODULES)
def test_module_examples_run(name: str) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    attempted = 0
    for test in _examples(name):
        result = runner.run(test)
        assert result.failed == 0, test.name
        attempted += result.attempted
    assert (attempted > 0) == (name in WITH_EXAMPLES)


def test_no_example_is_skipped() -> None:
    for name in MODULES:
        for test in _examples(name):
            for example in test.examples:
                assert doctest.SKIP not in example.options, f"{test.name}: {example.source.strip()}"
