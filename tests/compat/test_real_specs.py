"""The compatibility check against every authentic Immich document in tests/fixtures/specs (v1.132.3 to v3.2.2)."""

from __future__ import annotations

import json

import pytest

from immiche import _contract
from immiche.compat import CHANGED, OK, TOLERATED, CompatReport, Finding, check, load_spec
from tests.compat.conftest import PINNED, SPECS, V1, V2, run_module, spec
from tests.conftest import ROOT

PAGE = Finding("operation getAllPeople param page", CHANGED, "integer -> number", breaking=False)
SIZE = Finding("operation getAllPeople param size", CHANGED, "integer -> number", breaking=False)
IS_ONBOARDED = Finding(
    "model LoginResponseDto field isOnboarded",
    TOLERATED,
    "required in the pinned spec, absent here; openapi/overrides.json makes it optional",
    breaking=False,
)
UNSET_NOTE = "the generated parser leaves it UNSET when missing"
MERGE_LEGACY_NAME = Finding(
    "operation mergePersonLegacy", TOLERATED, "named 'mergePerson' here; the pinned module sends the same"
)
MERGE_ABSENT = Finding(
    "operation mergePeople", TOLERATED, "absent here; new in v3.2.1, older servers get the legacy merge"
)
DELETE_ABSENT = Finding(
    "operation deletePeople", TOLERATED, "absent here; delete_people needs a server that has it (v1.132.3 has not)"
)
FEATURE_FACE = Finding(
    "operation updatePerson param featureFaceAssetId", CHANGED, "string:uuid -> string", breaking=False
)
PRERELEASE = Finding(
    "model ServerVersionResponseDto field prerelease",
    TOLERATED,
    f"required in the pinned spec, absent here; {UNSET_NOTE}",
)
SEARCH_PAGE = Finding("operation searchAssets param page", CHANGED, "integer -> number", breaking=False)
SEARCH_SIZE = Finding("operation searchAssets param size", CHANGED, "integer -> number", breaking=False)


def _unset(subject: str) -> Finding:
    return Finding(subject, TOLERATED, f"required in the pinned spec, absent here; {UNSET_NOTE}")


#: Search answers before v3.2 (no nextCursor) and the asset fields added up to v2.7 / v1.133.
BEFORE_V3_2 = {_unset("model SearchAssetResponseDto field nextCursor")}
BEFORE_V2_7 = {_unset(f"model AssetResponseDto field {name}") for name in ("height", "isEdited", "width")}
BEFORE_V1_133 = {_unset(f"model AssetResponseDto field {name}") for name in ("createdAt", "visibility")}
CLUSTER_GROUP = Finding(
    "model UserAdminResponseDto field clusterGroupId",
    TOLERATED,
    f"required in the pinned spec, absent here; {UNSET_NOTE}",
)


def problems(report: CompatReport) -> set[Finding]:
    return set(report.problems)


def test_the_pinned_spec_fits_with_nothing_but_ok() -> None:
    report = check(load_spec(PINNED))
    assert report.ok
    assert report.problems == ()
    assert {finding.status for finding in report.findings} == {OK}
    assert (report.spec_version, report.pinned_version) == ("3.2.2", "3.2.2")


def test_every_declared_item_is_checked() -> None:
    subjects = [finding.subject for finding in check(spec(PINNED)).findings]
    expected = []
    for op in _contract.OPERATIONS:
        expected.append(f"operation {op.operation_id}")
        elsewhere = {p.name for p in op.parameters if p.location != "body"}
        expected += [
            f"operation {op.operation_id} param {p.name}"
            + (" (body)" if p.location == "body" and p.name in elsewhere else "")
            for p in op.parameters
        ]
        expected.append(f"operation {op.operation_id} response")
        if op.body:
            expected.append(f"operation {op.operation_id} body")
    for model in _contract.MODELS:
        expected.append(f"model {model.name}")
        expected += [f"model {model.name} field {f.name}" for f in model.fields]
    # and the models the generated parser reads inside the declared ones
    expected += [
        f"model {name}"
        for name in (
            "AlbumUserResponseDto", "AlbumUserRole", "AssetOrder", "AssetStackResponseDto", "AssetTypeEnum",
            "AssetVisibility", "BulkIdErrorReason", "ContributorCountResponseDto", "ExifResponseDto",
            "SearchAlbumResponseDto", "SearchFacetCountResponseDto", "SearchFacetResponseDto", "TagResponseDto",
            "UserAvatarColor", "UserLicense", "UserResponseDto", "UserStatus",
        )
    ]  # fmt: skip
    assert sorted(subjects) == sorted(expected)
    assert len(subjects) == len(set(subjects))


