"""The fake's generations: one ``version`` decides every difference between Immich releases.

Every server here is started through ``server_factory``, so each answer is also validated against
the release document of its version at teardown (v3.3: v3.2.2 plus the 3.3 person fields).
"""

from __future__ import annotations

import pytest

from immiche.testing import FakeImmichServer, Mode
from tests.testing.conftest import ServerFactory, client_for

UNKNOWN = "00000000-0000-4000-8000-000000000000"
PERSON_KEYS = {"id", "name", "birthDate", "thumbnailPath", "isHidden", "isFavorite", "updatedAt"}
SHARING_KEYS = {"sharedBy", "sharedWith", "otherPeople"}


def _id(server: FakeImmichServer, name: str) -> str:
    return next(p.id for p in server.people if p.name == name)


# -- the version setting ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "name", "dialect"),
    [
        ("1.132.3", "1.132.3", "v2"),
        ("v1", "1.132.3", "v2"),
        ("v2", "2.4.1", "v2"),
        ("v2.4.1", "2.4.1", "v2"),
        ("v3", "3.0.0", "v3"),
        ("3.1.0", "3.1.0", "v3"),
        ("3.2.0", "3.2.0", "v3"),
        ("v3.2", "3.2.2", "v3"),
        ("v3.3", "3.3.5", "v3"),
    ],
)
def test_version_and_aliases(given: str, name: str, dialect: str) -> None:
    server = FakeImmichServer(version=given)
    assert (server.version, server.dialect, server.mode) == (name, dialect, Mode.parse(name))
    assert repr(server) == f"<FakeImmichServer {name} not running>"


@pytest.mark.parametrize("bad", ["4", "v2.4", "1.131.0", "latest", ""])
def test_unsupported_versions_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match=r"version|1\.132"):
        FakeImmichServer(version=bad)


def test_generations_are_ordered_and_each_has_its_own_behaviour() -> None:
    modes = [Mode.parse(name) for name in FakeImmichServer.GENERATIONS]
    assert [m.version for m in modes] == sorted(m.version for m in modes)
    flags = [
        (
            m.dialect,
            m.login_is_onboarded,
            m.version_prerelease,
            m.thumbnail_access_404,
            m.people_merge,
            m.person_sharing,
        )
        for m in modes
    ]
    assert len(set(flags)) == len(modes)  # no two generations behave alike


# -- server and auth answers -----------------------------------------------------------------


@pytest.mark.parametrize("version", FakeImmichServer.GENERATIONS)
def test_server_version_login_and_users_me_by_generation(server_factory: ServerFactory, version: str) -> None:
    server = server_factory(version=version)
    mode = server.mode
    with client_for(server) as api:
        version_body = api.get("/server/version").json()
        about = api.get("/server/about").json()
        login = api.post("/auth/login", json={"email": server.user.email, "password": server.user.password})
        me = api.get("/users/me").json()
    assert [version_body[k] for k in ("major", "minor", "patch")] == list(mode.version)
    assert ("prerelease" in version_body) is (mode.version >= (3, 0, 0))
    assert about["version"] == f"v{version}"
    assert ("sourceCommit" in about) is (mode.version >= (3, 1, 0))
    assert login.status_code == 201
    assert ("isOnboarded" in login.json()) is (mode.version >= (1, 135, 0))
    assert ("clusterGroupId" in me) is (mode.version >= (3, 2, 0))


@pytest.mark.parametrize("version", FakeImmichServer.GENERATIONS)
def test_error_dialect_and_correlation_header(server_factory: ServerFactory, version: str) -> None:
    server = server_factory(version=version)
    with client_for(server, credential=None) as anonymous:
        reply = anonymous.get("/people")
    assert reply.status_code == 401
    body = reply.json()
    if server.mode.version < (3, 0, 0):
        assert body["statusCode"] == 401 and body["error"] == "Unauthorized"
        assert reply.headers["x-immich-cid"] == body["correlationId"]
    else:
        assert body == {"message": "Authentication required"}
        assert len(reply.headers["x-correlation-id"]) == 8
        assert "x-immich-cid" not in reply.headers


