"""The engine: build a declared operation's request, send it with retries, check and parse the answer.

Requests are built by the generated ``immich_client`` endpoints (``_get_kwargs`` plus the generated
client's ``request_kwargs``, which applies the API root, timeout, redirect policy and credential).
Whether a request may be retried comes only from its declared :class:`~immiche._contract.Operation`,
and so does the model its answer is parsed with.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from immiche import _contract
from immiche._config import RetryPolicy, Timeout, parse_retry_after
from immiche._engine.effects import Reply, Send, Sleep, Steps
from immiche._engine.transport import retryable_transport, transport_error
from immiche._http import httpx
from immiche._logs import log_decision, log_request
from immiche._url import ServerURL
from immiche.errors import (
    ImmichError,
    InvalidResponseError,
    UnexpectedRedirectError,
    error_from_response,
    redact_error,
)

if TYPE_CHECKING:
    from immich_client import AuthenticatedClient
    from immich_client import Client as PublicClient

__all__ = ["Engine"]

T = TypeVar("T")


def _declared(send: Send) -> str:
    response = send.operation.response if send.operation is not None else None
    return response or "the declared model"


def _object(item: object) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise TypeError(f"expected a JSON object, got {type(item).__name__}")
    return item


def _reason(status: int) -> str:
    """The reason phrase of a status code (``"OK"``), empty for an unknown one."""
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


@dataclass
class Engine:
    """Settings plus the request plumbing every operation uses. One per immiche client."""

    server: ServerURL
    retry: RetryPolicy
    max_bytes: int
    timeout: Timeout = field(default_factory=Timeout)
    secrets: tuple[str, ...] = field(default=(), repr=False)
    """Credentials to keep out of errors, even when a server echoes them back."""
    clock: Callable[[], float] = time.monotonic
    warned: bool = field(default=False)

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
            operation=operation,
            accept=operation.download,
            sink_max_bytes=operation.download.max_bytes if operation.download is not None else 0,
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
            left = max(0.001, deadline - self.clock())
            timeout = httpx.Timeout(
                connect=min(timeout.connect or left, left),
                read=min(timeout.read or left, left),
                write=min(timeout.write or left, left),
                pool=min(timeout.pool or left, left),
            )
        return replace(send, options={**send.options, "timeout": timeout}, deadline=deadline)

    def call(self, send: Send) -> Steps[Reply]:
        """Send with retries; return the final reply (any status) or raise a transport error.

        Only a request whose declared operation is idempotent is ever sent twice. The whole of it,
        retries and waits included, ends within ``timeout.total``.
        """
        idempotent = send.operation is not None and send.operation.idempotent is True
        started = self.clock()
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
                why = type(outcome).__name__
            elif isinstance(outcome, Reply):
                log_request(
                    send.method, send.url, outcome.status_code, _reason(outcome.status_code), send.options.get("params")
                )
                if not (idempotent and outcome.status_code in self.retry.retry_statuses):
                    return outcome
                retry_after = outcome.headers.get("retry-after")
                if not self._may_retry(attempt, started, retry_after, deadline):
                    log_decision("not retrying %s: %d and no retry left in the policy", send.label, outcome.status_code)
                    return outcome
                why = f"answered {outcome.status_code}"
            else:  # pragma: no cover (drivers always answer a Send)
                raise TypeError(f"unexpected outcome {outcome!r}")
            attempt += 1
            delay = self.retry.delay(attempt, retry_after)
            log_decision("retrying %s in %.2f s (attempt %d): %s", send.label, delay, attempt + 1, why)
            yield Sleep(delay)

    def _may_retry(self, attempt: int, started: float, retry_after: str | None, deadline: float | None) -> bool:
        if attempt >= self.retry.max_retries:
            return False
        asked = parse_retry_after(retry_after)
        if asked is not None and asked > self.retry.max_backoff:
            return False  # the server asks for a longer wait than we are willing to block
        planned = asked if asked is not None else self.retry.backoff * (2**attempt)
        now = self.clock()
        if deadline is not None and now + planned >= deadline:
            return False  # no time left for another attempt
        return now - started + planned <= self.retry.max_total

    def check_status(self, send: Send, reply: Reply) -> None:
        """Raise the matching immiche error unless the reply is a 2xx."""
        if 200 <= reply.status_code < 300:
            return
        method, _, path = send.label.partition(" ")
        if 300 <= reply.status_code < 400:
            raise self.redirect_error(reply, method, path)
        raise error_from_response(reply.status_code, reply.content, reply.headers, method=method, path=path)

    def redirect_error(self, reply: Reply, method: str, path: str) -> UnexpectedRedirectError:
        """The error for a redirect (immiche never follows one with a credential)."""
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
    def invalid_response_error(send: Send, reply: Reply, message: str, hint: str | None = None) -> InvalidResponseError:
        """The error for an answer that is not what Immich sends."""
        method, _, path = send.label.partition(" ")
        return InvalidResponseError(message, status_code=reply.status_code, hint=hint, method=method, path=path)

    def parse_json(self, send: Send, reply: Reply) -> Any:
        """The reply's JSON body, checked for status, size and content type."""
        self.check_status(send, reply)
        if reply.too_large:
            raise self.invalid_response_error(
                send,
                reply,
                f"the answer is larger than {send.max_bytes} bytes",
                "this is not what Immich sends; check the server URL",
            )
        try:
            return json.loads(reply.content)
        except (ValueError, UnicodeDecodeError):
            kind = "an HTML page" if reply.content.lstrip()[:1] == b"<" else "a body that is not JSON"
            raise self.invalid_response_error(
                send,
                reply,
                f"the server answered {kind}, not Immich's JSON",
                "check that the server URL points at Immich, not at a proxy or another web app",
            ) from None

    def parse(self, send: Send, reply: Reply) -> Any:
        """Parse the reply with the generated model its operation declares (``[Name]``: a list of them).

        Wrong shapes raise :class:`InvalidResponseError`, as do missing fields the facade reads.
        """
        assert send.operation is not None
        assert send.operation.response is not None
        declared = send.operation.response
        body = self.parse_json(send, reply)
        many = declared.startswith("[")
        model_name = declared.strip("[]")
        from immich_client import models

        model = getattr(models, model_name)
        try:
            if many and not isinstance(body, list):
                raise TypeError(f"expected a JSON array, got {type(body).__name__}")
            items = body if many else [body]
            parsed = []
            for item in items:
                if not isinstance(item, dict):
                    raise TypeError(f"expected a JSON object, got {type(item).__name__}")
                one = model.from_dict(item)
                _contract.require_read_fields(model_name, one)
                parsed.append(one)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise self.shape_error(send, reply, err) from None
        return parsed if many else parsed[0]

    def read(self, send: Send, reply: Reply, from_json: Callable[[dict[str, Any]], T]) -> T:
        """Read the reply with a facade value's tolerant ``from_json``.

        ``from_json`` raises ``KeyError``/``TypeError``/``ValueError`` for what it cannot read, which
        becomes :class:`InvalidResponseError` naming the declared model.
        """
        body = self.parse_json(send, reply)
        try:
            return from_json(_object(body))
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise self.shape_error(send, reply, err) from None

    def read_list(self, send: Send, reply: Reply, from_json: Callable[[dict[str, Any]], T]) -> list[T]:
        """Read a JSON array answer (declared ``[Name]``) item by item with ``from_json``; see :meth:`read`."""
        body = self.parse_json(send, reply)
        try:
            if not isinstance(body, list):
                raise TypeError(f"expected a JSON array, got {type(body).__name__}")
            return [from_json(_object(item)) for item in body]
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise self.shape_error(send, reply, err) from None

    def shape_error(self, send: Send, reply: Reply, err: Exception) -> InvalidResponseError:
        """The error for an answer that does not fit the model its operation declares."""
        model_name = _declared(send)
        what = f"the field {err.args[0]!r} is missing" if isinstance(err, KeyError) and err.args else str(err)
        return self.invalid_response_error(
            send,
            reply,
            f"the answer does not fit {model_name}: {what}",
            "the server may run an Immich version this immiche does not support; see 'immiche server info'",
        )