def test_v2_4_1_differs_only_in_the_people_page_parameters() -> None:
    report = check(spec(V2))
    assert (
        problems(report)
        == {PAGE, SIZE, SEARCH_PAGE, SEARCH_SIZE, PRERELEASE, CLUSTER_GROUP, MERGE_LEGACY_NAME, MERGE_ABSENT}
        | BEFORE_V3_2
        | BEFORE_V2_7
    )
    assert report.ok
    assert report.spec_version == "2.4.1"


def test_v1_132_3_also_lacks_is_onboarded_which_the_overrides_tolerate() -> None:
    report = check(spec(V1))
    assert (
        problems(report)
        == {
            PAGE,
            SIZE,
            SEARCH_PAGE,
            SEARCH_SIZE,
            IS_ONBOARDED,
            PRERELEASE,
            CLUSTER_GROUP,
            MERGE_LEGACY_NAME,
            MERGE_ABSENT,
            DELETE_ABSENT,
            FEATURE_FACE,
        }
        | BEFORE_V3_2
        | BEFORE_V2_7
        | BEFORE_V1_133
    )
    assert report.ok
    assert (
        report.summary()
        == "compat: OK: the facade fits the Immich 1.132.3 spec (5 compatible changes, 12 tolerated, 166 OK)."
    )


