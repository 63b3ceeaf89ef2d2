"""The undo journal of people curation: what each write changed, kept before it is sent.

Every write command first records a :class:`ChangeSet` (the previous value of each field it
touches; for a merge or a delete, the full previous record of each person removed) with
:meth:`Journal.record`. ``people undo`` reads :meth:`Journal.last`, turns it into an
:class:`UndoPlan` (:func:`undo_plan`): the updates that restore the previous values where the API
allows it (name, birth date, hidden, favourite, colour), and the people that cannot come back
(merged or deleted), whose records the journal keeps so that nothing is lost without trace.
Once reverted, :meth:`Journal.mark_undone` appends a marker.

The file (:data:`JOURNAL_NAME` in the profile's directory) is JSON lines, one change set or marker
per line, and is only ever appended to, never rewritten: each line is written whole with one
``write`` on an ``O_APPEND`` descriptor and fsynced, under an exclusive lock where the platform
has one; the file is created ``0600`` (whatever the umask) in a ``0700`` directory. The reader
ignores a torn last line (a write cut by a crash) and any line it cannot read, and the next
append starts on a fresh line. The journal holds person data and a command name only, never a
credential or a server URL.

Example:
    >>> journal = Journal.in_directory(profile_dir)  # doctest: +SKIP
    >>> journal.record(ChangeSet.for_updates("people edit", [update], people))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime
import json
import os
import re
import sys
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Literal

from immiche._atomic import fsync_dir
from immiche.curation import InvalidUpdateError, PersonUpdate
from immiche.errors import InvalidArgumentError, SessionError
from immiche.people import Person

if sys.platform != "win32":
    import fcntl

__all__ = [
    "JOURNAL_NAME",
    "REVERTIBLE_FIELDS",
    "ChangeSet",
    "Journal",
    "JournalError",
    "PersonChange",
    "RemovedPerson",
    "UndoPlan",
    "undo_plan",
]

JOURNAL_NAME: Final = "people-journal.jsonl"
#: The fields ``people undo`` can set back through the API.
REVERTIBLE_FIELDS: Final = ("name", "birth_date", "is_hidden", "is_favorite", "color")
_VERSION: Final = 1
_FILE_MODE: Final = 0o600
_DIR_MODE: Final = 0o700
_COMMAND: Final = re.compile(r"[a-z][a-z -]{0,39}")


class JournalError(SessionError):
    """The undo journal cannot be read or written (the profile directory is not usable)."""


def _json_value(value: object) -> Any:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class PersonChange:
    """The fields one write touches on one person: ``before`` (``None`` when the previous values
    were not known) and ``after``, both JSON-ready, snake_case."""

    person_id: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.person_id,
            "before": dict(self.before) if self.before is not None else None,
            "after": dict(self.after),
        }


@dataclass(frozen=True)
class RemovedPerson:
    """A person a merge or a delete removes, with the full record as it was (``Person.to_dict()``)."""

    record: Mapping[str, Any]
    reason: Literal["merged", "deleted"]
    into: str | None = None

    @property
    def person_id(self) -> str:
        return str(self.record.get("id", ""))

    def to_json(self) -> dict[str, Any]:
        return {"person": dict(self.record), "reason": self.reason, "into": self.into}


@dataclass(frozen=True)
class ChangeSet:
    """What one write command changes. ``id``, ``recorded_at`` and ``undone`` are set by the journal.

    Build one with :meth:`for_updates`, :meth:`for_merge` or :meth:`for_delete`.
    """

    command: str
    changes: tuple[PersonChange, ...] = ()
    removed: tuple[RemovedPerson, ...] = ()
    id: str = ""
    recorded_at: datetime.datetime | None = None
    undone: bool = False

    @classmethod
    def for_updates(
        cls, command: str, updates: Iterable[PersonUpdate], current: Iterable[Person] | Mapping[str, Person]
    ) -> ChangeSet:
        """The change set of ``updates``; ``current`` (the people as they are now) gives the
        previous values. A person not in ``current`` gets ``before=None`` (cannot be undone)."""
        people = current if isinstance(current, Mapping) else {person.id.lower(): person for person in current}
        changes = []
        for update in updates:
            values = update.changes
            person = people.get(update.id)
            before = None
            if person is not None:
                before = {name: _json_value(getattr(person, name, None)) for name in values}
            after = {name: _json_value(value) for name, value in values.items()}
            changes.append(PersonChange(update.id, before, after))
        return cls(command, tuple(changes))

    @classmethod
    def for_merge(
        cls, command: str, into: Person, sources: Iterable[Person], counts: Mapping[str, int] | None = None
    ) -> ChangeSet:
        """A merge: every source's full record (they disappear), and the target's record before
        (Immich may give it a source's name and birth date). ``counts`` (id -> assets) adds each
        person's asset count to its record."""
        removed = tuple(RemovedPerson(_record(person, counts), "merged", into.id) for person in sources)
        target = PersonChange(into.id, _record(into, counts), {})
        return cls(command, (target,), removed)

    @classmethod
    def for_delete(cls, command: str, people: Iterable[Person], counts: Mapping[str, int] | None = None) -> ChangeSet:
        """A delete: every person's full record (with its asset count, when ``counts`` has it)."""
        return cls(command, (), tuple(RemovedPerson(_record(person, counts), "deleted") for person in people))

    def to_json(self) -> dict[str, Any]:
        return {
            "v": _VERSION,
            "type": "changes",
            "id": self.id,
            "at": self.recorded_at.isoformat() if self.recorded_at else None,
            "command": self.command,
            "changes": [change.to_json() for change in self.changes],
            "removed": [removed.to_json() for removed in self.removed],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ChangeSet:
        """Read one journal line (``ValueError``/``TypeError``/``KeyError`` for a malformed one)."""
        changes = tuple(
            PersonChange(str(item["id"]), _mapping_or_none(item.get("before")), _mapping(item.get("after", {})))
            for item in data.get("changes", [])
        )
        removed = tuple(
            RemovedPerson(_mapping(item["person"]), _reason(item.get("reason")), _str_or_none(item.get("into")))
            for item in data.get("removed", [])
        )
        at = data.get("at")
        return cls(
            command=str(data.get("command", "")),
            changes=changes,
            removed=removed,
            id=str(data["id"]),
            recorded_at=datetime.datetime.fromisoformat(at) if isinstance(at, str) else None,
        )


def _record(person: Person, counts: Mapping[str, int] | None) -> dict[str, Any]:
    record = person.to_dict()
    if counts is not None and person.id in counts:
        record["assets"] = counts[person.id]
    return record


def _mapping(value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError("not an object")
    return dict(value)


def _mapping_or_none(value: object) -> Mapping[str, Any] | None:
    return None if value is None else _mapping(value)


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _reason(value: object) -> Literal["merged", "deleted"]:
    if value == "merged":
        return "merged"
    if value == "deleted":
        return "deleted"
    raise ValueError(f"unknown removal reason {value!r}")


# -- the undo plan ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UndoPlan:
    """What undoing a change set does.

    Attributes:
        change_set_id: the change set it reverts.
        updates: the updates that restore the previous values the API can set.
        irreversible: the people merged or deleted: they cannot come back (their records are here).
        skipped: ``(person id, field, why)`` for each change that cannot be reverted.
        expected: person id -> the values the change set set, to detect later edits (:meth:`conflicts`).
    """

    change_set_id: str
    updates: tuple[PersonUpdate, ...] = ()
    irreversible: tuple[RemovedPerson, ...] = ()
    skipped: tuple[tuple[str, str, str], ...] = ()
    expected: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def fully_reversible(self) -> bool:
        return not self.irreversible and not self.skipped

    def conflicts(self, current: Iterable[Person]) -> list[tuple[str, str, Any, Any]]:
        """``(person id, field, value set by the change, value now)`` where someone changed a
        field again since: undoing would overwrite that later change. A person missing from
        ``current`` (deleted since) is reported with the field ``"*"``."""
        people = {person.id.lower(): person for person in current}
        found: list[tuple[str, str, Any, Any]] = []
        for person_id, values in self.expected.items():
            person = people.get(person_id)
            if person is None:
                found.append((person_id, "*", None, None))
                continue
            for name, value in values.items():
                now = _json_value(getattr(person, name, None))
                if now != value:
                    found.append((person_id, name, value, now))
        return found


def undo_plan(change_set: ChangeSet) -> UndoPlan:
    """The :class:`UndoPlan` of ``change_set`` (pure; nothing is sent or written)."""
    updates: list[PersonUpdate] = []
    skipped: list[tuple[str, str, str]] = []
    expected: dict[str, dict[str, Any]] = {}
    removed_ids = {removed.person_id for removed in change_set.removed}
    for change in change_set.changes:
        if not change.after:
            continue  # a merge target's snapshot: kept for the record only
        if change.before is None:
            skipped += [(change.person_id, name, "its previous value was not known") for name in change.after]
            continue
        values: dict[str, Any] = {}
        for name in change.after:
            if name not in REVERTIBLE_FIELDS:
                skipped.append((change.person_id, name, "the API cannot tell its previous value"))
            elif name == "is_favorite" and change.before.get(name) is None:
                skipped.append((change.person_id, name, "the server did not report its previous value"))
            elif name in change.before:
                values[name] = change.before[name]
        if change.person_id in removed_ids or not values:
            continue
        try:
            # the previous values were on the server: no "future" check against this clock
            updates.append(PersonUpdate(change.person_id, **values, today=datetime.date.max))
        except InvalidUpdateError as err:
            skipped += [(change.person_id, name, f"unreadable previous value ({err.message})") for name in values]
            continue
        expected.setdefault(change.person_id, {}).update({name: change.after[name] for name in values})
    return UndoPlan(change_set.id, tuple(updates), change_set.removed, tuple(skipped), expected)


# -- the file ---------------------------------------------------------------------------------------


class Journal:
    """The append-only undo journal at ``path`` (see the module documentation)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path: Path = Path(path)
        self.skipped_lines: int = 0
        """Lines the last read could not use (a torn last line, a damaged or newer-format line)."""

    @classmethod
    def in_directory(cls, directory: str | os.PathLike[str]) -> Journal:
        """The journal of a profile directory (``SessionStore.config_dir(profile)``)."""
        return cls(Path(directory) / JOURNAL_NAME)

    def __repr__(self) -> str:
        return f"Journal({str(self.path)!r})"

    # writing

    def record(self, change_set: ChangeSet, *, now: datetime.datetime | None = None) -> str:
        """Append ``change_set`` (durably: fsynced) before its write is sent; return its new id.

        Raises:
            InvalidArgumentError: ``command`` is not a plain command name (``"people edit"``): the
                journal never stores a command line, which could hold a credential.
            JournalError: the journal cannot be written; the caller must not send the write.
        """
        if not isinstance(change_set.command, str) or not _COMMAND.fullmatch(change_set.command):
            raise InvalidArgumentError(
                f"a journal entry needs a command name like 'people edit', not {str(change_set.command)[:20]!r}..."
            )
        entry = replace(
            change_set,
            id=uuid.uuid4().hex,
            recorded_at=now or datetime.datetime.now(datetime.timezone.utc),
            undone=False,
        )
        self._append(entry.to_json())
        return entry.id

    def mark_undone(self, change_set_id: str, *, now: datetime.datetime | None = None) -> None:
        """Append the marker that ``change_set_id`` was reverted (the line itself is never rewritten).

        Raises:
            InvalidArgumentError: no change set has this id.
            JournalError: the journal cannot be written.
        """
        if not any(entry.id == change_set_id for entry in self.entries()):
            raise InvalidArgumentError(f"the journal has no change set {change_set_id!r}")
        moment = now or datetime.datetime.now(datetime.timezone.utc)
        self._append({"v": _VERSION, "type": "undone", "id": change_set_id, "at": moment.isoformat()})

    def _append(self, entry: Mapping[str, Any]) -> None:
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        directory = self.path.parent
        try:
            created_dir = not directory.exists()
            directory.mkdir(mode=_DIR_MODE, parents=True, exist_ok=True)
            if created_dir:
                os.chmod(directory, _DIR_MODE)  # whatever the umask
            flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
            created_file = not self.path.exists()
            fd = os.open(self.path, flags, _FILE_MODE)
        except OSError as err:
            raise self._error("write", err) from None
        try:
            if sys.platform != "win32":
                fcntl.flock(fd, fcntl.LOCK_EX)  # one writer at a time; released by close
            if hasattr(os, "fchmod") and os.fstat(fd).st_mode & 0o777 != _FILE_MODE:
                os.fchmod(fd, _FILE_MODE)
            size = os.fstat(fd).st_size
            if size and os.lseek(fd, size - 1, os.SEEK_SET) >= 0 and os.read(fd, 1) != b"\n":
                line = b"\n" + line  # a torn last line: start a fresh one
            view = memoryview(line)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except OSError as err:
            raise self._error("write", err) from None
        finally:
            os.close(fd)
        if created_file:
            fsync_dir(directory)

    def _error(self, action: str, err: OSError) -> JournalError:
        return JournalError(
            f"cannot {action} the undo journal {self.path}: {err.strerror or err}",
            hint="check that the profile directory exists and is writable by you",
        )

    # reading

    def entries(self) -> list[ChangeSet]:
        """Every change set, oldest first, with ``undone`` set from the markers. A missing file is empty."""
        try:
            with open(self.path, "rb") as stream:
                data = stream.read()
        except FileNotFoundError:
            return []
        except OSError as err:
            raise self._error("read", err) from None
        self.skipped_lines = 0
        entries: dict[str, ChangeSet] = {}
        undone: set[str] = set()
        for raw in data.split(b"\n"):
            if not raw.strip():
                continue
            try:
                item = json.loads(raw)
                if item.get("v") != _VERSION:
                    raise ValueError("unknown format version")
                if item.get("type") == "undone":
                    undone.add(str(item["id"]))
                elif item.get("type") == "changes":
                    entry = ChangeSet.from_json(item)
                    entries[entry.id] = entry
                else:
                    raise ValueError("unknown line type")
            except (ValueError, TypeError, KeyError, AttributeError):
                self.skipped_lines += 1
        return [replace(entry, undone=entry.id in undone) for entry in entries.values()]

    def last(self, undone: bool = False) -> ChangeSet | None:
        """The newest change set not yet undone; with ``undone=True`` the newest one, undone or not."""
        for entry in reversed(self.entries()):
            if undone or not entry.undone:
                return entry
        return None

    def get(self, change_set_id: str) -> ChangeSet | None:
        """The change set with this id, or None."""
        return next((entry for entry in self.entries() if entry.id == change_set_id), None)

    @staticmethod
    def undo_plan(change_set: ChangeSet) -> UndoPlan:
        """:func:`undo_plan`."""
        return undo_plan(change_set)
