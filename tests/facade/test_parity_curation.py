"""People curation over a real socket against the fake Immich server, for BOTH clients and across versions.

Editing one person and many (batches, the colour the bulk endpoint ignores), merging with the
endpoint each version has (and refusing what would fail or lie), deleting all or nothing, moving
faces, statistics and asset counts, finding people by id or name, and the permission a 403 names.
"""

from __future__ import annotations

import datetime
import uuid

import pytest

import immiche
from immiche import errors
from immiche._ops import curation as curation_ops
from immiche.testing import FakeImmichServer
from tests.conftest import ServerFactory
from tests.facade._parity import Flavour, flavour_fixture

flavour = flavour_fixture()

VERSIONS = ["1.132.3", "2.4.1", "3.0.0", "3.2.2", "3.3.5"]


@pytest.fixture(params=["v2", "v3"])
def server(request: pytest.FixtureRequest, fake_immich: ServerFactory) -> FakeImmichServer:
    return fake_immich(version=request.param, people=40)


def _calls(server: FakeImmichServer, method: str, path: str) -> int:
    return sum(1 for r in server.requests if r.method == method and r.path == path)


def _writes(server: FakeImmichServer) -> int:
    return sum(1 for r in server.requests if r.method in ("PUT", "POST", "DELETE", "PATCH"))


def _named(server: FakeImmichServer) -> list[immiche.Person]:
    with immiche.Client(server.url, api_key=server.api_key) as client:
        return [p for p in client.fetch_people(with_hidden=True).people if p.name]


# -- update_person ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_update_person_sends_only_the_given_fields(flavour: Flavour, fake_immich: ServerFactory, version: str) -> None:
    server = fake_immich(version=version, people=10)
    person = _named(server)[0]
    with flavour.client(server.url, api_key=server.api_key) as client:
        renamed = client.update_person(person.id, name="Zoë Quinn")
        assert (renamed.id, renamed.name) == (person.id, "Zoë Quinn")
        assert (renamed.birth_date, renamed.is_hidden) == (person.birth_date, person.is_hidden)
        dated = client.update_person(renamed, birth_date=datetime.date(1985, 7, 15), is_favorite=True, color="#ff0000")
        assert (dated.name, dated.birth_date, dated.is_favorite, dated.color) == (
            "Zoë Quinn",
            datetime.date(1985, 7, 15),
            True,
            "#ff0000",
        )
        cleared = client.update_person(person.id, birth_date=None, is_hidden=True)
        assert (cleared.birth_date, cleared.is_hidden, cleared.name) == (None, True, "Zoë Quinn")
        assert client.update_person(person.id, birth_date="2001-02-03").birth_date == datetime.date(2001, 2, 3)
    fake = server.person(person.id)
    assert (fake.name, fake.birth_date, fake.is_hidden, fake.color) == (
        "Zoë Quinn",
        datetime.date(2001, 2, 3),
        True,
        "#ff0000",
    )


def test_update_person_checks_everything_before_sending(flavour: Flavour, server: FakeImmichServer) -> None:
    person = _named(server)[0]
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with flavour.client(server.url, api_key=server.api_key) as client:
        client.connect()
        writes = _writes(server)
        with pytest.raises(immiche.InvalidUpdateError) as caught:
            client.update_person(person.id, birth_date=tomorrow, color="red", is_hidden="yes")  # type: ignore[arg-type]
        assert {p.field for p in caught.value.problems} == {"birth_date", "color", "is_hidden"}
        with pytest.raises(immiche.InvalidUpdateError, match="2023-02-30"):
            client.update_person(person.id, birth_date="2023-02-30")
        with pytest.raises(immiche.InvalidArgumentError):
            client.update_person("not-an-id", name="x")
        assert _writes(server) == writes
    assert isinstance(caught.value, errors.InvalidArgumentError)


def test_update_person_of_an_unknown_id_is_not_found(flavour: Flavour, server: FakeImmichServer) -> None:
    with flavour.client(server.url, api_key=server.api_key) as client, pytest.raises(errors.NotFoundError) as caught:
        client.update_person(str(uuid.uuid4()), name="x")
    assert caught.value.permission == "person.update"


