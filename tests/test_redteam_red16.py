"""Red-team findings red16/74-77 (docs/redteam/74_*.md ...): attacks on the red15 fixes
(`Sandbox._on_own_thread`, the store reaper thread, `astlock.renew_after_fork`). Each test
failed because of its finding; all four are fixed (see each reproduction's Status line)."""

from __future__ import annotations

import sys

import pytest
from test_sandbox_support import run_child

from codeact_verify.fuzz.campaign import sandbox_unavailable

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs os.fork")


@pytest.fixture(autouse=True)
def _needs_sandbox() -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")


# --- red16/74: the reaper thread does not exist in a forked child ---------------------------
_REAPER = """
    import os, time
    from codeact_verify.host import Sandbox
    from codeact_verify.host.sandbox import _reaped

    Sandbox(pool_size=0).run_sync("print(1)")
    pid = os.fork()
    if pid == 0:
        for _ in range(2):
            sb = Sandbox(pool_size=2)
            sb.warm_up()
            sb.close()  # its ready instances: `_Instance.__del__` -> the reaper's queue
        deadline = time.monotonic() + 5.0
        while _reaped.qsize() and time.monotonic() < deadline:
            time.sleep(0.05)
        print("QUEUED", _reaped.qsize(), flush=True)
        os._exit(0)
    os.waitpid(pid, 0)
"""


def test_a_forked_child_frees_the_stores_it_lets_go_of() -> None:
    child = run_child(_REAPER)
    queued = [line.split()[1] for line in child.stdout.splitlines() if line.startswith("QUEUED")]
    assert queued == ["0"], (child.stdout, child.stderr[-600:])


# --- red16/75: a sandbox inherited by a forked child ----------------------------------------
_INHERITED = """
    import os, time
    from codeact_verify.host import Limits, Sandbox

    sb = Sandbox(pool_size=1, limits=Limits(timeout_s=2))
    sb.warm_up()
    sb.run_sync("print(1)")
    sb.run_sync("print(1)")
    pid = os.fork()
    if pid == 0:
        first = sb.run_sync("print('first')")
        print("FIRST", first.ok, first.stdout.strip() or "-", flush=True)
        for _ in range(5):
            sb.run_sync("print(2)")
        time.sleep(0.5)
        print("LEFT", sb._filler._work_queue.qsize(), flush=True)
        os._exit(0)
    os.waitpid(pid, 0)
"""


def test_a_sandbox_inherited_by_a_forked_child_runs_and_frees_its_instances() -> None:
    child = run_child(_INHERITED)
    lines = dict(
        line.split(" ", 1) for line in child.stdout.splitlines() if line[:4] in ("FIRS", "LEFT")
    )
    assert lines.get("FIRST") == "True first", (child.stdout, child.stderr[-600:])
    assert lines.get("LEFT") == "0", (child.stdout, child.stderr[-600:])


# --- red16/76: an exception landing in the sandbox's own thread before it posts a result -----
_OWN_THREAD_DIES = """
    import threading
    from codeact_verify.host import Limits, Sandbox

    sb = Sandbox(pool_size=0, limits=Limits(timeout_s=2))
    sb.run_sync("print(1)")

    class CallTimeout(Exception):
        pass

    def tracer(frame, event, arg):
        # what CPython 3.11 does with `PyThreadState_SetAsyncExc(caller)` while the caller
        # starts a thread (its new thread state still has the caller's id): the exception is
        # raised in the new thread at its first bytecode, before `main()`'s try
        if threading.current_thread().name == "codeact-own":
            threading.settrace(None)
            raise CallTimeout
        return None

    out = []

    def caller():
        threading.settrace(tracer)
        try:
            out.append(sb.run_sync("print(2)").ok)
        except BaseException as exc:
            out.append(type(exc).__name__)

    th = threading.Thread(target=caller, daemon=True)
    th.start()
    th.join(10)
    print("HUNG" if th.is_alive() else f"DONE {out}", flush=True)
"""


def test_the_caller_is_not_left_waiting_when_the_own_thread_dies() -> None:
    child = run_child(_OWN_THREAD_DIES)
    assert "DONE" in child.stdout, (child.stdout, child.stderr[-600:])


# --- red16/77: runner threads that die at their start count against the pool forever --------
_DEAD_RUNNERS = """
    import threading
    from codeact_verify.host import Limits, Sandbox

    sb = Sandbox(pool_size=0, limits=Limits(timeout_s=0.2))
    kill = True

    def tracer(frame, event, arg):
        # an asynchronous exception redirected into a runner thread as it starts (red16/76)
        if kill and threading.current_thread().name.startswith("codeact-run"):
            raise RuntimeError("died at its start")
        return None

    threading.settrace(tracer)
    for _ in range(33):
        sb.run_sync("print(1)")
    kill = False
    threading.settrace(None)
    sb.limits = Limits(timeout_s=3)
    r = sb.run_sync("print(2)")
    print("AFTER", r.ok, flush=True)
"""


def test_runner_threads_that_died_are_replaced() -> None:
    child = run_child(_DEAD_RUNNERS)
    assert "AFTER True" in child.stdout, (child.stdout, child.stderr[-400:])
