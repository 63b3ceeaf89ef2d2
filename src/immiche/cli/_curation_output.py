"""How the people curation commands resolve people, ask for confirmation and show changes.

The commands are :mod:`immiche.cli._curation`; this module holds what they share: resolving a
PERSON argument (an id or an exact name), the confirmation rule of destructive commands, the
undo journal of the profile, and the renderers (``old -> new`` lines, tables with asset counts).
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import click

from immiche.cli._errors import EXIT_ERROR, EXIT_NOT_FOUND, EXIT_USAGE, CliError
from immiche.cli._output import Column, Output, clean

COUNTS_CONCURRENCY = 16
"""Asset-count requests in flight for ``people list --counts``, ``merge`` and ``prune`` (the
``fetch_asset_counts`` default of 8 would cap the speedup over one-by-one at 8x)."""

if TYPE_CHECKING:
    from immiche.cli._connect import Target
    from immiche.cli._options import GlobalState
    from immiche.client import Client
    from immiche.curation import PersonUpdate, SortKey
    from immiche.journal import Journal
    from immiche.people import Person

__all__ = [
    "FIELD_LABELS",
    "Resolver",
    "change_json",
    "check_can_confirm",
    "confirm",
    "diff_json",
    "diff_text",
    "journal_for",
    "label",
    "people_with_counts",
    "person_json",
    "show_value",
    "sorted_people",
]

#: How each editable field is named in human output.
FIELD_LABELS = {
    "name": "name",
    "birth_date": "birth date",
    "is_hidden": "hidden",
    "is_favorite": "favorite",
    "color": "color",
    "feature_face_asset_id": "feature face asset",
}
_ID_HINT = "use the person's id; 'immiche people list --with-hidden' shows ids"


# -- resolving PERSON arguments --------------------------------------------------------------------


class Resolver:
    """Resolves PERSON arguments (an id, or an exact name) with :meth:`Client.find_people`.

    One call for all the arguments: ONE listing when a name is given or many ids (hidden people
    included), an id taken from it or else fetched (``GET /people/{id}``: unnamed people with few
    faces are not listed). Each failure is told apart (the failing argument is left out and the others asked
    again). An ambiguous name is a usage error (exit 2) listing the candidates; an unknown one exit 4.
    """

    def __init__(self, client: Client) -> None:
        self.client = client

    def resolve(self, query: str) -> Person:
        found = self.resolve_each([query])[0]
        if isinstance(found, CliError):
            raise found
        return found

    def resolve_each(self, queries: Sequence[str]) -> list[Person | CliError]:
        """Each query's person, or the error telling why it names nobody or several people."""
        from immiche.curation import AmbiguousPersonError
        from immiche.errors import NotFoundError

        results: dict[int, Person | CliError] = {}
        for index, query in enumerate(queries):
            if not query.strip():
                results[index] = CliError("give a person's name or id", exit_code=EXIT_USAGE)
        pending = [index for index in range(len(queries)) if index not in results]
        while pending:
            try:
                found = self.client.find_people([queries[index] for index in pending], with_hidden=True)
            except (AmbiguousPersonError, NotFoundError) as err:
                asked = getattr(err, "query", None)
                failed = next((index for index in pending if queries[index].strip() == asked), None)
                if failed is None:  # not about one argument (a 404 of the listing itself)
                    raise
                results[failed] = _person_error(queries[failed].strip(), err)
                pending.remove(failed)
                continue
            for index in pending:
                results[index] = _found(queries[index], found)
            break
        return [results[index] for index in range(len(queries))]

    def resolve_all(self, out: Output, queries: Sequence[str]) -> list[Person]:
        """Every query resolved, or every failure reported (one ``error:`` line each) and the
        first one's exit code raised."""
        people: list[Person] = []
        failures: list[CliError] = []
        for found in self.resolve_each(queries):
            if isinstance(found, CliError):
                failures.append(found)
            else:
                people.append(found)
        if failures:
            for failure in failures[:-1]:
                out.error(failure.message, failure.hint)
            last = failures[-1]
            codes = {failure.exit_code for failure in failures}
            raise CliError(last.message, hint=last.hint, exit_code=codes.pop() if len(codes) == 1 else EXIT_USAGE)
        seen: dict[str, str] = {}
        for query, person in zip(queries, people, strict=True):
            if person.id in seen:
                raise CliError(
                    f"{query!r} and {seen[person.id]!r} are the same person ({person.id})", exit_code=EXIT_USAGE
                )
            seen[person.id] = query
        return people


def _found(query: str, people: Sequence[Person]) -> Person:
    """The person of ``people`` (what ``find_people`` answered) that ``query`` names."""
    from immiche._ids import UUID_PATTERN
    from immiche.curation import match_person

    text = query.strip()
    if UUID_PATTERN.fullmatch(text):
        return next(person for person in people if person.id.lower() == text.lower())
    return match_person(text, people)  # the name named exactly one person among all: one here too


def _person_error(text: str, err: Exception) -> CliError:
    from immiche._ids import UUID_PATTERN
    from immiche.curation import AmbiguousPersonError
    from immiche.errors import ImmichError

    hint = err.hint if isinstance(err, ImmichError) else None
    if isinstance(err, AmbiguousPersonError):
        return CliError(err.message, hint=hint, exit_code=EXIT_USAGE)
    hint = _ID_HINT if UUID_PATTERN.fullmatch(text) else hint
    return CliError(f"no person named or with id {text!r}", hint=hint, exit_code=EXIT_NOT_FOUND)


