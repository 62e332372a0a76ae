"""`Sandbox`: runs a (transpiled) program in a fresh guest instance and returns its result.

Every run gets a fresh wasmtime `Store` and instance, so nothing leaks from one run to the
next. Because agent turns take seconds, the next instance is made ready in the background
after each run (a small pool), so a run costs only the program's own time.
"""

from __future__ import annotations

import ast
import asyncio
import atexit
import collections
import concurrent.futures
import contextvars
import copy
import functools
import json
import os
import queue
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import wasmtime

from ..astlock import AST_LOCK
from ..errors import SandboxError
from ..threads import DaemonThreadPool
from ..tools import ToolSpec, tool_specs
from . import precompile, stop, turns
from .bridge import RunBridge, ToolThreads
from .engine import LoadedGuest, loaded_guest, set_context
from .fastcall import ExportCall
from .limits import Limits
from .mounts import OUTPUT_GUEST_DIR, Mount, check_mounts, collect_artifacts, snapshot, wasi_config
from .network import NetworkPolicy
from .policy import default_policy as default_policy  # (re-exported by host)
from .policy import default_policy_snapshot as _default_policy_snapshot
from .precompile import restrict_on_host
from .result import (
    ERROR_KINDS,
    Artifact,
    ExecutionError,
    ExecutionResult,
    ToolCallRecord,
    clip_text,
)
from .trap import classify_trap, prefer_sticky

# Threads that run guests. A run abandoned at its deadline keeps its thread until its sync tool
# returns (see Sandbox._all_runners_held); generous, so only many such runs exhaust them.
RUNNER_THREADS = 32
# Threads for sync tools in batches (and calls made off the runner thread); see ToolThreads.
TOOL_THREADS = 8
TOOL_THREADS_HELD = 56  # replacements for threads held by calls that never returned, at most

# Helpers whose work happens in host code the guest's clock cannot interrupt: tool calls, HTTP
# (the network's pace) and files (WASI: a named pipe in a mount blocks its read; red9/33, 35).
# A program that names one runs on a runner thread, so its caller is bounded by the deadline.
_HOST_HELPERS = frozenset(
    {"call_tool", "call_tools", "read_text", "write_text", "read_json", "write_json",
     "list_dir", "http_get", "http_request"}
)  # fmt: skip

class _OutputHold:
    """How one run holds its sandbox's output directory (host/turns.py): a turn of its own on
    the directory, taken within the run's time limit (counted from when the run was asked
    for); or, for a run that a tool of another run on that directory started, a turn inside
    the outer one (one such run at a time, no longer than the outer run, stopped when the
    outer turn ends, even before it has started)."""

    _END_WAIT_S = 0.2  # for nested runs to trap once the turn ends

    def __init__(self, sandbox: Sandbox, key: str, entered: float) -> None:
        self.sandbox = sandbox
        self.key = key
        self.deadline = entered + sandbox.limits.timeout_s
        self.outer = turns.nested_in(key)
        if self.outer is not None:  # waits for its siblings no longer than the outer run
            self.deadline = self.outer.deadline
        self.turn: turns.Turn | None = None
        self.job: _Job | None = None
        self._taken = False
        self._nested_id: int | None = None
        self._stop_asked = False

    # taking it
    def take(self) -> bool:
        left = max(0.0, self.deadline - time.monotonic())
        if self.outer is None:
            self._taken = True  # before: an interrupt inside take() still releases (token)
            if not turns.REGISTRY.take(self.key, self, self.deadline):
                self._taken = False
                return False
        else:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                # (an outer turn without a deadline, the Agent Framework adapter's, gives an
                # infinite `left`, which Lock.acquire refuses with OverflowError)
                acquired = self.outer.children.acquire(timeout=min(left, threading.TIMEOUT_MAX))
            else:
                # a blocking run inside `async def`, on the loop's thread: a sibling that holds
                # the turn can only let go on this very loop, so waiting would deadlock
                # (red12/59): only a turn free now is taken; await Sandbox.run instead
                acquired = self.outer.children.acquire(blocking=False)
            if not acquired:
                return False
            self._taken = True
        return self._begin()

    async def take_async(self) -> bool:
        while True:  # polled: a cancelled wait holds nothing
            if self.outer is None:
                if turns.REGISTRY.try_take(self.key, self):
                    self._taken = True
                    break
            elif self.outer.children.acquire(blocking=False):
                self._taken = True
                break
            if time.monotonic() >= self.deadline:
                return False
            await asyncio.sleep(0.002)
        return self._begin()

    def _begin(self) -> bool:
        if self.outer is not None:
            self._nested_id = self.outer.adopt(self._stop)
            if self._nested_id is None:  # the outer run is over: nothing runs inside it
                self._release()
                return False
            # its own time limit counts from its turn (waiting for siblings spent none of it:
            # red12/57), never past the outer run's
            self.deadline = min(
                time.monotonic() + self.sandbox.limits.timeout_s, self.outer.deadline
            )
        self.turn = turns.Turn(self.key, self.deadline, self.outer)
        return True

    def started(self, job: _Job) -> None:
        self.job = job
        job.bridge.turn = self.turn
        if self._stop_asked:  # the outer turn ended while this run was being set up
            self.sandbox._halt(job)

    def _stop(self) -> None:
        self._stop_asked = True
        turn = self.turn
        if turn is not None:  # the runs nested in this one stop too, at every depth (red12/58)
            turn.close()
        job = self.job
        if job is not None:
            self.sandbox._halt(job)

    # letting it go: nested runs inside this turn stop first
    def let_go(self) -> None:
        if not self._taken:
            return
        try:
            if self.turn is not None:
                self.turn.end(self._END_WAIT_S)
        finally:
            self._release()

    async def let_go_async(self) -> None:
        if not self._taken:
            return
        try:
            if self.turn is not None and self.turn.close():
                end = time.monotonic() + self._END_WAIT_S
                while self.turn.busy() and time.monotonic() < end:
                    await asyncio.sleep(0.005)  # not time.sleep: the loop runs on (red11/54)
        finally:
            self._release()

    def _release(self) -> None:
        self._taken = False
        if self.outer is None:
            turns.REGISTRY.release(self.key, self)
            return
        if self._nested_id is not None:
            self.outer.leave(self._nested_id)
            self._nested_id = None
        self.outer.children.release()


_T = TypeVar("_T")


class _NoSpare(Exception):
    """No ready instance for a run ahead (`Sandbox.run_ahead` makes none: it runs under the
    type checker's lock)."""


