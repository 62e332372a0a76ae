"""Red-team findings red11/47-51 (docs/redteam/47_*.md ... 51_*.md): attacks on the output-turn,
thread-pool and per-run loop changes. Each test fails today because of its finding (xfail,
strict)."""

from __future__ import annotations

import concurrent.futures
import os
import threading
import time
from pathlib import Path

import pytest

from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host.limits import Limits
from codeact_verify.host.result import ExecutionResult
from codeact_verify.host.sandbox import Sandbox


@pytest.fixture(autouse=True)
def _needs_sandbox() -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")


def _pause(s: float) -> str:
    """Waits."""
    time.sleep(s)
    return "ok"


# --- red11/47: nested runs of one outer run overlap on the output directory ------------------
def test_nested_runs_of_one_batch_report_only_their_own_files(tmp_path: Path) -> None:
    results: dict[str, list[str]] = {}
    with Sandbox(pool_size=0, limits=Limits(timeout_s=10), output_dir=tmp_path) as sb:

        def delegate(name: str) -> str:
            """Runs a sub-program that writes one file."""
            r = sb.run_sync(
                f"pause(s=0.3)\nwrite_text('/output/{name}.txt', '{name}')\npause(s=0.3)\n",
                [_pause_tool],
            )
            results[name] = sorted(a.path for a in r.artifacts)
            return repr(r.ok)

        _pause_tool = _named(_pause, "pause")
        outer = sb.run_sync(
            "print(call_tools([('delegate', {'name': 'x'}), ('delegate', {'name': 'y'})]))\n",
            [delegate],
        )
        assert outer.ok, outer.error
    assert results == {"x": ["/output/x.txt"], "y": ["/output/y.txt"]}


def _named(func, name):  # type: ignore[no-untyped-def]
    def pause(s: float) -> str:
        """Waits."""
        return func(s)

    pause.__name__ = name
    return pause


# --- red11/48: an output directory inside another one ----------------------------------------
def test_an_output_dir_inside_another_does_not_leak_into_its_runs(tmp_path: Path) -> None:
    pause = _named(_pause, "pause")
    with (
        Sandbox(pool_size=0, limits=Limits(timeout_s=10), output_dir=tmp_path) as parent,
        Sandbox(pool_size=0, limits=Limits(timeout_s=10), output_dir=tmp_path / "sub") as child,
    ):
        out: dict[str, object] = {}
        t = threading.Thread(
            target=lambda: out.setdefault(
                "p", parent.run_sync("pause(s=0.8)\nwrite_text('/output/p.txt', 'p')\n", [pause])
            )
        )
        t.start()
        time.sleep(0.2)
        c = child.run_sync("write_text('/output/secret.txt', 's')\n")
        t.join(10)
        assert [a.path for a in c.artifacts] == ["/output/secret.txt"]
        assert [a.path for a in out["p"].artifacts] == ["/output/p.txt"]  # type: ignore[attr-defined]


# --- red11/49: a sub-run started on a tool's own worker thread --------------------------------
@pytest.mark.xfail(strict=True, reason="red11/49: a sub-run off the context waits for itself")
def test_a_sub_run_on_a_tool_worker_thread_is_not_refused(tmp_path: Path) -> None:
    pool = concurrent.futures.ThreadPoolExecutor(1)
    got: dict[str, object] = {}
    with Sandbox(pool_size=0, limits=Limits(timeout_s=2.0), output_dir=tmp_path) as sb:

        def delegate(name: str) -> str:
            """Runs a sub-program on the tool's own worker pool."""
            r = pool.submit(sb.run_sync, f"write_text('/output/{name}.txt', 'n')\n").result()
            got["sub"] = r
            return repr(r.ok)

        t0 = time.monotonic()
        sb.run_sync("print(delegate(name='x'))\n", [delegate])
        took = time.monotonic() - t0
    pool.shutdown()
    assert got["sub"].ok  # type: ignore[attr-defined]
    assert took < 1.5