# -- update_people ------------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_update_people_in_one_request_with_colours_applied_one_by_one(
    flavour: Flavour, fake_immich: ServerFactory, version: str
) -> None:
    server = fake_immich(version=version, people=10)
    a, b, c = _named(server)[:3]
    changes = [
        immiche.PersonUpdate(a.id, name="Ann A", is_favorite=True),
        {"id": b.id, "is_hidden": True, "color": "#00ff00"},
        {"id": c.id, "color": "#0000ff", "thumbnail_path": "ignored", "assets": 3},
    ]
    with flavour.client(server.url, api_key=server.api_key) as client:
        client.connect()
        server.reset_counters()
        result = client.update_people(changes)
    assert result.ok and result.failed == {}
    assert result.succeeded == [a.id, b.id, c.id]
    assert [item.id for item in result.items] == [a.id, b.id, c.id]
    assert _calls(server, "PUT", "/api/people") == 1  # b and the name of a together
    assert _calls(server, "PUT", f"/api/people/{b.id}") == _calls(server, "PUT", f"/api/people/{c.id}") == 1
    assert _calls(server, "PUT", f"/api/people/{a.id}") == 0
    assert (server.person(a.id).name, server.person(a.id).is_favorite) == ("Ann A", True)
    assert (server.person(b.id).is_hidden, server.person(b.id).color) == (True, "#00ff00")
    assert server.person(c.id).color == "#0000ff"


def test_update_people_in_batches_keeps_the_input_order(flavour: Flavour, server: FakeImmichServer) -> None:
    people = _named(server)[:7]
    changes = [{"id": p.id, "name": f"Batch {i}"} for i, p in enumerate(people)]
    with flavour.client(server.url, api_key=server.api_key) as client:
        client.connect()
        server.reset_counters()
        result = client.update_people(changes, batch_size=3)
        with pytest.raises(immiche.InvalidArgumentError, match="batch size"):
            client.update_people(changes, batch_size=0)
    assert _calls(server, "PUT", "/api/people") == 3
    assert result.succeeded == [p.id for p in people]
    assert [server.person(p.id).name for p in people] == [f"Batch {i}" for i in range(7)]


def test_update_people_reports_every_problem_before_sending(flavour: Flavour, server: FakeImmichServer) -> None:
    person = _named(server)[0]
    changes = [
        {"id": person.id, "name": "fine"},
        {"id": "nope", "is_hidden": True},
        {"id": person.id, "birthDate": "1990-01-01"},
        {"name": "no id"},
        {"id": person.id, "birth_date": "1990-13-01", "color": "blue"},
    ]
    with flavour.client(server.url, api_key=server.api_key) as client:
        client.connect()
        writes = _writes(server)
        with pytest.raises(immiche.InvalidUpdateError) as caught:
            client.update_people(changes)
        assert _writes(server) == writes
    found = {(p.item, p.field) for p in caught.value.problems}
    assert found == {(1, "id"), (2, "birthDate"), (3, "id"), (4, "birth_date"), (4, "color")}
    assert "birth_date" in str(caught.value)


def test_update_people_reports_per_item_failures(flavour: Flavour, server: FakeImmichServer) -> None:
    a, b = _named(server)[:2]
    unknown = str(uuid.uuid4())
    changes = [{"id": a.id, "name": "Kept"}, {"id": unknown, "name": "Ghost"}, {"id": b.id, "color": "#123456"}]
    ghost_colour = {"id": str(uuid.uuid4()), "color": "#abcdef"}
    with flavour.client(server.url, api_key=server.api_key) as client:
        result = client.update_people([*changes, ghost_colour])
    assert result.succeeded == [a.id, b.id]
    assert list(result.failed) == [unknown, ghost_colour["id"]]
    assert result.failed[unknown]  # the server's reason
    assert "colour was not applied" in result.failed[ghost_colour["id"]]
    assert not result.ok and len(result) == 4
    assert server.person(a.id).name == "Kept"
    assert server.person(b.id).color == "#123456"


def test_update_people_with_nothing_sends_nothing(flavour: Flavour, server: FakeImmichServer) -> None:
    with flavour.client(server.url, api_key=server.api_key) as client:
        client.connect()
        writes = _writes(server)
        assert len(client.update_people([])) == 0
        assert _writes(server) == writes


