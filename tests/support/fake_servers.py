"""Contract validation of what a fake Immich server sent during a test."""

from __future__ import annotations

from immiche.testing import FakeImmichServer
from tests.support.openapi_validation import ResponseMismatch, SpecValidator


def check_contract(server: FakeImmichServer) -> None:
    """Validate every response the server recorded; raise on the first mismatches."""
    validator = SpecValidator.v2() if server.version == "v2" else SpecValidator.v3()
    problems = []
    for response in server.responses:
        try:
            validator.validate(
                response.template, response.method, response.status, response.body, dialect=server.version
            )
        except ResponseMismatch as error:
            problems.append(f"{response.method} {response.path}: {error}")
    if problems:
        raise ResponseMismatch(f"{len(problems)} response(s) break the contract:\n" + "\n".join(problems[:10]))
    if server.internal_errors:
        raise AssertionError(f"the fake raised while answering: {server.internal_errors!r}")
