"""A run's host context (where its output and tool calls go) survives a run or a pool warm-up
started on the same thread from inside it (red6/20: an async tool that ran a second sandbox
ended the outer run's context, so the outer program's later output was silently dropped and its
later tool calls failed; a warm-up's dry runs could print into the outer run)."""

from __future__ import annotations

import time
from typing import Any

from codeact_verify.host.bridge import RunBridge
from codeact_verify.host.engine import set_context
from codeact_verify.host.mounts import wasi_config
from codeact_verify.host.sandbox import Sandbox, _Instance


def test_a_nested_run_keeps_the_outer_runs_output_and_tools() -> None:
    inner = Sandbox(pool_size=0)
    outer = Sandbox(pool_size=0)

    async def run_code(x: int) -> int:
        """Runs a small program in another sandbox (a sub-agent's code runner)."""
        result = inner.run_sync("print('inner')")
        assert result.ok and result.stdout == "inner\n"
        return x + 1

    async def double(x: int) -> int:
        """Doubles x."""
        return 2 * x

    program = "print('before')\nv = run_code(1)\nprint('after', v)\nprint(double(v))\n"
    try:
        result = outer.run_sync(program, [run_code, double])
    finally:
        inner.close()
        outer.close()
    assert result.ok, result.error
    assert result.stdout == "before\nafter 2\n4\n"
    # a plain run on its own is unchanged
    with Sandbox(pool_size=0) as alone:
        assert alone.run_sync("print('x')").stdout == "x\n"


def test_a_warm_up_inside_a_run_prints_nothing_into_it() -> None:
    sb = Sandbox(pool_size=0)
    try:
        first = sb.run_sync("print(1)")  # the config the dry runs will use
        assert first.ok
        bridge: Any = RunBridge({}, sb.limits, None, time.monotonic() + 10, None, sb._tools)
        set_context(bridge)
        try:
            _Instance(sb._load(), 128 << 20, wasi_config([]), True, sb._config_hint)
        finally:
            previous = set_context(None)
        assert previous is bridge
        assert bridge.output() == ("", "")
    finally:
        sb.close()
