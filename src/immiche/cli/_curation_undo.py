"""``immiche people undo``: revert the last change set of the profile's undo journal.

The journal (:mod:`immiche.journal`) holds, for each write, the previous values of what it
changed. Undo sets back the fields the API can set (name, birth date, hidden, favourite, colour),
only where they still hold the value the change set gave them: a field changed again since is
left alone (and reported) unless ``--force``, and the change set then stays the next to undo; a
field already back to its previous value is not sent again. People merged or deleted cannot come back: undo says so first, and the journal keeps
their full records.
"""

from __future__ import annotations

import contextlib
import datetime
from typing import TYPE_CHECKING, Any

import click

from immiche.cli._errors import EXIT_ERROR, CliError
from immiche.cli._options import ImmicheCommand, global_options, state

if TYPE_CHECKING:
    from immiche.client import Client
    from immiche.curation import PersonUpdate
    from immiche.journal import ChangeSet, UndoPlan
    from immiche.people import Person

__all__ = ["undo"]


def _json_value(value: object) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _when(change_set: ChangeSet) -> str:
    if change_set.recorded_at is None:
        return ""
    return f" of {change_set.recorded_at.astimezone().strftime('%Y-%m-%d %H:%M %Z')}"


def _current(client: Client, ids: list[str]) -> dict[str, Person]:
    """The people with these ids as they are now (a missing one is left out)."""
    from immiche.errors import NotFoundError

    found = {person.id.lower(): person for person in client.fetch_people(with_hidden=True).people}
    for person_id in ids:
        if person_id not in found:
            with contextlib.suppress(NotFoundError):
                found[person_id] = client.fetch_person(person_id)
    return found


def _revert(
    plan: UndoPlan, current: dict[str, Person], force: bool
) -> tuple[list[tuple[Person, PersonUpdate]], list[dict[str, Any]]]:
    """(what to send, per person, and the fields left alone, with why)."""
    from immiche.curation import PersonUpdate

    sending: list[tuple[Person, PersonUpdate]] = []
    left: list[dict[str, Any]] = []
    for update in plan.updates:
        person = current.get(update.id)
        if person is None:
            left.append({"id": update.id, "field": "*", "reason": "the person no longer exists"})
            continue
        expected = plan.expected.get(update.id, {})
        previous = update.to_dict()
        values: dict[str, Any] = {}
        for field, value in update.changes.items():
            now = _json_value(getattr(person, field, None))
            if now == previous[field]:
                continue  # already the previous value (the change failed, or was reverted by hand)
            if now != expected.get(field) and not force:
                left.append(
                    {
                        "id": update.id,
                        "field": field,
                        "reason": f"changed again since (now {now!r}); 'people undo --force' sets it back anyway",
                    }
                )
                continue
            values[field] = value
        if values:
            sending.append((person, PersonUpdate(update.id, **values, today=datetime.date.max)))
    return sending, left


@click.command(cls=ImmicheCommand)
@click.option("--dry-run", is_flag=True, help="Show what would be reverted; send nothing.")
@click.option("--force", is_flag=True, help="Also revert fields changed again since.")
@global_options
def undo(dry_run: bool, force: bool) -> None:
    """Revert the last recorded change (rename, edit, apply, prune --hide) of this profile.

    Renames, birth dates, hidden, favourite and colour are set back to their previous values.
    Merges and deletions cannot be undone: undo says so, and the journal
    (people-journal.jsonl in the profile's directory) keeps the full records of those people.
    Running it again reverts the change before.

    With --json: {"dry_run", "change_set": {"id", "command", "at"}, "reverted": [{"id", "name",
    "changes"}], "failed": [{"id", "error"}], "left": [{"id", "field", "reason"}], "irreversible":
    [person record]}.
    """
    from immiche.cli._connect import open_client, resolve
    from immiche.cli._curation_output import change_json, diff_text, journal_for, label
    from immiche.cli._output import clean, output
    from immiche.journal import undo_plan

    options = state()
    out = output()
    target = resolve(options)
    journal = journal_for(options, target)
    change_set = journal.last()
    if journal.skipped_lines:
        out.warn(f"{journal.skipped_lines} unreadable line(s) in {journal.path} were skipped")
    if change_set is None:
        if out.json:
            out.emit_json(
                {"dry_run": dry_run, "change_set": None, "reverted": [], "failed": [], "left": [], "irreversible": []}
            )
        out.note("nothing to undo: the journal has no change left to revert")
        return
    plan = undo_plan(change_set)
    what = f"'{change_set.command}'{_when(change_set)}"
    for removed in plan.irreversible:
        record = removed.record
        name = repr(clean(str(record.get("name") or ""))) if record.get("name") else "(unnamed)"
        how = f"merged into {removed.into}" if removed.reason == "merged" else "deleted"
        out.warn(f"{name} ({removed.person_id}) was {how} by {what}: this cannot be undone")
    if plan.irreversible:
        out.note(f"their full records stay in {journal.path}")
    for person_id, field, why in plan.skipped:
        out.warn(f"{person_id}: {field} cannot be reverted: {why}")
    with open_client(options, target) as client:
        current = _current(client, [update.id for update in plan.updates]) if plan.updates else {}
        sending, left = _revert(plan, current, force)
        for item in left:
            out.warn(f"{item['id']}: {item['field']} left as is: {item['reason']}")
        failures: list[dict[str, Any]] = []
        if sending and not dry_run:
            result = client.update_people([update for _, update in sending])
            failures = [{"id": person_id, "error": reason} for person_id, reason in result.failed.items()]
    failed_ids = {item["id"] for item in failures}
    reverted = [(person, update) for person, update in sending if person.id not in failed_ids]
    for item in failures:
        out.error(f"{item['id']} not reverted: {item['error']}")
    conflicts = [item for item in left if item["field"] != "*"]
    if not dry_run and not failures and not conflicts:
        journal.mark_undone(change_set.id)  # kept open while fields are left: 'undo --force' can follow
    if out.json:
        out.emit_json(
            {
                "dry_run": dry_run,
                "change_set": {
                    "id": change_set.id,
                    "command": change_set.command,
                    "at": change_set.recorded_at.isoformat() if change_set.recorded_at else None,
                },
                "reverted": [change_json(person, update) for person, update in reverted],
                "failed": failures,
                "left": left,
                "irreversible": [dict(removed.record) for removed in plan.irreversible],
            }
        )
    else:
        for person, update in reverted:
            out.line(f"{'Would revert' if dry_run else 'Reverted'} {label(person)}: {diff_text(update.diff(person))}")
    if dry_run:
        out.note(f"dry run of undoing {what}: nothing was sent")
        return
    if failures:
        out.message(f"{len(reverted)} of {len(sending)} people reverted; {len(failures)} failed (run undo again)")
        raise click.exceptions.Exit(EXIT_ERROR)
    if not plan.updates and plan.irreversible:
        raise CliError(
            f"nothing of {what} can be undone",
            hint="it is marked as handled: 'immiche people undo' now reverts the change before it",
        )
    if conflicts:
        out.message(
            f"{len(conflicts)} field(s) of {what} left as changed since; "
            "'immiche people undo --force' reverts them too (this change stays the next to undo)"
        )
        return
    out.note(f"undid {what}" + ("" if sending else ": every value was already back"))
