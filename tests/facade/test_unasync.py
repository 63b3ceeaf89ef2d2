"""Client's API section is generated from AsyncClient's (tools/unasync.py), and kept current."""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType

import pytest

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


def test_every_sync_method_group_is_what_its_async_source_gives() -> None:
    tool = _tool()
    sources = sorted(tool.ASYNC_DIR.glob("*.py"))
    assert {p.name for p in sources} >= {"people.py", "server.py"}
    for source in sources:
        twin = tool.SYNC_DIR / source.name
        assert twin.read_text(encoding="utf-8") == tool.generate(source.read_text(encoding="utf-8"), source.name)
    assert tool.main(["--check"]) == 0


def test_an_edit_to_an_async_method_shows_in_its_sync_twin() -> None:
    tool = _tool()
    text = (tool.ASYNC_DIR / "people.py").read_text(encoding="utf-8")
    edited = text.replace(
        "        return await self._run(people_ops.fetch_person(self._engine, await self._api(), person_id))",
        "        return await self._run(people_ops.fetch_person(self._engine, await self._api(), str(person_id)))",
    )
    assert edited != text
    generated = tool.generate(edited, "people.py")
    assert "people_ops.fetch_person(self._engine, self._api(), str(person_id))" in generated
    assert "async " not in generated and "await " not in generated
    assert "class PeopleMethods(Driven):" in generated


def test_check_reports_a_stale_sync_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tool = _tool()
    async_dir, sync_dir = tmp_path / "_async", tmp_path / "_sync"
    async_dir.mkdir()
    sync_dir.mkdir()
    (async_dir / "things.py").write_text(
        "class AsyncThings:\n    async def get(self) -> int:\n        return await self._get()\n", encoding="utf-8"
    )
    (sync_dir / "gone.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(tool, "ASYNC_DIR", async_dir)
    monkeypatch.setattr(tool, "SYNC_DIR", sync_dir)
    assert tool.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "things.py" in err and "gone.py" in err
    assert tool.main([]) == 0
    assert not (sync_dir / "gone.py").exists()
    assert "    def get(self) -> int:\n        return self._get()" in (sync_dir / "things.py").read_text(
        encoding="utf-8"
    )
    assert tool.main(["--check"]) == 0


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
