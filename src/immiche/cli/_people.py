"""``immiche people list | search | show | thumbnail | thumbnails``."""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, Any

import click

from immiche._config import PAGE_SIZE
from immiche.cli._errors import EXIT_ERROR, EXIT_NOT_FOUND, EXIT_USAGE, CliError
from immiche.cli._options import ImmicheGroup, concurrency_option, global_options, state
from immiche.cli._photos import album, download, photos

if TYPE_CHECKING:
    from immiche.cli._output import Output
    from immiche.people import BulkDownloadResult, Person

__all__ = ["people"]

_SEPARATORS = tuple({"/", os.sep, os.altsep or "/"})
_ID_HINT = "find ids with 'immiche people list' or 'immiche people search NAME'"


@click.group(cls=ImmicheGroup)
@global_options
def people() -> None:
    """People: list, search, show and curate them (rename, edit, merge, undo...); their thumbnails and photos."""


def _print_people(out: Output, found: list[Person] | tuple[Person, ...], counts: dict[str, int] | None = None) -> None:
    from immiche.cli._people_output import people_table

    if out.json:
        records = [person.to_dict() for person in found]
        if counts is not None:
            for record in records:
                record["assets"] = counts.get(record["id"])
        out.emit_json(records)
    elif found:
        people_table(out, found, counts)


@people.command("list")
@click.option("--with-hidden", is_flag=True, help="Include hidden people (marked 'hidden').")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Show at most N people.")
@click.option("--counts", is_flag=True, help="Add each person's number of assets (fetched concurrently).")
@click.option("--sort", type=click.Choice(["name", "assets", "updated"]), help="Sort (assets: most first).")
@global_options
def list_(with_hidden: bool, limit: int | None, counts: bool, sort: str | None) -> None:
    """List people, in the server's order (favourites and named people first), or --sort'ed.

    With --json: an array of person objects (with "assets" with --counts or --sort assets).
    """
    from immiche.cli._connect import open_client
    from immiche.cli._output import output

    options = state()
    out = output()
    assets: dict[str, int] | None = None
    found: list[Person] | tuple[Person, ...]
    hidden: int | None
    with open_client(options) as client:
        if sort is not None or counts:
            from immiche.cli._curation_output import sorted_people

            found, hidden, assets = sorted_people(client, with_hidden, limit, sort, counts)
        elif limit is None:
            response = client.fetch_people(with_hidden=with_hidden)
            found, hidden = response.people, response.hidden
        else:
            found = []
            for person in client.iter_people(with_hidden=with_hidden, page_size=min(limit, PAGE_SIZE)):
                found.append(person)
                if len(found) >= limit:
                    break
            hidden = None
    _print_people(out, found, assets)
    if not out.json:
        summary = f"{len(found)} {'person' if len(found) == 1 else 'people'}"
        if limit is not None and len(found) >= limit:
            summary += f" (--limit {limit})"
        if hidden and not with_hidden:
            summary += f"; {hidden} hidden not shown (add --with-hidden)"
        out.note(summary)


@people.command()
@click.argument("name")
@click.option("--with-hidden", is_flag=True, help="Include hidden people.")
@global_options
def search(name: str, with_hidden: bool) -> None:
    """Search people by NAME (how names match depends on the server version).

    With --json: an array of person objects (empty when no one matches).
    """
    from immiche.cli._connect import open_client
    from immiche.cli._output import clean, output

    options = state()
    out = output()
    with open_client(options) as client:
        found = client.search_person(name, with_hidden=with_hidden)
    _print_people(out, found)
    if not found and not out.json:
        out.note(f"no one matches {clean(name)!r}")


def _not_found(person_id: str) -> CliError:
    return CliError(f"no person with id {person_id}", hint=_ID_HINT, exit_code=EXIT_NOT_FOUND)


@people.command()
@click.argument("person_id", metavar="ID")
@global_options
def show(person_id: str) -> None:
    """Show one person by ID.

    With --json: one person object.
    """
    from immiche.cli._connect import open_client
    from immiche.cli._output import output
    from immiche.cli._people_output import person_record
    from immiche.errors import NotFoundError

    options = state()
    out = output()
    with open_client(options) as client:
        try:
            person = client.fetch_person(person_id)
        except NotFoundError:
            raise _not_found(person_id) from None
    if out.json:
        out.emit_json(person.to_dict())
    else:
        person_record(out, person)


