"""The effects an operation yields to its driver, and what the driver answers.

Every operation is a generator that *yields effects* and receives their outcomes:

- :class:`Send` a request, answered with a :class:`Reply` or the transport exception;
- :class:`Sleep` before a retry, answered with ``None``;
- :class:`Emit` a page of results to an iterator's consumer, answered with ``None``.

The sync and async drivers only carry these out, so they share every decision.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from immiche._http import httpx

if TYPE_CHECKING:
    from immiche._contract import Operation
    from immiche._engine.downloads import SinkRule

__all__ = ["Effect", "Emit", "Outcome", "Reply", "Send", "Sleep", "Steps"]

T = TypeVar("T")


@dataclass
class Send:
    """Send one request. With ``sink``, an accepted 200 body is streamed atomically into that file."""

    method: str
    url: str
    options: dict[str, Any]
    """``httpx.Client.build_request`` keyword arguments (params, json, headers, timeout...)."""
    auth: httpx.Auth | None = None
    sink: Path | None = None
    max_bytes: int = 0
    """The largest body read into memory."""
    sink_max_bytes: int = 0
    """The largest body streamed into the sink (only a 200 answer the sink accepts goes there)."""
    label: str = ""
    """``METHOD /path`` for errors: the API path template, never the query."""
    deadline: float | None = None
    """``time.monotonic()`` by which the whole request must be over (the driver stops reading then)."""
    operation: Operation | None = None
    """The declared operation: whether the request may be retried and how its answer is parsed.
    Without one the request is never retried."""
    accept: SinkRule | None = None
    """What the sink accepts (from the operation's download rule); None: images."""
    resume_from: int | None = None
    """With a sink: write it in place as a resumable partial file instead of atomically. A 200
    body replaces its content (its ETag goes to ``<sink>.etag``), a 206 whose ``Content-Range``
    starts at ``resume_from`` is appended after that many bytes; an interrupted body is kept."""


@dataclass
class Reply:
    """What the driver read: status, headers and the body (empty when streamed to a sink)."""

    status_code: int
    headers: httpx.Headers
    content: bytes = b""
    written: int = 0
    too_large: bool = False


@dataclass
class Sleep:
    seconds: float


@dataclass
class Emit:
    value: Any


Effect = Send | Sleep | Emit
Outcome = Reply | Exception | None
Steps = Generator[Effect, Outcome, T]
