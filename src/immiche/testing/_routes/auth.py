"""``/users/me`` and ``/auth/*``: who is calling, login and logout."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import TYPE_CHECKING

from immiche.testing._errors import dumps
from immiche.testing._modes import Mode
from immiche.testing._routing import ANY, PUBLIC, ApiRequest, Route, RouteAnswer, caller, cookies
from immiche.testing._state import Auth
from immiche.testing._validation import check_email, check_password

if TYPE_CHECKING:
    from immiche.testing._api import Api

__all__ = ["routes"]

_USER_CREATED = "2026-01-15T09:00:00.000Z"


def _cluster_group(user_id: str) -> str:
    """A stable UUID v4 per user: each user is alone in their cluster group."""
    digest = bytearray(hashlib.blake2b(f"cluster:{user_id}".encode(), digest_size=16).digest())
    digest[6], digest[8] = (digest[6] & 0x0F) | 0x40, (digest[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(digest)))


def _users_me(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    user, created = caller(auth).user, _USER_CREATED
    body: dict[str, object] = {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "profileImagePath": "",
        "avatarColor": "primary",
        "profileChangedAt": created,
        "storageLabel": "admin" if user.is_admin else None,
        "shouldChangePassword": False,
        "isAdmin": user.is_admin,
        "createdAt": created,
        "deletedAt": None,
        "updatedAt": created,
        "oauthId": "",
        "quotaSizeInBytes": None,
        "quotaUsageInBytes": 0,
        "status": "active",
        "license": None,
    }
    if api.mode.user_cluster_group:
        body["clusterGroupId"] = _cluster_group(user.id)
    return RouteAnswer(200, dumps(body))


def _login(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    try:
        body = json.loads(request.body) if request.body.strip() else {}
    except (ValueError, UnicodeDecodeError):
        return api.error(request, 400, "Unexpected token in JSON body")
    if not isinstance(body, dict):
        body = {}
    email_value, password = body.get("email"), body.get("password")
    invalid = api.invalid(request, [check_email(email_value), check_password(password)])
    if invalid is not None:
        return invalid
    session = api.state.login(str(email_value), str(password))
    if session is None:
        return api.error(request, 401, "Incorrect email or password")
    user, token = session
    answer: dict[str, object] = {
        "accessToken": token,
        "userId": user.id,
        "userEmail": user.email,
        "name": user.name,
        "isAdmin": user.is_admin,
        "profileImagePath": "",
        "shouldChangePassword": False,
    }
    if api.mode.login_is_onboarded:
        answer["isOnboarded"] = True
    return RouteAnswer(201, dumps(answer), headers=cookies(token))


def _logout(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    auth = caller(auth)
    if auth.session_token is not None:
        api.state.end_session(auth.session_token)
    answer = {"successful": True, "redirectUri": "/auth/login?autoLaunch=0"}
    return RouteAnswer(200, dumps(answer), headers=cookies(None))


def _validate_token(api: Api, request: ApiRequest, auth: Auth | None, params: dict[str, str]) -> RouteAnswer:
    return RouteAnswer(200, dumps({"authStatus": True}))


def routes(mode: Mode) -> list[Route]:
    return [
        Route("GET", "/users/me", "user.read", _users_me),
        Route("POST", "/auth/login", PUBLIC, _login),
        Route("POST", "/auth/logout", "all", _logout),
        Route("POST", "/auth/validateToken", ANY, _validate_token),
    ]
