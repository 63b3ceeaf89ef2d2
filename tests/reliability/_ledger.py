"""The reliability suite's counters and its secret scanner.

One :class:`Ledger` lives for the whole pytest run. Every reliability test gets an
:class:`Outcome` (the ``outcome`` fixture) through which it records what it observed:

- ``outcome.clear_error(err)`` / ``outcome.raises(kind, fn)``: a library failure must be an
  :class:`immiche.ImmichError` with a one-line message; anything else counts as a *traceback*.
- ``outcome.cli_error(result, code)``: a CLI failure must exit with the documented code and say
  ``error: ...`` (and ``hint: ...``) on stderr, without a traceback or an "unexpected" error.
- ``outcome.data_intact(path, before)`` / ``outcome.no_partial_files(dir)``: a file that existed
  before a failed operation must still hold exactly its old bytes, and no temporary or partial
  file may be left; otherwise it counts as *data lost*.
- everything the library and the CLI print, log, raise and write outside the session files is
  collected and, at the end of each test, scanned for every credential the suite has handed out
  (API keys, login tokens, passwords); each occurrence counts as a *secret leaked*.

A recorded problem fails the test at once (or at its teardown for the scans), and the run as a
whole fails when any of the three "must be 0" counters is not 0.
"""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["LEDGER", "SYNTHETIC_SECRETS", "Ledger", "Outcome", "SecretIndex", "error_texts"]

E = TypeVar("E", bound=BaseException)

#: Made-up credentials, distinctive enough that any occurrence of them is a leak. They satisfy the
#: client's credential rules (printable ASCII, no spaces).
SYNTHETIC_SECRETS = {
    "api_key": "immicheRELapikey-Qz7Vw3Kp9Lm2Xc8BnT4d",
    "other_key": "immicheRELotherkey-Hs5Jd8Fq2Wv6Ry1PkM3",
    "token": "immicheRELtoken-Ux4Ne7Gc1Zb9Tm5QaY2w",
    "password": "immicheRELpassw0rd-Lp6Dv3Kx8Sj2Hq9Ww",
    "url_password": "immicheRELurlpass-Bm2Qr7Xz4Nc8Vt1Ke",
}

_WINDOW = 16
_ALPHABET_RUN = re.compile(rb"[A-Za-z0-9_\-]{%d,}" % _WINDOW)
_SECRET_CHARS = re.compile(r"[A-Za-z0-9_\-]+")


class SecretIndex:
    """Finds credentials in text: the whole value, or any 16-character piece of a long one.

    Credentials made of URL-safe characters (what Immich and the fake hand out) are indexed by
    every 16-character window, so a truncated or partially quoted key is found too; other ones
    are looked for whole.
    """

    def __init__(self) -> None:
        self._secrets: dict[str, str] = {}  # value -> label, in the order they were added
        self._windows: dict[bytes, str] = {}
        self._whole: list[tuple[bytes, str]] = []

    def __len__(self) -> int:
        return len(self._secrets)

    def __contains__(self, value: object) -> bool:
        return value in self._secrets

    def add(self, value: str, label: str) -> None:
        if not value or value in self._secrets:
            return
        self._secrets[value] = label
        raw = value.encode()
        if len(value) >= _WINDOW + 4 and _SECRET_CHARS.fullmatch(value):
            for start in range(len(raw) - _WINDOW + 1):
                self._windows.setdefault(raw[start : start + _WINDOW], label)
        else:
            self._whole.append((raw, label))

    def since(self, count: int) -> SecretIndex:
        """An index of the secrets added after the first ``count``."""
        newer = SecretIndex()
        for value, label in list(self._secrets.items())[count:]:
            newer.add(value, label)
        return newer

    def find(self, data: bytes) -> list[str]:
        """The labels of the credentials found in ``data``, one entry per occurrence."""
        found: list[str] = []
        if self._windows:
            for run in _ALPHABET_RUN.finditer(data):
                piece = run.group()
                start = 0
                while start + _WINDOW <= len(piece):
                    label = self._windows.get(piece[start : start + _WINDOW])
                    if label is None:
                        start += 1
                        continue
                    found.append(label)
                    # One occurrence: skip every following window that still matches (the rest
                    # of the same secret), then go on after the last one.
                    end = start + 1
                    while end + _WINDOW <= len(piece) and piece[end : end + _WINDOW] in self._windows:
                        end += 1
                    start = end + _WINDOW - 1
        for raw, label in self._whole:
            found.extend([label] * data.count(raw))
        return found


def error_texts(error: BaseException, _depth: int = 0) -> Iterator[str]:
    """What a user can see of an exception: str, repr, traceback, and the same for its chain."""
    yield str(error)
    yield repr(error)
    yield "".join(traceback.format_exception(type(error), error, error.__traceback__))
    for attribute in ("message", "hint", "location", "suggested_url", "server_message"):
        value = getattr(error, attribute, None)
        if isinstance(value, str):
            yield value
    if _depth < 10:
        for linked in (error.__cause__, error.__context__):
            if linked is not None:
                yield from error_texts(linked, _depth + 1)