@people.command()
@click.argument("person_id", metavar="ID")
@click.option(
    "-o",
    "--output",
    "output_path",
    metavar="FILE",
    help="Where to save the JPEG (default: ID.jpg in the current directory; an existing directory, or a "
    "path ending in '/': DIR/ID.jpg, created if needed; '-': standard output).",
)
@global_options
def thumbnail(person_id: str, output_path: str | None) -> None:
    """Download the face thumbnail of person ID.

    With --json: {"id", "path", "bytes"}.
    """
    from immiche import check_person_id
    from immiche.cli._connect import open_client
    from immiche.cli._output import output
    from immiche.errors import NotFoundError

    options = state()
    out = output()
    check_person_id(person_id)  # first: the default output file is named after the id ('../x' -> ../x.jpg)
    if output_path is not None and not output_path.strip():
        raise CliError(
            "-o needs a file name (it is empty)", hint="leave -o out to save ID.jpg here", exit_code=EXIT_USAGE
        )
    to_stdout = output_path == "-"
    if to_stdout:
        if options.json:
            raise CliError(
                "-o - writes the JPEG to standard output: it cannot be combined with --json", exit_code=EXIT_USAGE
            )
        if sys.stdout.isatty():
            raise CliError(
                "refusing to write a JPEG to the terminal",
                hint="redirect standard output to a file",
                exit_code=EXIT_USAGE,
            )
    with open_client(options) as client:
        try:
            if to_stdout:
                data = client.fetch_thumbnail(person_id)
                sys.stdout.flush()
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
                return
            from pathlib import Path

            target = Path(output_path) if output_path else Path(f"{person_id}.jpg")
            try:  # an existing directory, or one to create when the path ends with a separator
                into_directory = (output_path is not None and output_path.endswith(_SEPARATORS)) or target.is_dir()
            except (OSError, ValueError):  # an unusable name: the library reports it clearly
                into_directory = False
            if into_directory:
                target = target / f"{person_id}.jpg"
            saved = client.download_thumbnail(person_id, target)
        except NotFoundError:
            try:  # tell an unknown person from one without a thumbnail
                client.fetch_person(person_id)
            except NotFoundError:
                raise _not_found(person_id) from None
            raise CliError(
                f"person {person_id} has no thumbnail",
                hint="Immich makes one once it has detected the person's face in a photo",
                exit_code=EXIT_NOT_FOUND,
            ) from None
    size = saved.stat().st_size
    if out.json:
        out.emit_json({"id": person_id, "path": str(saved), "bytes": size})
    else:
        out.line(f"Saved {saved} ({size} bytes)")


@people.command()
@click.argument("person_ids", metavar="[ID]...", nargs=-1)
@click.option("--all", "all_people", is_flag=True, help="Every person (see --with-hidden).")
@click.option(
    "-o",
    "--output",
    "directory",
    required=True,
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Directory to save ID.jpg files in (created if needed; not empty).",
)
@concurrency_option
@click.option("--with-hidden", is_flag=True, help="With --all: include hidden people.")
@global_options
def thumbnails(
    person_ids: tuple[str, ...], all_people: bool, directory: str, concurrency: int, with_hidden: bool
) -> None:
    """Download the face thumbnails of people ID... (or --all) into DIR as ID.jpg.

    IDs can also be read from standard input, one per line, with '-' as the only ID:

    \b
      immiche people search Ann --json | jq -r '.[].id' |
        immiche people thumbnails - -o thumbs

    Shows a progress bar on a terminal, then a summary. People without a thumbnail are skipped with
    --all. The exit code is non-zero when any download failed (that failure's code when all failed
    the same way, else 1). With --json: {"directory", "downloaded", "failed", "skipped"}.
    """
    from immiche.cli._output import output

    out = output()
    if not directory.strip():
        raise CliError(
            "-o needs a directory (it is empty)", hint="use -o . for the current directory", exit_code=EXIT_USAGE
        )
    if all_people and person_ids:
        raise CliError("give IDs or --all, not both", exit_code=EXIT_USAGE)
    if not all_people and not person_ids:
        raise CliError(
            "no people to download",
            hint="give one or more IDs, '-' to read them from stdin, or --all",
            exit_code=EXIT_USAGE,
        )
    if with_hidden and not all_people:
        raise CliError("--with-hidden goes with --all", exit_code=EXIT_USAGE)
    ids = list(person_ids)
    if ids == ["-"]:
        ids = [line.strip() for line in sys.stdin if line.strip()]
        if not ids:
            raise CliError("no ids on standard input", exit_code=EXIT_USAGE)
    import asyncio

    started = time.monotonic()
    result, skipped = asyncio.run(
        _download(
            out, ids, all_people=all_people, with_hidden=with_hidden, directory=directory, concurrency=concurrency
        )
    )
    _report_bulk(out, result, skipped, directory, time.monotonic() - started)


