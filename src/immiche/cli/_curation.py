"""``immiche people rename | edit | apply | merge | delete | prune | undo``: curating people.

Every write first records what it changes in the profile's undo journal
(:class:`immiche.journal.Journal`), then sends it. Merge, delete and ``prune --delete`` ask for a
confirmation on a terminal; without one they need ``--yes`` (else exit 2, nothing sent).
``people undo`` is :mod:`immiche.cli._curation_undo`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from immiche.cli._errors import EXIT_ERROR, EXIT_NOT_FOUND, EXIT_USAGE, CliError
from immiche.cli._options import ImmicheCommand, global_options, state

if TYPE_CHECKING:
    from immiche.cli._output import Output
    from immiche.client import Client
    from immiche.curation import PersonUpdate
    from immiche.journal import ChangeSet, Journal
    from immiche.people import Person

__all__ = ["COMMANDS"]

_CLEAR = ("none", "null")


@contextmanager
def _session() -> Iterator[tuple[Output, Client, Journal]]:
    """The output, an open client and the profile's journal of this invocation."""
    from immiche.cli._connect import open_client, resolve
    from immiche.cli._curation_output import journal_for
    from immiche.cli._output import output

    options = state()
    out = output()
    target = resolve(options)
    with open_client(options, target) as client:
        yield out, client, journal_for(options, target)


@contextmanager
def _recorded(journal: Journal, change_set: ChangeSet, *, single_request: bool = True) -> Iterator[str]:
    """Record ``change_set`` before the write. When the write is refused before anything is sent
    (invalid arguments), or a single-request write is refused by the server (a 4xx) or merges
    nothing, mark it undone, so that the journal says what really happened."""
    from immiche.curation import MergeError
    from immiche.errors import APIStatusError, InvalidArgumentError

    entry = journal.record(change_set)
    try:
        yield entry
    except (APIStatusError, MergeError, InvalidArgumentError) as err:
        local = isinstance(err, InvalidArgumentError)
        refused = isinstance(err, APIStatusError) and err.status_code < 500
        nothing = isinstance(err, MergeError) and (err.result is None or not err.result.merged)
        if local or (single_request and (refused or nothing)):
            journal.mark_undone(entry)
        raise


def _counts(out: Output, client: Client, people: Sequence[Person]) -> dict[str, int] | None:
    """The people's asset counts, or None (with a warning) when the server does not give them."""
    from immiche.cli._curation_output import COUNTS_CONCURRENCY
    from immiche.errors import ImmichError

    try:
        return client.fetch_asset_counts(people, concurrency=COUNTS_CONCURRENCY)
    except ImmichError as err:
        out.warn(f"asset counts unavailable: {err.message}")
        return None


def _update_and_report(
    out: Output, client: Client, journal: Journal, *, command: str, person: Person, update: PersonUpdate, dry_run: bool
) -> None:
    from immiche.cli._curation_output import change_json, diff_text, label
    from immiche.journal import ChangeSet

    effective = update.against(person)
    changes = effective.diff(person)
    if not effective:
        if out.json:
            out.emit_json({"id": person.id, "name": person.name, "changes": {}, "dry_run": dry_run, "journal": None})
        out.note(f"nothing to change: {label(person)} already has these values")
        return
    if dry_run:
        if out.json:
            out.emit_json({**change_json(person, effective), "dry_run": True, "journal": None})
        else:
            out.line(f"{label(person)}: {diff_text(changes)}")
        out.note("dry run: nothing was sent")
        return
    with _recorded(journal, ChangeSet.for_updates(command, [effective], [person])) as entry:
        updated = client.update_person(person.id, **effective.changes)
    if out.json:
        out.emit_json(
            {**change_json(person, effective), "person": updated.to_dict(), "dry_run": False, "journal": entry}
        )
    else:
        out.line(f"Updated {label(person)}: {diff_text(changes)}")


# -- rename / edit ---------------------------------------------------------------------------------


