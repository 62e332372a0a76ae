"""Turn a wasmtime trap (the guest was stopped from outside) into an `ExecutionError`, and let
a sticky outcome the guest reported while it ran (a refusal, a limit) win over it."""

from __future__ import annotations

import importlib
from typing import Any

from .limits import Limits
from .result import ExecutionError, clip_text

# The sandbox ABI (bundled into the guest, importable here): the kinds a guest may report.
_abi: Any = importlib.import_module("codeact_verify.guest.runtime.abi")
GUEST_ERROR_KINDS: tuple[str, ...] = tuple(_abi.GUEST_ERROR_KINDS)


class RunAbandoned(Exception):
    """Raised by a host function of a run whose caller stopped waiting. The linker's host
    functions let it through (`engine._guarded`), and the trampoline turns it into a trap: the
    guest stops right there and runs no more of the program, not even a `finally` block, which
    a catchable or sticky error would still run (red-team finding red9/27)."""


def prefer_sticky(
    error: ExecutionError | None, sticky: tuple[str, str] | None, limits: Limits
) -> ExecutionError | None:
    """The run's error once the guest's first sticky outcome is taken into account.

    The guest reports a refusal or a limit the moment it records it (`record-sticky`), and its
    own outcome already puts it first. The host applies the same rule, because the guest's
    outcome is lost when the guest traps afterwards (stack exhausted, memory, the epoch
    deadline) or is abandoned: the first sticky outcome decides the kind; the guest's own
    error is kept when it has that kind (it may name the line).
    """
    if sticky is None:
        return error
    kind, message = sticky
    if kind not in GUEST_ERROR_KINDS:  # e.g. "denied", which is the host's alone
        kind = "runtime"
    if error is not None and error.kind == kind:
        return error
    return ExecutionError(kind, clip_text(message, limits.max_message_bytes), None)


def classify_trap(exc: Exception, limits: Limits) -> ExecutionError:
    text = str(exc)
    low = text.lower()
    if "interrupt" in low or "epoch" in low:
        # The guest raises its own timeout, with the line, at a tick (loops, functions,
        # comprehensions): a trap here means it reached none in time, almost always because
        # it was inside one long built-in call (`sum(range(10**14))`, `10**10**8`,
        # `max(items, key=lambda v: ...)`), whose line only a report to the host at every
        # statement could give.
        return ExecutionError(
            "timeout",
            f"time limit of {limits.timeout_s:g} s exceeded, most likely in a single built-in "
            "call that ran past the deadline (the sandbox stopped it from outside, so its line "
            "is not known)",
        )
    if "call stack exhausted" in low or "stack overflow" in low:
        return ExecutionError("limit", "recursion too deep: the guest's stack is exhausted")
    if "memory" in low or "memoryerror" in low or "out of memory" in low:
        return ExecutionError(
            "memory", f"memory limit of {limits.memory_mb} MiB exceeded (the guest was stopped)"
        )
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return ExecutionError(
        "runtime", clip_text(f"the guest stopped unexpectedly: {first}", limits.max_message_bytes)
    )
