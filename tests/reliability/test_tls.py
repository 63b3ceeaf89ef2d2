"""TLS: a self-signed certificate fails clearly by default, and works with verify=False / --insecure
and with its CA bundle (verify="ca.pem" / --ca-bundle).

The certificate comes from ``openssl req -x509`` (conftest); a :class:`TlsProxy` terminates TLS in
front of the fake Immich server, so every request really crosses a TLS connection.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from immiche import Client, ImmichConnectionError, InvalidArgumentError, RetryPolicy
from immiche.testing import FakeImmichServer
from tests.reliability._ledger import SYNTHETIC_SECRETS, Outcome
from tests.reliability._servers import TlsProxy
from tests.reliability.conftest import Certificates, Cli

FAST = RetryPolicy(backoff=0.01, max_backoff=0.05)


@pytest.fixture
def tls(server: FakeImmichServer, certificates: Certificates) -> Iterator[TlsProxy]:
    with TlsProxy(server.port, certificates.server_context()) as proxy:
        yield proxy


def test_self_signed_certificate_fails_clearly(outcome: Outcome, server: FakeImmichServer, tls: TlsProxy) -> None:
    with Client(tls.url, api_key=server.api_key, retries=FAST) as client:
        error = outcome.raises(ImmichConnectionError, client.fetch_people)
    assert error.message.startswith(f"TLS failure talking to {tls.url}: ")
    assert "certificate verify failed" in error.message
    assert "--ca-bundle" in (error.hint or "") and "--insecure" in (error.hint or "")
    tls.stop()  # joins the proxy's threads: every handshake is counted
    assert tls.handshake_failures == 1  # refused at the handshake, and not retried
    assert server.requests == []  # so no request, and no credential, ever reached the server


def test_self_signed_certificate_fails_clearly_cli(
    outcome: Outcome, server: FakeImmichServer, tls: TlsProxy, cli: Cli
) -> None:
    result = cli("login", "--server", tls.url, "--api-key-stdin", input=server.api_key)
    outcome.cli_error(result, 5, contains="TLS failure")
    assert not cli.config.exists()  # nothing saved
    result = cli("people", "list", "--server", tls.url, "--api-key", server.api_key)
    outcome.cli_error(result, 5, contains="certificate verify failed")
    assert server.requests == []


def test_verify_false_and_the_ca_bundle_work(
    outcome: Outcome, server: FakeImmichServer, tls: TlsProxy, certificates: Certificates
) -> None:
    for verify in (False, str(certificates.cert), certificates.cert):
        with Client(tls.url, api_key=server.api_key, verify=verify) as client:
            assert len(client.fetch_people(with_hidden=True).people) == len(server.people)
            person = server.people[0].id
            assert client.fetch_thumbnail(person) == server.thumbnail(person)
    assert {request.credential for request in server.requests if request.path.startswith("/api/people")} == {"api_key"}


def test_insecure_and_ca_bundle_work_cli(
    outcome: Outcome, server: FakeImmichServer, tls: TlsProxy, certificates: Certificates, cli: Cli
) -> None:
    insecure = cli("people", "list", "--json", "--insecure", "--server", tls.url, "--api-key", server.api_key)
    assert insecure.code == 0, insecure
    assert len(json.loads(insecure.out)) == len([p for p in server.people if not p.is_hidden])
    login = cli("login", "--server", tls.url, "--ca-bundle", str(certificates.cert), "--api-key-stdin",
                input=server.api_key)  # fmt: skip
    assert login.code == 0, login
    listed = cli("people", "list", "--ca-bundle", str(certificates.cert))
    assert listed.code == 0, listed
    # The CA bundle is saved with the profile (issue 12, item 21): later runs use it; --verify-tls
    # goes back to the system's CAs for one run, with a clear TLS error.
    assert cli("people", "list").code == 0
    outcome.cli_error(cli("people", "list", "--verify-tls"), 5, contains="TLS failure")


def test_the_wrong_ca_bundle_fails_clearly(
    outcome: Outcome, server: FakeImmichServer, tls: TlsProxy, certificates: Certificates, cli: Cli
) -> None:
    with Client(tls.url, api_key=server.api_key, verify=certificates.other_cert, retries=FAST) as client:
        error = outcome.raises(ImmichConnectionError, client.fetch_people)
    assert "certificate verify failed" in error.message
    result = cli("people", "list", "--ca-bundle", str(certificates.other_cert), "--server", tls.url,
                 "--api-key", server.api_key)  # fmt: skip
    outcome.cli_error(result, 5, contains="TLS failure")
    assert server.requests == []


def test_a_ca_bundle_that_is_not_one(outcome: Outcome, tmp_path_factory: pytest.TempPathFactory, cli: Cli) -> None:
    folder = tmp_path_factory.mktemp("bundles")
    garbage = folder / "garbage.pem"
    garbage.write_text("not a certificate\n")
    missing = folder / "missing.pem"
    key = SYNTHETIC_SECRETS["api_key"]
    for bundle in (garbage, missing, folder):
        error = outcome.raises(InvalidArgumentError, Client, "https://127.0.0.1:1", api_key=key, verify=bundle)
        assert "CA bundle" in error.message
    outcome.cli_error(cli("people", "list", "--ca-bundle", str(garbage), "--server", "https://127.0.0.1:1",
                          "--api-key", key), 2, contains="CA bundle")  # fmt: skip
    outcome.cli_error(cli("people", "list", "--ca-bundle", str(missing), "--server", "https://127.0.0.1:1",
                          "--api-key", key), 2, contains="does not exist")  # fmt: skip


def test_https_to_a_plain_http_server(outcome: Outcome, server: FakeImmichServer, cli: Cli) -> None:
    url = f"https://127.0.0.1:{server.port}"
    with Client(url, api_key=server.api_key, retries=FAST) as client:
        error = outcome.raises(ImmichConnectionError, client.fetch_people)
    assert error.message.startswith(f"TLS failure talking to {url}")
    assert all(request.credential is None for request in server.requests)
    outcome.cli_error(cli("people", "list", "--server", url, "--api-key", server.api_key), 5, contains="TLS failure")


def test_plain_http_to_a_tls_server(outcome: Outcome, server: FakeImmichServer, tls: TlsProxy) -> None:
    url = tls.url.replace("https://", "http://")
    with Client(url, api_key=server.api_key, retries=FAST) as client:
        outcome.raises(ImmichConnectionError, client.fetch_people)
    assert server.requests == []
