"""Seeded sample data: the two users, the default people, and generated crowds."""

from __future__ import annotations

import datetime
import random
import uuid
from typing import Any

from immiche.testing._media import FakeAlbum, Media
from immiche.testing._models import FakePerson, FakeUser

__all__ = ["generated_people", "other_people", "sample_album", "sample_people", "sample_users"]

_EPOCH = datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.timezone.utc)
_COLORS = ("#e91e63", "#2196f3", "#4caf50", "#9c27b0", "#ff9800", "#795548", "#00bcd4", "#f44336")
_FIRST = (
    "Ada", "Ahmed", "Alice", "Amélie", "Ana", "Anne", "Björn", "Carlos", "Chen", "Chloé", "Dmitri",
    "Elena", "Émile", "Fatima", "Grace", "Hannah", "Hiro", "Ines", "Ivan", "Jamal", "Jean", "Kai",
    "Lars", "Leila", "Lucía", "Marco", "Maria", "Mei", "Noah", "Olga", "Omar", "Paul", "Priya",
    "Rosa", "Sven", "Tariq", "Yuki", "Zoë",
)  # fmt: skip
_LAST = (
    "Andersson", "Bauer", "Costa", "Dubois", "Eriksen", "García", "Haddad", "Ivanova", "Jensen",
    "Kowalski", "Lefèvre", "Müller", "Nakamura", "O'Brien", "Petrov", "Rossi", "Silva", "Tanaka",
    "Van Dijk", "Wang", "Yilmaz", "Zhang",
)  # fmt: skip


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _moment(rng: random.Random, index: int) -> datetime.datetime:
    """A creation-ordered timestamp with millisecond precision."""
    return _EPOCH + datetime.timedelta(seconds=index * 7, milliseconds=rng.randrange(1000))


def sample_users(seed: int) -> tuple[FakeUser, FakeUser]:
    """The main user (an admin, who owns the API keys) and a second user."""
    rng = random.Random(f"users:{seed}")  # noqa: S311 - seeded test data
    main = FakeUser(_uuid(rng), "admin@example.com", "fake-immich-password", "Admin", is_admin=True)
    other = FakeUser(_uuid(rng), "other@example.com", "other-fake-password", "Other User", is_admin=False)
    return main, other


def sample_people(seed: int, owner: str) -> list[FakePerson]:
    """The default people, in creation order.

    Twelve are listed by ``GET /people?withHidden=true``; with one unnamed person below the
    3-face minimum (counted in ``total`` but not listed) and one person without faces (neither).
    """
    rng = random.Random(f"people:{seed}")  # noqa: S311 - seeded test data
    count = iter(range(100))

    def person(name: str, **fields: Any) -> FakePerson:
        return FakePerson(id=_uuid(rng), name=name, updated_at=_moment(rng, next(count)), owner=owner, **fields)

    return [
        person("Ann", birth_date=datetime.date(1990, 1, 2), face_count=30, color="#2196f3"),
        person("Anna", face_count=30),
        person("Carol Anne", birth_date=datetime.date(1975, 11, 30), face_count=12),
        person("Bob", face_count=7, is_favorite=True),
        person("Alice Martin", birth_date=datetime.date(1984, 3, 14), face_count=42, is_favorite=True, color="#e91e63"),
        person("Émile Zola", birth_date=datetime.date(1840, 4, 2), face_count=5),
        person("Dave NoThumb", face_count=4, has_thumbnail=False),
        person("Zoë Lefèvre", face_count=3, color="#4caf50"),
        person("", face_count=9),
        person("", face_count=3, color="#9c27b0"),
        person("", face_count=1),
        person("Hidden Henry", face_count=6, is_hidden=True),
        person(
            "Hidden Hannah",
            birth_date=datetime.date(2001, 7, 20),
            face_count=2,
            is_hidden=True,
            is_favorite=True,
            color="#ff9800",
        ),
        person("Frank NoFace", face_count=0, has_thumbnail=False),
    ]


def other_people(seed: int, owner: str) -> list[FakePerson]:
    """The second user's people: invisible to the main user (400 "Not found")."""
    rng = random.Random(f"other:{seed}")  # noqa: S311 - seeded test data
    return [
        FakePerson(id=_uuid(rng), name="Olivia Other", face_count=5, updated_at=_moment(rng, 0), owner=owner),
        FakePerson(id=_uuid(rng), name="Oscar Other", face_count=2, updated_at=_moment(rng, 1), owner=owner),
    ]


def generated_people(count: int, seed: int, owner: str) -> list[FakePerson]:
    """``count`` varied people, all listable (so ``total`` equals what paging yields)."""
    rng = random.Random(f"crowd:{seed}")  # noqa: S311 - seeded test data
    people = []
    for index in range(count):
        unnamed = rng.random() < 0.08
        name = "" if unnamed else f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        faces = rng.randint(3, 40) if unnamed else min(500, int(rng.paretovariate(1.2)))
        birth = None
        if not unnamed and rng.random() < 0.35:
            birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randrange(80 * 365))
        people.append(
            FakePerson(
                id=_uuid(rng),
                name=name,
                birth_date=birth,
                is_hidden=rng.random() < 0.04,
                is_favorite=rng.random() < 0.03,
                color=rng.choice(_COLORS) if rng.random() < 0.25 else None,
                updated_at=_EPOCH + datetime.timedelta(milliseconds=index * 1237 + rng.randrange(1000)),
                has_thumbnail=rng.random() >= 0.01,
                face_count=faces,
                owner=owner,
            )
        )
    return people


def sample_album(media: Media, owner: str, people: list[FakePerson]) -> FakeAlbum:
    """The sample album "Family": the photos of Ann (the first sample person), oldest first."""
    photos = sorted(media.person_assets(people[0].id), key=lambda a: media.assets[a].file_created_at)
    album = FakeAlbum(
        media.new_id(),
        owner,
        "Family",
        _EPOCH,
        _EPOCH,
        description="Every photo of Ann",
        asset_ids=photos,
        thumbnail_id=photos[0] if photos else None,
    )
    media.albums[album.id] = album
    return album
