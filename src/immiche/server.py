"""What a server says about itself and about the account in use: versions, users, logins."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

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

    JSON_FIELDS: ClassVar[tuple[str, ...]] = ("major", "minor", "patch")
    """The ``ServerVersionResponseDto`` fields read (the contract declares the same)."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ServerVersion:
        """Read a ``ServerVersionResponseDto`` JSON object.

        Raises ``KeyError`` for a missing number, ``ValueError`` unless all three are whole numbers.
        """
        numbers = tuple(data[name] for name in cls.JSON_FIELDS)
        if not all(type(n) is int for n in numbers):  # not bool, float (1e400 is inf), str, None
            shown = ", ".join(repr(n)[:20] for n in numbers)
            raise ValueError(f"the server's version is not three whole numbers ({shown})")
        return cls(*numbers)

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

    JSON_FIELDS: ClassVar[tuple[str, ...]] = ("id", "email", "name", "isAdmin")
    """The ``UserAdminResponseDto`` fields read (the contract declares the same)."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> User:
        """Read a ``UserAdminResponseDto`` JSON object (other fields, of any version, are ignored).

        Raises ``KeyError`` for a missing field, ``TypeError`` for a non-string id or a non-boolean isAdmin.
        """
        user_id, email, name, is_admin = (data[name] for name in cls.JSON_FIELDS)
        if type(user_id) is not str or type(is_admin) is not bool:
            raise TypeError("a user needs a string 'id' and a boolean 'isAdmin'")
        return cls(id=user_id, email=str(email), name=str(name), is_admin=is_admin)

    @classmethod
    def from_model(cls, model: UserAdminResponseDto) -> User:
        """Build a User from the generated model (a convenience for ``low_level`` users)."""
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

    JSON_FIELDS: ClassVar[tuple[str, ...]] = ("accessToken", "userId", "userEmail", "name", "isAdmin")
    """The ``LoginResponseDto`` fields read (the contract declares the same)."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any], server_url: str) -> LoginResult:
        """Read a ``LoginResponseDto`` JSON object.

        Raises ``KeyError`` for a missing field, ``TypeError`` for a token that is not a non-empty
        string or a non-boolean isAdmin.
        """
        token, user_id, email, name, is_admin = (data[name] for name in cls.JSON_FIELDS)
        if type(token) is not str or not token or type(is_admin) is not bool:
            raise TypeError("a login needs a string 'accessToken' and a boolean 'isAdmin'")
        return cls(
            access_token=token,
            user_id=str(user_id),
            email=str(email),
            name=str(name),
            is_admin=is_admin,
            server_url=server_url,
        )

    @classmethod
    def from_model(cls, model: LoginResponseDto, server_url: str) -> LoginResult:
        """Build a LoginResult from the generated model (a convenience for ``low_level`` users)."""
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
