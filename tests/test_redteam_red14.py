"""Red-team findings red14/65-... (docs/redteam/65_*.md ...): attacks on the run ahead of the
type check and on the red13 fixes (5ffeed0). Each test fails because of its finding (xfail,
strict) until the finding is fixed."""

from __future__ import annotations

import os
import resource
import signal
import time
from typing import Any

import pytest

import codeact_verify.mypy_process as mp
from codeact_verify import executor
from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host import Limits, Sandbox
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


def _ready(**kwargs: Any) -> Sandbox:
    sb = Sandbox(**kwargs)
    sb.warm_up()
    assert sb.wait_ready()
    return sb


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- red14/65: an interrupt between request() and answer() leaves the answer in the pipe -------
@pytest.mark.xfail(
    strict=True,
    reason="red14/65: an interrupt after request() returned and before answer() reads shifts "
    "every later verdict (the red13/60 fix guards each half, not the gap)",
)
def test_an_interrupt_after_the_request_does_not_shift_the_next_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sb = _ready(limits=Limits(timeout_s=5))
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


@pytest.mark.xfail(
    strict=True,
    reason="red14/66: an exception raised in DaemonThreadPool.submit after the job was queued "
    "leaves the rejected program running to its time limit",
)
def test_an_exception_in_submit_does_not_orphan_a_run_ahead() -> None:
    def on_alarm(*_: object) -> None:
        raise _HarnessTimeout("this execution took too long")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    sb = _ready(limits=Limits(timeout_s=6))
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
