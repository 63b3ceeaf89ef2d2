"""Contract checks: requests are sent to Prism, a mock server that validates them against the pinned spec.

How it works
------------
``make contract-deps`` installs the pinned ``@stoplight/prism-cli`` (see ``package.json`` and
``package-lock.json`` here) with ``npm ci``. The session-scoped ``prism`` fixture then

1. writes a copy of ``openapi/immich-openapi.json`` into a temporary directory with every path
   prefixed by ``/api``: Prism serves the spec's paths at the root and ignores its
   ``servers: [{url: /api}]`` entry, and the copy lets clients use the same URL logic as against a
   real server (server URL ``http://127.0.0.1:PORT``, API root ``http://127.0.0.1:PORT/api``);
2. starts ``node_modules/.bin/prism mock <copy> -h 127.0.0.1 -p <free port>`` in static mode (no
   ``-d``: answers are the spec's examples, or built from the schemas, and never random), with its
   output going to a log file, and waits until Prism says it listens and ``GET /api/server/ping``
   answers;
3. stops it at the end of the session by its process id (SIGTERM, then SIGKILL after 10 s).

Without ``node_modules`` the fixture fails (never skips) and says to run ``make contract-deps``.

Every response a test receives through ``prism_http`` goes through ``PrismGuard``: any answer with
status >= 400, and any request violation Prism only reports in its ``sl-violations`` header, fails
the test with Prism's own message, unless the request is made inside
``prism_guard.expect_rejection()``. Other modules can reuse ``assert_prism_accepts`` and
``PrismGuard`` (``from tests.contract.conftest import ...``); tests in this directory get the
``prism`` marker automatically.

Prism 5.14.2's observed behaviour (static mode, on the Immich 3.0.0 spec, unchanged on 3.2.2)
----------------------------------------------------------------------
- Security is enforced. A secured operation (``security: bearer | cookie | api_key``) without a
  credential answers 401 ``application/problem+json`` with type ``...#UNAUTHORIZED``, title
  "Invalid security scheme used" and a ``WWW-Authenticate: Bearer`` header; the 401 comes before
  any parameter validation, so an unauthenticated bad request is a 401, not a 422. Any non-empty
  ``x-api-key`` header, ``Authorization: Bearer <anything>`` or ``immich_access_token`` cookie is
  accepted (values are not checked); an empty ``x-api-key``, ``Authorization: Basic ...`` and a
  lower-case ``bearer`` scheme are refused with 401. Public operations (``/server/ping``,
  ``/server/version``, ``/auth/login``) need no credential. The spec's invalid ``in: header`` on
  the ``bearer`` scheme does not bother Prism.
- A request that violates the spec answers 422 ``application/problem+json``, type
  ``https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY``, title "Invalid request", with a
  ``validation`` list of ``{location, severity, code, message}`` naming each violated rule (e.g.
  ``["query", "size"]`` "Request query parameter size must be >= 1"; ``["path", "id"]`` "must match
  pattern ..."; ``["body", "takenAfter"]`` "must match pattern ..."). The spec declares no 4xx
  responses, so Prism always generates this 422 itself.
- Unknown path: 404 ``...#NO_PATH_MATCHED_ERROR``; known path, undeclared method: 405
  ``...#NO_METHOD_MATCHED_ERROR``.
- Valid requests get the operation's lowest 2xx status (201 for ``/auth/login``) with a body built
  from the spec's examples or schemas (``"string"``, ``0``, ``true``; integers at their minimum, so
  ``/server/version`` answers ``-9007199254740991`` for each part; the thumbnail is the 6 bytes
  ``string`` as ``application/octet-stream``).
- Prism also validates its own answers and reports problems in an ``sl-violations`` response header
  (e.g. ``/users/me``'s example ``license.licenseKey`` does not match the spec's pattern). Those have
  a ``response`` location, are about the spec's examples rather than our requests, and are ignored.
- The ids Prism accepts must match the spec's pattern, which only admits version-4 UUIDs.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from immich_client import AuthenticatedClient

CONTRACT_DIR = Path(__file__).resolve().parent
ROOT = CONTRACT_DIR.parent.parent
SPEC = ROOT / "openapi" / "immich-openapi.json"
PRISM_BIN = CONTRACT_DIR / "node_modules" / ".bin" / "prism"
API_PREFIX = "/api"
HOST = "127.0.0.1"
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
# Any value is accepted by Prism; this one only has to be non-empty.
FAKE_API_KEY = "prism-contract-test-key"


@dataclass(frozen=True)
class PrismServer:
    """A running Prism mock server."""

    url: str
    """The server URL a user would type, e.g. ``http://127.0.0.1:4010``."""
    api_url: str
    """The API root the generated client uses, ``url + "/api"``."""
    pid: int
    log_path: Path

    def log(self) -> str:
        """Prism's output so far (its start-up lines and one line per request)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


# --- Judging Prism's answers ------------------------------------------------------------------


def _describe_request(response: httpx.Response) -> str:
    request = response.request
    return f"{request.method} {request.url}"


def _format_violations(violations: Any) -> list[str]:
    lines = []
    for violation in violations if isinstance(violations, list) else []:
        if isinstance(violation, dict):
            location = ".".join(str(part) for part in violation.get("location", []))
            lines.append(f"  - [{violation.get('code', '?')}] {location}: {violation.get('message', violation)}")
        else:
            lines.append(f"  - {violation}")
    return lines


def request_violations_in_header(response: httpx.Response) -> list[dict[str, Any]]:
    """Request violations Prism reports in ``sl-violations`` (it also lists its own response problems)."""
    raw = response.headers.get("sl-violations")
    if not raw:
        return []
    try:
        violations = json.loads(raw)
    except ValueError:
        return [{"location": ["sl-violations"], "code": "unparsable", "message": raw}]
    return [
        v
        for v in violations
        if isinstance(v, dict) and not (isinstance(v.get("location"), list) and v["location"][:1] == ["response"])
    ]


def prism_rejection(response: httpx.Response) -> str | None:
    """Explain why Prism refused this request, or return None when Prism accepted it.

    A refusal is any status >= 400 (Prism only sends those for requests it judges invalid: 401
    missing credential, 404/405 unknown route, 422 spec violation) or a request violation in the
    ``sl-violations`` header. The explanation carries Prism's own title, detail and violated rules.
    """
    header_violations = request_violations_in_header(response)
    if response.status_code < 400 and not header_violations:
        return None
    response.read()
    lines = [f"Prism rejected {_describe_request(response)} with {response.status_code}"]
    try:
        problem = response.json()
    except ValueError:
        problem = None
    if isinstance(problem, dict):
        title = problem.get("title")
        if title:
            lines[0] += f": {title}"
        if problem.get("detail"):
            lines.append(f"  {problem['detail']}")
        lines.extend(_format_violations(problem.get("validation")))
    else:
        lines.append(f"  body: {response.text[:2000]!r}")
    if header_violations:
        lines.append("  request violations in sl-violations:")
        lines.extend(_format_violations(header_violations))
    return "\n".join(lines)


def prism_violation_codes(response: httpx.Response) -> list[tuple[str, str]]:
    """The ``(location, code)`` pairs of a Prism 422 answer, e.g. ``[("query.size", "minimum")]``."""
    response.read()
    problem = response.json()
    return [
        (".".join(str(p) for p in v.get("location", [])), str(v.get("code"))) for v in problem.get("validation", [])
    ]


def assert_prism_accepts(response: httpx.Response) -> None:
    """Fail the test with Prism's message unless Prism accepted the request behind ``response``."""
    __tracebackhide__ = True
    message = prism_rejection(response)
    if message is not None:
        pytest.fail(message, pytrace=False)


