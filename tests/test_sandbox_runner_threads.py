"""Runs that cannot start: every runner thread is held by runs whose sync tool never returned.

A sync tool that blocks past a run's deadline keeps that run's runner thread (Python cannot stop
a thread). A run queued behind such runs must come back at its time limit saying it did not
start, and must never start later (its caller was told it did not run: no tool call, no output,
no file). Once every runner thread is held by such stuck runs, a new run fails at once with a
`limit` error that says why. Each test holds the threads with a tool blocked on an Event and
lets it go at the end; the sandbox is made with two runner threads so the tests stay small.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest
from test_sandbox_support import Limits, make_sandbox

from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host import sandbox as sandbox_module
from codeact_verify.tools import tool_specs

TIMEOUT_S = 0.3


@pytest.fixture(autouse=True)
def _needs_sandbox() -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")


@pytest.fixture(autouse=True)
def _two_runner_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox_module, "RUNNER_THREADS", 2)


class Tools:
    """`hang` blocks until released; `mark` records that it ran."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.entered = threading.Semaphore(0)
        self.marks: list[str] = []

        def hang() -> str:
            """Blocks until the test lets it go."""
            self.entered.release()
            self.release.wait(30)
            return "done"

        def mark(what: str) -> str:
            """Records that it ran."""
            self.marks.append(what)
            return what

        self.specs = tool_specs([hang, mark])


@pytest.fixture
def tools() -> Iterator[Tools]:
    t = Tools()
    yield t
    t.release.set()


