"""A full disk, simulated for immiche's atomic writes (where no tiny file system can be mounted).

``FullDiskOs`` stands in for the ``os`` module as :mod:`immiche._atomic` sees it: writes find
``room`` bytes, then fail with ENOSPC, exactly as the kernel would report it. In-process::

    monkeypatch.setattr(immiche._atomic, "os", FullDiskOs(100))

and for a CLI subprocess, :data:`FULL_DISK_LAUNCHER` runs ``immiche`` with it installed.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

__all__ = ["FULL_DISK_LAUNCHER", "FullDiskOs", "FullFile"]

ROOT = Path(__file__).resolve().parents[2]

#: ``python -c FULL_DISK_LAUNCHER ARGS...`` runs ``immiche ARGS...`` on a disk with no room left.
FULL_DISK_LAUNCHER = f"""
import runpy, sys
sys.path.insert(0, {str(ROOT)!r})
from immiche import _atomic
from tests.reliability._disk import FullDiskOs
_atomic.os = FullDiskOs(0)
sys.argv[0] = "immiche"
runpy.run_module("immiche", run_name="__main__")
"""


class FullFile:
    """A file object whose writes fail with ENOSPC once ``room`` bytes have been written."""

    def __init__(self, real: Any, room: int) -> None:
        self._real = real
        self._room = room

    def write(self, data: bytes) -> int:
        if len(data) > self._room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(data)
        return int(self._real.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __enter__(self) -> FullFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._real.close()


class FullDiskOs:
    """``os`` as seen by immiche._atomic on a disk with ``room`` bytes left."""

    def __init__(self, room: int) -> None:
        self._room = room

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    def fdopen(self, fd: int, *args: Any, **kwargs: Any) -> FullFile:
        return FullFile(os.fdopen(fd, *args, **kwargs), self._room)

    def write(self, fd: int, data: Any) -> int:
        room = min(self._room, len(data))
        if room == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= room
        return os.write(fd, bytes(data[:room]))