# -- merge --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "path"),
    [
        ("1.132.3", "/api/people/{into}/merge"),
        ("2.4.1", "/api/people/{into}/merge"),
        ("3.1.0", "/api/people/{into}/merge"),
        ("3.2.2", "/api/people/merge"),
        ("3.3.5", "/api/people/merge"),
    ],
)
def test_merge_uses_the_endpoint_of_the_version(
    flavour: Flavour, fake_immich: ServerFactory, version: str, path: str
) -> None:
    server = fake_immich(version=version, people=12)
    into, one, two = _named(server)[:3]
    with flavour.client(server.url, api_key=server.api_key) as client:
        expected = client.fetch_asset_counts([into])
        client.connect()
        server.reset_counters()
        result = client.merge_people(into, [one.id, two])
        assert result.ok and result.into == into.id
        assert result.merged == (one.id, two.id)
        if not curation_ops.MERGE.has_endpoint():  # a client regenerated from an older spec (test_regen_compat)
            path = "/api/people/{into}/merge"  # the legacy endpoint, which v3.2.1+ still serves
        assert [r.path for r in server.requests if r.method == "POST"] == [path.format(into=into.id)]
        for gone in (one, two):
            with pytest.raises(errors.NotFoundError):
                client.fetch_person(gone.id)
        assert client.fetch_person_statistics(into).assets >= expected[into.id]


def test_merge_is_refused_before_any_request(flavour: Flavour, fake_immich: ServerFactory) -> None:
    server = fake_immich(version="3.2.2", people=6)
    into, other = _named(server)[:2]
    with flavour.client(server.url, api_key=server.api_key) as client:
        client.connect()
        writes = _writes(server)
        with pytest.raises(immiche.InvalidArgumentError, match="into themselves"):
            client.merge_people(into, [other, into.id.upper()])
        with pytest.raises(immiche.InvalidArgumentError, match="nothing to merge"):
            client.merge_people(into, [])
        with pytest.raises(immiche.InvalidArgumentError, match="twice"):
            client.merge_people(into, [other, other.id])
        assert _writes(server) == writes


def test_merge_on_v3_2_0_is_refused_rather_than_reported_as_done(flavour: Flavour, fake_immich: ServerFactory) -> None:
    server = fake_immich(version="3.2.0", people=6)
    into, other = _named(server)[:2]
    with flavour.client(server.url, api_key=server.api_key) as client:
        with pytest.raises(immiche.InvalidArgumentError, match=r"3\.2\.0 cannot merge"):
            client.merge_people(into, [other])
        assert _writes(server) == 0


def test_a_merge_answered_with_nothing_is_an_error(flavour: Flavour, fake_immich: ServerFactory) -> None:
    """A server behaving like v3.2.0 (``200 []``, nothing merged) while reporting another version."""
    server = fake_immich(version="3.2.0", server_version=(3, 1, 0), people=6)
    into, other = _named(server)[:2]
    with flavour.client(server.url, api_key=server.api_key) as client:
        with pytest.raises(immiche.MergeError, match="nothing was merged"):
            client.merge_people(into, [other])
        assert client.fetch_person(other.id).id == other.id  # still there
    assert _calls(server, "POST", f"/api/people/{into.id}/merge") == 1  # never retried


def test_a_partial_merge_is_an_error_that_says_what_was_merged(flavour: Flavour, server: FakeImmichServer) -> None:
    into, other = _named(server)[:2]
    unknown = str(uuid.uuid4())
    with flavour.client(server.url, api_key=server.api_key) as client:
        with pytest.raises(immiche.MergeError) as caught:
            client.merge_people(into.id, [other.id, unknown])
    result = caught.value.result
    assert result is not None
    assert result.merged == (other.id,)
    assert list(result.failed) == [unknown]
    assert isinstance(caught.value, errors.ImmichError)


# -- delete, faces, statistics --------------------------------------------------------------------


def test_delete_people_all_or_nothing(flavour: Flavour, server: FakeImmichServer) -> None:
    a, b, c = _named(server)[:3]
    with flavour.client(server.url, api_key=server.api_key) as client:
        assert client.delete_people([a.id, b, a.id.upper()]) == 2
        for gone in (a, b):
            with pytest.raises(errors.NotFoundError):
                client.fetch_person(gone.id)
        with pytest.raises(errors.NotFoundError) as caught:
            client.delete_people([c.id, str(uuid.uuid4())])
        assert caught.value.permission == "person.delete"
        assert client.fetch_person(c.id).id == c.id  # nothing deleted
        assert client.delete_people([]) == 0
        with pytest.raises(immiche.InvalidArgumentError):
            client.delete_people(c.id)  # type: ignore[arg-type]


