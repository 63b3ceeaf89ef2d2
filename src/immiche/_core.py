"""The I/O-free core shared by :class:`immiche.Client` and :class:`immiche.AsyncClient`.

Every operation is a generator that *yields effects* and receives their outcomes:

- :class:`Send` a request, answered with a :class:`Reply` or the transport exception;
- :class:`Sleep` before a retry, answered with ``None``;
- :class:`Emit` a page of results to an iterator's consumer, answered with ``None``.

Requests are built by the generated ``immich_client`` endpoints (``_get_kwargs`` plus the generated
client's ``request_kwargs``, which applies the API root, timeout, redirect policy and credential),
retries, error mapping and parsing happen here once, and the sync and async clients only carry out
the effects. So the two clients cannot drift apart: they share every decision.
"""

from __future__ import annotations

import json
import math
import os
import time
import warnings
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from immiche import _contract
from immiche._config import (
    DEFAULT_MAX_DOWNLOAD_BYTES,
    MAX_PAGES,
    MAX_SEARCH_NAME,
    PAGE_SIZE,
    RetryPolicy,
    Timeout,
)
from immiche._http import httpx
from immiche._output import check_person_id, download_outcome, plan_bulk, prepare_output
from immiche._transport import retryable_transport, transport_error
from immiche._url import ServerURL, api_root_from_well_known
from immiche.errors import (
    APIStatusError,
    ImmichError,
    InvalidArgumentError,
    InvalidResponseError,
    UnexpectedRedirectError,
    error_from_response,
    redact_error,
)
from immiche.people import PeopleResponse, Person, page_counts
from immiche.server import LoginResult, ServerVersion, User

if TYPE_CHECKING:
    from immich_client import AuthenticatedClient
    from immich_client import Client as PublicClient

__all__ = [
    "Core",
    "Emit",
    "ImmichVersionWarning",
    "Reply",
    "Send",
    "Sleep",
    "check_person_id",
    "download_outcome",
    "is_image_answer",
    "looks_like_image",
    "plan_bulk",
    "prepare_output",
]

T = TypeVar("T")


class ImmichVersionWarning(UserWarning):
    """The server's version is outside the range the facade is tested against."""


# -- effects --------------------------------------------------------------------------------------


@dataclass
class Send:
    """Send one request. With ``sink``, a 200 body is streamed atomically into that file."""

    method: str
    url: str
    options: dict[str, Any]
    """``httpx.Client.build_request`` keyword arguments (params, json, headers, timeout...)."""
    auth: httpx.Auth | None = None
    sink: Path | None = None
    max_bytes: int = 0
    """The largest body read into memory."""
    sink_max_bytes: int = 0
    """The largest image streamed into the sink (only a 200 image answer goes there)."""
    label: str = ""
    """``METHOD /path`` for errors: the API path template, never the query."""
    deadline: float | None = None
    """``time.monotonic()`` by which the whole request must be over (the driver stops reading then)."""


@dataclass
class Reply:
    """What the driver read: status, headers and the body (empty when streamed to a sink)."""

    status_code: int
    headers: httpx.Headers
    content: bytes = b""
    written: int = 0
    too_large: bool = False


@dataclass
class Sleep:
    seconds: float


@dataclass
class Emit:
    value: Any


Effect = Send | Sleep | Emit
Outcome = Reply | Exception | None
Steps = Generator[Effect, Outcome, T]


# -- helpers --------------------------------------------------------------------------------------


def is_image_answer(headers: Mapping[str, str]) -> bool:
    """Whether a thumbnail answer may be an image: anything but HTML, JSON or text.

    Immich sends ``image/jpeg`` (the spec says ``application/octet-stream``); a login page of an
    SSO proxy or another app's JSON must never be written over a thumbnail.
    """
    content_type = headers.get("content-type", "").lower()
    return not (content_type.startswith("text/") or "html" in content_type or "json" in content_type)


IMAGE_SNIFF_BYTES = 16
"""How many bytes of a thumbnail answer :func:`looks_like_image` needs to decide."""


