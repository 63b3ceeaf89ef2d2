"""people apply input: CSV and JSON rows, line numbers, every problem at once, round trip of --json."""

from __future__ import annotations

import datetime
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immiche._applyfile import (
    ApplyProblem,
    ApplyRow,
    InvalidApplyFileError,
    detect_format,
    parse_apply_file,
)
from immiche.curation import PersonUpdate
from immiche.errors import InvalidArgumentError
from immiche.people import Person

A = "5174df3b-37a7-46b2-a6c6-5cee411fbdae"
B = "aaf5250a-c959-4e6e-9386-3ceaceb120e7"
ASSET = "00000000-0000-4000-8000-000000000000"
TODAY = datetime.date(2026, 11, 30)


def parse(text: str | bytes, **kwargs: object) -> object:
    return parse_apply_file(text, today=TODAY, **kwargs)  # type: ignore[arg-type]


def test_csv_with_ids_and_every_field() -> None:
    text = (
        "id,name,birth_date,is_hidden,is_favorite,color,feature_face_asset_id\n"
        f"{A},Anna Berg,1985-07-15,yes,0,#f00,{ASSET}\n"
        f"{B.upper()},,none,,TRUE,NONE,\n"
    )
    result = parse_apply_file(text, today=TODAY)
    assert result.ok and result.format == "csv"
    assert result.rows == (
        ApplyRow(
            2,
            "id",
            A,
            {
                "name": "Anna Berg",
                "birth_date": datetime.date(1985, 7, 15),
                "is_hidden": True,
                "is_favorite": False,
                "color": "#f00",
                "feature_face_asset_id": ASSET,
            },
        ),
        ApplyRow(3, "id", B, {"birth_date": None, "is_favorite": True, "color": None}),
    )
    assert result.rows[1].to_update() == PersonUpdate(B, birth_date=None, is_favorite=True, color=None)


def test_csv_by_name_needs_the_resolved_person() -> None:
    result = parse_apply_file("name,is_hidden\n  Anna  ,true\n", today=TODAY)
    assert result.rows == (ApplyRow(2, "name", "Anna", {"is_hidden": True}),)
    with pytest.raises(InvalidArgumentError, match="resolve the name 'Anna'"):
        result.rows[0].to_update()
    person = Person(A, "Anna", None, "", False)
    assert result.rows[0].to_update(person) == PersonUpdate(A, is_hidden=True)


def test_a_row_without_id_falls_back_to_its_name() -> None:
    result = parse_apply_file(f"id,name,color\n{A},New,#000\n,Anna,#fff\n", today=TODAY)
    assert [(row.by, row.selector, dict(row.changes)) for row in result.rows] == [
        ("id", A, {"name": "New", "color": "#000"}),
        ("name", "Anna", {"color": "#fff"}),
    ]


def test_csv_problems_are_all_reported_with_their_lines() -> None:
    text = (
        "id,name,birth_date,is_hidden,color\n"
        f"{A},x,1985-02-30,maybe,red\n"  # line 2: three problems
        ",,,true,\n"  # line 3: no selector
        f"{B},y,2099-01-01,,\n"  # line 4: future
        f"{A},z,,,\n"  # line 5: duplicate of line 2? line 2 failed, so the id is not yet seen
        f"{A},w,,,\n"  # line 6: duplicate of line 5
        "not-a-uuid,q,,,\n"  # line 7
        f"{B},1,2,3,4,5\n"  # line 8: too many cells
    )
    result = parse_apply_file(text, today=TODAY)
    found = {(problem.line, problem.field) for problem in result.problems}
    assert found == {
        (2, "is_hidden"),
        (3, "id"),
        (4, "birth_date"),
        (6, "id"),
        (7, "id"),
        (8, ""),
    }
    assert [row.line for row in result.rows] == [5]
    with pytest.raises(InvalidApplyFileError) as info:
        result.raise_for_problems()
    assert info.value.problems == result.problems and "line 2: is_hidden" in str(info.value)


def test_csv_cell_problems_of_one_row_are_all_reported() -> None:
    result = parse_apply_file(f"id,birth_date,color,is_favorite\n{A},1985-02-30,red,\n", today=TODAY)
    assert [(problem.line, problem.field) for problem in result.problems] == [(2, "birth_date"), (2, "color")]


@pytest.mark.parametrize(
    ("header", "field", "message"),
    [
        ("id,nickname", "nickname", "unknown key"),
        ("id,isHidden", "isHidden", "'is_hidden'"),
        ("id,name,name", "name", "twice"),
        ("birth_date,color", "", "'id' or a 'name' column"),
    ],
)
def test_bad_headers(header: str, field: str, message: str) -> None:
    result = parse_apply_file(f"{header}\n{A},x\n", today=TODAY)
    assert not result.rows
    assert any(problem.field == field and message in problem.message for problem in result.problems), result.problems


