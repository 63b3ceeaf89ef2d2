"""Synthetic variants of the pinned spec: each change is caught with the right message and exit code."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from immiche.compat import (
    CHANGED,
    MISSING,
    MOVED,
    NEW_REQUIRED,
    RENAMED,
    TOLERATED,
    Finding,
    SpecError,
    check,
)
from tests.compat.conftest import PINNED, V2, run_module, spec, write
from tests.conftest import ROOT

Spec = dict[str, Any]
PARSER = "required in the pinned spec, absent here; the generated parser leaves it UNSET when missing"


def schemas(document: Spec) -> dict[str, Any]:
    return document["components"]["schemas"]


def people_param(document: Spec, name: str) -> dict[str, Any]:
    return next(p for p in document["paths"]["/people"]["get"]["parameters"] if p["name"] == name)


def rename_property(schema: dict[str, Any], old: str, new: str) -> None:
    schema["properties"] = {(new if key == old else key): value for key, value in schema["properties"].items()}
    schema["required"] = [new if key == old else key for key in schema.get("required", [])]


def remove_get_person(d: Spec) -> None:
    del d["paths"]["/people/{id}"]["get"]


def rename_get_person(d: Spec) -> None:
    d["paths"]["/people/{id}"]["get"]["operationId"] = "getPersonById"


def move_get_person(d: Spec) -> None:
    d["paths"]["/persons/{id}"] = d["paths"].pop("/people/{id}")


def retag_get_all_people(d: Spec) -> None:
    d["paths"]["/people"]["get"]["tags"] = ["Faces"]


def rename_person_name(d: Spec) -> None:
    rename_property(schemas(d)["PersonResponseDto"], "name", "fullName")


def rename_person_name_unlike(d: Spec) -> None:
    rename_property(schemas(d)["PersonResponseDto"], "name", "label")


def total_to_string(d: Spec) -> None:
    schemas(d)["PeopleResponseDto"]["properties"]["total"] = {"type": "string"}


def total_to_number(d: Spec) -> None:
    schemas(d)["PeopleResponseDto"]["properties"]["total"]["type"] = "number"


def is_hidden_optional(d: Spec) -> None:
    schemas(d)["PersonResponseDto"]["required"].remove("isHidden")


def name_nullable(d: Spec) -> None:
    schemas(d)["PersonResponseDto"]["properties"]["name"]["nullable"] = True


def birth_date_to_date_time(d: Spec) -> None:
    schemas(d)["PersonResponseDto"]["properties"]["birthDate"]["format"] = "date-time"


def people_items_changed(d: Spec) -> None:
    schemas(d)["PeopleResponseDto"]["properties"]["people"]["items"]["$ref"] = "#/components/schemas/UserResponseDto"


def unread_required_field_removed(d: Spec) -> None:
    logout = schemas(d)["LogoutResponseDto"]
    del logout["properties"]["redirectUri"]
    logout["required"].remove("redirectUri")


def nested_required_field_optional(d: Spec) -> None:
    schemas(d)["UserLicense"]["required"].remove("activationKey")


def enum_gains_a_value(d: Spec) -> None:
    schemas(d)["UserStatus"]["enum"].append("suspended")


def hidden_optional(d: Spec) -> None:
    schemas(d)["PeopleResponseDto"]["required"].remove("hidden")


def hidden_absent(d: Spec) -> None:
    del schemas(d)["PeopleResponseDto"]["properties"]["hidden"]
    schemas(d)["PeopleResponseDto"]["required"].remove("hidden")


def size_to_string(d: Spec) -> None:
    people_param(d, "size")["schema"] = {"type": "string"}


def size_renamed(d: Spec) -> None:
    people_param(d, "size")["name"] = "pageSize"


def size_to_header(d: Spec) -> None:
    people_param(d, "size")["in"] = "header"


def person_id_format_dropped(d: Spec) -> None:
    d["paths"]["/people/{id}"]["get"]["parameters"][0]["schema"] = {"type": "string"}


def new_required_param(d: Spec) -> None:
    d["paths"]["/people"]["get"]["parameters"].append(
        {"name": "albumId", "in": "query", "required": True, "schema": {"type": "string"}}
    )


def people_model_renamed(d: Spec) -> None:
    schemas(d)["PeopleResponseV2Dto"] = schemas(d).pop("PeopleResponseDto")
    content = d["paths"]["/people"]["get"]["responses"]["200"]["content"]["application/json"]
    content["schema"]["$ref"] = "#/components/schemas/PeopleResponseV2Dto"


def thumbnail_becomes_json(d: Spec) -> None:
    d["paths"]["/people/{id}/thumbnail"]["get"]["responses"]["200"]["content"] = {
        "application/json": {"schema": {"$ref": "#/components/schemas/PersonResponseDto"}}
    }


def login_email_renamed(d: Spec) -> None:
    rename_property(schemas(d)["LoginCredentialDto"], "email", "login")


VARIANTS: list[tuple[str, Callable[[Spec], None], set[Finding]]] = [
    (
        "operation removed",
        remove_get_person,
        {Finding("operation getPerson", MISSING, "no operation GET /people/{id} either; similar: deletePerson", True)},
    ),
    (
        "operationId renamed",
        rename_get_person,
        {
            Finding(
                "operation getPerson",
                RENAMED,
                "GET /people/{id} is now operationId 'getPersonById'; its generated module becomes "
                "immich_client.api.people.get_person_by_id",
                True,
            )
        },
    ),
    (
        "operation moved to another path",
        move_get_person,
        {
            Finding(
                "operation getPerson",
                MOVED,
                "GET /people/{id} -> GET /persons/{id}; the generated endpoint follows it, "
                "update src/immiche/_contract.py",
                False,
            ),
            Finding(  # the same path item
                "operation updatePerson",
                MOVED,
                "PUT /people/{id} -> PUT /persons/{id}; the generated endpoint follows it, "
                "update src/immiche/_contract.py",
                False,
            ),
        },
    ),
    (
        "operation moved to another tag",
        retag_get_all_people,
        {
            Finding(
                "operation getAllPeople",
                MOVED,
                "immich_client.api.people.get_all_people -> immich_client.api.faces.get_all_people (tag 'Faces'): "
                "the facade imports the old module",
                True,
            )
        },
    ),
    (
        "field renamed (close name)",
        rename_person_name,
        {
            Finding(
                "model PersonResponseDto field name",
                RENAMED,
                "the facade reads it; 'fullName' looks like its new name",
                True,
            )
        },
    ),
    (
        "field renamed (same type and place)",
        rename_person_name_unlike,
        {
            Finding(
                "model PersonResponseDto field name",
                RENAMED,
                "the facade reads it; 'label' looks like its new name",
                True,
            )
        },
    ),
    (
        "field integer -> string",
        total_to_string,
        {Finding("model PeopleResponseDto field total", CHANGED, "integer -> string", True)},
    ),
    (
        "field integer -> number",
        total_to_number,
        {Finding("model PeopleResponseDto field total", CHANGED, "integer -> number", False)},
    ),
    (
        "read field made optional",
        is_hidden_optional,
        {
            Finding(
                "model PersonResponseDto field isHidden",
                CHANGED,
                "required -> optional (the facade needs it)",
                True,
            )
        },
    ),
    (
        "read field made nullable",
        name_nullable,
        {
            Finding(
                "model PersonResponseDto field name",
                CHANGED,
                "nullable added (the facade expects a value)",
                True,
            )
        },
    ),
    (
        "read field format changed",
        birth_date_to_date_time,
        {Finding("model PersonResponseDto field birthDate", CHANGED, "string:date -> string:date-time", True)},
    ),
    (
        "nested model changed",
        people_items_changed,
        {
            Finding(
                "model PeopleResponseDto field people",
                CHANGED,
                "array of PersonResponseDto -> array of UserResponseDto",
                True,
            )
        },
    ),
    (
        "unread required field removed",
        unread_required_field_removed,
        {Finding("model LogoutResponseDto field redirectUri", TOLERATED, PARSER)},
    ),
    (
        "required field of a nested model made optional",
        nested_required_field_optional,
        {
            Finding(
                "model UserLicense field activationKey",
                TOLERATED,
                "required in the pinned spec, optional here; the generated parser leaves it UNSET when missing "
                "(parsed inside UserAdminResponseDto.license)",
            )
        },
    ),
    (
        "enum gains a value",
        enum_gains_a_value,
        {
            Finding(
                "model UserStatus",
                TOLERATED,
                "enum gains 'suspended': the generated parser keeps unknown values (parsed inside "
                "UserAdminResponseDto.status)",
            )
        },
    ),
    (
        "tolerated field made optional",
        hidden_optional,
        {
            Finding(
                "model PeopleResponseDto field hidden",
                TOLERATED,
                "required in the pinned spec, optional here; openapi/overrides.json makes it optional",
                False,
            )
        },
    ),
    (
        "tolerated but read field removed",
        hidden_absent,
        {Finding("model PeopleResponseDto field hidden", MISSING, "the facade reads it", True)},
    ),
    (
        "param integer -> string",
        size_to_string,
        {Finding("operation getAllPeople param size", CHANGED, "integer -> string", True)},
    ),
    (
        "param renamed",
        size_renamed,
        {Finding("operation getAllPeople param size", RENAMED, "missing; 'pageSize' looks like its new name", True)},
    ),
    (
        "param moved to a header",
        size_to_header,
        {Finding("operation getAllPeople param size", CHANGED, "location query -> header", True)},
    ),
    (
        "param format dropped",
        person_id_format_dropped,
        {Finding("operation getPerson param id", CHANGED, "string:uuid -> string", False)},
    ),
    (
        "new required param",
        new_required_param,
        {
            Finding(
                "operation getAllPeople param albumId",
                NEW_REQUIRED,
                "required query parameter the facade does not send",
                True,
            )
        },
    ),
    (
        "response model renamed",
        people_model_renamed,
        {
            Finding("operation getAllPeople response", CHANGED, "PeopleResponseDto -> PeopleResponseV2Dto", True),
            Finding("model PeopleResponseDto", RENAMED, "missing; getAllPeople now uses 'PeopleResponseV2Dto'", True),
        },
    ),
    (
        "binary response becomes JSON",
        thumbnail_becomes_json,
        {Finding("operation getPersonThumbnail response", CHANGED, "binary -> PersonResponseDto", True)},
    ),
    (
        "body field renamed",
        login_email_renamed,
        {
            Finding(
                "operation login param email", RENAMED, "missing from the body; 'login' looks like its new name", True
            ),
            Finding(
                "operation login param login",
                NEW_REQUIRED,
                "required field of the LoginCredentialDto body the facade does not send",
                True,
            ),
        },
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), [v[1:] for v in VARIANTS], ids=[v[0] for v in VARIANTS])
def test_each_change_is_reported_exactly(mutate: Callable[[Spec], None], expected: set[Finding]) -> None:
    document = spec(PINNED)
    mutate(document)
    report = check(document)
    assert set(report.problems) == expected
    assert report.ok is not any(finding.breaking for finding in expected)


@pytest.mark.parametrize(
    ("mutate", "code", "line"),
    [
        (
            rename_person_name,
            1,
            "  BREAKS  model PersonResponseDto field name: renamed-looking (the facade reads it; 'fullName' looks "
            "like its new name)",
        ),
        (
            total_to_string,
            1,
            "  BREAKS  model PeopleResponseDto field total: changed type integer -> string",
        ),
        (
            is_hidden_optional,
            1,
            "  BREAKS  model PersonResponseDto field isHidden: changed type required -> optional (the facade needs it)",
        ),
        (
            rename_get_person,
            1,
            "  BREAKS  operation getPerson: renamed-looking (GET /people/{id} is now operationId 'getPersonById'; "
            "its generated module becomes immich_client.api.people.get_person_by_id)",
        ),
        (
            remove_get_person,
            1,
            "  BREAKS  operation getPerson: missing (no operation GET /people/{id} either; similar: deletePerson)",
        ),
        (
            total_to_number,
            0,
            "  note    model PeopleResponseDto field total: changed type integer -> number (compatible)",
        ),
    ],
    ids=["renamed field", "integer->string", "optional", "renamed operationId", "removed operation", "compatible"],
)
def test_the_command_exits_1_when_the_facade_would_break(
    tmp_path: Path, mutate: Callable[[Spec], None], code: int, line: str
) -> None:
    document = spec(PINNED)
    mutate(document)
    result = run_module("immiche.compat", str(write(tmp_path, document)))
    assert result.returncode == code, result.stdout + result.stderr
    assert line in result.stdout.splitlines()
    summary = result.stdout.splitlines()[-1]
    if code:
        assert summary.startswith("compat: BREAKS: the facade would break with the Immich 3.2.2 spec (1 breaking, ")
        assert "scripts/regen.sh --force" in summary
    else:
        assert summary.startswith("compat: OK: ")


def test_several_breaks_are_all_reported(tmp_path: Path) -> None:
    document = spec(PINNED)
    for mutate in (remove_get_person, total_to_string, unread_required_field_removed):
        mutate(document)
    report = check(document)
    assert [f.subject for f in report.breaking] == [
        "operation getPerson",
        "model PeopleResponseDto field total",
    ]
    assert "(2 breaking, " in report.summary()


# -- bad input: exit 2 and one line -----------------------------------------------------------------


def bad(tmp_path: Path, text: str) -> str:
    target = tmp_path / "bad.json"
    target.write_text(text, encoding="utf-8")
    return str(target)


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (lambda t: [str(t / "nope.json")], "compat: error: cannot read {t}/nope.json: No such file or directory"),
        (lambda t: [str(t)], "compat: error: {t} is a directory, not a spec file"),
        (lambda t: [bad(t, "<html>")], "compat: error: {t}/bad.json is not a JSON document (Expecting value: "),
        (lambda t: [bad(t, "[1, 2]")], "compat: error: {t}/bad.json is not an OpenAPI document (a JSON object"),
        (
            lambda t: [bad(t, '{"swagger": "2.0", "paths": {}}')],
            "compat: error: {t}/bad.json is not an OpenAPI 3 document (openapi: '2.0')",
        ),
        (
            lambda t: [bad(t, '{"openapi": "3.0.0", "info": {"version": "1"}}')],
            "compat: error: {t}/bad.json is not an OpenAPI document (no 'paths' object)",
        ),
        (
            lambda t: [bad(t, '{"openapi": "3.0.0", "paths": {}}')],
            "compat: error: {t}/bad.json has no info.version",
        ),
        (
            lambda t: [bad(t, '{"openapi": "3.0.0", "paths": {}, "info": {"version": "1"}, "components": []}')],
            "compat: error: {t}/bad.json has a malformed 'components.schemas' object",
        ),
        (
            lambda t: [str(PINNED), "--pinned", str(t / "gone.json")],
            "compat: error: cannot read {t}/gone.json: No such file or directory",
        ),
    ],
    ids=["missing", "directory", "not-json", "array", "swagger2", "no-paths", "no-version", "components", "pinned"],
)
def test_a_bad_spec_file_exits_2_with_one_line(tmp_path: Path, make_args: Any, message: str) -> None:
    result = run_module("immiche.compat", *make_args(tmp_path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith(message.format(t=tmp_path))


def test_usage_errors_exit_2() -> None:
    result = run_module("immiche.compat")
    assert result.returncode == 2
    assert "usage: python -m immiche.compat" in result.stderr and "Traceback" not in result.stderr


def test_an_empty_but_valid_spec_breaks_everything_without_crashing() -> None:
    report = check({"openapi": "3.0.3", "info": {"version": "0.0.1"}, "paths": {}})
    assert not report.ok
    assert {f.status for f in report.findings} == {MISSING, TOLERATED}  # the optional operations
    assert {f.subject for f in report.findings if f.status == TOLERATED} == {
        "operation mergePeople",
        "operation deletePeople",
    }


def test_malformed_parts_are_reported_not_crashed_on() -> None:
    document = spec(PINNED)
    document["paths"]["/people"]["get"]["parameters"] = "nonsense"
    schemas(document)["PersonResponseDto"]["properties"] = ["not", "a", "mapping"]
    document["paths"]["/server/ping"]["get"]["responses"] = {"200": {"$ref": "#/nowhere"}}
    report = check(document)
    assert not report.ok
    assert "operation getAllPeople param size" in {f.subject for f in report.breaking}


def test_check_refuses_what_is_not_a_spec() -> None:
    with pytest.raises(SpecError, match="is not an OpenAPI 3 document"):
        check({"openapi": "2.0", "paths": {}, "info": {"version": "1"}})


def test_installed_without_a_checkout_the_packaged_pinned_spec_is_used(tmp_path: Path) -> None:
    """Installed from a wheel there is no openapi/: the document travels in immich_client; --pinned not needed."""
    for package, source in (
        ("immiche", ROOT / "src" / "immiche"),
        ("immich_client", ROOT / "generated" / "immich_client"),
    ):
        shutil.copytree(source, tmp_path / "lib" / package, ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "lib")}
    result = run_module("immiche.compat", "--quiet", str(V2), env=env)
    assert result.returncode == 0, result.stderr
    assert "(the current immich_client is generated from Immich 3.2.2)" in result.stdout.splitlines()[0]
    # without the packaged document (a damaged install): one clear line, exit 2, and --pinned still works
    (tmp_path / "lib" / "immich_client" / "immich-openapi.json").unlink()
    result = run_module("immiche.compat", str(PINNED), env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("compat: error: cannot find the pinned spec the current client was generated from")
    assert "--pinned PATH" in result.stderr
    assert run_module("immiche.compat", str(PINNED), "--pinned", str(PINNED), env=env).returncode == 0
