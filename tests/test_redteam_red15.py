"""Red-team findings red15/70-... (docs/redteam/70_*.md ...): attacks on the red14 fixes
(`Sandbox._off_main_thread`, mypy request ids, `Limits` caps). Each test failed because of its
finding; 70-72 are fixed, 73 partly (see each reproduction's Status line)."""

from __future__ import annotations

from typing import Any

import pytest
from test_sandbox_support import run_child

from codeact_verify.fuzz.campaign import sandbox_unavailable


@pytest.fixture(autouse=True)
def _needs_sandbox() -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")


# --- red15/70: an async exception in a thread running a program inline --------------------
_ASYNC_EXC = """
    import ctypes, threading, time
    from codeact_verify.host import Limits, Sandbox

    class CallTimeout(Exception):
        pass

    sb = Sandbox(pool_size=0, limits=Limits(timeout_s=3.0))
    sb.warm_up()
    out = {}

    def worker():
        try:
            r = sb.run_sync("x = 0\\nwhile True:\\n    x += 1\\n")
            out["r"] = (r.ok, r.error and r.error.kind)
        except CallTimeout:
            out["r"] = "delivered"

    t = threading.Thread(target=worker)
    t.start()
    time.sleep(0.5)
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(t.ident), ctypes.py_object(CallTimeout)
    )
    t.join(10)
    print("RESULT", out.get("r"))
"""


def test_an_async_exception_in_an_inline_run_does_not_crash() -> None:
    for _ in range(2):
        child = run_child(_ASYNC_EXC)
        assert child.returncode == 0, (child.returncode, child.stderr[-600:])
        assert "RESULT delivered" in child.stdout, (child.stdout, child.stderr[-600:])


# --- red15/71: a fork while another thread is inside a type check ---------------------------
_FORK = """
    import os, signal, threading, time
    from codeact_verify import executor
    from codeact_verify.host import Sandbox
    from codeact_verify.typecheck import remember_findings, typecheck

    remember_findings(False)
    typecheck("x = 1\\n", {})
    stop = False

    def turns():
        i = 0
        while not stop:
            i += 1
            typecheck(f"y = {i}\\nprint(y + 1)\\n", {})

    threading.Thread(target=turns, daemon=True).start()
    time.sleep(0.5)
    for _ in range(2):
        pid = os.fork()
        if pid == 0:
            signal.alarm(10)
            executor.execute_sync("print(1)", {}, sandbox=Sandbox(pool_size=0))
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        print("STATUS", os.waitstatus_to_exitcode(status), flush=True)
    stop = True
"""


def test_a_fork_during_a_check_leaves_the_child_able_to_check() -> None:
    child = run_child(_FORK, timeout=90.0)
    statuses = [line.split()[1] for line in child.stdout.splitlines() if line.startswith("STATUS")]
    assert statuses == ["0", "0"], (child.stdout, child.stderr[-600:])


# --- red15/72: Limits accepts values that break every run -------------------------------------
@pytest.mark.parametrize("bad", [{"memory_mb": 64.5}, {"recursion": 10**20}])
def test_limits_refuse_values_that_break_every_run(bad: dict[str, Any]) -> None:
    from codeact_verify import executor
    from codeact_verify.host import Limits, Sandbox

    try:
        limits = Limits(**bad)
    except ValueError:
        return  # refused at construction: fixed
    sb = Sandbox(pool_size=0, limits=limits)
    try:
        result = executor.execute_sync("print('hi')", {}, sandbox=sb, types=False).result
        assert result.ok and result.stdout == "hi\n", result.to_dict()
    finally:
        sb.close()


# --- red15/73: stores freed on the main thread after interrupted runs -------------------------
_STORES = """
    import collections, random, signal, threading, time
    import wasmtime, wasmtime._managed as managed
    where = collections.Counter()
    # the store's memory freed (its C destructor, ~0.5 ms: where an interrupt could land and
    # be lost); a Python shell collected later on the main thread after `close()` frees nothing
    original = wasmtime.Store._delete

    def spy(self, ptr):
        where[threading.current_thread() is threading.main_thread()] += 1
        original(self, ptr)

    wasmtime.Store._delete = spy
    from codeact_verify.host import Limits, Sandbox

    class T(Exception):
        pass

    def on_alarm(*_):
        raise T()

    signal.signal(signal.SIGALRM, on_alarm)
    sb = Sandbox(pool_size=0, limits=Limits(timeout_s=3))
    sb._load()
    random.seed(3)
    for _ in range(20):
        signal.setitimer(signal.ITIMER_REAL, random.uniform(0.0005, 0.03))
        try:
            sb.run_sync("x = 0\\nwhile True:\\n    x += 1\\n")
        except T:
            pass
    signal.setitimer(signal.ITIMER_REAL, 0)
    time.sleep(0.5)
    sb.run_sync("print(1)")
    time.sleep(0.3)
    print("MAIN", where[True])
"""


@pytest.mark.xfail(
    strict=False,
    reason="red15/73 (partly fixed): instances let go of after an interrupt go to the pool or "
    "reaper thread, but a store in a reference cycle is still freed by the cyclic garbage "
    "collector on whichever thread runs it (about 1 of 20 interrupted runs here); closing it "
    "explicitly corrupted the heap",
)
def test_no_store_is_freed_on_the_main_thread_after_interrupts() -> None:
    child = run_child(_STORES, timeout=120.0)
    assert "MAIN 0" in child.stdout, (child.stdout, child.stderr[-600:])
