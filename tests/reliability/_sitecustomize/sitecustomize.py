"""Loaded (through PYTHONPATH) by every CLI subprocess of tests/reliability.

When ``IMMICHE_RELIABILITY_LOG_DIR`` is set, the loggers of immiche, httpx and httpcore log at
DEBUG into ``<dir>/<pid>.log``, which the suite scans for credentials. Nothing goes to stdout or
stderr, so the CLI's own output is unchanged.
"""

import os

_LOG_DIR = os.environ.get("IMMICHE_RELIABILITY_LOG_DIR")
if _LOG_DIR:
    import logging

    _handler = logging.FileHandler(os.path.join(_LOG_DIR, f"{os.getpid()}.log"), encoding="utf-8", delay=True)
    _handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    _handler.setLevel(logging.DEBUG)
    for _name in ("immiche", "httpx", "httpcore"):
        _logger = logging.getLogger(_name)
        _logger.addHandler(_handler)
        _logger.setLevel(logging.DEBUG)