@click.command(cls=ImmicheCommand)
@click.argument("person", metavar="PERSON")
@click.argument("new_name", metavar="NEW_NAME")
@click.option("--dry-run", is_flag=True, help="Show the change; send nothing.")
@global_options
def rename(person: str, new_name: str, dry_run: bool) -> None:
    """Rename PERSON (an id, or an exact name) to NEW_NAME ("" removes the name).

    With --json: {"id", "name", "changes": {"name": {"old", "new"}}, "person", "dry_run", "journal"}.
    """
    from immiche.cli._curation_output import Resolver
    from immiche.curation import PersonUpdate

    with _session() as (out, client, journal):
        found = Resolver(client).resolve(person)
        update = PersonUpdate(found.id, name=new_name)
        _update_and_report(out, client, journal, command="people rename", person=found, update=update, dry_run=dry_run)


def _optional(value: str | None) -> Any:
    """An option's value: NOT_GIVEN when absent, None for 'none'."""
    from immiche.curation import NOT_GIVEN

    if value is None:
        return NOT_GIVEN
    return None if value.strip().lower() in _CLEAR else value.strip()


@click.command(cls=ImmicheCommand)
@click.argument("person", metavar="PERSON")
@click.option("--name", metavar="NAME", help='A new name ("" removes it).')
@click.option("--birth-date", metavar="YYYY-MM-DD|none", help="A birth date, or 'none' to clear it.")
@click.option("--hide/--unhide", "hide", default=None, help="Hide (or show again) in the people view.")
@click.option("--favorite/--unfavorite", "favorite", default=None, help="Mark (or unmark) as a favourite.")
@click.option("--color", metavar="HEX|none", help="A colour like #ff0000, or 'none' to clear it.")
@click.option("--dry-run", is_flag=True, help="Show the changes (old -> new); send nothing.")
@global_options
def edit(  # noqa: PLR0917  (one parameter per option)
    person: str,
    name: str | None,
    birth_date: str | None,
    hide: bool | None,
    favorite: bool | None,
    color: str | None,
    dry_run: bool,
) -> None:
    """Change PERSON's name, birth date, hidden and favourite flags or colour.

    Only the options given are changed. With --json: like 'people rename'.
    """
    from immiche.cli._curation_output import Resolver
    from immiche.curation import NOT_GIVEN, PersonUpdate

    if name is None and birth_date is None and hide is None and favorite is None and color is None:
        raise CliError(
            "nothing to change",
            hint="give --name, --birth-date, --hide/--unhide, --favorite/--unfavorite or --color",
            exit_code=EXIT_USAGE,
        )
    values: dict[str, Any] = {
        "name": NOT_GIVEN if name is None else name,
        "birth_date": _optional(birth_date),
        "is_hidden": NOT_GIVEN if hide is None else hide,
        "is_favorite": NOT_GIVEN if favorite is None else favorite,
        "color": _optional(color),
    }
    PersonUpdate("00000000-0000-4000-8000-000000000000", **values)  # checked before anything is sent
    with _session() as (out, client, journal):
        found = Resolver(client).resolve(person)
        update = PersonUpdate(found.id, **values)
        _update_and_report(out, client, journal, command="people edit", person=found, update=update, dry_run=dry_run)


# -- apply -----------------------------------------------------------------------------------------


