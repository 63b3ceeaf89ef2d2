"""README.md is a landing page: under 8 KB, the two set-up commands first, and links that resolve."""

from __future__ import annotations

import re

from tests.docs._examples import ROOT

README = ROOT / "README.md"
_LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def _relative_links() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return [m["target"] for m in _LINK.finditer(text) if not re.match(r"[a-z]+:", m["target"])]


def test_readme_stays_under_8_kb() -> None:
    size = len(README.read_bytes())
    assert size < 8 * 1024, f"README.md is {size} bytes: move the details into docs/"


def test_readme_starts_with_the_two_setup_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first_block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in first_block.splitlines()]
    assert commands == ["make demo", "make test"]
    assert text.index("```sh") < text.index("\n## ")


def test_readme_links_resolve_and_reach_the_docs() -> None:
    links = _relative_links()
    into_docs = [link for link in links if link.startswith("docs/")]
    assert len(into_docs) >= 10
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for link in links:
        path = link.split("#", 1)[0]
        assert (ROOT / path).is_file(), f"README.md links to {link}, which does not exist"
        if path.startswith("docs/"):
            assert path.removeprefix("docs/") in nav, f"{path} is not in mkdocs.yml's nav"


def test_the_quickstart_has_the_same_two_commands() -> None:
    def first_sh_block(text: str) -> str:
        return text.split("```sh\n", 1)[1].split("```", 1)[0]

    quickstart = (ROOT / "docs" / "quickstart.md").read_text(encoding="utf-8")
    assert first_sh_block(quickstart) == first_sh_block(README.read_text(encoding="utf-8"))
