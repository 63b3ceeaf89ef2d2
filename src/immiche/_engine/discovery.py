"""Finding a server's API root like the official apps do, and the untested-version warning."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from immiche import _contract
from immiche._engine.effects import Send, Steps
from immiche._engine.engine import Engine
from immiche._logs import log_decision
from immiche._ops import server as server_ops
from immiche._url import api_root_from_well_known
from immiche.errors import ImmichError, ImmichVersionWarning, InvalidResponseError, redact_url, warn_at_caller

if TYPE_CHECKING:
    from immich_client import Client as PublicClient
    from immiche.server import ServerVersion

__all__ = ["WELL_KNOWN", "discover", "warn_if_untested"]


WELL_KNOWN = _contract.Operation("wellKnown", "GET", "/.well-known/immich", "")
"""Not an API operation (it is served outside the API root, so not in ``OPERATIONS``); a GET, retried."""


def discover(engine: Engine, public: Callable[[str], PublicClient]) -> Steps[tuple[str, ServerVersion]]:
    """Find and confirm the API root; return it with the version.

    ``GET <server>/.well-known/immich`` announces the API endpoint; it is confirmed with
    ``/server/ping``, falling back to ``<server>/api``. No credential is sent until then.
    """
    server = engine.server
    candidates: list[str] = []
    well_known = Send(
        "GET", server.well_known, {}, max_bytes=65536, label="GET /.well-known/immich", operation=WELL_KNOWN
    )
    reply = yield from engine.call(well_known)
    if 300 <= reply.status_code < 400:
        raise engine.redirect_error(reply, "GET", "/.well-known/immich")
    if reply.status_code == 200:
        try:
            announced = api_root_from_well_known(server, json.loads(reply.content))
        except (ValueError, UnicodeDecodeError, ImmichError):
            announced = None
        if announced:
            candidates.append(announced)
    log_decision(
        "discovery: /.well-known/immich answered %d, announcing %s",
        reply.status_code,
        [redact_url(c) for c in candidates],
    )
    if server.fallback_api_root not in candidates:
        candidates.append(server.fallback_api_root)
    last: ImmichError | None = None
    for root in candidates:
        log_decision("discovery: trying the API root %s", redact_url(root))
        ping = engine.build(public(root), server_ops.PING)
        reply = yield from engine.call(ping)
        if 300 <= reply.status_code < 400:
            raise engine.redirect_error(reply, "GET", "/server/ping")
        try:
            pong = engine.parse(ping, reply)
        except ImmichError as err:
            log_decision("discovery: %s does not answer /server/ping as Immich: %s", redact_url(root), err)
            last = err
            continue
        if isinstance(getattr(pong, "res", None), str):  # Immich answers {"res": "pong"}
            version = yield from server_ops.server_version(engine, public(root))
            return root, version
    raise InvalidResponseError(
        f"{server.base} does not answer as an Immich server",
        hint="check the URL: it should be the address you open Immich at (e.g. http://host:2283)",
        status_code=getattr(last, "status_code", None),
    )


def warn_if_untested(engine: Engine, version: ServerVersion, pinned: str) -> None:
    """Warn once per client when the server is outside the version range the facade is tested against."""
    (low, high) = _contract.TESTED_RANGE
    if engine.warned or _contract.is_tested(version.major, version.minor):
        return
    engine.warned = True
    warn_at_caller(
        ImmichVersionWarning(
            f"the Immich server at {engine.server.base} runs {version}, outside the versions immiche is "
            f"tested against (v{'.'.join(map(str, low))} to v{'.'.join(map(str, high))}.x; its immich_client "
            f"is generated from Immich v{pinned}). Most calls keep working; to know, check that release's "
            f"OpenAPI document (open-api/immich-openapi-specs.json at tag {version}) with "
            f"'python -m immiche.compat <that file>'; from an immiche checkout, "
            f"'scripts/regen.sh --version {version}' also regenerates the client."
        )
    )
