"""Retry policy: idempotent requests retried on 429/502/503/504 and connection errors, bounded."""

from __future__ import annotations

import random

import httpx
import pytest
import respx

import immiche
from immiche import RetryPolicy, errors
from immiche._config import parse_retry_after
from tests.facade.conftest import BASE, KEY, recorded_response

FAST = RetryPolicy(max_retries=3, backoff=0.001, max_backoff=0.05, max_total=5)
PERSON = "e991c2d4-80c1-48dd-99a3-a3ee13e07c0c"


def ok_person() -> httpx.Response:
    return recorded_response("person_get_ann")


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_transient_statuses_are_retried_then_succeed(immich: respx.MockRouter, status: int) -> None:
    route = immich.get(f"/api/people/{PERSON}").mock(
        side_effect=[httpx.Response(status, json={"message": "busy"}), httpx.Response(status), ok_person()]
    )
    with immiche.Client(BASE, api_key=KEY, retries=FAST) as client:
        assert client.fetch_person(PERSON).name == "Ann"
    assert route.call_count == 3


def test_a_burst_that_never_recovers_ends_in_a_clear_error(immich: respx.MockRouter) -> None:
    route = immich.get(f"/api/people/{PERSON}").mock(return_value=httpx.Response(503, json={"message": "down"}))
    with immiche.Client(BASE, api_key=KEY, retries=FAST) as client, pytest.raises(errors.ServerError) as info:
        client.fetch_person(PERSON)
    assert route.call_count == 4  # 1 + 3 retries
    assert info.value.status_code == 503
    assert "down" in str(info.value)


def test_retries_zero_turns_retrying_off(immich: respx.MockRouter) -> None:
    route = immich.get(f"/api/people/{PERSON}").mock(return_value=httpx.Response(502))
    with immiche.Client(BASE, api_key=KEY, retries=0) as client, pytest.raises(errors.ServerError):
        client.fetch_person(PERSON)
    assert route.call_count == 1


def test_broken_connections_are_retried(immich: respx.MockRouter) -> None:
    route = immich.get(f"/api/people/{PERSON}").mock(
        side_effect=[httpx.ReadError("reset by peer"), httpx.RemoteProtocolError("reset"), ok_person()]
    )
    with immiche.Client(BASE, api_key=KEY, retries=FAST) as client:
        assert client.fetch_person(PERSON).id == PERSON
    assert route.call_count == 3


@pytest.mark.parametrize(
    "error", [httpx.ConnectError("[Errno 111] Connection refused"), httpx.ConnectTimeout("timed out")]
)
def test_unreachable_servers_are_reported_at_once(immich: respx.MockRouter, error: Exception) -> None:
    """Refused or unanswered connections are not retried: reported within the user's timeout."""
    route = immich.get(f"/api/people/{PERSON}").mock(side_effect=error)
    with immiche.Client(BASE, api_key=KEY, retries=FAST) as client, pytest.raises(errors.ImmichConnectionError) as info:
        client.fetch_person(PERSON)
    assert route.call_count == 1
    assert "timeout" not in (info.value.hint or "")


def test_a_connection_error_that_persists_is_an_immich_connection_error(immich: respx.MockRouter) -> None:
    immich.get(f"/api/people/{PERSON}").mock(side_effect=httpx.ConnectError("[Errno 111] Connection refused"))
    with immiche.Client(BASE, api_key=KEY, retries=FAST) as client, pytest.raises(errors.ImmichConnectionError) as info:
        client.fetch_person(PERSON)
    assert "refused" in str(info.value)
    assert info.value.hint is not None


def test_read_timeouts_are_not_retried(immich: respx.MockRouter) -> None:
    route = immich.get(f"/api/people/{PERSON}").mock(side_effect=httpx.ReadTimeout("slow"))
    with immiche.Client(BASE, api_key=KEY, retries=FAST) as client, pytest.raises(errors.RequestTimeoutError):
        client.fetch_person(PERSON)
    assert route.call_count == 1


def test_login_is_never_retried(immich: respx.MockRouter) -> None:
    route = immich.post("/api/auth/login").mock(return_value=httpx.Response(503))
    with pytest.raises(errors.ServerError):
        immiche.Client.login(BASE, "a@example.com", "password", retries=FAST)
    assert route.call_count == 1


def test_retry_after_is_honoured_and_a_too_long_wait_gives_up(immich: respx.MockRouter) -> None:
    route = immich.get(f"/api/people/{PERSON}").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "0"}), ok_person()]
    )
    with immiche.Client(BASE, api_key=KEY, retries=FAST) as client:
        client.fetch_person(PERSON)
    assert route.call_count == 2
    route.mock(return_value=httpx.Response(429, headers={"Retry-After": "3600"}))
    route.reset()
    with immiche.Client(BASE, api_key=KEY, retries=FAST) as client, pytest.raises(errors.RateLimitError) as info:
        client.fetch_person(PERSON)
    assert route.call_count == 1  # a one-hour wait is not something a client should block for
    assert "rate limited" in str(info.value)


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    policy = RetryPolicy(backoff=0.5, max_backoff=4.0)
    rng = random.Random(7)
    delays = [policy.delay(attempt, None, rng=rng) for attempt in range(1, 7)]
    for attempt, delay in enumerate(delays, start=1):
        ceiling = min(4.0, 0.5 * 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert policy.delay(1, "2") == 2.0
    assert policy.delay(1, "120") == 4.0


def test_retry_after_parsing() -> None:
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
