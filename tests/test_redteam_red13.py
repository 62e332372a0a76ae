"""Red-team findings red13/60-... (docs/redteam/60_*.md ...): attacks on the run ahead of the
type check (commit 24ee393) and the stop switch it installed again. Each test fails because of
its finding; all five are fixed (each reproduction's Status line says how)."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import pytest
from test_sandbox_support import ready_sandbox

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


# --- red13/60: an interrupted type check leaves its answer in the pipe ------------------------
def test_an_interrupted_type_check_does_not_shift_the_next_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sb = ready_sandbox(limits=Limits(timeout_s=5))
    try:
        assert executor.execute_sync("print(1)", {}, sandbox=sb).ok  # the worker is up
        original = mp.MypyProcess._receive
        fire = {"on": True}

        def receive(self: Any, seconds: float, what: str, since: float | None = None) -> Any:
            if fire["on"] and what == "on this program":
                fire["on"] = False
                os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C while the check waits for mypy
                time.sleep(0.05)
            return original(self, seconds, what, since)

        monkeypatch.setattr(mp.MypyProcess, "_receive", receive)
        with pytest.raises(KeyboardInterrupt):
            executor.execute_sync('print("A")\n', {}, sandbox=sb)
        result = executor.execute_sync(
            'print("B RAN")\ny: int = "not an int"\n', {}, sandbox=sb
        )
        assert result.rejected and result.stdout == ""
    finally:
        sb.close()
        _reset_engine()  # a worker out of step must not reach the next test


# --- red13/61: an exception from a signal handler in the hook orphans the run ahead ------------
class _HarnessTimeout(Exception):
    pass


def test_an_exception_in_the_hook_does_not_orphan_a_run_ahead(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def on_alarm(*_: object) -> None:
        raise _HarnessTimeout("this execution took too long")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    original = Sandbox.run_ahead

    def run_ahead(self: Sandbox, *args: Any, **kwargs: Any) -> Any:
        ahead = original(self, *args, **kwargs)
        os.kill(os.getpid(), signal.SIGALRM)  # the alarm lands after the run started
        time.sleep(0.01)
        return ahead

    monkeypatch.setattr(Sandbox, "run_ahead", run_ahead)
    sb = ready_sandbox(limits=Limits(timeout_s=6))
    try:
        raised = False
        try:
            executor.execute_sync('y: int = "a"\nwhile True:\n    pass\n', {}, sandbox=sb)
        except _HarnessTimeout:
            raised = True
        end = time.monotonic() + 2.0
        while sb._inflight and time.monotonic() < end:
            time.sleep(0.01)
        assert raised or sb._inflight == 0  # the caller hears of it, or nothing is left running
        assert sb._inflight == 0
    finally:
        signal.signal(signal.SIGALRM, previous)
        sb.close()


# --- red13/62: the hook parses (blocking on AST_LOCK) for a BOM-prefixed program ----------------
def test_the_hook_never_waits_for_the_ast_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from codeact_verify.astlock import AST_LOCK

    sb = ready_sandbox(limits=Limits(timeout_s=5))
    try:
        assert executor.execute_sync("print(1)", {}, sandbox=sb).ok
        held: dict[str, float] = {}
        original = mp.MypyProcess.request

        def hold() -> None:
            with AST_LOCK:
                time.sleep(2.0)

        def request(self: Any, stubs: Any, program: str) -> float:
            since = original(self, stubs, program)
            threading.Thread(target=hold, daemon=True).start()
            time.sleep(0.02)
            held["since"] = since
            return since

        def answer(self: Any, stubs: Any, since: float) -> Any:
            held["waited"] = time.monotonic() - since  # time spent between request and answer
            return original_answer(self, stubs, since)

        original_answer = mp.MypyProcess.answer
        monkeypatch.setattr(mp.MypyProcess, "request", request)
        monkeypatch.setattr(mp.MypyProcess, "answer", answer)
        executor.execute_sync('\ufeffprint("bom")\n', {}, sandbox=sb)
        assert held["waited"] < 1.0  # the hook did not wait for the other thread's ast work
    finally:
        time.sleep(2.1)
        sb.close()


# --- red13/63: the verifier accepts a BOM-prefixed program that the sandbox cannot compile ------
def test_an_accepted_bom_program_runs() -> None:
    sb = ready_sandbox()
    try:
        result = executor.execute_sync('\ufeffprint("bom")\n', {}, sandbox=sb)
        assert result.ok and result.stdout == "bom\n"
    finally:
        sb.close()


# --- red13/64: an infinite time limit passes Limits, then every run raises OverflowError --------
def test_an_infinite_timeout_is_refused_or_runs() -> None:
    try:
        limits = Limits(timeout_s=float("inf"))
    except ValueError:
        return  # refused up front: fine
    with Sandbox(limits=limits, pool_size=0) as sb:
        result = sb.run_sync("print(1)")
        assert result.ok and result.stdout == "1\n"
