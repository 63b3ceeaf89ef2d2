"""The ``>>>`` examples in the engine's and the facade's modules run and give what they show.

Examples that need a server are literal ``Example::`` blocks instead, so none is skipped.
"""

from __future__ import annotations

import doctest
import importlib

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
)
WITH_EXAMPLES = {"immiche._config", "immiche._capabilities", "immiche.people", "immiche.server"}


@pytest.mark.parametrize("name", MODULES)
def test_module_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    failed, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS, report=True)
    assert failed == 0
    assert (attempted > 0) == (name in WITH_EXAMPLES)


def test_no_example_is_skipped() -> None:
    for name in MODULES:
        finder = doctest.DocTestFinder()
        for test in finder.find(importlib.import_module(name)):
            for example in test.examples:
                assert doctest.SKIP not in example.options, f"{test.name}: {example.source.strip()}"
