"""A refusal (or limit) the guest records is reported to the host as it happens
(`record-sticky`), so a trap that ends the guest later (stack exhausted, memory, the epoch
deadline) cannot erase it: red-team finding 05, with the sandbox alone (no verifier)."""

from __future__ import annotations

import asyncio

from test_sandbox_support import make_sandbox, run

from codeact_verify.executor import execute
from codeact_verify.host import Limits
from codeact_verify.host.result import ExecutionError
from codeact_verify.host.trap import prefer_sticky

# The audit hook refuses `compile` (typing compiles a string forward reference); the program
# catches the PermissionError and goes on.
REFUSED = (
    "import typing\n"
    "try:\n"
    "    typing.Optional['os']\n"
    "except OSError:\n"
    "    pass\n"
    "print('refusal swallowed')\n"
)
REFUSAL = "the sandbox refused compile"
# C recursion (repr of a deeply nested list) exhausts the wasm stack: a trap, not an exception.
STACK_TRAP = "x = []\nfor i in range(200000):\n    x = [x]\nprint(len(repr(x)))\n"


def test_refusal_then_stack_exhaustion_is_rejected() -> None:
    with make_sandbox(limits=Limits(timeout_s=30)) as sb:
        r = run(sb, REFUSED + STACK_TRAP)
    assert r.error is not None and r.error.kind == "rejected", r.error
    assert r.error.message == REFUSAL
    assert r.stdout == "refusal swallowed\n"
    assert not r.ok


def test_plain_stack_exhaustion_is_still_a_limit() -> None:
    with make_sandbox(limits=Limits(timeout_s=30)) as sb:
        r = run(sb, "print('before')\n" + STACK_TRAP)
    assert r.error is not None and r.error.kind == "limit", r.error
    assert "stack" in r.error.message
    assert r.stdout == "before\n"


def test_refusal_then_endless_loop_is_rejected() -> None:
    with make_sandbox(limits=Limits(timeout_s=0.5)) as sb:
        r = run(sb, REFUSED + "while True:\n    pass\n")
    assert r.error is not None and r.error.kind == "rejected", r.error
    assert r.error.message == REFUSAL


def test_refusal_then_one_long_builtin_call_is_rejected() -> None:
    # no tick runs inside sum(): only the epoch backstop (a trap) stops it
    with make_sandbox(limits=Limits(timeout_s=0.5)) as sb:
        r = run(sb, REFUSED + "sum(range(10**14))\n")
    assert r.error is not None and r.error.kind == "rejected", r.error
    assert r.error.message == REFUSAL


def test_refusal_then_memory_exhaustion_is_rejected() -> None:
    with make_sandbox(limits=Limits(memory_mb=64, timeout_s=30)) as sb:
        r = run(sb, REFUSED + "b = []\nwhile True:\n    b.append(bytearray(10**7))\n")
    assert r.error is not None and r.error.kind == "rejected", r.error


def test_caught_refusal_then_normal_end_is_rejected() -> None:
    # the contract: a refusal is sticky, whatever the program does after catching it
    with make_sandbox() as sb:
        r = run(sb, REFUSED + "print('went on', sum(range(10)))\n")
        assert r.error is not None and r.error.kind == "rejected", r.error
        assert r.error.message == REFUSAL
        assert r.stdout == "refusal swallowed\nwent on 45\n"
        # the next run in the same sandbox starts clean
        ok = run(sb, "print(sum(range(10)))\n")
        assert ok.ok and ok.error is None and ok.stdout == "45\n"


def test_refusal_then_abandoned_blocking_tool_is_rejected() -> None:
    import threading

    released = threading.Event()

    def stuck() -> str:
        """Blocks far past the run's time limit."""
        released.wait(5)
        return "late"

    try:
        with make_sandbox(limits=Limits(timeout_s=0.5)) as sb:
            r = run(sb, REFUSED + "print(stuck())\n", [stuck])
        assert r.error is not None and r.error.kind == "rejected", r.error
        assert r.error.message == REFUSAL
    finally:
        released.set()


def test_other_sticky_limit_survives_a_trap() -> None:
    # an output limit hit and caught (BaseException), then a stack trap: still `output`
    with make_sandbox(limits=Limits(output_bytes=100, timeout_s=30)) as sb:
        r = run(sb, "try:\n    print('y' * 1000)\nexcept BaseException:\n    pass\n" + STACK_TRAP)
    assert r.error is not None and r.error.kind == "output", r.error
    assert "output limit of 100 bytes" in r.error.message


def test_legitimate_deep_program_is_fine() -> None:
    with make_sandbox() as sb:
        r = run(sb, "x = []\nfor i in range(50):\n    x = [x]\nprint(len(repr(x)))\n")
    assert r.ok, r.error
    assert r.stdout == "102\n"


def test_unverified_execute_reports_the_refusal() -> None:
    with make_sandbox(limits=Limits(timeout_s=30)) as sb:
        result = asyncio.run(execute(REFUSED + STACK_TRAP, {}, sandbox=sb, verified=False))
    error = result.result.error
    assert result.report is None
    assert error is not None and error.kind == "rejected" and error.message == REFUSAL


def test_prefer_sticky_rule() -> None:
    limits = Limits()
    trap = ExecutionError("limit", "recursion too deep: the guest's stack is exhausted")
    assert prefer_sticky(trap, None, limits) is trap
    assert prefer_sticky(None, None, limits) is None
    got = prefer_sticky(trap, ("rejected", "the sandbox refused open('/etc/passwd', 'r')"), limits)
    assert got == ExecutionError("rejected", "the sandbox refused open('/etc/passwd', 'r')")
    # the guest's own error of the same kind keeps its line
    own = ExecutionError("rejected", "the sandbox refused compile", 3)
    assert prefer_sticky(own, ("rejected", "the sandbox refused compile"), limits) is own
    # a guest that said ok after reporting a refusal: the host's record wins
    assert prefer_sticky(None, ("rejected", "x"), limits) == ExecutionError("rejected", "x")
    # an unknown kind is not passed on; a long message is capped
    odd = prefer_sticky(None, ("bogus", "m" * 100000), limits)
    assert odd is not None and odd.kind == "runtime"
    assert len(odd.message.encode()) <= limits.max_message_bytes + 100
    # a guest cannot claim the host's own kind
    claimed = prefer_sticky(None, ("denied", "x"), limits)
    assert claimed is not None and claimed.kind == "runtime"
