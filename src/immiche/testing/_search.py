"""``GET /search/person``'s name matching, as Immich v2 and v3 do it."""

from __future__ import annotations

import re
import unicodedata

from immiche.testing._models import FakePerson

__all__ = ["search_v2", "search_v3"]


def _like(pattern: str) -> re.Pattern[str]:
    """SQL ``LIKE`` (``%``, ``_``, backslash escapes) as a regular expression."""
    out, escaped = [], False
    for char in pattern:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.DOTALL)


def search_v2(people: list[FakePerson], name: str) -> list[FakePerson]:
    """Immich <= 2.6: ``lower(name) LIKE 'q%' OR lower(name) LIKE '% q%'``, unescaped, 1000 at most."""
    query = name.lower()
    prefix, word = _like(f"{query}%"), _like(f"% {query}%")
    return [p for p in people if prefix.fullmatch(p.name.lower()) or word.fullmatch(p.name.lower())][:1000]


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


def search_v3(people: list[FakePerson], name: str) -> list[FakePerson]:
    """Immich v3 (approximation): accent-insensitive word prefixes, best match first, 100 at most."""
    query = _fold(name).strip()
    ranked = []
    for index, person in enumerate(people):
        folded = _fold(person.name)
        if folded == query:
            rank = 0
        elif folded.startswith(query):
            rank = 1
        elif any(word.startswith(query) for word in folded.split()[1:]) or f" {query}" in folded:
            rank = 2
        else:
            continue
        ranked.append((rank, index, person))
    return [person for _, _, person in sorted(ranked, key=lambda item: item[:2])][:100]
