"""Host functions with fixed WIT signatures, registered without wasmtime-py's generic path.

`LinkerInstance.add_func` wraps a Python callable in a trampoline that, on every call, rebuilds
the function's parameter and result types from the C API and lowers the result through the
generic variant machinery (about 30-50 µs a call). The sandbox's imports have fixed shapes
(strings in; a `result<string, string>`, or nothing, out), so this module registers trampolines
that read and write those shapes directly through the same C API, checking every value's
kind. A signature that does not match traps the guest (it never guesses).

It reaches into wasmtime-py's private `_ffi` module (tested with wasmtime 50); when those names
are missing, `add_fast_func` returns False and the caller falls back to `add_func`.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

try:
    from wasmtime import WasmtimeError
    from wasmtime import _ffi as ffi

    _STRING = ffi.WASMTIME_COMPONENT_STRING.value
    _BOOL = ffi.WASMTIME_COMPONENT_BOOL.value
    _U32 = ffi.WASMTIME_COMPONENT_U32.value
    _RECORD_KIND = ffi.WASMTIME_COMPONENT_RECORD.value
    _OPTION_KIND = ffi.WASMTIME_COMPONENT_OPTION.value
    _func_call = ffi.wasmtime_component_func_call
    _val_delete = ffi.wasmtime_component_val_delete
    _RESULT = ffi.WASMTIME_COMPONENT_RESULT
    _CALLBACK = ffi.wasmtime_component_func_callback_t
    _FINALIZER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)
    _VAL = ffi.wasmtime_component_val_t
    _VEC = ffi.wasm_byte_vec_t
    _val_new = ffi.wasmtime_component_val_new
    _vec_delete = ffi.wasm_byte_vec_delete
    _add_func = ffi.wasmtime_component_linker_instance_add_func
    # A private prototype (not wasmtime-py's shared one) that takes the bytes directly.
    _vec_new = ffi.dll["wasm_byte_vec_new"]
    _vec_new.restype = None
    _vec_new.argtypes = [ctypes.POINTER(_VEC), ctypes.c_size_t, ctypes.c_char_p]
    AVAILABLE = True
except (ImportError, AttributeError):  # pragma: no cover - another wasmtime-py layout
    AVAILABLE = False

# The registered trampolines must outlive the linker: keep them here (a handful per process).
_KEEP: list[Any] = []


def _string_arg(val: Any) -> str:
    if val.kind != _STRING:
        raise TypeError("expected a string argument")
    vec = val.of.string
    try:
        return ctypes.string_at(vec.data, vec.size).decode("utf-8")
    finally:
        _vec_delete(ctypes.byref(vec))


def _bool_arg(val: Any) -> bool:
    if val.kind != _BOOL:
        raise TypeError("expected a bool argument")
    return bool(val.of.boolean)


def _set_result(out: Any, ok: bool, text: str) -> None:
    data = text.encode("utf-8")
    raw = _VAL()
    raw.kind = _STRING
    _vec_new(ctypes.byref(raw.of.string), len(data), data)
    out.kind = _RESULT
    out.of.result.is_ok = ok
    out.of.result.val = _val_new(ctypes.byref(raw))


def _trap(exc: BaseException) -> int:
    err = WasmtimeError(f"host function failed: {type(exc).__name__}: {exc}")
    return ctypes.cast(err._consume(), ctypes.c_void_p).value or 0


_READERS = {"string": _string_arg, "bool": _bool_arg}


def add_fast_func(
    instance: Any,
    name: str,
    params: tuple[str, ...],
    returns_result: bool,
    func: Callable[..., Any],
) -> bool:
    """Register `func(*params)` on a wasmtime component `LinkerInstance`.

    `params` are "string" or "bool"; with `returns_result`, `func` returns (ok, text) for a
    `result<string, string>`, else it returns nothing. False when the fast path is unavailable.
    """
    if not AVAILABLE:
        return False
    readers = tuple(_READERS[p] for p in params)
    count = len(readers)

    def trampoline(_env, _ctx, _ty, args, nargs, results, nresults):  # type: ignore[no-untyped-def]
        try:
            if nargs != count or nresults != (1 if returns_result else 0):
                raise TypeError(f"{name}: unexpected signature")
            values = [read(args[i]) for i, read in enumerate(readers)]
            if returns_result:
                ok, text = func(*values)
                _set_result(results[0], ok, text)
            else:
                func(*values)
            return 0
        except BaseException as exc:  # a trap, never an unwinding through C
            return _trap(exc)

    callback = _CALLBACK(trampoline)
    # No finalizer (a NULL pointer): a Python callback run by the linker's deletion could run
    # while the interpreter is being torn down (a segfault at exit was seen with one).
    finalizer = _FINALIZER()
    _KEEP.append(callback)
    encoded = name.encode("utf-8")
    buf = ctypes.create_string_buffer(encoded)
    err = _add_func(instance.ptr(), buf, len(encoded), callback, None, finalizer)
    if err:
        raise WasmtimeError._from_ptr(err)
    return True


# -- the guest's `run` export -------------------------------------------------------------------
# wasmtime-py's component `Func.__call__` rebuilds the function's type from the C API on every
# call and lowers and lifts through the generic machinery (a record result walks its type
# again). The sandbox's `run` export has a fixed shape: strings in, the `outcome` record out.
# `ExportCall` checks that shape once, then calls through the C API directly.

OUTCOME_FIELDS = ("ok", "error-kind", "message", "line", "stats")


class Outcome:
    """The `outcome` record, lifted: the same attribute names as wasmtime-py's `Record`."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.__dict__.update(fields)


