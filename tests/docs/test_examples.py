"""Every example of the documentation runs against the fake Immich server, so none can rot.

Each page (README.md, docs/**/*.md) runs on its own fake server, in a fresh working directory,
as a user who has logged in once (profile ``home``, the current one). Its ```python blocks run in
order in one namespace; its ```console blocks run each ``$ `` command with bash (``pipefail``) and
``immiche`` on ``PATH``, and must exit 0. Placeholders map to the fake server:
``https://photos.example.com`` is its URL, ``YOUR_API_KEY`` its API key (all permissions),
``you@example.com`` / ``YOUR_PASSWORD`` its user's login, and ``key.txt`` in the working
directory holds the API key. See docs/development.md, "Examples that run".
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

import immiche
from immiche import session
from immiche.testing import FakeImmichServer
from tests.docs._examples import ROOT, Example, examples, pages

PLACEHOLDER_URL = "https://photos.example.com"
PLACEHOLDER_KEY = "YOUR_API_KEY"
PLACEHOLDER_EMAIL = "you@example.com"
PLACEHOLDER_PASSWORD = "YOUR_PASSWORD"
#: Examples marked ``<!-- not-run: ... -->``; raise this only with a reason in the review.
MAX_NOT_RUN = 6

RUNNABLE = [page for page in pages() if any(example.runs for example in examples(page))]


def _id(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def _substitute(code: str, server: FakeImmichServer) -> str:
    return (
        code.replace(PLACEHOLDER_URL, server.url)
        .replace(PLACEHOLDER_KEY, server.api_key)
        .replace(PLACEHOLDER_EMAIL, server.user.email)
        .replace(PLACEHOLDER_PASSWORD, server.user.password)
    )


def run_example(example: Example, server: FakeImmichServer, namespace: dict[str, object], cwd: Path) -> None:
    """Run one example; raise AssertionError (naming the page and line) when it fails."""
    if example.title is not None:
        (cwd / example.title).write_text(_substitute(example.code, server), encoding="utf-8")
        return
    if example.language == "python":
        code = compile(_substitute(example.code, server), example.where, "exec")
        exec(code, namespace)
        return
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("COLUMNS", None)
    for command in example.commands():
        completed = subprocess.run(
            ["bash", "-o", "pipefail", "-c", _substitute(command, server)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert completed.returncode == 0 and "Traceback" not in completed.stderr, (
            f"{example.where}: `$ {command}` exited {completed.returncode}\n"
            f"stdout:\n{completed.stdout}\nstderr:\n{completed.stderr}"
        )


def _logged_in(server: FakeImmichServer) -> None:
    """The state every page starts from: one login saved as profile ``home``, the current one."""
    stored = session.Session.create(server.url, session.ApiKey(server.api_key, name="docs"))
    session.save(stored, "home")
    session.set_current_profile("home")


@pytest.mark.parametrize("page", RUNNABLE, ids=_id)
def test_page_examples_run(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_immich: Callable[..., FakeImmichServer]
) -> None:
    server = fake_immich()
    monkeypatch.chdir(tmp_path)
    _logged_in(server)
    (tmp_path / "key.txt").write_text(server.api_key + "\n", encoding="utf-8")
    namespace: dict[str, object] = {"__name__": "__docs_example__"}
    ran = 0
    for example in examples(page):
        if example.runs:
            run_example(example, server, namespace, tmp_path)
            ran += 1
    assert ran > 0


def test_examples_are_found_and_few_are_not_run() -> None:
    """The documentation has runnable examples of both kinds, and the not-run ones are listed."""
    everything = [example for page in pages() for example in examples(page)]
    languages = {example.language for example in everything if example.runs}
    assert {"python", "console"} <= languages
    not_run = [example for example in everything if example.not_run is not None]
    listing = "\n".join(f"  {example.where}: {example.not_run}" for example in not_run)
    print(f"\nexamples not run ({len(not_run)}):\n{listing}")
    assert len(not_run) <= MAX_NOT_RUN, f"too many examples marked not-run:\n{listing}"
    assert all(example.not_run for example in not_run), "a not-run marker needs its reason"


def test_a_broken_example_fails_with_its_page_and_line(
    tmp_path: Path, fake_immich: Callable[..., FakeImmichServer]
) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        textwrap.dedent(
            """\
            # A page

            ```python
            import immiche

            client = immiche.Client("https://photos.example.com", api_key="YOUR_API_KEY")
            ```

            <!-- not-run: shows a failure -->
            ```python
            raise RuntimeError("never run")
            ```

            ```console
            $ immiche people show not-a-uuid
            ```
            """
        ),
        encoding="utf-8",
    )
    found = examples(page, root=tmp_path)
    assert [(example.language, example.line, example.not_run) for example in found] == [
        ("python", 3, None),
        ("python", 10, "shows a failure"),
        ("console", 14, None),
    ]
    server = fake_immich()
    _logged_in(server)
    namespace: dict[str, object] = {}
    run_example(found[0], server, namespace, tmp_path)
    client = namespace["client"]
    assert isinstance(client, immiche.Client)
    with client:
        client.connect()
        assert client.api_root == server.url + "/api"  # the placeholder URL and key mapped to the server
        assert client.whoami().email == server.user.email
    with pytest.raises(AssertionError, match=r"page\.md:14: `\$ immiche people show not-a-uuid` exited 2"):
        run_example(found[2], server, namespace, tmp_path)
