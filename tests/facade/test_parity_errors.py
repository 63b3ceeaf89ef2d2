"""Errors that fit every API area: the permission Immich names, the raw body and headers, the
correlation id formatted once, warnings pointing at the user's line; for both clients."""

from __future__ import annotations

import json
import pickle
import warnings

import pytest

import immiche
from immiche import errors
from immiche.errors import (
    MAX_ERROR_BODY,
    ImmichVersionWarning,
    correlation_suffix,
    error_from_response,
    redact_error,
    warn_at_caller,
)
from immiche.testing import FakeImmichServer
from tests.conftest import ServerFactory
from tests.facade._parity import Flavour, flavour_fixture

flavour = flavour_fixture()
JSON = {"content-type": "application/json; charset=utf-8"}
SECRET = "Secret0123456789abcdefSecret"


def _error(status: int, body: object, headers: dict[str, str] | None = None) -> errors.ImmichError:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return error_from_response(status, content, {**JSON, **(headers or {})}, method="GET", path="/api/x")


@pytest.mark.parametrize("permission", ["asset.read", "album.read", "person.read", "sharedLink.read"])
def test_not_found_names_the_permission_the_server_named(permission: str) -> None:
    error = _error(400, {"message": f"Not found or no {permission} access", "statusCode": 400})
    assert isinstance(error, errors.NotFoundError)
    assert error.permission == permission
    assert error.hint is not None and error.hint.endswith(f"the API key may lack {permission}")
    if permission != "person.read":
        assert "person.read" not in str(error)


def test_a_plain_404_has_no_permission() -> None:
    error = _error(404, {"message": "Not Found"})
    assert isinstance(error, errors.NotFoundError)
    assert error.permission is None
    assert isinstance(_error(400, {"message": "Not found or no"}), errors.BadRequestError)


def test_status_errors_keep_the_raw_body_and_headers() -> None:
    body = {"message": "bad", "results": [{"id": "a", "success": False, "error": "duplicate"}]}
    error = _error(400, body, {"X-Correlation-ID": "cid-1", "Set-Cookie": f"immich_access_token={SECRET}"})
    assert isinstance(error, errors.APIStatusError)
    assert error.body == body  # fields immiche does not model stay readable
    assert error.headers["x-correlation-id"] == "cid-1"
    assert "set-cookie" not in error.headers  # a cookie may carry a session token: never kept
    page = _error(502, b"<html>bad gateway</html>", {"content-type": "text/html"})
    assert isinstance(page, errors.ServerError)
    assert page.body == b"<html>bad gateway</html>"
    huge = _error(500, b"x" * (MAX_ERROR_BODY * 2), {"content-type": "text/plain"})
    assert isinstance(huge, errors.APIStatusError)
    assert huge.body == b"x" * MAX_ERROR_BODY  # bounded


def test_redaction_reaches_the_body_and_headers() -> None:
    error = _error(401, {"message": f"Invalid API key {SECRET}", "echo": [SECRET]}, {"x-echo": SECRET})
    redact_error(error, [SECRET])
    assert isinstance(error, errors.APIStatusError)
    assert SECRET not in json.dumps(error.body) + json.dumps(error.headers) + str(error)
    raw = _error(500, SECRET.encode(), {"content-type": "text/plain"})
    redact_error(raw, [SECRET])
    assert isinstance(raw, errors.APIStatusError) and SECRET.encode() not in raw.body  # type: ignore[operator]


def test_the_correlation_id_is_quoted_one_way() -> None:
    error = _error(500, {"message": "boom", "correlationId": "abc123"})
    assert (
        str(error).endswith(correlation_suffix("abc123")) and correlation_suffix("abc123") == " [correlation id abc123]"
    )
    assert correlation_suffix(None) == ""
    from immiche.cli._errors import describe

    assert describe(error)[0] == "server error (500: boom) [correlation id abc123]"


def test_errors_pickle() -> None:
    error = _error(400, {"message": "Not found or no asset.read access"})
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is errors.NotFoundError
    assert (again.permission, str(again), again.body) == (error.permission, str(error), error.body)  # type: ignore[attr-defined]


def test_warn_at_caller_points_at_the_first_frame_outside_immiche() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_at_caller(ImmichVersionWarning("here"))  # called from this test file: this line
        line = __import__("inspect").currentframe().f_lineno - 1  # type: ignore[union-attr]
    assert caught[0].filename == __file__
    assert caught[0].lineno == line
    assert issubclass(caught[0].category, ImmichVersionWarning)


def test_the_not_found_permission_over_a_socket(flavour: Flavour, fake_immich: ServerFactory) -> None:
    server: FakeImmichServer = fake_immich(version="v2")
    other = next(p for p in server.all_people if p.owner != server.user.id)
    with flavour.client(server.url, api_key=server.api_key, retries=0) as client:
        with pytest.raises(errors.NotFoundError) as info:
            client.fetch_person(other.id)
    assert info.value.status_code == 400
    assert info.value.permission == "person.read"
    assert isinstance(info.value.body, dict) and info.value.body["message"] == "Not found or no person.read access"
    assert info.value.headers  # the answer's headers came along
    assert server.api_key not in json.dumps(info.value.headers)


def test_public_home_of_the_version_warning() -> None:
    assert issubclass(errors.ImmichVersionWarning, UserWarning)
    assert "ImmichVersionWarning" in errors.__all__
    assert issubclass(immiche.ImmichVersionWarning, UserWarning)