def _hold_every_runner(sb: sandbox_module.Sandbox, tools: Tools) -> list[threading.Thread]:
    """Two runs (one per runner thread) blocked inside `hang`, run from background threads."""
    threads = [
        threading.Thread(target=sb.run_sync, args=("hang()\n", tools.specs), daemon=True)
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for _ in threads:
        assert tools.entered.acquire(timeout=10), "the blocking tool was never called"
    return threads


def _wait_until_free(sb: sandbox_module.Sandbox) -> None:
    end = time.monotonic() + 10
    while sb._stuck and time.monotonic() < end:
        time.sleep(0.01)
    assert sb._stuck == 0


# (no output directory here: runs that share one take turns before they queue for a thread,
# see tests/test_sandbox_output_turns.py)
LATE = "mark(what='late')\nprint('late')\n"


def test_a_run_queued_behind_busy_runners_says_it_did_not_start_and_never_runs_later(
    tools: Tools,
) -> None:
    with make_sandbox(limits=Limits(timeout_s=TIMEOUT_S)) as sb:
        holders = _hold_every_runner(sb, tools)
        started = time.monotonic()
        result = sb.run_sync(LATE, tools.specs)
        waited = time.monotonic() - started
        assert not result.ok and result.error is not None
        assert result.error.kind == "timeout"
        assert "before the program started" in result.error.message
        assert "not run" in result.error.message
        # its own time limit (plus the grace), not the 5 s allowed a guest that is stopping
        assert waited < TIMEOUT_S + 2.0, waited
        assert result.stdout == "" and result.tool_calls == []
        tools.release.set()
        for t in holders:
            t.join(10)
        _wait_until_free(sb)
        time.sleep(0.3)  # a queued run that wrongly started would have run by now
        assert tools.marks == []
        # the sandbox works as before once the tools returned
        again = sb.run_sync("print(mark(what='again'))\n", tools.specs)
        assert again.ok and again.stdout == "again\n", again.error
        assert tools.marks == ["again"]


def test_an_async_run_queued_behind_busy_runners_never_runs_later(tools: Tools) -> None:
    with make_sandbox(limits=Limits(timeout_s=TIMEOUT_S)) as sb:
        holders = _hold_every_runner(sb, tools)
        result = asyncio.run(sb.run(LATE, tools.specs))
        assert result.error is not None and result.error.kind == "timeout"
        assert "before the program started" in result.error.message
        tools.release.set()
        for t in holders:
            t.join(10)
        _wait_until_free(sb)
        time.sleep(0.3)
        assert tools.marks == []


def test_a_run_fails_at_once_when_stuck_runs_hold_every_runner_thread(tools: Tools) -> None:
    with make_sandbox(limits=Limits(timeout_s=TIMEOUT_S)) as sb:
        for _ in range(2):  # each is abandoned at its deadline with its thread still held
            stuck = sb.run_sync("hang()\n", tools.specs)
            assert stuck.error is not None and stuck.error.kind == "timeout"
        assert sb._stuck == 2
        started = time.monotonic()
        result = sb.run_sync("mark(what='late')\n", tools.specs)
        assert time.monotonic() - started < 0.2  # not its whole time limit
        assert result.error is not None and result.error.kind == "limit"
        assert "all 2 of the sandbox's runner threads" in result.error.message
        assert "not run" in result.error.message
        tools.release.set()
        _wait_until_free(sb)
        assert tools.marks == []
        again = sb.run_sync("print(mark(what='again'))\n", tools.specs)
        assert again.ok, again.error
        assert tools.marks == ["again"]


def test_more_concurrent_runs_than_runner_threads_all_finish_when_nothing_blocks(
    tools: Tools,
) -> None:
    # legitimate load: five runs at once on two runner threads queue briefly and all finish
    with make_sandbox(limits=Limits(timeout_s=10)) as sb:
        results: list[object] = []

        def one(i: int) -> None:
            results.append(sb.run_sync(f"print(mark(what='run{i}'))\n", tools.specs))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert len(results) == 5
        assert all(r.ok for r in results), [r.error for r in results]  # type: ignore[attr-defined]
        assert sorted(tools.marks) == [f"run{i}" for i in range(5)]


# --- tool threads (red9/29): a batch's hung calls keep their threads; others replace them -----
def test_hung_batch_calls_get_replacement_threads_then_fail_fast(
    tools: Tools, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sandbox_module, "TOOL_THREADS", 2)
    monkeypatch.setattr(sandbox_module, "TOOL_THREADS_HELD", 2)
    hung = "call_tools([('hang', {}), ('hang', {})])\n"
    fast = "print(call_tools([('mark', {'what': 'a'}), ('mark', {'what': 'b'})]))\n"
    with make_sandbox(limits=Limits(timeout_s=TIMEOUT_S)) as sb:
        first = sb.run_sync(hung, tools.specs)  # 2 threads held for good
        assert first.error is not None and first.error.kind == "timeout"
        assert sb._tools.held == 2
        r = sb.run_sync(fast, tools.specs)  # on the 2 replacement threads
        assert r.ok and r.stdout == "['a', 'b']\n", r.error
        sb.run_sync(hung, tools.specs)  # the replacements are held too: 4 of 2 + 2
        assert sb._tools.held == 4
        started = time.monotonic()
        r = sb.run_sync(fast, tools.specs)
        assert time.monotonic() - started < 0.25  # at once, not at its time limit
        assert r.error is not None and r.error.kind == "limit", r.error
        assert "no tool thread is free: 4 of the sandbox's tool threads are held" in (
            r.error.message
        )
        assert [c.ok for c in r.tool_calls] == [False, False]
        tools.release.set()  # the hung tools return: every thread counts again
        end = time.monotonic() + 5
        while sb._tools.held and time.monotonic() < end:
            time.sleep(0.01)
        assert sb._tools.held == 0
        r = sb.run_sync(fast, tools.specs)
        assert r.ok and r.stdout == "['a', 'b']\n", r.error


# --- close() and retire() while a run is under way (red9/30) ------------------------------------
def test_close_lets_a_run_under_way_finish_then_stops_the_threads(tools: Tools) -> None:
    sb = make_sandbox(limits=Limits(timeout_s=10))
    out: dict[str, object] = {}
    program = "hang()\nprint(call_tools([('mark', {'what': 'after'})]))\n"
    t = threading.Thread(target=lambda: out.setdefault("r", sb.run_sync(program, tools.specs)))
    t.start()
    assert tools.entered.acquire(timeout=10)
    sb.close()  # while the run is inside its first tool
    with pytest.raises(sandbox_module.SandboxError, match="closed"):
        sb.run_sync("print(1)\n")
    tools.release.set()
    t.join(10)
    r = out["r"]
    assert r.ok and r.stdout == "['after']\n", r.error  # type: ignore[attr-defined]
    assert sb._runner._shutdown and sb._tools._shutdown  # stopped once the run ended


def test_a_retired_sandbox_keeps_running_on_fresh_instances(tools: Tools) -> None:
    with sandbox_module.Sandbox(pool_size=1, limits=Limits(timeout_s=10)) as sb:
        sb.warm_up()
        sb.wait_ready(10)
        sb.retire()
        assert len(sb._ready) == 0 and sb.pool_size == 0
        for i in range(2):
            r = sb.run_sync(f"print(mark(what='r{i}'))\n", tools.specs)
            assert r.ok and r.stdout == f"r{i}\n", r.error
            assert r.timings.get("from_pool") == 0.0
        assert len(sb._ready) == 0
