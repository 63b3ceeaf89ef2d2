"""Real processes saving, switching and reading profiles at once never see or leave a corrupt file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from immiche.session import ApiKey, Session, SessionStore

PROCESSES = 8
SAVES = 50

WRITER = """
import sys
from immiche.session import ApiKey, Session, SessionStore

base, profile, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
store = SessionStore(base, environ={})
for i in range(count):
    made = Session(f"https://h{worker}.example", ApiKey(f"key-{worker:02d}-{i:04d}-" + "x" * 20, name=f"w{worker}"), "2026-11-23T12:00:00Z")
    store.save(made, profile if profile != "-" else f"p{worker}")
    if worker % 2 == 0:
        store.set_current_profile(f"p{worker}")
print("done", flush=True)
"""

READER = """
import sys, time
from immiche.session import SessionStore

base, seconds = sys.argv[1], float(sys.argv[2])
store = SessionStore(base, environ={})
end = time.monotonic() + seconds
reads = 0
while time.monotonic() < end:
    store.load("shared")          # raises on a partial file
    store.get_current_profile()   # raises on a partial config.json
    store.list_profiles()         # warnings would be printed on stderr
    reads += 1
print(reads, flush=True)
"""


def expected(worker: int, i: int) -> Session:
    return Session(
        f"https://h{worker}.example",
        ApiKey(f"key-{worker:02d}-{i:04d}-" + "x" * 20, name=f"w{worker}"),
        "2026-11-23T12:00:00Z",
    )


def spawn(code: str, *args: object) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMMICH_")}
    env["PYTHONWARNINGS"] = "error"
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=100)
    assert proc.returncode == 0, err
    assert err == ""
    return out


@pytest.mark.slow
def test_many_processes_saving_the_same_profile(base: Path) -> None:
    SessionStore(base, environ={}).base_config_dir()
    writers = [spawn(WRITER, base, "shared", worker, SAVES) for worker in range(PROCESSES)]
    reader = spawn(READER, base, 3)
    for proc in writers:
        assert finish(proc) == "done\n"
    assert int(finish(reader)) > 0
    store = SessionStore(base, environ={})
    final = store.load("shared")
    # What is there is one complete session: the last save of whichever writer renamed last.
    assert final in {expected(w, SAVES - 1) for w in range(PROCESSES)}
    assert os.listdir(base / "profiles" / "shared") == ["session.json"]


@pytest.mark.slow
def test_many_processes_saving_different_profiles_and_switching(base: Path) -> None:
    SessionStore(base, environ={}).base_config_dir()
    writers = [spawn(WRITER, base, "-", worker, SAVES) for worker in range(PROCESSES)]
    for proc in writers:
        assert finish(proc) == "done\n"
    store = SessionStore(base, environ={})
    assert store.list_profiles() == [f"p{w}" for w in range(PROCESSES)]
    for worker in range(PROCESSES):
        assert store.load(f"p{worker}") == expected(worker, SAVES - 1)
        assert os.listdir(base / "profiles" / f"p{worker}") == ["session.json"]
    assert json.loads((base / "config.json").read_text()) == {"current_profile": store.get_current_profile()}
    assert store.get_current_profile() in {f"p{w}" for w in range(0, PROCESSES, 2)}
    assert sorted(os.listdir(base)) == ["config.json", "profiles"]


@pytest.mark.slow
def test_a_process_killed_while_saving_leaves_a_whole_session(base: Path) -> None:
    store = SessionStore(base, environ={})
    first = Session("https://first.example", ApiKey("first-key-0123456789"), "2026-11-23T12:00:00Z")
    store.save(first, "shared")
    for _ in range(5):
        writer = spawn(WRITER, base, "shared", 1, 100_000)
        time.sleep(0.3)
        writer.send_signal(signal.SIGKILL)
        writer.communicate(timeout=30)
        loaded = store.load("shared")
        assert loaded == first or (loaded is not None and loaded.server_url == "https://h1.example")
    # A save interrupted between creating and renaming its temporary file may leave it behind;
    # it is never mistaken for a profile, and logging out removes it.
    assert store.list_profiles() == ["shared"]
    assert store.clear("shared") is True
    assert not (base / "profiles" / "shared").exists()
