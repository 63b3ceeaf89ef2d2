"""The declared operation alone decides whether a request is retried.

Every operation the facade declares is sent through a real client (respx answers 502, 503 or
resets the connection): a non-idempotent one (POST/PATCH unless it says otherwise) goes out
exactly once, an idempotent one is retried up to the policy's limit.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

import httpx
import pytest
import respx

import immiche
from immiche import RetryPolicy, _contract, errors
from immiche._contract import Operation
from tests.facade.conftest import BASE, KEY

FAST = RetryPolicy(max_retries=2, backoff=0.001, max_backoff=0.05, max_total=5)
FAILURES = {
    "502": lambda: httpx.Response(502, json={"message": "bad gateway"}),
    "503": lambda: httpx.Response(503, json={"message": "unavailable"}),
}


def _answer(failure: str) -> httpx.Response:
    if failure == "reset":
        raise httpx.ReadError("connection reset by peer")
    return FAILURES[failure]()


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _value(kind: str) -> Any:
    return {
        "integer": 1,
        "boolean": False,
        "string:uuid": uuid.uuid4(),
        "string:date-time": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc),
        "array": [],
    }.get(kind, "x")


def _enums(op: Operation) -> dict[str, Any]:
    """The declared parameters whose generated type is an enum, with a valid member."""
    from immich_client import models

    return {"order": models.AssetOrder.DESC} | (
        {"size": models.AssetMediaSize.PREVIEW} if op.operation_id == "viewAsset" else {}
    )


def _arguments(op: Operation) -> dict[str, Any]:
    """Arguments of the generated endpoint for ``op``, from its declared parameters."""
    enums = _enums(op)
    args = {_snake(p.name): enums.get(p.name, _value(p.type)) for p in op.parameters if p.location != "body"}
    if op.body is not None:
        from immich_client import models

        fields = {_snake(p.name): enums.get(p.name, _value(p.type)) for p in op.parameters if p.location == "body"}
        args["body"] = getattr(models, op.body)(**fields)
    return args


def test_the_method_gives_the_default() -> None:
    assert Operation("a", "GET", "/a", "m").idempotent is True
    assert Operation("a", "PUT", "/a", "m").idempotent is True
    assert Operation("a", "DELETE", "/a", "m").idempotent is True
    assert Operation("a", "POST", "/a", "m").idempotent is False
    assert Operation("a", "PATCH", "/a", "m").idempotent is False
    assert Operation("searchAssets", "POST", "/search/metadata", "m", idempotent=True).idempotent is True
    assert Operation("a", "GET", "/a", "m", idempotent=False).idempotent is False


def test_login_and_logout_are_not_idempotent() -> None:
    declared = {op.operation_id: op.idempotent for op in _contract.OPERATIONS}
    assert declared["login"] is False
    assert declared["logout"] is False
    assert declared["getAllPeople"] is True


@pytest.mark.parametrize("failure", ["502", "503", "reset"])
@pytest.mark.parametrize("op", _contract.OPERATIONS, ids=lambda op: op.operation_id)
def test_every_declared_operation_is_retried_only_if_idempotent(
    immich: respx.MockRouter, op: Operation, failure: str
) -> None:
    if not op.has_endpoint():  # a client regenerated from an older spec (tests/compat/test_regen_compat.py)
        assert op.optional is not None, f"{op.operation_id} is missing from the generated client"
        return
    with immiche.Client(BASE, api_key=KEY, retries=FAST) as client:
        client.connect()
        immich.clear()  # from here on, only the operation's own route answers
        pattern = "^/api" + re.sub(r"\{[^}]+\}", "[^/]+", op.path) + "$"
        route = immich.route(method=op.method, path__regex=pattern).mock(side_effect=lambda _: _answer(failure))
        send = client._engine.build(client.low_level, op, **_arguments(op))
        assert send.operation is op
        if failure == "reset":
            with pytest.raises(errors.ImmichConnectionError):
                client._run(client._engine.call(send))
        else:
            assert client._run(client._engine.call(send)).status_code == int(failure)
    assert route.call_count == (1 + FAST.max_retries if op.idempotent else 1)


def test_a_request_without_an_operation_is_never_retried(immich: respx.MockRouter) -> None:
    from immiche._engine.effects import Send

    with immiche.Client(BASE, api_key=KEY, retries=FAST) as client:
        client.connect()
        route = immich.get("/api/anything").mock(return_value=httpx.Response(503))
        reply = client._run(client._engine.call(Send("GET", f"{BASE}/api/anything", {}, max_bytes=100)))
    assert reply.status_code == 503
    assert route.call_count == 1


def test_a_login_behind_a_failing_proxy_is_sent_once(immich: respx.MockRouter) -> None:
    route = immich.post("/api/auth/login").mock(return_value=httpx.Response(502, text="bad gateway"))
    with pytest.raises(errors.ServerError):
        immiche.Client.login(BASE, "me@example.com", "pw-secret", retries=FAST)
    assert route.call_count == 1
