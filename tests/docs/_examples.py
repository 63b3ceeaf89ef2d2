"""Find the code examples of the Markdown documentation (README.md and docs/**/*.md).

Conventions (documented in docs/development.md, "Examples that run"):

- A ```python block is a Python example; a page's blocks run in order in one namespace. A block
  with a file name (```python title="test_people.py"```, shown as the file's name) is that file:
  it is written into the working directory, for the commands after it to use.
- A ```console block holds shell commands, each on a line starting with ``$ `` (a line ending in
  ``\\`` continues on the next); the other lines are the output shown to the reader, not checked.
- An example that cannot run is marked on the line just before its fence with
  ``<!-- not-run: the reason -->``; the test suite lists those, so they stay few.
- Other fences (```sh for set-up commands, ```text, ```json...) are prose, not run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN_LANGUAGES = ("python", "console")

_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>[^`\n]*)$")
_TITLE = re.compile(r'title="(?P<title>[^"]+)"')
_NOT_RUN = re.compile(r"^\s*<!--\s*not-run:\s*(?P<reason>.+?)\s*-->\s*$")


@dataclass(frozen=True)
class Example:
    """One fenced code block of a page."""

    page: str  # relative to the repository root
    line: int  # the line of the opening fence, 1-based
    language: str
    code: str
    not_run: str | None  # the reason, when marked not-run
    title: str | None = None  # a file name: the block is that file's content

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def runs(self) -> bool:
        return self.language in RUN_LANGUAGES and self.not_run is None

    def commands(self) -> list[str]:
        """A console block's commands (``$ `` lines, continuations joined)."""
        commands: list[str] = []
        pending: str | None = None
        for raw in self.code.splitlines():
            if pending is not None:
                pending += "\n" + raw
                if not raw.endswith("\\"):
                    commands.append(pending)
                    pending = None
                continue
            if raw.startswith("$ "):
                command = raw[2:]
                if command.endswith("\\"):
                    pending = command
                else:
                    commands.append(command)
        if pending is not None:
            commands.append(pending)
        return commands


def pages() -> list[Path]:
    """The pages whose examples run: README.md, then docs/ in name order."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def examples(page: Path, root: Path = ROOT) -> list[Example]:
    """The fenced code blocks of ``page`` in order (``page`` named relative to ``root``)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Example] = []
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        indent, fence = len(match["indent"]), match["fence"]
        language = match["info"].strip().split(" ")[0].lower() if match["info"].strip() else ""
        previous = lines[index - 1] if index else ""
        marker = _NOT_RUN.match(previous)
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not re.match(
            rf"^ {{0,{indent + 3}}}{re.escape(fence[0])}{{{len(fence)},}}\s*$", lines[end]
        ):
            line = lines[end]
            body.append(line[indent:] if line[:indent].strip() == "" else line)
            end += 1
        found.append(
            Example(
                page=page.relative_to(root).as_posix(),
                line=index + 1,
                language=language,
                code="\n".join(body) + "\n",
                not_run=marker["reason"] if marker else None,
                title=title["title"] if (title := _TITLE.search(match["info"])) else None,
            )
        )
        index = end + 1
    return found
