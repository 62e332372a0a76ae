"""The guest component loaded once per process, and the linker.

The engine and its epoch clock live in `wasmtime_engine`: the build compiles with that engine
and imports it from there, so build and engine do not import each other. The linker's host
functions (`call-tool`, `call-tools`, `http-request`, `emit-output`, `record-sticky`) dispatch
to the run that is executing on the current thread (`RunContext`), so one linker serves every
store.
"""
from __future__ import annotations

import atexit
import threading
from collections.abc import Callable
from typing import Any, Protocol

import wasmtime
from wasmtime.component import Component, Linker, Variant

from ..errors import GuestBuildError
from .build import _stderr_progress, ensure_guest
from .fastcall import add_fast_func
from .trap import RunAbandoned
from .wasmtime_engine import TICK_S, shared_engine, ticks_for

__all__ = ["TICK_S", "LoadedGuest", "loaded_guest", "set_context", "shared_engine", "ticks_for"]


class RunContext(Protocol):
    """What a host function needs from the run executing on this thread."""

    def call_tool(self, name: str, arguments: str) -> tuple[bool, str]: ...

    def call_tools(self, calls: str) -> list[tuple[bool, str]]: ...

    def http_request(self, request: str) -> tuple[bool, str]: ...

    def emit_output(self, to_stderr: bool, text: str) -> None: ...

    def record_sticky(self, kind: str, message: str) -> None: ...


_current = threading.local()


def set_context(ctx: RunContext | None) -> RunContext | None:
    """Make `ctx` this thread's run context; returns the one it replaces, for the caller to
    put back (a run started from inside another run's tool, on the same thread, must not end
    the outer run's context: its later output and tool calls would go nowhere)."""
    previous = getattr(_current, "ctx", None)
    _current.ctx = ctx
    return previous


def _ctx() -> RunContext:
    ctx = getattr(_current, "ctx", None)
    if ctx is None:
        raise RuntimeError("no sandbox run is active on this thread")
    return ctx


def _variant(result: tuple[bool, str]) -> Variant:
    ok, payload = result
    return Variant("ok" if ok else "err", payload)


def _err_json(message: str) -> str:
    import json

    return json.dumps({"kind": "tool", "message": message})


def _guarded(fn: Callable[..., tuple[bool, str]]) -> Callable[..., tuple[bool, str]]:
    def host_func(*args: Any) -> tuple[bool, str]:
        try:
            return fn(*args)
        except RunAbandoned:  # the run's caller stopped waiting: trap, run nothing more
            raise
        except BaseException as exc:  # a host bug must not trap the guest opaquely
            return False, _err_json(f"host error: {type(exc).__name__}: {exc}")

    return host_func


def _call_tool(name: str, arguments: str) -> tuple[bool, str]:
    return _ctx().call_tool(name, arguments)


def _http_request(request: str) -> tuple[bool, str]:
    return _ctx().http_request(request)


def _emit_output(to_stderr: bool, text: str) -> None:
    ctx = getattr(_current, "ctx", None)
    if ctx is not None:
        ctx.emit_output(to_stderr, text)


def _record_sticky(kind: str, message: str) -> None:
    ctx = getattr(_current, "ctx", None)
    if ctx is not None:
        ctx.record_sticky(kind, message)


class LoadedGuest:
    """The compiled component and a linker with WASI and the sandbox's host functions."""

    def __init__(self, engine: wasmtime.Engine, component: Component) -> None:
        self.engine = engine
        self.component = component
        # whether the `run` export has the shape `fastcall.ExportCall` calls directly (None:
        # not checked yet; the first instance checks it)
        self.fast_run: bool | None = None
        self.linker = Linker(engine)
        self.linker.add_wasip2()
        call_tool = _guarded(_call_tool)
        http_request = _guarded(_http_request)
        with self.linker.root() as root:
            # The per-call imports go through fixed-signature trampolines (fastcall), which
            # skip wasmtime-py's per-call type reflection; the generic path is the fallback.
            if not add_fast_func(root, "call-tool", ("string", "string"), True, call_tool):
                root.add_func("call-tool", lambda _s, n, a: _variant(call_tool(n, a)))
            root.add_func("call-tools", self._call_tools)
            if not add_fast_func(root, "http-request", ("string",), True, http_request):
                root.add_func("http-request", lambda _s, r: _variant(http_request(r)))
            if not add_fast_func(root, "emit-output", ("bool", "string"), False, _emit_output):
                root.add_func("emit-output", lambda _s, e, t: _emit_output(e, t))
            sticky = _record_sticky
            if not add_fast_func(root, "record-sticky", ("string", "string"), False, sticky):
                root.add_func("record-sticky", lambda _s, k, m: _record_sticky(k, m))

    @staticmethod
    def _call_tools(_store: Any, calls: str) -> list[Variant]:
        try:
            return [_variant(r) for r in _ctx().call_tools(calls)]
        except RunAbandoned:  # see _guarded
            raise
        except BaseException as exc:
            import json

            count = len(json.loads(calls)) if calls.startswith("[") else 1
            message = _err_json(f"host error: {type(exc).__name__}: {exc}")
            return [Variant("err", message) for _ in range(count)]


_loaded: LoadedGuest | None = None
_load_lock = threading.Lock()


@atexit.register
def _close_loaded() -> None:
    """Delete the process-wide linker while the interpreter is whole.

    Left to module teardown, the linker's deletion (which releases its host functions) could
    run after the objects it refers to were cleared, and crash the process at exit.
    """
    global _loaded
    with _load_lock:
        loaded, _loaded = _loaded, None
    if loaded is not None:
        loaded.linker.close()


def loaded_guest(progress: Callable[[str], None] | None = None) -> LoadedGuest:
    """The process-wide loaded guest; builds the cache entry on first use if needed."""
    global _loaded
    with _load_lock:
        if _loaded is not None:
            return _loaded
        artifacts = ensure_guest(progress=progress if progress is not None else _stderr_progress)
        engine = shared_engine()
        try:
            component = Component.deserialize_file(engine, str(artifacts.compiled))
        except Exception as exc:
            # The manifest hash matched but wasmtime refused it (e.g. an engine mismatch):
            # rebuild once rather than fail.
            artifacts = ensure_guest(force=True, progress=progress or _stderr_progress)
            try:
                component = Component.deserialize_file(engine, str(artifacts.compiled))
            except Exception as exc2:
                raise GuestBuildError(f"cannot load the compiled guest: {exc2}") from exc
        _loaded = LoadedGuest(engine, component)
        return _loaded
