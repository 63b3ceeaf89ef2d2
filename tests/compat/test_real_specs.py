"""The compatibility check against the real Immich specs: pinned v3.0.0, v2.4.1 and v1.132.3."""

from __future__ import annotations

import json

import pytest

from immiche import _contract
from immiche.compat import CHANGED, OK, TOLERATED, CompatReport, Finding, check, load_spec
from tests.compat.conftest import PINNED, V1, V2, run_module, spec
from tests.conftest import ROOT

PAGE = Finding("operation getAllPeople param page", CHANGED, "integer -> number", breaking=False)
SIZE = Finding("operation getAllPeople param size", CHANGED, "integer -> number", breaking=False)
IS_ONBOARDED = Finding(
    "model LoginResponseDto field isOnboarded",
    TOLERATED,
    "required in the pinned spec, absent here; openapi/overrides.json makes it optional",
    breaking=False,
)


def problems(report: CompatReport) -> set[Finding]:
    return set(report.problems)


def test_the_pinned_spec_fits_with_nothing_but_ok() -> None:
    report = check(load_spec(PINNED))
    assert report.ok
    assert report.problems == ()
    assert {finding.status for finding in report.findings} == {OK}
    assert (report.spec_version, report.pinned_version) == ("3.0.0", "3.0.0")


def test_every_declared_item_is_checked() -> None:
    subjects = [finding.subject for finding in check(spec(PINNED)).findings]
    expected = []
    for op in _contract.OPERATIONS:
        expected.append(f"operation {op.operation_id}")
        expected += [f"operation {op.operation_id} param {p.name}" for p in op.parameters]
        expected.append(f"operation {op.operation_id} response")
        if op.body:
            expected.append(f"operation {op.operation_id} body")
    for model in _contract.MODELS:
        expected.append(f"model {model.name}")
        expected += [f"model {model.name} field {f.name}" for f in model.fields]
    # and the models the generated parser reads inside the declared ones
    expected += ["model UserAvatarColor", "model UserLicense", "model UserStatus"]
    assert sorted(subjects) == sorted(expected)
    assert len(subjects) == len(set(subjects))


def test_v2_4_1_differs_only_in_the_people_page_parameters() -> None:
    report = check(spec(V2))
    assert problems(report) == {PAGE, SIZE}
    assert report.ok
    assert report.spec_version == "2.4.1"


def test_v1_132_3_also_lacks_is_onboarded_which_the_overrides_tolerate() -> None:
    report = check(spec(V1))
    assert problems(report) == {PAGE, SIZE, IS_ONBOARDED}
    assert report.ok
    assert (
        report.summary()
        == "compat: OK: the facade fits the Immich 1.132.3 spec (2 compatible changes, 1 tolerated, 62 OK)."
    )


def test_without_the_override_a_missing_is_onboarded_breaks_the_login_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    models = tuple(
        model if model.name != "LoginResponseDto" else _contract.Model(model.name, model.fields)
        for model in _contract.MODELS
    )
    monkeypatch.setattr(_contract, "MODELS", models)
    report = check(spec(V1))
    assert not report.ok
    assert list(report.breaking) == [
        Finding(
            "model LoginResponseDto field isOnboarded",
            "missing",
            "required in the pinned spec: the current client's parser fails on answers without it",
            breaking=True,
        )
    ]


def test_the_tolerated_fields_are_the_ones_overrides_json_makes_optional() -> None:
    overrides = json.loads((ROOT / "openapi" / "overrides.json").read_text(encoding="utf-8"))
    declared = {(model.name, name) for model in _contract.MODELS for name in model.tolerated_missing}
    assert declared == {(entry["schema"], entry["field"]) for entry in overrides["optional_fields"]}


@pytest.mark.parametrize(
    ("path", "lines"),
    [
        (PINNED, ["compat: OK: the facade fits the Immich 3.0.0 spec (64 OK)."]),
        (
            V2,
            [
                "  note    operation getAllPeople param page: changed type integer -> number (compatible)",
                "  note    operation getAllPeople param size: changed type integer -> number (compatible)",
                "compat: OK: the facade fits the Immich 2.4.1 spec (2 compatible changes, 62 OK).",
            ],
        ),
        (
            V1,
            [
                "  note    model LoginResponseDto field isOnboarded: tolerated (required in the pinned spec, absent "
                "here; openapi/overrides.json makes it optional)",
                "compat: OK: the facade fits the Immich 1.132.3 spec (2 compatible changes, 1 tolerated, 62 OK).",
            ],
        ),
    ],
    ids=["v3.0.0", "v2.4.1", "v1.132.3"],
)
def test_the_command_prints_the_report_and_exits_0(path: object, lines: list[str]) -> None:
    result = run_module("immiche.compat", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout.splitlines()
    assert out[0].startswith("compat: the immiche facade against the Immich ")
    assert "(the current immich_client is generated from Immich 3.0.0)" in out[0]
    assert "          operation getAllPeople: OK (GET /people)" in out
    for line in lines:
        assert line in out
    assert out[-1] == lines[-1]


def test_quiet_lists_only_what_is_not_ok() -> None:
    result = run_module("immiche.compat", "--quiet", str(V1))
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 1 + 3 + 1  # header, three notes, summary
    assert all(" OK (" not in line for line in result.stdout.splitlines())


def test_the_pinned_spec_can_be_given_explicitly() -> None:
    """Checked the other way round (v2.4.1 pinned), v3.0.0 changes no parameter the facade sends."""
    report = check(spec(PINNED), pinned=V2)
    assert report.pinned_version == "2.4.1"
    assert report.problems == ()
