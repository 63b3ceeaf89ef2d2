"""Bulk splitting, merge requests and the answers of Immich's bulk, merge and statistics endpoints.

The answers are the recorded v2.4.1 / v3.1.0 bodies (file names in the comments).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immiche.curation import (
    DEFAULT_BATCH_SIZE,
    BulkItemResult,
    BulkResult,
    MergeError,
    MergeResult,
    PersonStatistics,
    PersonUpdate,
    batches,
    merge_request,
    split_bulk,
    to_request_json,
    verify_merge,
)
from immiche.errors import ImmichError, InvalidArgumentError, InvalidResponseError
from immiche.server import ServerVersion

B1 = "aaf5250a-c959-4e6e-9386-3ceaceb120e7"
B2 = "5122c3d1-6ab8-4e8a-aa4d-b1a7e1b30533"
UNKNOWN = "00000000-0000-4000-8000-000000000000"
TARGET = "5174df3b-37a7-46b2-a6c6-5cee411fbdae"


def caps(version: str):  # type: ignore[no-untyped-def]
    from immiche._capabilities import ServerCapabilities

    major, minor, patch = (int(part) for part in version.split("."))
    return ServerCapabilities.for_version(ServerVersion(major, minor, patch))


# -- bulk ----------------------------------------------------------------------------------------


def test_recorded_mixed_bulk_answer() -> None:  # people_updateAll_mixed (v2.4.1)
    answer = [
        {"id": B1, "success": True},
        {"id": B2, "success": True},
        {"id": UNKNOWN, "success": False, "error": "unknown"},
        {"id": "not-a-uuid", "success": False, "error": "unknown"},
    ]
    result = BulkResult.from_json(answer, [B1, B2, UNKNOWN, "not-a-uuid"])
    assert result.succeeded == [B1, B2]
    assert result.failed == {UNKNOWN: "unknown", "not-a-uuid": "unknown"}
    assert not result.ok and len(result) == 4
    assert result.items[2] == BulkItemResult(UNKNOWN, False, "unknown", None)


def test_v3_error_enum_and_error_message_are_read() -> None:
    answer = [
        {"id": B1, "success": False, "error": "validation", "errorMessage": "Birth date cannot be in the future"},
        {"id": B2, "success": True, "error": None, "extra": 1},
    ]
    result = BulkResult.from_json(answer)
    assert result.items[0].reason == "Birth date cannot be in the future"
    assert result.items[0].error == "validation"
    assert result.items[1] == BulkItemResult(B2, True, None, None) and result.items[1].reason is None


def test_a_failure_without_reason_still_has_one() -> None:
    assert BulkResult.from_json([{"id": B1, "success": False}]).failed == {B1: "failed (the server gave no reason)"}


def test_missing_answers_are_failures_and_duplicates_are_matched_in_order() -> None:
    # people_updateAll_duplicate_id: the same id twice gets two answers
    answer = [{"id": B1, "success": True}, {"id": B1.upper(), "success": False, "error": "unknown"}]
    result = BulkResult.from_json(answer, [B1, B1, B2])
    assert [item.success for item in result.items] == [True, False, False]
    assert result.items[2].reason == "the server did not report this item"


@pytest.mark.parametrize(
    "answer",
    [
        {"id": B1},
        None,
        [{"id": B1, "success": "true"}],
        [{"success": True}],
        [[B1, True]],
    ],
)
def test_malformed_bulk_answers(answer: object) -> None:
    with pytest.raises(InvalidResponseError):
        BulkResult.from_json(answer)


def test_an_answer_for_an_id_not_asked_is_invalid() -> None:
    with pytest.raises(InvalidResponseError, match="not requested"):
        BulkResult.from_json([{"id": UNKNOWN, "success": True}], [B1])


def test_concat_keeps_batch_order() -> None:
    first = BulkResult.from_json([{"id": B1, "success": True}])
    second = BulkResult.from_json([{"id": B2, "success": False, "error": "no_permission"}])
    both = BulkResult.concat([first, second])
    assert both.succeeded == [B1] and both.failed == {B2: "no_permission"}
    assert BulkResult().ok and len(BulkResult()) == 0


# -- splitting -------------------------------------------------------------------------------------


def test_split_bulk_moves_color_to_single_updates() -> None:  # people_updateAll_color_ignored
    updates = [
        PersonUpdate(B1, is_hidden=True, color="#f00"),
        PersonUpdate(B2, color=None),
        PersonUpdate(UNKNOWN, name="x"),
    ]
    bulk, single = split_bulk(updates)
    assert bulk == [PersonUpdate(B1, is_hidden=True), PersonUpdate(UNKNOWN, name="x")]
    assert single == [PersonUpdate(B1, color="#f00"), PersonUpdate(B2, color=None)]
    assert all("color" not in to_request_json(update, bulk=True) for update in bulk)


def test_split_bulk_keeps_empty_updates_in_the_bulk_part() -> None:
    assert split_bulk([PersonUpdate(B1)]) == ([PersonUpdate(B1)], [])


def test_default_batches_put_1000_people_in_two_requests() -> None:
    assert DEFAULT_BATCH_SIZE == 500
    sizes = [len(batch) for batch in batches(list(range(1000)))]
    assert sizes == [500, 500]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(), max_size=60), st.integers(min_value=1, max_value=20))
def test_batches_cover_everything_in_order_within_the_bound(items: list[int], size: int) -> None:
    chunks = list(batches(items, size))
    assert [item for chunk in chunks for item in chunk] == items
    assert all(1 <= len(chunk) <= size for chunk in chunks)


@pytest.mark.parametrize("size", [0, -1, 1.5, True])
def test_batch_size_must_be_a_positive_integer(size: object) -> None:
    with pytest.raises(InvalidArgumentError, match="batch size"):
        list(batches([1, 2], size))  # type: ignore[arg-type]


# -- merge -----------------------------------------------------------------------------------------


def test_merge_request_legacy_and_new_endpoint() -> None:
    assert merge_request(TARGET, [B1, B2.upper()], caps("2.4.1")) == (
        f"/people/{TARGET}/merge",
        {"ids": [B1, B2]},
        (B1, B2),
    )
    assert merge_request(TARGET, [B1], caps("3.2.1")) == ("/people/merge", {"ids": [TARGET, B1]}, (B1,))


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ([TARGET], "into themselves"),
        ([B1, TARGET.upper()], "into themselves"),
        ([], "nothing to merge"),
        ([B1, B1], "twice"),
        (["nope"], "is not a person id"),
    ],
)
def test_merge_request_refusals(sources: list[str], message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        merge_request(TARGET, sources, caps("2.4.1"))


def test_merge_refused_on_v3_2_0() -> None:
    with pytest.raises(InvalidArgumentError, match=r"3\.2\.0 cannot merge") as info:
        merge_request(TARGET, [B1], caps("3.2.0"))
    assert info.value.hint and "3.2.1" in info.value.hint


def test_verify_merge_success() -> None:  # people_merge_two_into_target
    answer = [{"id": B1, "success": True}, {"id": B2, "success": True}]
    assert verify_merge(TARGET, [B1, B2], answer) == MergeResult(TARGET, (B1, B2), {})


def test_verify_merge_ignores_the_target_reported_by_the_new_endpoint() -> None:
    answer = [{"id": TARGET, "success": True}, {"id": B1, "success": True}]
    assert verify_merge(TARGET, [B1], answer) == MergeResult(TARGET, (B1,), {}, ())


def test_verify_merge_reports_other_clusters_merged_too() -> None:
    answer = [{"id": B1, "success": True}, {"id": B2, "success": True}, {"id": UNKNOWN, "success": False}]
    assert verify_merge(TARGET, [B1], answer) == MergeResult(TARGET, (B1,), {}, (B2,))


def test_an_answer_about_the_target_only_merged_nothing() -> None:
    with pytest.raises(MergeError, match="nothing was merged"):
        verify_merge(TARGET, [B1], [{"id": TARGET, "success": True}])


def test_an_empty_merge_answer_is_an_error() -> None:  # v3.2.0: 200 [] and nothing merged
    with pytest.raises(MergeError, match="nothing was merged") as info:
        verify_merge(TARGET, [B1], [])
    assert isinstance(info.value, ImmichError) and info.value.result is None


def test_a_per_item_merge_failure_is_an_error_saying_what_was_merged() -> None:
    # people_merge_unknown_and_merged_away_ids
    answer = [{"id": B1, "success": True}, {"id": UNKNOWN, "success": False, "error": "no_permission"}]
    with pytest.raises(MergeError, match="1 of 2 people were not merged") as info:
        verify_merge(TARGET, [B1, UNKNOWN], answer)
    assert info.value.result == MergeResult(TARGET, (B1,), {UNKNOWN: "no_permission"})


def test_a_merge_answer_missing_a_source_is_an_error() -> None:
    with pytest.raises(MergeError) as info:
        verify_merge(TARGET, [B1, B2], [{"id": B1, "success": True}])
    assert info.value.result is not None and B2 in info.value.result.failed


def test_a_merge_answer_of_the_wrong_shape_is_invalid() -> None:
    with pytest.raises(InvalidResponseError):
        verify_merge(TARGET, [B1], {"merged": [B1]})


def test_empty_merge_of_nothing_is_fine() -> None:  # people_merge_empty_ids
    assert verify_merge(TARGET, [], []) == MergeResult(TARGET, (), {})


# -- statistics ------------------------------------------------------------------------------------


def test_statistics() -> None:  # people_merge_after_target_statistics
    assert PersonStatistics.from_json({"assets": 3}).assets == 3
    assert PersonStatistics.from_json({"assets": 0, "more": 1}) == PersonStatistics(0)


@pytest.mark.parametrize("data", [{}, {"assets": "3"}, {"assets": True}, {"assets": -1}, [3], None, {"assets": 3.0}])
def test_bad_statistics(data: object) -> None:
    with pytest.raises(InvalidResponseError, match="assets"):
        PersonStatistics.from_json(data)


def test_permissions_match_the_recorded_403s() -> None:
    from immiche.curation import PERMISSIONS

    # people_update_person_read_key, people_merge_person_read_key, people_delete_person_read_key,
    # people_reassign_person_read_key, faces_reassign_person_read_key, people_statistics_person_read_key
    assert PERMISSIONS["update_people"] == ("person.update",)
    assert PERMISSIONS["merge_people"] == ("person.merge",)
    assert PERMISSIONS["delete_people"] == ("person.delete",)
    assert PERMISSIONS["reassign_faces"] == ("person.reassign",)
    assert PERMISSIONS["reassign_face"] == ("face.update",)
    assert PERMISSIONS["fetch_person_statistics"] == ("person.statistics",)
