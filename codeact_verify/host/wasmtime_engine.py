"""One wasmtime Engine per process, with epoch interruption and the thread that ticks it.

A daemon thread advances the epoch every `TICK_S`, so a store's deadline of N ticks is a
wall-clock limit. The guest build (`build`) compiles with this engine, and the loader (`engine`)
deserializes with it: both import it from here.
"""

from __future__ import annotations

import os
import threading
import time

import wasmtime

TICK_S = 0.005

_lock = threading.Lock()
_engine: wasmtime.Engine | None = None
_ticker: threading.Thread | None = None


def shared_engine() -> wasmtime.Engine:
    """The process-wide engine (epoch interruption on); starts the epoch ticker."""
    global _engine, _ticker
    with _lock:
        if _engine is None:
            config = wasmtime.Config()
            config.epoch_interruption = True
            _engine = wasmtime.Engine(config)
        if _ticker is None or not _ticker.is_alive():
            engine = _engine
            _ticker = threading.Thread(
                target=_tick, args=(engine,), name="codeact-epoch", daemon=True
            )
            _ticker.start()
        return _engine


def _after_fork_in_child() -> None:
    """A forked child has no ticker thread: without one the epoch never moves, so no time
    limit or stop would reach a guest from outside. A new lock too (a parent's thread may
    have held it at the fork), and a new ticker when there is an engine."""
    global _lock, _ticker
    _lock = threading.Lock()
    _ticker = None
    if _engine is not None:
        shared_engine()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _tick(engine: wasmtime.Engine) -> None:
    # The epoch follows the wall clock: a tick that came late (a busy machine, the GIL) is
    # made up at once, so N ticks are N * TICK_S seconds of real time, never more.
    start = time.monotonic()
    done = 0
    while True:
        time.sleep(TICK_S)
        due = int((time.monotonic() - start) / TICK_S)
        while done < due:
            engine.increment_epoch()
            done += 1


def ticks_for(seconds: float) -> int:
    return max(1, int(seconds / TICK_S) + 1)
