"""A person's photos under stress: interrupted downloads resume, hostile file names stay inside the
directory, a read-only directory or a full disk fails item by item, a server lies about sizes or
answers a range with a 500, and an album vanishes while it is being synced."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import httpx
import pytest

import immiche
from immiche import AlbumNotFoundError, Asset, Client, OutputFileError, RetryPolicy
from immiche import _driver as driver_module
from immiche._ops import albums as albums_ops
from immiche.testing import FakeImmichServer
from tests.reliability._disk import FullFile
from tests.reliability._ledger import Outcome
from tests.reliability.conftest import ReadOnlyDir

NO_RETRY = RetryPolicy(max_retries=0)
BIG = 300_000


def _photos(server: FakeImmichServer, client: Client, count: int = 3) -> list[Asset]:
    named = [p for p in server.people if p.name]
    named.sort(key=lambda p: -len(server.faces_of(p.id)))
    return client.fetch_assets(people=named[0].id)[:count]


def _files(directory: Path) -> list[str]:
    """The names in ``directory``, but the fixture's own temporary directory ``tmp``."""
    return sorted(path.name for path in directory.iterdir() if path.name != "tmp")


@pytest.fixture(params=["2.4.1", "3.3.5"])
def big(request: pytest.FixtureRequest, immich: Any) -> FakeImmichServer:
    server: FakeImmichServer = immich(version=request.param, asset_size=BIG)
    return server


def test_an_interrupted_download_resumes_with_a_range(outcome: Outcome, big: FakeImmichServer, tmp_path: Path) -> None:
    with Client(big.url, api_key=big.api_key, retries=NO_RETRY) as client:
        (asset,) = _photos(big, client, 1)
        big.faults.add("truncate", path=f"/api/assets/{asset.id}/original")
        first = client.download_assets([asset], tmp_path)
        (error,) = first.failed.values()
        outcome.clear_error(error, immiche.ImmichConnectionError)
        final = tmp_path / first.items[0].id  # never a final file from a cut body
        assert not any(name.endswith(".jpg") and not name.startswith(".") for name in _files(tmp_path)), final
        part = next(tmp_path.glob(".*.immiche-part"))
        kept = part.stat().st_size
        assert 0 < kept < BIG
        big.reset_counters()
        second = client.download_assets([asset], tmp_path)
    assert second.ok
    (path,) = second.succeeded
    assert path.read_bytes() == big.original(asset.id)
    (request,) = [r for r in big.requests if r.path.endswith("/original")]
    assert request.headers["range"] == f"bytes={kept}-"
    assert request.headers["if-range"].startswith('W/"')
    outcome.recovered()
    outcome.no_partial_files(tmp_path, allowed=[path.name, ".immiche-downloads.json"])


def test_a_500_on_a_range_restarts_from_zero(outcome: Outcome, big: FakeImmichServer, tmp_path: Path) -> None:
    """A partial file longer than the file now is: Immich answers the range with a 500 (JSON
    labelled as the image); the download starts again and never writes that body."""
    with Client(big.url, api_key=big.api_key) as client:
        (asset,) = _photos(big, client, 1)
        etag = httpx.head(f"{big.api_url}/assets/{asset.id}/original", headers={"x-api-key": big.api_key}).headers[
            "etag"
        ]
        name = f"{asset.taken_at:%Y-%m-%d}_{asset.original_file_name}"
        part = tmp_path / f".{name}.immiche-part"
        part.write_bytes(b"\xff\xd8" + b"x" * (BIG + 10))
        Path(f"{part}.etag").write_text(etag)
        big.reset_counters()
        result = client.download_assets([asset], tmp_path)
    assert result.ok, result.failed
    assert (tmp_path / name).read_bytes() == big.original(asset.id)
    statuses = [(r.path.endswith("/original"), r.headers.get("range")) for r in big.requests]
    assert statuses == [(True, f"bytes={BIG + 12}-"), (True, None)]
    outcome.recovered()
    outcome.no_partial_files(tmp_path, allowed=[name, ".immiche-downloads.json"])


HOSTILE = ["../x.jpg", "a/b/../../c.jpg", "/etc/passwd", "nul\x00byte.jpg", "é" * 300 + ".jpg", "..", "", "CON.jpg"]


def test_hostile_file_names_stay_inside_and_unique(outcome: Outcome, immich: Any, tmp_path: Path) -> None:
    server = immich(version="3.3.5")
    target = tmp_path / "photos"
    with Client(server.url, api_key=server.api_key) as client:
        assets = _photos(server, client, len(HOSTILE))
        hostile = [a._replace(original_file_name=name) for a, name in zip(assets, HOSTILE, strict=True)]
        result = client.download_assets(hostile, target, name="{filename}")
    assert result.ok, result.failed
    names = [path.name for path in result.succeeded]
    assert len(set(names)) == len(names)
    for path, asset in zip(result.succeeded, assets, strict=True):
        assert path.parent == target
        assert "\x00" not in path.name
        assert "/" not in path.name
        assert not path.name.startswith(".")
        assert len(path.name.encode()) <= 200
        assert path.read_bytes() == server.original(asset.id)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photos", "tmp"]  # nothing escaped ("tmp": the fixture's)
    outcome.no_partial_files(target, allowed=[*names, ".immiche-downloads.json"])


