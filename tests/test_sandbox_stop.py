"""The stop switch (codeact_verify/host/stop.py): a run whose caller stopped waiting stops.

The store's epoch deadline comes every `stop.STEP_S`; a callback on the guest's thread then
traps when the run's switch was thrown (the caller was cancelled, or gave up at the deadline)
or its hard deadline passed, and lets the run go on otherwise. So a cancelled run stops within
a step or so, not at its own time limit, while an ordinary long run crosses many steps
unharmed and a run stuck in one long built-in call still ends at the backstop.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from test_sandbox_support import Limits, make_sandbox

from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host import stop


@pytest.fixture(autouse=True)
def _needs_sandbox() -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")


def _wait_for(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())


def test_a_cancelled_run_stops_within_steps_not_at_its_time_limit(tmp_path: Path) -> None:
    # pure guest code (no host call to trap at) writing files in a loop, time limit 30 s
    program = (
        "n = 0\nwhile True:\n    n += 1\n    if n % 20000 == 0:\n"
        "        write_text('/output/tick.txt', str(n))\n"
    )
    with make_sandbox(limits=Limits(timeout_s=30), output_dir=tmp_path) as sb:

        async def main() -> None:
            task = asyncio.ensure_future(sb.run(program))
            await asyncio.sleep(0.3)
            started = time.monotonic()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert time.monotonic() - started < 1.0

        asyncio.run(main())
        # the guest trapped: its runner thread let go, and the file stops changing
        assert _wait_for(lambda: sb._stuck == 0, 2.0)
        tick = tmp_path / "tick.txt"
        before = tick.stat().st_mtime_ns if tick.exists() else 0
        time.sleep(0.3)
        after = tick.stat().st_mtime_ns if tick.exists() else 0
        assert before == after


def test_a_long_run_crosses_many_steps_and_finishes() -> None:
    # legitimate: about 20 steps of CPU work inside a 10 s limit
    program = (
        "total = 0\nfor i in range(3_000_000):\n    total += i % 7\nprint(total)\n"
    )
    with make_sandbox(limits=Limits(timeout_s=10)) as sb:
        t = time.monotonic()
        r = sb.run_sync(program)
        took = time.monotonic() - t
        assert r.ok, r.error
        assert r.stdout == f"{sum(i % 7 for i in range(3_000_000))}\n"
    assert took > 2 * stop.STEP_S  # it did cross step boundaries


def test_a_loop_still_times_out_on_its_line_and_a_long_builtin_at_the_backstop() -> None:
    with make_sandbox(limits=Limits(timeout_s=0.3)) as sb:
        r = sb.run_sync("n = 0\nwhile True:\n    n += 1\n")
        assert r.error is not None and r.error.kind == "timeout"
        assert r.error.line in (2, 3), r.error
        t = time.monotonic()
        r = sb.run_sync("print(sum(range(10**13)))\n")
        assert r.error is not None and r.error.kind == "timeout", r.error
        assert time.monotonic() - t < 0.3 + 0.5 + 1.0  # the backstop, not later


def test_the_callback_traps_unless_a_live_switch_lets_the_run_go_on() -> None:
    import ctypes

    delta, kind = ctypes.c_uint64(0), ctypes.c_uint8(9)
    # no switch under that key (its store is gone): trap (a non-null error)
    assert stop._on_deadline(None, 10**9, ctypes.pointer(delta), ctypes.pointer(kind)) != 0
    switch = stop.StopSwitch(True)
    with stop._lock:
        stop._switches[10**9 + 1] = switch
    switch.arm(5.0)
    assert stop._on_deadline(None, 10**9 + 1, ctypes.pointer(delta), ctypes.pointer(kind)) == 0
    assert 1 <= delta.value <= round(stop.STEP_S / 0.005) and kind.value == 0
    switch.stop()  # thrown: trap
    assert stop._on_deadline(None, 10**9 + 1, ctypes.pointer(delta), ctypes.pointer(kind)) != 0
    switch.arm(-1.0)  # past its hard deadline: trap
    assert stop._on_deadline(None, 10**9 + 1, ctypes.pointer(delta), ctypes.pointer(kind)) != 0


def test_the_switch_is_installed_with_this_wasmtime() -> None:
    # The callback's ctypes type is read from wasmtime-py's private bindings; with a layout
    # this module does not know, the switch silently degrades to the fixed backstop (a
    # cancelled run then runs on to its time limit). It did once: `_ffi` re-exports the
    # bindings with `import *`, which leaves out the `_wasmtime_...` function objects.
    assert stop.AVAILABLE


def test_a_cancelled_pure_loop_stops_within_steps() -> None:
    # no host call at all to trap at: only the epoch callback can stop it
    with make_sandbox(limits=Limits(timeout_s=30)) as sb:

        async def main() -> None:
            task = asyncio.ensure_future(sb.run("n = 0\nwhile True:\n    n += 1\n"))
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(main())
        assert _wait_for(lambda: sb._stuck == 0, 2.0)
