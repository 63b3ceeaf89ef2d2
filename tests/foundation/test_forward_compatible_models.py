"""The generated models parse the answers of every supported Immich version (v1.132 to v3.3).

immich_client is generated from one document (v3.2.2), but servers of other versions omit fields it
requires, add fields, and send enum values it does not know. The templates in openapi/templates make
``from_dict`` tolerant: a missing required field parses to ``UNSET`` and is named in
``missing_fields``; an unknown enum value parses to an ``UNKNOWN`` member that keeps the string.
Checked with real recordings (v2.4.1, v3.1.0), with answers derived from each authentic document
(v1.132.3 to v3.2.2) and with the v3.3 person shape.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from immich_client import models
from immich_client.models import (
    AssetTypeEnum,
    AssetVisibility,
    PeopleResponseDto,
    PersonResponseDto,
    ServerVersionResponseDto,
)
from immich_client.types import UNSET
from immiche.people import Person
from tests.conftest import ROOT

SPECS = ROOT / "tests" / "fixtures" / "specs"
RECORDED = ROOT / "tests" / "fixtures" / "recorded"
PINNED = json.loads((ROOT / "openapi" / "immich-openapi.json").read_text(encoding="utf-8"))
SUPPORTED = ["v1.132.3", "v2.4.1", "v3.0.0", "v3.1.0", "v3.2.2"]

#: The models the facade and its users touch most: people, faces, assets, albums, search, bulk, server.
KEY_MODELS = [
    "PeopleResponseDto",
    "PersonResponseDto",
    "PersonStatisticsResponseDto",
    "AssetFaceResponseDto",
    "AssetResponseDto",
    "AlbumResponseDto",
    "SearchResponseDto",
    "SearchExploreResponseDto",
    "BulkIdResponseDto",
    "ServerVersionResponseDto",
    "ServerAboutResponseDto",
    "ServerFeaturesDto",
    "UserAdminResponseDto",
    "LoginResponseDto",
]


# -- answers derived from a document ------------------------------------------------------------------


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    if "allOf" in node and len(node["allOf"]) == 1:
        return _resolve(spec, node["allOf"][0])
    return node


def example(spec: dict[str, Any], node: dict[str, Any], depth: int = 0, name: str = "") -> Any:
    """A value of the schema with every property filled in (the way that version's server answers).

    Ids are UUIDs whatever the document says of their format (older documents say only "string").
    """
    schema = _resolve(spec, node)
    if "enum" in schema:
        return schema["enum"][-1]
    kind = schema.get("type")
    fmt = schema.get("format")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        return {key: example(spec, prop, depth + 1, key) for key, prop in schema.get("properties", {}).items()}
    if kind == "array":
        return [] if depth > 4 else [example(spec, schema.get("items", {}), depth + 1)]
    if kind == "integer":
        return 2
    if kind == "number":
        return 2.5
    if kind == "boolean":
        return True
    if kind == "string" and (name == "id" or name.endswith("Id")):
        return "5174df3b-37a7-46b2-a6c6-5cee411fbdae"
    if kind == "string":
        return {
            "date-time": "2026-11-23T11:25:59.835Z",
            "date": "1990-04-01",
            "uuid": "5174df3b-37a7-46b2-a6c6-5cee411fbdae",
            "email": "ann@example.com",
        }.get(fmt or "", "text")
    return None


def _spec(version: str) -> dict[str, Any]:
    return json.loads((SPECS / f"immich-openapi-{version}.json").read_text(encoding="utf-8"))


def _cases() -> Iterator[Any]:
    for version in SUPPORTED:
        schemas = _spec(version)["components"]["schemas"]
        for name in KEY_MODELS:
            if name in schemas:
                yield pytest.param(version, name, id=f"{version}-{name}")


@pytest.mark.parametrize(("version", "name"), list(_cases()))
def test_each_version_s_answers_parse_with_the_pinned_models(version: str, name: str) -> None:
    spec = _spec(version)
    schema = spec["components"]["schemas"][name]
    model = getattr(models, name)
    full = example(spec, schema)
    parsed = model.from_dict(full)
    assert isinstance(parsed, model)
    overrides = json.loads((ROOT / "openapi" / "overrides.json").read_text(encoding="utf-8"))["optional_fields"]
    made_optional = {entry["field"] for entry in overrides if entry["schema"] == name}
    pinned_required = set(PINNED["components"]["schemas"][name].get("required", [])) - made_optional
    assert set(parsed.missing_fields) == pinned_required - set(full)
    # only what that version requires: the rest is absent, and still nothing raises
    required_only = {key: value for key, value in full.items() if key in schema.get("required", [])}
    assert isinstance(model.from_dict(required_only), model)
    # and what the model serialises again is what it read, without the fields that were missing
    assert set(parsed.to_dict()) <= set(full)


def test_every_supported_document_is_covered() -> None:
    assert set(SUPPORTED) == {path.stem.removeprefix("immich-openapi-") for path in SPECS.glob("*.json")} - {
        "v3.0.0-prerelease-2026-05-18"
    }


# -- the concrete cases --------------------------------------------------------------------------------


def test_a_v3_0_server_version_without_prerelease_parses() -> None:
    """v3.2 made ``prerelease`` required; v1.132 to v3.0 pre-releases do not send it."""
    parsed = ServerVersionResponseDto.from_dict({"major": 3, "minor": 0, "patch": 0})
    assert (parsed.major, parsed.minor, parsed.patch) == (3, 0, 0)
    assert parsed.prerelease is UNSET
    assert parsed.missing_fields == ("prerelease",)
    assert parsed.to_dict() == {"major": 3, "minor": 0, "patch": 0}


def test_an_unknown_enum_value_is_kept_not_rejected() -> None:
    known = AssetTypeEnum("IMAGE")
    assert known is AssetTypeEnum.IMAGE
    unknown = AssetTypeEnum("HOLOGRAM")
    assert isinstance(unknown, AssetTypeEnum)
    assert unknown.name == "UNKNOWN" and unknown.value == "HOLOGRAM" and unknown == "HOLOGRAM"
    assert str(unknown) == "HOLOGRAM"
    with pytest.raises(ValueError):
        AssetTypeEnum(3)  # only strings are kept: a number is not an Immich enum value
    asset = _spec("v3.2.2")
    body = example(asset, asset["components"]["schemas"]["AssetResponseDto"])
    body.update(type="HOLOGRAM", visibility="vault")
    parsed = models.AssetResponseDto.from_dict(body)
    assert parsed.type_ == "HOLOGRAM" and parsed.visibility == "vault"
    assert isinstance(parsed.visibility, AssetVisibility)
    assert parsed.to_dict()["type"] == "HOLOGRAM" and parsed.to_dict()["visibility"] == "vault"


def test_a_v3_3_person_with_sharing_fields_and_a_renamed_field_parses() -> None:
    """v3.3 adds required sharedBy/sharedWith/otherPeople; a renamed field is simply missing."""
    v33 = {
        "id": "5174df3b-37a7-46b2-a6c6-5cee411fbdae",
        "name": "Ann",
        "birthDate": None,
        "thumbnailPath": "/data/thumbs/ann.jpeg",
        "hidden": False,  # as if isHidden had been renamed
        "isFavorite": True,
        "updatedAt": "2026-11-23T11:25:59.835Z",
        "sharedBy": None,
        "sharedWith": [],
        "otherPeople": [],
    }
    parsed = PersonResponseDto.from_dict(v33)
    assert parsed.missing_fields == ("isHidden",)
    assert parsed.is_hidden is UNSET
    assert parsed.additional_properties == {"hidden": False, "sharedBy": None, "sharedWith": [], "otherPeople": []}
    page = PeopleResponseDto.from_dict({"people": [v33], "total": 1, "hidden": 0})
    assert page.missing_fields == ()  # hasNextPage is optional
    assert page.people[0].name == "Ann"


# -- real recordings ---------------------------------------------------------------------------------


def _operations() -> list[tuple[str, re.Pattern[str], dict[str, Any]]]:
    found = []
    for template, item in PINNED["paths"].items():
        pattern = re.compile("^/api" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                found.append((method.upper(), pattern, operation))
    return found


def _recordings() -> Iterator[Any]:
    for folder in sorted(RECORDED.iterdir()):
        for path in sorted(folder.glob("*.json")):
            yield pytest.param(path, id=f"{folder.name}/{path.stem}")


def _response_model(method: str, url: str, status: int) -> tuple[str | None, bool]:
    path = "/" + url.split("://", 1)[1].split("/", 1)[1].split("?", 1)[0]
    for op_method, pattern, operation in _operations():
        if op_method == method and pattern.match(path):
            response = operation["responses"].get(str(status), {})
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            if not schema:
                return None, False
            if schema.get("type") == "array":
                return schema["items"].get("$ref", "").rsplit("/", 1)[-1] or None, True
            return schema.get("$ref", "").rsplit("/", 1)[-1] or None, False
    return None, False


@pytest.mark.parametrize("path", list(_recordings()))
def test_every_recorded_success_answer_parses(path: Path) -> None:
    record = json.loads(path.read_text(encoding="utf-8"))
    if not 200 <= record["status"] < 300 or not isinstance(record["body"], (dict, list)):
        assert record["status"] >= 300 or record["body"] is None or isinstance(record["body"], (str, int, bool))
        return
    name, is_list = _response_model(record["request"]["method"], record["request"]["url"], record["status"])
    if name is None:  # an operation of another version, or a body the pinned document does not model
        return
    model = getattr(models, name)
    bodies = record["body"] if is_list else [record["body"]]
    for body in bodies:
        parsed = model.from_dict(body)
        assert isinstance(parsed, model)
        if name == "PersonResponseDto":
            assert Person.from_model(parsed) == Person.from_json(body)  # the facade's fast path agrees


def test_the_recordings_cover_people_faces_albums_and_server() -> None:
    parsed_models = set()
    for param in _recordings():
        record = json.loads(param.values[0].read_text(encoding="utf-8"))
        if 200 <= record["status"] < 300 and isinstance(record["body"], (dict, list)):
            name, _ = _response_model(record["request"]["method"], record["request"]["url"], record["status"])
            if name:
                parsed_models.add(name)
    assert {"PeopleResponseDto", "PersonResponseDto", "AssetFaceResponseDto", "AlbumResponseDto"} <= parsed_models


def test_the_provenance_names_the_pinned_document() -> None:
    """openapi/PROVENANCE.md states version, commit and sha256 of exactly the pinned file (and the README agrees)."""
    pinned_bytes = (ROOT / "openapi" / "immich-openapi.json").read_bytes()
    provenance = (ROOT / "openapi" / "PROVENANCE.md").read_text(encoding="utf-8")
    assert hashlib.sha256(pinned_bytes).hexdigest() in provenance
    assert (
        f"**v{PINNED['info']['version']}**" in provenance and "60b51cb3bc909e72fe963f4dfb1947515cb9ab3b" in provenance
    )
    assert (SPECS / "immich-openapi-v3.2.2.json").read_bytes() == pinned_bytes
    assert (ROOT / "generated" / "immich_client" / "immich-openapi.json").read_bytes() == pinned_bytes
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "byte for byte as Immich publishes" not in readme
    assert f"Immich v{PINNED['info']['version']}" in readme
