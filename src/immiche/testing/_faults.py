"""Fault injection: what a flaky network or proxy does to requests, on demand.

Faults apply in the order they were added; the first active one whose ``path`` matches takes the
request and uses up one of its ``times``. They act before Immich would: like a proxy in front.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, get_args

__all__ = ["Fault", "FaultKind", "Faults"]

FaultKind = Literal["status", "rate_limit", "reset", "truncate", "slow_body", "html", "invalid_json", "wrong_shape"]
_KINDS = frozenset(get_args(FaultKind))


@dataclass
class Fault:
    """One injected fault.

    Attributes:
        kind: what happens (see :meth:`Faults.add`).
        times: how many requests it takes, ``-1`` for every one.
        status: the status answered (``status``, ``rate_limit``, ``html``, ``invalid_json``, ``wrong_shape``).
        path: only requests whose path (below the base path, or as received) starts with it.
        retry_after: the ``Retry-After`` header's value, if any.
        delay: ``slow_body``: seconds the body takes; other kinds: a pause before answering.
        hits: how many requests it has taken so far.
    """

    kind: FaultKind
    times: int = 1
    status: int | None = None
    path: str | None = None
    retry_after: float | str | None = None
    delay: float | None = None
    hits: int = 0

    @property
    def active(self) -> bool:
        return self.times == -1 or self.hits < self.times


class Faults:
    """The faults of one server (``server.faults``); thread-safe.

    Example::

        server.faults.add("status", status=503, times=2)  # two 503s, then normal answers
        server.faults.add("rate_limit", retry_after=1, path="/api/people")
        server.faults.add("reset", times=-1)  # every request: connection reset
        server.faults.clear()
    """

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        kind: FaultKind,
        *,
        times: int = 1,
        status: int | None = None,
        path: str | None = None,
        retry_after: float | str | None = None,
        delay: float | None = None,
    ) -> Fault:
        """Inject a fault into the next ``times`` matching requests (``-1``: all of them).

        Kinds:
            ``status``: answer ``status`` with the server version's error body.
            ``rate_limit``: 429 (or ``status``) with ``Retry-After: retry_after`` (default 1).
            ``reset``: close the connection without answering (TCP RST).
            ``truncate``: the real answer's headers, then half its body, then close.
            ``slow_body``: the real answer, its body trickling over ``delay`` seconds (default 1).
            ``html``: an nginx error page with ``status`` (default 502).
            ``invalid_json``: 200 (or ``status``) with a broken JSON body.
            ``wrong_shape``: 200 (or ``status``) with JSON that no endpoint answers.

        Returns:
            The fault, whose ``hits`` counts the requests it took.

        Raises:
            ValueError: an unknown kind, ``times`` of 0 or below -1, a ``status`` fault without
                a status, or a negative delay.
        """
        if kind not in _KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; choose one of {sorted(_KINDS)}")
        if times == 0 or times < -1:
            raise ValueError("times must be a positive count, or -1 for every request")
        if kind == "status" and status is None:
            raise ValueError("a 'status' fault needs status=...")
        if status is not None and not 100 <= status <= 599:
            raise ValueError(f"status {status} is not an HTTP status")
        if delay is not None and delay < 0:
            raise ValueError("delay must not be negative")
        if kind == "rate_limit":
            status = status or 429
            retry_after = 1 if retry_after is None else retry_after
        elif kind == "html":
            status = status or 502
        elif kind in ("invalid_json", "wrong_shape"):
            status = status or 200
        elif kind == "slow_body" and delay is None:
            delay = 1.0
        fault = Fault(kind, times, status, path, retry_after, delay)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def take(self, *paths: str) -> Fault | None:
        """The fault for a request with these paths (relative and as received), using it up once."""
        with self._lock:
            for fault in self._faults:
                if fault.active and (fault.path is None or any(p.startswith(fault.path) for p in paths)):
                    fault.hits += 1
                    return fault
        return None

    def __iter__(self) -> Iterator[Fault]:
        """The faults still active."""
        with self._lock:
            return iter([fault for fault in self._faults if fault.active])

    def __len__(self) -> int:
        with self._lock:
            return sum(1 for fault in self._faults if fault.active)
