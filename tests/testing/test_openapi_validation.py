"""The contract checker itself: it must accept what the spec allows and catch what it does not."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.openapi_validation import PINNED_SPEC, ResponseMismatch, SpecValidator, openapi_to_json_schema

PERSON: dict[str, Any] = {
    "id": "e991c2d4-80c1-48dd-99a3-a3ee13e07c0c",
    "name": "Ann",
    "birthDate": None,
    "thumbnailPath": "",
    "isHidden": False,
    "isFavorite": False,
    "updatedAt": "2026-11-23T11:25:59.796Z",
}


@pytest.fixture(params=["pinned", "v2"])
def validator(request: pytest.FixtureRequest) -> SpecValidator:
    return SpecValidator.pinned() if request.param == "pinned" else SpecValidator.v2()


def test_versions() -> None:
    assert SpecValidator.pinned().version == "3.2.2"
    assert SpecValidator.v2().version == "2.4.1"


def test_accepts_valid_bodies(validator: SpecValidator) -> None:
    validator.validate("/people/{id}", "GET", 200, PERSON)
    validator.validate("/people/{id}", "GET", 200, {**PERSON, "birthDate": "1990-01-02", "color": "#ff0000"})
    page = {"people": [PERSON], "total": 1, "hidden": 0, "hasNextPage": False}
    validator.validate("/people", "GET", 200, page)
    validator.validate("/search/person", "GET", 200, [PERSON])
    validator.validate("/.well-known/immich", "GET", 200, {"api": {"endpoint": "/api"}})


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({k: v for k, v in PERSON.items() if k != "thumbnailPath"}, "'thumbnailPath' is a required property"),
        ({**PERSON, "isHidden": "no"}, "is not of type 'boolean'"),
        ({**PERSON, "name": None}, "is not of type 'string'"),
        ({**PERSON, "birthDate": "02/01/1990"}, "is not a 'date'"),
        ({**PERSON, "updatedAt": "yesterday"}, "is not a 'date-time'"),
        ({**PERSON, "colour": "#fff"}, "Additional properties"),
    ],
)
def test_catches_invalid_bodies(validator: SpecValidator, body: dict[str, Any], problem: str) -> None:
    with pytest.raises(ResponseMismatch, match=problem):
        validator.validate("/people/{id}", "GET", 200, body)


def test_catches_invalid_nested_items() -> None:
    page = {"people": [{**PERSON, "isFavorite": 1}], "total": 1, "hidden": 0}
    with pytest.raises(ResponseMismatch, match="people/0/isFavorite"):
        SpecValidator.pinned().validate("/people", "GET", 200, page)


def test_unknown_responses_are_mismatches() -> None:
    validator = SpecValidator.pinned()
    with pytest.raises(ResponseMismatch, match="not in the spec"):
        validator.validate("/people/{id}", "GET", 201, PERSON)
    with pytest.raises(ResponseMismatch, match="outside the spec"):
        validator.validate(None, "GET", 200, {})
    with pytest.raises(ResponseMismatch, match="no JSON body"):
        validator.validate("/people/{id}/thumbnail", "GET", 200, "")


def test_error_shapes() -> None:
    validator = SpecValidator.pinned()
    v2_error = {
        "message": ["id must be a UUID"],
        "error": "Bad Request",
        "statusCode": 400,
        "correlationId": "abcd1234",
    }
    validator.validate("/people/{id}", "GET", 400, v2_error, dialect="v2")
    validator.validate("/people/{id}", "GET", 400, {"message": "Not found or no person.read access"})
    invalid = {"message": "Validation failed", "errors": [{"code": "invalid_format", "path": ["id"], "message": "x"}]}
    validator.validate("/people/{id}", "GET", 400, invalid)
    with pytest.raises(ResponseMismatch):
        validator.validate("/people/{id}", "GET", 400, v2_error)  # v2 body from a v3 server
    with pytest.raises(ResponseMismatch, match="statusCode"):
        validator.validate("/people/{id}", "GET", 404, v2_error, dialect="v2")
    with pytest.raises(ResponseMismatch):
        validator.validate("/people/{id}", "GET", 400, {"message": "x"}, dialect="v2")


def test_nullable_conversion() -> None:
    schema = openapi_to_json_schema(
        {
            "type": "object",
            "properties": {
                "a": {"type": "string", "nullable": True},
                "b": {"allOf": [{"$ref": "#/x"}], "nullable": True},
                "c": {"type": "string", "enum": ["x"], "nullable": True},
            },
        },
        closed=True,
    )
    assert schema["properties"]["a"] == {"type": ["string", "null"]}
    assert schema["properties"]["b"] == {"anyOf": [{"allOf": [{"$ref": "#/x"}]}, {"type": "null"}]}
    assert schema["properties"]["c"]["enum"] == ["x", None]
    assert schema["additionalProperties"] is False


def test_the_spec_file_is_not_modified() -> None:
    SpecValidator.pinned()
    spec = json.loads(PINNED_SPEC.read_text(encoding="utf-8"))
    assert spec["components"]["securitySchemes"]["bearer"]["in"] == "header"
    assert "in" not in SpecValidator.pinned().spec["components"]["securitySchemes"]["bearer"]
