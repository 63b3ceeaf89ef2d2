"""What a method group uses from its client: the driver :class:`~immiche.AsyncClient` provides.

Declared for type checkers only; at run time the client's own definitions are used.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from immich_client import AuthenticatedClient
    from immich_client import Client as PublicClient
    from immiche._capabilities import ServerCapabilities
    from immiche._driver import ProgressCallback
    from immiche._engine.downloads import PlanEntry, SinkRule
    from immiche._engine.effects import Steps
    from immiche._engine.engine import Engine
    from immiche.people import BulkDownloadResult, DownloadResult
    from immiche.server import ServerVersion

T = TypeVar("T")


class AsyncDriven:
    """The base of every method group: the driver methods it may call."""

    __slots__ = ()

    def _capabilities(self) -> ServerCapabilities:
        """The connected server's capabilities (call after ``_api()``: it connects)."""
        from immiche._capabilities import ServerCapabilities

        assert self._server_version is not None, "connect first"
        return ServerCapabilities.for_version(self._server_version)

    if TYPE_CHECKING:
        _engine: Engine
        _server_version: ServerVersion | None

        @property
        def api_root(self) -> str: ...

        def _public(self, root: str) -> PublicClient: ...

        async def connect(self) -> None: ...

        async def _api(self) -> AuthenticatedClient: ...

        async def _run(self, steps: Steps[T]) -> T: ...

        def _iterate(self, pages: Callable[[AuthenticatedClient], Steps[None]]) -> AsyncIterator[Any]: ...

        async def _run_many(self, steps: Iterable[Steps[T]], *, concurrency: int) -> list[T]: ...

        async def _download_many(
            self,
            items: Iterable[Any],
            directory: str | os.PathLike[str],
            download: Callable[[str, Path], Awaitable[Path]],
            rule: SinkRule,
            *,
            concurrency: int,
            on_progress: ProgressCallback | None,
        ) -> BulkDownloadResult: ...

        async def _download_jobs(
            self,
            plan: Sequence[PlanEntry],
            job: Callable[[int], Steps[DownloadResult]],
            *,
            concurrency: int,
            on_progress: ProgressCallback | None,
            finish: Callable[[], None],
        ) -> BulkDownloadResult: ...