def test_header_names_are_forgiving_and_read_only_columns_ignored() -> None:
    text = f"ID;Birth Date;is-hidden;updated_at;thumbnail_path\n{A};1985-07-15;no;2026-01-01;/x.jpg\n"
    result = parse_apply_file(text, today=TODAY)
    assert result.ok
    assert result.rows[0].changes == {"birth_date": datetime.date(1985, 7, 15), "is_hidden": False}


def test_tab_separated_bom_crlf_blank_lines_and_quoted_newlines() -> None:
    text = "\ufeffid\tname\r\n\r\n" + f'{A}\t"two\nlines"\r\n' + f"{B}\tthird\r\n"
    result = parse_apply_file(text.encode("utf-8"), today=TODAY)
    assert result.ok
    assert [(row.line, row.changes["name"]) for row in result.rows] == [(3, "two\nlines"), (5, "third")]


def test_empty_input_and_header_only() -> None:
    assert parse_apply_file("", today=TODAY).problems == (ApplyProblem(None, "", "the input has no rows"),)
    assert not parse_apply_file("id,name\n", today=TODAY).ok


def test_not_utf8_and_broken_csv() -> None:
    assert "not UTF-8" in parse_apply_file(b"id\n\xff\xfe", today=TODAY).problems[0].message
    broken = parse_apply_file(f'id,name\n{A},"unterminated\n', today=TODAY)
    assert not broken.ok and "CSV" in broken.problems[0].message


def test_people_list_json_output_is_valid_input() -> None:
    people = [
        Person(A, "Anna", datetime.date(1985, 7, 15), "/a.jpg", False, True, "#ff0000", None),
        Person(B, "", None, "/b.jpg", True, None, None, None),
    ]
    listed = [person.to_dict() for person in people]
    listed[0]["updated_at"] = "2026-11-30T18:00:00.000Z"
    listed[1]["name"] = "Ben"
    result = parse_apply_file(json.dumps(listed, indent=2), today=TODAY)
    assert result.ok and result.format == "json"
    assert [row.line for row in result.rows] == [2, 12]
    updates = [row.to_update() for row in result.rows]
    assert updates[0].against(people[0]).changes == {}
    assert updates[1].against(people[1]).changes == {"name": "Ben"}


def test_json_problems_name_the_line_and_key() -> None:
    lines = [
        "[",
        f'  {{"id": "{A}", "isHidden": true}},',
        f'  {{"id": "{B}", "birth_date": "1985-02-30", "color": 5}},',
        "  3,",
        "  {}",
        "]",
    ]
    text = "\n".join(lines)
    result = parse_apply_file(text, today=TODAY)
    assert [(problem.line, problem.field) for problem in result.problems] == [
        (2, "isHidden"),
        (3, "birth_date"),
        (3, "color"),
        (4, ""),
        (5, "id"),
    ]


def test_json_wrapped_in_people_and_bad_shapes() -> None:
    wrapped = parse_apply_file(json.dumps({"people": [{"id": A, "is_hidden": True}]}), today=TODAY)
    assert wrapped.ok and wrapped.rows[0].changes == {"is_hidden": True}
    assert "list of person objects" in parse_apply_file('{"id": "x"}', today=TODAY).problems[0].message
    invalid = parse_apply_file('[{"id": }]', today=TODAY)
    assert invalid.problems[0].line == 1 and "not valid JSON" in invalid.problems[0].message


def test_json_booleans_are_strict_but_null_means_not_given() -> None:
    result = parse_apply_file(json.dumps([{"id": A, "is_hidden": "yes", "is_favorite": None}]), today=TODAY)
    assert [(problem.field, problem.message) for problem in result.problems] == [
        ("is_hidden", "must be true or false, not str")
    ]


def test_duplicate_names_are_compared_normalised() -> None:
    result = parse_apply_file("name,is_hidden\nZoë,true\nZOE\u0308,false\n", today=TODAY)
    assert [(problem.line, problem.field) for problem in result.problems] == [(3, "name")]


def test_format_detection_and_override() -> None:
    assert detect_format("  [") == "json" and detect_format("\ufeff{") == "json" and detect_format("id,") == "csv"
    forced = parse_apply_file('[{"id": 1}]', format="csv", today=TODAY)
    assert forced.format == "csv" and not forced.ok


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_any_text_gives_rows_or_problems_never_an_exception(text: str) -> None:
    result = parse_apply_file(text, today=TODAY)
    assert result.ok == (not result.problems)
    assert result.rows or result.problems


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.text(max_size=15), st.booleans(), st.one_of(st.none(), st.dates(max_value=TODAY))), max_size=8
    )
)
def test_json_listings_round_trip(items: list[tuple[str, bool, datetime.date | None]]) -> None:
    people = [
        Person(f"00000000-0000-4000-8000-{n:012d}", name, birth, "", hidden)
        for n, (name, hidden, birth) in enumerate(items)
    ]
    result = parse_apply_file(json.dumps([person.to_dict() for person in people]), today=TODAY)
    if not people:
        assert not result.ok
        return
    assert result.ok
    assert [row.to_update().against(person) for row, person in zip(result.rows, people, strict=True)] == [
        PersonUpdate(person.id) for person in people
    ]