# --- red11/50: a pooled instance keeps the output directory's old target ---------------------
def test_a_repointed_output_symlink_is_not_written_through_a_pooled_instance(
    tmp_path: Path,
) -> None:
    (tmp_path / "A").mkdir()
    (tmp_path / "B").mkdir()
    link = tmp_path / "current"
    link.symlink_to(tmp_path / "A")
    with Sandbox(pool_size=1, limits=Limits(timeout_s=5), output_dir=link) as sb:
        sb.warm_up()
        assert sb.wait_ready()
        link.unlink()
        link.symlink_to(tmp_path / "B")
        r = sb.run_sync("write_text('/output/mine.txt', 'm')\n")
    written = sorted(os.listdir(tmp_path / "A")) + sorted(os.listdir(tmp_path / "B"))
    assert written == ["mine.txt"]
    # whichever directory it went to, the run reports it and its turn was that directory's
    assert [a.path for a in r.artifacts] == ["/output/mine.txt"]


# --- red11/51: stale idle tokens keep replacement threads from starting -----------------------
def test_replacement_tool_threads_start_after_a_large_batch() -> None:
    release = threading.Event()

    def quick(i: int) -> int:
        """Returns at once."""
        time.sleep(0.02)
        return i

    def hang(i: int) -> int:
        """Never returns in time."""
        release.wait(30)
        return i

    try:
        with Sandbox(pool_size=0, limits=Limits(timeout_s=1.5)) as sb:
            r1 = sb.run_sync(
                "print(len(call_tools([('quick', {'i': i}) for i in range(16)])))\n", [quick]
            )
            assert r1.ok, r1.error
            sb.run_sync("print(call_tools([('hang', {'i': i}) for i in range(8)]))\n", [hang])
            r3 = sb.run_sync("print(call_tools([('quick', {'i': 1})]))\n", [quick])
            assert r3.ok, (r3.error, [c.error for c in r3.tool_calls])
    finally:
        release.set()


# --- red11/52: a nested run adopted before it started is never stopped -----------------------
def test_a_sub_run_still_setting_up_when_the_turn_ends_is_stopped(tmp_path: Path) -> None:
    import contextvars

    from codeact_verify.host.turns import HELD

    pause = _named(_pause, "pause")
    sub_program = "x = 0\n" * 20000 + "pause(s=0.5)\nwrite_text('/output/from_a.txt', 'A')\n"
    done = threading.Event()
    with Sandbox(pool_size=0, limits=Limits(timeout_s=3.0), output_dir=tmp_path) as sb:

        def spawn(task: str) -> str:
            """Starts a sub-agent in the background."""

            def sub() -> None:
                try:
                    sb.run_sync(sub_program, [pause])
                finally:
                    done.set()

            threading.Thread(target=contextvars.copy_context().run, args=(sub,)).start()
            # what this test is about: the sub-run has joined the turn (it is setting up its
            # 20 000 lines) when the outer run ends. A sub-run whose thread reaches run_sync
            # only after the outer run ended is a run of its own (`turns.nested_in`: a task a
            # tool leaves running counts for nothing once the turn has ended); a busy machine
            # made that happen once in CI, so wait until it has joined
            turn = HELD.get()
            assert turn is not None
            end = time.monotonic() + 10
            while not turn._nested and time.monotonic() < end:
                time.sleep(0.001)
            return "started"

        a = sb.run_sync("print(spawn(task='t'))\n", [spawn])
        assert a.ok, a.error
        c = sb.run_sync("pause(s=1.0)\nprint('C')\n", [pause])
        done.wait(10)
    assert [x.path for x in c.artifacts] == []
    assert not (tmp_path / "from_a.txt").exists()


# --- red11/53: output_dir changed on a live sandbox ------------------------------------------
def test_changing_output_dir_mid_run_does_not_report_the_new_dirs_files(tmp_path: Path) -> None:
    (tmp_path / "alice").mkdir()
    (tmp_path / "bob").mkdir()
    (tmp_path / "bob" / "bob_private.txt").write_text("b")
    entered = threading.Event()

    def pause(s: float) -> str:
        """Waits."""
        entered.set()
        time.sleep(s)
        return "ok"

    out: dict[str, object] = {}
    with Sandbox(pool_size=0, limits=Limits(timeout_s=5), output_dir=tmp_path / "alice") as sb:
        t = threading.Thread(
            target=lambda: out.setdefault(
                "a", sb.run_sync("pause(s=0.5)\nwrite_text('/output/alice.txt', 'a')\n", [pause])
            )
        )
        t.start()
        assert entered.wait(5)
        sb.output_dir = tmp_path / "bob"
        t.join(10)
    assert [a.path for a in out["a"].artifacts] == ["/output/alice.txt"]  # type: ignore[attr-defined]