def test_without_the_override_a_missing_is_onboarded_is_still_tolerated_by_the_parser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The generated models parse a missing required field to UNSET, so only fields the facade reads break."""
    models = tuple(
        model if model.name != "LoginResponseDto" else _contract.Model(model.name, model.fields)
        for model in _contract.MODELS
    )
    monkeypatch.setattr(_contract, "MODELS", models)
    report = check(spec(V1))
    assert report.ok
    assert (
        Finding(
            "model LoginResponseDto field isOnboarded",
            TOLERATED,
            f"required in the pinned spec, absent here; {UNSET_NOTE}",
        )
        in report.findings
    )


def test_the_tolerated_fields_are_the_ones_overrides_json_makes_optional() -> None:
    overrides = json.loads((ROOT / "openapi" / "overrides.json").read_text(encoding="utf-8"))
    declared = {(model.name, name) for model in _contract.MODELS for name in model.tolerated_missing}
    assert declared == {(entry["schema"], entry["field"]) for entry in overrides["optional_fields"]}


NOTE_PAGE = "  note    operation getAllPeople param page: changed type integer -> number (compatible)"
NOTE_PRERELEASE = (
    "  note    model ServerVersionResponseDto field prerelease: tolerated (required in the pinned spec, absent here; "
    f"{UNSET_NOTE})"
)
NOTE_CLUSTER = (
    "  note    model UserAdminResponseDto field clusterGroupId: tolerated (required in the pinned spec, absent here; "
    f"{UNSET_NOTE})"
)
NOTE_MERGE_LEGACY = (
    "  note    operation mergePersonLegacy: tolerated (named 'mergePerson' here; the pinned module sends the same)"
)
NOTE_MERGE = (
    "  note    operation mergePeople: tolerated (absent here; new in v3.2.1, older servers get the legacy merge)"
)
NOTE_DELETE = (
    "  note    operation deletePeople: tolerated (absent here; delete_people needs a server that has it "
    "(v1.132.3 has not))"
)
NOTE_FEATURE_FACE = (
    "  note    operation updatePerson param featureFaceAssetId: changed type string:uuid -> string (compatible)"
)
NOTE_SEARCH_PAGE = "  note    operation searchAssets param page: changed type integer -> number (compatible)"
NOTE_CURSOR = (
    "  note    model SearchAssetResponseDto field nextCursor: tolerated (required in the pinned spec, absent here; "
    f"{UNSET_NOTE})"
)


def _note_asset(name: str) -> str:
    return (
        f"  note    model AssetResponseDto field {name}: tolerated (required in the pinned spec, absent here; "
        f"{UNSET_NOTE})"
    )


NOTES_V2_7 = [_note_asset(name) for name in ("height", "isEdited", "width")]
NOTES_V1_133 = [_note_asset(name) for name in ("createdAt", "visibility")]
NOTE_ONBOARDED = (
    "  note    model LoginResponseDto field isOnboarded: tolerated (required in the pinned spec, absent "
    "here; openapi/overrides.json makes it optional)"
)
#: Every authentic document of tests/fixtures/specs (copied from ../shared/specs) with its verdict.
EXPECTED_VERDICTS = {
    "immich-openapi-v1.132.3.json": [
        NOTE_PAGE,
        NOTE_FEATURE_FACE,
        NOTE_MERGE_LEGACY,
        NOTE_MERGE,
        NOTE_DELETE,
        NOTE_PRERELEASE,
        NOTE_CLUSTER,
        NOTE_ONBOARDED,
        NOTE_SEARCH_PAGE,
        NOTE_CURSOR,
        *NOTES_V2_7,
        *NOTES_V1_133,
        "compat: OK: the facade fits the Immich 1.132.3 spec (5 compatible changes, 12 tolerated, 166 OK).",
    ],
    "immich-openapi-v2.4.1.json": [
        NOTE_PAGE,
        NOTE_MERGE_LEGACY,
        NOTE_MERGE,
        NOTE_PRERELEASE,
        NOTE_CLUSTER,
        NOTE_SEARCH_PAGE,
        NOTE_CURSOR,
        *NOTES_V2_7,
        "compat: OK: the facade fits the Immich 2.4.1 spec (4 compatible changes, 8 tolerated, 173 OK).",
    ],
    "immich-openapi-v3.0.0-prerelease-2026-05-18.json": [
        NOTE_MERGE_LEGACY,
        NOTE_MERGE,
        NOTE_PRERELEASE,
        NOTE_CLUSTER,
        NOTE_CURSOR,
        "compat: OK: the facade fits the Immich 3.0.0 spec (5 tolerated, 178 OK).",
    ],
    "immich-openapi-v3.0.0.json": [
        NOTE_MERGE_LEGACY,
        NOTE_MERGE,
        NOTE_CLUSTER,
        NOTE_CURSOR,
        "compat: OK: the facade fits the Immich 3.0.0 spec (4 tolerated, 178 OK).",
    ],
    "immich-openapi-v3.1.0.json": [
        NOTE_MERGE_LEGACY,
        NOTE_MERGE,
        NOTE_CLUSTER,
        NOTE_CURSOR,
        "compat: OK: the facade fits the Immich 3.1.0 spec (4 tolerated, 178 OK).",
    ],
    "immich-openapi-v3.2.2.json": ["compat: OK: the facade fits the Immich 3.2.2 spec (183 OK)."],
}


def test_every_fixture_spec_has_an_expected_verdict() -> None:
    assert sorted(path.name for path in SPECS.glob("*.json")) == sorted(EXPECTED_VERDICTS)


@pytest.mark.parametrize("name", sorted(EXPECTED_VERDICTS))
def test_the_command_prints_the_report_and_exits_0(name: str) -> None:
    """``make compat SPEC=...`` (``python -m immiche.compat SPEC``) on each authentic document."""
    lines = EXPECTED_VERDICTS[name]
    result = run_module("immiche.compat", str(SPECS / name))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout.splitlines()
    assert out[0].startswith("compat: the immiche facade against the Immich ")
    assert "(the current immich_client is generated from Immich 3.2.2)" in out[0]
    assert "          operation getAllPeople: OK (GET /people)" in out
    for line in lines:
        assert line in out
    assert out[-1] == lines[-1]
    expected_notes = [line for line in lines if line.startswith("  note ")]
    for page_note in (NOTE_PAGE, NOTE_SEARCH_PAGE):
        if page_note in lines:
            expected_notes.append(page_note.replace("param page", "param size"))
    assert sorted(line for line in out if line.startswith("  note ")) == sorted(expected_notes)


def test_quiet_lists_only_what_is_not_ok() -> None:
    result = run_module("immiche.compat", "--quiet", str(V1))
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 1 + 17 + 1  # header, 17 notes, summary
    assert all(" OK (" not in line for line in result.stdout.splitlines())


def test_the_pinned_spec_can_be_given_explicitly() -> None:
    """Checked the other way round (v2.4.1 pinned), v3.2.2 changes no parameter the facade sends; only
    what v3 removed from assets and albums (which the facade reads leniently) is tolerated."""
    report = check(spec(PINNED), pinned=V2)
    assert report.pinned_version == "2.4.1"
    assert report.ok
    assert {(f.subject, f.status) for f in report.problems} == {
        ("model AssetResponseDto field deviceAssetId", TOLERATED),
        ("model AssetResponseDto field deviceId", TOLERATED),
        ("model PersonWithFacesResponseDto field faces", TOLERATED),
        ("model AlbumResponseDto field assets", TOLERATED),
        ("model AlbumResponseDto field owner", TOLERATED),
        ("model AlbumResponseDto field ownerId", TOLERATED),
        ("model AlbumUserRole", TOLERATED),
    }
