"""Person and asset ids as the curation values keep them: canonical UUIDs, lower-case. No I/O.

The check itself is the engine's (:func:`immiche._engine.ids.check_uuid`): one rule for every id.
"""

from __future__ import annotations

from immiche._engine.ids import UUID_PATTERN, check_uuid

__all__ = ["UUID_PATTERN", "canonical_id"]


def canonical_id(value: object, what: str = "person") -> str:
    """``value`` (a :class:`Person`, a ``uuid.UUID`` or a canonical UUID string) as a lower-case UUID string.

    Raises:
        InvalidArgumentError: anything else (an upper-case id is accepted and lower-cased: Immich
            compares ids as lower-case text and answers "not found" to an upper-case copy).
    """
    return str(check_uuid(value, what))
