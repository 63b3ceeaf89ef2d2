"""What the sync and async drivers share: reading one answer, and the bookkeeping of bulk downloads.

:class:`Receiver` takes one response body. Only a 200 answer for a sink whose first bytes look
like what its operation's sink accepts (:class:`immiche._engine.downloads.SinkRule`: images for
thumbnails) streams atomically into that file, up to
the download cap; anything else is read into memory up to ``max_response_bytes``. Reading stops
when the request's overall deadline passes, or when the bulk download it belongs to is cancelled.
The drivers differ only in how they iterate the body.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from immiche._atomic import AtomicFile, Interrupted, TempScope, current_scope, temp_scope
from immiche._engine.downloads import IMAGE_SNIFF_BYTES, IMAGES, PlanEntry
from immiche._engine.effects import Outcome, Reply, Send
from immiche._engine.transport import deadline_passed
from immiche._http import httpx
from immiche.errors import ImmichError, OutputFileError
from immiche.people import BulkDownloadResult, DownloadResult

__all__ = [
    "BulkRun",
    "PartFile",
    "ProgressCallback",
    "Receiver",
    "range_start",
    "run_in_threads",
    "run_jobs",
    "send_args",
]

T = TypeVar("T")

ProgressCallback = Callable[[DownloadResult, int, int], None]
"""``on_progress(item, done, total)``, called once per item as it finishes (``item.size``: its
bytes, for a progress bar counting files and bytes; ``item.skipped``: it was already complete)."""

CANCEL_GRACE = 1.0
"""Seconds an interrupted bulk download waits for its worker threads before it raises."""


def range_start(headers: Any) -> int | None:
    """The first byte a ``206`` answer's ``Content-Range: bytes <first>-<last>/<size>`` covers."""
    text = str(headers.get("content-range", ""))
    unit, _, span = text.partition(" ")
    first = span.split("-", 1)[0]
    return int(first) if unit == "bytes" and first.isdigit() else None


class PartFile:
    """A resumable partial download written in place: kept when interrupted, so a later request
    with ``Range`` continues it. ``append``: keep the first ``offset`` bytes and add after them."""

    def __init__(self, path: Path, *, offset: int, append: bool, etag: str | None) -> None:
        self.path = path
        tag = Path(f"{path}.etag")
        if not append:
            offset = 0
            if etag:
                tag.write_text(etag, encoding="utf-8")
            else:
                tag.unlink(missing_ok=True)
        self._file = open(path, "r+b" if append and path.exists() else "wb")  # noqa: SIM115 (closed in commit/discard)
        self._file.truncate(offset)
        self._file.seek(offset)

    def write(self, data: bytes) -> int:
        return self._file.write(data)

    def commit(self) -> None:
        self._file.close()

    def discard(self) -> None:
        """Close it and keep what was written: the next request resumes from there."""
        self._file.close()


class Receiver:
    """Takes one response body; see the module docstring."""

    def __init__(self, effect: Send, response: httpx.Response) -> None:
        self._effect = effect
        self._response = response
        self._rule = effect.accept or IMAGES
        status = response.status_code
        self._append = (
            effect.resume_from is not None and status == 206 and range_start(response.headers) == effect.resume_from
        )
        candidate = (
            effect.sink is not None and (status == 200 or self._append) and self._rule.may_accept(response.headers)
        )
        self._decided = not candidate  # whether it is known yet where the bytes go
        self._file: AtomicFile | PartFile | None = None
        self._chunks: list[bytes] = []
        self._size = 0
        self._too_large = False
        self._late = False
        self._scope = current_scope()

    def open(self) -> None:
        """Kept for the drivers' symmetry: the sink is opened once the first bytes are known."""

    def add(self, chunk: bytes) -> bool:
        """Take a chunk; False when reading must stop (too large, or past the deadline)."""
        if self._scope is not None:
            self._scope.check()
        deadline = self._effect.deadline
        if deadline is not None and time.monotonic() > deadline:
            self._late = True
            return False
        self._size += len(chunk)
        if self._file is not None:
            if self._size > self._effect.sink_max_bytes:
                self._too_large = True
                return False
            self._file.write(chunk)
            return True
        self._chunks.append(chunk)
        if not self._decided and self._size >= IMAGE_SNIFF_BYTES:
            self._decide()
        elif self._size > self._effect.max_bytes:
            self._too_large = True
            self._chunks.clear()
        return not self._too_large

    def _decide(self) -> None:
        self._decided = True
        head = b"".join(self._chunks)
        if self._effect.sink is not None and self._rule.accepts(self._response.headers, head[:IMAGE_SNIFF_BYTES]):
            self._chunks.clear()
            if self._size > self._effect.sink_max_bytes:
                self._too_large = True
                return
            if self._effect.resume_from is not None:
                self._file = PartFile(
                    self._effect.sink,
                    offset=self._effect.resume_from,
                    append=self._append,
                    etag=self._response.headers.get("etag"),
                )
            else:
                self._file = AtomicFile(self._effect.sink, mode=None, durable=False)
            self._file.write(head)
        elif self._size > self._effect.max_bytes:
            self._too_large = True
            self._chunks.clear()

    def _discard(self) -> None:
        if self._file is not None:
            self._file.discard()  # removes the temporary file, keeps the old one

    def finish(self) -> Outcome:
        response = self._response
        if self._late:
            self._discard()
            return deadline_passed()
        if not self._decided:
            self._decide()
        if self._file is not None and self._too_large:  # discard the temporary file, keep the old one
            self._discard()
            return Reply(response.status_code, response.headers, too_large=True)
        if self._file is not None:
            self._file.commit()  # rename over the target
            return Reply(response.status_code, response.headers, written=self._size)
        return Reply(response.status_code, response.headers, b"".join(self._chunks), too_large=self._too_large)

    def fail(self, err: BaseException) -> Outcome:
        """Discard the sink's temporary file; return the outcome for ``err`` or re-raise it."""
        self._discard()
        if isinstance(err, httpx.TransportError):
            return err
        if isinstance(err, OSError) and not isinstance(err, Interrupted) and self._effect.sink is not None:
            return OutputFileError(
                f"cannot write {self._effect.sink}: {err.strerror or err}",
                hint="check the directory exists, is writable and has space",
            )
        raise err