def test_reassign_faces_and_one_face(flavour: Flavour, server: FakeImmichServer) -> None:
    people = [p for p in _named(server) if len(server.faces_of(p.id)) >= 2]
    source, target = people[:2]
    first, second = server.faces_of(source.id)[:2]
    with flavour.client(server.url, api_key=server.api_key) as client:
        moved = client.reassign_face(first.id, target)
        assert moved.id == target.id
        assert server.faces_of(source.id)[0].id != first.id
        assert first.id in [f.id for f in server.faces_of(target.id)]
        assert client.reassign_faces(target.id, [(second.asset_id, source)]) == 1
        assert second.id in [f.id for f in server.faces_of(target.id)]
        assert client.reassign_faces(target, []) == 0
        with pytest.raises(immiche.InvalidArgumentError):
            client.reassign_faces(target, [second.asset_id])  # type: ignore[list-item]
        with pytest.raises(errors.NotFoundError):
            client.reassign_face(str(uuid.uuid4()), target)


def test_statistics_and_asset_counts(flavour: Flavour, server: FakeImmichServer) -> None:
    people = _named(server)[:12]
    with flavour.client(server.url, api_key=server.api_key) as client:
        singles = {p.id: client.fetch_person_statistics(p).assets for p in people}
        counts = client.fetch_asset_counts([*people, people[0].id], concurrency=4)
        assert counts == singles
        assert list(counts) == [p.id for p in people]
        assert client.fetch_asset_counts([]) == {}
        with pytest.raises(immiche.InvalidArgumentError, match="concurrency"):
            client.fetch_asset_counts(people, concurrency=0)
        with pytest.raises(errors.NotFoundError):
            client.fetch_asset_counts([people[0], str(uuid.uuid4())])
    assert counts == {p.id: len({face.asset_id for face in server.faces_of(p.id)}) for p in people}
    assert max(counts.values()) > 1


# -- find_person ----------------------------------------------------------------------------------


def test_find_person_by_id_and_exact_name(flavour: Flavour, server: FakeImmichServer) -> None:
    a, b, c = _named(server)[:3]
    with flavour.client(server.url, api_key=server.api_key) as client:
        client.update_people([{"id": a.id, "name": "Émile Zola"}, {"id": b.id, "name": "Anna"}])
        client.update_people([{"id": c.id, "name": "anna", "is_hidden": True}])
        assert client.find_person(a.id).name == "Émile Zola"
        assert client.find_person(a.id.upper()).id == a.id
        assert client.find_person("  ÉMILE zola ").id == a.id
        assert client.find_person("E\u0301mile Zola").id == a.id  # decomposed accent
        assert client.find_person(a) is a
        with pytest.raises(immiche.AmbiguousPersonError) as caught:
            client.find_person("ANNA")
        assert {p.id for p in caught.value.candidates} == {b.id, c.id}
        assert b.id in str(caught.value) and c.id in str(caught.value)
        assert client.find_person("Anna", with_hidden=False).id == b.id
        with pytest.raises(immiche.PersonNotFoundError) as missing:
            client.find_person("Zola")
        assert isinstance(missing.value, errors.NotFoundError)
        assert "Émile Zola" in (missing.value.hint or "")
        with pytest.raises(immiche.PersonNotFoundError):
            client.find_person(str(uuid.uuid4()))
        with pytest.raises(immiche.InvalidArgumentError):
            client.find_person("  ")


# -- find_people ----------------------------------------------------------------------------------


def _reads(server: FakeImmichServer) -> tuple[int, list[str]]:
    """(people listings, single-person reads) since the last reset."""
    gets = [r.path for r in server.requests if r.method == "GET" and r.path.startswith("/api/people")]
    singles = [path.rsplit("/", 1)[1] for path in gets if path.count("/") == 3]
    return gets.count("/api/people"), singles


def test_find_people_mixes_ids_names_and_persons_with_one_listing(flavour: Flavour, server: FakeImmichServer) -> None:
    a, b, c, d = _named(server)[:4]
    with flavour.client(server.url, api_key=server.api_key) as client:
        client.update_people([{"id": b.id, "name": "Émile Zola"}, {"id": c.id, "name": "Anna", "is_hidden": True}])
        server.reset_counters()
        found = client.find_people([a.id.upper(), " émile ZOLA ", d, "anna", b.id, a.id, "E\u0301mile Zola"])
        assert [p.id for p in found] == [a.id, b.id, d.id, c.id]  # input order, each person once
        assert found[2] is d and found[1].name == "Émile Zola"
        assert _reads(server) == (1, [])  # ONE listing, the ids taken from it
        server.reset_counters()
        by_id = client.find_people([a.id, d, c.id])
        assert [p.id for p in by_id] == [a.id, d.id, c.id]
        assert by_id[2].is_hidden
        assert _reads(server) == (0, [a.id, c.id])  # no name: no listing, the ids fetched
        many = _named(server)[: curation_ops.LISTING_AFTER + 1]
        server.reset_counters()
        assert [p.id for p in client.find_people([p.id for p in many])] == [p.id for p in many]
        assert _reads(server) == (1, [])  # more ids than LISTING_AFTER: one listing instead
        server.reset_counters()
        assert client.find_people([]) == []
        assert client.find_people(iter([d])) == [d]
        assert _reads(server) == (0, [])
        with pytest.raises(immiche.PersonNotFoundError):
            client.find_people(["anna"], with_hidden=False)  # the hidden Anna is not listed
        assert [p.id for p in client.find_people([c.id], with_hidden=False)] == [c.id]  # an id still finds her
        assert [p.id for p in client.find_people(["Anna"])] == [client.find_person("anna").id] == [c.id]