# -- people ----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", FakeImmichServer.GENERATIONS)
def test_person_fields_by_generation(server_factory: ServerFactory, version: str) -> None:
    server = server_factory(version=version)
    with client_for(server) as api:
        listed = api.get("/people", params={"withHidden": "true"}).json()["people"]
        one = api.get(f"/people/{_id(server, 'Ann')}").json()
        found = api.get("/search/person", params={"name": "Ann"}).json()
    expected = PERSON_KEYS | (SHARING_KEYS if server.mode.person_sharing else set())
    for person in [*listed, one, *found]:
        assert set(person) - {"color"} == expected
        if server.mode.person_sharing:
            assert (person["sharedBy"], person["sharedWith"], person["otherPeople"]) == ([], [], [])


@pytest.mark.parametrize(("version", "status"), [("2.4.1", 400), ("3.0.0", 400), ("3.1.0", 404), ("3.3.5", 404)])
def test_unknown_person_thumbnail_status(server_factory: ServerFactory, version: str, status: int) -> None:
    server = server_factory(version=version)
    with client_for(server) as api:
        reply = api.get(f"/people/{UNKNOWN}/thumbnail")
        person = api.get(f"/people/{UNKNOWN}")
    assert reply.status_code == status
    assert reply.headers["cache-control"] == "none"
    assert person.status_code == 400  # GET /people/{id} stays a 400 in every version


@pytest.mark.parametrize(("version", "status"), [("2.4.1", 400), ("3.0.0", 400), ("3.1.0", 200)])
def test_empty_search_name(server_factory: ServerFactory, version: str, status: int) -> None:
    server = server_factory(version=version)
    with client_for(server) as api:
        reply = api.get("/search/person", params={"name": ""})
    assert reply.status_code == status
    if status == 200:
        assert reply.json() == []


def test_v3_3_people_filters(server_factory: ServerFactory) -> None:
    server = server_factory(version="3.3.5")
    with client_for(server) as api:

        def names(**params: str) -> list[str]:
            reply = api.get("/people", params=params)
            assert reply.status_code == 200, reply.text
            return [p["name"] for p in reply.json()["people"]]

        assert names(isFavorite="true") == [p.name for p in server.people if p.is_favorite and not p.is_hidden]
        assert names(isHidden="true") == [p.name for p in server.people if p.is_hidden]
        assert names(name="ann") == ["Ann", "Anna", "Carol Anne"]
        assert names(name="ann", isFavorite="false", withHidden="true") == ["Ann", "Anna", "Carol Anne"]
        assert api.get("/people", params={"isFavorite": "yes"}).status_code == 400


def test_older_servers_ignore_the_v3_3_filters(server_factory: ServerFactory) -> None:
    server = server_factory(version="3.1.0")  # strips unknown query parameters, as recorded
    with client_for(server) as api:
        everyone = api.get("/people").json()["people"]
        filtered = api.get("/people", params={"isFavorite": "true", "name": "ann"}).json()["people"]
    assert filtered == everyone


# -- merge -----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2.4.1", "3.1.0", "3.2.1", "3.3.5"])
def test_legacy_merge(server_factory: ServerFactory, version: str) -> None:
    server = server_factory(version=version)
    ann, anna, bob = _id(server, "Ann"), _id(server, "Anna"), _id(server, "Bob")
    assets = len({f.asset_id for f in server.faces_of(ann)} | {f.asset_id for f in server.faces_of(anna)})
    with client_for(server) as api:
        reply = api.post(f"/people/{ann}/merge", json={"ids": [anna, UNKNOWN]})
        assert reply.status_code == 200
        assert reply.json() == [
            {"id": anna, "success": True},
            {"id": UNKNOWN, "success": False, "error": "no_permission"},
        ]
        assert api.get(f"/people/{anna}").status_code == 400
        assert api.get(f"/people/{ann}/statistics").json() == {"assets": assets}  # distinct
        into_self = api.post(f"/people/{bob}/merge", json={"ids": [bob]})
        assert into_self.status_code == 400
        assert into_self.json()["message"] == "Cannot merge a person into themselves"
        assert api.post(f"/people/{bob}/merge", json={"ids": ["not-a-uuid"]}).status_code == 400
        assert api.post(f"/people/{UNKNOWN}/merge", json={"ids": [bob]}).status_code == 400
    with client_for(server, credential="person.read") as reader:
        assert reader.post(f"/people/{bob}/merge", json={"ids": [ann]}).status_code == 403
    assert anna not in [p.id for p in server.people]


