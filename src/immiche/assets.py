"""A person's photos: the :class:`Asset` value, and how bulk downloads name their files.

An :class:`Asset` is read leniently from an ``AssetResponseDto`` JSON object
(:meth:`Asset.from_json`): fields an older or newer server lacks become ``None`` (or empty),
fields it adds are ignored; only ``id`` is required.

File names of :meth:`immiche.Client.download_assets` come from a template (``name=``), with
these fields:

=================  ==============================================================================
``{date}``         the day the photo was taken, ``YYYY-MM-DD`` (``undated`` when unknown)
``{datetime}``     the moment it was taken, ``YYYYMMDD_HHMMSS`` (``undated`` when unknown)
``{year}``         ``YYYY`` (``undated`` when unknown); ``{month}``: ``MM``
``{filename}``     the original file name (``IMG_0001.JPG``), made safe
``{stem}``         the original file name without its extension; ``{ext}``: the extension, no dot
``{id}``           the asset id; ``{id8}``: its first 8 characters
``{type}``         ``image``, ``video``...
=================  ==============================================================================

The result is made safe: no directory part (``/``, ``\\``, ``..``), no control character or NUL,
at most 200 bytes (UTF-8), never empty or hidden; the extension comes from the original (``.jpg``
for previews, ``.webp`` for thumbnails). Two assets whose names would collide (``IMG_0001.JPG``
twice, or names differing only in case) never overwrite each other: every asset after the first
gets ``-<id8>`` before its extension.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Mapping
from string import Formatter
from typing import Any, NamedTuple

from immiche.errors import InvalidArgumentError
from immiche.people import _read_datetime

__all__ = ["NAME_FIELDS", "Asset", "asset_id_of", "check_name_template", "file_names"]

NAME_FIELDS = frozenset({"date", "datetime", "year", "month", "filename", "stem", "ext", "id", "id8", "type"})
"""The fields a download's ``name`` template may use."""

MAX_NAME_BYTES = 200
"""The longest file name written (UTF-8 bytes, suffixes added for uniqueness included)."""