def _shape_matches(func: Any, store: Any, strings: int) -> bool:
    """True when `func` takes `strings` strings and returns the `outcome` record."""
    from wasmtime.component import _types

    fty = func.type(store)
    params = fty.params
    if len(params) != strings or not all(isinstance(t, _types.String) for _, t in params):
        return False
    result = fty.result
    if not isinstance(result, _types.RecordType):
        return False
    fields = dict(result.fields)
    expected = {
        "ok": _types.Bool, "error-kind": _types.String, "message": _types.String,
        "line": _types.OptionType, "stats": _types.String,
    }  # fmt: skip
    if set(fields) != set(expected):
        return False
    if not all(isinstance(fields[name], kind) for name, kind in expected.items()):
        return False
    payload = fields["line"].payload  # type: ignore[attr-defined]
    return isinstance(payload, _types.U32)


def _lift_string(val: Any) -> str:
    if val.kind != _STRING:
        raise TypeError("expected a string field")
    vec = val.of.string
    return ctypes.string_at(vec.data, vec.size).decode("utf-8")


def _lift_outcome(val: Any) -> Outcome:
    if val.kind != _RECORD_KIND:
        raise TypeError("expected the outcome record")
    record = val.of.record
    fields: dict[str, Any] = {}
    for i in range(record.size):
        entry = record.data[i]
        name = ctypes.string_at(entry.name.data, entry.name.size).decode("utf-8")
        field = entry.val
        if name == "ok":
            if field.kind != _BOOL:
                raise TypeError("expected a bool field")
            fields[name] = bool(field.of.boolean)
        elif name == "line":
            if field.kind != _OPTION_KIND:
                raise TypeError("expected an option field")
            some = field.of.option
            if some:
                if some.contents.kind != _U32:
                    raise TypeError("expected a u32 payload")
                fields[name] = int(some.contents.of.u32)
            else:
                fields[name] = None
        else:
            fields[name] = _lift_string(field)
    if set(fields) != set(OUTCOME_FIELDS):
        raise TypeError("unexpected outcome fields")
    return Outcome(fields)


class ExportCall:
    """Calls a guest export of shape `(string, ...) -> outcome` through the C API; falls back
    to wasmtime-py's generic call when the fast path is unavailable or the shape differs."""

    def __init__(self, func: Any, store: Any, strings: int, fast: bool | None = None) -> None:
        """`fast`: whether this export's shape was already checked (on another instance of the
        same component); None checks it here."""
        self.func = func
        self.strings = strings
        if fast is None:
            try:
                fast = AVAILABLE and _shape_matches(func, store, strings)
            except Exception:  # another wasmtime-py layout: the generic path
                fast = False
        self.fast = bool(fast)

    def __call__(self, store: Any, *texts: str) -> Any:
        if not self.fast:
            return self.func(store, *texts)
        from wasmtime.component._enter import enter_wasm

        n = len(texts)
        if n != self.strings:
            raise TypeError(f"expected {self.strings} arguments, got {n}")
        args = (_VAL * n)()
        made = 0
        result = _VAL()
        try:
            for text in texts:
                data = text.encode("utf-8")  # as wasmtime-py lowers a str (no lone surrogate)
                args[made].kind = _STRING
                _vec_new(ctypes.byref(args[made].of.string), len(data), data)
                made += 1
            func = self.func._func
            context = store._context()
            called = False

            def call() -> Any:
                nonlocal called
                err = _func_call(ctypes.byref(func), context, args, n, ctypes.byref(result), 1)
                called = not err
                return err

            enter_wasm(call)
            try:
                return _lift_outcome(result)
            finally:
                if called:
                    _val_delete(ctypes.byref(result))
        finally:
            for i in range(made):
                _val_delete(ctypes.byref(args[i]))