def test_find_people_failures(flavour: Flavour, server: FakeImmichServer) -> None:
    a, b, c = _named(server)[:3]
    unknown = str(uuid.uuid4())
    with flavour.client(server.url, api_key=server.api_key) as client:
        client.update_people([{"id": b.id, "name": "Anna"}, {"id": c.id, "name": "ANNA "}])
        with pytest.raises(immiche.AmbiguousPersonError) as ambiguous:
            client.find_people([a.id, "anna"])
        assert {p.id for p in ambiguous.value.candidates} == {b.id, c.id}
        assert b.id in str(ambiguous.value) and c.id in str(ambiguous.value)
        with pytest.raises(immiche.PersonNotFoundError) as nobody:
            client.find_people([a, "Nobody", unknown])  # the first failure in input order
        assert nobody.value.query == "Nobody"
        with pytest.raises(immiche.PersonNotFoundError) as missing:
            client.find_people([a.id, unknown, "Nobody"])
        assert missing.value.query == unknown
        assert isinstance(missing.value, errors.NotFoundError) and missing.value.status_code == 404
        server.reset_counters()
        for bad in ([a.id, "  "], "Anna", a, [a.id, 42], None):
            with pytest.raises(immiche.InvalidArgumentError):
                client.find_people(bad)
        assert server.requests == []  # refused before any request


# -- permissions ----------------------------------------------------------------------------------


def test_a_403_names_the_missing_permission(flavour: Flavour, server: FakeImmichServer) -> None:
    a, b = _named(server)[:2]
    key = server.api_keys["person.read"]
    with flavour.client(server.url, api_key=key) as client:
        assert client.find_person(a.id).id == a.id  # person.read is enough
        calls = {
            "person.update": lambda: client.update_person(a, name="x"),
            "person.merge": lambda: client.merge_people(a, [b]),
            "person.delete": lambda: client.delete_people([b]),
            "person.statistics": lambda: client.fetch_person_statistics(a),
            "person.reassign": lambda: client.reassign_faces(a, [(str(uuid.uuid4()), b)]),
            "face.update": lambda: client.reassign_face(str(uuid.uuid4()), a),
        }
        for permission, call in calls.items():
            with pytest.raises(errors.PermissionDeniedError) as caught:
                call()
            assert caught.value.permission == permission
            assert permission in str(caught.value)
        with pytest.raises(errors.PermissionDeniedError):
            client.update_people([{"id": a.id, "name": "x"}])
        with pytest.raises(errors.PermissionDeniedError):
            client.fetch_asset_counts([a, b])
    assert server.person(a.id).name == a.name


# -- documentation ----------------------------------------------------------------------------------


def test_the_documented_permissions_are_the_permissions_table() -> None:
    """docs/permissions.md's "Curating people" table names each method with curation.PERMISSIONS'
    permissions (tests/docs/test_permissions.py checks the same table against the Immich document)."""
    import re

    from immiche._methods._async.curation import AsyncCurationMethods
    from immiche.curation import PERMISSIONS
    from tests.conftest import ROOT

    text = (ROOT / "docs" / "permissions.md").read_text(encoding="utf-8")
    section = text.split("## Curating people", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip().strip("|").split("|") for line in section.splitlines() if line.startswith("| `")]
    documented: dict[str, set[str]] = {}
    for row in rows:
        for name in re.findall(r"`(\w+)\(\)`", row[0]):
            documented.setdefault(name, set()).update(re.findall(r"`([\w.]+)`", row[-1]))
    assert documented == {name: set(permissions) for name, permissions in PERMISSIONS.items()}
    methods = {name for name in vars(AsyncCurationMethods) if not name.startswith("_")}
    assert methods == set(PERMISSIONS)
