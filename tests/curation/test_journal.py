"""The undo journal: append-only JSON lines, 0600 in 0700, torn lines tolerated, undo plans."""

from __future__ import annotations

import datetime
import json
import os
import stat
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from immiche.curation import PersonUpdate
from immiche.errors import InvalidArgumentError, SessionError
from immiche.journal import (
    JOURNAL_NAME,
    ChangeSet,
    Journal,
    JournalError,
    PersonChange,
    RemovedPerson,
    undo_plan,
)
from immiche.people import Person

A = "5174df3b-37a7-46b2-a6c6-5cee411fbdae"
B = "aaf5250a-c959-4e6e-9386-3ceaceb120e7"
C = "5122c3d1-6ab8-4e8a-aa4d-b1a7e1b30533"
ANNA = Person(A, "Anna", datetime.date(1985, 7, 15), "/a.jpg", False, True, "#ff0000", None)
BEN = Person(B, "", None, "/b.jpg", True, None, None, None)
CARL = Person(C, "Carl", None, "/c.jpg", False, False, None, None)
SECRET = "kR2f7yQ0bT9mW4xZpL6sVn3cHd8jEa1b2"


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    return Journal.in_directory(tmp_path / "profiles" / "default")


def edit_set() -> ChangeSet:
    updates = [
        PersonUpdate(A, name="Anna Berg", birth_date=None, color="#00f"),
        PersonUpdate(B, is_hidden=False, is_favorite=True),
    ]
    return ChangeSet.for_updates("people apply", updates, [ANNA, BEN])


def test_record_creates_a_0600_file_in_a_0700_directory(journal: Journal) -> None:
    old = os.umask(0o022)
    try:
        change_id = journal.record(edit_set())
    finally:
        os.umask(old)
    assert journal.path.name == JOURNAL_NAME
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(journal.path.parent.stat().st_mode) == 0o700
    lines = journal.path.read_bytes().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["id"] == change_id


def test_a_looser_existing_file_is_tightened(journal: Journal) -> None:
    journal.path.parent.mkdir(parents=True)
    journal.path.write_text("")
    journal.path.chmod(0o644)
    journal.record(edit_set())
    assert stat.S_IMODE(journal.path.stat().st_mode) == 0o600


def test_previous_values_are_recorded_for_the_touched_fields_only(journal: Journal) -> None:
    change_id = journal.record(edit_set())
    entry = journal.last()
    assert entry is not None and entry.id == change_id and entry.command == "people apply"
    assert entry.changes == (
        PersonChange(
            A,
            {"name": "Anna", "birth_date": "1985-07-15", "color": "#ff0000"},
            {"name": "Anna Berg", "birth_date": None, "color": "#00f"},
        ),
        PersonChange(B, {"is_hidden": True, "is_favorite": None}, {"is_hidden": False, "is_favorite": True}),
    )
    assert entry.recorded_at is not None and entry.recorded_at.tzinfo is not None


def test_undo_plan_restores_what_the_api_can_set() -> None:
    plan = undo_plan(edit_set())
    assert plan.updates == (
        PersonUpdate(A, name="Anna", birth_date="1985-07-15", color="#ff0000"),
        PersonUpdate(B, is_hidden=True),
    )
    assert plan.skipped == ((B, "is_favorite", "the server did not report its previous value"),)
    assert not plan.fully_reversible


def test_undo_plan_restores_hidden_when_it_is_known() -> None:
    change_set = ChangeSet.for_updates("people edit", [PersonUpdate(C, is_hidden=True, is_favorite=True)], [CARL])
    plan = Journal.undo_plan(change_set)
    assert plan.updates == (PersonUpdate(C, is_hidden=False, is_favorite=False),)
    assert plan.fully_reversible


def test_feature_face_and_unknown_people_cannot_be_reverted() -> None:
    asset = "00000000-0000-4000-8000-000000000000"
    updates = [PersonUpdate(C, feature_face_asset_id=asset), PersonUpdate(A, name="x")]
    plan = undo_plan(ChangeSet.for_updates("people edit", updates, {C: CARL}))
    assert plan.updates == ()
    assert {(person_id, name) for person_id, name, _ in plan.skipped} == {(C, "feature_face_asset_id"), (A, "name")}


def test_merge_and_delete_keep_full_records_and_are_irreversible(journal: Journal) -> None:
    journal.record(ChangeSet.for_merge("people merge", ANNA, [BEN, CARL]))
    merge = journal.last()
    assert merge is not None
    assert [removed.record for removed in merge.removed] == [BEN.to_dict(), CARL.to_dict()]
    assert {removed.into for removed in merge.removed} == {A}
    plan = undo_plan(merge)
    assert plan.updates == () and plan.irreversible == merge.removed and not plan.fully_reversible
    journal.record(ChangeSet.for_delete("people delete", [CARL], {C: 7}))
    delete = journal.last()
    assert delete is not None
    assert delete.removed == (RemovedPerson({**CARL.to_dict(), "assets": 7}, "deleted", None),)
    assert undo_plan(delete).irreversible[0].person_id == C


