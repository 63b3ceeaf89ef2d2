"""Atomic file writes: readers see the old file or the new one, never a partial one.

The data goes to a temporary file in the destination's directory (so the final rename never
crosses a file system), which is given its permission bits explicitly (``mode=0o600``, whatever
the umask) or, with ``mode=None``, the bits ``open()`` would give (0666 less the umask), flushed
and fsynced, then renamed over the destination with :func:`os.replace`; finally the
directory is fsynced so the rename itself survives a power cut. If anything fails on the way
(full disk, I/O error, an exception in the caller's code), the temporary file is removed and the
destination is left exactly as it was.

::

    atomic_write(path, b"{}", mode=0o600)

    with open_atomic(path, mode=None, durable=False) as out:
        for chunk in response.iter_bytes():
            out.write(chunk)

``durable=False`` skips the fsyncs: the write is still all-or-nothing if the process dies, but a
power cut may lose it. Only a regular file (or nothing) is ever replaced: a device, FIFO or socket
at the destination (``/dev/null``...) raises ``OSError`` ("Not a regular file") and is left
alone. Errors are the plain :class:`OSError` of the failing call; callers wrap them in their own
error type.

Temporary files are named ``.<name>.p<pid>h<host>r<random>.tmp``. Interrupted writes remove
theirs (also on ``KeyboardInterrupt``, ``SystemExit`` and cancellation); a :class:`TempScope`
lets another thread remove the temporary files of writes still running (a Ctrl-C while worker
threads download); and :func:`remove_stale_temps` removes what a killed process left behind: files
of that pattern whose process no longer runs on this host, or that nobody touched for a day.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import hashlib
import os
import re
import secrets
import socket
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "TempScope",
    "atomic_write",
    "fsync_dir",
    "open_atomic",
    "remove_stale_temps",
    "remove_stale_temps_once",
    "temp_scope",
]

_TEMP_SUFFIX = ".tmp"
_HOST = hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]
_TEMP_NAME = re.compile(r"^\..+\.p(\d{1,10})h([0-9a-f]{6})r[0-9a-z]{8}\.tmp$")
STALE_AFTER = 24 * 3600.0
"""Seconds after which any untouched temporary file of ours counts as abandoned."""


class Interrupted(OSError):
    """The write was cancelled through its :class:`TempScope`."""

    def __init__(self) -> None:
        super().__init__(errno.ECANCELED, "the write was cancelled")


class TempScope:
    """The temporary files of the atomic writes started under it (see :func:`temp_scope`).

    :meth:`cancel` (from any thread) removes them at once and makes every write under the scope
    fail with :class:`Interrupted` at its next step instead of committing.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._paths: set[Path] = set()
        self.cancelled = False

    def _add(self, path: Path) -> None:
        with self._lock:
            if not self.cancelled:
                self._paths.add(path)
                return
        _unlink_quietly(path)
        raise Interrupted

    def _discard(self, path: Path) -> None:
        with self._lock:
            self._paths.discard(path)

    def check(self) -> None:
        if self.cancelled:
            raise Interrupted

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            paths, self._paths = list(self._paths), set()
        for path in paths:
            _unlink_quietly(path)


_SCOPE: contextvars.ContextVar[TempScope | None] = contextvars.ContextVar("immiche_temp_scope", default=None)


@contextlib.contextmanager
def temp_scope(scope: TempScope) -> Iterator[TempScope]:
    """Run the ``with`` block's atomic writes (in this thread or context) under ``scope``."""
    token = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(token)


def current_scope() -> TempScope | None:
    return _SCOPE.get()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError, OSError):
        return True  # someone else's process, or cannot tell: leave it
    return True


_CLEANED: set[str] = set()
_CLEANED_LOCK = threading.Lock()


def remove_stale_temps_once(directory: str | os.PathLike[str]) -> None:
    """:func:`remove_stale_temps` for ``directory`` the first time this process writes there."""
    key = os.path.abspath(directory)
    with _CLEANED_LOCK:
        if key in _CLEANED:
            return
        _CLEANED.add(key)
    remove_stale_temps(key)


