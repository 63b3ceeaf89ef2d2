"""How the CLI shows people: the table of ``people list`` / ``search`` and the record of ``people show``.

Generic output (JSON, tables, records, redaction) is :mod:`immiche.cli._output`; each API area
has its own renderers module like this one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from immiche.cli._output import Column, Output, clean, terminal_width

if TYPE_CHECKING:
    from immiche.people import Person

__all__ = ["local_date", "people_table", "person_flags", "person_record"]


def person_flags(person: Person) -> str:
    flags = []
    if person.is_hidden:
        flags.append("hidden")
    if person.is_favorite:
        flags.append("favorite")
    return ", ".join(flags)


def local_date(person: Person) -> str:
    return person.updated_at.astimezone().date().isoformat() if person.updated_at else "-"


def people_table(out: Output, people: Sequence[Person], counts: Mapping[str, int] | None = None) -> None:
    """The people as a table, hidden people marked, fitted to the terminal.

    From 100 columns (and when not writing to a terminal): ID, NAME, BIRTH DATE, UPDATED, FLAGS.
    Narrower, the flags follow the name (``Henry (hidden)``), then the birth date goes. With
    ``counts`` (person id -> assets), an ASSETS column follows the name (``?`` when unknown).
    """
    width = 100_000 if not out.out.isatty() else terminal_width()
    columns = [Column("ID", min_width=36), Column("NAME", no_wrap=False, min_width=8)]
    if counts is not None:
        columns.append(Column("ASSETS"))
    if width >= 64:
        columns.append(Column("BIRTH DATE"))
    if width >= 100:
        columns += [Column("UPDATED"), Column("FLAGS")]
    rows = []
    for person in people:
        name, flags = clean(person.display_name), person_flags(person)
        row = [person.id, name if width >= 100 or not flags else f"{name} ({flags})"]
        if counts is not None:
            count = counts.get(person.id)
            row.append("?" if count is None else str(count))
        if width >= 64:
            row.append(person.birth_date.isoformat() if person.birth_date else "-")
        if width >= 100:
            row += [local_date(person), flags]
        rows.append(row)
    out.table(columns, rows)


def person_record(out: Output, person: Person) -> None:
    updated = person.updated_at.astimezone().strftime("%Y-%m-%d %H:%M %Z") if person.updated_at else "-"
    out.record(
        [
            ("ID", person.id),
            ("Name", clean(person.display_name)),
            ("Birth date", person.birth_date.isoformat() if person.birth_date else "-"),
            ("Hidden", "yes" if person.is_hidden else "no"),
            ("Favorite", "-" if person.is_favorite is None else ("yes" if person.is_favorite else "no")),
            ("Color", clean(person.color) if person.color else "-"),
            ("Updated", updated),
            ("Thumbnail", clean(person.thumbnail_path) if person.thumbnail_path else "(none)"),
        ]
    )
