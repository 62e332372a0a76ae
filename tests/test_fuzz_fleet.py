"""A fuzz fleet sharing one Hypothesis example database in a real Redis server.

A `redis-server` is started on 127.0.0.1 (``.ci/run`` installs it from the OS packages when it is
missing). Campaign A finds the planted ``canary`` failure and saves it in Redis; campaign B, a
separate process that only replays (``--replay``: no generation at all), reports the same failure.
Against an empty database the replay finds nothing: B's finding came through Redis.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REDIS = shutil.which("redis-server")
pytestmark = pytest.mark.skipif(
    REDIS is None, reason="redis-server is not installed (.ci/run installs it)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    assert REDIS is not None
    port = _free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [REDIS, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _fuzz(*args: str, findings: Path) -> subprocess.CompletedProcess[str]:
    cmd = [
        sys.executable, "-m", "codeact_verify", "fuzz", "--property", "canary", "--no-types",
        "--workers", "1", "--findings", str(findings), *args,
    ]
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONHASHSEED": "0"}
    )


def _inputs(findings: Path) -> list[str]:
    return sorted(json.loads(p.read_text())["input"] for p in findings.glob("*.json"))


def test_a_failure_found_by_one_campaign_is_replayed_by_another(
    redis_url: str, tmp_path: Path
) -> None:
    db = f"{redis_url}/0"
    first = _fuzz("--minutes", "1", "--database", db, findings=tmp_path / "a")
    assert first.returncode == 1, first.stdout + first.stderr
    found = _inputs(tmp_path / "a")
    assert found == ["x = 1000\nprint(x)\n"], found  # shrunk to the planted threshold

    second = _fuzz("--replay", "--database", db, findings=tmp_path / "b")
    assert second.returncode == 1, second.stdout + second.stderr
    assert _inputs(tmp_path / "b") == found
    assert "canary" in second.stdout


def test_replay_of_an_empty_database_finds_nothing(redis_url: str, tmp_path: Path) -> None:
    result = _fuzz("--replay", "--database", f"{redis_url}/1", findings=tmp_path / "c")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _inputs(tmp_path / "c") == []


def test_an_unreachable_database_is_a_usage_error(tmp_path: Path) -> None:
    result = _fuzz(
        "--minutes", "0.1", "--database", f"redis://127.0.0.1:{_free_port()}/0",
        findings=tmp_path / "d",
    )
    assert result.returncode == 2
    assert "example database redis://" in result.stderr
