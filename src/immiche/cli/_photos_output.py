"""How the CLI shows a person's photos: the table of ``people photos``, the download progress bar and
summary of ``people download``, and the report of ``people album``.

Generic output (JSON, tables, redaction) is :mod:`immiche.cli._output`.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from immiche.cli._output import _JSON_ESCAPES, Column, Output, clean, no_color, terminal_width

if TYPE_CHECKING:
    from immiche import AlbumSyncResult, Asset
    from immiche.people import DownloadResult

__all__ = [
    "asset_json",
    "assets_table",
    "download_progress",
    "human_bytes",
    "item_bytes",
    "report_sync",
]


def human_bytes(count: float) -> str:
    """``1.5 MB``-style sizes (powers of 1000, as file managers show them)."""
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if count < 1000 or unit == "TB":
            return f"{int(count)} bytes" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1000
    raise AssertionError("unreachable")  # pragma: no cover


def asset_json(asset: Asset) -> dict[str, Any]:
    """An asset as the CLI's JSON shows it (:meth:`immiche.Asset.to_dict`)."""
    return asset.to_dict()


def _local(moment: datetime.datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment is not None else "-"


def assets_table(out: Output, assets: Sequence[Asset]) -> None:
    """The photos as a table: ID, TAKEN (local time), FILE; from 100 columns also TYPE, SIZE, FAVORITE."""
    width = 100_000 if not out.out.isatty() else terminal_width()
    columns = [Column("ID", min_width=36), Column("TAKEN"), Column("FILE", no_wrap=False, min_width=8)]
    wide = width >= 100
    if wide:
        columns += [Column("TYPE"), Column("SIZE"), Column("FAVORITE")]
    rows = []
    for asset in assets:
        row = [asset.id, _local(asset.taken_at), clean(asset.original_file_name)]
        if wide:
            size = human_bytes(asset.size) if asset.size is not None else "-"
            row += [clean(str(asset.type).lower()), size, "yes" if asset.is_favorite else ""]
        rows.append(row)
    out.table(columns, rows)


# -- downloads -----------------------------------------------------------------------------------


def item_bytes(item: DownloadResult) -> int | None:
    """The size of a downloaded (or already complete) file, when known."""
    if item.size is not None:
        return item.size
    try:
        return item.path.stat().st_size if item.path is not None else None
    except OSError:
        return None


@contextmanager
def download_progress(out: Output, assets: Sequence[Asset]) -> Iterator[Any]:
    """A progress bar of files and bytes on stderr when it is a terminal (not ``--quiet`` nor
    ``NO_COLOR``); yields the ``on_progress(item, done, total)`` callback of ``download_assets``."""
    if out.options.quiet or not assets or not out.err.isatty() or no_color():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(file=out.err, highlight=False, markup=False, emoji=False)
    sizes = [asset.size for asset in assets]
    known = None if any(size is None for size in sizes) else sum(size or 0 for size in sizes)
    done_bytes = 0
    with Progress(
        TextColumn("photos"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TextColumn("{task.fields[size]}"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        of = f" of {human_bytes(known)}" if known else ""
        task = bar.add_task("photos", total=len(assets), size=f"{human_bytes(0)}{of}")

        def advance(item: DownloadResult, done: int, total: int) -> None:
            nonlocal done_bytes
            if item.ok and not item.skipped:
                done_bytes += item_bytes(item) or 0
            bar.update(task, completed=done, size=f"{human_bytes(done_bytes)}{of}")

        yield advance


# -- album sync ----------------------------------------------------------------------------------


def report_sync(out: Output, result: AlbumSyncResult, *, who: str, watching: bool) -> None:
    """Print one sync's outcome: each photo added or removed on stdout (or the JSON object), the
    server's refusals as errors, and a summary line on stderr (stamped with the time when watching)."""
    if out.json:
        data = result.to_dict()
        if watching:  # one object per line and sync
            out.line(json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES))
        else:
            out.emit_json(data)
    else:
        add, remove = ("would add", "would remove") if result.dry_run else ("added", "removed")
        for asset_id in result.added:
            out.line(f"{add} {asset_id}")
        for asset_id in result.removed:
            out.line(f"{remove} {asset_id}")
    for failure in result.failed:
        out.error(f"could not {failure.action} {failure.asset_id}: {clean(failure.error)}")
    stamp = f"{datetime.datetime.now().astimezone():%H:%M:%S} " if watching else ""
    add, remove = ("would add", "would remove") if result.dry_run else ("added", "removed")
    summary = (
        f"{stamp}{'dry run: ' if result.dry_run else ''}album {clean(result.album_name)!r} "
        f"({result.album_id or 'new'}) for {clean(who)}: {add} {len(result.added)}, "
        f"{remove} {len(result.removed)}, {result.unchanged} already there"
    )
    if result.created:
        summary += " (album would be created)" if result.dry_run else " (album created)"
    if result.failed:
        summary += f"; {len(result.failed)} failed"
        out.message(summary)
    else:
        out.note(summary)
