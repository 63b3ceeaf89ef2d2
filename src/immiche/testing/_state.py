"""The fake server's data: users, API keys, sessions, people, and their cached JSON.

People change only by merging; their orderings, counts and JSON are computed once and again
after each merge. Sessions change with login and logout. Changes happen under a lock.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from immiche.testing._errors import dumps
from immiche.testing._jpeg import Thumbnail, person_thumbnail
from immiche.testing._media import FakeAsset, Media
from immiche.testing._models import CredentialKind, FakePerson, FakeUser

__all__ = ["MIN_FACES", "Auth", "Credential", "ImmichState", "iso_millis", "pg_time"]

#: Immich's default ``machineLearning.facialRecognition.minFaces``: unnamed people need this many
#: faces to be listed by ``GET /people``.
MIN_FACES = 3

#: The API keys of the main user, by name: their permission lists.
KEY_PERMISSIONS: dict[str, frozenset[str]] = {
    "all": frozenset({"all"}),
    "person.read": frozenset({"person.read"}),
    "asset.read": frozenset({"asset.read"}),
    "none": frozenset(),
}


def iso_millis(moment: datetime.datetime) -> str:
    """``2026-01-15T09:30:00.123Z``, the way Immich serialises dates."""
    utc = moment.astimezone(datetime.timezone.utc)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


def pg_time(moment: datetime.datetime) -> str:
    """``2026-11-30T18:15:43.477248+00:00``: how Postgres dates appear inside embedded people."""
    return moment.astimezone(datetime.timezone.utc).isoformat()


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def evolve(person: FakePerson, **changes: object) -> FakePerson:
    """``replace`` that allows what only happens later in life: a person left with no faces keeps
    their thumbnail (as Immich does), which a new ``FakePerson`` may not have."""
    faces = changes.pop("face_count", person.face_count)
    assert isinstance(faces, int)
    thumbnail = changes.get("has_thumbnail", person.has_thumbnail)
    updated = replace(person, face_count=max(faces, 1) if thumbnail else faces, **changes)  # type: ignore[arg-type]
    object.__setattr__(updated, "face_count", faces)
    return updated


@dataclass(frozen=True)
class Credential:
    """The credential a request presents, chosen with Immich's precedence."""

    kind: CredentialKind
    value: str


@dataclass(frozen=True)
class Auth:
    """An authenticated caller. ``permissions`` is ``None`` for sessions (they may do anything)."""

    user: FakeUser
    kind: CredentialKind
    permissions: frozenset[str] | None
    session_token: str | None = None

    def allows(self, permission: str) -> bool:
        """Whether an API key (or a session) grants ``permission``."""
        return self.permissions is None or "all" in self.permissions or permission in self.permissions


def _listing_key(person: FakePerson) -> tuple[bool, bool, bool, int, str, str]:
    """``GET /people`` order: visible first, favourites, named, most faces, then name."""
    return (
        person.is_hidden,
        not person.is_favorite,
        person.name == "",
        -person.face_count,
        person.name.casefold(),
        person.name,
    )


class _Library:
    """One user's people, as ``GET /people`` sees them."""

    def __init__(self, people: Sequence[FakePerson]) -> None:
        self.created = list(people)  # creation order, every person (search sees them all)
        with_faces = [p for p in people if p.face_count > 0]
        listable = [p for p in with_faces if p.name or p.face_count >= MIN_FACES]
        self.listed = sorted(listable, key=_listing_key)  # stable: ties keep creation order
        self.visible = [p for p in self.listed if not p.is_hidden]
        self.total = len(with_faces)
        self.hidden = sum(1 for p in with_faces if p.is_hidden)


