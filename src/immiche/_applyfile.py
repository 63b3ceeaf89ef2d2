"""Reading the input of ``people apply FILE``: CSV or JSON rows of person changes. No I/O.

The caller reads the file (or standard input for ``-``) and passes its text; :func:`parse_apply_file`
returns every row it could read and every problem of every row at once, with line numbers, so
that nothing is sent until the whole file is right.

CSV: a header row, then one row per person. The header names ``id`` and/or ``name``, then any
editable field (``birth_date``, ``is_hidden``, ``is_favorite``, ``color``, ``feature_face_asset_id``;
case, spaces and dashes in header names do not matter: ``Birth Date`` is ``birth_date``). A cell
left empty is not changed; ``none`` (or ``null``) clears ``birth_date`` and ``color``; booleans are
``true``/``false``, ``yes``/``no`` or ``1``/``0``. Cells are trimmed. The delimiter is ``,``, or
``;`` or a tab when the header has no comma (spreadsheets in many locales).

JSON: a list of objects with the same snake_case keys, exactly as ``people list --json`` writes
them (or ``{"people": [...]}``); ``thumbnail_path``, ``updated_at`` and ``assets`` are ignored.

A row with an ``id`` changes that person (its ``name`` is a new name); a row without one selects
the person by its exact ``name`` (resolved by the caller with :func:`immiche.curation.match_person`)
and cannot rename. The same person twice is a problem (Immich would apply both, the last winning).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, NamedTuple

from immiche._ids import canonical_id
from immiche._matching import normalize_name
from immiche.curation import (
    EDITABLE_FIELDS,
    READ_ONLY_KEYS,
    PersonUpdate,
    check_changes,
    key_problem,
)
from immiche.errors import InvalidArgumentError
from immiche.people import Person

__all__ = ["ApplyInput", "ApplyProblem", "ApplyRow", "InvalidApplyFileError", "parse_apply_file"]

Format = Literal["csv", "json"]

_TRUE: Final = frozenset({"true", "yes", "1"})
_FALSE: Final = frozenset({"false", "no", "0"})
_CLEAR: Final = frozenset({"none", "null"})
_BOOLEAN_FIELDS: Final = frozenset({"is_hidden", "is_favorite"})
_CLEARABLE_FIELDS: Final = frozenset({"birth_date", "color"})
_HEADER_SEPARATORS: Final = re.compile(r"[\s\-]+")
_KNOWN_COLUMNS: Final = frozenset({"id", *EDITABLE_FIELDS, *READ_ONLY_KEYS})


class ApplyProblem(NamedTuple):
    """One problem of the input: its line (``None`` for the whole input), the field, what is wrong."""

    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.field}: {self.message}" if self.field else f"{where}{self.message}"


class InvalidApplyFileError(InvalidArgumentError):
    """The input of ``people apply`` has problems; ``problems`` lists them all. Nothing was sent."""

    def __init__(self, problems: Sequence[ApplyProblem]) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(str(problem) for problem in self.problems[:10])
        more = len(self.problems) - 10
        if more > 0:
            shown += f"; and {more} more"
        count = len(self.problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the input: {shown}",
            hint="fix the input and run the command again: nothing was sent",
        )


@dataclass(frozen=True)
class ApplyRow:
    """One person's changes.

    Attributes:
        line: the row's (first) line in the input, 1-based.
        by: ``"id"`` or ``"name"``: how ``selector`` designates the person.
        selector: the person's id (lower case) or exact name.
        changes: the checked, normalised changes (snake_case; dates as ``datetime.date``).
    """

    line: int
    by: Literal["id", "name"]
    selector: str
    changes: Mapping[str, Any]

    def to_update(self, person: str | Person | None = None) -> PersonUpdate:
        """The :class:`PersonUpdate` of this row, for ``person`` (required for a row by name:
        the person the name resolved to)."""
        if person is None:
            if self.by != "id":
                raise InvalidArgumentError(f"line {self.line}: resolve the name {self.selector!r} to a person first")
            person = self.selector
        return PersonUpdate(person, **self.changes, today=datetime.date.max)  # checked when read


@dataclass(frozen=True)
class ApplyInput:
    """What :func:`parse_apply_file` read: the valid ``rows`` and every ``problem``, in input order."""

    format: Format
    rows: tuple[ApplyRow, ...] = ()
    problems: tuple[ApplyProblem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_for_problems(self) -> None:
        """Raise :class:`InvalidApplyFileError` when there is any problem."""
        if self.problems:
            raise InvalidApplyFileError(self.problems)


def detect_format(text: str) -> Format:
    """``"json"`` when the input starts (after blanks) with ``[`` or ``{``, else ``"csv"``."""
    start = text.lstrip("\ufeff \t\r\n")[:1]
    return "json" if start in ("[", "{") else "csv"


def parse_apply_file(
    data: str | bytes, *, format: Format | None = None, today: datetime.date | None = None
) -> ApplyInput:
    """Read ``people apply`` input (see the module documentation); never raises for bad content.

    Args:
        data: the whole input; bytes are read as UTF-8 (a BOM is allowed).
        format: ``"csv"`` or ``"json"``; by default :func:`detect_format` decides.
        today: the date "in the future" is judged against (default: today).
    """
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            kind: Format = format or "csv"
            return ApplyInput(kind, (), (ApplyProblem(None, "", f"the input is not UTF-8 text (byte {err.start})"),))
    else:
        text = data.removeprefix("\ufeff")
    kind = format or detect_format(text)
    reader = _Reader(kind, today)
    if kind == "json":
        reader.read_json(text)
    else:
        reader.read_csv(text)
    if not reader.rows and not reader.problems:
        reader.problems.append(ApplyProblem(None, "", "the input has no rows"))
    return ApplyInput(kind, tuple(reader.rows), tuple(reader.problems))


class _Reader:
    def __init__(self, kind: Format, today: datetime.date | None) -> None:
        self.kind = kind
        self.today = today
        self.rows: list[ApplyRow] = []
        self.problems: list[ApplyProblem] = []
        self.seen: dict[tuple[str, str], int] = {}

    def add(self, line: int, values: Mapping[str, object]) -> None:
        """Check one row's values (already typed) and keep it, or its problems."""
        problems: list[ApplyProblem] = []
        raw_id = values.get("id")
        name = values.get("name")
        changes_in = {key: value for key, value in values.items() if key in EDITABLE_FIELDS}
        by: Literal["id", "name"]
        selector = ""
        if raw_id not in (None, ""):
            by = "id"
            try:
                selector = canonical_id(raw_id)
            except InvalidArgumentError as err:
                problems.append(ApplyProblem(line, "id", err.message))
        elif isinstance(name, str) and name.strip():
            by, selector = "name", name.strip()
            changes_in.pop("name")
        else:
            problems.append(ApplyProblem(line, "id", "each row needs an id or a name"))
            by = "id"
        changes, found = check_changes(changes_in, today=self.today)
        problems += [ApplyProblem(line, name, message) for name, message in found]
        if selector:
            key = (by, selector if by == "id" else normalize_name(selector))
            if key in self.seen:
                problems.append(ApplyProblem(line, by, f"{selector!r} is already on line {self.seen[key]}"))
            else:
                self.seen[key] = line
        if problems:
            self.problems += problems
        else:
            self.rows.append(ApplyRow(line, by, selector, changes))

    # JSON

    def read_json(self, text: str) -> None:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            self.problems.append(ApplyProblem(err.lineno, "", f"not valid JSON: {err.msg} (column {err.colno})"))
            return
        lines: list[int | None]
        if isinstance(data, list):
            lines = list(_item_lines(text))
        elif isinstance(data, Mapping) and isinstance(data.get("people"), list):
            data = data["people"]
            lines = [None] * len(data)
        else:
            self.problems.append(ApplyProblem(1, "", "JSON input must be a list of person objects"))
            return
        for number, (item, line) in enumerate(zip(data, lines, strict=True), start=1):
            where = line if line is not None else number
            if not isinstance(item, Mapping):
                self.problems.append(ApplyProblem(where, "", f"item {number} is not an object"))
                continue
            values: dict[str, object] = {}
            for key, value in item.items():
                message = key_problem(key)
                if message is not None:
                    self.problems.append(ApplyProblem(where, str(key), message))
                elif key in READ_ONLY_KEYS or (value is None and key in _BOOLEAN_FIELDS):
                    continue  # the server's fields; a favourite flag an old server did not send
                else:
                    values[key] = value
            self.add(where, values)

    # CSV

    def read_csv(self, text: str) -> None:
        first_line = text.split("\n", 1)[0]
        delimiter = ","
        if "," not in first_line:
            delimiter = ";" if ";" in first_line else "\t" if "\t" in first_line else ","
        try:
            records = list(_csv_records(text, delimiter))
        except csv.Error as err:
            self.problems.append(ApplyProblem(None, "", f"not valid CSV: {err}"))
            return
        if not records:
            return
        header_line, header = records[0]
        columns = self._columns(header_line, header)
        if columns is None:
            return
        for line, cells in records[1:]:
            if len(cells) > len(columns):
                self.problems.append(
                    ApplyProblem(line, "", f"{len(cells)} cells, but the header names {len(columns)} columns")
                )
                continue
            values: dict[str, object] = {}
            problems_before = len(self.problems)
            for column, cell in zip(columns, cells, strict=False):
                text_value = cell.strip()
                if column is None or not text_value:
                    continue
                try:
                    values[column] = _cell_value(column, text_value)
                except ValueError as err:
                    self.problems.append(ApplyProblem(line, column, str(err)))
            if len(self.problems) == problems_before:
                self.add(line, values)

    def _columns(self, line: int, header: list[str]) -> list[str | None] | None:
        """The field of each column (None: ignored), or None when the header is unusable."""
        columns: list[str | None] = []
        usable = True
        for cell in header:
            name = _HEADER_SEPARATORS.sub("_", cell.strip())
            if name.lower() in _KNOWN_COLUMNS:
                name = name.lower()
            message = key_problem(name)
            if message is not None:
                self.problems.append(ApplyProblem(line, cell.strip() or "(empty)", f"column: {message}"))
                usable = False
            elif name in columns:
                self.problems.append(ApplyProblem(line, name, "column named twice"))
                usable = False
            columns.append(None if name in READ_ONLY_KEYS else name)
        if "id" not in columns and "name" not in columns:
            self.problems.append(ApplyProblem(line, "", "the header needs an 'id' or a 'name' column"))
            usable = False
        return columns if usable else None


def _csv_records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(first line, cells) of every non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    end = 0
    for cells in reader:
        start, end = end + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            records.append((start, cells))
    return records


def _cell_value(column: str, text: str) -> object:
    """A CSV cell as the typed value of ``column`` (ValueError for a bad boolean)."""
    lowered = text.lower()
    if column in _BOOLEAN_FIELDS:
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"{text[:40]!r} is not a boolean (true/false, yes/no, 1/0)")
    if column in _CLEARABLE_FIELDS and lowered in _CLEAR:
        return None
    return text


def _item_lines(text: str) -> list[int]:
    """The line where each element of the (valid) top-level JSON array starts."""
    decoder = json.JSONDecoder()
    whitespace = re.compile(r"[ \t\r\n]*")

    def skip(at: int) -> int:
        match = whitespace.match(text, at)
        return match.end() if match else at

    lines: list[int] = []
    position = skip(0) + 1  # after "["
    counted, line = 0, 1
    while True:
        position = skip(position)
        if text[position] == "]":
            return lines
        line += text.count("\n", counted, position)
        counted = position
        lines.append(line)
        _, position = decoder.raw_decode(text, position)
        position = skip(position)
        if text[position] == ",":
            position += 1
