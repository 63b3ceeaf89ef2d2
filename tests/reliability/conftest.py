"""Fixtures, counters and the summary table of the reliability and security suite.

Every test here gets an :class:`~tests.reliability._ledger.Outcome` (``outcome``, autouse) that
counts what it observed. During each test the loggers of immiche, httpx and httpcore log at DEBUG
into the ledger (CLI subprocesses log to files, see ``_sitecustomize``), the temporary directory
is redirected into the test's own ``tmp_path``, and at the end everything printed, logged, raised
or written there (session files aside) is scanned for every credential handed out so far.

At the end of the run a table is printed (also when the whole suite runs), and the run fails
when tracebacks, data lost or secrets leaked is not 0, even if every test passed.
"""

from __future__ import annotations

import logging
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from immiche.testing import FakeImmichServer
from tests.reliability._ledger import LEDGER, Outcome

HERE = Path(__file__).resolve().parent
SITECUSTOMIZE = HERE / "_sitecustomize"
ServerFactory = Callable[..., FakeImmichServer]

_PASSTHROUGH = (AssertionError, pytest.fail.Exception, pytest.skip.Exception, pytest.xfail.Exception)


def _ours(item: pytest.Item) -> bool:
    return HERE in Path(str(item.path)).resolve().parents


# -- logging at DEBUG into the ledger --------------------------------------------------------------


class _LogCapture(logging.Handler):
    def __init__(self, outcome: Outcome) -> None:
        super().__init__(logging.DEBUG)
        self.outcome = outcome
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.outcome.saw(self.format(record), f"log {record.name}")
        except Exception:  # pragma: no cover
            self.handleError(record)


