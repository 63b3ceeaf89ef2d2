"""A griffe extension for the documentation site (mkdocs.yml): reST leftovers in docstrings to Markdown.

immiche's docstrings follow the Google style, with a few reStructuredText habits that read well in
``help()`` and in an editor but not on the site: roles such as ``:class:`Person``` or
``:meth:`~immiche.Client.fetch_people``` become inline code (``Person``, ``fetch_people``), and a
paragraph ending in ``::`` (a literal block follows) ends in ``:``. The docstrings themselves are
left as they are.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|data|mod|attr|exc|obj|const):`(?P<tilde>~?)(?P<target>[^`]+)`")
_LITERAL_MARKER = re.compile(r"(?m)(?<=\S)::$")
_LONE_MARKER = re.compile(r"(?m)^\s*::\s*$")


def _role(match: re.Match[str]) -> str:
    target = match["target"]
    if match["tilde"]:
        target = target.rsplit(".", 1)[-1]
    return f"`{target}`"


def markdown(text: str) -> str:
    """``text`` with reST roles as inline code and literal-block markers as colons."""
    text = _ROLE.sub(_role, text)
    text = _LONE_MARKER.sub("", text)
    return _LITERAL_MARKER.sub(":", text)


class SphinxRoles(griffe.Extension):
    """Rewrite each docstring once it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown(obj.docstring.value)
