"""Server and authentication: ping, version, the current user, login and logout."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Final

from immiche._contract import Field, Model, Parameter, op
from immiche.errors import APIStatusError, InvalidResponseError, UnexpectedRedirectError
from immiche.server import LoginResult, ServerVersion, User

if TYPE_CHECKING:
    from immich_client import AuthenticatedClient
    from immich_client import Client as PublicClient
    from immiche._engine.effects import Steps
    from immiche._engine.engine import Engine

__all__ = ["LOGIN", "LOGOUT", "ME", "MODELS", "OPERATIONS", "PING", "VERSION"]

PING = op("pingServer", "GET", "/server/ping", "server.ping_server", response="ServerPingResponse")
VERSION = op(
    "getServerVersion", "GET", "/server/version", "server.get_server_version", response="ServerVersionResponseDto"
)
ME = op("getMyUser", "GET", "/users/me", "users.get_my_user", response="UserAdminResponseDto")
LOGIN = op(
    "login",
    "POST",
    "/auth/login",
    "authentication.login",
    Parameter("email", "body", "string"),
    Parameter("password", "body", "string"),
    response="LoginResponseDto",
    body="LoginCredentialDto",
)
LOGOUT = op("logout", "POST", "/auth/logout", "authentication.logout", response="LogoutResponseDto")

OPERATIONS: Final = (PING, VERSION, ME, LOGIN, LOGOUT)

MODELS: Final = (
    Model("ServerPingResponse", (Field("res", "string"),)),
    Model(
        "ServerVersionResponseDto", (Field("major", "integer"), Field("minor", "integer"), Field("patch", "integer"))
    ),
    Model(
        "UserAdminResponseDto",
        (Field("id", "string"), Field("email", "string"), Field("name", "string"), Field("isAdmin", "boolean")),
    ),
    Model(
        "LoginResponseDto",
        (
            Field("accessToken", "string"),
            Field("userId", "string"),
            Field("userEmail", "string"),
            Field("name", "string"),
            Field("isAdmin", "boolean"),
        ),
        tolerated_missing=("isOnboarded",),
    ),
    Model("LogoutResponseDto", (Field("successful", "boolean"),)),
)


def server_version(engine: Engine, public: PublicClient) -> Steps[ServerVersion]:
    send = engine.build(public, VERSION)
    reply = yield from engine.call(send)
    return engine.read(send, reply, ServerVersion.from_json)


def ping(engine: Engine, public: PublicClient) -> Steps[bool]:
    """True when the server answers ``{"res": "pong"}``; False when it answers anything else
    (an error status, another body); connection failures raise."""
    send = engine.build(public, PING)
    reply = yield from engine.call(send)
    try:
        return engine.parse(send, reply).res == "pong"  # type: ignore[no-any-return]
    except (InvalidResponseError, APIStatusError, UnexpectedRedirectError):
        return False


def whoami(engine: Engine, api: AuthenticatedClient) -> Steps[User]:
    send = engine.build(api, ME)
    reply = yield from engine.call(send)
    return engine.read(send, reply, User.from_json)


def login(engine: Engine, public: PublicClient, email: str, password: str) -> Steps[LoginResult]:
    """Log in (a POST: never retried)."""
    from immich_client.models import LoginCredentialDto

    send = engine.build(public, LOGIN, body=LoginCredentialDto(email=email, password=password))
    reply = yield from engine.call(send)
    return engine.read(send, reply, partial(LoginResult.from_json, server_url=engine.server.base))


def logout(engine: Engine, api: AuthenticatedClient) -> Steps[bool]:
    """End the login session (a POST: never retried)."""
    send = engine.build(api, LOGOUT)
    reply = yield from engine.call(send)
    return bool(engine.parse(send, reply).successful)
