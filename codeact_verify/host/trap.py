"""Turn a wasmtime trap (the guest was stopped from outside) into an `ExecutionError`."""

from __future__ import annotations

from .limits import Limits
from .result import ExecutionError, clip_text


def classify_trap(exc: Exception, limits: Limits) -> ExecutionError:
    text = str(exc)
    low = text.lower()
    if "interrupt" in low or "epoch" in low:
        return ExecutionError("timeout", f"time limit of {limits.timeout_s:g} s exceeded")
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