def test_a_read_only_directory_fails_each_item_clearly(
    outcome: Outcome, immich: Any, readonly_dir: ReadOnlyDir
) -> None:
    server = immich(version="2.4.1")
    with Client(server.url, api_key=server.api_key) as client:
        assets = _photos(server, client)
        result = client.download_assets(assets, readonly_dir.path)
    assert len(result.failed) == len(assets)
    for failure in result.failed.values():
        outcome.clear_error(failure, OutputFileError)
    outcome.data_intact(readonly_dir.old_file, readonly_dir.old)
    outcome.no_partial_files(readonly_dir.path, allowed=["old.jpg"])


@pytest.fixture
def disk_fills_after_one_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk has room for one original: the next writes fail with ENOSPC."""
    room = [BIG + 1000]

    def full_open(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        real = open(path, mode, *args, **kwargs)  # noqa: SIM115 (closed by the wrapper's user)
        if "w" in mode or "+" in mode:
            wrapped = FullFile(real, room[0])
            original_write = wrapped.write

            def write(data: bytes) -> int:
                try:
                    written = original_write(data)
                except OSError:
                    room[0] = 0
                    raise
                room[0] -= len(data)
                return written

            wrapped.write = write  # type: ignore[method-assign]
            return wrapped
        return real

    monkeypatch.setattr(driver_module, "open", full_open, raising=False)


def test_a_full_disk_mid_batch_fails_the_rest_and_a_rerun_completes(
    outcome: Outcome,
    big: FakeImmichServer,
    tmp_path: Path,
    disk_fills_after_one_file: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Client(big.url, api_key=big.api_key) as client:
        assets = _photos(big, client)
        result = client.download_assets(assets, tmp_path, concurrency=1)
        assert [item.ok for item in result.items] == [True, False, False]
        for failure in result.failed.values():
            outcome.clear_error(failure, OutputFileError)
            assert os.strerror(errno.ENOSPC) in str(failure)
        finished = [p.name for p in result.succeeded]
        assert [n for n in _files(tmp_path) if not n.startswith(".")] == finished  # no cut file under a final name
        monkeypatch.undo()  # room again
        again = client.download_assets(assets, tmp_path)
    assert again.ok
    assert [item.skipped for item in again.items] == [True, False, False]
    assert [p.read_bytes() for p in again.succeeded] == [big.original(a.id) for a in assets]
    outcome.recovered()


def test_a_server_lying_about_sizes(outcome: Outcome, big: FakeImmichServer, tmp_path: Path) -> None:
    """The search claims other sizes than the files have: the files are what the server sends, and
    a rerun asks with the ETag instead of trusting the claim."""
    with Client(big.url, api_key=big.api_key) as client:
        honest = _photos(big, client, 2)
        lying = [a._replace(size=(a.size or 0) + 12345) for a in honest]
        first = client.download_assets(lying, tmp_path)
        assert first.ok
        assert [p.read_bytes() for p in first.succeeded] == [big.original(a.id) for a in honest]
        big.reset_counters()
        again = client.download_assets(lying, tmp_path)
    assert all(item.skipped for item in again.items)
    assert all("if-none-match" in r.headers for r in big.requests)
    outcome.recovered()


def test_a_body_shorter_than_its_content_length_is_never_kept_as_the_file(
    outcome: Outcome, big: FakeImmichServer, tmp_path: Path
) -> None:
    with Client(big.url, api_key=big.api_key, retries=RetryPolicy(max_retries=0)) as client:
        (asset,) = _photos(big, client, 1)
        big.faults.add("truncate", times=-1, path=f"/api/assets/{asset.id}/original")
        result = client.download_assets([asset], tmp_path)
        (failure,) = result.failed.values()
        outcome.clear_error(failure)
    assert [n for n in _files(tmp_path) if not n.startswith(".")] == []


def test_an_album_deleted_while_syncing_is_a_typed_error(
    outcome: Outcome, immich: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    for version in ("2.4.1", "3.3.5"):
        server = immich(version=version)
        with Client(server.url, api_key=server.api_key) as client:
            (asset,) = _photos(server, client, 1)
            person = asset.person_ids[0]
            made = client.sync_album("Vanishing", people=person)
            album = next(a for a in server.albums if a.id == made.album_id)
            album.asset_ids.clear()

            def deleting(
                *args: Any,
                album_id: str = made.album_id,
                srv: FakeImmichServer = server,
                change: Any = albums_ops.change_assets,
                **kw: Any,
            ) -> Any:
                httpx.delete(f"{srv.api_url}/albums/{album_id}", headers={"x-api-key": srv.api_key})
                return (yield from change(*args, **kw))

            monkeypatch.setattr(albums_ops, "change_assets", deleting)  # after the album was read
            error = outcome.raises(AlbumNotFoundError, client.sync_album, "Vanishing", people=person)
            monkeypatch.undo()
            assert error.album_id == made.album_id
            assert made.album_id in str(error)
