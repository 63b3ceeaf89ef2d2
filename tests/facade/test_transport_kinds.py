"""Transport failures are classified by the exception types along the cause chain (as httpx maps
httpcore's), the message text only as a fallback; the engine logs its own decisions."""

from __future__ import annotations

import logging
import socket
import ssl

import httpx
import pytest
import respx

import immiche
from immiche._engine.transport import cause_kind, retryable_transport, transport_error
from tests.facade.conftest import BASE, KEY, recorded_response


def _chained(outer: Exception, *inner: BaseException) -> Exception:
    """``outer`` raised from each of ``inner`` in turn, as httpx and httpcore chain them."""
    current: BaseException = outer
    for link in inner:
        current.__cause__ = link
        current = link
    return outer


@pytest.mark.parametrize(
    ("cause", "kind", "expected"),
    [
        (ConnectionRefusedError(111, "Errno 111"), "refused", "connection refused by"),
        (socket.gaierror(-2, "Errno -2"), "dns", "cannot resolve the host of"),
        (ssl.SSLCertVerificationError(1, "verify failed"), "tls", "TLS failure talking to"),
    ],
)
def test_the_cause_chain_decides_not_the_message(cause: BaseException, kind: str, expected: str) -> None:
    # The outer messages say nothing useful: only the types below them tell what happened.
    err = _chained(httpx.ConnectError("[Errno] boom"), Exception("httpcore: boom"), cause)
    assert cause_kind(err) == kind
    assert f"GET /people: {expected} {BASE}" in str(transport_error(err, "GET /people", BASE))


def test_a_message_is_the_fallback_when_no_type_says() -> None:
    err = httpx.ConnectError("[Errno 111] Connection refused")
    assert cause_kind(err) == "refused"
    assert cause_kind(httpx.ConnectError("something else")) is None


def test_a_tls_failure_mid_answer_is_never_retried() -> None:
    broken = _chained(httpx.ReadError("read failed"), ssl.SSLError(1, "bad record mac"))
    assert not retryable_transport(broken)
    assert retryable_transport(httpx.ReadError("connection reset by peer"))


def test_retries_and_requests_are_logged_on_the_immiche_logger(
    immich: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    immich.get("/api/people").mock(
        side_effect=[httpx.Response(503), recorded_response("people_list_withHidden")],
    )
    caplog.set_level(logging.DEBUG, logger="immiche")
    with immiche.Client(BASE, api_key=KEY, retries=immiche.RetryPolicy(backoff=0.01)) as client:
        client.fetch_people(with_hidden=True)
    messages = [r.getMessage() for r in caplog.records if r.name == "immiche"]
    assert any(m.startswith("discovery: trying the API root http://immich.local:2283/api") for m in messages)
    assert any(m.startswith("retrying GET /people in ") and m.endswith("answered 503") for m in messages)
    listing = "GET http://immich.local:2283/api/people?page=1&size=1000&withHidden=true"
    assert f"{listing} -> 503 Service Unavailable" in messages
    assert f"{listing} -> 200 OK" in messages
    assert KEY not in caplog.text
