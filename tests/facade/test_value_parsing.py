"""One parsing path per facade value: tolerant ``from_json``, reading what the contract declares.

``from_model`` (over the generated models) stays as a convenience and agrees with it on every
recorded answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from immiche import _contract
from immiche.people import Person
from immiche.server import LoginResult, ServerVersion, User
from tests.facade.conftest import recorded

MODEL_OF: dict[Any, str] = {
    Person: "PersonResponseDto",
    User: "UserAdminResponseDto",
    LoginResult: "LoginResponseDto",
    ServerVersion: "ServerVersionResponseDto",
}


def _declared(name: str) -> _contract.Model:
    return next(model for model in _contract.MODELS if model.name == name)


@pytest.mark.parametrize("value", [User, LoginResult, ServerVersion], ids=lambda v: v.__name__)
def test_from_json_reads_exactly_the_declared_fields(value: Any) -> None:
    assert tuple(f.name for f in _declared(MODEL_OF[value]).fields) == value.JSON_FIELDS


def test_person_from_json_needs_exactly_the_declared_required_fields() -> None:
    model = _declared("PersonResponseDto")
    full = {"id": "p", "name": "Ann", "birthDate": None, "thumbnailPath": "", "isHidden": False}
    assert Person.from_json(full).name == "Ann"
    for field in model.fields:
        partial = {k: v for k, v in full.items() if k != field.name}
        if field.required:
            with pytest.raises(KeyError):
                Person.from_json(partial)
        else:
            assert Person.from_json(partial).id == "p"


@pytest.mark.parametrize("name", ["users_me_api_key_all", "users_me_bearer"])
def test_user_from_json_agrees_with_the_generated_model(name: str) -> None:
    from immich_client.models import UserAdminResponseDto

    body = recorded(name)["body"]
    assert User.from_json(body) == User.from_model(UserAdminResponseDto.from_dict(body))


@pytest.mark.parametrize("name", ["auth_login", "auth_login_2"])
def test_login_from_json_agrees_with_the_generated_model(name: str) -> None:
    from immich_client.models import LoginResponseDto

    body = recorded(name)["body"]
    url = "http://immich.local:2283"
    assert LoginResult.from_json(body, url) == LoginResult.from_model(LoginResponseDto.from_dict(body), url)


def test_server_version_from_json() -> None:
    assert ServerVersion.from_json(recorded("server_version")["body"]) == ServerVersion(2, 4, 1)
    for bad in ({"major": True, "minor": 1, "patch": 2}, {"major": 1.0, "minor": 1, "patch": 2}):
        with pytest.raises(ValueError, match="not three whole numbers"):
            ServerVersion.from_json(bad)
    with pytest.raises(KeyError):
        ServerVersion.from_json({"major": 1, "minor": 2})


def test_user_and_login_refuse_what_they_cannot_read() -> None:
    with pytest.raises(TypeError):
        User.from_json({"id": 1, "email": "a", "name": "b", "isAdmin": False})
    with pytest.raises(TypeError):
        LoginResult.from_json({"accessToken": "", "userId": "u", "userEmail": "e", "name": "n", "isAdmin": True}, "x")
    with pytest.raises(KeyError):
        User.from_json({"id": "u", "email": "a", "name": "b"})
