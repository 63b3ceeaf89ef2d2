"""Run the facade against the fake Immich server in v2 mode: ``python tests/compat/v2_facade_check.py``.

test_regen_compat.py runs it in a subprocess whose PYTHONPATH points at a copy of the repository
regenerated from the v2.4.1 spec, so every call goes through that regenerated ``immich_client``.
It exits 0 and prints one line per check, or fails with an AssertionError.
"""

from __future__ import annotations

import sys
import uuid
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import immich_client
import immiche
from immiche.errors import AuthenticationError, InvalidArgumentError, NotFoundError
from immiche.testing import FakeImmichServer

E = TypeVar("E", bound=Exception)


def raised(call: Callable[[], object], error: type[E]) -> E:
    """The ``error`` that ``call()`` raises (an AssertionError if it raises none)."""
    try:
        call()
    except error as err:
        return err
    raise AssertionError(f"expected {error.__name__}")


def main(expected_root: Path) -> None:
    warnings.simplefilter("error")  # an ImmichVersionWarning here would be a failure
    assert immich_client.IMMICH_VERSION == "2.4.1", immich_client.IMMICH_VERSION
    for module in (immich_client, immiche):
        assert Path(module.__file__ or "").resolve().is_relative_to(expected_root), module.__file__
    print(f"immich_client {immich_client.IMMICH_VERSION} from {Path(immich_client.__file__ or '').parent}")

    with FakeImmichServer(version="v2", people=23, seed=7) as server:
        with immiche.Client(server.url, api_key=server.api_key) as client:
            assert client.server_version() == immiche.ServerVersion(2, 4, 1)
            me = client.whoami()
            assert (me.email, me.name, me.is_admin) == (server.user.email, server.user.name, server.user.is_admin)
            print("whoami: ok")

            expected = [person.id for person in server.people]
            everyone = client.fetch_people(with_hidden=True)
            assert [person.id for person in everyone.people] == expected
            assert everyone.total >= len(expected)
            paged = [person.id for person in client.iter_people(with_hidden=True, page_size=5)]
            assert paged == expected
            pages = [r for r in server.requests if r.path == "/api/people" and r.query.get("size") == ["5"]]
            assert [r.query["page"] for r in pages] == [[str(n)] for n in range(1, len(pages) + 1)]
            assert len(pages) == -(-len(expected) // 5), [r.query for r in pages]
            print(f"fetch_people: {len(expected)} people, {len(pages)} pages of 5: ok")

            named = next(person for person in server.people if person.name)
            found = client.search_person(named.name, with_hidden=True)
            assert named.id in [person.id for person in found]
            person = client.fetch_person(named.id)
            assert (person.id, person.name, person.is_hidden) == (named.id, named.name, named.is_hidden)
            assert person.birth_date == named.birth_date
            print("search_person, fetch_person: ok")

            with_thumbnail = next(p for p in server.people if p.has_thumbnail)
            assert client.fetch_thumbnail(with_thumbnail.id) == server.thumbnail(with_thumbnail.id)
            print("fetch_thumbnail: ok")

            missing = raised(lambda: client.fetch_person(str(uuid.uuid4())), NotFoundError)
            assert missing.status_code == 400 and "\n" not in str(missing)
            malformed = raised(lambda: client.fetch_person("not-a-uuid"), InvalidArgumentError)
            assert "is not a person id" in str(malformed)
        with immiche.Client(server.url, api_key="wrong-key-0123456789") as client:
            assert raised(client.whoami, AuthenticationError).status_code == 401
        print("errors: ok")

        login = immiche.Client.login(server.url, server.user.email, server.user.password)
        with immiche.Client(login.server_url, access_token=login.access_token) as client:
            assert client.whoami().id == server.user.id
            assert client.logout() is True
        print("login, logout: ok")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
