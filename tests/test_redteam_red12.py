"""Red-team findings red12/56-59 (docs/redteam/56_*.md ... 59_*.md): attacks on the output-turn
fixes of red11. Each test failed because of its finding; 56-58 pass with their fixes, 59 is
mitigated (refused at once instead of a deadlock) and stays xfail (strict)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host.limits import Limits
from codeact_verify.host.sandbox import Sandbox


@pytest.fixture(autouse=True)
def _needs_sandbox() -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")


def pause(s: float) -> str:
    """Waits."""
    time.sleep(s)
    return "ok"


# --- red12/56: a sub-run on a sub-directory of the outer run's output directory ---------------
def test_a_sub_run_on_a_sub_directory_is_not_refused(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    got: dict[str, object] = {}
    with (
        Sandbox(pool_size=0, limits=Limits(timeout_s=8), output_dir=tmp_path) as outer_sb,
        Sandbox(pool_size=0, limits=Limits(timeout_s=2), output_dir=tmp_path / "sub") as sub_sb,
    ):

        def delegate() -> str:
            """Runs a sub-task."""
            r = sub_sb.run_sync("write_text('/output/a.txt', 'x')\n")
            got["ok"] = r.ok
            return repr(r.ok)

        outer_sb.run_sync("print(delegate())\n", [delegate])
    assert got == {"ok": True}


# --- red12/57: batched nested runs spend their own limits waiting for each other -------------
def test_a_batch_of_sub_runs_that_each_fit_their_limit_all_run(tmp_path: Path) -> None:
    oks: dict[str, bool] = {}
    with Sandbox(pool_size=0, limits=Limits(timeout_s=3), output_dir=tmp_path) as sb:

        def delegate(name: str) -> str:
            """Runs a sub-task (about 1 s)."""
            r = sb.run_sync(f"pause(s=1.0)\nwrite_text('/output/{name}.txt', 'x')\n", [pause])
            oks[name] = r.ok
            return repr(r.ok)

        with Sandbox(pool_size=0, limits=Limits(timeout_s=30), output_dir=tmp_path) as outer:
            calls = ", ".join(f"('delegate', {{'name': 'n{i}'}})" for i in range(4))
            outer.run_sync(f"print(call_tools([{calls}]))\n", [delegate])
    assert oks == {f"n{i}": True for i in range(4)}


# --- red12/58: a run nested two deep outlives the outer turn ---------------------------------
def test_a_grandchild_run_does_not_write_into_the_next_run(tmp_path: Path) -> None:
    async def main() -> list[str]:
        with Sandbox(pool_size=0, limits=Limits(timeout_s=10), output_dir=tmp_path) as sb:

            def level2() -> str:
                """Runs the grandchild program."""
                prog = "pause(s=1.5)\nwrite_text('/output/late.txt', 'x')\n"
                return repr(sb.run_sync(prog, [pause]).ok)

            def level1() -> str:
                """Runs the child program."""
                return repr(sb.run_sync("print(level2())\n", [level2]).ok)

            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(sb.run("print(level1())\n", [level1]), 0.8)
            nxt = await sb.run("pause(s=2.5)\n", [pause])
            return [a.path for a in nxt.artifacts]

    assert asyncio.run(main()) == []


# --- red12/59: a blocking sub-run in an async tool deadlocks its awaited sibling -------------
@pytest.mark.xfail(
    strict=True,
    reason="red12/59 (mitigated): run_sync inside async def cannot wait on the loop for its "
    "sibling, so it is refused at once (no deadlock); only awaited sub-runs take turns",
)
def test_a_blocking_and_an_awaited_sub_run_of_one_batch_both_run(tmp_path: Path) -> None:
    oks: dict[str, bool] = {}

    async def main() -> None:
        with Sandbox(pool_size=0, limits=Limits(timeout_s=4), output_dir=tmp_path) as sb:

            async def a_async() -> str:
                """Sub-run, awaited."""
                r = await sb.run("pause(s=0.3)\nwrite_text('/output/a.txt', 'a')\n", [pause])
                oks["a"] = r.ok
                return repr(r.ok)

            async def b_blocking() -> str:
                """Sub-run, called with run_sync from async code."""
                await asyncio.sleep(0.05)
                oks["b"] = sb.run_sync("write_text('/output/b.txt', 'b')\n").ok
                return repr(oks["b"])

            prog = "print(call_tools([('a_async', {}), ('b_blocking', {})]))\n"
            await sb.run(prog, [a_async, b_blocking])

    asyncio.run(main())
    assert oks == {"a": True, "b": True}


def test_a_blocking_sub_run_in_async_code_is_refused_at_once_not_deadlocked(
    tmp_path: Path,
) -> None:
    # red12/59's mitigation: the awaited sibling runs; the blocking one is refused at once with
    # a message that says what to do, and the outer run ends well within its limit
    got: dict[str, object] = {}

    async def main() -> object:
        with Sandbox(pool_size=0, limits=Limits(timeout_s=4), output_dir=tmp_path) as sb:

            async def a_async() -> str:
                """Sub-run, awaited."""
                r = await sb.run("pause(s=0.3)\nwrite_text('/output/a.txt', 'a')\n", [pause])
                got["a"] = r.ok
                return repr(r.ok)

            async def b_blocking() -> str:
                """Sub-run, called with run_sync from async code."""
                await asyncio.sleep(0.05)
                got["b"] = sb.run_sync("write_text('/output/b.txt', 'b')\n")
                return "b"

            prog = "print(call_tools([('a_async', {}), ('b_blocking', {})]))\n"
            return await sb.run(prog, [a_async, b_blocking])

    started = time.monotonic()
    outer = asyncio.run(main())
    assert time.monotonic() - started < 3.5
    assert outer.ok, outer.error  # type: ignore[attr-defined]
    assert got["a"] is True
    b = got["b"]
    assert b.error is not None and "await Sandbox.run" in b.error.message  # type: ignore[attr-defined]
