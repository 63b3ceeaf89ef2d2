"""``-v`` shows the ``immiche`` logger (the engine's decisions and requests), redacted, on stderr only."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from immiche import _logs
from immiche.cli._connect import setup_logging
from immiche.cli._options import GlobalState

KEY = "LogKey0123456789abcdefWXYZ"


class _Err:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.out = ""

    def getvalue(self) -> str:
        captured = self.capsys.readouterr()
        self.out += captured.out
        return captured.err


@pytest.fixture
def stderr(capsys: pytest.CaptureFixture[str]) -> Iterator[_Err]:
    err = _Err(capsys)
    yield err
    setup_logging(GlobalState())  # detach, as the next invocation would
    err.getvalue()
    assert err.out == ""  # the log never goes to stdout


def _verbose() -> GlobalState:
    options = GlobalState()
    options.verbose = True
    options.add_secret(KEY)
    return options


def test_decisions_and_requests_of_the_immiche_logger_are_shown(stderr: _Err) -> None:
    setup_logging(_verbose())
    _logs.log_decision("retrying %s %s in %.1f s: %s", "GET", "/api/people", 0.5, "503")
    _logs.log_request("GET", f"https://user:{KEY}@photos.example/api/people?apiKey={KEY}", 200, "OK")
    logging.getLogger("immiche").debug("echoed credential %s", KEY)
    text = stderr.getvalue()
    lines = text.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("immiche: +") for line in lines)
    assert lines[0].endswith("retrying GET /api/people in 0.5 s: 503")
    assert lines[1].endswith("GET https://<redacted>@photos.example/api/people?apiKey=[redacted] -> 200 OK")
    assert KEY not in text


def test_without_verbose_nothing_is_attached(stderr: _Err) -> None:
    setup_logging(_verbose())
    setup_logging(GlobalState())
    _logs.log_decision("a decision nobody asked to see")
    assert stderr.getvalue() == ""
    assert not any(type(h).__name__ == "_RequestLog" for h in logging.getLogger("immiche").handlers)


def test_log_request_costs_nothing_when_nobody_listens() -> None:
    logger = logging.getLogger("immiche")
    records: list[logging.LogRecord] = []

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Catch(logging.DEBUG)
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        _logs.log_request("POST", "http://h/api/search/metadata", 503, "Service Unavailable")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
    (record,) = records
    assert record.immiche_event == _logs.REQUEST_EVENT  # type: ignore[attr-defined]
    assert record.immiche_request == ("POST", "http://h/api/search/metadata", 503, "Service Unavailable")  # type: ignore[attr-defined]
