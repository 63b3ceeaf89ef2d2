"""Person and asset ids as immiche checks them: canonical UUIDs, compared lower-case. No I/O."""

from __future__ import annotations

import re
import uuid
from typing import Final

from immiche.errors import InvalidArgumentError
from immiche.people import Person

__all__ = ["UUID_PATTERN", "canonical_id"]

UUID_PATTERN: Final = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def canonical_id(value: object, what: str = "person id") -> str:
    """``value`` (a :class:`Person`, a ``uuid.UUID`` or a canonical UUID string) as a lower-case UUID string.

    Raises:
        InvalidArgumentError: anything else (an upper-case id is accepted and lower-cased: Immich
            compares ids as lower-case text and answers "not found" to an upper-case copy).
    """
    if isinstance(value, Person):
        value = value.id
    if isinstance(value, uuid.UUID):
        return str(value)
    if not isinstance(value, str):
        raise InvalidArgumentError(f"a {what} must be a UUID string, not {type(value).__name__}")
    text = value.strip()
    if not UUID_PATTERN.fullmatch(text):
        raise InvalidArgumentError(
            f"{value[:60]!r} is not a valid {what}",
            hint="ids are UUIDs like 5174df3b-37a7-46b2-a6c6-5cee411fbdae ('immiche people list' shows them)",
        )
    return text.lower()
