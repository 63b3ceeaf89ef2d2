"""The package's public names, ``python -m immiche.testing`` and the pytest plugin."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import immiche.testing
from tests.conftest import ROOT
from tests.testing.conftest import http


def test_exported_names() -> None:
    assert immiche.testing.__all__ == sorted(immiche.testing.__all__)
    assert set(immiche.testing.__all__) == {
        "CredentialKind",
        "FakeAlbum",
        "FakeAsset",
        "FakeFace",
        "FakeImmichServer",
        "FakePerson",
        "FakeUser",
        "Fault",
        "FaultKind",
        "Faults",
        "Mode",
        "RecordedRequest",
        "RecordedResponse",
    }


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), str(ROOT / "generated"), env.get("PYTHONPATH", "")])
    return env


def test_command_line_serves_until_sigterm() -> None:
    command = [sys.executable, "-m", "immiche.testing", "--port", "0", "--people", "25", "--version", "v2"]
    command += ["--base-path", "/photos", "--latency", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_environment())
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline() for _ in range(8)]
        url = banner[0].split(" at ")[1].strip()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/photos")
        keys = dict(line.strip().removeprefix("API key (").split("): ") for line in banner if "API key (" in line)
        assert set(keys) == {"all", "person.read", "asset.read", "none"}
        assert "admin@example.com / fake-immich-password" in "".join(banner)
        answer = http.get(f"{url}/api/people", headers={"x-api-key": keys["all"]})
        assert answer.json()["total"] == 25
        assert "x-immich-cid" in answer.headers
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "stopped" in out
    assert err == ""


def test_command_line_stops_on_ctrl_c() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "immiche.testing", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_environment(),
    )
    assert process.stdout is not None
    process.stdout.readline()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Traceback" not in err


def test_command_line_reports_a_busy_port() -> None:
    with immiche.testing.FakeImmichServer() as server:
        result = subprocess.run(
            [sys.executable, "-m", "immiche.testing", "--port", str(server.port)],
            capture_output=True,
            text=True,
            env=_environment(),
            timeout=10,
            check=False,
        )
    assert result.returncode == 1
    assert "cannot start" in result.stderr
    assert "Traceback" not in result.stderr


def test_pytest_plugin(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["immiche.testing.pytest_plugin"]\n')
    (tmp_path / "test_user_code.py").write_text(
        textwrap.dedent(
            """
            import httpx

            def test_default(immich_server):
                answer = httpx.get(immich_server.api_url + "/people", headers={"x-api-key": immich_server.api_key})
                assert answer.json()["total"] == 13

            def test_factory(immich_server_factory):
                old = immich_server_factory(version="v2", people=3)
                new = immich_server_factory(base_path="/photos")
                assert httpx.get(old.api_url + "/server/version").json()["major"] == 2
                assert httpx.get(new.api_url + "/server/version").json()["major"] == 3
            """
        )
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\nfilterwarnings = error\n")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        env=_environment(),
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