class RunAhead:
    """A run started ahead of its program's type check (`Sandbox.run_ahead`). Exactly one of
    `result` (the program was accepted) or `cancel` (it was not) ends it."""

    def __init__(self, sandbox: Sandbox, job: _Job) -> None:
        self._sandbox = sandbox
        self._job = job
        self._future: concurrent.futures.Future[ExecutionResult] = concurrent.futures.Future()
        self._open = True

    def result(self) -> ExecutionResult | None:
        """The run's result, waited for within its time limit; None when the program tried to
        reach outside the guest (a tool call, an HTTP request): it was stopped before that
        happened, and must now run as usual."""
        try:
            result = self._sandbox._wait(self._job, self._future)
        finally:
            self._end()
        return None if self._job.bridge.spoiled else result

    async def result_async(self) -> ExecutionResult | None:
        """`result`, awaited."""
        try:
            waiting = asyncio.wrap_future(self._future)
            result = await self._sandbox._wait_async(self._job, waiting)
        finally:
            self._end()
        return None if self._job.bridge.spoiled else result

    def __del__(self) -> None:
        # dropped without `result` or `cancel` (an exception between its start and the hand-
        # over to its caller, e.g. from a signal handler: red13/61): stopped, so it neither
        # burns on nor keeps the sandbox from closing
        try:
            self.cancel()
        except Exception:
            pass

    def cancel(self) -> None:
        """The program was not accepted (or its caller gave up): stop the run now and let
        nothing of it out."""
        if not self._open:
            return
        sandbox, job = self._sandbox, self._job
        if sandbox._give_up_unstarted(job):
            sandbox._not_started(job)  # gives its instance back
        else:
            sandbox._stop(job)
        self._end()

    def _end(self) -> None:
        if self._open:
            self._open = False
            self._sandbox._release(self._job)
            self._sandbox._leave()


def _not_run(kind: str, message: str) -> ExecutionResult:
    """The result of a run that never started (nothing ran, nothing was recorded)."""
    return ExecutionResult(
        ok=False, stdout="", stderr="", error=ExecutionError(kind, message, None),
        timings={"not_started": 1.0},
    )  # fmt: skip


# What the runner thread returns for a job its caller gave up on before it began (never read).
_NOT_RUN = ExecutionResult(
    ok=False, stdout="", stderr="", error=ExecutionError("timeout", "not run", None)
)


class _Instance:
    """A ready guest instance: its store and its `run` export."""

    def __init__(
        self,
        guest: LoadedGuest,
        memory_bytes: int,
        wasi: wasmtime.WasiConfig,
        warm: bool,
        config_hint: str = "",
    ) -> None:
        started = time.perf_counter()
        # (memory cap, mounts) it was made with: see Sandbox._made_with
        self.made_with: tuple[Any, ...] = ()
        self.store = wasmtime.Store(guest.engine)
        self.store.set_limits(memory_size=memory_bytes)
        self.store.set_wasi(wasi)
        # thrown when the run's caller stops waiting: the guest traps within stop.STEP_S
        self.switch = stop.install(self.store)
        self.store.set_epoch_deadline(self.switch.arm(60.0))
        instance = guest.linker.instantiate(self.store, guest.component)
        prepare = instance.get_func(self.store, "prepare")
        run = instance.get_func(self.store, "run")
        if prepare is None or run is None:
            raise SandboxError("the guest component lacks its prepare/run exports")
        # The config the guest parsed ahead (a run with the same config text skips parsing it).
        self.config_hint = config_hint if warm else ""
        if warm:  # worth it only off the critical path (the ready pool)
            # the dry runs' output and limits reach no run, even when this thread is inside
            # one (Sandbox.warm_up() called by a tool of another sandbox's run)
            outer = set_context(None)
            try:
                prepare(self.store, self.config_hint)
            finally:
                set_context(outer)
        # the export's shape is checked once per loaded guest, then called through the C API
        self.run = ExportCall(run, self.store, 3, guest.fast_run)
        guest.fast_run = self.run.fast
        self.ms = (time.perf_counter() - started) * 1000.0

    def __del__(self) -> None:
        # Not dropped on the pool thread (`_drop`): the last reference went on another thread,
        # perhaps the caller's after an interrupt. Freeing the store there takes a while in C,
        # and an interrupt arriving meanwhile would run its handler inside a destructor, where
        # its exception is lost (red15/73): the store goes to the reaper thread instead.
        # Once the interpreter exits (`_let_go_at_exit`) it is freed here: the reaper may never
        # run again, and what is left for the interpreter's teardown is freed after wasmtime's
        # own module is gone (an "Exception ignored" traceback per object on stderr).
        held = (self.__dict__.pop("run", None), self.__dict__.pop("store", None))
        if held[1] is not None and _exiting is False:  # (None: this module is torn down)
            _reaped.put(held)


def _drop(inst: _Instance) -> None:
    inst.run = None  # type: ignore[assignment]
    del inst.store


# Stores whose instance was let go of on some other thread, freed here (see `_Instance.__del__`).
_reaped: queue.SimpleQueue[Any] = queue.SimpleQueue()


def _reap() -> None:
    while True:
        item = _reaped.get()
        # the last references: the store (about 0.5 ms of C for a 256 MB one) is freed on this
        # thread, unless a reference cycle leaves it to the cyclic garbage collector (see
        # docs/redteam/73). Never closed explicitly: wasmtime-py objects still referring to it
        # would then touch freed memory when they go (a heap corruption seen at exit)
        del item


def _start_reaper() -> None:
    threading.Thread(target=_reap, name="codeact-reaper", daemon=True).start()


# Every sandbox not yet collected, and whether the interpreter is exiting (see below).
_live: weakref.WeakSet[Sandbox] = weakref.WeakSet()
_exiting = False


@atexit.register
def _let_go_at_exit() -> None:
    """Free every ready instance, and every store still waiting for the reaper, while the
    interpreter is whole. A sandbox that lives until the interpreter's teardown (held by a
    module, by a reference cycle, by a test framework's state) would otherwise have its
    instances and its guest freed after wasmtime's own module was cleared, each with an
    "Exception ignored" traceback on stderr at exit. The sandboxes keep working: a later run
    (another atexit handler's) takes a fresh instance, and nothing is made ready any more.
    Registered after the engine's `_close_loaded`, so it runs before it."""
    global _exiting
    _exiting = True
    for sandbox in list(_live):
        sandbox._let_go_at_exit()
    while True:
        try:
            item = _reaped.get_nowait()
        except queue.Empty:
            break
        del item


_start_reaper()
if hasattr(os, "register_at_fork"):  # a forked child has no reaper of its own (red16/74)
    os.register_at_fork(after_in_child=_start_reaper)


