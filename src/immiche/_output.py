"""Where downloads go: person ids checked, output paths checked and prepared, bulk plans.

Shared by both clients through :mod:`immiche._core`; nothing here sends a request.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from immiche._atomic import remove_stale_temps_once
from immiche.errors import ImmichError, InvalidArgumentError, OutputFileError
from immiche.people import Person, ThumbnailDownload, person_id_of

__all__ = ["check_person_id", "download_outcome", "plan_bulk", "prepare_output"]

_CANONICAL_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def check_person_id(person_id: object) -> uuid.UUID:
    """Accept a person id only if it is a canonical UUID (36 characters: hex digits, and dashes
    at positions 9, 14, 19 and 24), so nothing else ever reaches a URL path and no id is silently
    read as another one (``uuid.UUID`` alone accepts ``+``, ``_``, braces and ``urn:uuid:``)."""
    if isinstance(person_id, uuid.UUID):
        return person_id
    if isinstance(person_id, Person):
        person_id = person_id.id
    if not isinstance(person_id, str):
        raise InvalidArgumentError(f"a person id must be a UUID string, not {type(person_id).__name__}")
    text = person_id.strip()
    if _CANONICAL_UUID.fullmatch(text):
        return uuid.UUID(text)
    raise InvalidArgumentError(
        f"{person_id[:60]!r} is not a person id",
        hint="person ids are UUIDs like 5174df3b-37a7-46b2-a6c6-5cee411fbdae ('immiche people list' shows them)",
    )


def _output_dir(directory: Path) -> Path:
    """Create ``directory`` (and its parents); any refusal is an OutputFileError."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as err:
        raise OutputFileError(
            f"cannot create the directory {directory}: {getattr(err, 'strerror', None) or err}",
            hint="choose a directory you can write to",
        ) from None
    return directory


def _output_path(output_path: object) -> Path:
    if not isinstance(output_path, (str, os.PathLike)) or not str(os.fspath(output_path)).strip():
        raise InvalidArgumentError("the output path is empty", hint="give a file name such as thumbnail.jpg")
    text = os.fspath(output_path)
    if "\0" in str(text):
        raise InvalidArgumentError("the output path contains a NUL character")
    return Path(text).expanduser()


def prepare_output(output_path: str | os.PathLike[str]) -> Path:
    """Check an output file path and create its parent directories.

    A path that ends with a separator (``"thumbs/"``) names a directory, existing or not, so it is
    refused like an existing directory (``Path`` would silently drop the slash and write a file
    named ``thumbs``).
    """
    target = _output_path(output_path)
    text = os.fspath(output_path)
    if str(text).endswith(("/", os.sep)) or (os.altsep and str(text).endswith(os.altsep)):
        raise InvalidArgumentError(
            f"{str(text)[:200]!r} names a directory (it ends with a slash)",
            hint="give a file name such as thumbs/thumbnail.jpg, or use download_thumbnails() for a directory",
        )
    try:
        is_dir = target.is_dir()
    except OSError as err:  # e.g. a name longer than the file system allows
        raise OutputFileError(f"cannot use {target}: {err.strerror or err}", hint="choose a shorter path") from None
    if is_dir:
        raise InvalidArgumentError(f"{target} is a directory", hint="give a file name such as thumbnail.jpg")
    remove_stale_temps_once(_output_dir(target.parent))  # what a killed run left there
    return target


def plan_bulk(
    people_or_ids: Iterable[Person | Mapping[str, Any] | str], directory: str | os.PathLike[str]
) -> tuple[Path, list[tuple[str, Path | None, ImmichError | None]]]:
    """Work out ``<directory>/<person-id>.jpg`` for each item.

    Invalid ids, and a directory that cannot be created, become per-item errors: a bulk download
    always returns its result.
    """
    folder_error: ImmichError | None = None
    try:
        folder = _output_dir(_output_path(directory))
        remove_stale_temps_once(folder)  # what a killed run left there
    except ImmichError as err:
        folder, folder_error = Path(), err
    plan: list[tuple[str, Path | None, ImmichError | None]] = []
    seen: set[str] = set()
    for item in people_or_ids:
        raw = person_id_of(item)
        try:
            person_id = str(check_person_id(raw))
        except InvalidArgumentError as err:
            plan.append((str(raw), None, err))
            continue
        if person_id in seen:
            continue
        seen.add(person_id)
        plan.append((person_id, None, folder_error) if folder_error else (person_id, folder / f"{person_id}.jpg", None))
    return folder, plan


def download_outcome(person_id: str, path: Path, error: BaseException | None) -> ThumbnailDownload:
    """One bulk item's result; unexpected errors are wrapped so the batch never aborts."""
    if error is None:
        return ThumbnailDownload(person_id, path=path)
    if isinstance(error, ImmichError):
        return ThumbnailDownload(person_id, error=error)
    if isinstance(error, OSError):
        wrapped: ImmichError = OutputFileError(f"cannot write {path}: {error.strerror or error}")
    else:
        wrapped = ImmichError(f"{type(error).__name__}: {error}")
    return ThumbnailDownload(person_id, error=wrapped)