class Asset(NamedTuple):
    """A photo or video as Immich describes it: immutable, cheap, read leniently.

    Attributes:
        id: the asset's UUID.
        original_file_name: the name it was uploaded with (``IMG_0001.JPG``), ``""`` when unknown.
        type: ``"IMAGE"``, ``"VIDEO"``, ``"AUDIO"`` or ``"OTHER"`` (``""`` when not sent).
        taken_at: when it was taken, as shown in Immich: the EXIF ``dateTimeOriginal`` (with its
            offset), else ``localDateTime``, else ``fileCreatedAt``; ``None`` when none is sent.
        file_created_at: ``fileCreatedAt``, the moment (UTC) of the file; ``None`` when not sent.
        size: the original's size in bytes (``exifInfo.fileSizeInByte``) when the server says.
        is_favorite: marked as favourite.
        person_ids: the people recognised on it (ids), in the server's order.
        checksum: the original's SHA-1 in base64, when sent.
        mime_type: the original's MIME type (``originalMimeType``), when sent.
    """

    id: str
    original_file_name: str = ""
    type: str = ""
    taken_at: datetime.datetime | None = None
    file_created_at: datetime.datetime | None = None
    size: int | None = None
    is_favorite: bool = False
    person_ids: tuple[str, ...] = ()
    checksum: str | None = None
    mime_type: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Asset:
        """An Asset from an ``AssetResponseDto`` JSON object (a search item, an album's asset...).

        Raises ``KeyError`` without ``id``, ``TypeError`` for a non-string id.

        Example:
            >>> Asset.from_json({"id": "5174df3b-37a7-46b2-a6c6-5cee411fbdae", "new": 1}).original_file_name
            ''
        """
        asset_id = data["id"]
        if type(asset_id) is not str:
            raise TypeError("an asset needs a string 'id'")
        get = data.get
        exif = get("exifInfo")
        exif = exif if isinstance(exif, dict) else {}
        created = _read_datetime(get("fileCreatedAt"))
        taken = _read_datetime(exif.get("dateTimeOriginal")) or _read_datetime(get("localDateTime")) or created
        size = exif.get("fileSizeInByte")
        people = get("people")
        person_ids = (
            tuple(p["id"] for p in people if isinstance(p, dict) and type(p.get("id")) is str)
            if isinstance(people, list)
            else ()
        )
        name, kind, checksum, mime = (
            get("originalFileName"),
            get("type"),
            get("checksum"),
            get("originalMimeType"),
        )
        return cls(
            asset_id,
            name if type(name) is str else "",
            kind if type(kind) is str else "",
            taken,
            created,
            size if type(size) is int and size >= 0 else None,
            get("isFavorite") is True,
            person_ids,
            checksum if type(checksum) is str and checksum else None,
            mime if type(mime) is str and mime else None,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the CLI's ``--json`` asset object): dates as ISO strings, missing as null."""
        return {
            "id": self.id,
            "original_file_name": self.original_file_name,
            "type": self.type,
            "taken_at": self.taken_at.isoformat() if self.taken_at else None,
            "file_created_at": self.file_created_at.isoformat() if self.file_created_at else None,
            "size": self.size,
            "is_favorite": self.is_favorite,
            "person_ids": list(self.person_ids),
            "checksum": self.checksum,
            "mime_type": self.mime_type,
        }


def asset_id_of(asset: Asset | Mapping[str, Any] | str) -> str:
    """The id of an Asset, an asset dict or an id string."""
    if isinstance(asset, Asset):
        return asset.id
    if isinstance(asset, Mapping):
        return str(asset.get("id", ""))
    return asset if isinstance(asset, str) else repr(asset)


def check_name_template(template: object) -> str:
    """A ``name`` template, checked: a non-empty string using only :data:`NAME_FIELDS`."""
    if not isinstance(template, str) or not template.strip():
        raise InvalidArgumentError("the name template is empty", hint="for example name='{date}_{filename}'")
    try:
        fields = [field for _, field, spec, conv in Formatter().parse(template) if field is not None]
    except ValueError as err:
        raise InvalidArgumentError(f"the name template {template!r} is malformed: {err}") from None
    unknown = sorted({field for field in fields if field not in NAME_FIELDS})
    if unknown or not fields:
        known = ", ".join("{" + name + "}" for name in sorted(NAME_FIELDS))
        what = f"unknown fields {unknown}" if unknown else "no field"
        raise InvalidArgumentError(f"the name template {template!r} has {what}", hint=f"use {known}")
    return template


_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
_SUFFIX = {"preview": "jpg", "thumbnail": "webp"}


def _safe(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return _UNSAFE.sub("_", text)


def _clip(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", "ignore")


def _render(asset: Asset, template: str, size: str) -> tuple[str, str]:
    """(stem, extension without dot) of ``asset``'s file name, safe but not yet unique."""
    original = asset.original_file_name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = original.rpartition(".")
    if not dot:
        stem, ext = original, ""
    stem, ext = _safe(stem).strip(" ."), _safe(ext).strip(" .")[:16]
    ext = _SUFFIX.get(size, ext)
    taken = asset.taken_at
    values = {
        "date": f"{taken:%Y-%m-%d}" if taken else "undated",
        "datetime": f"{taken:%Y%m%d_%H%M%S}" if taken else "undated",
        "year": f"{taken:%Y}" if taken else "undated",
        "month": f"{taken:%m}" if taken else "undated",
        "filename": stem or asset.id[:8],  # the extension is added once, below
        "stem": stem or asset.id[:8],
        "ext": ext,
        "id": asset.id,
        "id8": asset.id[:8],
        "type": asset.type.lower() or "asset",
    }
    rendered = template.replace("{filename}.{ext}", "{filename}").format(**values)
    if ext and rendered.lower().endswith("." + ext.lower()):
        rendered = rendered[: -len(ext) - 1]
    name = _safe(rendered).strip(" .").replace("..", "_") or asset.id[:8]
    return name, ext


def file_names(assets: Iterable[Asset], template: str, size: str) -> list[str]:
    """A safe, unique file name for each asset, in order (see the module docstring).

    Example:
        >>> a = Asset("5174df3b-37a7-46b2-a6c6-5cee411fbdae", "../IMG_1.JPG")
        >>> b = Asset("9a1c00e2-37a7-46b2-a6c6-5cee411fbdae", "IMG_1.JPG")
        >>> file_names([a, b], "{filename}", "original")
        ['IMG_1.JPG', 'IMG_1-9a1c00e2.JPG']
    """
    names: list[str] = []
    taken: set[str] = set()
    for asset in assets:
        stem, ext = _render(asset, template, size)
        dotted = f".{ext}" if ext else ""
        room = MAX_NAME_BYTES - len(dotted.encode()) - 9 - len(".part.json")  # "-<id8>" and resume files
        stem = _clip(stem, room).rstrip(" .") or asset.id[:8]
        name = f"{stem}{dotted}"
        if name.casefold() in taken:
            name = f"{stem}-{asset.id[:8]}{dotted}"
            if name.casefold() in taken:  # the same asset twice never happens; a hand-made clash might
                name = f"{stem}-{asset.id}{dotted}"
        taken.add(name.casefold())
        names.append(name)
    return names