def _only_call_line(program: str, tool: str) -> int | None:
    """The line of the program's one call of `tool` (`tool(...)` or `call_tool("tool", ...)`),
    or None unless that call is the only way the program can reach the tool: no other call,
    no other mention of the name (an alias, `map(tool, ...)`), no `call_tool` with a computed
    name, no batch. Read only when a run is abandoned, to name the timed-out call's line."""
    try:
        with AST_LOCK:  # parses may run on several threads at once (see astlock)
            tree = ast.parse(program)
    except Exception:  # only a line for a message: never fail the result
        return None
    callees = {
        id(node.func)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == tool and id(node) not in callees:
            return None  # the tool as a value: it may be called from anywhere
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        name = node.func.id
        if name == tool:
            lines.add(node.lineno)
        elif name in ("call_tool", "call_tools"):
            first = node.args[0] if node.args else None
            if name == "call_tools" or not (
                isinstance(first, ast.Constant) and isinstance(first.value, str)
            ):
                return None  # a batch, or a name computed at run time: could be this tool
            if first.value == tool:
                lines.add(node.lineno)
        if len(lines) > 1:
            return None
    return next(iter(lines), None)


class _Job:
    """One run between the caller's thread and the runner thread."""

    def __init__(
        self,
        program: str,
        config: str,
        inst: _Instance,
        from_pool: bool,
        before: Any,
        bridge: RunBridge,
        started: float,
    ) -> None:
        self.program = program
        self.config = config
        self.inst: _Instance | None = inst
        self.from_pool = from_pool
        self.before = before
        self.bridge = bridge
        self.started = started
        self.restricted = ""  # the host's restricted transform (JSON), or "" (guest does it)
        # The names the program reads (from the host's transform), None when unknown: a run
        # whose program names no tool cannot block in a sync one, so it may run on the caller's
        # thread (see Sandbox.run_sync).
        self.names: set[str] | None = None
        # The used instance, recycled (dropped, the pool refilled) once the caller has the
        # result, so that work does not compete with the caller's path; by the runner thread
        # itself when the caller stopped waiting.
        self.spent: _Instance | None = None
        self.released = False
        # Under `lock`: the runner thread began the guest (`began`), or the caller gave up
        # before it could (`gave_up`: no runner thread was free in time; it never runs).
        self.began = False
        self.gave_up = False
        # Under `lock`: the runner thread is done with the job (`finished`), and the caller
        # counted it in `Sandbox._stuck` when it stopped waiting (`stuck`).
        self.finished = False
        self.stuck = False
        self.lock = threading.Lock()
        self.switch: stop.StopSwitch | None = None  # its instance's (see host/stop.py)
        self.output_dir: Path | None = None  # the run's own, fixed when it starts

    def wait_s(self) -> float:
        return max(0.0, self.bridge.deadline - time.monotonic()) + Sandbox._GRACE_S


def _with_deadline(restricted: str, deadline: float) -> str:
    """The `restricted` argument of a run with the run's wall-clock deadline added (a field the
    guest reads whether or not the host sent its restricted transform)."""
    field = f'"deadline": {deadline!r}'
    if restricted.endswith("}"):
        return restricted[:-1] + ", " + field + "}"
    return "{" + field + "}"


def _stats(text: Any) -> dict[str, Any]:
    """The guest's timing stats (small JSON); anything else counts as none."""
    if not isinstance(text, str) or len(text) > 4096:
        return {}
    try:
        stats = json.loads(text)
    except ValueError:
        return {}
    return stats if isinstance(stats, dict) else {}


def _stat_ms(stats: dict[str, Any], key: str) -> float:
    """A guest timing (whole microseconds) in ms; anything but a number counts as 0."""
    value = stats.get(key)
    if type(value) is not int and type(value) is not float:
        return 0.0
    return value / 1000.0


def _guest_error(outcome: Any, limits: Limits) -> ExecutionError:
    """The outcome's error, checked again on the host: a known kind, a capped message."""
    kind = getattr(outcome, "error-kind")
    if kind not in ERROR_KINDS:
        kind = "runtime"
    line = outcome.line if isinstance(outcome.line, int) else None
    return ExecutionError(kind, clip_text(outcome.message, limits.max_message_bytes), line)


def _flag_types(policy: Any) -> tuple[type, type]:
    """The types of the policy values the guest compares by identity (`guards.Policy`)."""
    attributes = policy.get("attributes") if isinstance(policy, dict) else None
    return (
        type(policy.get("classes")) if isinstance(policy, dict) else type(None),
        type(attributes.get("deny_private")) if isinstance(attributes, dict) else type(None),
    )


def _tool_config(specs: Mapping[str, ToolSpec]) -> dict[str, Any]:
    return {
        name: {
            "param_names": list(spec.param_names),
            "params": [list(p) for p in spec.params],
            "parameters": spec.parameters,
            "description": spec.description,
        }
        for name, spec in specs.items()
    }


def _same_tools(
    cached: tuple[tuple[str, ToolSpec], ...], tools: Mapping[str, ToolSpec]
) -> bool:
    """True when `tools` are the very spec objects of `cached` under the same names, in the
    same order (a `ToolSpec` is frozen; the cache holds them, so an id is never reused)."""
    if len(cached) != len(tools):
        return False
    for (name, spec), (other_name, other) in zip(cached, tools.items(), strict=True):
        if spec is not other or name != other_name:
            return False
    return True


def build_config_text(
    tools: Mapping[str, ToolSpec],
    policy_text: str,
    limits: Limits,
    mounts: Sequence[tuple[str, bool]],
    has_output: bool,
) -> str:
    """The run config the guest parses: the same JSON as `json.dumps` of the whole config, the
    policy's text given already encoded."""
    return (
        '{"tools": ' + json.dumps(_tool_config(tools))
        + ', "policy": ' + policy_text
        + ', "limits": ' + json.dumps(limits.guest_config())
        + ', "mounts": ' + json.dumps([{"guest": g, "read_only": ro} for g, ro in mounts])
        + ', "output_dir": ' + json.dumps(OUTPUT_GUEST_DIR if has_output else None)
        + "}"
    )  # fmt: skip


def _background_thread() -> None:
    """Make the calling (pool) thread a batch thread where the OS has them (Linux): woken by
    the caller's hand-off at the end of a run, it then does not preempt the caller, which
    still has its way back to go (on a busy machine that preemption cost a pooled `print`
    about 1 ms in the median). It still gets its fair share of the CPU."""
    try:
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        pass


class Sandbox:
    """Runs programs in the WebAssembly guest with limits, mounts and a network allow-list."""

    def __init__(
        self,
        limits: Limits | None = None,
        mounts: Sequence[Mount] = (),
        network: NetworkPolicy | None = None,
        output_dir: Path | str | None = None,
        pool_size: int = 1,
    ) -> None:
        self.limits = limits or Limits()
        self.mounts = list(mounts)
        if any(m.guest_dir == OUTPUT_GUEST_DIR for m in self.mounts) and output_dir is not None:
            raise ValueError(f"{OUTPUT_GUEST_DIR} is reserved for the output directory")
        self.output_dir = Path(output_dir) if output_dir is not None else None
        if self.output_dir is not None:
            self.output_dir.mkdir(parents=True, exist_ok=True)
        check_mounts(self._all_mounts())
        self.network = network
        self.pool_size = max(0, int(pool_size))
        self._make_threads()
        _live.add(self)
        self._closed = False
        self._guest: LoadedGuest | None = None
        # RestrictedPython's transform runs on the host (faster) and the guest only compiles
        # the result; False makes the guest transform every program itself.
        self.host_restrict = True
        # The last run's config text: the next pooled instance parses it ahead of time.
        self._config_hint = ""
        # (the last run's (name, spec) pairs, the rest of its config key, its config text)
        self._config_cache: tuple[tuple[tuple[str, ToolSpec], ...], Any, str] | None = None
        # (a deep copy of the last run's policy, its JSON text, its flags' types)
        self._policy_cache: tuple[dict[str, Any], str, tuple[type, type]] | None = None

    def _make_threads(self) -> None:
        """The pool, its lock and counters, and the thread pools: at the start, and again in a
        forked child, which has none of its parent's threads (`_enter`)."""
        self._pid = os.getpid()
        self._ready: collections.deque[_Instance] = collections.deque()
        self._lock = threading.Lock()
        self._filling = 0
        self._filler = concurrent.futures.ThreadPoolExecutor(
            1, thread_name_prefix="codeact-pool", initializer=_background_thread
        )
        self._tools = ToolThreads(TOOL_THREADS, TOOL_THREADS_HELD)
        # Generous: a run abandoned at its deadline keeps its thread until its tool returns.
        # daemon threads: one held by a tool that never returns does not hold up the exit
        self._runner = DaemonThreadPool(RUNNER_THREADS, "codeact-run")
        # Runs abandoned at their deadline whose runner thread is still held (a sync tool that
        # has not returned): when they hold every runner thread, a new run fails at once
        self._stuck = 0
        self._inflight = 0  # runs under way (close() stops the threads after the last one)

    # -- instances ------------------------------------------------------------------------
    def _all_mounts(self, output_dir: Path | None = None) -> list[Mount]:
        """The run's preopens, each host directory by its real path: an instance made for a
        symlink's old target, or for a relative path before the working directory changed,
        does not match (see `_made_with`; red11/50). `output_dir`: the run's (its turn's)."""
        out = [
            Mount(Path(os.path.realpath(m.host_dir)), m.guest_dir, m.read_only)
            for m in self.mounts
        ]
        if output_dir is None and self.output_dir is not None:
            output_dir = Path(turns.directory_key(self.output_dir))
        if output_dir is not None:
            out.append(Mount(output_dir, OUTPUT_GUEST_DIR, read_only=False))
        return out

    def _load(self) -> LoadedGuest:
        if self._guest is None:
            self._guest = loaded_guest()
        return self._guest

    def _made_with(self, mounts: list[Mount] | None = None) -> tuple[Any, ...]:
        """What an instance fixes when it is made: its store's memory cap and its WASI
        preopens (`mounts`: `_all_mounts()`, when the caller has them). A pooled instance made
        with other values (the caller changed `limits`, `mounts` or `output_dir` since) is not
        handed to a run (red7/25)."""
        return (self.limits.memory_mb, tuple(self._all_mounts() if mounts is None else mounts))

    def _new_instance(self, warm: bool = True) -> _Instance:
        made_with = self._made_with()
        mounts = list(made_with[1])
        inst = _Instance(
            self._load(),
            made_with[0] << 20,
            wasi_config(mounts),
            warm,
            self._config_hint,
        )
        inst.made_with = made_with
        return inst

    def _fill(self) -> None:
        try:
            while not self._closed:
                with self._lock:
                    if len(self._ready) >= self.pool_size:
                        return
                inst = self._new_instance()
                with self._lock:
                    self._ready.append(inst)
        finally:
            with self._lock:
                self._filling -= 1

    def _spent(self, job: _Job, inst: _Instance) -> None:
        """The runner is done with `inst`: recycle it now if the caller has let go of the job
        (it stopped waiting), else leave it for the caller's `_release`."""
        with job.lock:
            if not job.released:
                job.spent = inst
                return
        self._recycle(inst)

    def _release(self, job: _Job) -> None:
        """The caller has the result (or gave up waiting): recycle the used instance."""
        with job.lock:
            job.released = True
            inst, job.spent = job.spent, None
        if inst is not None:
            self._recycle(inst)

    def _recycle(self, inst: _Instance) -> None:
        """Drop the used store and refill the pool, on the pool thread: one hand-off."""
        with self._lock:
            refill = not (self._closed or self.pool_size == 0 or self._filling)
            if refill:
                self._filling += 1
        try:
            self._filler.submit(self._drop_and_fill, inst, refill)
        except RuntimeError:  # the sandbox is closing: drop it here
            if refill:
                with self._lock:
                    self._filling -= 1

    def _drop_and_fill(self, inst: _Instance, refill: bool) -> None:
        # the store is never used again; freeing its memory (~0.5 ms) happens here, off the
        # caller's path, and then the next instance is made ready
        _drop(inst)
        if refill:
            self._fill()

    def _take(
        self, mounts: list[Mount] | None = None, pooled_only: bool = False
    ) -> tuple[_Instance, bool]:
        made_with = self._made_with(mounts)
        with self._lock:
            while self._ready:
                inst = self._ready.popleft()
                if inst.made_with == made_with:
                    return inst, True
                # made for other limits or mounts: dropped (the refill makes current ones)
        if pooled_only:
            raise _NoSpare
        return self._on_own_thread(lambda: self._new_instance(warm=False)), False

    def warm_up(self) -> None:
        """Load the guest (building it on first use) and fill the ready pool now."""
        self._load()
        if self.pool_size:
            with self._lock:
                self._filling += 1
            self._on_own_thread(self._fill)

    def _on_own_thread(self, work: Callable[[], _T]) -> _T:
        """``work()`` (it runs guest code, or may), on a thread of the sandbox's own, never the
        caller's. Guest code calls back into Python through ctypes (the host functions, the
        stop switch's epoch callback every 50 ms), and an exception raised asynchronously in
        the thread running it lands at such a callback's entry, outside any `try`: ctypes
        then returns garbage to wasmtime and the process crashes. The caller's thread may get
        one: a signal's Python handler on the main thread (Ctrl-C, a harness's SIGALRM:
        red14/67), `PyThreadState_SetAsyncExc` on any thread (thread-timeout helpers such as
        `func_timeout`: red15/70). The sandbox's own threads run only its code; the caller
        waits, and gets its exception there (the run is then stopped)."""
        # a thread of its own: the runner threads may all be busy (or held by stuck runs)
        context = contextvars.copy_context()
        lock = threading.Lock()
        box: list[tuple[bool, Any]] = []
        ready = threading.Event()
        gone = False

        def main() -> None:
            try:
                out: tuple[bool, Any] = (True, context.run(work))
            except BaseException as exc:
                out = (False, exc)
            with lock:
                if gone:  # the caller was interrupted: what was made is dropped here
                    self._let_go_of(out[1])
                    return
                box.append(out)
            ready.set()

        thread = threading.Thread(target=main, name="codeact-own", daemon=True)
        thread.start()
        try:
            while not ready.wait(0.05):
                if not thread.is_alive() and not ready.is_set():
                    # it died before it could post anything: an exception meant for the
                    # caller can land in a thread as it starts (CPython 3.11 gives it the
                    # starter's id for a moment: red16/76); never wait for it for ever
                    raise SandboxError(
                        "the sandbox's own thread stopped before it finished (an exception "
                        "raised into the calling thread reached it as it started)"
                    )
        except BaseException:
            # interrupted while it waited: nothing made for it may be freed on this thread (an
            # instance's store freed here, in a destructor, would swallow the next interrupt:
            # red15/73)
            with lock:
                gone = True
                left = box.pop() if box else None
            if left is not None:
                self._let_go_of(left[1])
            raise
        ok, value = box.pop()
        if ok:
            return cast(_T, value)
        raise value

    def _let_go_of(self, value: Any) -> None:
        """An instance nobody will run: freed on the pool thread, as a used one is."""
        if isinstance(value, _Instance):
            self._recycle(value)

    def wait_ready(self, timeout: float = 30.0) -> bool:
        """Wait until the ready pool is full (True) or `timeout` passes (False)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if len(self._ready) >= self.pool_size:
                    return True
            time.sleep(0.001)
        return False

    # -- running --------------------------------------------------------------------------
    # The guest runs on a runner thread and the caller waits until the run's deadline (plus a
    # short grace). The epoch deadline stops guest code at the time limit, but not a sync tool
    # that blocks inside a host call: then the caller stops waiting at the deadline and gets a
    # `timeout` result with the output printed so far. The stuck thread finishes on its own
    # when the tool returns (the run is marked abandoned, so its later tool calls fail at
    # once and the guest traps at its next epoch check); Python cannot kill a thread.
    _GRACE_S = 0.25
    # The epoch backstop comes this long after the guest's own deadline: long enough for a
    # guest that started late on a busy machine to reach its first tick and name its line.
    _HARD_GRACE_S = 0.5
    _STOP_WAIT_S = 5.0  # no host call running at the deadline: the guest stops by itself
    _CANCEL_WAIT_S = 4 * stop.STEP_S  # a cancelled run's guest traps within one step

    async def run(
        self,
        program: str,
        specs: Mapping[str, ToolSpec] | Iterable[Any] = (),
        policy: dict[str, Any] | None = None,
        approved_tools: Iterable[str] = (),
    ) -> ExecutionResult:
        """Run `program`; async tools run on this event loop.

        `approved_tools`: the tools approved for this run; a call of any other tool whose
        `approval_mode` is "always_require" is refused (error kind `denied`).
        """
        loop = asyncio.get_running_loop()
        held = self._all_runners_held()
        if held is not None:
            return held
        entered = time.monotonic()  # the time limit counts from here, waits included
        self._enter()
        try:
            hold = self._output_hold(entered)
            try:
                if hold is not None and not await hold.take_async():
                    return self._output_busy(hold)
                return await self._run_on(loop, program, specs, policy, approved_tools, hold)
            finally:
                if hold is not None:
                    await hold.let_go_async()
        finally:
            self._leave()

    async def _run_on(
        self,
        loop: asyncio.AbstractEventLoop,
        program: str,
        specs: Mapping[str, ToolSpec] | Iterable[Any],
        policy: dict[str, Any] | None,
        approved_tools: Iterable[str],
        hold: _OutputHold | None,
    ) -> ExecutionResult:
        job = self._start(program, specs, policy, loop, approved_tools, hold)
        try:
            # the caller's context variables reach the tools, as asyncio.to_thread does
            run_guest = functools.partial(contextvars.copy_context().run, self._run_guest, job)
            future = loop.run_in_executor(self._runner, run_guest)
            return await self._wait_async(job, future)
        finally:
            self._release(job)

    async def _wait_async(
        self, job: _Job, future: asyncio.Future[ExecutionResult]
    ) -> ExecutionResult:
        """Await the run on a runner thread, until it ends or its time limit passes."""
        try:
            done, _ = await asyncio.wait({future}, timeout=job.wait_s())
            if future not in done and self._give_up_unstarted(job):
                return self._not_started(job)
            if future not in done and job.bridge.active is None:
                # not inside a host call, so the epoch deadline stops the guest any moment
                # now (a busy machine can delay it): wait for its own result, which names
                # the line
                done, _ = await asyncio.wait({future}, timeout=self._STOP_WAIT_S)
        except BaseException as exc:
            # the caller was cancelled (asyncio.wait_for, a framework's own timeout): the
            # run stops with it, before it calls another tool or writes another file
            # (red9/28); a run that has not begun never will
            if not self._stop_or_drop(job):
                if isinstance(exc, asyncio.CancelledError):
                    # a moment for the guest to trap (its next epoch check), so whoever
                    # runs next on the output directory does not meet its last writes
                    await asyncio.wait({future}, timeout=self._CANCEL_WAIT_S)
            raise
        if future in done:
            return future.result()
        return self._abandon(job)

    def run_sync(
        self,
        program: str,
        specs: Mapping[str, ToolSpec] | Iterable[Any] = (),
        policy: dict[str, Any] | None = None,
        approved_tools: Iterable[str] = (),
    ) -> ExecutionResult:
        """Run `program` and block until it ends; async tools run on a private loop."""
        held = self._all_runners_held()
        if held is not None:
            return held
        entered = time.monotonic()  # the time limit counts from here, waits included
        self._enter()
        try:
            hold = self._output_hold(entered)
            try:
                if hold is not None and not hold.take():
                    return self._output_busy(hold)
                return self._run_sync_on(program, specs, policy, approved_tools, hold)
            finally:
                if hold is not None:
                    hold.let_go()
        finally:
            self._leave()

    def _run_sync_on(
        self,
        program: str,
        specs: Mapping[str, ToolSpec] | Iterable[Any],
        policy: dict[str, Any] | None,
        approved_tools: Iterable[str],
        hold: _OutputHold | None,
    ) -> ExecutionResult:
        job = self._start(program, specs, policy, None, approved_tools, hold)
        try:
            # always on a runner thread, never the caller's (see `_on_own_thread`); the caller's
            # context variables reach the tools here too, as in run()
            future = self._runner.submit(contextvars.copy_context().run, self._run_guest, job)
            return self._wait(job, future)
        finally:
            self._release(job)

    def _wait(
        self, job: _Job, future: concurrent.futures.Future[ExecutionResult]
    ) -> ExecutionResult:
        """Block until the run on a runner thread ends, or its time limit passes."""
        try:
            return future.result(timeout=job.wait_s())
        except concurrent.futures.TimeoutError:
            pass
        except BaseException:
            # the caller was interrupted while it waited (Ctrl-C, an exception from a
            # signal handler): the run stops with it, as a cancelled async run (red10/45)
            self._stop_or_drop(job)
            raise
        if self._give_up_unstarted(job):
            return self._not_started(job)
        if job.bridge.active is None:  # see run()
            try:
                return future.result(timeout=self._STOP_WAIT_S)
            except concurrent.futures.TimeoutError:
                pass
        return self._abandon(job)

    def prepare(
        self,
        program: str,
        specs: Mapping[str, ToolSpec] | Iterable[Any] = (),
        policy: dict[str, Any] | None = None,
    ) -> None:
        """Do the host's share of a coming run of ``program`` now (its restricted transform),
        so that the run, when it comes with the same program, tools and policy, starts without
        it. Runs nothing. The executor calls this while mypy checks the program in its own
        process."""
        self._prepare(program, tool_specs(specs), policy)

    def _prepare(
        self, program: str, tools: Mapping[str, ToolSpec], policy: dict[str, Any] | None
    ) -> precompile.Made | None:
        """`prepare`, kept for the run; what was made, or None when nothing was."""
        made = self._transform_now(program, tools, policy)
        if made is not None:
            self._keep(program, tools, policy, made)
        return made

    def _keep(
        self,
        program: str,
        tools: Mapping[str, ToolSpec],
        policy: dict[str, Any] | None,
        made: precompile.Made,
    ) -> None:
        """Keep a transform made ahead for the run of exactly these inputs (`precompile.keep`)."""
        precompile.keep(program, self._attributes(policy), frozenset(tools), made)

    def _transform_now(
        self, program: str, tools: Mapping[str, ToolSpec], policy: dict[str, Any] | None
    ) -> precompile.Made | None:
        if not self.host_restrict or self._closed or not isinstance(program, str):
            return None
        return precompile.transform_now(
            program, self._attributes(policy), known_globals=frozenset(tools)
        )

    @staticmethod
    def _attributes(policy: dict[str, Any] | None) -> Any:
        if policy is None:
            policy = _default_policy_snapshot()[0]
        return policy.get("attributes")

    # -- a run ahead of the type check ----------------------------------------------------------
    def run_ahead(
        self,
        program: str,
        specs: Mapping[str, ToolSpec] | Iterable[Any] = (),
        policy: dict[str, Any] | None = None,
    ) -> RunAhead | None:
        """Start ``program`` now, before its type check has answered, when it can have no
        effect outside the guest: it names no tool and no file or HTTP helper, the sandbox has
        no output directory and no writable mount, and a ready instance is waiting. Its output
        is held in the run; a tool call or HTTP request it makes anyway stops it at once
        (nothing is called) and it runs again after the check. The caller takes the result
        (`RunAhead.result`) only once the program is accepted, and otherwise stops it
        (`RunAhead.cancel`): a rejected program's run is never seen. None when it cannot
        run ahead (then `prepare` was done)."""
        tools = tool_specs(specs)
        if self.output_dir is not None or any(not m.read_only for m in self.mounts):
            self._prepare(program, tools, policy)
            return None
        made = self._transform_now(program, tools, policy)
        if made is None:
            return None
        result, names = made
        with self._lock:
            made_with = self._made_with()
            spare = any(inst.made_with == made_with for inst in self._ready)
        if (
            result is None  # the guest transforms it: the names it reads are not known
            or not _HOST_HELPERS.isdisjoint(names)
            or any(n in names for n in tools)
            or not spare  # no instance to spare: the run makes its own afterwards
            or self._all_runners_held() is not None
        ):
            self._keep(program, tools, policy, made)
            return None
        self._enter()
        try:
            # the transform made here, handed on directly: `_start` must not wait for the `ast`
            # lock under the type checker's lock (a kept one could be taken by another run)
            job = self._start(program, tools, policy, None, made=made)
        except _NoSpare:  # another run took the ready instance meanwhile
            self._leave()
            self._keep(program, tools, policy, made)
            return None
        except BaseException:
            self._leave()
            raise
        job.bridge.ahead = True
        ahead = RunAhead(self, job)  # from here on it owns the job (and `_leave`)
        try:
            ahead._future = self._runner.submit(
                contextvars.copy_context().run, self._run_guest, job
            )
        except BaseException:
            # interrupted, perhaps after the job was queued (red14/66): it never starts, or
            # it is stopped
            ahead.cancel()
            raise
        return ahead

    def _start(
        self,
        program: str,
        specs: Mapping[str, ToolSpec] | Iterable[Any],
        policy: dict[str, Any] | None,
        loop: asyncio.AbstractEventLoop | None,
        approved_tools: Iterable[str] = (),
        hold: _OutputHold | None = None,
        made: precompile.Made | None = None,
    ) -> _Job:
        # (no check of `_closed` here: a run that entered before `close()` finishes, also when
        # it was still waiting for its output directory's turn then; `_enter` refuses new ones)
        if not isinstance(program, str):
            raise TypeError("program must be a str")
        started = time.perf_counter()
        tools = tool_specs(specs)
        if policy is None:
            policy, policy_text = _default_policy_snapshot()
        elif not isinstance(policy, dict):
            raise TypeError(
                "policy must be a dict (a grammar's runtime policy) or None, "
                f"not {type(policy).__name__}"
            )
        else:
            policy_text = self._policy_text(policy)
        # the run's output directory is its turn's, fixed here for the whole run: the lock, the
        # preopen, the snapshot and the artifacts all use it, whatever `output_dir` says later
        # (red11/53)
        out_dir = Path(hold.key) if hold is not None else None
        mounts = self._all_mounts(out_dir)  # once a run: the config text and the instance both
        config = self._config_text(tools, policy_text, mounts)
        self._config_hint = config
        restricted = None
        names: set[str] | None = None
        if made is not None:  # made for exactly these inputs (`run_ahead`)
            restricted, names = made[0], set(made[1])
        elif self.host_restrict:  # the tool names: what may shadow a builtin in the guest
            names = set()
            restricted = restrict_on_host(
                program,
                attributes=policy.get("attributes"),
                known_globals=frozenset(tools),
                names=names,
            )
        inst, from_pool = self._take(mounts, pooled_only=made is not None)
        before = snapshot(out_dir) if out_dir is not None else None
        bridge = RunBridge(
            tools,
            self.limits,
            self.network,
            hold.deadline if hold is not None else time.monotonic() + self.limits.timeout_s,
            loop,
            self._tools,
            frozenset(approved_tools) if not isinstance(approved_tools, str) else frozenset(),
        )
        job = _Job(program, config, inst, from_pool, before, bridge, started)
        job.output_dir = out_dir
        job.switch = inst.switch
        if hold is not None:
            hold.started(job)
        job.restricted = json.dumps(restricted) if restricted is not None else ""
        job.names = names if restricted is not None else None
        return job

    def _config_text(
        self,
        tools: Mapping[str, ToolSpec],
        policy_text: str,
        all_mounts: list[Mount] | None = None,
    ) -> str:
        """The run's config text (tools, policy, limits, mounts), made once per config: the
        last one again when the tools are the very same specs under the same names, the policy
        text is equal (see `_policy_text`), the limits equal and the mounts the same. Nothing
        of a program is in it; a changed part makes it anew."""
        if all_mounts is None:
            all_mounts = self._all_mounts()
        mounts = tuple((m.guest_dir, m.read_only) for m in all_mounts)
        key = (policy_text, self.limits, mounts, self.output_dir is not None)
        cached = self._config_cache
        if cached is not None and cached[1] == key and _same_tools(cached[0], tools):
            return cached[2]
        config = build_config_text(tools, policy_text, self.limits, mounts, key[3])
        self._config_cache = (tuple(tools.items()), key, config)
        return config

    def _policy_text(self, policy: dict[str, Any]) -> str:
        """`policy` as JSON: the last text again when `policy` equals the last one, also in the
        two values the guest reads by identity (`True` must not pass for `1`). The policy is
        most of the config (about 9 KB): comparing costs far less than encoding it again."""
        cached = self._policy_cache
        if cached is not None and cached[0] == policy and cached[2] == _flag_types(policy):
            return cached[1]
        text = json.dumps(policy)
        self._policy_cache = (copy.deepcopy(policy), text, _flag_types(policy))
        return text

    # -- one run at a time on the output directory (host/turns.py) -----------------------------
    def _output_hold(self, entered: float) -> _OutputHold | None:
        if self.output_dir is None:
            return None
        return _OutputHold(self, turns.directory_key(self.output_dir), entered)

    def _output_busy(self, hold: _OutputHold) -> ExecutionResult:
        if hold.outer is None:
            why = (
                "another run was using its output directory the whole time; runs that share "
                "an output directory take turns"
            )
        else:
            why = (
                "it was started by a tool of another run on its output directory, and that "
                "run ended, or another run it started held the turn (they take turns; from "
                "async code, await Sandbox.run rather than calling run_sync)"
            )
        message = (
            f"time limit of {self.limits.timeout_s:g} s exceeded before the program started "
            f"({why}); it was not run"
        )
        return _not_run("timeout", message)

    # -- runs that cannot start --------------------------------------------------------------
    # A run waits for a runner thread in the executor's queue. A sync tool that blocks past a
    # run's deadline keeps that run's thread (Python cannot stop it), so enough of them hold
    # every thread: a queued run then never starts in time. It must not start later either,
    # after its caller was told it did not run (it would call tools, print and write files
    # into whatever comes next): the caller and the runner decide under the job's lock which
    # of them owns the job (`began` / `gave_up`). A run that finds every thread held by such
    # stuck runs fails at once, saying so, instead of waiting out its time limit.
    def _all_runners_held(self) -> ExecutionResult | None:
        with self._lock:
            stuck = self._stuck
        if stuck < RUNNER_THREADS:
            return None
        message = (
            f"the program was not run: all {RUNNER_THREADS} of the sandbox's runner threads are "
            "held by earlier runs whose sync tools have not returned since their time limit "
            "passed (a tool that blocks forever keeps its thread); make the tools return, or "
            "give them their own timeouts"
        )
        return _not_run("limit", message)

    def _stop_or_drop(self, job: _Job) -> bool:
        """The caller stopped waiting: a run that began is stopped (False); one that has not
        never begins, and its instance goes back to the pool thread to be freed there, not
        with the job on the caller's thread (True; red15/73)."""
        if not self._give_up_unstarted(job):
            self._stop(job)
            return False
        inst, job.inst = job.inst, None
        if inst is not None:
            self._spent(job, inst)
        return True

    @staticmethod
    def _give_up_unstarted(job: _Job) -> bool:
        """True when the guest has not begun: it never will (see `_run_guest`)."""
        with job.lock:
            if job.began:
                return False
            job.gave_up = True
        job.bridge.abandon()
        return True

    def _not_started(self, job: _Job) -> ExecutionResult:
        """The result of a run whose time limit passed before a runner thread was free."""
        inst, job.inst = job.inst, None
        if inst is not None:  # never used: dropped like a used one (the pool refills)
            self._spent(job, inst)
        with self._lock:
            stuck = self._stuck
        why = "no runner thread was free"
        if stuck:
            why += f"; {stuck} earlier run(s) still wait for tools that have not returned"
        error = ExecutionError(
            "timeout",
            f"time limit of {self.limits.timeout_s:g} s exceeded before the program started "
            f"({why}); it was not run",
            None,
        )
        return self._finish(job, False, "", "", error, {"not_started": 1.0}, records=[])

    def _run_guest(self, job: _Job) -> ExecutionResult:
        with job.lock:
            if job.gave_up:  # its caller was told it did not run: it never does
                return _NOT_RUN
            job.began = True
        try:
            return self._run_began(job)
        finally:
            with job.lock:
                job.finished = True
                stuck = job.stuck
            if stuck:
                with self._lock:
                    self._stuck -= 1

    def _run_began(self, job: _Job) -> ExecutionResult:
        inst = job.inst
        job.inst = None
        ready = time.perf_counter()
        assert inst is not None
        remaining = max(0.0, job.bridge.deadline - time.monotonic())
        # The guest stops the program itself at the deadline (on the wall clock, so it can name
        # the line); the epoch deadline, a little later, is the backstop (see host/stop.py).
        inst.store.set_epoch_deadline(inst.switch.arm(remaining + self._HARD_GRACE_S))
        if job.bridge.abandoned:
            # stopped between its start and the arming above, which clears the switch (a run
            # ahead of a type check that rejected the program at once): stopped again, so the
            # guest traps at its first check
            inst.switch.stop()
        restricted = _with_deadline(job.restricted, time.time() + remaining)
        outer = set_context(job.bridge)  # a run inside another run's tool: put it back after
        outcome: Any = None
        trap: Exception | None = None
        try:
            config = "prepared" if inst.config_hint == job.config else job.config
            outcome = inst.run(inst.store, job.program, config, restricted)
        except wasmtime.WasmtimeError as exc:
            trap = exc
        finally:
            set_context(outer)
            job.bridge.close_loop()
            self._spent(job, inst)
            del inst
        ran = time.perf_counter()

        stats: dict[str, Any] = {}
        stdout, stderr = job.bridge.output()  # streamed: kept even when the guest was stopped
        error: ExecutionError | None
        if trap is not None and job.bridge.abandoned:
            # stopped from outside: its caller stopped waiting, or the run whose tool started
            # it ended (a nested run); nobody but a nested run's caller reads this
            error = ExecutionError(
                "timeout", "the run was stopped: its caller stopped waiting for it", None
            )
            ok = False
        elif trap is not None:
            error = classify_trap(trap, self.limits)
            ok = False
        else:
            stats = _stats(outcome.stats)
            ok = bool(outcome.ok)
            error = None if ok else _guest_error(outcome, self.limits)
        timings = {
            "prepare_ms": (ready - job.started) * 1000.0,
            "from_pool": 1.0 if job.from_pool else 0.0,
            "run_ms": (ran - ready) * 1000.0,
            "guest_compile_ms": _stat_ms(stats, "guest_compile_us"),
            "guest_setup_ms": _stat_ms(stats, "guest_setup_us"),
            "guest_globals_ms": _stat_ms(stats, "guest_globals_us"),
            "guest_exec_ms": _stat_ms(stats, "guest_exec_us"),
            "host_tool_ms": job.bridge.host_ms,
            "host_restricted": 1.0 if stats.get("host_restricted") else 0.0,
            "config_prepared": 1.0 if stats.get("config_prepared") else 0.0,
            # the default policy, parsed when the guest was built (not in this run)
            "policy_ahead": 1.0 if stats.get("policy_ahead") else 0.0,
        }
        answer = stats.get("final_answer") if ok else None
        return self._finish(
            job, ok, stdout, stderr, error, timings, answer if isinstance(answer, str) else None
        )

    @staticmethod
    def _halt(job: _Job) -> None:
        """Stop a run that began: its host calls trap from now on (see `RunBridge.abandon`),
        and the guest traps at its next epoch check (host/stop.py), not at the backstop. Also
        for a nested run whose outer turn ended (its caller may still be waiting)."""
        job.bridge.abandon()
        if job.switch is not None:
            job.switch.stop()

    def _stop(self, job: _Job) -> None:
        """Stop waiting for a run that began (`_halt`). Its runner thread, if still busy (a tool
        that has not returned), counts as stuck until it lets go."""
        self._halt(job)
        with job.lock:
            if not job.finished:
                job.stuck = True
        if job.stuck:
            with self._lock:
                self._stuck += 1

    def _abandon(self, job: _Job) -> ExecutionResult:
        """The deadline passed while the guest was inside a host call: give up waiting."""
        bridge = job.bridge
        active = bridge.active
        self._stop(job)
        running = bridge.running
        records = list(bridge.records)
        stdout, stderr = bridge.output()
        line: int | None = None
        if running is not None and bridge.running is running:
            # still running after the records were read, so it has no record yet (the bridge
            # clears `running` before writing one): log it as what it is
            name, arguments, started = running
            ms = (time.perf_counter() - started) * 1000.0
            message = f"{name}() was still running at the run's time limit (left to finish)"
            records.append(ToolCallRecord(name, arguments, False, None, message, ms))
            line = _only_call_line(job.program, name)
        if active is not None:
            why = f"{active} was still running; it was left to finish in the background"
        else:
            why = "the guest did not stop in time; it was left to stop in the background"
        error = ExecutionError(
            "timeout", f"time limit of {self.limits.timeout_s:g} s exceeded ({why})", line
        )
        return self._finish(job, False, stdout, stderr, error, {"abandoned": 1.0}, records=records)

    def _finish(
        self,
        job: _Job,
        ok: bool,
        stdout: str,
        stderr: str,
        error: ExecutionError | None,
        timings: dict[str, float],
        final_answer: str | None = None,
        records: list[ToolCallRecord] | None = None,
    ) -> ExecutionResult:
        artifacts: list[Artifact] = []
        if job.output_dir is not None and job.before is not None:
            artifacts, problem = collect_artifacts(
                job.output_dir, job.before, self.limits.max_artifacts,
                self.limits.max_artifact_bytes,
            )
            if problem and error is None:
                ok, error = False, ExecutionError("limit", problem, None)
        if job.bridge.sticky is not None:  # a refusal or limit the guest reported as it ran
            error = prefer_sticky(error, job.bridge.sticky, self.limits)
            ok = False
        if job.bridge.denials and (error is None or error.kind != "denied"):
            # a refused call of an unapproved tool decides the outcome, even when the program
            # caught the ToolError and went on
            ok, error = False, ExecutionError("denied", job.bridge.denials[0], None)
        return ExecutionResult(
            ok=ok,
            stdout=stdout,
            stderr=stderr,
            error=error,
            tool_calls=records if records is not None else list(job.bridge.records),
            artifacts=artifacts,
            duration_ms=(time.perf_counter() - job.started) * 1000.0,
            timings=timings,
            final_answer=final_answer if ok else None,
        )

    # -- lifetime -------------------------------------------------------------------------
    def close(self) -> None:
        """Drop the ready instances and stop the background threads. A run already under way
        finishes first (its tool and runner threads stop when the last such run ends); a run
        started after this raises SandboxError."""
        with self._lock:
            self._closed = True
            self._ready.clear()
            idle = self._inflight == 0
        self._filler.shutdown(wait=True, cancel_futures=True)
        if idle:
            self._stop_threads()

    def retire(self) -> None:
        """Keep no instance ready any more (the pool thread makes none), but go on running:
        each later run gets a fresh instance. For a sandbox that its owner drops while a run of
        another thread may still be in it, or about to start (`SandboxPool`): nothing is shut
        down under that run (red9/30), and its threads end once nothing refers to it."""
        with self._lock:
            self.pool_size = 0
            self._ready.clear()

    def _let_go_at_exit(self) -> None:
        """The interpreter is exiting (`_let_go_at_exit` above): keep no instance ready and let
        go of the loaded guest; a run under way keeps what it holds. Not for a sandbox made
        before a fork (its lock may have been copied held; its instances are the parent's), nor
        when a daemon thread holds the lock past a moment: exiting must not wait."""
        if self._pid != os.getpid() or not self._lock.acquire(timeout=0.5):
            return
        try:  # as `retire`, and the loaded guest too
            self.pool_size = 0
            self._ready.clear()
            self._guest = None
        finally:
            self._lock.release()

    def _stop_threads(self) -> None:
        self._tools.shutdown(wait=False, cancel_futures=True)
        self._runner.shutdown(wait=False, cancel_futures=True)

    def _enter(self) -> None:
        if self._pid != os.getpid():
            # made before a fork: this child has none of the parent's threads, and the pools
            # still count them (its first run never started, later ones leaked their
            # instances: red16/75); the parent's runs and ready instances are not this
            # process's either
            self._make_threads()
        with self._lock:
            if self._closed:
                raise SandboxError("the sandbox is closed")
            self._inflight += 1

    def _leave(self) -> None:
        with self._lock:
            self._inflight -= 1
            last = self._closed and self._inflight == 0
        if last:  # closed while this run was under way: it was the last one
            self._stop_threads()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