def assert_prism_rejects(response: httpx.Response) -> str:
    """Fail the test unless Prism refused the request; return Prism's explanation."""
    __tracebackhide__ = True
    message = prism_rejection(response)
    if message is None:
        pytest.fail(
            f"Prism accepted {_describe_request(response)} ({response.status_code}) but the test expected a rejection",
            pytrace=False,
        )
    return message


class PrismGuard:
    """An httpx response event hook: every request Prism refuses fails the test with Prism's message.

    Install it with ``httpx.Client(event_hooks={"response": [guard]})``. Requests that are meant to
    be refused go inside ``with guard.expect_rejection() as responses:``; the block fails unless
    Prism refused at least one of them, and ``responses`` lists every response seen inside it.
    """

    def __init__(self) -> None:
        self._expected: list[httpx.Response] | None = None

    def __call__(self, response: httpx.Response) -> None:
        __tracebackhide__ = True
        if self._expected is not None:
            response.read()
            self._expected.append(response)
            return
        assert_prism_accepts(response)

    @contextlib.contextmanager
    def expect_rejection(self) -> Iterator[list[httpx.Response]]:
        __tracebackhide__ = True
        if self._expected is not None:
            raise RuntimeError("expect_rejection() blocks do not nest")
        seen: list[httpx.Response] = []
        self._expected = seen
        try:
            yield seen
        finally:
            self._expected = None
        if not any(prism_rejection(r) is not None for r in seen):
            described = ", ".join(f"{_describe_request(r)} -> {r.status_code}" for r in seen) or "no request was sent"
            pytest.fail(f"expected Prism to reject a request, but it accepted every one: {described}", pytrace=False)


