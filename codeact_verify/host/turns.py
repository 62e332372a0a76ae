"""Runs that share an output directory take turns, in this process.

A run's artifacts are what changed below its output directory between its start and its end,
so two runs that overlap on one directory, or on a directory and one inside it, would each
report the other's files (red9/31, red11/48). A run therefore takes a turn on its directory
(its real path): no other turn on that directory, on one above it or on one below it is held
at the same time. The registry belongs to the process, not to a `Sandbox`: the sandboxes of one
`CodeAct` and its snapshots, a retired sandbox and its successor, and the Agent Framework
adapter all share it (red10/36).

A run holding a turn is a `Turn`, which the run's tool calls carry in their context (`HELD`). A
run that such a tool starts on the same directory is nested: it takes a turn *inside* the outer
one instead of waiting for the directory (it would wait for its own caller), one nested run
at a time per outer turn (sibling runs of a batch would report each other's files: red11/47),
no longer than the outer run, and it is stopped when the outer turn ends, also if it had not
started yet (red10/38, red11/52). A task a tool leaves behind carries the same context, but
once the turn has ended it counts for nothing (red10/46).
"""

from __future__ import annotations

import contextvars
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

_SEP = os.sep


def directory_key(path: Path | str) -> str:
    """The identity of an output directory: its real path."""
    return os.path.realpath(path)


def _overlap(a: str, b: str) -> bool:
    """The same directory, or one inside the other."""
    return a == b or a.startswith(b.rstrip(_SEP) + _SEP) or b.startswith(a.rstrip(_SEP) + _SEP)


class _Registry:
    """The directories whose turn is held now, with a condition to wait on."""

    def __init__(self) -> None:
        self._held: dict[str, object] = {}  # key -> the holder's token
        self._cond = threading.Condition()

    def _free(self, key: str) -> bool:
        return not any(_overlap(key, other) for other in self._held)

    def try_take(self, key: str, owner: object) -> bool:
        with self._cond:
            if not self._free(key):
                return False
            self._held[key] = owner
            return True

    def take(self, key: str, owner: object, deadline: float) -> bool:
        """Wait until no overlapping turn is held, at most until `deadline` (monotonic)."""
        with self._cond:
            while not self._free(key):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, 0.5))
            self._held[key] = owner
            return True

    def release(self, key: str, owner: object) -> None:
        """Let go of `key`'s turn if `owner` holds it (a holder interrupted before it had the
        turn releases nothing of another's)."""
        with self._cond:
            if self._held.get(key) is owner:
                del self._held[key]
                self._cond.notify_all()

    def held(self, key: str) -> bool:
        with self._cond:
            return key in self._held


REGISTRY = _Registry()


class Turn:
    """A run's hold on an output directory, from taking it to letting it go. `parent`: the
    outer run's turn, for a nested run (which then holds `parent.children` meanwhile)."""

    def __init__(self, key: str, deadline: float, parent: Turn | None = None) -> None:
        self.key = key
        self.deadline = deadline  # time.monotonic(): nested runs end no later
        self.parent = parent
        self.active = True
        # one nested run at a time inside this turn
        self.children = threading.Lock()
        self._nested: dict[int, Callable[[], Any]] = {}
        self._ids = 0
        self._guard = threading.Lock()

    def adopt(self, stop: Callable[[], Any]) -> int | None:
        """A nested run joins this turn; `stop` stops it when the turn ends. None when the turn
        has already ended (the nested run must not run inside it)."""
        with self._guard:
            if not self.active:
                return None
            self._ids += 1
            self._nested[self._ids] = stop
            return self._ids

    def leave(self, ident: int) -> None:
        with self._guard:
            self._nested.pop(ident, None)

    def close(self) -> bool:
        """The run is over: stop the nested runs still going. True when some still have to
        leave (see `end` and `Sandbox` for the wait)."""
        with self._guard:
            self.active = False
            stops = list(self._nested.values())
        for stop in stops:
            try:
                stop()
            except Exception:  # stopping is best effort; the turn ends regardless
                pass
        return self.busy()

    def busy(self) -> bool:
        with self._guard:
            return bool(self._nested)

    def end(self, wait_s: float) -> None:
        """`close`, then wait up to `wait_s` for the nested runs to leave (they trap at their
        next host call or epoch check). Blocking: from a coroutine, use `close` and poll."""
        if not self.close():
            return
        end = time.monotonic() + wait_s
        while self.busy() and time.monotonic() < end:
            time.sleep(0.005)


# The turn held by the run whose tool is running in this context (see the module docstring).
HELD: contextvars.ContextVar[Turn | None] = contextvars.ContextVar(
    "codeact_output_turn", default=None
)


def nested_in(key: str) -> Turn | None:
    """The outer run's turn when this context is a tool of a run holding a turn on `key`, on a
    directory inside it or on one it is inside (it would wait for its own caller: red12/56)."""
    turn = HELD.get()
    if turn is not None and turn.active and _overlap(turn.key, key):
        return turn
    return None