def test_conflicts_show_later_edits() -> None:
    plan = undo_plan(edit_set())
    now = ANNA._replace(name="Anna Berg", birth_date=None, color="#00f")
    ben = BEN._replace(is_hidden=False, is_favorite=True)
    assert plan.conflicts([now, ben]) == []
    assert plan.conflicts([now._replace(name="Someone else"), ben]) == [(A, "name", "Anna Berg", "Someone else")]
    assert plan.conflicts([ben]) == [(A, "*", None, None)]


def test_last_skips_undone_sets_and_markers_never_rewrite(journal: Journal) -> None:
    first = journal.record(edit_set())
    second = journal.record(ChangeSet.for_delete("people delete", [CARL]))
    before = journal.path.read_bytes()
    journal.mark_undone(second)
    after = journal.path.read_bytes()
    assert after.startswith(before) and after.count(b"\n") == 3
    assert journal.last() is not None and journal.last().id == first  # type: ignore[union-attr]
    newest = journal.last(undone=True)
    assert newest is not None and newest.id == second and newest.undone
    journal.mark_undone(first)
    assert journal.last() is None
    assert [entry.undone for entry in journal.entries()] == [True, True]
    assert journal.get(first) is not None and journal.get("nope") is None


def test_marking_an_unknown_id_is_an_error(journal: Journal) -> None:
    journal.record(edit_set())
    with pytest.raises(InvalidArgumentError, match="no change set"):
        journal.mark_undone("0" * 32)


def test_missing_journal_is_empty(journal: Journal) -> None:
    assert journal.entries() == [] and journal.last() is None


def test_a_torn_last_line_is_ignored_and_the_next_append_starts_fresh(journal: Journal) -> None:
    first = journal.record(edit_set())
    with open(journal.path, "ab") as stream:
        stream.write(b'{"v":1,"type":"changes","id":"torn","comm')  # a crash mid-write
    assert [entry.id for entry in journal.entries()] == [first] and journal.skipped_lines == 1
    second = journal.record(ChangeSet.for_delete("people delete", [CARL]))
    assert [entry.id for entry in journal.entries()] == [first, second]
    assert journal.skipped_lines == 1


def test_damaged_and_unknown_lines_are_skipped(journal: Journal) -> None:
    first = journal.record(edit_set())
    with open(journal.path, "ab") as stream:
        stream.write(b"garbage\n[1,2]\n" + json.dumps({"v": 2, "type": "changes", "id": "x"}).encode() + b"\n")
        stream.write(json.dumps({"v": 1, "type": "changes"}).encode() + b"\n\n")
    assert [entry.id for entry in journal.entries()] == [first]
    assert journal.skipped_lines == 4


def test_no_secret_and_no_server_url_in_the_journal(journal: Journal) -> None:
    journal.record(edit_set())
    journal.record(ChangeSet.for_merge("people merge", ANNA, [BEN]))
    text = journal.path.read_text()
    assert SECRET not in text and "http" not in text
    for line in text.splitlines():
        assert set(json.loads(line)) == {"v", "type", "id", "at", "command", "changes", "removed"}


def test_concurrent_writers_never_interleave(journal: Journal) -> None:
    ids: list[str] = []
    lock = threading.Lock()

    def write() -> None:
        for _ in range(20):
            change_id = journal.record(edit_set())
            with lock:
                ids.append(change_id)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(entry.id for entry in journal.entries()) == sorted(ids) and len(ids) == 80
    assert journal.skipped_lines == 0


def test_an_unwritable_directory_is_a_journal_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    journal = Journal.in_directory(blocker / "profile")
    with pytest.raises(JournalError, match="cannot write the undo journal") as info:
        journal.record(edit_set())
    assert isinstance(info.value, SessionError) and info.value.hint


def test_a_symlinked_journal_is_not_followed(journal: Journal, tmp_path: Path) -> None:
    journal.path.parent.mkdir(parents=True)
    target = tmp_path / "elsewhere"
    target.write_text("")
    journal.path.symlink_to(target)
    with pytest.raises(JournalError):
        journal.record(edit_set())
    assert target.read_text() == ""


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.integers(min_value=1, max_value=5), st.data())
def test_a_write_cut_anywhere_leaves_a_consistent_journal(tmp_path: Path, count: int, data: st.DataObject) -> None:
    journal = Journal(Path(tempfile.mkdtemp(dir=tmp_path)) / JOURNAL_NAME)  # fresh for each example
    ids = [journal.record(edit_set()) for _ in range(count)]
    content = journal.path.read_bytes()
    cut = len(content) * data.draw(st.integers(min_value=0, max_value=1000)) // 1000
    journal.path.write_bytes(content[:cut])  # a crash in the middle of the last writes
    complete = content[:cut].count(b"\n")
    survivors = [entry.id for entry in journal.entries()]
    assert survivors == ids[: len(survivors)] and complete <= len(survivors) <= complete + 1
    newest = journal.record(ChangeSet.for_delete("people delete", [CARL]))
    assert [entry.id for entry in journal.entries()] == [*survivors, newest]
    last = journal.last()
    assert last is not None and last.id == newest


@pytest.mark.parametrize("command", ["", "people edit --api-key " + SECRET, "People", 5])
def test_only_plain_command_names_are_recorded(journal: Journal, command: object) -> None:
    with pytest.raises(InvalidArgumentError, match="command name") as info:
        journal.record(ChangeSet(command))  # type: ignore[arg-type]
    assert SECRET not in str(info.value)
    assert not journal.path.exists()
