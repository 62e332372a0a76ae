"""Runs that share an output directory take turns: one lock per directory, in this process.

A run's artifacts are what changed in its output directory between its start and its end, so
two runs that overlap on one directory would each report the other's files (red9/31). The
lock belongs to the directory (its real path), not to a `Sandbox`: the sandboxes of one
`CodeAct` and its snapshots (other domains, limits, mounts), a retired sandbox and its
successor, and the Agent Framework adapter all share it (red10/36).

A run holding the turn is a `Turn`, which the run's tool calls carry in their context
(`HELD`). A run that such a tool starts on the same directory is nested: it runs inside the
outer turn instead of waiting for it (it would wait forever), no longer than the outer run,
and it is stopped when the outer turn ends (red10/38). A task a tool leaves behind carries the
same context, but once the turn has ended it counts for nothing (red10/46).
"""

from __future__ import annotations

import contextvars
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def directory_key(path: Path | str) -> str:
    """The identity of an output directory: its real path."""
    return os.path.realpath(path)


def lock_for(key: str) -> threading.Lock:
    with _locks_guard:
        lock = _locks.get(key)
        if lock is None:
            lock = _locks[key] = threading.Lock()
        return lock


class Turn:
    """A run's hold on an output directory, from taking its lock to letting it go."""

    def __init__(self, key: str, deadline: float) -> None:
        self.key = key
        self.deadline = deadline  # time.monotonic(): nested runs end no later
        self.active = True
        self._nested: dict[int, Callable[[], Any]] = {}
        self._ids = 0
        self._guard = threading.Lock()

    def adopt(self, stop: Callable[[], Any]) -> int | None:
        """A nested run joins this turn; `stop` stops it when the turn ends. None when the turn
        has already ended (the nested run must then take its own turn)."""
        with self._guard:
            if not self.active:
                return None
            self._ids += 1
            self._nested[self._ids] = stop
            return self._ids

    def leave(self, ident: int) -> None:
        with self._guard:
            self._nested.pop(ident, None)

    def end(self, wait_s: float) -> None:
        """The outer run is over: stop the nested runs still going, and wait up to `wait_s`
        for them to end (they trap at their next host call or epoch check)."""
        with self._guard:
            self.active = False
            stops = list(self._nested.values())
        for stop in stops:
            try:
                stop()
            except Exception:  # stopping is best effort; the lock is released regardless
                pass
        end = time.monotonic() + wait_s
        while time.monotonic() < end:
            with self._guard:
                if not self._nested:
                    return
            time.sleep(0.005)


# The turn held by the run whose tool is running in this context (see the module docstring).
HELD: contextvars.ContextVar[Turn | None] = contextvars.ContextVar(
    "codeact_output_turn", default=None
)


def nested_in(key: str) -> Turn | None:
    """The outer run's turn when this context is a tool of a run holding `key`'s turn."""
    turn = HELD.get()
    if turn is not None and turn.active and turn.key == key:
        return turn
    return None