# -- confirmation ----------------------------------------------------------------------------------


def check_can_confirm(action: str, *, yes: bool, dry_run: bool = False) -> None:
    """Before anything is sent: without ``--yes`` (or ``--dry-run``) a destructive command needs a
    terminal to ask on; else a usage error (exit 2)."""
    if yes or dry_run or sys.stdin.isatty():
        return
    raise CliError(
        f"{action} needs a confirmation, and standard input is not a terminal: nothing was changed",
        hint="add --yes to confirm (or --dry-run to see what would change)",
        exit_code=EXIT_USAGE,
    )


def confirm(question: str, *, yes: bool) -> None:
    """Ask ``question`` on the terminal (stderr) unless ``--yes``; a "no" cancels (exit 1)."""
    if yes:
        return
    if not click.confirm(question, default=False, err=True):
        raise CliError("cancelled: nothing was changed", exit_code=EXIT_ERROR)


# -- the journal -----------------------------------------------------------------------------------


def journal_for(options: GlobalState, target: Target) -> Journal:
    """The undo journal of the profile in use (the current profile when the credential came from
    the command line or the environment)."""
    from immiche.cli._connect import store
    from immiche.journal import Journal

    return Journal.in_directory(store().config_dir(target.profile or options.profile))


# -- values ----------------------------------------------------------------------------------------


def _json_value(value: object) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def show_value(field: str, value: object) -> str:
    """One field value for humans: ``none`` for a cleared value, ``yes``/``no``, names quoted."""
    if value is None:
        return "-" if field == "is_favorite" else "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if field == "name":
        return repr(clean(str(value))) if value else "(unnamed)"
    return clean(str(value))


def diff_text(changes: Iterable[tuple[str, Any, Any]]) -> str:
    """``name: 'Ann' -> 'Anna'; hidden: no -> yes``."""
    return "; ".join(
        f"{FIELD_LABELS.get(field, field)}: {show_value(field, old)} -> {show_value(field, new)}"
        for field, old, new in changes
    )


def diff_json(changes: Iterable[tuple[str, Any, Any]]) -> dict[str, dict[str, Any]]:
    """``{field: {"old": ..., "new": ...}}`` (dates as ISO strings)."""
    return {field: {"old": _json_value(old), "new": _json_value(new)} for field, old, new in changes}


def change_json(person: Person, update: PersonUpdate) -> dict[str, Any]:
    """One person's change: ``{"id", "name", "changes": {field: {"old", "new"}}}``."""
    return {"id": person.id, "name": person.name, "changes": diff_json(update.diff(person))}


def people_with_counts(
    out: Output, people: Sequence[Person], counts: Mapping[str, int] | None, *, title: str | None = None
) -> None:
    """People as a table (ID, NAME, ASSETS when known, FLAGS) on stdout."""
    from immiche.cli._people_output import person_flags

    if title:
        out.line(title)
    columns = [Column("ID", min_width=36), Column("NAME", no_wrap=False, min_width=8)]
    if counts is not None:
        columns.append(Column("ASSETS"))
    columns.append(Column("FLAGS"))
    rows = []
    for person in people:
        row = [person.id, clean(person.display_name)]
        if counts is not None:
            count = counts.get(person.id)
            row.append("?" if count is None else str(count))
        row.append(person_flags(person))
        rows.append(row)
    out.table(columns, rows)


def person_json(person: Person, counts: Mapping[str, int] | None) -> dict[str, Any]:
    """A person object, with ``assets`` when ``counts`` is given (``null`` when unknown)."""
    record = person.to_dict()
    if counts is not None:
        record["assets"] = counts.get(person.id)
    return record


def label(person: Person, counts: Mapping[str, int] | None = None) -> str:
    """``'Anna' (5174df3b-..., 12 assets)`` for messages."""
    name = repr(clean(person.name)) if person.name else "(unnamed)"
    extra = ""
    if counts is not None and person.id in counts:
        count = counts[person.id]
        extra = f", {count} asset{'s' if count != 1 else ''}"
    return f"{name} ({person.id}{extra})"


def sorted_people(
    client: Client, with_hidden: bool, limit: int | None, sort: str | None, counts: bool
) -> tuple[list[Person], int | None, dict[str, int] | None]:
    """``people list --sort/--counts``: (the people to show, hidden not shown, their asset counts).

    Every person is read first (a sort needs them all); the counts are fetched concurrently, for
    everyone when sorting by assets, else only for the people shown.
    """
    from immiche.curation import sort_people

    response = client.fetch_people(with_hidden=with_hidden)
    found = list(response.people)
    assets: dict[str, int] | None = None
    if sort == "assets":
        assets = client.fetch_asset_counts(found, concurrency=COUNTS_CONCURRENCY)
    if sort is not None:
        found = sort_people(found, cast("SortKey", sort), assets)  # a click.Choice of the sort keys
    if limit is not None:
        found = found[:limit]
    if counts and assets is None:
        assets = client.fetch_asset_counts(found, concurrency=COUNTS_CONCURRENCY)
    elif assets is not None and limit is not None:
        assets = {person.id: assets[person.id] for person in found if person.id in assets}
    return found, response.hidden, assets
