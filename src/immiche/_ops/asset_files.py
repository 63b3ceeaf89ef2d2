"""Asset files: originals, previews and thumbnails downloaded to a directory, resumably.

Each file is streamed into ``.<name>.immiche-part`` (its ETag beside it in ``.etag``) and renamed
to its name once complete, with the photo's date as modification time. A later run:

- finds a file complete from the directory's manifest (``.immiche-downloads.json``: per file its
  asset, variant, size and ETag) and the asset's size, and sends nothing; or asks with
  ``If-None-Match`` (``304``: nothing sent back) when the size alone cannot tell;
- resumes a partial file with ``Range`` + ``If-Range`` (a ``206`` is appended; a ``200`` means
  the file changed and replaces it); an unsatisfiable range (Immich answers ``500``) restarts it.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from immiche._atomic import atomic_write
from immiche._contract import Parameter, op
from immiche._driver import range_start
from immiche._engine.downloads import SinkRule, check_download
from immiche._engine.ids import check_uuid
from immiche._ops.assets import fetch_asset
from immiche.assets import Asset, check_name_template, file_names
from immiche.errors import ImmichError, InvalidArgumentError, OutputFileError
from immiche.people import DownloadResult

if TYPE_CHECKING:
    from immich_client import AuthenticatedClient
    from immiche._engine.effects import Reply, Send, Steps
    from immiche._engine.engine import Engine

__all__ = [
    "MANIFEST",
    "OPERATIONS",
    "ORIGINAL",
    "ORIGINALS",
    "SIZES",
    "VIEW",
    "Batch",
    "Manifest",
    "check_arguments",
    "download_file",
    "plan_assets",
    "prepare_assets",
]

ORIGINALS: Final = SinkRule("any", 1 << 42, "", "file")
"""Originals and previews: any body but a web page, up to 4 TiB."""

ORIGINAL = op(
    "downloadAsset",
    "GET",
    "/assets/{id}/original",
    "assets.download_asset",
    Parameter("id", "path", "string:uuid"),
    download=ORIGINALS,
)
VIEW = op(
    "viewAsset",
    "GET",
    "/assets/{id}/thumbnail",
    "assets.view_asset",
    Parameter("id", "path", "string:uuid"),
    Parameter("size", "query", "string"),
    download=ORIGINALS,
)
OPERATIONS: Final = (ORIGINAL, VIEW)
MODELS: Final = ()

SIZES: Final = ("original", "preview", "thumbnail")
MANIFEST: Final = ".immiche-downloads.json"
_SAVE_EVERY = 2.0  # seconds between manifest saves during a batch


class Manifest:
    """What a directory's downloads were: per file name, the asset id, variant, size and ETag.

    Shared by the workers of one batch (a lock guards it); saved atomically now and then and at
    the end, so a killed run loses at most a few seconds of it (those files are then checked by
    size, or downloaded again).
    """

    def __init__(self, directory: Path) -> None:
        self.path = directory / MANIFEST
        self._lock = threading.Lock()
        self._saved = time.monotonic()
        self._dirty = False
        self.files: dict[str, dict[str, Any]] = {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            files = data.get("files") if isinstance(data, dict) else None
            if isinstance(files, dict):
                self.files = {k: v for k, v in files.items() if isinstance(k, str) and isinstance(v, dict)}
        except (OSError, ValueError):
            pass

    def get(self, name: str) -> dict[str, Any]:
        with self._lock:
            return dict(self.files.get(name) or {})

    def record(self, name: str, asset_id: str, variant: str, size: int, etag: str | None) -> None:
        with self._lock:
            self.files[name] = {"id": asset_id, "variant": variant, "size": size, "etag": etag}
            self._dirty = True
            due = time.monotonic() - self._saved >= _SAVE_EVERY
        if due:
            self.save()

    def save(self) -> None:
        """Write it if anything changed (errors ignored: it is only a cache of what is on disk)."""
        with self._lock:
            if not self._dirty:
                return
            data = json.dumps({"version": 1, "files": self.files}, ensure_ascii=False, indent=0).encode()
            self._dirty = False
            self._saved = time.monotonic()
        with contextlib.suppress(OSError):
            atomic_write(self.path, data, mode=None, durable=False)


def check_size(size: object) -> str:
    if size not in SIZES:
        raise InvalidArgumentError(f"size must be one of {', '.join(SIZES)}, not {size!r}")
    return str(size)


def check_arguments(size: object, name: object, concurrency: object) -> None:
    """Refuse bad ``download_assets`` arguments before anything is sent."""
    from immiche._base import BaseClient

    check_size(size)
    check_name_template(name)
    BaseClient._check_concurrency(concurrency)  # type: ignore[arg-type]


def prepare_assets(
    engine: Engine, api: AuthenticatedClient, items: Iterable[Asset | str]
) -> Steps[list[Asset | DownloadResult]]:
    """Each item as an Asset (an id is read with ``GET /assets/{id}``), or the error it gives."""
    prepared: list[Asset | DownloadResult] = []
    seen: set[str] = set()
    for item in items:
        if isinstance(item, Asset):
            if item.id not in seen:
                seen.add(item.id)
                prepared.append(item)
            continue
        raw = item if isinstance(item, str) else repr(item)
        try:
            asset_id = str(check_uuid(item, "asset"))
        except InvalidArgumentError as err:
            prepared.append(DownloadResult(raw[:60], error=err))
            continue
        if asset_id in seen:
            continue
        seen.add(asset_id)
        try:
            prepared.append((yield from fetch_asset(engine, api, asset_id)))
        except ImmichError as err:
            prepared.append(DownloadResult(asset_id, error=err))
    return prepared


def plan_assets(
    prepared: list[Asset | DownloadResult], directory: Path, template: str, size: str
) -> list[tuple[Asset | None, Path | None, DownloadResult | None]]:
    """(asset, target path, or the item's error) for each prepared item, names safe and unique."""
    check_name_template(template)
    assets = [item for item in prepared if isinstance(item, Asset)]
    names = iter(file_names(assets, template, size))
    return [
        (item, directory / next(names), None) if isinstance(item, Asset) else (None, None, item) for item in prepared
    ]


def _part(target: Path) -> Path:
    return target.with_name(f".{target.name}.immiche-part")


def _tag(part: Path) -> Path:
    return Path(f"{part}.etag")


def _size_of(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def _remove(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError as err:
            raise OutputFileError(f"cannot remove {path}: {err.strerror or err}") from None


def _request(
    engine: Engine,
    api: AuthenticatedClient,
    asset: Asset,
    size: str,
    part: Path,
    *,
    headers: dict[str, str],
    offset: int,
) -> Send:
    asset_id = check_uuid(asset.id, "asset")
    if size == "original":
        send = engine.build(api, ORIGINAL, id=asset_id)
    else:
        from immich_client.models import AssetMediaSize

        send = engine.build(api, VIEW, id=asset_id, size=AssetMediaSize(size))
    send.options = {**send.options, "headers": {**(send.options.get("headers") or {}), **headers}}
    send.sink = part
    send.resume_from = offset
    return send


def _finish(asset: Asset, target: Path, part: Path) -> int:
    """Move the complete part file to its name, dated like the photo; its size."""
    try:
        os.replace(part, target)
        moment = asset.file_created_at or asset.taken_at
        if moment is not None:
            stamp = moment.timestamp()
            os.utime(target, (stamp, stamp))
        _remove(_tag(part))
        return target.stat().st_size
    except OSError as err:
        raise OutputFileError(f"cannot write {target}: {err.strerror or err}") from None


def download_file(
    engine: Engine,
    api: AuthenticatedClient,
    asset: Asset,
    target: Path,
    *,
    size: str,
    manifest: Manifest,
    skip_existing: bool,
) -> Steps[DownloadResult]:
    """Download one asset's file to ``target`` (see the module docstring); errors are raised."""
    part = _part(target)
    present = _size_of(target)
    known = manifest.get(target.name)
    ours = known.get("id") == asset.id and known.get("variant") == size and known.get("size") == present
    headers: dict[str, str] = {}
    if skip_existing and present is not None:
        exact = size == "original" and asset.size is not None and asset.size == present
        if exact and (ours or not known):
            if not ours:
                manifest.record(target.name, asset.id, size, present, None)
            return DownloadResult(asset.id, path=target, size=present, skipped=True)
        etag = known.get("etag")
        if ours and isinstance(etag, str) and etag:
            headers["If-None-Match"] = etag
        elif ours and size != "original":
            return DownloadResult(asset.id, path=target, size=present, skipped=True)
    offset = 0
    partial = _size_of(part)
    if partial and skip_existing and not headers:
        try:
            etag = _tag(part).read_text(encoding="utf-8").strip()
        except OSError:
            etag = ""
        if etag:
            offset = partial
            headers.update({"Range": f"bytes={partial}-", "If-Range": etag})
    elif partial is not None:
        _remove(part, _tag(part))
    send = _request(engine, api, asset, size, part, headers=headers, offset=offset)
    reply = yield from engine.call(send)
    if reply.status_code == 304 and "If-None-Match" in headers and present is not None:
        return DownloadResult(asset.id, path=target, size=present, skipped=True)
    if offset and reply.status_code in (416, 500) and "content-range" in reply.headers:
        # the part is longer than the file now is (Immich answers an unsatisfiable range with a
        # 500 labelled as the image): start again from the beginning
        _remove(part, _tag(part))
        send = _request(engine, api, asset, size, part, headers={}, offset=0)
        reply = yield from engine.call(send)
    _check_complete(engine, send, reply, part)
    written = _finish(asset, target, part)
    manifest.record(target.name, asset.id, size, written, reply.headers.get("etag"))
    return DownloadResult(asset.id, path=target, size=written)


def _check_complete(engine: Engine, send: Send, reply: Reply, part: Path) -> None:
    """Raise unless the part file now holds the whole file (a too large or refused body removes it)."""
    try:
        check_download(engine, send, reply)
    except ImmichError:
        if reply.too_large:
            _remove(part, _tag(part))
        raise
    if reply.status_code == 206:
        total = reply.headers.get("content-range", "").rpartition("/")[2]
        have = _size_of(part)
        if range_start(reply.headers) != send.resume_from or not total.isdigit() or have != int(total):
            _remove(part, _tag(part))
            raise engine.invalid_response_error(
                send, reply, f"the resumed file has {have} bytes, the server said {total or 'nothing'}"
            )
    elif reply.status_code != 200:
        raise engine.invalid_response_error(send, reply, f"the server answered {reply.status_code} for a file")


class Batch:
    """One ``download_assets`` call: its plan (id, path, error per item) and the job of each item.

    A directory that cannot be created, or items that cannot be read, become per-item errors:
    a bulk download always returns its result.
    """

    def __init__(
        self,
        prepared: list[Asset | DownloadResult],
        directory: str | os.PathLike[str],
        *,
        size: str,
        name: str,
        skip_existing: bool,
    ) -> None:
        from immiche._engine.downloads import _output_dir, _output_path

        self.size, self.skip_existing = check_size(size), bool(skip_existing)
        check_name_template(name)
        folder_error: ImmichError | None = None
        try:
            folder = _output_dir(_output_path(directory))
        except ImmichError as err:
            folder, folder_error = Path(), err
        self.manifest = Manifest(folder)
        self.assets: list[Asset | None] = []
        self.plan: list[tuple[str, Path | None, ImmichError | None]] = []
        for asset, path, failed in plan_assets(prepared, folder, name, self.size):
            self.assets.append(asset)
            if failed is not None:
                self.plan.append((failed.id, None, failed.error))
            elif asset is not None:
                self.plan.append((asset.id, None, folder_error) if folder_error else (asset.id, path, None))

    def job(self, engine: Engine, api: AuthenticatedClient, index: int) -> Steps[DownloadResult]:
        asset, (_, path, _) = self.assets[index], self.plan[index]
        assert asset is not None
        assert path is not None
        return download_file(
            engine, api, asset, path, size=self.size, manifest=self.manifest, skip_existing=self.skip_existing
        )
