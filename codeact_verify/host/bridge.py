"""The host side of the tool bridge: performs the guest's tool calls and HTTP requests.

Sync tools run on the thread executing the guest (single calls) or in a bounded thread pool
(batches); async tools run on the caller's event loop (`asyncio.gather` for batches), or on a
private loop when the run was started synchronously. Before a tool runs, its arguments are
validated again here, whatever the guest checked (`ToolSpec.call_arguments`: pydantic in strict
JSON mode, which also converts them to the tool's Enum, date, dataclass and model types), and
bound to its parameters (positional-only ones by position). A tool that raises, or arguments
that do not fit, become a `tool` error for the guest (a catchable `ToolError`) and a failed
`ToolCallRecord`; a result that is not JSON is a clear tool error; sizes and counts over the
limits are `limit` errors.

Per-tool approval is enforced here too, where the tool is called: a run carries the set of tools
approved for it, and a call of a tool whose `approval_mode` is "always_require" that is not in
that set is refused (a `denied` error: the guest sees a catchable `ToolError`, the tool never
runs, and the run's outcome is `denied` whatever the program does with the exception). So a
verifier gap, or a run with the verifier skipped, cannot run such a tool unapproved.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import json
import time
from collections.abc import Mapping
from typing import Any

from ..aio import close_loop
from ..threads import DaemonThreadPool
from ..tools import ToolArgumentError, ToolSpec, to_jsonable
from .limits import Limits
from .network import NetworkPolicy, perform
from .result import ToolCallRecord, clip_text, exception_text
from .trap import RunAbandoned
from .turns import HELD, Turn

Outcome = tuple[bool, str]


_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False).encode
_decode = json.JSONDecoder().decode


def _err(kind: str, message: str) -> Outcome:
    return False, json.dumps({"kind": kind, "message": message})


def _valid_utf8(text: str) -> bool:
    """True when `text` can cross as a WIT string (no lone surrogate)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _escaped_surrogate(raw: str, value: Any) -> bool:
    """True when JSON text `raw` (decoded as `value`) carries a lone surrogate in an escape
    (`"\\ud800"`). The guest never sends one; a guest that does is refused."""
    if "\\u" not in raw:
        return False
    return not _valid_utf8(_encode(value))


class _NotPlain(Exception):
    pass


_SCALARS = (str, int, bool, type(None))


def _plain_copy(value: Any) -> Any:
    """`to_jsonable(value)` for values that are already plain JSON data (the common case),
    without building a path string per node; raises _NotPlain for anything else."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            raise _NotPlain
        return value
    if kind is dict:
        out = {}
        for k, v in value.items():
            if type(k) is not str:
                raise _NotPlain
            out[k] = _plain_copy(v)
        return out
    if kind is list or kind is tuple:
        return [_plain_copy(v) for v in value]
    raise _NotPlain


def _jsonable(value: Any, spec: ToolSpec | None = None) -> Any:
    try:
        return _plain_copy(value)
    except (_NotPlain, RecursionError):
        if spec is not None:
            return spec.result_json(value)  # the declared type's JSON form, or says what's wrong
        return to_jsonable(value)


class DeadlineExceeded(Exception):
    """The run's time limit passed while a tool was running (not a tool's own TimeoutError)."""


class ToolThreads(DaemonThreadPool):
    """A sandbox's threads for sync tools (batches, and calls made off the runner thread), and
    how many of them are held by tool calls that outlived their run.

    A sync tool that never returns (a network call without a timeout) keeps its thread: Python
    cannot stop it. Each such call gets a replacement thread, so later runs' tools still find
    `size` threads (a later call used to wait in the queue until its run's deadline and be
    blamed for it: red9/29), up to `max_held` held threads in all; past that a call fails at
    once with a `limit` error that says why (`exhausted`). A held thread counts again the
    moment its tool returns."""

    def __init__(self, size: int, max_held: int = 56) -> None:
        super().__init__(size, "codeact-tool")
        self.size = size
        self.max_held = max_held
        self._held = 0  # under the pool's own lock, as `_max_workers`

    @property
    def held(self) -> int:
        with self._lock:
            return self._held

    def hold(self, future: concurrent.futures.Future[Any]) -> None:
        """`future`'s call outlived its run: its thread is held until it returns."""
        with self._lock:
            self._held += 1
            if self._held <= self.max_held:
                self._max_workers += 1  # a replacement, started by the next submit
        future.add_done_callback(self._let_go)

    def _let_go(self, _future: concurrent.futures.Future[Any]) -> None:
        with self._lock:
            if self._held <= self.max_held:
                self._max_workers -= 1
            self._held -= 1

    def exhausted(self) -> str | None:
        """Why no sync tool can run now, or None."""
        held = self.held
        if held < self.size + self.max_held:
            return None
        return (
            f"no tool thread is free: {held} of the sandbox's tool threads are held by tool "
            "calls of earlier runs that have not returned since their time limit passed (a "
            "tool that blocks forever keeps its thread); make the tools return, or give them "
            "their own timeouts"
        )


