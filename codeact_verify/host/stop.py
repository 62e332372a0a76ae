"""Stop a running guest from another thread: an epoch-deadline callback on every store.

A store's epoch deadline used to be one fixed point (the run's time limit plus a grace), so a
run whose caller had stopped waiting (a sync tool blocked past the deadline, a cancelled
`await`) ran on until then: for up to its whole time limit after a cancellation, writing files
to its mounts, which go through WASI and not through any host function (red-team finding
red9/28). Now the deadline comes every `STEP_S` at most, and `_on_deadline` (called by wasmtime
on the guest's own thread, where it can look at the store) decides: trap when the run's
`StopSwitch` was thrown or its hard deadline passed, else continue for another step. Throwing
the switch (`StopSwitch.stop()`) is a plain attribute write, safe from any thread; the guest
traps at its next epoch check after the next step boundary (within about `STEP_S`).

A callback that cannot find its switch, or fails, traps: the safe answer.
"""

from __future__ import annotations

import ctypes
import itertools
import threading
import time
import weakref
from typing import Any

from wasmtime import WasmtimeError

from .wasmtime_engine import TICK_S, ticks_for

try:  # wasmtime-py's private C API bindings (tested with wasmtime 50): `_bindings` itself,
    # since `_ffi` re-exports them with `import *`, which leaves out the ctypes function
    # object (`_wasmtime_...`) whose argtypes hold the callback's type
    from wasmtime import _bindings as ffi

    _SET_CALLBACK: Any = ffi.wasmtime_store_epoch_deadline_callback
    _CALLBACK_TYPE: Any = ffi._wasmtime_store_epoch_deadline_callback.argtypes[1]
    AVAILABLE = True
except (ImportError, AttributeError, IndexError):  # pragma: no cover - another layout
    AVAILABLE = False

STEP_S = 0.05
_STEP_TICKS = max(1, round(STEP_S / TICK_S))
_CONTINUE = 0  # WASMTIME_UPDATE_DEADLINE_CONTINUE (wasmtime/store.h)
# What the trap says: "epoch" and "interrupt" make `trap.classify_trap` call it a timeout.
STOP_MESSAGE = "epoch deadline: the run was interrupted by the host"


class StopSwitch:
    """One store's: its hard deadline (time.monotonic) and whether the run must stop now."""

    __slots__ = ("__weakref__", "checked", "deadline", "stopped")

    def __init__(self, checked: bool) -> None:
        self.checked = checked  # False: no callback (the deadline is one fixed point)
        self.deadline = float("inf")
        self.stopped = False

    def arm(self, seconds: float) -> int:
        """A run starts: it may run `seconds` from now. The epoch ticks to set as the store's
        deadline (the first check, or the whole time when there is no callback)."""
        self.stopped = False
        self.deadline = time.monotonic() + seconds
        ticks = ticks_for(seconds)
        return min(_STEP_TICKS, ticks) if self.checked else ticks

    def stop(self) -> None:
        """Stop the guest at its next check (any thread)."""
        self.stopped = True


_switches: weakref.WeakValueDictionary[int, StopSwitch] = weakref.WeakValueDictionary()
_ids = itertools.count(1)
_lock = threading.Lock()


def _interrupt() -> int:
    err = WasmtimeError(STOP_MESSAGE)
    return ctypes.cast(err._consume(), ctypes.c_void_p).value or 0


def _on_deadline(_context: Any, data: Any, delta: Any, kind: Any) -> int:
    try:
        switch = _switches.get(int(data or 0))
        if switch is None or switch.stopped:
            return _interrupt()
        left = switch.deadline - time.monotonic()
        if left <= 0:
            return _interrupt()
        delta[0] = min(_STEP_TICKS, ticks_for(left))
        kind[0] = _CONTINUE
        return 0
    except BaseException:  # never an unwinding through C: stop the guest instead
        return _interrupt()


if AVAILABLE:
    _CALLBACK = _CALLBACK_TYPE(_on_deadline)  # module-level: lives as long as the process
    _NO_FINALIZER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)()


def install(store: Any) -> StopSwitch:
    """Give `store` a stop switch (before its first call); the caller keeps the switch alive
    as long as the store runs (a store whose switch is gone traps at its next check)."""
    switch = StopSwitch(AVAILABLE)
    if not AVAILABLE:
        return switch
    with _lock:
        key = next(_ids)
        _switches[key] = switch
    ffi.wasmtime_store_epoch_deadline_callback(
        store.ptr(), _CALLBACK, ctypes.c_void_p(key), _NO_FINALIZER
    )
    return switch