@pytest.fixture(autouse=True)
def outcome(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Outcome]:
    """The test's observations; see tests/reliability/_ledger.py."""
    LEDGER.cases += 1
    observed = Outcome(LEDGER, request.node.nodeid)
    handler = _LogCapture(observed)
    loggers = [logging.getLogger(name) for name in ("immiche", "httpx", "httpcore")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))  # in-process temporary files land here
    monkeypatch.setenv("TMPDIR", str(temp))
    observed.scan_files(tmp_path)
    try:
        yield observed
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)
    leaks = observed.finish_scan()
    if leaks:
        pytest.fail(f"{leaks} secret(s) leaked: " + "; ".join(LEDGER.problems[-5:]), pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Count exceptions other than assertion failures escaping a test as tracebacks, and scan
    what pytest captured (stdout and stderr) for credentials."""
    report_outcome: Any = yield
    if not _ours(item):
        return
    report: pytest.TestReport = report_outcome.get_result()
    if call.excinfo is not None and call.when == "call" and not isinstance(call.excinfo.value, _PASSTHROUGH):
        LEDGER.tracebacks += 1
        LEDGER.problem(f"{item.nodeid}: {call.excinfo.typename} escaped: {str(call.excinfo.value)[:200]}")
    leaks = 0
    for title, text in report.sections:
        if "log" not in title:  # immiche's, httpx's and httpcore's logs are scanned by the outcome fixture
            leaks += LEDGER.scan(text, f"{item.nodeid}: {title}")
    if leaks and report.outcome == "passed":
        report.outcome = "failed"
        report.longrepr = f"{leaks} secret(s) leaked in captured output: " + "; ".join(LEDGER.problems[-3:])


# -- summary and verdict ---------------------------------------------------------------------------


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Re-scan the files written by the suite for the credentials handed out after they were
    scanned, and fail the run when a must-be-0 counter is not 0."""
    LEDGER.rescan()
    if LEDGER.cases and LEDGER.failed:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if not LEDGER.cases:
        return
    write = terminalreporter.write_line
    terminalreporter.write_sep("=", "reliability and security summary")
    for label, value, must_be_zero in LEDGER.rows():
        mark = "" if not must_be_zero else ("  (must be 0)" if value == 0 else "  (must be 0: FAILED)")
        write(f"{label:<18}{value:>8}{mark}", red=must_be_zero and value > 0)
    write(
        f"also: {LEDGER.recovered} faults survived by retrying, {LEDGER.files_intact} files verified intact, "
        f"{LEDGER.cli_runs} CLI runs, {LEDGER.texts_scanned} texts and files scanned "
        f"({LEDGER.bytes_scanned / 1e6:.1f} MB) for {len(LEDGER.secrets)} credentials"
    )
    if LEDGER.problems:
        write("problems:", red=True)
        for problem in LEDGER.problems[:25]:
            write(f"  - {problem}", red=True)
        if len(LEDGER.problems) > 25:
            write(f"  ... and {len(LEDGER.problems) - 25} more", red=True)
    if LEDGER.failed:
        write("reliability suite FAILED: tracebacks, data lost and secrets leaked must all be 0", red=True, bold=True)


# -- servers ---------------------------------------------------------------------------------------


@pytest.fixture
def immich(fake_immich: ServerFactory, outcome: Outcome) -> ServerFactory:
    """Start contract-checked fake Immich servers whose credentials the scanner watches."""

    def start(**options: Any) -> FakeImmichServer:
        server = fake_immich(**options)
        outcome.watch_server(server)
        return server

    return start


@pytest.fixture
def server(immich: ServerFactory) -> FakeImmichServer:
    """A v3 fake with the sample people."""
    return immich()


def token_for(server: FakeImmichServer, outcome: Outcome) -> str:
    """A login token of the server's main user, watched by the scanner."""
    return outcome.secret(server.login_token(), "login token")


def unused_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- TLS -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificates:
    """A self-signed certificate for 127.0.0.1 and localhost, its key, and another unrelated one."""

    cert: Path
    key: Path
    other_cert: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


def _self_signed(directory: Path, name: str) -> tuple[Path, Path]:
    cert, key = directory / f"{name}.pem", directory / f"{name}.key"
    subprocess.run(
        [
            shutil.which("openssl") or "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "3",
            "-subj",
            f"/CN=immiche reliability {name}",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture(scope="session")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    """Generated with ``openssl req -x509`` (the ``cryptography`` package is not a dependency)."""
    directory = tmp_path_factory.mktemp("tls")
    cert, key = _self_signed(directory, "server")
    other, _ = _self_signed(directory, "other")
    return Certificates(cert, key, other)


# -- the CLI in subprocesses -----------------------------------------------------------------------


@dataclass
class Result:
    """What one CLI run did."""

    args: Sequence[str]
    code: int
    out: str
    err: str
    peak_rss_kib: int | None = None

    def __repr__(self) -> str:
        return f"Result(args={list(self.args)!r}, code={self.code}, out={self.out[:1500]!r}, err={self.err[:1500]!r})"


_COUNTING = threading.Lock()

#: Runs a command and writes the peak RSS of its process (in KiB) where the environment says.
_RSS_LAUNCHER = (
    "import os, resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "with open(os.environ['IMMICHE_RELIABILITY_RSS_FILE'], 'w') as out:\n"
    "    out.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(code)\n"
)


class Cli:
    """Runs ``python -m immiche`` in subprocesses with an isolated config directory and temp dir.

    The subprocesses log immiche, httpx and httpcore at DEBUG into ``logs/`` (scanned for
    credentials, as are their stdout and stderr). A run that shows a traceback without
    ``--verbose`` counts as a traceback.
    """

    def __init__(self, home: Path, outcome: Outcome) -> None:
        self.home = home
        self.outcome = outcome
        self.config = home / "config" / "immich"
        self.cwd = home / "work"
        self.logs = home / "logs"
        for directory in (self.cwd, self.logs, home / "tmp"):
            directory.mkdir(parents=True, exist_ok=True)
        self.env: dict[str, str] = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "IMMICH_CONFIG_DIR": str(self.config),
            "XDG_CONFIG_HOME": str(home / "config"),
            "TMPDIR": str(home / "tmp"),
            "PYTHONPATH": str(SITECUSTOMIZE),
            "IMMICHE_RELIABILITY_LOG_DIR": str(self.logs),
            "TZ": "UTC",
            "NO_COLOR": "1",
            "LANG": "C.UTF-8",
            "PYTHONIOENCODING": "utf-8",
            "COLUMNS": "120",
        }

    #: How ``immiche`` is started: ``python -m immiche``, unless a test puts a launcher first.
    prefix: Sequence[str] = (sys.executable, "-m", "immiche")

    def argv(self, *args: str) -> list[str]:
        return [*self.prefix, *args]

    def full_env(self, env: Mapping[str, str] | None) -> dict[str, str]:
        return {**self.env, **(env or {})}

    def __call__(
        self,
        *args: str,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        timeout: float = 60,
        measure_rss: bool = False,
    ) -> Result:
        """Run ``immiche ARGS``; with ``measure_rss``, through a launcher that reports its peak RSS."""
        argv = self.argv(*args)
        full_env = self.full_env(env)
        rss_file = self.home / "tmp" / "peak-rss"
        if measure_rss:
            argv = [sys.executable, "-c", _RSS_LAUNCHER, *argv]
            full_env["IMMICHE_RELIABILITY_RSS_FILE"] = str(rss_file)
        proc = subprocess.run(
            argv,
            input=input.encode() if input is not None else None,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            env=full_env,
            cwd=cwd or self.cwd,
            timeout=timeout,
            check=False,
        )
        result = self.record(args, proc.returncode, proc.stdout, proc.stderr)
        if measure_rss:
            result.peak_rss_kib = int(rss_file.read_text())
            rss_file.unlink()
        return result

    def many(self, *runs: Sequence[str] | tuple[Sequence[str], Mapping[str, Any]]) -> list[Result]:
        """Run independent invocations at once (each an argument list, or one with keyword
        arguments for :meth:`__call__`); the results come back in order."""
        from concurrent.futures import ThreadPoolExecutor

        calls: list[tuple[Sequence[str], Mapping[str, Any]]] = [
            run if len(run) == 2 and isinstance(run[1], Mapping) else (run, {})  # type: ignore[misc]
            for run in runs
        ]
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = [pool.submit(self, *args, **kwargs) for args, kwargs in calls]
            return [future.result() for future in futures]

    def record(self, args: Sequence[str], code: int, out: bytes, err: bytes) -> Result:
        result = Result(args, code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))
        with _COUNTING:
            LEDGER.cli_runs += 1
        self.outcome.saw(result.out, f"stdout of immiche {' '.join(args)}")
        self.outcome.saw(result.err, f"stderr of immiche {' '.join(args)}")
        verbose = any(arg in ("-v", "-vv", "--verbose") for arg in args)
        if "Traceback (most recent call last)" in result.err and not verbose:
            self.outcome.traceback_seen(f"immiche {' '.join(args)}", result.err)
            raise AssertionError(f"the CLI printed a traceback: {result!r}")
        return result

    def login(self, server: FakeImmichServer, *, profile: str | None = None, key: str | None = None) -> Result:
        args = ["login", "--server", server.url, "--api-key-stdin"]
        if profile:
            args += ["--profile", profile]
        result = self(*args, input=(key or server.api_key) + "\n")
        assert result.code == 0, result
        return result

    def session_file(self, profile: str = "default") -> Path:
        return self.config / "profiles" / profile / "session.json"


@pytest.fixture
def cli(tmp_path: Path, outcome: Outcome) -> Cli:
    return Cli(tmp_path / "cli", outcome)


@pytest.fixture
def logged_in(cli: Cli, server: FakeImmichServer) -> Cli:
    """The CLI logged in to ``server`` (profile "default") with the full-permission API key."""
    cli.login(server)
    return cli


# -- directories that really refuse writes, and a really full disk ---------------------------------


def _refuses_writes(directory: Path) -> bool:
    probe = directory / ".write-probe"
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError:
        return True
    os.close(fd)
    probe.unlink()
    return False


def _run_quietly(*argv: str) -> bool:
    tool = shutil.which(argv[0])
    if tool is None:
        return False
    return subprocess.run([tool, *argv[1:]], capture_output=True, check=False).returncode == 0


class ReadOnly:
    """Makes existing directories refuse new entries (creating, renaming, removing files), for real.

    ``technique`` says how: ``chmod 0555`` (not root), ``chattr +i`` (root, where the file system
    has the immutable attribute) or a ``read-only tmpfs`` mounted over the directory with a copy
    of its files (root). As root, chmod stops nothing, so it is not used then. Every directory is
    verified by trying to create a file in it. Everything is undone at the end of the test.
    """

    def __init__(self) -> None:
        self.technique = ""
        self._undo: list[Callable[[], None]] = []

    def __call__(self, *directories: Path) -> str:
        for directory in directories:
            self._lock(directory)
            if not _refuses_writes(directory):
                pytest.fail(f"{directory} still accepts new files after {self.technique}")
        return self.technique

    def _lock(self, directory: Path) -> None:
        if os.geteuid() != 0:
            directory.chmod(0o555)
            self.technique = "chmod 0555"
            self._undo.append(lambda: directory.chmod(0o755))
            return
        if self.technique in ("", "chattr +i") and _run_quietly("chattr", "+i", str(directory)):
            self.technique = "chattr +i"
            self._undo.append(lambda: _run_quietly_undo("chattr", "-i", str(directory)))
            if _refuses_writes(directory):
                return
            self._undo.pop()()
        saved = directory.with_name(directory.name + ".saved")
        directory.rename(saved)
        directory.mkdir()
        if not _run_quietly("mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(directory)):
            directory.rmdir()
            saved.rename(directory)
            pytest.fail(f"cannot make {directory} read-only here (tried chattr +i and a read-only tmpfs)")
        shutil.copytree(saved, directory, dirs_exist_ok=True, symlinks=True)
        _run_quietly("mount", "-o", "remount,ro", str(directory))
        self.technique = "read-only tmpfs"

        def unmount() -> None:
            _run_quietly("umount", str(directory))
            directory.rmdir()
            saved.rename(directory)

        self._undo.append(unmount)

    def undo(self) -> None:
        while self._undo:
            self._undo.pop()()


@pytest.fixture
def read_only() -> Iterator[ReadOnly]:
    locker = ReadOnly()
    try:
        yield locker
    finally:
        locker.undo()


def _run_quietly_undo(*argv: str) -> None:
    _run_quietly(*argv)


@dataclass
class ReadOnlyDir:
    """A read-only directory holding ``old.jpg`` (``old`` bytes); see :class:`ReadOnly`."""

    path: Path
    old: bytes
    technique: str

    @property
    def old_file(self) -> Path:
        return self.path / "old.jpg"


@pytest.fixture
def readonly_dir(tmp_path: Path, read_only: ReadOnly) -> ReadOnlyDir:
    directory = tmp_path / "read-only"
    directory.mkdir()
    old = b"\xff\xd8old thumbnail\xff\xd9"
    (directory / "old.jpg").write_bytes(old)
    return ReadOnlyDir(directory, old, read_only(directory))


@dataclass
class FullDisk:
    """A 256 KiB tmpfs, filled up, holding ``old.jpg`` (``old`` bytes) from before it filled."""

    path: Path
    old: bytes

    @property
    def old_file(self) -> Path:
        return self.path / "old.jpg"


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[FullDisk | None]:
    """A really full file system (a tiny tmpfs, mounted as root), or None where mounting is not
    allowed (or ``IMMICHE_RELIABILITY_NO_MOUNT`` is set, to exercise that path): the tests then
    make the kernel refuse writes another way, or simulate ENOSPC, and say so."""
    mounted = tmp_path / "full-disk"
    mounted.mkdir()
    no_mount = bool(os.environ.get("IMMICHE_RELIABILITY_NO_MOUNT"))
    if (
        no_mount
        or os.geteuid() != 0
        or not _run_quietly("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mounted))
    ):
        yield None
        return
    try:
        old = b"\xff\xd8old thumbnail\xff\xd9"
        (mounted / "old.jpg").write_bytes(old)
        with open(mounted / "filler", "wb", buffering=0) as filler:
            block = b"\0" * 4096
            try:
                while True:
                    filler.write(block)
            except OSError:
                pass
        yield FullDisk(mounted, old)
    finally:
        _run_quietly("umount", str(mounted))
