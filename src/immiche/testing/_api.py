"""The Immich API the fake implements: routing, authentication and shared answers, free of I/O.

:class:`Api` turns an :class:`ApiRequest` into a :class:`RouteAnswer`; the HTTP layer does the rest.
The endpoints live in ``_routes/`` by area; which exist, and how they answer, follows from the
imitated release's :class:`~immiche.testing._modes.Mode`. Checks run in Immich's order: unknown
route 404, then 401, 403 (API key permission), 400 (validation), 400 (access), then the
endpoint's own errors.
"""

from __future__ import annotations

import threading

from immiche.testing._errors import Issue, Version, dumps, error_body, validation_body
from immiche.testing._models import FakePerson
from immiche.testing._modes import Mode
from immiche.testing._routes import all_routes
from immiche.testing._routes.server import about_body, version_body
from immiche.testing._routing import ANY, JSON, PUBLIC, ApiRequest, Route, RouteAnswer, find_credential
from immiche.testing._state import Auth, ImmichState
from immiche.testing._validation import check_uuid

__all__ = ["JSON", "Api", "ApiRequest", "RouteAnswer", "find_credential"]

_NOT_FOUND = "Not found or no person.read access"


class Api:
    """The fake Immich API of one server.

    Example::

        api = Api(state, Mode.parse("3.1.0"), (3, 1, 0), max_page_size=1000)
        reply = api.handle(ApiRequest("GET", "/api/server/ping", "", {}, {}, b"", "abcd1234"))
    """

    def __init__(
        self, state: ImmichState, mode: Mode, server_version: tuple[int, int, int], *, max_page_size: int
    ) -> None:
        self.state = state
        self.mode = mode
        self.server_version = server_version
        self.max_page_size = max_page_size
        self.version_json = version_body(mode, server_version)
        self.about_json = about_body(mode, server_version)
        self._routes: list[Route] = all_routes(mode)
        self._lock = threading.Lock()  # one handler at a time: they read and change shared state

    @property
    def dialect(self) -> Version:
        """The error format: ``"v2"`` or ``"v3"``."""
        return self.mode.dialect

    # -- dispatch --------------------------------------------------------------------------

    def handle(self, request: ApiRequest) -> RouteAnswer:
        """Answer a request whose path starts with ``/api/``."""
        parts = request.path[len("/api/") :].split("/")
        if len(parts) > 1 and parts[-1] == "":
            parts.pop()  # Express's non-strict routing ignores one trailing slash
        method = "GET" if request.method == "HEAD" else request.method
        for route in self._routes:
            params = route.match(parts)
            if params is not None and route.method == method:
                return self._run(route, request, params)
        target = request.path + (f"?{request.query_string}" if request.query_string else "")
        return self.error(request, 404, f"Cannot {request.method} {target}")

    def _run(self, route: Route, request: ApiRequest, params: dict[str, str]) -> RouteAnswer:
        if route.permission == PUBLIC:
            reply = route.handler(self, request, None, params)
        else:
            auth = self.state.authenticate(find_credential(request.headers, request.query))
            if isinstance(auth, str):
                reply = self.error(request, 401, auth)
            elif route.permission != ANY and not auth.allows(route.permission):
                reply = self.error(request, 403, f"Missing required permission: {route.permission}")
            else:
                with self._lock:
                    reply = route.handler(self, request, auth, params)
        reply.template = route.template
        return reply

    # -- answers ---------------------------------------------------------------------------

    def error(self, request: ApiRequest, status: int, message: str, *, with_error: bool = True) -> RouteAnswer:
        """An error answer in this server's dialect."""
        return RouteAnswer(
            status, dumps(error_body(self.dialect, status, message, request.correlation_id, with_error=with_error))
        )

    def invalid(self, request: ApiRequest, issues: list[Issue | None]) -> RouteAnswer | None:
        """The 400 answer for the failed validations among ``issues``, or ``None``."""
        found = [issue for issue in issues if issue is not None and (self.dialect == "v3" or issue.v2)]
        if not found:
            return None
        return RouteAnswer(400, dumps(validation_body(self.dialect, found, request.correlation_id)))

    def owned_person(
        self, request: ApiRequest, auth: Auth, person_id: str, *, serving_file: bool = False
    ) -> FakePerson | RouteAnswer:
        """The caller's person, or the 400 answer (malformed id, or not found / not theirs).

        ``serving_file``: the thumbnail route, whose access errors carry ``Cache-Control: none``
        (and, from v3.1, are a 404 ``Not Found``: sendFile turns every error into one).
        """
        invalid = self.invalid(request, [check_uuid("id", person_id)])
        if invalid is not None:
            return invalid
        person = self.state.people.get(person_id)  # exact match: an upper-case copy is "not found"
        if person is None or person.owner != auth.user.id:
            if serving_file and self.mode.thumbnail_access_404:
                reply = self.error(request, 404, "Not Found", with_error=False)
            else:
                reply = self.error(request, 400, _NOT_FOUND)
            if serving_file:
                reply.headers.append(("Cache-Control", "none"))
            return reply
        return person
