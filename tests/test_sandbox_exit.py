"""A sandbox that lives until the interpreter exits (held by a module, a cycle, a test
framework's state) is let go of while the interpreter is whole: no "Exception ignored"
tracebacks at exit, and it still runs programs for atexit handlers that run after ours."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from codeact_verify.fuzz.campaign import sandbox_unavailable

pytestmark = pytest.mark.skipif(sandbox_unavailable() is not None, reason="sandbox unavailable")


def _run(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_fuzz_property_run_from_a_script_exits_quietly() -> None:
    """The fuzz API driven from a plain script: its module-level Context keeps the oracle's
    sandboxes (a ready instance among them) until the interpreter's teardown."""
    done = _run(
        """
        from codeact_verify.fuzz.properties import hypothesis_test
        hypothesis_test("contained", max_examples=5)()
        hypothesis_test("meaning", max_examples=5)()
        print("done")
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "done"
    assert "Exception ignored" not in done.stderr, done.stderr
    assert "Traceback" not in done.stderr, done.stderr


def test_a_sandbox_still_runs_for_a_later_atexit_handler() -> None:
    """atexit handlers run last-registered first: one registered before this package was
    imported runs after the sandbox let go of its ready instance, and its run takes a fresh one."""
    done = _run(
        """
        import atexit

        holder = {}

        @atexit.register
        def late():
            result = holder["sandbox"].run_sync("print(6 * 7)")
            print("late:", result.ok, result.stdout.strip(), result.timings["from_pool"])

        from codeact_verify.host import Sandbox

        sandbox = Sandbox(pool_size=1)
        holder["sandbox"] = sandbox
        holder["me"] = holder  # a cycle: collected only at teardown
        print("first:", sandbox.run_sync("print(1 + 1)").stdout.strip())
        sandbox.wait_ready()
        """
    )
    assert done.returncode == 0, done.stderr
    assert "first: 2" in done.stdout
    assert "late: True 42 0.0" in done.stdout, done.stdout + done.stderr
    assert "Exception ignored" not in done.stderr, done.stderr