def _wait(future: concurrent.futures.Future[Any], timeout: float, pool: Any = None) -> Any:
    try:
        return future.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        if future.done():  # the tool itself raised TimeoutError
            raise
        if not future.cancel() and isinstance(pool, ToolThreads):
            pool.hold(future)  # running: it keeps its thread until it returns
        raise DeadlineExceeded from None


def _call_sync(spec: ToolSpec, call: tuple[list[Any], dict[str, Any]]) -> Any:
    return spec.func(*call[0], **call[1])


Prepared = tuple[ToolSpec, dict[str, Any], tuple[list[Any], dict[str, Any]]]


class RunBridge:
    """Everything one run's host functions need; lives for one run."""

    def __init__(
        self,
        specs: Mapping[str, ToolSpec],
        limits: Limits,
        network: NetworkPolicy | None,
        deadline: float,
        loop: asyncio.AbstractEventLoop | None,
        pool: concurrent.futures.Executor,
        approved_tools: frozenset[str] = frozenset(),
    ) -> None:
        self.specs = specs
        self.approved_tools = approved_tools
        self.denials: list[str] = []  # messages of refused calls of unapproved tools
        self.limits = limits
        self.network = network
        self.deadline = deadline
        self.loop = loop
        self.pool = pool
        self.records: list[ToolCallRecord] = []
        self.calls = 0
        self.http_requests = 0
        self.host_ms = 0.0
        self.abandoned = False
        # a run ahead of its program's type check (`Sandbox.run_ahead`): it may only compute
        # and print; a tool call or HTTP request stops it (`spoiled`), and the program runs
        # again once the check accepts it
        self.ahead = False
        self.spoiled = False
        # cancels the async tool call under way (set while one runs), see abandon()
        self._cancel_async: Any = None
        # the run's own event loop for async tools when the caller has none (see _run_async)
        self._own_loop: asyncio.AbstractEventLoop | None = None
        # what the guest is waiting for on the host right now (None: it is running itself)
        self.active: str | None = None
        # the single tool call running on the host now: (name, logged arguments, start time);
        # cleared before its record is written, so a caller that gives up waiting can tell
        # whether the call's record exists (see Sandbox._abandon)
        self.running: tuple[str, Any, float] | None = None
        # the output directory's turn this run is in (set by the sandbox), carried into the
        # context of each of its tool calls (host/turns.py: a run a tool starts is nested)
        self.turn: Turn | None = None
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        # the first sticky outcome the guest recorded (a refusal, a limit), sent as it happened
        self.sticky: tuple[str, str] | None = None
        self._output_room = limits.output_bytes + 256  # the guest caps; this is a backstop
        self._log_room = limits.max_log_bytes

    # -- output ---------------------------------------------------------------------------
    def abandon(self) -> None:
        """The caller stopped waiting: from now on every host function of this run (a tool
        call, a tool's late return, output, an HTTP request) traps the guest (`RunAbandoned`),
        and an async tool call under way is cancelled."""
        self.abandoned = True
        cancel = self._cancel_async
        if cancel is not None:
            try:
                cancel()
            except RuntimeError:  # its loop is closed: nothing left to cancel
                pass

    def _check_abandoned(self, what: str) -> None:
        if self.abandoned:
            raise RunAbandoned(f"{what} after the run's caller stopped waiting")

    def _check_ahead(self, what: str) -> None:
        """A run ahead of the type check reaches nothing outside the guest: it stops here,
        before the call is looked at, and its program runs again once accepted."""
        if self.ahead:
            self.spoiled = True
            raise RunAbandoned(f"{what} in a run ahead of the type check")

    def emit_output(self, to_stderr: bool, text: str) -> None:
        """Output the guest printed (streamed, so it survives a trap)."""
        self._check_abandoned("output")
        if self._output_room <= 0:
            return
        if len(text) > self._output_room:
            text = text[: self._output_room]
        self._output_room -= len(text.encode("utf-8"))
        (self.stderr if to_stderr else self.stdout).append(text)

    def record_sticky(self, kind: str, message: str) -> None:
        """The guest recorded a sticky outcome (see `trap.prefer_sticky`); the first wins."""
        if self.sticky is None:
            self.sticky = (kind, message)

    def output(self) -> tuple[str, str]:
        return "".join(self.stdout), "".join(self.stderr)

    # -- the tool-call log ------------------------------------------------------------------
    def _logged(self, value: Any, size: int, what: str) -> Any:
        """`value` for the log while its budget lasts; past it, a note of what was left out.

        Each call's arguments and result are capped, but a loop of calls is not: the log (which
        goes into the result, and so to the model and the run log) has a budget of its own.
        """
        if size <= self._log_room:
            self._log_room -= size
            return value
        self._log_room = min(self._log_room, 0)
        return {
            "omitted": f"{what} of {size} bytes: the run's tool-call log budget "
            f"(max_log_bytes {self.limits.max_log_bytes}) is used up"
        }

    # -- preparing and finishing one call -------------------------------------------------
    def _prepare(self, name: str, arguments: str) -> Prepared | Outcome:
        self._check_abandoned("a tool call")
        if time.monotonic() >= self.deadline:
            return _err("timeout", "the run's time limit passed")
        limit = self.limits.max_arg_bytes
        if len(name) > self.limits.max_name_bytes:
            return _err("size", f"a tool name exceeds {self.limits.max_name_bytes} bytes")
        # at most 4 UTF-8 bytes a character: only long texts need the exact count
        if len(arguments) > limit or (
            len(arguments) * 4 > limit and len(arguments.encode("utf-8", "replace")) > limit
        ):
            return _err("size", f"{name}(): arguments exceed {self.limits.max_arg_bytes} bytes")
        self.calls += 1
        if self.calls > self.limits.max_tool_calls:
            return _err("limit", f"tool call limit of {self.limits.max_tool_calls} exceeded")
        spec = self.specs.get(name)
        try:
            args = _decode(arguments)
        except ValueError:
            return _err("tool", f"{name}(): arguments are not valid JSON")
        logged = self._logged(args, len(arguments), "arguments")
        if spec is None:
            self.records.append(ToolCallRecord(name, logged, False, None, "unknown tool", 0.0))
            return _err("tool", f"no tool named {name!r}")
        if not isinstance(args, dict):
            return _err("tool", f"{name}(): arguments must be a JSON object")
        if spec.approval_mode == "always_require" and name not in self.approved_tools:
            message = f"{name}() requires approval and was not approved for this run"
            self.denials.append(message)
            self.records.append(ToolCallRecord(name, logged, False, None, message, 0.0))
            return _err("denied", message)
        if _escaped_surrogate(arguments, args):
            message = f"{name}(): an argument holds a lone surrogate (not valid Unicode text)"
            self.records.append(ToolCallRecord(name, {}, False, None, message, 0.0))
            return _err("tool", message)
        try:
            call = spec.call_arguments(arguments)  # validated again, whatever the guest checked
        except ToolArgumentError as exc:
            message = clip_text(str(exc), self.limits.max_message_bytes)
            self.records.append(ToolCallRecord(name, logged, False, None, message, 0.0))
            return _err("tool", message)
        return spec, logged, call  # from here on `args` is only what the log keeps

    def _finish(
        self,
        spec: ToolSpec,
        args: dict[str, Any],
        started: float,
        value: Any = None,
        exc: BaseException | None = None,
    ) -> Outcome:
        ms = (time.perf_counter() - started) * 1000.0
        self.running = None  # before the record: see __init__
        if self.abandoned:
            # the caller gave up waiting and has its result: the guest traps here, so the
            # program cannot go on (write files, print, run a `finally` block) into whatever
            # comes next (red7/21, red9/27)
            message = f"{spec.name}() returned after the run's time limit; its result is dropped"
            self.records.append(ToolCallRecord(spec.name, args, False, None, message, ms))
            raise RunAbandoned(message)
        if exc is not None:
            if isinstance(exc, DeadlineExceeded):
                message = f"{spec.name}() did not finish before the run's time limit"
                self.records.append(ToolCallRecord(spec.name, args, False, None, message, ms))
                return _err("timeout", message)
            message = exception_text(exc, self.limits.max_message_bytes)
            self.records.append(ToolCallRecord(spec.name, args, False, None, message, ms))
            return _err("tool", message)
        limit = self.limits.max_result_bytes
        if type(value) is str and len(value) > limit:  # over the cap whatever its encoding
            message = f"{spec.name}() result exceeds {limit} bytes"
            self.records.append(ToolCallRecord(spec.name, args, False, None, message, ms))
            return _err("size", message)
        try:
            data = _jsonable(value, spec)
            text = _encode(data)
        except (TypeError, ValueError, RecursionError) as err:
            message = clip_text(
                f"{spec.name}() returned a value that is not JSON: {err}",
                self.limits.max_message_bytes,
            )
            self.records.append(ToolCallRecord(spec.name, args, False, None, message, ms))
            return _err("tool", message)
        if len(text) > limit or (
            len(text) * 4 > limit and len(text.encode("utf-8", "replace")) > limit
        ):
            message = f"{spec.name}() result exceeds {self.limits.max_result_bytes} bytes"
            self.records.append(ToolCallRecord(spec.name, args, False, None, message, ms))
            return _err("size", message)
        if not _valid_utf8(text):
            # e.g. a file name from os.fsdecode: a WIT string must be UTF-8, so this result
            # cannot reach the program as it is; a ToolError it can catch says why
            message = (
                f"{spec.name}() returned text with a lone surrogate (not valid Unicode, "
                "e.g. a file name decoded with os.fsdecode); it cannot be delivered"
            )
            self.records.append(ToolCallRecord(spec.name, args, False, None, message, ms))
            return _err("tool", message)
        logged = self._logged(data, len(text), "a result")
        self.records.append(ToolCallRecord(spec.name, args, True, logged, None, ms))
        return True, text

    def _no_tool_thread(self) -> str | None:
        return self.pool.exhausted() if isinstance(self.pool, ToolThreads) else None

    def _refuse(self, spec: ToolSpec, args: Any, message: str) -> Outcome:
        """A call that cannot run (no tool thread): recorded, and a `limit` for the guest."""
        self.records.append(ToolCallRecord(spec.name, args, False, None, message, 0.0))
        return _err("limit", message)

    def _remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def _run_async(self, coro: Any) -> Any:
        """Run a coroutine on the caller's loop (or a private one) until the deadline, or until
        the run is abandoned (`abandon` cancels it: red10/39)."""
        if self.loop is not None and self.loop.is_running():
            future = asyncio.run_coroutine_threadsafe(coro, self.loop)
            self._cancel_async = future.cancel  # thread-safe: cancels the task on its loop
            if self.abandoned:
                # abandoned between the submit and the line above, when `abandon` found
                # nothing to cancel (the loop may have started the tool already)
                future.cancel()
            try:
                return _wait(future, self._remaining())
            finally:
                self._cancel_async = None

        async def bounded() -> Any:
            task = asyncio.ensure_future(coro)
            loop = asyncio.get_running_loop()
            self._cancel_async = lambda: loop.call_soon_threadsafe(task.cancel)
            if self.abandoned:  # (as above)
                task.cancel()
            try:
                done, _ = await asyncio.wait({task}, timeout=self._remaining())
            finally:
                self._cancel_async = None
            if task in done:
                return task.result()
            task.cancel()
            raise DeadlineExceeded

        # one loop for the run's async calls, on the run's own thread (a tool may keep a client
        # bound to its loop from one call to the next); closed at the run's end by close_loop,
        # which never waits for a to_thread call of the tool's that never returns
        loop = self._own_loop
        if loop is None:
            loop = self._own_loop = asyncio.new_event_loop()
        return loop.run_until_complete(bounded())

    def close_loop(self) -> None:
        """The run is over: close its own event loop, if it made one (on the run's thread)."""
        loop, self._own_loop = self._own_loop, None
        if loop is not None:
            close_loop(loop)

    # -- the WIT imports ------------------------------------------------------------------
    def call_tool(self, name: str, arguments: str) -> Outcome:
        self._check_ahead("a tool call")
        t0 = time.perf_counter()
        self.active = f"a tool call ({name[:100]})"
        try:
            prepared = self._prepare(name, arguments)
            if isinstance(prepared[0], bool):
                return prepared  # type: ignore[return-value]
            spec, args, (call_args, call_kwargs) = prepared  # type: ignore[misc]
            started = time.perf_counter()
            self.running = (spec.name, args, started)
            calling = HELD.set(self.turn)
            try:
                if spec.is_async:
                    value = self._run_async(spec.func(*call_args, **call_kwargs))
                else:
                    # on the runner thread: a blocking tool is bounded by the caller, who stops
                    # waiting at the deadline (see Sandbox.run_sync); a thread hop here would
                    # cost ~45 µs
                    value = spec.func(*call_args, **call_kwargs)
            except Exception as exc:
                return self._finish(spec, args, started, exc=exc)
            finally:
                HELD.reset(calling)
            return self._finish(spec, args, started, value)
        finally:
            self.active = None
            self.running = None
            self.host_ms += (time.perf_counter() - t0) * 1000.0

    def call_tools(self, calls: str) -> list[Outcome]:
        self._check_ahead("a batch of tool calls")
        t0 = time.perf_counter()
        self.active = "a batch of tool calls"
        try:
            items = json.loads(calls)
            results: list[Outcome | None] = [None] * len(items)
            Job = tuple[int, ToolSpec, dict[str, Any], tuple[list[Any], dict[str, Any]]]
            sync_jobs: list[Job] = []
            async_jobs: list[Job] = []
            for i, (name, args) in enumerate(items):
                prepared = self._prepare(name, json.dumps(args))
                if isinstance(prepared[0], bool):
                    results[i] = prepared  # type: ignore[assignment]
                    continue
                spec, parsed, call = prepared  # type: ignore[misc]
                (async_jobs if spec.is_async else sync_jobs).append((i, spec, parsed, call))
            started = time.perf_counter()
            calling = HELD.set(self.turn)  # copied into each call's context below
            try:
                problem = self._no_tool_thread() if sync_jobs else None
                if problem is not None:
                    for i, spec, parsed, _ in sync_jobs:
                        results[i] = self._refuse(spec, parsed, problem)
                    sync_jobs = []
                # each sync tool runs in a copy of the run's context (as a single call_tool does,
                # inline): the caller's context variables (Agent Framework's invocation context,
                # request-scoped state) reach it, and nothing it sets outlives the call in the
                # pool's thread (red-team finding red3/04)
                futures = {
                    i: self.pool.submit(contextvars.copy_context().run, _call_sync, sp, c)
                    for i, sp, _, c in sync_jobs
                }
                if async_jobs:

                    async def gather() -> list[Any]:
                        return await asyncio.gather(
                            *(s.func(*c[0], **c[1]) for _, s, _, c in async_jobs),
                            return_exceptions=True,
                        )

                    try:
                        values = self._run_async(gather())
                    except DeadlineExceeded as exc:
                        values = [exc] * len(async_jobs)
                    for (i, spec, parsed, _), value in zip(async_jobs, values, strict=True):
                        if isinstance(value, BaseException):
                            results[i] = self._finish(spec, parsed, started, exc=value)
                        else:
                            results[i] = self._finish(spec, parsed, started, value)
            finally:
                HELD.reset(calling)
            for i, spec, parsed, _ in sync_jobs:
                try:
                    value = _wait(futures[i], self._remaining(), self.pool)
                except Exception as exc:
                    results[i] = self._finish(spec, parsed, started, exc=exc)
                else:
                    results[i] = self._finish(spec, parsed, started, value)
            return [r if r is not None else _err("tool", "not run") for r in results]
        finally:
            self.active = None
            self.host_ms += (time.perf_counter() - t0) * 1000.0

    def http_request(self, request: str) -> Outcome:
        self._check_ahead("an HTTP request")
        self._check_abandoned("an HTTP request")
        if len(request) > self.limits.max_arg_bytes:
            return _err("size", f"an HTTP request exceeds {self.limits.max_arg_bytes} bytes")
        self.http_requests += 1
        if self.http_requests > self.limits.max_http_requests:
            return _err("limit", f"HTTP request limit of {self.limits.max_http_requests} exceeded")
        try:
            req = json.loads(request)
        except ValueError:
            return _err("network", "malformed request")
        policy = self.network
        if policy is not None and policy.max_response_bytes > self.limits.max_http_response_bytes:
            import dataclasses

            policy = dataclasses.replace(
                policy, max_response_bytes=self.limits.max_http_response_bytes
            )
        self.active = "an HTTP request"
        try:
            outcome = perform(policy, req, self.deadline)
        finally:
            self.active = None
        # a response that came after the caller stopped waiting never reaches the program
        # (red9/34): the guest traps here, as for a tool's late return
        self._check_abandoned("an HTTP response")
        return outcome
