"""FakeImmichServer: the public face of the fake, and its lifecycle."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from types import TracebackType
from typing import ClassVar

from immiche.testing._api import Api
from immiche.testing._errors import Version
from immiche.testing._faults import Faults
from immiche.testing._http import FakeHTTPServer, Site
from immiche.testing._media import FakeAlbum, FakeAsset, FakeFace
from immiche.testing._models import FakePerson, FakeUser, RecordedRequest, RecordedResponse
from immiche.testing._modes import GENERATIONS, Mode
from immiche.testing._sample import generated_people, other_people, sample_album, sample_people, sample_users
from immiche.testing._state import ImmichState

__all__ = ["FakeImmichServer"]

_SMALLEST_ORIGINAL = 16_384  # larger than any unpadded fake JPEG


def _base_path(value: str) -> str:
    stripped = value.strip("/")
    if any(char in stripped for char in "?#% \t\r\n"):
        raise ValueError(f"base_path must be a plain URL path, got {value!r}")
    return f"/{stripped}" if stripped else ""


class FakeImmichServer:
    """A stateful fake Immich server on 127.0.0.1, for tests and demos.

    It behaves like a real Immich server of one release for discovery, login, users/me, the
    people endpoints (listing, search, one person, thumbnails, statistics, edits, bulk edits,
    create, delete, merge, face reassignment), faces, a person's photos (search/metadata), asset
    files (ETag, Range, 304) and albums, and can inject latency and faults. Standard library only; one thread per connection, keep-alive.

    Args:
        version: the Immich release to imitate, one of :attr:`GENERATIONS` (``"1.132.3"``,
            ``"2.4.1"``, ``"3.0.0"``, ``"3.1.0"``, ``"3.2.2"``, ``"3.3.5"``) or any ``"X.Y.Z"`` from 1.132 on;
            every behaviour follows from it (error format, answer fields, search, merge
            endpoints: see ``immiche.testing.Mode``). Aliases: ``"v2"`` (2.4.1), ``"v3"``
            (3.0.0), ``"v1"``, ``"v3.1"``, ``"v3.2"``, ``"v3.3"``.
        people: ``None`` for the sample people (named, unnamed, hidden, favourites, with and
            without birth dates, colours and thumbnails); an ``int`` for that many generated
            people; or your own ``FakePerson`` list (``owner=None`` means the main user).
        seed: makes ids, generated people and thumbnails reproducible.
        latency: seconds added to every request (settable later: ``server.latency = 0.2``).
        base_path: serve under a sub-path, like a reverse proxy would (``"/photos"``).
        thumbnail_size: pad every thumbnail to exactly this many bytes (still a valid JPEG).
        server_version: the ``(major, minor, patch)`` to report instead of ``version`` (the
            behaviour still follows ``version``).
        max_page_size: the largest ``size`` ``GET /people`` accepts.
        host: the address to listen on.
        port: the port; ``0`` picks a free one.
        record_responses: keep every JSON answer in :attr:`responses` (for contract checks).
        asset_size: the exact size in bytes of every asset's original (a valid JPEG, padded);
            ``None``: varied sizes of 24 to 64 kB.

    Example::

        with FakeImmichServer(people=100) as server:
            response = httpx.get(f"{server.api_url}/people", headers={"x-api-key": server.api_key})
            assert response.json()["total"] == 100

    A second user (``other@example.com``) owns two people of their own, always: the main user
    gets 400 "Not found or no person.read access" for them.
    """

    #: The releases the supported generations are modelled on, oldest first.
    GENERATIONS: ClassVar[tuple[str, ...]] = GENERATIONS

    def __init__(
        self,
        *,
        version: str = "3.0.0",
        people: int | Sequence[FakePerson] | None = None,
        seed: int = 0,
        latency: float = 0.0,
        base_path: str = "",
        thumbnail_size: int | None = None,
        server_version: tuple[int, int, int] | None = None,
        max_page_size: int = 1000,
        host: str = "127.0.0.1",
        port: int = 0,
        record_responses: bool = False,
        asset_size: int | None = None,
    ) -> None:
        mode = Mode.parse(version)
        if max_page_size < 1:
            raise ValueError("max_page_size must be at least 1")
        if latency < 0:
            raise ValueError("latency must not be negative")
        if asset_size is not None and asset_size < _SMALLEST_ORIGINAL:
            raise ValueError(f"asset_size must be at least {_SMALLEST_ORIGINAL} bytes (a whole JPEG)")
        if isinstance(people, int) and people < 0:
            raise ValueError("people must be a count, a list of FakePerson, or None")
        self._mode = mode
        self._seed = seed
        self._host, self._port = host, port
        main, other = sample_users(seed)
        if people is None:
            mine = sample_people(seed, main.id)
        elif isinstance(people, int):
            mine = generated_people(people, seed, main.id)
        else:
            mine = [p if p.owner is not None else replace(p, owner=main.id) for p in people]
        self._state = ImmichState(
            [main, other],
            [*mine, *other_people(seed, other.id)],
            seed=seed,
            thumbnail_size=thumbnail_size,
            person_sharing=mode.person_sharing,
            asset_size=asset_size,
        )
        if people is None:
            sample_album(self._state.media, main.id, mine)
        api = Api(self._state, mode, server_version or mode.version, max_page_size=max_page_size)
        self._site = Site(api, _base_path(base_path), Faults(), latency, record_responses)
        self._httpd: FakeHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeImmichServer:
        """Listen and serve in a background thread; returns ``self``."""
        if self._httpd is not None or self._stopped:
            raise RuntimeError("a FakeImmichServer starts once")
        self._httpd = FakeHTTPServer((self._host, self._port), self._site)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-immich", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and join every thread. Idempotent."""
        httpd, thread = self._httpd, self._thread
        self._stopped = True
        if httpd is None or thread is None:
            return
        self._httpd = self._thread = None
        self._site.stopping.set()
        httpd.shutdown()
        httpd.close()
        thread.join()

    def __enter__(self) -> FakeImmichServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.url if self._httpd is not None else "not running"
        return f"<FakeImmichServer {self._mode.name} {where}>"

    # -- where -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The server URL a user would type: ``http://127.0.0.1:PORT`` plus the base path."""
        if self._httpd is None:
            raise RuntimeError("the server is not running: use 'with FakeImmichServer() as server'")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{self._site.base_path}"

    @property
    def api_url(self) -> str:
        """The API root: :attr:`url` + ``/api``."""
        return f"{self.url}/api"

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return int(self._httpd.server_address[1])

    @property
    def version(self) -> str:
        """The Immich release imitated: ``"3.1.0"`` (aliases resolved)."""
        return self._mode.name

    @property
    def mode(self) -> Mode:
        """The behaviour of :attr:`version`: ``server.mode.people_merge``..."""
        return self._mode

    @property
    def dialect(self) -> Version:
        """``"v2"`` (up to 2.x) or ``"v3"``: the error format in use."""
        return self._mode.dialect

    @property
    def server_version(self) -> tuple[int, int, int]:
        """What ``/server/version`` reports."""
        return self._site.api.server_version

    @property
    def max_page_size(self) -> int:
        return self._site.api.max_page_size

    # -- who -------------------------------------------------------------------------------

    @property
    def api_key(self) -> str:
        """An API key of the main user with the ``all`` permission."""
        return self._state.api_keys["all"]

    @property
    def api_keys(self) -> dict[str, str]:
        """The main user's API keys by permission: ``all``, ``person.read``, ``asset.read`` and ``none``
        (no permission)."""
        return dict(self._state.api_keys)

    @property
    def user(self) -> FakeUser:
        """The main user (owner of the API keys and of :attr:`people`)."""
        return self._state.main_user

    @property
    def users(self) -> list[FakeUser]:
        """Every user: the main user first."""
        return list(self._state.users)

    def login_token(self, user: FakeUser | None = None) -> str:
        """A new session token, as ``POST /api/auth/login`` would give (main user by default)."""
        return self._state.new_session(user or self.user)

    # -- people ----------------------------------------------------------------------------

    @property
    def people(self) -> list[FakePerson]:
        """The main user's people as ``GET /people?withHidden=true`` lists them, in that order."""
        return list(self._state.library(self.user).listed)

    @property
    def all_people(self) -> list[FakePerson]:
        """Every person of every user, unlisted ones included, in creation order."""
        return list(self._state.people.values())

    def person(self, person_id: str) -> FakePerson:
        """A person by id (any user's). Raises ``KeyError`` for an unknown id."""
        return self._state.people[person_id]

    def thumbnail(self, person_id: str) -> bytes:
        """The exact bytes ``GET /people/{id}/thumbnail`` serves.

        Raises:
            KeyError: unknown person, or one without a thumbnail.
        """
        person = self._state.people[person_id]
        if not person.has_thumbnail:
            raise KeyError(f"person {person_id} has no thumbnail")
        return self._state.thumbnail(person).to_bytes()

    # -- photos ----------------------------------------------------------------------------

    @property
    def assets(self) -> list[FakeAsset]:
        """Every asset of every user (each person's faces sit on them), in creation order."""
        return list(self._state.media.assets.values())

    def faces_of(self, person_id: str) -> list[FakeFace]:
        """The person's live faces."""
        return self._state.media.faces_of_person(person_id)

    def asset_people(self, asset_id: str) -> list[str]:
        """The ids of the people on an asset."""
        return self._state.media.people_of_asset(asset_id)

    @property
    def albums(self) -> list[FakeAlbum]:
        """Every album of every user."""
        return list(self._state.media.albums.values())

    def original(self, asset_id: str) -> bytes:
        """The exact bytes ``GET /assets/{id}/original`` serves. Raises ``KeyError``."""
        return self._state.original(self._state.media.assets[asset_id]).to_bytes()

    # -- what happened ---------------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        """Fault injection: ``server.faults.add("status", status=503)``."""
        return self._site.faults

    @property
    def latency(self) -> float:
        """Seconds added to every request."""
        return self._site.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("latency must not be negative")
        self._site.latency = seconds

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first."""
        with self._site.lock:
            return list(self._site.requests)

    @property
    def responses(self) -> list[RecordedResponse]:
        """Every JSON body sent (with ``record_responses=True``); not HEAD answers, nor faults."""
        with self._site.lock:
            return list(self._site.responses)

    @property
    def connections(self) -> int:
        """How many TCP connections the server has accepted."""
        with self._site.lock:
            return self._site.connections

    @property
    def internal_errors(self) -> list[BaseException]:
        """Exceptions raised inside the fake while answering (bugs of the fake; normally empty)."""
        with self._site.lock:
            return list(self._site.errors)

    def reset_counters(self) -> None:
        """Forget the requests seen and the connection count."""
        with self._site.lock:
            self._site.requests.clear()
            self._site.connections = 0
