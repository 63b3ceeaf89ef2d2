"""Immich's answers to curation requests: bulk results, merges, statistics. No I/O.

Public through :mod:`immiche.curation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from immiche._ids import canonical_id
from immiche.errors import ImmichError, InvalidResponseError
from immiche.people import Person

__all__ = ["BulkItemResult", "BulkResult", "MergeError", "MergeResult", "PersonStatistics", "verify_merge"]


class MergeError(ImmichError):
    """A merge did not do what was asked: nothing merged, or some people not merged.

    Attributes:
        result: what the server reported (``merged`` happened; ``failed`` did not), when it answered.
    """

    def __init__(self, message: str, *, result: MergeResult | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.result = result


class BulkItemResult(NamedTuple):
    """One item of a bulk answer: ``error`` is Immich's reason code (``"unknown"``, ``"no_permission"``...),
    ``message`` its text (``errorMessage``, v2.7+), both ``None`` on success."""

    id: str
    success: bool
    error: str | None = None
    message: str | None = None

    @property
    def reason(self) -> str | None:
        """Why it failed, in words: the message, else the code; ``None`` on success."""
        if self.success:
            return None
        return self.message or self.error or "failed (the server gave no reason)"


_NO_ANSWER: Final = "the server did not report this item"


def _bulk_item(item: object) -> BulkItemResult:
    if not isinstance(item, Mapping):
        raise InvalidResponseError(f"a bulk result item is not an object but {type(item).__name__}")
    item_id, success = item.get("id"), item.get("success")
    if not isinstance(item_id, str) or type(success) is not bool:
        raise InvalidResponseError("a bulk result item lacks a string 'id' or a boolean 'success'")
    error, message = item.get("error"), item.get("errorMessage")
    return BulkItemResult(
        item_id,
        success,
        None if success or not isinstance(error, str) else error,
        None if success or not isinstance(message, str) or not message else message,
    )


@dataclass(frozen=True)
class BulkResult:
    """What a bulk operation did, item by item, in input order.

    Attributes:
        items: one :class:`BulkItemResult` per requested item.
    """

    items: tuple[BulkItemResult, ...] = field(default_factory=tuple)

    @classmethod
    def from_json(cls, data: object, ids: Sequence[str] | None = None) -> BulkResult:
        """Read a ``BulkIdResponseDto`` list (v2 codes, v3 enum, extra keys ignored).

        With ``ids`` (the requested ids, in order), the answer is aligned to them: an id the
        server did not report is a failure ("the server did not report this item"), and an
        answer for an id that was not asked is an :class:`InvalidResponseError`.
        """
        if not isinstance(data, list):
            raise InvalidResponseError(f"a bulk answer must be a list, not {type(data).__name__}")
        answered = [_bulk_item(item) for item in data]
        if ids is None:
            return cls(tuple(answered))
        queue: dict[str, list[BulkItemResult]] = {}
        for item in answered:
            queue.setdefault(item.id.lower(), []).append(item)
        wanted = [person_id.lower() for person_id in ids]
        stray = set(queue) - set(wanted)
        if stray:
            raise InvalidResponseError(f"the server reported on ids that were not requested: {sorted(stray)[:5]}")
        items = []
        for person_id, key in zip(ids, wanted, strict=True):
            found = queue.get(key)
            items.append(found.pop(0) if found else BulkItemResult(person_id, False, "unknown", _NO_ANSWER))
        return cls(tuple(items))

    @classmethod
    def concat(cls, results: Iterable[BulkResult]) -> BulkResult:
        """One result of several batches, in order."""
        return cls(tuple(item for result in results for item in result.items))

    @property
    def succeeded(self) -> list[str]:
        """The ids applied, in input order."""
        return [item.id for item in self.items if item.success]

    @property
    def failed(self) -> dict[str, str]:
        """id -> the server's reason, for every item not applied."""
        return {item.id: item.reason or "" for item in self.items if not item.success}

    @property
    def ok(self) -> bool:
        return all(item.success for item in self.items)

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class MergeResult:
    """A verified merge: ``merged`` were merged into ``into``; ``failed`` maps id -> reason;
    ``also_merged``: people the server reports merged too, though not asked (v3.2.1+ merges the
    other face clusters of the same cluster group)."""

    into: str
    merged: tuple[str, ...]
    failed: Mapping[str, str] = field(default_factory=dict)
    also_merged: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failed


def verify_merge(into: str | Person, sources: Sequence[str | Person], answer: object) -> MergeResult:
    """Check a merge answer (a ``BulkIdResponseDto`` list) against what was asked.

    Raises:
        MergeError: nothing was merged (``200 []``, as Immich v3.2.0 answered while doing nothing),
            or some source was not merged (``result`` says which were).
        InvalidResponseError: the answer is not a bulk answer.
    """
    target = canonical_id(into)
    ids = [canonical_id(source) for source in sources]
    items = answer if isinstance(answer, list) else None
    others: list[str] = []
    if items is not None:  # v3.2.1+ may also report the target and other clusters of its group
        asked = set(ids)
        kept = []
        for item in items:
            item_id = str(item.get("id", "")).lower() if isinstance(item, Mapping) else None
            if item_id is None or item_id in asked:
                kept.append(item)
            elif item_id != target and isinstance(item, Mapping) and item.get("success") is True:
                others.append(item_id)
        items = kept
    if ids and items == []:
        raise MergeError(
            f"the server answered the merge into {target} with no result: nothing was merged",
            hint="a known bug of Immich v3.2.0; upgrade the server",
        )
    result = BulkResult.from_json(items if items is not None else answer, ids)
    merged = MergeResult(target, tuple(result.succeeded), result.failed, tuple(others))
    if not merged.ok:
        reasons = "; ".join(f"{person_id}: {reason}" for person_id, reason in merged.failed.items())
        raise MergeError(
            f"{len(merged.failed)} of {len(ids)} people were not merged into {target} ({reasons})",
            result=merged,
            hint="'no_permission' means an unknown id or a person already merged away",
        )
    return merged


@dataclass(frozen=True, slots=True)
class PersonStatistics:
    """A person's statistics: ``assets`` = distinct visible assets with a face of the person."""

    assets: int

    @classmethod
    def from_json(cls, data: object) -> PersonStatistics:
        """Read ``{"assets": N}`` (extra keys ignored). Raises :class:`InvalidResponseError`."""
        assets = data.get("assets") if isinstance(data, Mapping) else None
        if type(assets) is not int or assets < 0:
            raise InvalidResponseError("person statistics need a non-negative integer 'assets'")
        return cls(assets)
