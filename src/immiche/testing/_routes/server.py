"""``/server/*``: ping, version and about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from immiche.testing._errors import dumps
from immiche.testing._modes import Mode
from immiche.testing._routing import PUBLIC, ApiRequest, Route, RouteAnswer
from immiche.testing._state import Auth

if TYPE_CHECKING:
    from immiche.testing._api import Api

__all__ = ["about_body", "routes", "version_body"]

_ABOUT_COMPONENTS = {  # what the recorded v2.4.1 server reported
    "nodejs": "v24.12.0",
    "exiftool": "13.44",
    "ffmpeg": "5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers",
    "libvips": "8.17.3",
    "imagemagick": "",
}
_SOURCE_COMMIT = "8aa95c67470a02a8ddedf03c2e52963af33065ff"  # v3.1.0's, as the recorded server reported


def version_body(mode: Mode, reported: tuple[int, int, int]) -> bytes:
    """``/server/version``: ``prerelease`` (always ``null`` on a release) from v3.0.0 on."""
    major, minor, patch = reported
    body: dict[str, object] = {"major": major, "minor": minor, "patch": patch}
    if mode.version_prerelease:
        body["prerelease"] = None
    return dumps(body)


def about_body(mode: Mode, reported: tuple[int, int, int]) -> bytes:
    tag = "v{}.{}.{}".format(*reported)
    body: dict[str, object] = {
        "version": tag,
        "versionUrl": f"https://github.com/immich-app/immich/releases/tag/{tag}",
        "licensed": False,
        "sourceRef": tag,
        **_ABOUT_COMPONENTS,
    }
    if mode.version >= (3, 1, 0):
        body["sourceCommit"] = _SOURCE_COMMIT
    return dumps(body)


def _ping(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    return RouteAnswer(200, b'{"res":"pong"}')


def _version(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    return RouteAnswer(200, api.version_json)


def _about(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    return RouteAnswer(200, api.about_json)


def routes(mode: Mode) -> list[Route]:
    return [
        Route("GET", "/server/ping", PUBLIC, _ping),
        Route("GET", "/server/version", PUBLIC, _version),
        Route("GET", "/server/about", "server.about", _about),
    ]
