"""What a server says about itself and about the account in use: versions, users, logins."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from immich_client.models import LoginResponseDto, UserAdminResponseDto

__all__ = ["LoginResult", "ServerInfo", "ServerVersion", "User"]


@dataclass(frozen=True, order=True, slots=True)
class ServerVersion:
    """An Immich server version; ``str()`` gives ``v3.0.0``.

    Example:
        >>> ServerVersion.parse("v2.4.1") < ServerVersion(3, 0, 0)
        True
    """

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> ServerVersion:
        """Read ``v3.0.0`` / ``3.0.0`` (anything after the patch number is ignored)."""
        parts = text.strip().lstrip("vV").split(".")
        numbers = [int("".join(ch for ch in part if ch.isdigit()) or 0) for part in ([*parts, "0", "0"])[:3]]
        return cls(numbers[0], numbers[1], numbers[2])

    def __str__(self) -> str:
        return f"v{self.major}.{self.minor}.{self.patch}"


@dataclass(frozen=True, slots=True)
class User:
    """The account a credential belongs to (from ``GET /users/me``)."""

    id: str
    email: str
    name: str
    is_admin: bool

    @classmethod
    def from_model(cls, model: UserAdminResponseDto) -> User:
        return cls(id=str(model.id), email=str(model.email), name=str(model.name), is_admin=bool(model.is_admin))


@dataclass(frozen=True, slots=True)
class LoginResult:
    """A successful email/password login. ``access_token`` is Immich's opaque session token.

    The token never appears in ``repr()``; store it with :mod:`immiche.session` (``Jwt``).
    """

    access_token: str = field(repr=False)
    user_id: str
    email: str
    name: str
    is_admin: bool
    server_url: str

    @classmethod
    def from_model(cls, model: LoginResponseDto, server_url: str) -> LoginResult:
        return cls(
            access_token=str(model.access_token),
            user_id=str(model.user_id),
            email=str(model.user_email),
            name=str(model.name),
            is_admin=bool(model.is_admin),
            server_url=server_url,
        )


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What :meth:`immiche.Client.probe` learns about a server without any credential.

    Attributes:
        base_url: the server URL as normalised.
        api_root: the API root found through ``/.well-known/immich``.
        version: the server's version.
        tested: whether that version is in the range this immiche is tested against.
    """

    base_url: str
    api_root: str
    version: ServerVersion
    tested: bool