# --- Starting and stopping Prism ------------------------------------------------------------


def write_api_prefixed_spec(source: Path, target: Path, prefix: str = API_PREFIX) -> Path:
    """Write a copy of the spec at ``source`` with every path prefixed by ``prefix``; return ``target``."""
    spec = json.loads(source.read_text(encoding="utf-8"))
    spec["paths"] = {prefix + path: item for path, item in spec["paths"].items()}
    target.write_text(json.dumps(spec), encoding="utf-8")
    return target


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)


def _tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:]) or "(no output)"


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, log_path: Path) -> str | None:
    """Poll until Prism listens on ``url``; return None when ready, else why it is not."""
    banner = f"Prism is listening on {url}"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    with httpx.Client(timeout=2.0) as http:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return f"Prism exited with status {process.returncode} before it was ready"
            # The banner proves the answering server is ours, not another process on that port.
            if banner in log_path.read_text(encoding="utf-8", errors="replace"):
                try:
                    response = http.get(f"{url}{API_PREFIX}/server/ping")
                except httpx.TransportError:
                    pass
                else:
                    if response.status_code == 200:
                        return None
                    return f"GET {API_PREFIX}/server/ping answered {response.status_code}: {response.text[:500]}"
            time.sleep(0.1)
    return f"Prism did not answer on {url} within {STARTUP_TIMEOUT:.0f} s"


@contextlib.contextmanager
def run_prism(spec: Path, log_dir: Path, attempts: int = 3) -> Iterator[PrismServer]:
    """Run ``prism mock spec`` on a free port of 127.0.0.1 until the block ends."""
    __tracebackhide__ = True
    if not PRISM_BIN.exists():
        pytest.fail(
            f"Prism is not installed ({PRISM_BIN} is missing): run `make contract-deps`",
            pytrace=False,
        )
    for attempt in range(1, attempts + 1):
        port = _free_port()
        url = f"http://{HOST}:{port}"
        log_path = log_dir / f"prism-{port}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [str(PRISM_BIN), "mock", str(spec), "-h", HOST, "-p", str(port)],
                cwd=CONTRACT_DIR,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            problem = _wait_until_ready(process, url, log_path)
            if problem is None:
                yield PrismServer(url=url, api_url=url + API_PREFIX, pid=process.pid, log_path=log_path)
                return
        finally:
            _stop(process)
        # Another process may have taken the port between _free_port() and Prism's bind: retry.
        if "EADDRINUSE" in log_path.read_text(encoding="utf-8", errors="replace") and attempt < attempts:
            continue
        pytest.fail(f"{problem}\n--- Prism output ({log_path}) ---\n{_tail(log_path)}", pytrace=False)


# --- Fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def prism(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrismServer]:
    """Prism serving the pinned spec under ``/api``, started once per session."""
    workdir = tmp_path_factory.mktemp("prism")
    spec = write_api_prefixed_spec(SPEC, workdir / "immich-openapi-api-prefixed.json")
    with run_prism(spec, workdir) as server:
        yield server


@pytest.fixture
def prism_guard() -> PrismGuard:
    """The hook installed on ``prism_http``; use ``prism_guard.expect_rejection()`` for refused requests."""
    return PrismGuard()


@pytest.fixture
def prism_http(prism: PrismServer, prism_guard: PrismGuard) -> Iterator[httpx.Client]:
    """An ``httpx.Client`` whose every response is checked by ``prism_guard``."""
    with httpx.Client(base_url=prism.url, timeout=10.0, event_hooks={"response": [prism_guard]}) as http:
        yield http


@pytest.fixture
def prism_api(prism: PrismServer, prism_http: httpx.Client) -> AuthenticatedClient:
    """A generated-client ``AuthenticatedClient`` on Prism's API root with an API key, sending through ``prism_http``."""
    client = AuthenticatedClient(base_url=prism.api_url, token=FAKE_API_KEY, prefix="", auth_header_name="x-api-key")
    return client.set_httpx_client(prism_http)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/contract with ``prism`` (``-m "not prism"`` deselects them)."""
    for item in items:
        if CONTRACT_DIR in item.path.parents:
            item.add_marker(pytest.mark.prism)