def send_args(http: httpx.Client | httpx.AsyncClient, effect: Send) -> tuple[httpx.Request, Any]:
    request = http.build_request(effect.method, effect.url, **effect.options)
    request.headers.pop("cookie", None)  # never a cookie, even one put in the jar by hand
    return request, effect.auth if effect.auth is not None else httpx.USE_CLIENT_DEFAULT


class BulkRun:
    """Bookkeeping of one bulk download, shared by the thread and asyncio drivers.

    Once ``stopped`` (the caller got an exception), nothing more is recorded or reported.
    """

    def __init__(self, size: int, on_progress: ProgressCallback | None) -> None:
        self.items: list[DownloadResult | None] = [None] * size
        self._on_progress = on_progress
        self._done = 0
        self._lock = threading.Lock()
        self.stopped = False

    def record(self, index: int, item: DownloadResult) -> None:
        with self._lock:
            if self.stopped:
                return
            self.items[index] = item
            self._done += 1
            done = self._done
        if self._on_progress is not None:
            self._on_progress(item, done, len(self.items))

    def result(self) -> BulkDownloadResult:
        return BulkDownloadResult(tuple(item for item in self.items if item is not None))


def _run_on_threads(
    count: int, workers: int, call: Callable[[int], None], *, name: str, on_stop: Callable[[], None]
) -> None:
    """Call ``call(index)`` for ``index`` in ``range(count)`` on at most ``workers`` daemon threads.

    The one thread pool of the sync driver. The first exception of a call stops the run: nothing
    new starts, ``on_stop()`` runs, the calls in flight get :data:`CANCEL_GRACE` seconds to end and
    the exception propagates. So does an interruption of the caller (Ctrl-C, ``SystemExit`` from a
    signal handler). The threads are daemons: a request stuck in a slow read never holds the
    interpreter at exit.
    """
    pending: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(count):
        pending.put(index)
    failures: list[BaseException] = []
    stop = threading.Event()

    def worker() -> None:
        while not stop.is_set():
            try:
                index = pending.get_nowait()
            except queue.Empty:
                return
            try:
                call(index)
            except BaseException as err:  # e.g. on_progress raised: stop the batch, report it
                failures.append(err)
                stop.set()
                return

    threads = [threading.Thread(target=worker, name=f"{name}-{n}", daemon=True) for n in range(min(workers, count))]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.25)
                if failures:
                    raise failures[0]
        if failures:
            raise failures[0]
    except BaseException:
        stop.set()
        on_stop()
        until = time.monotonic() + CANCEL_GRACE
        for thread in threads:
            thread.join(max(0.0, until - time.monotonic()))
        raise


def run_in_threads(
    plan: Sequence[PlanEntry],
    workers: int,
    job: Callable[[int, str, Path | None, ImmichError | None], None],
    run: BulkRun,
) -> None:
    """Run ``job`` for every plan entry on at most ``workers`` daemon threads.

    If the caller is interrupted (Ctrl-C, ``SystemExit`` from a signal handler) or a job raises
    (``on_progress`` did), nothing new starts, the temporary files of downloads in flight are
    removed at once, the threads get :data:`CANCEL_GRACE` seconds to notice, and the exception
    propagates. A download that returns later finds its write cancelled and leaves nothing behind.
    """
    scope = TempScope()

    def one(index: int) -> None:
        with temp_scope(scope):
            job(index, *plan[index])

    def stopped() -> None:
        run.stopped = True
        scope.cancel()

    _run_on_threads(len(plan), workers, one, name="immiche-download", on_stop=stopped)


def run_jobs(jobs: Sequence[Callable[[], T]], workers: int) -> list[T]:
    """Run every job on at most ``workers`` daemon threads; their results in job order.

    The first exception of a job stops the run and propagates once the jobs in flight had
    :data:`CANCEL_GRACE` seconds to end; so does an interruption of the caller (Ctrl-C).
    """
    results: list[Any] = [None] * len(jobs)

    def one(index: int) -> None:
        results[index] = jobs[index]()

    _run_on_threads(len(jobs), workers, one, name="immiche-job", on_stop=lambda: None)
    return results
