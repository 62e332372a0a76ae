"""Red-team findings red7/22-25 (docs/redteam/22_*.md ... 25_*.md), fixed but 24.

red7/21 (an abandoned run wrote files after its result) is tested without timing races in
tests/test_sandbox_boundary.py. red7/24 (a short bounded loop of slow passes reads no clock, so
the backstop stops it without a line) is not fixed: its test stays `xfail` (strict).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from test_sandbox_support import Limits, make_sandbox

from codeact_verify.executor import execute_sync
from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host import precompile
from codeact_verify.tools import tool_specs


@pytest.fixture(autouse=True)
def _needs_sandbox() -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")


# --- red7/22: the as-is path sends a line map as long as the program's text ------------------
def test_the_as_is_restricted_text_is_not_much_larger_than_the_program() -> None:
    program = "x = 1\n" + "\n" * 200_000 + "print(x)\n"
    sent = precompile.restrict_on_host(program, known_globals=frozenset())
    assert sent is not None
    assert len(json.dumps(sent)) <= 2 * len(program) + 1000


# --- red7/23: the timed-out call's line is a call that never ran ------------------------------
def slow(city: str) -> str:
    """Blocks past any short time limit."""
    time.sleep(1.5)
    return "late"


def test_a_timed_out_tool_reached_by_another_name_gets_no_wrong_line() -> None:
    # passes the verifier: the tool is called on line 3 (never run) and through `f` on line 4
    program = "f = slow\nif len('ab') > 5:\n    slow(city='a')\nf(city='b')\n"
    with make_sandbox(limits=Limits(timeout_s=0.4)) as sb:
        ex = execute_sync(program, tool_specs([slow]), sandbox=sb)
        assert ex.result is not None, ex.report.render_for_model()
        error = ex.result.error
        assert error is not None and error.kind == "timeout"
        assert error.line in (4, None), error.line  # 3 is a call that never ran


# --- red7/24: a for loop over a short range with slow passes reads the clock never ------------
@pytest.mark.xfail(reason="red7/24: short bounded loop never reads the clock", strict=True)
def test_a_short_range_loop_of_slow_passes_times_out_on_its_line() -> None:
    program = (
        "s = 'y'\nfor i in range(24):\n    s = s + s\nn = 0\n"
        "for j in range(1000):\n    n = n + s.count('z')\n"
    )
    with make_sandbox(limits=Limits(timeout_s=1.0)) as sb:
        r = sb.run_sync(program)
        assert r.error is not None and r.error.kind == "timeout"
        assert r.error.line == 5, r.error.message


# --- red7/25: a pooled instance keeps the mounts and memory limit it was made with ------------
def test_a_pooled_run_sees_only_the_mounts_of_its_own_run(tmp_path: Path) -> None:
    from codeact_verify.host.mounts import Mount

    alice, bob = tmp_path / "alice", tmp_path / "bob"
    alice.mkdir()
    bob.mkdir()
    (alice / "secret.txt").write_text("alice's secret")
    (bob / "notes.txt").write_text("bob's notes")
    with make_sandbox(mounts=[Mount(alice, "/data")], pool_size=1) as sb:
        assert "secret.txt" in sb.run_sync("print(list_dir('/data'))\n").stdout
        sb.wait_ready()
        sb.mounts = [Mount(bob, "/data")]  # as tests/test_sandbox_config_cache.py changes them
        r = sb.run_sync("print(list_dir('/data'))\n")
        assert r.stdout.strip() == "['notes.txt']", r.stdout


def test_a_pooled_run_gets_the_memory_limit_of_its_own_run() -> None:
    with make_sandbox(limits=Limits(memory_mb=256), pool_size=1) as sb:
        sb.run_sync("print(1)\n")
        sb.wait_ready()
        sb.limits = Limits(memory_mb=64)
        r = sb.run_sync("s = 'x' * (150 * 1024 * 1024)\nprint(len(s))\n")
        assert r.error is not None and r.error.kind == "memory", (r.stdout, r.error)
