"""Download rules come from the operation: what a sink accepts, its cap and its file names."""

from __future__ import annotations

from pathlib import Path

import httpx

from immiche._config import DEFAULT_MAX_DOWNLOAD_BYTES
from immiche._engine.downloads import IMAGES, SinkRule, plan_bulk
from immiche._ops import people

ID = "5174df3b-37a7-46b2-a6c6-5cee411fbdae"
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 12
ORIGINALS = SinkRule("any", 50 * 2**30, "", "file")


def test_thumbnails_declare_images_up_to_a_gib_named_by_id() -> None:
    assert people.THUMBNAIL.download is IMAGES
    assert (IMAGES.kind, IMAGES.max_bytes) == ("image", DEFAULT_MAX_DOWNLOAD_BYTES)
    assert IMAGES.file_name(ID) == f"{ID}.jpg"


def test_the_image_rule_refuses_markup_json_and_junk() -> None:
    jpeg = httpx.Headers({"content-type": "image/jpeg"})
    octets = httpx.Headers({"content-type": "application/octet-stream"})
    assert IMAGES.accepts(jpeg, JPEG)
    assert IMAGES.accepts(octets, JPEG)
    assert not IMAGES.accepts(octets, b"<html><body>login")
    assert not IMAGES.accepts(httpx.Headers({"content-type": "application/json"}), b'{"a": 1}')
    assert not IMAGES.may_accept(httpx.Headers({"content-type": "text/html"}))


def test_a_rule_for_originals_takes_any_body_but_a_web_page() -> None:
    video = httpx.Headers({"content-type": "video/mp4"})
    assert ORIGINALS.accepts(video, b"\0\0\0\x18ftypmp42")
    assert ORIGINALS.accepts(httpx.Headers({"content-type": "application/octet-stream"}), b"RAW-DATA")
    assert not ORIGINALS.accepts(httpx.Headers({"content-type": "text/html"}), b"<!doctype html>")
    assert not ORIGINALS.accepts(httpx.Headers({}), b"  <html><head>")
    assert not ORIGINALS.accepts(video, b"")


def test_names_from_original_file_names_are_safe_and_unique() -> None:
    assert ORIGINALS.file_name(ID, "IMG_0001.HEIC") == "IMG_0001-5174df3b.HEIC"
    assert ORIGINALS.file_name(ID, "../../etc/passwd") == "passwd-5174df3b"
    assert ORIGINALS.file_name(ID, "C:\\photos\\a:b?.jpg") == "a_b_-5174df3b.jpg"
    assert ORIGINALS.file_name(ID, "..") == "file-5174df3b"
    other = "9a1c0000-37a7-46b2-a6c6-5cee411fbdae"
    assert ORIGINALS.file_name(ID, "same.jpg") != ORIGINALS.file_name(other, "same.jpg")


def test_bulk_plans_name_files_by_the_rule(tmp_path: Path) -> None:
    _, plan = plan_bulk([ID, ID, "not-an-id"], tmp_path, rule=SinkRule("image", 1, ".png", "thumbnail"))
    assert [(item, path.name if path else None, error is None) for item, path, error in plan] == [
        (ID, f"{ID}.png", True),
        ("not-an-id", None, False),
    ]