@dataclass
class Ledger:
    """Counters of the whole run, the credentials handed out, and the problems found."""

    cases: int = 0
    clear_errors: int = 0
    tracebacks: int = 0
    data_lost: int = 0
    secrets_leaked: int = 0
    recovered: int = 0
    files_intact: int = 0
    texts_scanned: int = 0
    bytes_scanned: int = 0
    cli_runs: int = 0
    problems: list[str] = field(default_factory=list)
    secrets: SecretIndex = field(default_factory=SecretIndex)
    scanned_roots: list[tuple[Path, int]] = field(default_factory=list)
    """The trees scanned, with how many credentials were known then."""

    def __post_init__(self) -> None:
        for label, value in SYNTHETIC_SECRETS.items():
            self.secrets.add(value, f"synthetic {label}")

    @property
    def failed(self) -> bool:
        return bool(self.tracebacks or self.data_lost or self.secrets_leaked)

    def problem(self, text: str) -> None:
        self.problems.append(text)

    def scan(self, data: str | bytes, where: str, index: SecretIndex | None = None) -> int:
        raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
        self.texts_scanned += 1
        self.bytes_scanned += len(raw)
        found = (index or self.secrets).find(raw)
        if found:
            self.secrets_leaked += len(found)
            self.problem(f"secret leaked in {where}: {sorted(set(found))} x{len(found)}")
        return len(found)

    def scan_tree(self, root: Path, where: str, index: SecretIndex | None = None) -> int:
        """Scan every file under ``root`` except the session files (which hold credentials by design)."""
        leaks = 0
        for path in _files(root):
            if _is_session_file(path):
                continue
            try:
                data = path.read_bytes()
            except OSError:
                continue
            leaks += self.scan(data, f"{where}: file {path}", index)
        return leaks

    def rescan(self) -> int:
        """Scan the trees scanned so far again, for the credentials handed out since."""
        leaks = 0
        for root, known in self.scanned_roots:
            newer = self.secrets.since(known)
            if len(newer) and root.exists():
                leaks += self.scan_tree(root, "final re-scan", newer)
        return leaks

    def rows(self) -> list[tuple[str, int, bool]]:
        """(label, value, must be 0) for the summary table."""
        return [
            ("cases tried", self.cases, False),
            ("clear errors", self.clear_errors, False),
            ("tracebacks", self.tracebacks, True),
            ("data lost", self.data_lost, True),
            ("secrets leaked", self.secrets_leaked, True),
        ]


def _files(root: Path) -> Iterator[Path]:
    for directory, _, names in os.walk(root):
        for name in names:
            path = Path(directory, name)
            if path.is_file() and not path.is_symlink():
                yield path


def _is_session_file(path: Path) -> bool:
    """``profiles/<name>/session.json`` and the temporary files of its atomic saves."""
    return path.parent.parent.name == "profiles" and (
        path.name == "session.json" or (path.name.startswith(".session.json.") and path.name.endswith(".tmp"))
    )


LEDGER = Ledger()


