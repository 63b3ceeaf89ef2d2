"""The fake server's photos: assets, the faces on them, and albums.

Every person's ``face_count`` faces are spread over the owner's assets (at most one face of a
person per asset, several people per asset), deterministically from the seed; the person's
``face_count`` is kept equal to their faces afterwards (faces move with merges and reassignments,
and disappear when deleted). A person's statistics count the distinct assets holding one of their
faces, as Immich does.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from immiche.testing._models import FakePerson

__all__ = ["FakeAlbum", "FakeAsset", "FakeFace", "Media"]

_TAKEN = datetime.datetime(2015, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)
_IMPORTED = datetime.datetime(2026, 1, 10, 8, 0, tzinfo=datetime.timezone.utc)
IMAGE_WIDTH, IMAGE_HEIGHT = 1200, 900


def _uuid(rng: random.Random) -> str:
    """``str(uuid.UUID(int=rng.getrandbits(128), version=4))``, three times faster."""
    number = rng.getrandbits(128) & ~(0xC000 << 48) & ~(0xF000 << 64) | (0x8000 << 48) | (4 << 76)
    text = f"{number:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


@dataclass(frozen=True)
class FakeAsset:
    """A photo. ``file_size`` is the exact length of the original the fake serves."""

    id: str
    owner: str
    original_file_name: str
    file_created_at: datetime.datetime
    file_size: int
    is_favorite: bool = False

    @property
    def checksum(self) -> str:
        return base64.b64encode(hashlib.sha1(self.id.encode()).digest()).decode()  # noqa: S324 - an identifier

    @property
    def stem(self) -> str:
        return self.original_file_name.rsplit(".", 1)[0]


@dataclass
class FakeFace:
    """A face on an asset; ``person_id`` is ``None`` once its person was deleted."""

    id: str
    asset_id: str
    person_id: str | None
    x1: int
    y1: int
    deleted: bool = False

    @property
    def box(self) -> dict[str, int]:
        return {
            "imageHeight": IMAGE_HEIGHT,
            "imageWidth": IMAGE_WIDTH,
            "boundingBoxX1": self.x1,
            "boundingBoxX2": self.x1 + 260,
            "boundingBoxY1": self.y1,
            "boundingBoxY2": self.y1 + 260,
        }


@dataclass
class FakeAlbum:
    """An album: its assets in the order they were added."""

    id: str
    owner: str
    name: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    description: str = ""
    asset_ids: list[str] = field(default_factory=list)
    order: str = "desc"
    thumbnail_id: str | None = None


class Media:
    """Assets, faces and albums of every user. Not thread-safe: the state's lock guards changes."""

    def __init__(self, seed: int, asset_size: int | None) -> None:
        self._rng = random.Random(f"media-ids:{seed}")  # noqa: S311 - seeded test data
        self.asset_size = asset_size
        self.assets: dict[str, FakeAsset] = {}
        self.faces: dict[str, FakeFace] = {}
        self.albums: dict[str, FakeAlbum] = {}
        self._by_asset: dict[str, list[str]] = {}
        self._by_person: dict[str, list[str]] = {}

    # -- generation ------------------------------------------------------------------------

    @classmethod
    def generate(cls, people: Sequence[FakePerson], seed: int, asset_size: int | None) -> Media:
        """Assets and faces for ``people`` (per owner: about 0.6 assets per face)."""
        media = cls(seed, asset_size)
        rng = random.Random(f"media:{seed}")  # noqa: S311 - seeded test data
        owners: dict[str, list[FakePerson]] = {}
        for person in people:
            owners.setdefault(str(person.owner), []).append(person)
        serial = 0
        for owner, theirs in owners.items():
            faces = sum(p.face_count for p in theirs)
            pool_size = max(1, math.ceil(faces * 0.6), max((p.face_count for p in theirs), default=0))
            pool = []
            for _ in range(pool_size):
                serial += 1
                taken = _TAKEN + datetime.timedelta(days=serial * 3, hours=rng.randrange(12))
                size = asset_size if asset_size is not None else 24_000 + rng.randrange(40_000)
                asset = FakeAsset(_uuid(rng), owner, f"IMG_{serial:04d}.jpg", taken, size, rng.random() < 0.1)
                media.add_asset(asset)
                pool.append(asset.id)
            for person in theirs:
                for slot, index in enumerate(rng.sample(range(pool_size), person.face_count)):
                    x1 = 20 + 300 * (slot % 4)
                    media.add_face(FakeFace(_uuid(rng), pool[index], person.id, x1, 20 + 300 * (index % 3)))
        return media

    def add_asset(self, asset: FakeAsset) -> None:
        self.assets[asset.id] = asset
        self._by_asset.setdefault(asset.id, [])

    def add_face(self, face: FakeFace) -> None:
        self.faces[face.id] = face
        self._by_asset.setdefault(face.asset_id, []).append(face.id)
        if face.person_id is not None:
            self._by_person.setdefault(face.person_id, []).append(face.id)

    def new_id(self) -> str:
        return _uuid(self._rng)

    # -- queries ---------------------------------------------------------------------------

    def faces_of_asset(self, asset_id: str) -> list[FakeFace]:
        """The asset's live faces, left to right (Immich sorts by ``boundingBoxX1``)."""
        found = [self.faces[f] for f in self._by_asset.get(asset_id, ())]
        return sorted((f for f in found if not f.deleted), key=lambda f: (f.x1, f.y1))

    def faces_of_person(self, person_id: str) -> list[FakeFace]:
        found = (self.faces.get(f) for f in self._by_person.get(person_id, ()))
        return [f for f in found if f is not None and not f.deleted and f.person_id == person_id]

    def person_assets(self, person_id: str) -> set[str]:
        """The distinct assets holding a live face of the person (what statistics count)."""
        return {f.asset_id for f in self.faces_of_person(person_id)}

    def people_of_asset(self, asset_id: str) -> list[str]:
        """The ids of the people on the asset, first face first, each once."""
        seen: dict[str, None] = {}
        for face in self.faces_of_asset(asset_id):
            if face.person_id is not None:
                seen.setdefault(face.person_id)
        return list(seen)

    # -- changes ---------------------------------------------------------------------------

    def move_face(self, face: FakeFace, person_id: str) -> None:
        face.person_id = person_id
        self._by_person.setdefault(person_id, []).append(face.id)

    def move_all(self, source: str, target: str) -> None:
        for face in self.faces_of_person(source):
            self.move_face(face, target)

    def orphan(self, person_id: str) -> None:
        """A deleted person's faces stay, with no person."""
        for face in self.faces_of_person(person_id):
            face.person_id = None
        self._by_person.pop(person_id, None)

    def forget_face(self, face: FakeFace) -> None:
        """A force-deleted face is gone for good."""
        self.faces.pop(face.id, None)
        if face.id in self._by_asset.get(face.asset_id, ()):
            self._by_asset[face.asset_id].remove(face.id)

    def face_count(self, person_id: str) -> int:
        return len(self.faces_of_person(person_id))

    def counts(self, person_ids: Iterable[str]) -> dict[str, int]:
        return {person_id: self.face_count(person_id) for person_id in person_ids}
