"""Red-team findings red14/65-... (docs/redteam/65_*.md ...): attacks on the run ahead of the
type check and on the red13 fixes (5ffeed0). Each test failed because of its finding; all
five are fixed (see each reproduction's Status line)."""

from __future__ import annotations

import os
import resource
import signal
import time
from typing import Any

import pytest
from test_sandbox_support import ready_sandbox

import codeact_verify.mypy_process as mp
from codeact_verify import executor
from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host import Limits
from codeact_verify.typecheck import _reset_engine, remember_findings


@pytest.fixture(autouse=True)
def _needs_sandbox() -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")


@pytest.fixture(autouse=True)
def _check_every_time() -> Any:
    previous = remember_findings(False)
    yield
    remember_findings(previous)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- red14/65: an interrupt between request() and answer() leaves the answer in the pipe -------
def test_an_interrupt_after_the_request_does_not_shift_the_next_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sb = ready_sandbox(limits=Limits(timeout_s=5))
    try:
        assert executor.execute_sync("print(1)", {}, sandbox=sb).ok  # the worker is up
        original = mp.MypyProcess.request
        fire = {"on": True}

        def request(self: Any, stubs: Any, program: str) -> float:
            since = original(self, stubs, program)  # sent: mypy checks it now
            if fire["on"]:
                fire["on"] = False
                os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C lands as request() returns
                time.sleep(0.05)
            return since

        monkeypatch.setattr(mp.MypyProcess, "request", request)
        with pytest.raises(KeyboardInterrupt):
            executor.execute_sync('print("A")\n', {}, sandbox=sb)
        monkeypatch.setattr(mp.MypyProcess, "request", original)
        result = executor.execute_sync('print("B RAN")\ny: int = "not an int"\n', {}, sandbox=sb)
        assert result.rejected and result.stdout == ""
    finally:
        sb.close()
        _reset_engine()  # a worker out of step must not reach the next test


# --- red14/66: an exception inside the runner pool's submit orphans the run ahead -------------
class _HarnessTimeout(Exception):
    pass


def test_an_exception_in_submit_does_not_orphan_a_run_ahead() -> None:
    def on_alarm(*_: object) -> None:
        raise _HarnessTimeout("this execution took too long")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    sb = ready_sandbox(limits=Limits(timeout_s=6))
    try:
        executor.execute_sync("print(1)", {}, sandbox=sb, run_ahead=False)  # mypy is up
        sb.wait_ready()
        real_submit = sb._runner.submit

        def submit(*args: Any, **kwargs: Any) -> Any:
            future = real_submit(*args, **kwargs)  # queued; Thread.start() would wait here
            os.kill(os.getpid(), signal.SIGALRM)
            time.sleep(0.01)
            return future

        sb._runner.submit = submit  # type: ignore[method-assign]
        try:
            executor.execute_sync('y: int = "a"\nwhile True:\n    pass\n', {}, sandbox=sb)
        except _HarnessTimeout:
            pass
        sb._runner.submit = real_submit  # type: ignore[method-assign]
        time.sleep(0.3)  # a stopped guest traps within one step (50 ms)
        before = _cpu()
        time.sleep(1.0)
        assert _cpu() - before < 0.5  # the rejected loop is not running on
    finally:
        signal.signal(signal.SIGALRM, previous)
        sb.close()
        time.sleep(6.5)  # let an orphaned loop reach its time limit before the next test


# --- red14/67: Ctrl-C during an inline run crashes the process ---------------------------------
_CTRL_C = """
import os, signal, threading, time
from codeact_verify.host import Limits, Sandbox
sb = Sandbox(limits=Limits(timeout_s=5))
sb.warm_up()
sb.wait_ready()
threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
try:
    r = sb.run_sync("x = 0\\nwhile True:\\n    x += 1\\n")
    print("RETURNED", r.ok)
except KeyboardInterrupt:
    print("INTERRUPTED")
sb.close()
"""


def test_ctrl_c_during_an_inline_run_does_not_crash() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _CTRL_C], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-500:])
    assert "INTERRUPTED" in done.stdout or "RETURNED" in done.stdout


# --- red14/68: an interrupt while a new worker starts stalls the next check -------------------
def test_an_interrupted_worker_start_does_not_stall_the_next_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import codeact_verify.typecheck as tc
    from codeact_verify import verify
    from codeact_verify.mypy_process import Budget

    monkeypatch.setattr(tc, "DEFAULT_BUDGET", Budget(start_seconds=15.0))
    try:
        assert verify("print(1)", {}).ok  # the worker is up
        tc._get_worker(tc.DEFAULT_BUDGET).stop()  # as after an abandoned check
        original = mp.MypyProcess._send
        fire = {"on": True}

        def send(self: Any, obj: Any) -> None:
            if fire["on"] and "modules" in obj:  # the new worker's warm-up request
                fire["on"] = False
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.05)
            original(self, obj)

        monkeypatch.setattr(mp.MypyProcess, "_send", send)
        with pytest.raises(KeyboardInterrupt):
            verify('print("A")\n', {})
        monkeypatch.setattr(mp.MypyProcess, "_send", original)
        t0 = time.monotonic()
        assert verify('print("B")\n', {}).ok
        assert time.monotonic() - t0 < 10.0  # a warm-up from the cache takes a few seconds
    finally:
        _reset_engine()


# --- red14/69: a huge finite time limit overflows the wait for a run ahead --------------------
def test_a_huge_finite_timeout_is_refused_or_runs_ahead() -> None:
    try:
        limits = Limits(timeout_s=1e10)
    except ValueError:
        return  # refused up front: fine
    sb = ready_sandbox(limits=limits)
    try:
        code = "s = 0\nfor i in range(3_000_000):\n    s += i\nprint(s)\n"
        result = executor.execute_sync(code, {}, sandbox=sb)
        assert result.ok and result.stdout == "4499998500000\n"
    finally:
        sb.close()