def remove_stale_temps(directory: str | os.PathLike[str], *, now: float | None = None) -> list[Path]:
    """Remove the temporary files a killed process left in ``directory``; return them.

    Only files named like ours (``.<name>.p<pid>h<host>r<random>.tmp``) that are regular files
    are considered, and removed only when the process that made them does not run any more on
    this host, or when nobody touched them for :data:`STALE_AFTER` seconds (a file system shared
    with another host). Errors are ignored: this is housekeeping.
    """
    removed: list[Path] = []
    moment = time.time() if now is None else now
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP_NAME.match(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        ours = match.group(2) == _HOST
        if (ours and not _alive(int(match.group(1)))) or moment - info.st_mtime > STALE_AFTER:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def fsync_dir(directory: str | os.PathLike[str]) -> None:
    """Flush a directory's entries (a rename or a new file in it) to disk, where the OS allows it.

    Best effort: file systems and platforms that cannot fsync a directory are ignored.
    """
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(directory, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # e.g. EINVAL on file systems without directory fsync; the rename already happened
    finally:
        os.close(fd)


def _check_replaceable(path: Path) -> None:
    """Refuse to rename over anything but a regular file (or nothing).

    A rename replaces what is at ``path`` itself: a device such as ``/dev/null`` (when run as
    root), a FIFO or a socket would become a regular file, and a symlink to one of them would be
    replaced by one. A symlink to a regular file is replaced like a regular file.
    """
    try:
        st = os.stat(path)
    except OSError:
        return  # nothing there, or nothing visible: the write itself reports real problems
    if not stat.S_ISREG(st.st_mode):
        raise OSError(errno.EINVAL, "Not a regular file")


def _temp_name(path: Path) -> Path:
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    token = "".join(secrets.choice(alphabet) for _ in range(8))
    return path.parent / f".{path.name[:120]}.p{os.getpid()}h{_HOST}r{token}{_TEMP_SUFFIX}"


def _open_temp(name: Path, flags: int, mode: int) -> int:
    """``os.open`` of a new temporary file (a seam for tests that make it fail)."""
    return os.open(name, flags, mode)


def _temp_for(path: Path, mode: int | None) -> tuple[int, Path]:
    """Create an exclusive temporary file next to ``path``: with exactly ``mode``, or with
    ``mode=None`` the bits ``open()`` gives a new file (0666 less the umask, or a default ACL)."""
    _check_replaceable(path)
    scope = _SCOPE.get()
    if scope is not None:
        scope.check()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        name = _temp_name(path)
        try:
            fd = _open_temp(name, flags, 0o666 if mode is None else 0o600)
        except FileExistsError:
            continue
        break
    else:  # pragma: no cover (100 collisions of 8 random characters)
        raise FileExistsError(errno.EEXIST, "no usable temporary file name", str(path))
    try:
        if mode is not None:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)  # created 0600; set the wanted bits, ignoring the umask
            else:  # pragma: no cover - Windows before Python 3.13
                os.chmod(name, mode)
        if scope is not None:
            scope._add(name)
    except BaseException:
        os.close(fd)
        _unlink_quietly(name)
        raise
    return fd, name


def _forget(temp: Path) -> None:
    scope = _SCOPE.get()
    if scope is not None:
        scope._discard(temp)


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _commit(temp: Path, path: Path, *, durable: bool) -> None:
    scope = _SCOPE.get()
    if scope is not None:
        scope.check()  # cancelled: the temporary file is gone or about to be
    os.replace(temp, path)
    _forget(temp)
    if durable:
        fsync_dir(path.parent)


def atomic_write(path: str | os.PathLike[str], data: bytes, *, mode: int | None = 0o600, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically; the file gets exactly ``mode``.

    Raises:
        OSError: the write failed; ``path`` is unchanged and no temporary file is left.
    """
    target = Path(path)
    fd, temp = _temp_for(target, mode)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        _commit(temp, target, durable=durable)
    except BaseException:
        _unlink_quietly(temp)
        _forget(temp)
        raise


class AtomicFile:
    """A binary file that replaces ``path`` only on :meth:`commit`; :meth:`discard` leaves no trace.

    The data goes to a temporary file next to ``path`` (registered with the current
    :class:`TempScope`, so a cancelled bulk download removes it); ``path`` keeps its old content
    until the commit renames the temporary file over it. As a context manager it commits when the
    block succeeds and discards when it raises.
    """

    def __init__(self, path: str | os.PathLike[str], *, mode: int | None = 0o600, durable: bool = True) -> None:
        self.path = Path(path)
        self._durable = durable
        fd, self._temp = _temp_for(self.path, mode)
        try:
            self._file: BinaryIO = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            self._remove_temp()
            raise
        self._finished = False

    @property
    def file(self) -> BinaryIO:
        """The open temporary file."""
        return self._file

    def write(self, data: bytes) -> int:
        return self._file.write(data)

    def commit(self) -> None:
        """Flush (and with ``durable``, fsync) the data and rename it over ``path``.

        Raises:
            OSError: the data could not be written or renamed (the temporary file is removed).
            ValueError: the file was already committed or discarded.
        """
        if self._finished:
            raise ValueError(f"the temporary file for {self.path} is already committed or discarded")
        try:
            with self._file:
                self._file.flush()
                if self._durable:
                    os.fsync(self._file.fileno())
            _commit(self._temp, self.path, durable=self._durable)
        except BaseException:
            self.discard()
            raise
        self._finished = True

    def discard(self) -> None:
        """Close and remove the temporary file, leaving ``path`` as it was (nothing after a commit)."""
        if self._finished:
            return
        self._finished = True
        with contextlib.suppress(OSError):
            self._file.close()
        self._remove_temp()

    def _remove_temp(self) -> None:
        _unlink_quietly(self._temp)
        _forget(self._temp)

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


@contextlib.contextmanager
def open_atomic(path: str | os.PathLike[str], *, mode: int | None = 0o600, durable: bool = True) -> Iterator[BinaryIO]:
    """Open a binary file that replaces ``path`` only when the ``with`` block succeeds.

    If the block raises (or writing fails), the temporary file is removed, ``path`` is untouched
    and the exception propagates. (An :class:`AtomicFile` yielding its file object.)
    """
    with AtomicFile(path, mode=mode, durable=durable) as atomic:
        yield atomic.file
