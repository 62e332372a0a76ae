"""Every limit is hit once, gives its own error kind, and the next run in the process works."""

from __future__ import annotations

import pytest
from test_sandbox_support import POLICY, Limits, make_sandbox, run, specs

from codeact_verify.host import ExecutionResult


def echo(data: str) -> str:
    """Echo."""
    return data


def big(n: int) -> str:
    """A result of n bytes."""
    return "y" * n


def assert_next_run_works(sb) -> None:
    r = run(sb, "print('still fine')")
    assert r.ok and r.stdout == "still fine\n", r.error


def expect(r: ExecutionResult, kind: str, needle: str = "") -> None:
    assert not r.ok
    assert r.error is not None, r
    assert r.error.kind == kind, r.error
    assert needle in r.error.message, r.error.message


def test_timeout() -> None:
    with make_sandbox(limits=Limits(timeout_s=0.5)) as sb:
        r = run(sb, "x = 0\nwhile True:\n    x += 1\n")
        expect(r, "timeout", "time limit of 0.5 s")
        assert_next_run_works(sb)


def test_timeout_while_a_tool_blocks() -> None:
    import asyncio

    async def forever() -> str:
        """Never returns."""
        await asyncio.sleep(3600)
        return ""

    with make_sandbox(limits=Limits(timeout_s=0.5)) as sb:
        r = run(sb, "forever()", [forever])
        expect(r, "timeout")
        assert_next_run_works(sb)


def test_memory_limit() -> None:
    with make_sandbox(limits=Limits(memory_mb=64)) as sb:
        r = run(sb, "x = 'a' * (200 * 1024 * 1024)\n")
        expect(r, "memory")
        assert_next_run_works(sb)


def test_memory_limit_caught_is_still_reported() -> None:
    with make_sandbox(limits=Limits(memory_mb=64)) as sb:
        r = run(
            sb, "try:\n    x = [0] * (100 * 1024 * 1024)\nexcept MemoryError:\n    print('no')\n"
        )
        # The program may catch MemoryError; that is its business, the run itself is fine.
        assert r.ok or r.error.kind == "memory"
        assert_next_run_works(sb)


def test_output_limit_truncates_with_marker() -> None:
    with make_sandbox(limits=Limits(output_bytes=1000)) as sb:
        r = run(sb, "for i in range(10000):\n    print('line', i)\n")
        expect(r, "output", "1000 bytes")
        assert len(r.stdout.encode()) < 1200
        assert "[... output truncated" in r.stdout
        assert_next_run_works(sb)


def test_output_limit_cannot_be_swallowed() -> None:
    with make_sandbox(limits=Limits(output_bytes=100)) as sb:
        program = "try:\n    print('x' * 500)\nexcept BaseException:\n    pass\nprint('after')\n"
        r = run(sb, program)
        expect(r, "output")


def test_tool_call_count_limit() -> None:
    with make_sandbox(limits=Limits(max_tool_calls=3)) as sb:
        r = run(sb, "for i in range(10):\n    echo('a')\n", [echo])
        expect(r, "limit", "tool call limit of 3")
        assert len(r.tool_calls) == 3
        r2 = run(sb, "call_tools([('echo', {'data': 'a'})] * 4)", [echo])
        expect(r2, "limit", "tool call limit of 3")
        assert_next_run_works(sb)


def test_tool_call_limit_cannot_be_swallowed() -> None:
    with make_sandbox(limits=Limits(max_tool_calls=1)) as sb:
        program = (
            "for i in range(3):\n    try:\n        echo('a')\n"
            "    except BaseException:\n        pass\n"
        )
        expect(run(sb, program, [echo]), "limit")


def test_argument_size_limit() -> None:
    with make_sandbox(limits=Limits(max_arg_bytes=1000)) as sb:
        r = run(sb, "echo('a' * 5000)", [echo])
        expect(r, "size", "1000 bytes")
        assert r.tool_calls == []  # stopped in the guest
        assert run(sb, "print(len(echo('a' * 900)))", [echo]).stdout == "900\n"


def test_result_size_limit() -> None:
    with make_sandbox(limits=Limits(max_result_bytes=1000)) as sb:
        r = run(sb, "big(5000)", [big])
        expect(r, "size", "1000 bytes")
        assert r.tool_calls and not r.tool_calls[0].ok
        assert run(sb, "print(len(big(900)))", [big]).stdout == "900\n"