def looks_like_image(headers: Mapping[str, str], head: bytes) -> bool:
    """Whether a thumbnail answer whose body starts with ``head`` is an image worth writing.

    An empty body never is. An ``image/*`` content type is trusted, and so is
    ``application/octet-stream`` (what the spec names) unless the body starts like markup or
    JSON; without a content type (or with another one) the body must start like an image format
    (JPEG, PNG, WebP, GIF, AVIF/HEIC, TIFF). So an HTML page or other junk is never saved as a
    ``.jpg``.
    """
    if not head or not is_image_answer(headers):
        return False
    content_type = headers.get("content-type", "").lower().strip()
    if content_type.startswith("image/"):
        return True
    if (
        head.startswith((b"\xff\xd8", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*"))
        or (head.startswith(b"RIFF") and head[8:12] == b"WEBP")
        or head[4:8] == b"ftyp"
    ):
        return True
    return content_type.startswith("application/octet-stream") and head.lstrip()[:1] not in (b"<", b"{", b"[")


def check_name(name: object) -> str:
    if not isinstance(name, str):
        raise InvalidArgumentError(f"a name to search for must be a string, not {type(name).__name__}")
    if not name.strip():
        raise InvalidArgumentError("the name to search for is empty", hint="give at least one character")
    if any(ord(ch) < 32 for ch in name):
        raise InvalidArgumentError("the name to search for contains control characters")
    if len(name.strip()) > MAX_SEARCH_NAME:
        raise InvalidArgumentError(
            f"the name to search for is longer than {MAX_SEARCH_NAME} characters ({len(name.strip())})",
            hint="search for a part of the name",
        )
    return name.strip()


# -- the core -------------------------------------------------------------------------------------


@dataclass
class Core:
    """Settings plus the operation generators. One per immiche client."""

    server: ServerURL
    retry: RetryPolicy
    max_bytes: int
    timeout: Timeout = field(default_factory=Timeout)
    secrets: tuple[str, ...] = field(default=(), repr=False)
    """Credentials to keep out of errors, even when a server echoes them back."""
    sleep_clock: Callable[[], float] = time.monotonic
    warned: bool = field(default=False)

    # ---- plumbing

    def build(self, api: AuthenticatedClient | PublicClient, operation: _contract.Operation, **args: Any) -> Send:
        """Build the request of ``operation`` with its generated endpoint's ``_get_kwargs``."""
        kwargs = api.request_kwargs(operation.endpoint()._get_kwargs(**args))
        kwargs.pop("follow_redirects", None)
        auth = kwargs.pop("auth", None)
        return Send(
            method=kwargs.pop("method").upper(),
            url=kwargs.pop("url"),
            options=kwargs,
            auth=auth,
            max_bytes=self.max_bytes,
            label=f"{operation.method} {operation.path}",
        )

    def scrub(self, error: ImmichError, *extra: str) -> ImmichError:
        """``error`` without this client's credentials (or ``extra`` ones) in any of its texts."""
        return redact_error(error, (*self.secrets, *extra))

    def _attempt(self, send: Send, deadline: float | None) -> Send:
        """``send`` for one attempt: the client's timeouts, none longer than what is left."""
        timeout = send.options.get("timeout")
        if not isinstance(timeout, httpx.Timeout):  # e.g. discovery's request, built here
            t = self.timeout
            timeout = httpx.Timeout(connect=t.connect, read=t.read, write=t.read, pool=t.read)
        if deadline is not None:
            left = max(0.001, deadline - self.sleep_clock())
            timeout = httpx.Timeout(
                connect=min(timeout.connect or left, left),
                read=min(timeout.read or left, left),
                write=min(timeout.write or left, left),
                pool=min(timeout.pool or left, left),
            )
        return replace(send, options={**send.options, "timeout": timeout}, deadline=deadline)

    def call(self, send: Send, *, idempotent: bool = True) -> Steps[Reply]:
        """Send with retries; return the final reply (any status) or raise a transport error.

        The whole of it, retries and waits included, ends within ``timeout.total``.
        """
        started = self.sleep_clock()
        deadline = None if self.timeout.total is None else started + self.timeout.total
        attempt = 0
        while True:
            outcome = yield self._attempt(send, deadline)
            retry_after: str | None = None
            if isinstance(outcome, ImmichError):  # e.g. the output file could not be written
                raise outcome
            if isinstance(outcome, Exception):
                if not (idempotent and retryable_transport(outcome)) or not self._may_retry(
                    attempt, started, None, deadline
                ):
                    raise transport_error(outcome, send.label, self.server.base) from outcome
            elif isinstance(outcome, Reply):
                if not (idempotent and outcome.status_code in self.retry.retry_statuses):
                    return outcome
                retry_after = outcome.headers.get("retry-after")
                if not self._may_retry(attempt, started, retry_after, deadline):
                    return outcome
            else:  # pragma: no cover (drivers always answer a Send)
                raise TypeError(f"unexpected outcome {outcome!r}")
            attempt += 1
            yield Sleep(self.retry.delay(attempt, retry_after))

    def _may_retry(self, attempt: int, started: float, retry_after: str | None, deadline: float | None) -> bool:
        if attempt >= self.retry.max_retries:
            return False
        from immiche._config import parse_retry_after

        asked = parse_retry_after(retry_after)
        if asked is not None and asked > self.retry.max_backoff:
            return False  # the server asks for a longer wait than we are willing to block
        planned = asked if asked is not None else self.retry.backoff * (2**attempt)
        now = self.sleep_clock()
        if deadline is not None and now + planned >= deadline:
            return False  # no time left for another attempt
        return now - started + planned <= self.retry.max_total

    def check_status(self, send: Send, reply: Reply) -> None:
        """Raise the matching immiche error unless the reply is a 2xx."""
        if 200 <= reply.status_code < 300:
            return
        method, _, path = send.label.partition(" ")
        if 300 <= reply.status_code < 400:
            raise self._redirect_error(reply, method, path)
        raise error_from_response(reply.status_code, reply.content, reply.headers, method=method, path=path)

    def _redirect_error(self, reply: Reply, method: str, path: str) -> UnexpectedRedirectError:
        location = reply.headers.get("location", "")
        suggested: str | None = None
        target = httpx.URL(self.server.base).join(location) if location else None
        own = httpx.URL(self.server.base)
        if target is not None and own.scheme == "http" and target.scheme == "https" and target.host == own.host:
            port = f":{target.port}" if target.port not in (None, 443) else ""
            suggested = f"https://{target.host}{port}{own.path.rstrip('/')}"
            hint = f"the server moved to HTTPS: use {suggested} as the server URL"
        else:
            hint = "use the final address as the server URL; immiche never follows redirects with your credential"
        return UnexpectedRedirectError(
            f"the server redirects ({reply.status_code}) to {target or 'another address'}",
            location=str(target or location),
            suggested_url=suggested,
            hint=hint,
            method=method,
            path=path,
        )

    @staticmethod
    def invalid(send: Send, reply: Reply, message: str, hint: str | None = None) -> InvalidResponseError:
        """The error for an answer that is not what Immich sends."""
        method, _, path = send.label.partition(" ")
        return InvalidResponseError(message, status_code=reply.status_code, hint=hint, method=method, path=path)

    def parse_json(self, send: Send, reply: Reply) -> Any:
        """The reply's JSON body, checked for status, size and content type."""
        self.check_status(send, reply)
        if reply.too_large:
            raise self.invalid(
                send,
                reply,
                f"the answer is larger than {send.max_bytes} bytes",
                "this is not what Immich sends; check the server URL",
            )
        try:
            return json.loads(reply.content)
        except (ValueError, UnicodeDecodeError):
            kind = "an HTML page" if reply.content.lstrip()[:1] == b"<" else "a body that is not JSON"
            raise self.invalid(
                send,
                reply,
                f"the server answered {kind}, not Immich's JSON",
                "check that the server URL points at Immich, not at a proxy or another web app",
            ) from None

    def parse_model(self, send: Send, reply: Reply, model_name: str) -> Any:
        """Parse the reply with the generated model ``model_name`` (wrong shapes raise clearly)."""
        body = self.parse_json(send, reply)
        from immich_client import models

        model = getattr(models, model_name)
        try:
            if not isinstance(body, dict):
                raise TypeError(f"expected a JSON object, got {type(body).__name__}")
            parsed = model.from_dict(body)
            _contract.require_read_fields(model_name, parsed)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise self._shape_error(send, reply, model_name, err) from None
        return parsed

    def _shape_error(self, send: Send, reply: Reply, model_name: str, err: Exception) -> InvalidResponseError:
        what = f"the field {err.args[0]!r} is missing" if isinstance(err, KeyError) and err.args else str(err)
        return self.invalid(
            send,
            reply,
            f"the answer does not fit {model_name}: {what}",
            "the server may run an Immich version this immiche does not support; see 'immiche server info'",
        )

    # ---- discovery

    def discover(self, public: Callable[[str], PublicClient]) -> Steps[tuple[str, ServerVersion]]:
        """Find and confirm the API root like the official apps do; return it with the version.

        ``GET <server>/.well-known/immich`` announces the API endpoint; it is confirmed with
        ``/server/ping``, falling back to ``<server>/api``. No credential is sent until then.
        """
        candidates: list[str] = []
        well_known = Send("GET", self.server.well_known, {}, max_bytes=65536, label="GET /.well-known/immich")
        reply = yield from self.call(well_known)
        if 300 <= reply.status_code < 400:
            raise self._redirect_error(reply, "GET", "/.well-known/immich")
        if reply.status_code == 200:
            try:
                announced = api_root_from_well_known(self.server, json.loads(reply.content))
            except (ValueError, UnicodeDecodeError, ImmichError):
                announced = None
            if announced:
                candidates.append(announced)
        if self.server.fallback_api_root not in candidates:
            candidates.append(self.server.fallback_api_root)
        last: ImmichError | None = None
        for root in candidates:
            ping = self.build(public(root), _contract.PING)
            reply = yield from self.call(ping)
            if 300 <= reply.status_code < 400:
                raise self._redirect_error(reply, "GET", "/server/ping")
            try:
                pong = self.parse_model(ping, reply, "ServerPingResponse")
            except ImmichError as err:
                last = err
                continue
            if isinstance(getattr(pong, "res", None), str):  # Immich answers {"res": "pong"}
                version = yield from self.server_version(public(root))
                return root, version
        raise InvalidResponseError(
            f"{self.server.base} does not answer as an Immich server",
            hint="check the URL: it should be the address you open Immich at (e.g. http://host:2283)",
            status_code=getattr(last, "status_code", None),
        )

    def warn_if_untested(self, version: ServerVersion, pinned: str) -> None:
        """Warn once when the server is outside the version range the facade is tested against."""
        (low, high) = _contract.TESTED_RANGE
        if self.warned or _contract.is_tested(version.major, version.minor):
            return
        self.warned = True
        warnings.warn(
            ImmichVersionWarning(
                f"the Immich server at {self.server.base} runs {version}, outside the versions immiche is "
                f"tested against (v{'.'.join(map(str, low))} to v{'.'.join(map(str, high))}.x; its immich_client "
                f"is generated from Immich v{pinned}). Most calls keep working; to know, check that release's "
                f"OpenAPI document (open-api/immich-openapi-specs.json at tag {version}) with "
                f"'python -m immiche.compat <that file>'; from an immiche checkout, "
                f"'scripts/regen.sh --version {version}' also regenerates the client."
            ),
            stacklevel=4,
        )

    # ---- operations

    def server_version(self, public: PublicClient) -> Steps[ServerVersion]:
        send = self.build(public, _contract.VERSION)
        reply = yield from self.call(send)
        model = self.parse_model(send, reply, "ServerVersionResponseDto")
        numbers = (model.major, model.minor, model.patch)
        if not all(type(n) is int for n in numbers):  # not bool, float (1e400 is inf), str, None
            shown = ", ".join(repr(n)[:20] for n in numbers)
            raise self.invalid(
                send,
                reply,
                f"the server's version is not three whole numbers ({shown})",
                "this is not what Immich sends; check the server URL",
            )
        return ServerVersion(*numbers)

    def ping(self, public: PublicClient) -> Steps[bool]:
        """True when the server answers ``{"res": "pong"}``; False when it answers anything else
        (an error status, another body); connection failures raise."""
        send = self.build(public, _contract.PING)
        reply = yield from self.call(send)
        try:
            return self.parse_model(send, reply, "ServerPingResponse").res == "pong"  # type: ignore[no-any-return]
        except (InvalidResponseError, APIStatusError, UnexpectedRedirectError):
            return False

    def whoami(self, api: AuthenticatedClient) -> Steps[User]:
        send = self.build(api, _contract.ME)
        reply = yield from self.call(send)
        return User.from_model(self.parse_model(send, reply, "UserAdminResponseDto"))

    def login(self, public: PublicClient, email: str, password: str) -> Steps[LoginResult]:
        from immich_client.models import LoginCredentialDto

        send = self.build(public, _contract.LOGIN, body=LoginCredentialDto(email=email, password=password))
        reply = yield from self.call(send, idempotent=False)
        return LoginResult.from_model(self.parse_model(send, reply, "LoginResponseDto"), self.server.base)

    def logout(self, api: AuthenticatedClient) -> Steps[bool]:
        send = self.build(api, _contract.LOGOUT)
        reply = yield from self.call(send, idempotent=False)
        return bool(self.parse_model(send, reply, "LogoutResponseDto").successful)

    def people_pages(self, api: AuthenticatedClient, *, with_hidden: bool, page_size: int) -> Steps[None]:
        """Emit ``(total, hidden, [Person, ...])`` for each page until the last one.

        Pages are read straight from their JSON with :meth:`Person.from_json` (what
        ``PeopleResponseDto.from_dict`` + :meth:`Person.from_model` would give, ten times faster),
        so listing 10,000 people costs little more than decoding the JSON.
        """
        if isinstance(page_size, bool) or not isinstance(page_size, int) or not 1 <= page_size <= PAGE_SIZE:
            raise InvalidArgumentError(f"page_size must be an integer from 1 to {PAGE_SIZE}, not {page_size!r}")
        page, listed, previous_first = 1, 0, None
        most = max(1, min(MAX_PAGES, math.ceil(10**15 / page_size)))
        from_json = Person.from_json
        while True:
            send = self.build(api, _contract.PEOPLE, page=page, size=page_size, with_hidden=with_hidden)
            reply = yield from self.call(send)
            body = self.parse_json(send, reply)
            try:
                if not isinstance(body, dict):
                    raise TypeError(f"expected a JSON object, got {type(body).__name__}")
                items = body["people"]
                if not isinstance(items, list):
                    raise TypeError("'people' is not a list")
                total, hidden = page_counts(body)
                people = [from_json(item) for item in items]
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                raise self._shape_error(send, reply, "PeopleResponseDto", err) from None
            yield Emit((total, hidden, people))
            listed += len(people)
            has_next = body.get("hasNextPage")
            if not isinstance(has_next, bool):  # servers before v1.110 do not say: a full page may have more
                has_next = len(people) == page_size
            # `total` counts every person that can be listed (and more), so once that many have
            # arrived there is nothing left: this also ends a server that always says hasNextPage.
            if not has_next or not people or listed >= total:
                return
            # A page that starts like the previous one, or more pages than `total` allows: the server
            # (or a cache ignoring the query) repeats itself and would be paged forever.
            if people[0].id == previous_first or page > total // page_size + 1:
                raise self.invalid(
                    send,
                    reply,
                    f"the server answered page {page} with people it had already sent",
                    "a proxy or cache in front of Immich may be ignoring the page parameter",
                )
            if page >= most:
                raise self.invalid(
                    send,
                    reply,
                    f"the server still has more people after {page} pages ({listed} people; it claims {total})",
                    f"immiche reads at most {MAX_PAGES} pages per listing; use a larger page_size",
                )
            previous_first = people[0].id
            page += 1

    def fetch_people(self, api: AuthenticatedClient, *, with_hidden: bool) -> Steps[PeopleResponse]:
        people: list[Person] = []
        total = hidden = 0
        pages = self.people_pages(api, with_hidden=with_hidden, page_size=PAGE_SIZE)
        outcome: Outcome = None
        while True:
            try:
                effect = pages.send(outcome)
            except StopIteration:
                break
            if isinstance(effect, Emit):
                total, hidden, page = effect.value
                people.extend(page)
                outcome = None
            else:
                outcome = yield effect
        return PeopleResponse(total=total, visible=max(0, total - hidden), hidden=hidden, people=tuple(people))

    def search_person(self, api: AuthenticatedClient, name: str, *, with_hidden: bool) -> Steps[list[Person]]:
        send = self.build(api, _contract.SEARCH, name=check_name(name), with_hidden=with_hidden)
        reply = yield from self.call(send)
        body = self.parse_json(send, reply)
        from immich_client.models import PersonResponseDto

        try:
            if not isinstance(body, list):
                raise TypeError(f"expected a JSON array, got {type(body).__name__}")
            found = [PersonResponseDto.from_dict(item) for item in body]
            for parsed in found:
                _contract.require_read_fields("PersonResponseDto", parsed)
            return [Person.from_model(parsed) for parsed in found]
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise self._shape_error(send, reply, "[PersonResponseDto]", err) from None

    def fetch_person(self, api: AuthenticatedClient, person_id: str) -> Steps[Person]:
        send = self.build(api, _contract.PERSON, id=check_person_id(person_id))
        reply = yield from self.call(send)
        return Person.from_model(self.parse_model(send, reply, "PersonResponseDto"))

    def fetch_thumbnail(self, api: AuthenticatedClient, person_id: str) -> Steps[bytes]:
        send = self.build(api, _contract.THUMBNAIL, id=check_person_id(person_id))
        reply = yield from self.call(send)
        self._check_thumbnail(send, reply)
        return reply.content

    def download_thumbnail(
        self, api: AuthenticatedClient, person_id: str, output_path: str | os.PathLike[str]
    ) -> Steps[Path]:
        person = check_person_id(person_id)  # before anything is created on disk
        send = self.build(api, _contract.THUMBNAIL, id=person)
        send.sink = target = prepare_output(output_path)
        send.sink_max_bytes = DEFAULT_MAX_DOWNLOAD_BYTES  # errors and non-images: max_bytes, in memory
        reply = yield from self.call(send)
        self._check_thumbnail(send, reply)
        return target

    def _check_thumbnail(self, send: Send, reply: Reply) -> None:
        """Raise unless the reply is an image (a sink only ever receives image answers)."""
        self.check_status(send, reply)
        if reply.too_large:
            limit = send.sink_max_bytes if send.sink is not None else send.max_bytes
            raise self.invalid(
                send,
                reply,
                f"the thumbnail is larger than {limit} bytes"
                + ("" if send.sink is not None else "; use download_thumbnail() to stream it"),
            )
        if send.sink is not None:  # the driver streamed it only if it was a 200 that looks like an image
            image = reply.written > 0
        else:
            image = reply.status_code == 200 and looks_like_image(reply.headers, reply.content[:IMAGE_SNIFF_BYTES])
        if image:
            return
        content_type = reply.headers.get("content-type", "").split(";")[0].strip()[:60]
        if not reply.content:
            what = f"answered {reply.status_code} with an empty body"
        elif reply.status_code != 200:
            what = f"answered {reply.status_code}"
        elif not is_image_answer(reply.headers):
            what = f"sent {content_type!r}"
        else:
            what = f"sent something that is not an image ({content_type or 'no content type'})"
        raise self.invalid(
            send, reply, f"the server {what} instead of an image", "check that the server URL points at Immich"
        )