class Outcome:
    """What one reliability test observed; see the module docstring."""

    def __init__(self, ledger: Ledger, name: str) -> None:
        self.ledger = ledger
        self.name = name
        self.texts: list[tuple[str, str]] = []
        self.roots: list[Path] = []
        self.servers: list[Any] = []
        self.scanned = False

    # -- secrets --

    def secret(self, value: str, label: str = "credential") -> str:
        """Register a credential to watch for; returns it."""
        self.ledger.secrets.add(value, label)
        return value

    def watch_server(self, server: Any) -> None:
        """Watch a FakeImmichServer's API keys and passwords now, and its login tokens at the end."""
        for name, key in server.api_keys.items():
            self.secret(key, f"api key {name!r}")
        for user in server.users:
            self.secret(user.password, f"password of {user.email}")
        self.servers.append(server)

    def saw(self, text: str | bytes, where: str) -> None:
        """Something the library or CLI printed, logged or raised: scanned at the end of the test."""
        if isinstance(text, bytes):
            text = text.decode("latin-1")
        self.texts.append((where, text))

    def scan_files(self, root: Path) -> None:
        """Scan every file under ``root`` (but session files) at the end of the test."""
        self.roots.append(root)

    def finish_scan(self) -> int:
        """Harvest login tokens, then scan everything collected; returns the leaks found."""
        for server in self.servers:
            for response in server.responses:
                body = response.body
                if isinstance(body, dict) and isinstance(body.get("accessToken"), str):
                    self.secret(body["accessToken"], "login token")
        leaks = 0
        for where, text in self.texts:
            leaks += self.ledger.scan(text, f"{self.name}: {where}")
        for root in self.roots:
            if root.exists():
                leaks += self.ledger.scan_tree(root, self.name)
                self.ledger.scanned_roots.append((root, len(self.ledger.secrets)))
        self.texts.clear()
        self.scanned = True
        return leaks

    # -- errors --

    def clear_error(
        self, error: BaseException, kind: type[BaseException] | tuple[type[BaseException], ...] | None = None
    ) -> BaseException:
        """Check that a library failure is a clear immiche error (and of ``kind``); count it."""
        from immiche.errors import ImmichError

        for text in error_texts(error):
            self.saw(text, f"exception {type(error).__name__}")
        text = str(error)
        if not isinstance(error, ImmichError):
            self.ledger.tracebacks += 1
            self.ledger.problem(f"{self.name}: not an immiche error: {type(error).__module__}.{type(error).__name__}")
            raise AssertionError(f"expected an immiche error, got {type(error).__name__}: {text}") from error
        if not text.strip() or "\n" in text or "Traceback" in text:
            self.ledger.tracebacks += 1
            self.ledger.problem(f"{self.name}: unclear error text {text!r}")
            raise AssertionError(f"the error is not one clear line: {text!r}")
        if kind is not None and not isinstance(error, kind):
            raise AssertionError(f"expected {kind!r}, got {type(error).__name__}: {text}") from error
        self.ledger.clear_errors += 1
        return error

    def raises(self, kind: type[E] | tuple[type[E], ...], call: Callable[..., Any], *args: Any, **kwargs: Any) -> E:
        """Run ``call``; it must fail with a clear immiche error of ``kind``, which is returned."""
        try:
            result = call(*args, **kwargs)
        except Exception as error:
            self.clear_error(error, kind)
            return error  # type: ignore[return-value]
        raise AssertionError(f"{getattr(call, '__name__', call)} did not fail; it returned {result!r}")

    def reported_error(self, kind: str | None, message: str | None, expected: type[BaseException]) -> None:
        """A library error observed in a subprocess, by its class name and message."""
        import immiche.errors

        found = getattr(immiche.errors, kind or "", None)
        if not (isinstance(found, type) and issubclass(found, immiche.errors.ImmichError)):
            self.ledger.tracebacks += 1
            self.ledger.problem(f"{self.name}: not an immiche error in a subprocess: {kind}: {message}")
            raise AssertionError(f"expected an immiche error, got {kind}: {message}")
        if not message or "\n" in message or not issubclass(found, expected):
            raise AssertionError(f"expected a one-line {expected.__name__}, got {kind}: {message!r}")
        self.saw(message, f"{kind} in a subprocess")
        self.ledger.clear_errors += 1

    def cli_error(self, result: Any, code: int, *, contains: str | None = None) -> list[str]:
        """Check that a CLI run failed clearly with exit ``code``; returns its ``error:`` lines."""
        lines = result.err.splitlines()
        errors = [line for line in lines if line.startswith("error: ")]
        if "Traceback (most recent call last)" in result.err or any(
            line.startswith("error: unexpected ") for line in errors
        ):
            self.ledger.tracebacks += 1
            self.ledger.problem(f"{self.name}: CLI crash for {list(result.args)}: {result.err[-300:]!r}")
            raise AssertionError(f"the CLI crashed: {result!r}")
        if not errors or result.code != code:
            raise AssertionError(f"expected a clear error with exit code {code}: {result!r}")
        allowed = ("error: ", "hint: ", "warning: ", "note: ", "Downloaded ")
        stray = [line for line in lines if line.strip() and not line.startswith(allowed)]
        if stray:
            raise AssertionError(f"unexpected stderr lines {stray!r}: {result!r}")
        if contains is not None and not any(contains in line for line in errors):
            raise AssertionError(f"no error line says {contains!r}: {result!r}")
        self.ledger.clear_errors += 1
        return errors

    def traceback_seen(self, where: str, detail: str) -> None:
        self.ledger.tracebacks += 1
        self.ledger.problem(f"{self.name}: traceback in {where}: {detail[-300:]!r}")

    # -- data --

    def data_intact(self, path: Path, before: bytes) -> None:
        """``path`` must still hold exactly ``before``."""
        now: bytes | None
        try:
            now = path.read_bytes()
        except OSError as error:
            now, reason = None, f"it is gone ({error.strerror})"
        else:
            reason = f"it changed ({len(before)} -> {len(now)} bytes)"
        if now != before:
            self.ledger.data_lost += 1
            self.ledger.problem(f"{self.name}: data lost at {path}: {reason}")
            raise AssertionError(f"{path}: {reason}")
        self.ledger.files_intact += 1

    def no_partial_files(self, directory: Path, allowed: Iterable[str] = ()) -> None:
        """No temporary or unexpected file may be left in ``directory`` (recursively)."""
        keep = set(allowed)
        stray = sorted(
            str(path.relative_to(directory))
            for path in _files(directory)
            if str(path.relative_to(directory)) not in keep and path.name not in keep
        )
        if stray:
            self.ledger.data_lost += 1
            self.ledger.problem(f"{self.name}: partial or stray files left in {directory}: {stray}")
            raise AssertionError(f"partial or stray files left in {directory}: {stray}")

    def recovered(self) -> None:
        """A fault was survived: the operation was retried and succeeded."""
        self.ledger.recovered += 1