def test_v3_2_0_merge_answers_an_empty_list_and_merges_nothing(server_factory: ServerFactory) -> None:
    server = server_factory(version="3.2.0")
    ann, anna = _id(server, "Ann"), _id(server, "Anna")
    with client_for(server) as api:
        reply = api.post(f"/people/{ann}/merge", json={"ids": [anna]})
        assert (reply.status_code, reply.json()) == (200, [])
        assert api.get(f"/people/{anna}").status_code == 200
        assert api.post("/people/merge", json={"ids": [ann, anna]}).status_code == 404


@pytest.mark.parametrize("version", ["3.2.1", "3.3.5"])
def test_people_merge(server_factory: ServerFactory, version: str) -> None:
    server = server_factory(version=version)
    unnamed = next(p for p in server.people if not p.name)
    ann = _id(server, "Ann")
    with client_for(server) as api:
        reply = api.post("/people/merge", json={"ids": [unnamed.id, ann]})
        assert reply.status_code == 200
        assert reply.json() == [{"id": ann, "success": True}]
        merged = api.get(f"/people/{unnamed.id}").json()
        assert merged["name"] == "Ann"  # the first defined name wins
        assert api.get(f"/people/{ann}").status_code == 400
        assert api.post("/people/merge", json={"ids": []}).json() == []
        assert api.post("/people/merge", json={}).status_code == 400


@pytest.mark.parametrize("version", ["1.132.3", "2.4.1", "3.1.0"])
def test_people_merge_does_not_exist_before_3_2_1(server_factory: ServerFactory, version: str) -> None:
    server = server_factory(version=version)
    with client_for(server) as api:
        reply = api.post("/people/merge", json={"ids": [_id(server, "Ann")]})
    assert reply.status_code == 404
    assert reply.json()["message"] == "Cannot POST /api/people/merge"


# -- the documents the answers are validated against -----------------------------------------


def test_each_generation_is_validated_against_its_own_document() -> None:
    from tests.support.openapi_validation import ResponseMismatch, SpecValidator

    person = {"id": UNKNOWN, "name": "Ann", "birthDate": None, "thumbnailPath": "", "isHidden": False}
    versions = {v: SpecValidator.release(Mode.parse(v).version).version for v in FakeImmichServer.GENERATIONS}
    assert versions == {
        "1.132.3": "1.132.3",
        "2.4.1": "2.4.1",
        "3.0.0": "3.0.0",
        "3.1.0": "3.1.0",
        "3.2.2": "3.2.2",
        "3.3.5": "3.3.5 (v3.2.2 + people sharing)",
    }
    SpecValidator.release((3, 2, 2)).validate("/people/{id}", "GET", 200, person)
    with pytest.raises(ResponseMismatch, match="sharedBy"):  # required from 3.3
        SpecValidator.release((3, 3, 5)).validate("/people/{id}", "GET", 200, person)
    shared = {**person, "sharedBy": [], "sharedWith": [], "otherPeople": []}
    SpecValidator.release((3, 3, 5)).validate("/people/{id}", "GET", 200, shared)
    with pytest.raises(ResponseMismatch, match="prerelease"):  # required by the v3.0.0 release
        SpecValidator.release((3, 0, 0)).validate("/server/version", "GET", 200, {"major": 3, "minor": 0, "patch": 0})