class ImmichState:
    """Users, credentials and people of one fake server."""

    def __init__(
        self,
        users: Sequence[FakeUser],
        people: Iterable[FakePerson],
        *,
        seed: int,
        thumbnail_size: int | None,
        person_sharing: bool = False,
        asset_size: int | None = None,
    ) -> None:
        self.users = list(users)
        self.main_user = self.users[0]
        self._users_by_email = {user.email.lower(): user for user in self.users}
        self._seed = seed
        self._thumbnail_size = thumbnail_size
        self._person_sharing = person_sharing
        self.people: dict[str, FakePerson] = {}
        for person in people:
            if person.id in self.people:
                raise ValueError(f"two people share the id {person.id}")
            self.people[person.id] = person
        owners = {user.id for user in self.users}
        for person in self.people.values():
            if person.owner not in owners:
                raise ValueError(f"person {person.id} belongs to an unknown user {person.owner!r}")
        self._initial_people = list(self.people.values())
        self._asset_size = asset_size
        self._media: Media | None = None
        self._media_lock = threading.Lock()
        self._libraries: dict[str, _Library] = {}
        for user in self.users:
            self._rebuild(user.id)
        self.api_keys = {name: secrets.token_urlsafe(32) for name in KEY_PERMISSIONS}
        self._keys = {secret: KEY_PERMISSIONS[name] for name, secret in self.api_keys.items()}
        self._sessions: dict[str, FakeUser] = {}
        self._lock = threading.Lock()
        self._json: dict[str, bytes] = {}
        if thumbnail_size is not None:  # fail at construction, not on the first download
            person_thumbnail(seed, "0" * 36, thumbnail_size)

    # -- people ----------------------------------------------------------------------------

    @property
    def media(self) -> Media:
        """Assets, faces and albums: generated on first use (from the people given at start-up),
        so that servers that never show a photo do not pay for tens of thousands of faces."""
        media = self._media
        if media is None:
            with self._media_lock:
                if self._media is None:
                    self._media = Media.generate(self._initial_people, self._seed, self._asset_size)
                media = self._media
        return media

    def library(self, user: FakeUser) -> _Library:
        return self._libraries[user.id]

    def _rebuild(self, owner: str) -> None:
        self._libraries[owner] = _Library([p for p in self.people.values() if p.owner == owner])

    def merge(self, target_id: str, source_id: str) -> FakePerson:
        """Merge one person into another of the same owner; returns the new target.

        The source's faces move to the target (keeping their ids). The target keeps its name and
        birth date and takes the source's birth date when it has none; an unnamed target takes
        the source's name and birth date (as recorded on v2.4.1). The source is gone afterwards.
        """
        with self._lock:
            target, source = self.people[target_id], self.people.pop(source_id)
            self.media.move_all(source_id, target_id)
            if target.name:
                name, birth = target.name, target.birth_date or source.birth_date
            else:
                name, birth = source.name, source.birth_date or target.birth_date
            merged = evolve(
                target,
                name=name,
                birth_date=birth,
                face_count=self.media.face_count(target_id),
                has_thumbnail=target.has_thumbnail or source.has_thumbnail,
            )
            self.people[target_id] = merged
            self._json.pop(target_id, None)
            self._json.pop(source_id, None)
            self._rebuild(str(target.owner))
            return merged

    def update_people(self, changes: Sequence[tuple[str, dict[str, object]]]) -> list[FakePerson]:
        """Apply field changes (``FakePerson`` field names) in order; ``updatedAt`` moves on."""
        updated = []
        with self._lock:
            owners = set()
            for person_id, fields in changes:
                person = evolve(self.people[person_id], updated_at=now(), **fields)
                self.people[person_id] = person
                self._json.pop(person_id, None)
                owners.add(str(person.owner))
                updated.append(person)
            for owner in owners:
                self._rebuild(owner)
        return updated

    def create_person(self, owner: str, fields: dict[str, object]) -> FakePerson:
        blank = FakePerson(id=self.media.new_id(), owner=owner, updated_at=now(), face_count=0, has_thumbnail=False)
        person = evolve(blank, **fields)
        with self._lock:
            self.people[person.id] = person
            self._rebuild(owner)
        return person

    def delete_people(self, person_ids: Sequence[str]) -> None:
        """Delete people; their faces stay on the assets, without a person."""
        with self._lock:
            owners = set()
            for person_id in person_ids:
                person = self.people.pop(person_id, None)
                if person is None:
                    continue
                self.media.orphan(person_id)
                self._json.pop(person_id, None)
                owners.add(str(person.owner))
            for owner in owners:
                self._rebuild(owner)

    def recount(self, person_ids: Iterable[str | None]) -> None:
        """Bring ``face_count`` back in line with the faces, after faces moved or went away."""
        with self._lock:
            owners = set()
            for person_id in set(person_ids):
                person = self.people.get(person_id) if person_id else None
                if person is None:
                    continue
                self.people[person.id] = evolve(person, face_count=self.media.face_count(person.id))
                self._json.pop(person.id, None)
                owners.add(str(person.owner))
            for owner in owners:
                self._rebuild(owner)

    def person_json(self, person: FakePerson) -> bytes:
        """The person's ``PersonResponseDto``, serialised once."""
        cached = self._json.get(person.id)
        if cached is None:
            body: dict[str, object] = {
                "id": person.id,
                "name": person.name,
                "birthDate": person.birth_date.isoformat() if person.birth_date else None,
                "thumbnailPath": self.thumbnail_path(person),
                "isHidden": person.is_hidden,
                "isFavorite": person.is_favorite,
            }
            if person.color is not None:
                body["color"] = person.color
            body["updatedAt"] = iso_millis(person.updated_at)
            if self._person_sharing:  # v3.3: required; the caller's own people are shared with nobody
                body["sharedBy"], body["sharedWith"], body["otherPeople"] = [], [], []
            cached = self._json[person.id] = dumps(body)
        return cached

    def people_json(self, people: Iterable[FakePerson]) -> bytes:
        """A JSON array of people."""
        return b"[" + b",".join(map(self.person_json, people)) + b"]"

    @staticmethod
    def thumbnail_path(person: FakePerson) -> str:
        if not person.has_thumbnail:
            return ""
        return f"/data/upload/thumbs/{person.owner}/{person.id[:2]}/{person.id[2:4]}/{person.id}.jpeg"

    def thumbnail(self, person: FakePerson) -> Thumbnail:
        return person_thumbnail(self._seed, person.id, self._thumbnail_size)

    def original(self, asset: FakeAsset) -> Thumbnail:
        """An asset's original: a real JPEG of exactly ``asset.file_size`` bytes."""
        return person_thumbnail(self._seed, asset.id, asset.file_size)

    def preview(self, asset: FakeAsset) -> Thumbnail:
        """An asset's preview and thumbnail: the unpadded JPEG."""
        return person_thumbnail(self._seed + 1, asset.id)

    @staticmethod
    def similarity_order(people: Sequence[FakePerson], anchor: str) -> list[FakePerson]:
        """A stable stand-in for "closest faces first": a hash of both ids."""
        return sorted(people, key=lambda p: hashlib.blake2b(f"{anchor}{p.id}".encode(), digest_size=8).digest())

    # -- credentials -----------------------------------------------------------------------

    def login(self, email: str, password: str) -> tuple[FakeUser, str] | None:
        """A new session token for valid credentials."""
        user = self._users_by_email.get(email.lower())
        if user is None or not secrets.compare_digest(user.password.encode(), password.encode()):
            return None
        return user, self.new_session(user)

    def new_session(self, user: FakeUser) -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[token] = user
        return token

    def end_session(self, token: str) -> None:
        with self._lock:
            self._sessions.pop(token, None)

    def authenticate(self, credential: Credential | None) -> Auth | str:
        """The caller, or the 401 message."""
        if credential is None:
            return "Authentication required"
        if credential.kind == "api_key":
            permissions = self._keys.get(credential.value)
            if permissions is None:
                return "Invalid API key"
            return Auth(self.main_user, "api_key", permissions)
        with self._lock:
            user = self._sessions.get(credential.value)
        if user is None:
            return "Invalid user token"
        return Auth(user, credential.kind, None, session_token=credential.value)
