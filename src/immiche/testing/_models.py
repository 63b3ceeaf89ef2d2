"""The fake server's value objects: people, users, and what it saw and sent."""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["UUID_V4", "CredentialKind", "FakePerson", "FakeUser", "RecordedRequest", "RecordedResponse"]

#: What Immich accepts as an id parameter: a UUID v4, any case (the spec's own pattern).
UUID_V4 = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$")

#: How a request authenticated: an API key (header or ``?apiKey=``), ``Authorization: Bearer``,
#: another session-token carrier (``immich_access_token`` cookie, ``x-immich-user-token``,
#: ``x-immich-session-token``, ``?sessionKey=``), or nothing.
CredentialKind = Literal["api_key", "bearer", "session"]

_DEFAULT_UPDATED_AT = datetime.datetime(2026, 1, 15, 9, 30, tzinfo=datetime.timezone.utc)


def _new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class FakePerson:
    """A person the fake server knows.

    Attributes:
        id: lower-case UUID v4.
        name: ``""`` for an unnamed person.
        birth_date: served as ``"YYYY-MM-DD"`` or ``null``.
        is_hidden: hidden people are listed after visible ones, and only with ``withHidden=true``.
        is_favorite: favourites are listed first.
        color: ``#rrggbb``; the ``color`` key is omitted when ``None``, like Immich does.
        updated_at: served with milliseconds and ``Z``; also the thumbnail's Last-Modified.
        has_thumbnail: without one, ``thumbnailPath`` is ``""`` and the thumbnail answers 404.
        face_count: people without faces are never listed nor counted; unnamed people need at
            least 3 faces (Immich's default ``minFaces``) to be listed, but are counted anyway.
        owner: the owning user's id; ``None`` means the server's main user.

    Example::

        FakePerson(name="Ann", birth_date=datetime.date(1990, 1, 2), is_favorite=True)
    """

    id: str = field(default_factory=_new_id)
    name: str = ""
    birth_date: datetime.date | None = None
    is_hidden: bool = False
    is_favorite: bool = False
    color: str | None = None
    updated_at: datetime.datetime = _DEFAULT_UPDATED_AT
    has_thumbnail: bool = True
    face_count: int = 1
    owner: str | None = None

    def __post_init__(self) -> None:
        if not UUID_V4.match(self.id) or self.id != self.id.lower():
            raise ValueError(f"FakePerson id must be a lower-case UUID v4, got {self.id!r}")
        if self.face_count < 0:
            raise ValueError("FakePerson face_count must not be negative")
        if self.face_count == 0 and self.has_thumbnail:
            raise ValueError("a FakePerson without faces has no thumbnail: pass has_thumbnail=False")
        if self.updated_at.tzinfo is None:
            raise ValueError("FakePerson updated_at must be timezone-aware")


@dataclass(frozen=True)
class FakeUser:
    """A user of the fake server; ``password`` logs in with ``POST /api/auth/login``."""

    id: str
    email: str
    password: str = field(repr=False)
    name: str
    is_admin: bool = False


@dataclass(frozen=True)
class RecordedRequest:
    """A request the fake server received. Credentials are never stored.

    Attributes:
        method: ``GET``, ``HEAD``, ``POST``...
        path: the URL path as received (base path included, query excluded).
        query: every query parameter; ``apiKey`` and ``sessionKey`` values read ``[redacted]``.
        credential: how the request authenticated (the carrier the server used), or ``None``.
        headers: lower-case header names; credential-bearing values read ``[redacted]`` (not
            compared by ``==``).
        body: the request body as received (not compared by ``==``); empty for ``/auth/``
            requests, whose bodies carry passwords.
    """

    method: str
    path: str
    query: Mapping[str, list[str]]
    credential: CredentialKind | None
    headers: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    body: bytes = field(default=b"", repr=False, compare=False)


@dataclass(frozen=True)
class RecordedResponse:
    """A JSON response the fake server sent (with ``record_responses=True``).

    Attributes:
        method: the request's method.
        path: the request's URL path, as received.
        template: the spec's path template (``/people/{id}``), ``None`` outside the spec's routes.
        status: the HTTP status.
        body: the decoded JSON body.
    """

    method: str
    path: str
    template: str | None
    status: int
    body: Any