async def _download(
    out: Output, ids: list[str], *, all_people: bool, with_hidden: bool, directory: str, concurrency: int
) -> tuple[BulkDownloadResult, list[str]]:
    from immiche.cli._connect import open_async_client

    skipped: list[str] = []
    async with open_async_client(out.options) as client:
        wanted: list[Any]
        if all_people:
            listed = (await client.fetch_people(with_hidden=with_hidden)).people
            wanted = [person for person in listed if person.thumbnail_path]
            skipped = [person.id for person in listed if not person.thumbnail_path]
        else:
            wanted = ids
        with out.progress(len(wanted), "thumbnails") as advance:
            return (
                await client.download_thumbnails(
                    wanted, directory, concurrency=concurrency, on_progress=lambda *_: advance()
                ),
                skipped,
            )


def _report_bulk(out: Output, result: BulkDownloadResult, skipped: list[str], directory: str, elapsed: float) -> None:
    from immiche.cli._errors import describe, exit_code_for
    from immiche.errors import NotFoundError

    failures: list[dict[str, Any]] = []
    codes = set()
    grouped: dict[tuple[str, str | None], list[str]] = {}  # the same failure of many items, told once
    for person_id, error in result.failed.items():
        message, hint = describe(error)
        if isinstance(error, NotFoundError):
            message, hint = f"no thumbnail for {person_id}: unknown person, or one without a thumbnail", _ID_HINT
        code = exit_code_for(error)
        codes.add(code)
        failures.append({"id": person_id, "error": message, "hint": hint, "exit_code": code})
        base = message if isinstance(error, NotFoundError) else getattr(error, "message", message)
        grouped.setdefault((base, hint), []).append(person_id)  # (without the per-request correlation id)
    for (message, hint), ids in grouped.items():
        if person_ids_in(message, ids):
            out.error(message, hint)
        elif len(ids) == 1:
            out.error(f"{ids[0]}: {message}", hint)
        else:
            out.error(f"{len(ids)} thumbnails ({ids[0]}, ...): {message}", hint)
    downloaded = [
        {"id": item.person_id, "path": str(item.path)} for item in result.items if item.ok and item.path is not None
    ]
    if out.json:
        out.emit_json(
            {
                "directory": os.path.abspath(os.path.expanduser(directory)),
                "downloaded": downloaded,
                "failed": failures,
                "skipped": [{"id": person_id, "reason": "no thumbnail"} for person_id in skipped],
            }
        )
    summary = f"Downloaded {len(downloaded)} of {len(result)} thumbnails to {directory} in {elapsed:.1f} s"
    if failures:
        summary += f"; {len(failures)} failed"
    if skipped:
        summary += f"; {len(skipped)} without a thumbnail skipped"
    if failures:
        out.message(summary)
    else:
        out.note(summary)
    if failures:
        raise click.exceptions.Exit(codes.pop() if len(codes) == 1 else EXIT_ERROR)


def person_ids_in(message: str, ids: list[str]) -> bool:
    """Whether the message already names its (single) person."""
    return len(ids) == 1 and ids[0] in message


from immiche.cli._curation import COMMANDS  # noqa: E402  (rename, edit, apply, merge, delete, prune, undo)

for _command in COMMANDS():
    people.add_command(_command)
people.add_command(photos)  # a person's photos: cli/_photos.py
people.add_command(download)
people.add_command(album)
