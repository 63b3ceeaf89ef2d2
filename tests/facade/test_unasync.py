"""Client's API section is generated from AsyncClient's (tools/unasync.py), and kept current."""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType

import immiche

TOOL = Path(__file__).resolve().parents[2] / "tools" / "unasync.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("unasync_tool", TOOL)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["unasync_tool"] = module
    spec.loader.exec_module(module)
    return module


def test_the_sync_section_is_what_the_async_one_gives() -> None:
    tool = _tool()
    text = tool.CLIENT.read_text(encoding="utf-8")
    assert tool.generate(text) == text
    assert tool.main(["--check"]) == 0


def test_an_edit_to_the_async_section_shows_in_the_sync_one() -> None:
    tool = _tool()
    text = tool.CLIENT.read_text(encoding="utf-8")
    edited = text.replace(
        "        return await self._run(people_ops.fetch_person(self._engine, await self._api(), person_id))",
        "        return await self._run(people_ops.fetch_person(self._engine, await self._api(), str(person_id)))",
    )
    assert edited != text
    assert "people_ops.fetch_person(self._engine, self._api(), str(person_id))" in tool.generate(edited)


def test_both_clients_have_the_same_public_methods_and_signatures() -> None:
    def public(cls: type) -> dict[str, inspect.Signature]:
        return {
            name: inspect.signature(member)
            for name, member in inspect.getmembers(cls, callable)
            if not name.startswith("_") and name not in ("close", "aclose")
        }

    sync, async_ = public(immiche.Client), public(immiche.AsyncClient)
    assert sync.keys() == async_.keys()
    for name in sync:
        assert list(sync[name].parameters) == list(async_[name].parameters), name