def _read_input(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as stream:
            return stream.read()
    except FileNotFoundError:
        raise CliError(f"no such file: {path}", exit_code=EXIT_NOT_FOUND) from None
    except OSError as err:
        raise CliError(f"cannot read {path}: {err.strerror or err}") from None


@click.command(cls=ImmicheCommand)
@click.argument("file", metavar="FILE")
@click.option("--dry-run", is_flag=True, help="Show the exact changes (old -> new); send nothing.")
@click.option("--format", "format_", type=click.Choice(["csv", "json"]), help="The input's format (default: guessed).")
@global_options
def apply(file: str, dry_run: bool, format_: str | None) -> None:
    """Apply bulk edits from FILE (CSV with a header row, or JSON; '-' reads standard input).

    One row per person: 'id' (or 'name' to select by exact name), then any of name, birth_date,
    is_hidden, is_favorite, color, feature_face_asset_id. An empty CSV cell changes nothing;
    'none' clears birth_date and color. 'people list --json' output, edited, is valid input.

    \b
      immiche people list --json > people.json   # edit it, then:
      immiche people apply people.json --dry-run
      immiche people apply people.json

    Every problem of the input is reported before anything is sent (exit 2; an unknown name 4).
    Then a summary line, one 'error:' line per person not changed, and exit 1 if any failed.
    With --json: {"dry_run", "changed": [{"id", "name", "line", "changes"}], "failed": [{"id",
    "name", "line", "error"}], "unchanged": [ids], "journal"}.
    """
    from immiche._applyfile import parse_apply_file
    from immiche.cli._curation_output import Resolver

    data = _read_input(file)
    parsed = parse_apply_file(data, format=format_ if format_ in ("csv", "json") else None)  # type: ignore[arg-type]
    if parsed.problems:  # before connecting: the file alone tells
        from immiche.cli._output import output

        for problem in parsed.problems:
            output().error(str(problem))
        count = len(parsed.problems)
        raise CliError(
            f"{count} problem{'s' if count != 1 else ''} in {'standard input' if file == '-' else file}",
            hint="fix the input and run the command again: nothing was sent",
            exit_code=EXIT_USAGE,
        )
    with _session() as (out, client, journal):
        found = Resolver(client).resolve_each([row.selector for row in parsed.rows])
        targets: list[tuple[int, Person, PersonUpdate]] = []
        failures: list[CliError] = []
        lines: dict[str, int] = {}
        for row, person in zip(parsed.rows, found, strict=True):
            try:
                if isinstance(person, CliError):
                    raise person
                if person.id in lines:
                    raise CliError(f"{person.id} is already on line {lines[person.id]}", exit_code=EXIT_USAGE)
            except CliError as err:
                out.error(f"line {row.line}: {err.message}", err.hint)
                failures.append(err)
                continue
            lines[person.id] = row.line
            targets.append((row.line, person, row.to_update(person)))
        if failures:
            codes = {err.exit_code for err in failures}
            raise CliError(
                f"{len(failures)} {'rows do' if len(failures) != 1 else 'row does'} not name exactly one person: "
                "nothing was sent",
                exit_code=EXIT_NOT_FOUND if codes == {EXIT_NOT_FOUND} else EXIT_USAGE,
            )
        _apply_updates(out, client, journal, targets, dry_run=dry_run)


def _apply_updates(
    out: Output, client: Client, journal: Journal, targets: list[tuple[int, Person, PersonUpdate]], *, dry_run: bool
) -> None:
    from immiche.cli._curation_output import change_json, diff_text, label
    from immiche.journal import ChangeSet

    changing = [(line, person, update.against(person)) for line, person, update in targets]
    unchanged = [person.id for _, person, update in changing if not update]
    changing = [(line, person, update) for line, person, update in changing if update]
    if dry_run or not changing:
        if out.json:
            out.emit_json(
                {
                    "dry_run": dry_run,
                    "changed": [{**change_json(p, u), "line": line} for line, p, u in changing],
                    "failed": [],
                    "unchanged": unchanged,
                    "journal": None,
                }
            )
        else:
            for _, person, update in changing:
                out.line(f"{label(person)}: {diff_text(update.diff(person))}")
        verb = "would change" if dry_run else "changed"
        out.note(f"{len(changing)} {'person' if len(changing) == 1 else 'people'} {verb}, {len(unchanged)} unchanged")
        if dry_run:
            out.note("dry run: nothing was sent")
        return
    updates = [update for _, _, update in changing]
    change_set = ChangeSet.for_updates("people apply", updates, [p for _, p, _ in changing])
    try:
        with _recorded(journal, change_set, single_request=False) as entry:
            result = client.update_people(updates)
    except KeyboardInterrupt:
        out.message("interrupted: some changes may have been applied; 'immiche people undo' reverts them")
        raise
    failed = result.failed
    done: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    for line, person, update in changing:
        if person.id in failed:
            reason = failed[person.id]
            out.error(f"line {line}: {label(person)} not changed: {reason}")
            failures.append({"id": person.id, "name": person.name, "line": line, "error": reason})
        else:
            done.append({**change_json(person, update), "line": line})
    if out.json:
        out.emit_json({"dry_run": False, "changed": done, "failed": failures, "unchanged": unchanged, "journal": entry})
    summary = f"Changed {len(done)} of {len(changing)} people ({len(unchanged)} unchanged)"
    if failures:
        out.message(f"{summary}; {len(failures)} failed")
        raise click.exceptions.Exit(EXIT_ERROR)
    out.note(summary + "; 'immiche people undo' reverts this")


# -- merge / delete / prune ------------------------------------------------------------------------


@click.command(cls=ImmicheCommand)
@click.argument("target", metavar="TARGET")
@click.argument("sources", metavar="SOURCE...", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Show what would be merged; send nothing.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for a confirmation (needed without a terminal).")
@global_options
def merge(target: str, sources: tuple[str, ...], dry_run: bool, yes: bool) -> None:
    """Merge the people SOURCE... into TARGET (ids or exact names): their faces move to TARGET and
    they disappear. This cannot be undone ('people undo' cannot bring them back; the journal keeps
    their records).

    With --json: {"dry_run", "into": person, "sources": [person], "merged": [ids], "also_merged": [ids],
    "journal"} (persons with "assets").
    """
    from immiche.cli._curation_output import Resolver, check_can_confirm, confirm, label, person_json
    from immiche.journal import ChangeSet

    check_can_confirm("merging people", yes=yes, dry_run=dry_run)
    with _session() as (out, client, journal):
        people = Resolver(client).resolve_all(out, [target, *sources])
        into, merged = people[0], people[1:]
        counts = _counts(out, client, people)
        if not out.json:
            out.line(f"Merge into {label(into, counts)}:")
            for person in merged:
                out.line(f"  {label(person, counts)}")
        document: dict[str, Any] = {
            "dry_run": dry_run,
            "into": person_json(into, counts),
            "sources": [person_json(person, counts) for person in merged],
        }
        if dry_run:
            if out.json:
                out.emit_json({**document, "merged": [], "also_merged": [], "journal": None})
            out.note("dry run: nothing was sent")
            return
        out.warn("merged people cannot be restored by 'people undo' (the journal keeps their records)")
        confirm(f"Merge {len(merged)} {'person' if len(merged) == 1 else 'people'} into {label(into)}?", yes=yes)
        with _recorded(journal, ChangeSet.for_merge("people merge", into, merged, counts)) as entry:
            result = client.merge_people(into.id, [person.id for person in merged])
    if out.json:
        out.emit_json(
            {**document, "merged": list(result.merged), "also_merged": list(result.also_merged), "journal": entry}
        )
    else:
        out.line(f"Merged {len(result.merged)} into {label(into)}")
        if result.also_merged:
            out.note(f"the server also merged {len(result.also_merged)} other face cluster(s) of the same group")


def _delete(
    client: Client, journal: Journal, people: list[Person], *, counts: dict[str, int] | None, command: str
) -> tuple[int, str]:
    from immiche.journal import ChangeSet

    with _recorded(journal, ChangeSet.for_delete(command, people, counts)) as entry:
        deleted = client.delete_people([person.id for person in people])
    return deleted, entry


@click.command(cls=ImmicheCommand)
@click.argument("people", metavar="PERSON...", nargs=-1, required=True)
@click.option("--dry-run", is_flag=True, help="Show who would be deleted; send nothing.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for a confirmation (needed without a terminal).")
@global_options
def delete(people: tuple[str, ...], dry_run: bool, yes: bool) -> None:
    """Delete people (ids or exact names), all or none. Their faces stay on the photos, without a
    person. This cannot be undone (the journal keeps their records).

    With --json: {"dry_run", "people": [person with "assets"], "deleted", "journal"}.
    """
    from immiche.cli._curation_output import Resolver, check_can_confirm, confirm, people_with_counts, person_json

    check_can_confirm("deleting people", yes=yes, dry_run=dry_run)
    with _session() as (out, client, journal):
        chosen = Resolver(client).resolve_all(out, list(people))
        counts = _counts(out, client, chosen)
        document: dict[str, Any] = {"dry_run": dry_run, "people": [person_json(p, counts) for p in chosen]}
        if not out.json:
            people_with_counts(out, chosen, counts)
        if dry_run:
            if out.json:
                out.emit_json({**document, "deleted": 0, "journal": None})
            out.note("dry run: nothing was sent")
            return
        out.warn("deleted people cannot be restored by 'people undo' (the journal keeps their records)")
        confirm(f"Delete {len(chosen)} {'person' if len(chosen) == 1 else 'people'}?", yes=yes)
        deleted, entry = _delete(client, journal, chosen, counts=counts, command="people delete")
    if out.json:
        out.emit_json({**document, "deleted": deleted, "journal": entry})
    else:
        out.line(f"Deleted {deleted} {'person' if deleted == 1 else 'people'}")


@click.command(cls=ImmicheCommand)
@click.option("--unnamed", is_flag=True, help="People without a name.")
@click.option("--max-assets", type=click.IntRange(min=0), metavar="N", help="People with at most N assets.")
@click.option("--hide", "action", flag_value="hide", help="Hide them (reversible with 'people undo').")
@click.option("--delete", "action", flag_value="delete", help="Delete them (cannot be undone).")
@click.option("--dry-run", is_flag=True, help="Show who would be hidden or deleted; send nothing.")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for a confirmation (needed without a terminal).")
@global_options
def prune(unnamed: bool, max_assets: int | None, action: str | None, dry_run: bool, yes: bool) -> None:
    """Hide or delete the small unnamed clusters every library accumulates.

    People matching every criterion given (--unnamed, --max-assets N) are hidden (--hide) or
    deleted (--delete); favourites never are, nor (with --hide) people already hidden.

    \b
      immiche people prune --unnamed --max-assets 2 --hide --dry-run

    With --json: {"dry_run", "action", "people": [person with "assets"], "changed", "journal"}.
    """
    from immiche.cli._curation_output import check_can_confirm, confirm, people_with_counts, person_json
    from immiche.curation import PersonUpdate, prune_candidates
    from immiche.journal import ChangeSet

    if action is None:
        raise CliError("say what to do with them: --hide or --delete", exit_code=EXIT_USAGE)
    if not unnamed and max_assets is None:
        raise CliError("prune needs a criterion", hint="use --unnamed and/or --max-assets N", exit_code=EXIT_USAGE)
    check_can_confirm(f"pruning people (--{action})", yes=yes, dry_run=dry_run)
    with _session() as (out, client, journal):
        everyone = list(client.fetch_people(with_hidden=True).people)
        counts: dict[str, int] | None = None
        if max_assets is not None:  # count only who the other criteria leave
            pool = [p for p in everyone if not p.is_favorite and not (unnamed and p.name.strip())]
            if action == "hide":
                pool = [p for p in pool if not p.is_hidden]
            from immiche.cli._curation_output import COUNTS_CONCURRENCY

            counts = client.fetch_asset_counts(pool, concurrency=COUNTS_CONCURRENCY)
        chosen = prune_candidates(
            everyone, counts, unnamed=unnamed, max_assets=max_assets, exclude_hidden=action == "hide"
        )
        document: dict[str, Any] = {
            "dry_run": dry_run,
            "action": action,
            "people": [person_json(p, counts) for p in chosen],
        }
        if not chosen:
            if out.json:
                out.emit_json({**document, "changed": 0, "journal": None})
            out.note("no one matches: nothing to do")
            return
        if not out.json:
            people_with_counts(out, chosen, counts)
        verb = "hidden" if action == "hide" else "deleted"
        if dry_run:
            if out.json:
                out.emit_json({**document, "changed": 0, "journal": None})
            out.note(f"dry run: {len(chosen)} would be {verb}; nothing was sent")
            return
        if action == "delete":
            out.warn("deleted people cannot be restored by 'people undo' (the journal keeps their records)")
        confirm(f"{'Hide' if action == 'hide' else 'Delete'} {len(chosen)} people?", yes=yes)
        if action == "hide":
            updates = [PersonUpdate(p.id, is_hidden=True) for p in chosen]
            with _recorded(
                journal, ChangeSet.for_updates("people prune", updates, chosen), single_request=False
            ) as entry:
                result = client.update_people(updates)
            changed = len(result.succeeded)
            for person_id, reason in result.failed.items():
                out.error(f"{person_id} not hidden: {reason}")
        else:
            changed, entry = _delete(client, journal, chosen, counts=counts, command="people prune")
            result = None
    if out.json:
        out.emit_json({**document, "changed": changed, "journal": entry})
    summary = f"{changed} of {len(chosen)} people {verb}"
    if result is not None and not result.ok:
        out.message(f"{summary}; {len(result.failed)} failed")
        raise click.exceptions.Exit(EXIT_ERROR)
    if out.json:
        out.note(summary)
    else:
        out.line(summary.capitalize())


def _commands() -> list[click.Command]:
    from immiche.cli._curation_undo import undo

    return [rename, edit, apply, merge, delete, prune, undo]


COMMANDS = _commands