# --- red11/54: Turn.end blocks the event loop -------------------------------------------------
def test_ending_a_turn_does_not_stall_the_event_loop(tmp_path: Path) -> None:
    import asyncio

    tasks: list[asyncio.Task[object]] = []
    with Sandbox(pool_size=2, limits=Limits(timeout_s=3.0), output_dir=tmp_path) as sb:

        async def pause(s: float) -> str:
            """Waits."""
            await asyncio.sleep(s)
            return "ok"

        async def spawn(task: str) -> str:
            """Starts a sub-agent in the background."""
            tasks.append(asyncio.create_task(sb.run("pause(s=2.0)\n", [pause])))
            await asyncio.sleep(0.1)
            return "started"

        async def main() -> float:
            gaps: list[float] = []

            async def heartbeat() -> None:
                last = time.monotonic()
                while True:
                    await asyncio.sleep(0.005)
                    now = time.monotonic()
                    gaps.append(now - last)
                    last = now

            hb = asyncio.create_task(heartbeat())
            await asyncio.sleep(0.1)
            gaps.clear()
            await sb.run("print(spawn(task='t'))\n", [spawn, pause])
            await asyncio.sleep(0.1)
            hb.cancel()
            await tasks[0]
            return max(gaps)

        sb.warm_up()
        # (a run that finds the ready pool empty makes its instance on the loop's thread, tens
        # of ms: not what this test is about)
        sb.wait_ready()
        assert asyncio.run(main()) < 0.15


# --- red11/55: an interrupt right after the turn was taken ------------------------------------
def test_an_interrupt_right_after_taking_the_turn_releases_it(tmp_path: Path) -> None:
    import sys

    from codeact_verify.host.sandbox import _OutputHold

    def tracer(frame, event, arg):  # type: ignore[no-untyped-def]
        if event == "call" and frame.f_code is _OutputHold.take.__code__:

            def on_return(frame, event, arg):  # type: ignore[no-untyped-def]
                if event == "return":
                    sys.settrace(None)
                    raise KeyboardInterrupt
                return on_return

            return on_return
        return None

    with Sandbox(pool_size=0, limits=Limits(timeout_s=1.0), output_dir=tmp_path) as sb:
        old = sys.gettrace()
        sys.settrace(tracer)
        try:
            with pytest.raises(KeyboardInterrupt):
                sb.run_sync("print(1)\n")
        finally:
            sys.settrace(old)
        r = sb.run_sync("print(2)\n")
    assert r.ok, r.error


# --- red17 (turns review): an outer turn without a deadline --------------------------------------
def test_a_nested_run_inside_a_turn_without_a_deadline_runs(tmp_path: Path) -> None:
    """The Agent Framework adapter holds its turn with an infinite deadline; a blocking run
    nested in it (an approval callback doing `await asyncio.to_thread(execute_sync, ...)`)
    waited with `Lock.acquire(timeout=inf)`, which raises OverflowError."""
    import asyncio

    from codeact_verify.host import turns

    with Sandbox(pool_size=0, limits=Limits(timeout_s=3.0), output_dir=tmp_path) as sb:

        async def run_code() -> ExecutionResult:
            key = turns.directory_key(tmp_path)
            owner = object()
            assert turns.REGISTRY.try_take(key, owner)
            held = turns.HELD.set(turns.Turn(key, float("inf")))
            try:
                return await asyncio.to_thread(
                    sb.run_sync, "write_text('/output/n.txt', 'n')\nprint('check')\n"
                )
            finally:
                turns.HELD.reset(held)
                turns.REGISTRY.release(key, owner)

        result = asyncio.run(run_code())
    assert result.ok, result.error
    assert result.stdout == "check\n"
    assert (tmp_path / "n.txt").read_text() == "n"
