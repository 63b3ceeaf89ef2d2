"""Ids checked before they reach a URL path."""

from __future__ import annotations

import re
import uuid

from immiche.errors import InvalidArgumentError

__all__ = ["UUID_PATTERN", "check_person_id", "check_uuid"]

UUID_PATTERN = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

_LISTED_BY = {"person": "'immiche people list' shows them"}


def check_uuid(value: object, kind: str) -> uuid.UUID:
    """Accept a ``kind`` id (person, asset, album...) only if it is a canonical UUID.

    36 characters: hex digits, and dashes at positions 9, 14, 19 and 24, so nothing else ever
    reaches a URL path and no id is silently read as another one (``uuid.UUID`` alone accepts
    ``+``, ``_``, braces and ``urn:uuid:``). A value with a string ``id`` (a :class:`Person`) gives
    its id.
    """
    if isinstance(value, uuid.UUID):
        return value
    if isinstance(value, tuple) and isinstance(getattr(value, "id", None), str):  # Person and its kin
        value = value.id  # type: ignore[attr-defined]
    if not isinstance(value, str):
        raise InvalidArgumentError(
            f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind} id must be a UUID string, not {type(value).__name__}"
        )
    text = value.strip()
    if UUID_PATTERN.fullmatch(text):
        return uuid.UUID(text)
    where = _LISTED_BY.get(kind)
    raise InvalidArgumentError(
        f"{value[:60]!r} is not {'an' if kind[:1] in 'aeiou' else 'a'} {kind} id",
        hint=f"{kind} ids are UUIDs like 5174df3b-37a7-46b2-a6c6-5cee411fbdae" + (f" ({where})" if where else ""),
    )


def check_person_id(person_id: object) -> uuid.UUID:
    """A person id (or a :class:`Person`) as a UUID; see :func:`check_uuid`."""
    return check_uuid(person_id, "person")
