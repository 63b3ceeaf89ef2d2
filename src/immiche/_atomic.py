"""Atomic file writes: readers see the old file or the new one, never a partial one.

The data goes to a temporary file in the destination's directory (so the final rename never
crosses a file system), which is given its permission bits explicitly (whatever the umask),
flushed and fsynced, then renamed over the destination with :func:`os.replace`; finally the
directory is fsynced so the rename itself survives a power cut. If anything fails on the way
(full disk, I/O error, an exception in the caller's code), the temporary file is removed and the
destination is left exactly as it was.

::

    atomic_write(path, b"{}", mode=0o600)

    with open_atomic(path, mode=0o644, durable=False) as out:
        for chunk in response.iter_bytes():
            out.write(chunk)

``durable=False`` skips the fsyncs: the write is still all-or-nothing if the process dies, but a
power cut may lose it. Only a regular file (or nothing) is ever replaced: a device, FIFO or socket
at the destination (``/dev/null``...) raises ``OSError`` ("Not a regular file") and is left
alone. Errors are the plain :class:`OSError` of the failing call; callers wrap them in their own
error type.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write", "fsync_dir", "open_atomic"]

_TEMP_SUFFIX = ".tmp"


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


def _temp_for(path: Path, mode: int) -> tuple[int, Path]:
    """Create an exclusive temporary file next to ``path`` with exactly ``mode``."""
    _check_replaceable(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=_TEMP_SUFFIX, dir=path.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, mode)  # mkstemp creates 0600; set the wanted bits, ignoring the umask
        else:  # pragma: no cover - Windows before Python 3.13
            os.chmod(name, mode)
    except BaseException:
        os.close(fd)
        _unlink_quietly(Path(name))
        raise
    return fd, Path(name)


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _commit(temp: Path, path: Path, *, durable: bool) -> None:
    os.replace(temp, path)
    if durable:
        fsync_dir(path.parent)


def atomic_write(path: str | os.PathLike[str], data: bytes, *, mode: int = 0o600, durable: bool = True) -> None:
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
        raise


@contextlib.contextmanager
def open_atomic(path: str | os.PathLike[str], *, mode: int = 0o600, durable: bool = True) -> Iterator[BinaryIO]:
    """Open a binary file that replaces ``path`` only when the ``with`` block succeeds.

    If the block raises (or writing fails), the temporary file is removed, ``path`` is untouched
    and the exception propagates.
    """
    target = Path(path)
    fd, temp = _temp_for(target, mode)
    try:
        out = os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        _unlink_quietly(temp)
        raise
    try:
        with out:
            yield out
            out.flush()
            if durable:
                os.fsync(out.fileno())
        _commit(temp, target, durable=durable)
    except BaseException:
        _unlink_quietly(temp)
        raise
