"""Downloads: what a sink accepts, how large and under which name, and where the files go.

An operation that downloads declares a :class:`SinkRule`: thumbnails accept images only, up to
1 GiB, as ``<id>.jpg`` (:data:`IMAGES`); a rule for originals accepts any body but a web page,
up to a configurable cap, named after the original file name (``SinkRule("any", cap, "")``).
Output paths are checked and their directories created here; nothing here sends a request.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from immiche._atomic import remove_stale_temps_once
from immiche._config import DEFAULT_MAX_DOWNLOAD_BYTES
from immiche._engine.ids import check_uuid
from immiche.errors import ImmichError, InvalidArgumentError, OutputFileError
from immiche.people import DownloadResult, person_id_of

if TYPE_CHECKING:
    from immiche._engine.effects import Reply, Send
    from immiche._engine.engine import Engine

__all__ = [
    "IMAGES",
    "IMAGE_SNIFF_BYTES",
    "SinkRule",
    "check_download",
    "download_outcome",
    "is_image_answer",
    "looks_like_image",
    "plan_bulk",
    "prepare_output",
]

IMAGE_SNIFF_BYTES = 16
"""How many bytes of an answer :func:`looks_like_image` (and any sink rule) needs to decide."""


def is_image_answer(headers: Mapping[str, str]) -> bool:
    """Whether an answer may be an image: anything but HTML, JSON or text.

    Immich sends ``image/jpeg`` (the spec says ``application/octet-stream``); a login page of an
    SSO proxy or another app's JSON must never be written over a thumbnail.
    """
    content_type = headers.get("content-type", "").lower()
    return not (content_type.startswith("text/") or "html" in content_type or "json" in content_type)


def looks_like_image(headers: Mapping[str, str], head: bytes) -> bool:
    """Whether an answer whose body starts with ``head`` is an image worth writing.

    An empty body never is. An ``image/*`` content type is trusted, and so is
    ``application/octet-stream`` (what the spec names) unless the body starts like markup or
    JSON; without a content type (or with another one) the body must start like an image format
    (JPEG, PNG, WebP, GIF, AVIF/HEIC, TIFF). So an HTML page or other junk is never saved as a
    ``.jpg``.
    """
    if not head or not is_image_answer(headers):
        return False
    content_type = headers.get("content-type", "").lower().strip()
    if content_type.startswith("image/"):
        return True
    if (
        head.startswith((b"\xff\xd8", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*"))
        or (head.startswith(b"RIFF") and head[8:12] == b"WEBP")
        or head[4:8] == b"ftyp"
    ):
        return True
    return content_type.startswith("application/octet-stream") and head.lstrip()[:1] not in (b"<", b"{", b"[")


def _is_web_page(headers: Mapping[str, str], head: bytes) -> bool:
    content_type = headers.get("content-type", "").lower()
    return "html" in content_type or (head.lstrip()[:1] == b"<" and b"html" in head.lower())


_UNSAFE = re.compile(r"[^\w.\- ]+")


@dataclass(frozen=True)
class SinkRule:
    """What a downloading operation writes to disk.

    Attributes:
        kind: ``"image"`` (only bodies that look like an image) or ``"any"`` (any body but a web page).
        max_bytes: the largest body streamed to disk.
        suffix: the file name's suffix for :meth:`file_name`; ``""`` keeps the original name's.
        noun: what one item is, in errors (``"thumbnail"``, ``"file"``).
    """

    kind: str
    max_bytes: int
    suffix: str
    noun: str

    def may_accept(self, headers: Mapping[str, str]) -> bool:
        """Whether an answer with these headers may go to the sink (decided finally on its first bytes)."""
        return is_image_answer(headers) if self.kind == "image" else "html" not in headers.get("content-type", "")

    def accepts(self, headers: Mapping[str, str], head: bytes) -> bool:
        """Whether an answer starting with ``head`` goes to the sink."""
        if self.kind == "image":
            return looks_like_image(headers, head)
        return bool(head) and not _is_web_page(headers, head)

    def file_name(self, item_id: str, original: str | None = None) -> str:
        """The file name for one item of a bulk download: ``<id><suffix>``, or a safe, unique
        name from the original file name (``<stem>-<first 8 of id><suffix>``).

        Example::

            IMAGES.file_name("5174df3b-...")             # '5174df3b-....jpg'
            SinkRule("any", 1, "", "file").file_name("5174df3b-37a7", "../IMG 1.HEIC")
            # 'IMG 1-5174df3b.HEIC'
        """
        if original is None:
            return f"{item_id}{self.suffix}"
        base = Path(original.replace("\\", "/")).name
        stem, dot, ext = base.rpartition(".")
        if not dot:
            stem, ext = base, ""
        stem = _UNSAFE.sub("_", stem).strip(" .")[:100] or "file"
        ext = _UNSAFE.sub("", ext)[:10]
        suffix = self.suffix or (f".{ext}" if ext else "")
        return f"{stem}-{item_id[:8]}{suffix}"


IMAGES = SinkRule("image", DEFAULT_MAX_DOWNLOAD_BYTES, ".jpg", "thumbnail")
"""Thumbnails: images only, up to 1 GiB, as ``<id>.jpg``."""


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


PlanEntry = tuple[str, "Path | None", "ImmichError | None"]


def plan_bulk(
    items: Iterable[Any], directory: str | os.PathLike[str], *, kind: str = "person", rule: SinkRule = IMAGES
) -> tuple[Path, list[PlanEntry]]:
    """Work out ``<directory>/<file name>`` (from ``rule``) for each item, once per id.

    Invalid ids, and a directory that cannot be created, become per-item errors: a bulk download
    always returns its result.
    """
    folder_error: ImmichError | None = None
    try:
        folder = _output_dir(_output_path(directory))
        remove_stale_temps_once(folder)  # what a killed run left there
    except ImmichError as err:
        folder, folder_error = Path(), err
    plan: list[PlanEntry] = []
    seen: set[str] = set()
    for item in items:
        raw = person_id_of(item)
        try:
            item_id = str(check_uuid(raw, kind))
        except InvalidArgumentError as err:
            plan.append((str(raw), None, err))
            continue
        if item_id in seen:
            continue
        seen.add(item_id)
        plan.append(
            (item_id, None, folder_error) if folder_error else (item_id, folder / rule.file_name(item_id), None)
        )
    return folder, plan


def download_outcome(item_id: str, path: Path, error: BaseException | None) -> DownloadResult:
    """One bulk item's result; unexpected errors are wrapped so the batch never aborts."""
    if error is None:
        return DownloadResult(item_id, path=path)
    if isinstance(error, ImmichError):
        return DownloadResult(item_id, error=error)
    if isinstance(error, OSError):
        wrapped: ImmichError = OutputFileError(f"cannot write {path}: {error.strerror or error}")
    else:
        wrapped = ImmichError(f"{type(error).__name__}: {error}")
    return DownloadResult(item_id, error=wrapped)


def check_download(engine: Engine, send: Send, reply: Reply) -> None:
    """Raise unless the reply is what the operation's sink accepts (a sink only ever receives those)."""
    engine.check_status(send, reply)
    rule = send.accept or IMAGES
    wanted = "an image" if rule.kind == "image" else "a file"
    if reply.too_large:
        limit = send.sink_max_bytes if send.sink is not None else send.max_bytes
        raise engine.invalid_response_error(
            send,
            reply,
            f"the {rule.noun} is larger than {limit} bytes"
            + ("" if send.sink is not None else f"; use download_{rule.noun}() to stream it"),
        )
    if send.sink is not None:  # the driver streamed it only if it was a 200 the sink accepts
        accepted = reply.written > 0
    else:
        accepted = reply.status_code == 200 and rule.accepts(reply.headers, reply.content[:IMAGE_SNIFF_BYTES])
    if accepted:
        return
    content_type = reply.headers.get("content-type", "").split(";")[0].strip()[:60]
    if not reply.content:
        what = f"answered {reply.status_code} with an empty body"
    elif reply.status_code != 200:
        what = f"answered {reply.status_code}"
    elif not rule.may_accept(reply.headers):
        what = f"sent {content_type!r}"
    else:
        what = f"sent something that is not {wanted} ({content_type or 'no content type'})"
    raise engine.invalid_response_error(
        send, reply, f"the server {what} instead of {wanted}", "check that the server URL points at Immich"
    )
