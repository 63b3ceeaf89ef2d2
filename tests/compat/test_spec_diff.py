"""python -m immiche.spec_diff / make spec-diff: what changed between two specs, breaking first."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from immiche.spec_diff import Change, diff
from tests.compat.conftest import PINNED, V1, V2, run_module, spec, write
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def v2_to_v3() -> list[str]:
    result = run_module("immiche.spec_diff", str(V2), str(PINNED))
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_v2_to_v3_counts_added_removed_and_changed(v2_to_v3: list[str]) -> None:
    assert v2_to_v3[0] == f"spec-diff: Immich 2.4.1 ({V2}) -> Immich 3.2.2 ({PINNED})"
    assert v2_to_v3[1] == "operations: 53 added, 7 removed, 3 renamed, 46 changed"
    assert v2_to_v3[2] == "schemas: 151 added, 59 removed, 108 changed"


def test_v2_to_v3_lists_operations_and_schemas(v2_to_v3: list[str]) -> None:
    for line in (
        "  ! operation removed: getRandom (GET /assets/random)",
        "  ! operation removed: replaceAsset (PUT /assets/{id}/original)",
        "  ! operation renamed: getPlugins -> searchPlugins (GET /plugins)",
        "  + operation added: editAsset (PUT /assets/{id}/edits)",
        "  + operation added: getAlbumMapMarkers (GET /albums/{id}/map-markers)",
        "  ! schema removed: ServerThemeDto",
        "  + schema added: WorkflowTrigger",
        "  ! operation changed: getAllPeople (GET /people): query param page number -> integer; "
        "query param size number -> integer",
        "  ! operation changed: getApiKey (GET /api-keys/{id}): response APIKeyResponseDto -> ApiKeyResponseDto",
        "  ! schema changed: SharedLinkResponseDto: field token removed",
        "  ! schema changed: AlbumUserRole: enum gains 'owner'",
        "  ~ operation changed: uploadAsset (POST /assets): success status 201 -> 200",
        "  ~ schema changed: LoginResponseDto: field userEmail format none -> email; field userId format none -> uuid",
        "  ~ schema changed: AssetMediaStatus: enum loses 'replaced'",
    ):
        assert line in v2_to_v3


def test_breaking_changes_come_first(v2_to_v3: list[str]) -> None:
    breaking_header = v2_to_v3.index("Breaking changes (118):")
    other_header = v2_to_v3.index("Other changes (334):")
    assert breaking_header < other_header
    assert all(line.startswith("  ! ") for line in v2_to_v3[breaking_header + 1 : other_header - 1])
    assert not any(line.startswith("  ! ") for line in v2_to_v3[other_header:])
    # within each part: operations (removed, renamed, changed, added) before schemas
    kinds = [line.split(":")[0][4:] for line in v2_to_v3[breaking_header + 1 : other_header - 1]]
    order = ["operation removed", "operation renamed", "operation changed", "schema removed", "schema changed"]
    assert kinds == sorted(kinds, key=order.index)


def test_identical_specs_have_no_differences() -> None:
    result = run_module("immiche.spec_diff", str(V2), str(V2))
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        f"spec-diff: Immich 2.4.1 ({V2}) -> Immich 2.4.1 ({V2})",
        "spec-diff: no differences in operations or schemas.",
    ]
    assert diff(spec(PINNED), spec(PINNED)).changes == ()


def test_a_required_response_field_is_breaking_only_when_it_goes() -> None:
    """isOnboarded appeared in v1.135 (added to a response: fine) and goes away going back (breaking)."""
    forward = diff(spec(V1), spec(V2))
    assert Change("schema", "changed", "LoginResponseDto", ("field isOnboarded added (required)",), False) in (
        forward.changes
    )
    backward = diff(spec(V2), spec(V1))
    assert Change("schema", "changed", "LoginResponseDto", ("field isOnboarded removed",), True) in backward.changes


def test_request_and_response_directions() -> None:
    old = spec(PINNED)
    new = spec(PINNED)
    schemas = new["components"]["schemas"]
    schemas["LoginCredentialDto"]["properties"]["otp"] = {"type": "string"}
    schemas["LoginCredentialDto"]["required"].append("otp")  # a request must now send it: breaking
    schemas["PersonResponseDto"]["required"].remove("isHidden")  # a response may now omit it: breaking
    schemas["PersonResponseDto"]["properties"]["score"] = {"type": "number"}  # new optional: fine
    schemas["ServerVersionResponseDto"]["properties"]["major"]["type"] = "number"  # integer -> number read: breaking
    new["paths"]["/people"]["get"]["parameters"][2]["schema"]["type"] = "number"  # integer -> number sent: fine
    new["paths"]["/people/{id}"]["get"]["operationId"] = "getPersonById"
    result = diff(old, new)
    assert set(result.changes) == {
        Change("operation", "renamed", "getPerson -> getPersonById (GET /people/{id})", (), True),
        Change("operation", "changed", "getAllPeople (GET /people)", ("query param page integer -> number",), False),
        Change("schema", "changed", "LoginCredentialDto", ("field otp added (required)",), True),
        Change("schema", "changed", "PersonResponseDto", ("field isHidden required -> optional",), True),
        Change("schema", "changed", "PersonResponseDto", ("field score added",), False),
        Change("schema", "changed", "ServerVersionResponseDto", ("field major integer -> number",), True),
    }
    assert [c.breaking for c in result.changes] == sorted((c.breaking for c in result.changes), reverse=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{t}/nope.json", str(PINNED)], "spec-diff: error: cannot read {t}/nope.json: No such file or directory"),
        ([str(PINNED), "{t}/bad.json"], "spec-diff: error: {t}/bad.json is not a JSON document"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "bad.json").write_text("not json")
    result = run_module("immiche.spec_diff", *(a.format(t=tmp_path) for a in args))
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(message.format(t=tmp_path))
    for wrong in ([], [str(PINNED), str(PINNED), str(PINNED)]):
        usage = run_module("immiche.spec_diff", *wrong)
        assert usage.returncode == 2 and "usage: python -m immiche.spec_diff" in usage.stderr


def test_with_one_document_it_starts_from_the_pinned_one() -> None:
    """``python -m immiche.spec_diff NEW``: from the document immich_client was generated from (in the wheel)."""
    result = run_module("immiche.spec_diff", str(V2))
    assert result.returncode == 0, result.stderr
    packaged = ROOT / "generated" / "immich_client" / "immich-openapi.json"
    assert result.stdout.splitlines()[0] == f"spec-diff: Immich 3.2.2 ({packaged}) -> Immich 2.4.1 ({V2})"
    assert packaged.read_bytes() == PINNED.read_bytes()


# -- the Makefile targets -------------------------------------------------------------------------


def make(*args: str) -> subprocess.CompletedProcess[str]:
    """``make -o install ...``: the targets depend on `install`, which the test run has done already."""
    return subprocess.run(
        ["make", "--no-print-directory", "-o", "install", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in ("SPEC", "OLD", "NEW", "MAKEFLAGS")},
        check=False,
        timeout=60,
    )


def test_make_compat_runs_the_check_and_needs_a_spec() -> None:
    result = make("compat", f"SPEC={V2}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("compat: OK: the facade fits the Immich 2.4.1 spec")
    missing = make("compat")
    assert missing.returncode == 2
    assert missing.stderr.splitlines()[0] == (
        "make compat: give the spec to check: make compat SPEC=path/to/immich-openapi.json"
    )


def test_make_compat_fails_when_the_facade_would_break(tmp_path: Path) -> None:
    document = spec(PINNED)
    del document["paths"]["/people"]
    result = make("compat", f"SPEC={write(tmp_path, document)}")
    assert result.returncode != 0
    assert "  BREAKS  operation getAllPeople: missing" in result.stdout


def test_make_spec_diff_runs_and_needs_both_specs() -> None:
    result = make("spec-diff", f"OLD={V1}", f"NEW={V2}")
    assert result.returncode == 0, result.stderr
    assert f"spec-diff: Immich 1.132.3 ({V1}) -> Immich 2.4.1 ({V2})" in result.stdout
    for args in ([f"OLD={V1}"], [f"NEW={V2}"], []):
        missing = make("spec-diff", *args)
        assert missing.returncode == 2
        assert missing.stderr.splitlines()[0] == (
            "make spec-diff: give both specs: make spec-diff OLD=old.json NEW=new.json"
        )
