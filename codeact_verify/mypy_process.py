"""The budgeted mypy worker process, seen from the host (:mod:`codeact_verify.mypy_worker`).

:class:`MypyProcess` starts ``python -I mypy_worker.py``, sends it stub modules and programs as
JSON lines and reads its answers under a wall-clock deadline (``select`` on the pipe). The worker
lowers its own address-space limit before loading mypy. Any failure (over the deadline, the
process died or ran out of memory, mypy raised, a garbled answer) raises :class:`CheckerFailed`;
the process is then killed and a new one starts warming up at once, so the next program does not
pay for the restart. Linux/macOS (``select`` on pipes, ``RLIMIT_AS``).

Each worker is told where mypy's persisted cache of the standard library lives
(:func:`codeact_verify.mypy_cache.cache_dir`; ``CODEACT_VERIFY_MYPY_CACHE=off`` switches it off),
so a new process does not rebuild typeshed's types; :attr:`MypyProcess.cache_state` says what
the cache did for the current worker.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .mypy_cache import cache_dir, private_dir

_WORKER = Path(__file__).with_name("mypy_worker.py")


@dataclass(frozen=True)
class Budget:
    """What one type check may use: wall-clock seconds and the worker's address space.

    ``start_seconds`` covers starting the worker and its warm-up (loading mypy and the standard
    library once, a few seconds). Over any of them, the check fails and the program is rejected
    (CV799); the worker is killed and a new one starts for the next program.
    """

    seconds: float = 6.0
    memory_bytes: int = 3 << 30
    start_seconds: float = 120.0
    #: a worker whose address space passed this after a check is replaced before the next one
    #: (0: half of ``memory_bytes``). mypy's fine-grained build keeps every name of every
    #: program it checked, so a long-lived worker only grows; without a mark, the check that
    #: crossed ``memory_bytes`` would fail (CV799) whoever sent it (red8/26).
    recycle_bytes: int = 0

    def recycle_mark(self) -> int:
        return self.recycle_bytes or self.memory_bytes // 2


DEFAULT_BUDGET = Budget()

#: The default grammar's modules: a worker loads them once (from mypy's persisted cache when it
#: can), so no later check pays for them.
WARM_MODULES: tuple[str, ...] = (
    "json", "math", "cmath", "re", "datetime", "statistics", "collections", "itertools",
    "functools", "decimal", "fractions", "random", "string", "textwrap", "operator", "heapq",
    "bisect", "typing", "unicodedata", "difflib", "base64", "hashlib", "calendar", "csv", "uuid",
)  # fmt: skip


class CheckerFailed(Exception):
    """The type checker, not the program, failed: the program is rejected (fail closed)."""


def _default_workdir_parent() -> Path | None:
    """A private (0700, this user's) directory for the workers' work directories."""
    try:
        import platformdirs

        return private_dir(Path(platformdirs.user_cache_dir("codeact-verify")) / "mypy")
    except Exception:  # read-only home, not ours, no platformdirs: the temp dir
        return None


class MypyProcess:
    """A warm mypy worker process (:mod:`codeact_verify.mypy_worker`) under a budget."""

    def __init__(self, budget: Budget, warm_modules: Iterable[str] = ()) -> None:
        self.budget = budget
        self.pid = os.getpid()
        self.warm_modules = tuple(warm_modules)
        parent = _default_workdir_parent()
        self.workdir = Path(
            tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=str(parent) if parent else None)
        )
        atexit.register(shutil.rmtree, self.workdir, True)
        self.proc: subprocess.Popen[bytes] | None = None
        self.buffer = b""
        self.ready = False
        #: the stub modules this worker already has (each is sent once per worker)
        self.sent: set[str] = set()
        #: the id of the last check sent (the worker sends it back with the answer)
        self.asked = 0
        #: where mypy's persisted cache lives (None: off or not usable, see ``cache_note``)
        self.cache, self.cache_note = cache_dir()
        #: what the cache did for the current worker ("hit", "built (missing)", "off", ...)
        self.cache_state = ""
        #: the last check's time inside the worker, ms (the rest of a check is the hand-over)
        self.worker_ms = 0.0
        #: workers replaced because they had grown past ``budget.recycle_mark()``
        self.recycled = 0

    def respawn(self, stubs: Mapping[str, str]) -> None:
        """After a failure: a fresh worker warms up while the model reads the rejection."""
        try:
            self.spawn(stubs)
        except (OSError, CheckerFailed):
            self.stop()  # the next check tries again

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        self.buffer = b""
        self.ready = False
        self.sent = set()
        if proc is None:
            return
        with contextlib.suppress(OSError):
            proc.kill()
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        for stream in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()

    def spawn(self, stubs: Mapping[str, str] | None = None) -> None:
        """Start a new worker and its warm-up without waiting for it (see :meth:`_ready`)."""
        self.stop()
        workdir = self.workdir / f"w{time.monotonic_ns()}"
        self.proc = subprocess.Popen(
            [sys.executable, "-I", str(_WORKER), str(self.budget.memory_bytes), str(workdir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            # mypy searches its working directory for modules: a `types.py` in the caller's
            # directory made `w["temp"]` on a TypedDict pass (red4/13); the private one is empty
            cwd=str(self.workdir),
        )
        warm = "".join(f"import {m}\n" for m in self.warm_modules) + "x = 1\n"
        self.ready = False
        self.cache_state = ""
        try:
            self._send(
                {
                    "stubs": dict(stubs or {}),
                    "program": warm,
                    "modules": list(self.warm_modules),
                    "cache": str(self.cache) if self.cache is not None else None,
                }
            )
        except BaseException:
            # interrupted before the warm-up went out: a worker waiting for it would make the
            # next check wait out the start-up budget (red14/68)
            self.stop()
            raise
        self.sent = set(stubs or {})

    def _ready(self, stubs: Mapping[str, str]) -> None:
        if self.alive() and self.ready:
            return
        fresh = not self.alive()
        for _ in range(1 if fresh else 2):  # a worker spawned earlier gets one more try
            if not self.alive():
                self.spawn(stubs)
            try:
                answer = self._receive(self.budget.start_seconds, "starting")
            except CheckerFailed:
                if fresh:
                    raise
                fresh = True
                continue
            if not answer.get("ready"):
                self.stop()
                raise CheckerFailed("the type checker did not start")
            self.ready = True
            self.cache_state = str(answer.get("cache", ""))
            return

    def _send(self, obj: Mapping[str, Any]) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        try:
            self.proc.stdin.write(json.dumps(obj).encode("utf-8") + b"\n")
            self.proc.stdin.flush()
        except (OSError, ValueError) as exc:
            self.stop()
            raise CheckerFailed(f"the type checker stopped ({type(exc).__name__})") from exc

    def _receive(self, seconds: float, what: str, since: float | None = None) -> dict[str, Any]:
        """The next answer, within ``seconds`` of ``since`` (a ``time.monotonic()``; now when
        not given)."""
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = (time.monotonic() if since is None else since) + seconds
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                self.stop()
                raise CheckerFailed(
                    f"the type checker went over its time budget ({seconds:g} s) {what}"
                )
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                code = self.proc.wait(timeout=5)
                self.stop()
                why = "over its memory budget or killed" if code and code < 0 else f"exit {code}"
                raise CheckerFailed(f"the type checker stopped ({why}) {what}")
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        try:
            answer = json.loads(line)
        except ValueError as exc:
            self.stop()
            raise CheckerFailed("the type checker answered garbage") from exc
        if not isinstance(answer, dict):
            self.stop()
            raise CheckerFailed("the type checker answered garbage")
        return answer

    def check(self, stubs: Mapping[str, str], program: str) -> list[dict[str, Any]]:
        try:
            return self.answer(stubs, self.request(stubs, program))
        except CheckerFailed:
            raise
        except BaseException:
            self.abandon()  # interrupted between the request and its answer (red14/65)
            raise

    def request(self, stubs: Mapping[str, str], program: str) -> float:
        """Send a check and return at once (the worker is another process): the caller may
        work meanwhile, then takes the answer with :meth:`answer`. Returns when it was sent."""
        self._ready(stubs)
        new = {name: text for name, text in stubs.items() if name not in self.sent}
        # the budget counts from the request: writing it can already let the worker run
        since = time.monotonic()
        self.asked += 1
        try:
            self._send({"stubs": new, "program": program, "id": self.asked})
        except CheckerFailed:
            raise
        except BaseException:
            self.abandon()  # interrupted mid-write: the worker may hold half a request
            raise
        self.sent.update(new)
        return since

    def abandon(self) -> None:
        """A check was sent and its answer will never be read (the caller was interrupted:
        Ctrl-C, an exception from a signal handler): stop the worker, so the next check does
        not read this one's answer as its own (red13/60). The next check starts a new one."""
        self.stop()

    def answer(self, stubs: Mapping[str, str], since: float) -> list[dict[str, Any]]:
        """The messages of the check :meth:`request` sent at ``since``."""
        try:
            answer = self._receive(self.budget.seconds, "on this program", since)
        except CheckerFailed:
            self.respawn(stubs)
            raise
        except BaseException:
            self.abandon()
            raise
        if answer.get("id") != self.asked:
            # another check's answer (one whose caller was interrupted): never this one's
            self.respawn(stubs)
            raise CheckerFailed("the type checker answered out of step")
        if not answer.get("ok"):
            self.respawn(stubs)  # the worker exits after a failure; never reuse its build
            error = str(answer.get("error", "unknown error"))
            if error.startswith("MemoryError"):
                raise CheckerFailed("the type checker went over its memory budget")
            raise CheckerFailed(f"mypy raised {error}")
        spent = answer.get("ms")
        self.worker_ms = float(spent) if isinstance(spent, int | float) else 0.0
        size = answer.get("vm")
        if isinstance(size, int) and size > self.budget.recycle_mark():
            # grown past the mark: a fresh worker warms up (from the persisted cache) while
            # the caller uses this answer, so no later program meets a worker near its limit
            self.recycled += 1
            self.respawn(stubs)
        messages = answer.get("messages")
        return messages if isinstance(messages, list) else []


_prestarted: MypyProcess | None = None


def prestart(warm_modules: Iterable[str] = WARM_MODULES) -> None:
    """Start a worker and its warm-up now, without waiting for it.

    A one-shot ``codeact-verify check`` calls this before it loads the verifier and the tools:
    the worker loads mypy and the standard library's types on the other core meanwhile. The
    first type check of the process takes it over (:func:`take_prestarted`); a process that
    never checks stops it at exit.
    """
    global _prestarted
    if _prestarted is not None and _prestarted.pid == os.getpid():
        return
    worker = MypyProcess(DEFAULT_BUDGET, warm_modules)
    try:
        worker.spawn()
    except (OSError, CheckerFailed):
        worker.stop()
        return
    _prestarted = worker


def take_prestarted(budget: Budget, warm_modules: Iterable[str]) -> MypyProcess | None:
    """The worker :func:`prestart` started, when it fits (same process, memory budget and
    warm-up modules); else None (and a worker that does not fit is stopped)."""
    global _prestarted
    worker, _prestarted = _prestarted, None
    if worker is None or worker.pid != os.getpid():
        return None
    if worker.budget.memory_bytes != budget.memory_bytes or worker.warm_modules != tuple(
        warm_modules
    ):
        worker.stop()
        return None
    return worker


@atexit.register
def _stop_prestarted() -> None:
    if _prestarted is not None and _prestarted.pid == os.getpid():
        _prestarted.stop()