def test_recursion_limit() -> None:
    with make_sandbox(limits=Limits(recursion=100)) as sb:
        r = run(sb, "def f(n):\n    return f(n + 1)\nf(0)\n")
        expect(r, "limit", "recursion")
        assert r.error.line == 2
        ok = run(sb, "def f(n):\n    return 0 if n == 0 else f(n - 1)\nprint(f(80))\n")
        assert ok.ok, ok.error


def test_http_request_count_limit() -> None:
    with make_sandbox(limits=Limits(max_http_requests=1)) as sb:
        program = (
            "for i in range(3):\n"
            "    try:\n"
            "        http_get('https://example.com/')\n"
            "    except PermissionError:\n"
            "        pass\n"
        )
        expect(run(sb, program), "limit", "HTTP request limit of 1")


@pytest.mark.parametrize("bad", [{"timeout_s": 0}, {"memory_mb": 8}, {"output_bytes": -1}])
def test_bad_limits_rejected(bad: dict) -> None:
    with pytest.raises(ValueError):
        Limits(**bad)


# -- output printed before a limit stopped the guest is kept ---------------------------------
def test_output_before_timeout_is_kept() -> None:
    with make_sandbox(limits=Limits(timeout_s=0.5)) as sb:
        r = run(sb, "for i in range(3):\n    print('step', i)\nwhile True:\n    pass\n")
        expect(r, "timeout")
        assert r.stdout == "step 0\nstep 1\nstep 2\n"
        assert_next_run_works(sb)


def test_output_before_memory_limit_is_kept() -> None:
    with make_sandbox(limits=Limits(memory_mb=64)) as sb:
        r = run(sb, "print('loading')\nx = []\nwhile True:\n    x.append('a' * 1000000)\n")
        expect(r, "memory")
        assert r.stdout == "loading\n"
        assert_next_run_works(sb)


def test_output_before_stack_exhaustion_is_kept() -> None:
    # recursion limit high enough that the wasm stack runs out first (a trap, not an exception)
    # (a generous time limit: unwinding a million frames takes seconds on a busy machine)
    with make_sandbox(limits=Limits(recursion=1_000_000, timeout_s=120)) as sb:
        r = run(sb, "print('deep')\ndef f(n):\n    return f(n + 1) + 1\nf(0)\n")
        assert r.error is not None and r.error.kind in ("limit", "memory"), r.error
        assert r.stdout == "deep\n"
        assert_next_run_works(sb)


def test_output_and_stderr_stream_in_order() -> None:
    with make_sandbox() as sb:
        r = run(sb, "print('a', 1, sep='-', end='|')\nprint()\nprint('\\ud800')\n")
        assert r.ok, r.error
        assert r.stdout == "a-1|\n?\n"


# -- a sync tool that blocks past the time limit ----------------------------------------------
def test_blocking_sync_tool_ends_at_the_time_limit() -> None:
    import threading
    import time

    released = threading.Event()

    def stuck() -> str:
        """Blocks far past the run's time limit."""
        released.wait(5)
        return "late"

    with make_sandbox(limits=Limits(timeout_s=0.5)) as sb:
        t0 = time.perf_counter()
        r = run(sb, "print('calling')\nprint(stuck())\n", [stuck])
        took = time.perf_counter() - t0
        expect(r, "timeout", "time limit of 0.5 s")
        assert r.stdout == "calling\n"
        assert took < 1.5, took
        assert_next_run_works(sb)
        released.set()


def test_blocking_sync_tool_ends_at_the_time_limit_async() -> None:
    import asyncio
    import threading
    import time

    released = threading.Event()

    def stuck() -> str:
        """Blocks far past the run's time limit."""
        released.wait(5)
        return "late"

    async def main() -> None:
        with make_sandbox(limits=Limits(timeout_s=0.5)) as sb:
            t0 = time.perf_counter()
            r = await sb.run("stuck()", specs(stuck), POLICY)
            expect(r, "timeout")
            assert time.perf_counter() - t0 < 1.5
            released.set()

    asyncio.run(main())


def test_tool_raising_timeout_error_is_a_tool_error() -> None:
    def slow() -> str:
        """Times out by itself."""
        raise TimeoutError("upstream took too long")

    with make_sandbox() as sb:
        r = run(sb, "try:\n    slow()\nexcept ToolError as e:\n    print('caught', e.message)\n",
                [slow])
        assert r.ok, r.error
        assert "upstream took too long" in r.stdout
