"""Runs that share an output directory take turns (red9/31).

A run's artifacts are what changed in the output directory between its start and its end, so
runs of one sandbox with an output directory run one at a time: each reports only its own
files. A run started by a tool of that sandbox's own run (a nested run) runs inside the outer
run's turn instead of waiting for it. A run that cannot get its turn within its time limit
comes back saying so, not run.
"""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from test_sandbox_support import Limits, make_sandbox

from codeact_verify import CodeAct
from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host import turns
from codeact_verify.tools import tool_specs


@pytest.fixture(autouse=True)
def _needs_sandbox() -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")


def _gate() -> tuple[dict[str, Any], threading.Event, threading.Event]:
    """A `wait` tool that blocks until `go` is set (`entered` says it was called)."""
    go, entered = threading.Event(), threading.Event()

    def wait(what: str) -> str:
        """Waits until the test lets it go."""
        entered.set()
        go.wait(10)
        return what

    return tool_specs([wait]), go, entered


def test_overlapping_runs_each_report_only_their_own_files(tmp_path: Path) -> None:
    specs, go, entered = _gate()
    with make_sandbox(limits=Limits(timeout_s=10), output_dir=tmp_path) as sb:
        out: dict[str, Any] = {}
        first = threading.Thread(
            target=lambda: out.setdefault(
                "a", sb.run_sync("write_text('/output/a.txt', wait(what='a'))\n", specs)
            )
        )
        first.start()
        assert entered.wait(10)
        second = threading.Thread(
            target=lambda: out.setdefault(
                "b", sb.run_sync("write_text('/output/b.txt', 'b')\n", specs)
            )
        )
        second.start()
        time.sleep(0.2)
        assert "b" not in out  # it waits for its turn
        go.set()
        first.join(10)
        second.join(10)
        assert [x.path for x in out["a"].artifacts] == ["/output/a.txt"]
        assert [x.path for x in out["b"].artifacts] == ["/output/b.txt"]


def test_an_async_run_waits_for_its_turn_without_blocking_its_loop(tmp_path: Path) -> None:
    specs, go, _ = _gate()
    with make_sandbox(limits=Limits(timeout_s=10), output_dir=tmp_path) as sb:

        async def main() -> tuple[Any, Any, int]:
            a = asyncio.ensure_future(
                sb.run("write_text('/output/a.txt', wait(what='a'))\n", specs)
            )
            await asyncio.sleep(0.2)
            b = asyncio.ensure_future(sb.run("write_text('/output/b.txt', 'b')\n", specs))
            ticks = 0
            for _ in range(10):  # the loop keeps running while b waits for its turn
                await asyncio.sleep(0.01)
                ticks += 1
            go.set()
            return await a, await b, ticks

        ra, rb, ticks = asyncio.run(main())
        assert ticks == 10
        assert [x.path for x in ra.artifacts] == ["/output/a.txt"]
        assert [x.path for x in rb.artifacts] == ["/output/b.txt"]


def test_a_nested_run_on_the_same_sandbox_runs_inside_the_outer_turn() -> None:
    # a tool of a CodeAct with an output directory runs another program on the same CodeAct
    holder: dict[str, CodeAct] = {}

    def inner(n: int) -> str:
        """Runs a nested program."""
        ex = holder["ca"].execute_sync(f"write_text('/output/inner.txt', 'n={n}')\nprint({n})\n")
        return ex.stdout.strip() if ex.ok else f"failed: {ex.error}"

    with CodeAct(
        tools=[inner], approval_mode="never_require", output_dir=True, limits=Limits(timeout_s=5)
    ) as ca:
        holder["ca"] = ca
        started = time.monotonic()
        ex = ca.execute_sync("print(inner(n=7))\n")
        assert time.monotonic() - started < 4  # not a wait for its own outer run
        assert ex.ok and ex.stdout == "7\n", ex.error
        assert "/output/inner.txt" in [a.path for a in ex.artifacts]


def test_a_run_that_never_gets_its_turn_is_not_run(tmp_path: Path) -> None:
    with make_sandbox(limits=Limits(timeout_s=0.3), output_dir=tmp_path) as sb:
        key, owner = turns.directory_key(tmp_path), object()
        assert turns.REGISTRY.try_take(key, owner)  # another run holds the turn all along
        try:
            started = time.monotonic()
            r = sb.run_sync("write_text('/output/late.txt', 'x')\n")
            assert time.monotonic() - started < 2.0
        finally:
            turns.REGISTRY.release(key, owner)
        assert r.error is not None and r.error.kind == "timeout"
        assert "before the program started" in r.error.message
        assert "output directory" in r.error.message
        assert not (tmp_path / "late.txt").exists()


def test_a_run_waiting_for_its_turn_when_the_sandbox_closes_still_runs(tmp_path: Path) -> None:
    # close() lets runs under way finish; one that had entered but still waited for the
    # directory's turn is under way too (it used to get SandboxError when its turn came)
    specs, go, entered = _gate()
    sb = make_sandbox(limits=Limits(timeout_s=10), output_dir=tmp_path)
    out: dict[str, Any] = {}
    first = threading.Thread(
        target=lambda: out.setdefault(
            "a", sb.run_sync("write_text('/output/a.txt', wait(what='a'))\n", specs)
        )
    )
    first.start()
    assert entered.wait(10)

    def second_run() -> None:
        try:
            out["b"] = sb.run_sync("write_text('/output/b.txt', 'b')\n", specs)
        except Exception as exc:  # the bug: SandboxError("the sandbox is closed")
            out["b"] = exc

    second = threading.Thread(target=second_run)
    second.start()
    time.sleep(0.3)  # the second run has entered and waits for the turn
    sb.close()
    go.set()
    first.join(10)
    second.join(10)
    assert out["a"].ok, out["a"].error
    assert not isinstance(out["b"], Exception), out["b"]
    assert out["b"].ok and [a.path for a in out["b"].artifacts] == ["/output/b.txt"]
    with pytest.raises(Exception, match="closed"):  # a run started after close() is refused
        sb.run_sync("print(1)\n")
