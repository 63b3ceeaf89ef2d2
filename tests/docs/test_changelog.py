"""CHANGELOG.md keeps the Keep a Changelog format and records the current version."""

from __future__ import annotations

import re

import immiche
from tests.docs._examples import ROOT

CHANGELOG = ROOT / "CHANGELOG.md"
KINDS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_keep_a_changelog_format_and_the_current_version() -> None:
    text = CHANGELOG.read_text(encoding="utf-8")
    versions = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, flags=re.MULTILINE)
    headings = re.findall(r"^## .*$", text, flags=re.MULTILINE)
    assert len(versions) == len(headings), f"a version heading is not '## [X.Y.Z] - YYYY-MM-DD': {headings}"
    assert versions[0] == ("Unreleased", "")
    assert all(date for _, date in versions[1:]), "every released version has its date"
    assert (immiche.__version__, versions[1][1]) in versions, f"no entry for {immiche.__version__}"
    kinds = set(re.findall(r"^### (.+)$", text, flags=re.MULTILINE))
    assert kinds <= KINDS, f"unknown change kinds: {kinds - KINDS}"
    assert "(see `docs/version-policy.md`)" in text or "docs/version-policy.md" in text
