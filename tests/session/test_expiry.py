"""is_jwt_expired and is_expired: expiry is claimed only when it can be proven."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from immiche.errors import InvalidArgumentError
from immiche.session import ApiKey, Jwt, Session, is_expired, is_jwt_expired
from tests.session.conftest import ACCESS_TOKEN, CREATED

NOW = 1_800_000_000.0
NAN_PAYLOAD = b'{"exp": NaN}'


def segment(value: Any) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt(payload: Any, header: Any = None) -> str:
    return f"{segment(header or {'alg': 'HS256', 'typ': 'JWT'})}.{segment(payload)}.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    ("exp", "leeway", "expired"),
    [
        (NOW - 1, 60, True),
        (NOW + 59, 60, True),  # expires within the leeway
        (NOW + 60, 60, True),  # exactly at the edge counts as expired
        (NOW + 61, 60, False),
        (NOW + 3600, 60, False),
        (NOW + 30, 0, False),
        (NOW, 0, True),
        (NOW - 100, -200, False),  # a negative leeway is a grace period
        (int(NOW) + 120, 60, False),
        (10**400, 60, False),
    ],
)
def test_a_real_jwt_expires_at_exp_minus_leeway(exp: float, leeway: float, expired: bool) -> None:
    assert is_jwt_expired(jwt({"sub": "u", "exp": exp}), leeway, now=NOW) is expired


def test_the_default_leeway_is_60_seconds_and_now_is_the_clock() -> None:
    assert is_jwt_expired(jwt({"exp": time.time() + 30})) is True
    assert is_jwt_expired(jwt({"exp": time.time() + 90})) is False


def test_padded_segments_are_tolerated() -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').decode()
    payload = base64.urlsafe_b64encode(json.dumps({"exp": NOW - 5}).encode()).decode()
    assert "=" in header + payload
    assert is_jwt_expired(f"{header}.{payload}.", now=NOW) is True


@pytest.mark.parametrize(
    "token",
    [
        ACCESS_TOKEN,  # Immich's opaque login token: no expiry by time
        "K3vQ9-x_Yb2mN8pR4tW7zA1cE5gH0jL6oS3uV9yB2dF",
        "",
        "a.b",
        "a.b.c.d.e",  # JWE
    ],
)
def test_opaque_tokens_never_expire_by_time(token: str) -> None:
    assert is_jwt_expired(token, now=NOW) is False
    assert is_jwt_expired(token, leeway=10**9, now=NOW) is False


@pytest.mark.parametrize(
    "token",
    [
        jwt({"sub": "u"}),  # no exp
        jwt({"exp": "1700000000"}),  # exp as a string
        jwt({"exp": True}),
        jwt({"exp": None}),
        jwt([1, 2]),  # payload is not an object
        jwt({"exp": NOW - 10}, header=[1]),  # header is not an object
        f"{segment({'alg': 'HS256'})}.%%%%.sig",  # not base64url
        f"{segment({'alg': 'HS256'})}.{segment(b'not json')}.sig",
        f"{segment({'alg': 'HS256'})}.{segment(NAN_PAYLOAD)}.sig",
        f"{segment({'alg': 'HS256'})}.{segment(bytes([0xFF, 0xFE]))}.sig",
        f"{segment({'alg': 'HS256'})}.abcde.sig",  # impossible base64 length
        f"{segment({'alg': 'HS256'})}.{segment(b'[' * 50_000)}.sig",
        "x" * 70_000 + "." + segment({"exp": 1}) + ".s",  # absurdly long
    ],
)
def test_undecodable_or_exp_less_jwts_are_not_expired(token: str) -> None:
    # Only the server can tell: claiming expiry would lock the user out of a token it may accept.
    assert is_jwt_expired(token, now=NOW) is False


@given(st.text())
def test_any_string_gets_an_answer_and_never_an_error(token: str) -> None:
    assert is_jwt_expired(token, now=NOW) in (True, False)


@pytest.mark.parametrize("leeway", ["60", None, float("nan"), True])
def test_leeway_must_be_a_number(leeway: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="leeway"):
        is_jwt_expired(jwt({"exp": NOW}), leeway, now=NOW)
    with pytest.raises(InvalidArgumentError, match="leeway"):
        is_expired(Session("https://h", ApiKey("k" * 20), CREATED), leeway)


def test_api_key_sessions_never_expire() -> None:
    made = Session("https://h", ApiKey(jwt({"exp": 1})), CREATED)  # even a key that looks like an expired JWT
    assert is_expired(made, now=NOW) is False
    assert is_expired(made, leeway=10**12, now=NOW) is False


def test_login_sessions_follow_their_token() -> None:
    expired = Session("https://h", Jwt(jwt({"exp": NOW - 1}), "u", "e"), CREATED)
    fresh = Session("https://h", Jwt(jwt({"exp": NOW + 3600}), "u", "e"), CREATED)
    opaque = Session("https://h", Jwt(ACCESS_TOKEN, "u", "e"), CREATED)
    assert is_expired(expired, now=NOW) is True
    assert is_expired(fresh, now=NOW) is False
    assert is_expired(fresh, leeway=7200, now=NOW) is True
    assert is_expired(opaque, now=NOW) is False
