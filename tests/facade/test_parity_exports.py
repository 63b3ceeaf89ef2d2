"""The public surface: one export table, ``__all__`` and the type checkers' imports agree; every name loads."""

from __future__ import annotations

import ast
import pickle
import subprocess
import sys
import types
from pathlib import Path

import pytest

import immiche

INIT = Path(immiche.__file__)


def _type_checking_imports() -> dict[str, str]:
    """``name -> module`` of the imports in ``if TYPE_CHECKING:`` of immiche/__init__.py."""
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for item in node.body:
                assert isinstance(item, ast.ImportFrom) and item.module
                for alias in item.names:
                    found[alias.asname or alias.name] = item.module
    return found


def test_all_type_checking_and_the_table_agree() -> None:
    table = immiche._EXPORTS
    assert set(immiche.__all__) == {*table, "PINNED_IMMICH_VERSION", "__version__"}
    assert len(immiche.__all__) == len(set(immiche.__all__))
    assert _type_checking_imports() == table


def test_every_public_name_resolves_and_shows_immiche_as_its_module() -> None:
    for name in immiche.__all__:
        value = getattr(immiche, name)
        assert value is not None, name
        # A class, not a type alias such as ProgressCallback (``Callable[...]`` passes
        # isinstance(..., type) on Python 3.10).
        if isinstance(value, type) and not isinstance(value, types.GenericAlias):
            assert value.__module__ == "immiche", name
            assert repr(value) == f"<class 'immiche.{value.__qualname__}'>"
    assert "Client" in dir(immiche)


def test_exported_errors_still_pickle_under_their_public_home() -> None:
    error = immiche.NotFoundError("not found (404)", status_code=404, method="GET", path="/api/people/x")
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is immiche.NotFoundError
    assert str(again) == str(error)


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        immiche.NoSuchThing  # noqa: B018


def test_the_old_profile_error_name_is_the_new_class() -> None:
    assert immiche.InvalidProfileName is immiche.InvalidProfileNameError
    assert issubclass(immiche.InvalidProfileNameError, immiche.SessionError)
    assert issubclass(immiche.InvalidProfileNameError, ValueError)


def test_import_immiche_loads_no_implementation_module() -> None:
    code = "import sys, immiche; print(sorted(m for m in sys.modules if m.startswith(('immiche.', 'httpx'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['immiche._version']"
