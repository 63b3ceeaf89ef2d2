"""The server methods: version, capabilities, ping, the current user, logout."""

from __future__ import annotations

from immiche._capabilities import ServerCapabilities
from immiche._methods._async._driver import AsyncDriven
from immiche._ops import server as server_ops
from immiche.server import ServerVersion, User


class AsyncServerMethods(AsyncDriven):
    """What the client can tell about the server and the session."""

    __slots__ = ()

    async def server_version(self) -> ServerVersion:
        """The server's version (cached from the first contact)."""
        await self.connect()
        assert self._server_version is not None
        return self._server_version

    async def capabilities(self) -> ServerCapabilities:
        """What the server supports, decided from its version alone (connects first if needed).

        Example::

            if client.capabilities().merge_endpoint == "people":
                ...
        """
        return ServerCapabilities.for_version(await self.server_version())

    async def ping(self) -> bool:
        """True when the server answers ``/server/ping``."""
        await self.connect()
        return await self._run(server_ops.ping(self._engine, self._public(self.api_root)))

    async def whoami(self) -> User:
        """The user this client's credential belongs to (``GET /users/me``)."""
        return await self._run(server_ops.whoami(self._engine, await self._api()))

    async def logout(self) -> bool:
        """End this login session on the server (with an API key this does nothing server-side)."""
        return await self._run(server_ops.logout(self._engine, await self._api()))
