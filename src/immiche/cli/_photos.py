"""``immiche people photos | download | album``: a person's photos, listed, downloaded, or kept in an album.

PERSON is an id or an exact name (see :func:`resolve_people`). Several people mean photos with
all of them, ``--any`` photos with at least one of them, and (``album`` only) ``--only`` photos
with these people and nobody else.

Like the rest of the CLI this module imports only click and the standard library at module level:
the facade, httpx and rich load inside the commands.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import click

from immiche.cli._errors import EXIT_ERROR, EXIT_NOT_FOUND, EXIT_USAGE, CliError
from immiche.cli._options import ImmicheCommand, concurrency_option, global_options, state

if TYPE_CHECKING:
    from immiche import Asset, AsyncClient, Client
    from immiche.cli._output import Output
    from immiche.people import BulkDownloadResult, Person

__all__ = ["album", "download", "photos", "resolve_people"]

_MAX_ERRORS = 5  # distinct download failures told on stderr; --json lists them all
_PERSON_HELP = "find ids and names with 'immiche people list' or 'immiche people search NAME'"


# -- PERSON and DATE arguments -------------------------------------------------------------------


class DateParam(click.ParamType):  # type: ignore[type-arg]
    """``YYYY-MM-DD`` (a whole day, in the local time zone) or an ISO 8601 date and time."""

    name = "date"

    def __init__(self, *, end_of_day: bool) -> None:
        self.end_of_day = end_of_day

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime.datetime:
        if isinstance(value, datetime.datetime):
            return value
        text = str(value).strip()
        try:
            if len(text) == 10:
                day = datetime.date.fromisoformat(text)
                if self.end_of_day:  # --until 2024-05-01: up to the last millisecond of that day
                    moment = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
                    moment -= datetime.timedelta(milliseconds=1)
                else:
                    moment = datetime.datetime.combine(day, datetime.time())
            else:
                moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+HH:MM]", param, ctx)
        return moment if moment.tzinfo else moment.astimezone()  # a naive time is local time


def _check_range(since: datetime.datetime | None, until: datetime.datetime | None) -> None:
    if since is not None and until is not None and since > until:
        raise CliError("--since is after --until: no photo can match", exit_code=EXIT_USAGE)


def _checked(queries: Sequence[str]) -> list[str]:
    """The PERSON arguments, none empty (a usage error before any request)."""
    for query in queries:
        if not query.strip():
            raise CliError("a PERSON is empty", hint="give a person's id or exact name", exit_code=EXIT_USAGE)
    return list(queries)


def _person_error(error: BaseException) -> CliError | None:
    """The CLI error for a PERSON that names nobody, or several people."""
    from immiche._ids import UUID_PATTERN
    from immiche.curation import AmbiguousPersonError, PersonNotFoundError
    from immiche.errors import NotFoundError

    if isinstance(error, AmbiguousPersonError):
        listed = "; ".join(f"{person.id} {person.display_name}" for person in error.candidates)
        return CliError(
            f"{len(error.candidates)} people are named {error.query!r}: {listed}",
            hint="give the id of the one you mean",
            exit_code=EXIT_USAGE,
        )
    if isinstance(error, PersonNotFoundError) and UUID_PATTERN.fullmatch(error.query):
        return CliError(f"no person with id {error.query.lower()}", hint=_PERSON_HELP, exit_code=EXIT_NOT_FOUND)
    if isinstance(error, PersonNotFoundError):
        return CliError(error.message, hint=error.hint or _PERSON_HELP, exit_code=EXIT_NOT_FOUND)
    if isinstance(error, NotFoundError) and getattr(error, "permission", None) in (None, "person.read"):
        return CliError(f"no person with id {_unknown_id(error)}", hint=_PERSON_HELP, exit_code=EXIT_NOT_FOUND)
    return None


def _unknown_id(error: BaseException) -> str:
    path = getattr(error, "path", None) or ""
    return path.rstrip("/").rsplit("/", 1)[-1] or "?"


def resolve_people(client: Client, queries: Sequence[str]) -> list[Person]:
    """The people named by PERSON arguments (:meth:`Client.find_people`): names matched exactly
    over one listing (hidden people included), ids taken from it or fetched. Unknown: exit 4;
    ambiguous: exit 2, listing the candidates with their ids."""
    try:
        return client.find_people(_checked(queries), with_hidden=True)
    except Exception as err:
        raise (_person_error(err) or err) from None


async def resolve_people_async(client: AsyncClient, queries: Sequence[str]) -> list[Person]:
    """:func:`resolve_people` with an :class:`immiche.AsyncClient`."""
    try:
        return await client.find_people(_checked(queries), with_hidden=True)
    except Exception as err:
        raise (_person_error(err) or err) from None


def _who(people: Sequence[Person], match: str) -> str:
    """The people, for a summary line: ``Ann and Bob``, safe to print."""
    from immiche.cli._output import clean

    names = [clean(person.display_name) for person in people]
    if len(names) == 1:
        return names[0]
    joiner = {"any": " or ", "only": " and only "}.get(match, " and ")
    return ", ".join(names[:-1]) + joiner + names[-1]


_since = click.option(
    "--since",
    type=DateParam(end_of_day=False),
    help="Only photos taken on or after DATE (YYYY-MM-DD: from the start of that day, local time).",
)
_until = click.option(
    "--until",
    type=DateParam(end_of_day=True),
    help="Only photos taken on or before DATE (YYYY-MM-DD: to the end of that day, local time).",
)
_any = click.option("--any", "any_", is_flag=True, help="Photos with any of the people (default: all of them).")


def _require_people(queries: Sequence[str]) -> None:
    if not queries:
        raise CliError("no PERSON given", hint="give one or more ids or exact names", exit_code=EXIT_USAGE)


# -- people photos ---------------------------------------------------------------------------------


@click.command(cls=ImmicheCommand)
@click.argument("queries", metavar="PERSON...", nargs=-1)
@_any
@_since
@_until
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Show at most N photos.")
@global_options
def photos(
    *,
    queries: tuple[str, ...],
    any_: bool,
    since: datetime.datetime | None,
    until: datetime.datetime | None,
    limit: int | None,
) -> None:
    """List the photos of PERSON... (ids or exact names), newest first.

    Several people: photos with all of them (--any: with at least one).

    \b
      immiche people photos Anna
      immiche people photos Anna Bob --any --since 2024-01-01 --json

    With --json: an array of asset objects.
    """
    from immiche.cli._connect import open_client
    from immiche.cli._output import output
    from immiche.cli._photos_output import asset_json, assets_table

    _require_people(queries)
    _check_range(since, until)
    out = output()
    match: Literal["any", "all"] = "any" if any_ else "all"
    with open_client(state()) as client:
        people = resolve_people(client, queries)
        found: list[Asset] = []
        for asset in client.iter_assets(
            people=[person.id for person in people], match=match, taken_after=since, taken_before=until
        ):
            found.append(asset)
            if limit is not None and len(found) >= limit:
                break
    if out.json:
        out.emit_json([asset_json(asset) for asset in found])
    elif found:
        assets_table(out, found)
    if not out.json:
        summary = f"{len(found)} {'photo' if len(found) == 1 else 'photos'} of {_who(people, match)}"
        if limit is not None and len(found) >= limit:
            summary += f" (--limit {limit})"
        out.note(summary)


# -- people download -------------------------------------------------------------------------------


@click.command(cls=ImmicheCommand)
@click.argument("queries", metavar="PERSON...", nargs=-1)
@click.option(
    "-o",
    "--output",
    "directory",
    required=True,
    metavar="DIR",
    type=click.Path(file_okay=False),
    help="Directory to save the photos in (created if needed).",
)
@_any
@click.option(
    "--size",
    type=click.Choice(["original", "preview", "thumbnail"]),
    default="original",
    show_default=True,
    help="The original file, or the server's preview or thumbnail JPEG.",
)
@concurrency_option
@_since
@_until
@global_options
def download(
    *,
    queries: tuple[str, ...],
    directory: str,
    any_: bool,
    size: Literal["original", "preview", "thumbnail"],
    concurrency: int,
    since: datetime.datetime | None,
    until: datetime.datetime | None,
) -> None:
    """Download the photos of PERSON... (ids or exact names) into DIR.

    Files are named DATE_FILENAME after the photo's date, made safe and unique; their modification
    time is the photo's date. Run it again to fetch only what is new or incomplete: complete files
    are skipped.

    \b
      immiche people download Anna -o anna
      immiche people download Anna Bob --any --since 2024-01-01 --size preview -o both

    Shows a progress bar (files and bytes) on a terminal, then a summary. The exit code is non-zero
    when any photo failed (that failure's code when all failed the same way, else 1). With --json:
    {"directory", "downloaded", "skipped", "failed"}.
    """
    from immiche.cli._output import output

    _require_people(queries)
    _check_range(since, until)
    if not directory.strip():
        raise CliError(
            "-o needs a directory (it is empty)", hint="use -o . for the current directory", exit_code=EXIT_USAGE
        )
    out = output()
    import asyncio

    started = time.monotonic()
    result = asyncio.run(
        _download(
            out,
            queries,
            directory=directory,
            match="any" if any_ else "all",
            size=size,
            concurrency=concurrency,
            since=since,
            until=until,
        )
    )
    _report_download(out, result, directory, time.monotonic() - started)


async def _download(
    out: Output,
    queries: Sequence[str],
    *,
    directory: str,
    match: Literal["any", "all"],
    size: Literal["original", "preview", "thumbnail"],
    concurrency: int,
    since: datetime.datetime | None,
    until: datetime.datetime | None,
) -> BulkDownloadResult:
    from immiche.cli._connect import open_async_client
    from immiche.cli._photos_output import download_progress

    async with open_async_client(out.options) as client:
        people = await resolve_people_async(client, queries)
        assets = await client.fetch_assets(
            people=[person.id for person in people],
            match=match,
            taken_after=since,
            taken_before=until,
        )
        with download_progress(out, assets) as advance:
            return await client.download_assets(
                assets,
                directory,
                size=size,
                concurrency=concurrency,
                on_progress=advance,
            )


def _report_download(out: Output, result: BulkDownloadResult, directory: str, elapsed: float) -> None:
    from immiche.cli._errors import describe, exit_code_for
    from immiche.cli._photos_output import human_bytes, item_bytes

    failures: list[dict[str, Any]] = []
    codes = set()
    grouped: dict[tuple[str, str | None], list[str]] = {}  # the same failure of many items, told once
    for asset_id, error in result.failed.items():
        message, hint = describe(error)
        code = exit_code_for(error)
        codes.add(code)
        failures.append({"id": asset_id, "error": message, "hint": hint, "exit_code": code})
        grouped.setdefault((getattr(error, "message", message), hint), []).append(asset_id)
    for shown, ((message, hint), ids) in enumerate(grouped.items()):
        if shown == _MAX_ERRORS:
            left = sum(len(ids) for ids in list(grouped.values())[shown:])
            out.error(f"{left} more photos failed", "--json lists every failure")
            break
        if len(ids) == 1:
            out.error(f"{ids[0]}: {message}", hint)
        else:
            out.error(f"{len(ids)} photos ({ids[0]}, ...): {message}", hint)
    downloaded: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    for item in result.items:
        if not item.ok or item.path is None:
            continue
        entry = {"id": item.id, "path": str(item.path), "bytes": item_bytes(item)}
        (skipped if item.skipped else downloaded).append(entry)
    if out.json:
        out.emit_json(
            {
                "directory": os.path.abspath(os.path.expanduser(directory)),
                "downloaded": downloaded,
                "skipped": skipped,
                "failed": failures,
            }
        )
    size = human_bytes(sum(entry["bytes"] or 0 for entry in downloaded))
    summary = f"Downloaded {len(downloaded)} of {len(result)} photos ({size}) to {directory} in {elapsed:.1f} s"
    if skipped:
        summary += f"; {len(skipped)} already complete"
    if failures:
        summary += f"; {len(failures)} failed"
        out.message(summary)
        raise click.exceptions.Exit(codes.pop() if len(codes) == 1 else EXIT_ERROR)
    out.note(summary)


# -- people album ----------------------------------------------------------------------------------


@click.command(cls=ImmicheCommand)
@click.argument("queries", metavar="PERSON...", nargs=-1)
@click.option(
    "--album", "album_name", required=True, metavar="NAME", help="The album's name or id (created if missing)."
)
@_any
@click.option("--only", is_flag=True, help="Photos with these people and nobody else.")
@click.option("--remove-extras", is_flag=True, help="Also remove the album's photos that do not match.")
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option(
    "--watch",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Sync again every SECONDS until interrupted (Ctrl-C).",
)
@global_options
def album(
    *,
    queries: tuple[str, ...],
    album_name: str,
    any_: bool,
    only: bool,
    remove_extras: bool,
    dry_run: bool,
    watch: float | None,
) -> None:
    """Keep album NAME in sync with the photos of PERSON... (ids or exact names).

    Adds the photos with all of the people (--any: any of them; --only: these people and nobody
    else) that the album lacks; with --remove-extras, removes those that do not match. Run again,
    it changes only what changed. The album is created when no album has that name.

    \b
      immiche people album Anna --album "Anna"
      immiche people album Anna Bob --only --album "Anna & Bob" --remove-extras --dry-run
      immiche people album Anna --album Anna --watch 600

    Prints each photo added or removed, then a summary. Ctrl-C during a sync lets the requests
    already under way finish and reports them (Ctrl-C again stops at once), then exits 130.
    With --json: {"album_id", "album", "created", "added", "removed", "unchanged", "failed",
    "dry_run"}; with --watch, one such object per line and sync.
    """
    from immiche.cli._output import output

    _require_people(queries)
    if any_ and only:
        raise CliError("--any and --only cannot be used together", exit_code=EXIT_USAGE)
    if not album_name.strip():
        raise CliError("--album needs a name", exit_code=EXIT_USAGE)
    from immiche import (
        AlbumNotFoundError,
        AmbiguousAlbumError,
        ImmichConnectionError,
        RateLimitError,
        ServerError,
    )
    from immiche.cli._connect import open_client
    from immiche.cli._photos_output import report_sync

    out = output()
    match: Literal["any", "all", "only"] = "any" if any_ else "only" if only else "all"

    with open_client(state()) as client, _Deferred() as signals:
        people = resolve_people(client, queries)
        while True:
            with signals.busy():
                try:
                    result = client.sync_album(
                        album_name,
                        people=[person.id for person in people],
                        match=match,
                        remove_extras=remove_extras,
                        dry_run=dry_run,
                    )
                except AmbiguousAlbumError as err:
                    raise CliError(err.message, hint=err.hint, exit_code=EXIT_USAGE) from None
                except (ImmichConnectionError, ServerError, RateLimitError, AlbumNotFoundError) as err:
                    if watch is None:
                        raise
                    result = None  # watching: a server away for a while, or the album deleted (created again
                    _report_watch_error(out, err, watch)  # next time when given by name), is tried again
            if result is not None:
                report_sync(out, result, who=_who(people, match), watching=watch is not None)
            signals.raise_pending()
            if watch is None:
                if result is not None and result.failed:
                    raise click.exceptions.Exit(EXIT_ERROR)
                return
            signals.sleep(watch)


def _report_watch_error(out: Output, error: Exception, seconds: float) -> None:
    from immiche.cli._errors import describe

    message, hint = describe(error)
    out.error(message, hint)
    out.note(f"trying again in {seconds:g} s")


class _Deferred:
    """Ctrl-C (SIGINT) and SIGTERM while an album sync runs are held until it ends, so the writes
    already sent are reported; a second signal stops at once. Outside a sync they act at once."""

    def __init__(self) -> None:
        self.pending: type[BaseException] | None = None
        self._busy = False
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _Deferred:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _exception(self, signum: int) -> type[BaseException]:
        import signal

        from immiche.cli._errors import Terminated

        return Terminated if signum == signal.SIGTERM else KeyboardInterrupt

    def _handle(self, signum: int, frame: Any) -> None:
        kind = self._exception(signum)
        if not self._busy or self.pending is not None:
            raise kind
        self.pending = kind
        with contextlib.suppress(OSError, ValueError):  # unbuffered: safe from a signal handler
            os.write(sys.stderr.fileno(), b"finishing the album sync under way (Ctrl-C again to stop at once)\n")

    def busy(self) -> _Busy:
        return _Busy(self)

    def raise_pending(self) -> None:
        if self.pending is not None:
            raise self.pending

    def sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 0.25))


class _Busy:
    def __init__(self, owner: _Deferred) -> None:
        self.owner = owner

    def __enter__(self) -> None:
        self.owner._busy = True

    def __exit__(self, *exc: object) -> None:
        self.owner._busy = False
