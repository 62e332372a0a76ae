"""An audit hook (PEP 578) that refuses, once the program starts, what it must never do.

Default deny: only a short list of harmless events passes; `open` and directory listing pass
only for paths inside a mount (writes only inside a writable one); `exec`/`compile` pass only
for the runtime's own compile of the program and for the runtime's trusted calls; `import` of a
module not already loaded is refused. A refusal raises PermissionError in the program and is
recorded: the run then ends with a `rejected` error even if the program catches it.

The hook's state (on/off, the trust depth, the program's code object, the mounts) lives in the
closure of `_make()`, never in attributes of an object, so no attribute read or write reaches
it. It is driven only through:
- `start(mounts, code)`, which returns a fresh token, and `stop(token)`, which switches the hook
  off only for the holder of that token (kept in a local of the guest's `run`);
- `call_trusted(fn, *args)`: one call of a function registered at build time (`register`,
  closed by `seal()`), with the hook trusting it, and only with arguments of exact built-in
  data types, so no program code (a `__str__`, `__bool__`, `__eq__`, `__hash__` of the
  program's) can run while the hook is trusting. There is no context manager or generator
  whose frame could be suspended, resumed or advanced by hand.
"""

import posixpath
import sys
import types

from .state import STATE

_ALLOWED_EVENTS = frozenset(
    {
        "time.sleep",
        "os.stat",
        "os.path.exists",
        "array.__new__",
        "builtins.id",
        "sys._getframemodulename",
    }
)

_WRITE_FLAGS = 0o1 | 0o2 | 0o100 | 0o1000 | 0o2000  # O_WRONLY O_RDWR O_CREAT O_TRUNC O_APPEND

# Exact types whose values a trusted call may receive: data whose methods the program cannot
# have replaced, and the runtime's own traceback objects (walked, never called).
_SCALARS = frozenset({str, int, float, bool, type(None), bytes})
_CONTAINERS = frozenset({tuple, list, frozenset})


def exact_data(value, depth=0):
    """True when `value` is built only from exact built-in data types (no subclass, no
    program object), so touching it (str, bool, ==, hash, iteration) runs no program code."""
    t = type(value)
    if t in _SCALARS:
        return True
    if depth > 20:
        return False
    if t in _CONTAINERS:
        return all(exact_data(v, depth + 1) for v in value)
    if t is dict:
        return all(
            exact_data(k, depth + 1) and exact_data(v, depth + 1) for k, v in value.items()
        )
    return False


def _path_allowed(mounts, path, write):
    if type(path) is bytes:
        path = path.decode("utf-8", "surrogateescape")
    if type(path) is not str or not path.startswith("/"):
        return False
    path = posixpath.normpath(path)
    for guest_dir, read_only in mounts:
        if path == guest_dir or path.startswith(guest_dir.rstrip("/") + "/"):
            return not (write and read_only)
    return False


def _refuse(what):
    message = f"the sandbox refused {what}"
    STATE.hit("rejected", message)
    raise PermissionError(message)


def _make():
    active = False
    trust = 0
    code = None
    mounts = ()
    token = None
    installed = False
    trusted_functions = set()
    sealed = False

    def hook(event, args):
        nonlocal code
        if not active or trust:
            return
        if event in _ALLOWED_EVENTS:
            return
        if event == "open":
            path, mode, flags = (*tuple(args), None, None, None)[:3]
            write = bool(type(mode) is str and any(c in mode for c in "wax+")) or bool(
                type(flags) is int and flags & _WRITE_FLAGS
            )
            if not _path_allowed(mounts, path, write):
                _refuse(f"open({path!r}, {mode or flags!r})")
            return
        if event in ("os.listdir", "os.scandir"):
            if not _path_allowed(mounts, args[0] if args else None, False):
                _refuse(f"{event}({args[0] if args else ''!r})")
            return
        if event == "exec" and args and code is not None and args[0] is code:
            code = None
            return
        if event in ("object.__setattr__", "object.__delattr__"):
            name = args[1] if len(args) > 1 else ""
            if type(name) is str and not name.startswith("_"):
                return
        if event == "import":
            _refuse(f"import of {args[0]!r}")
        _refuse(f"{event}")

    def install():
        nonlocal installed
        if not installed:
            sys.addaudithook(hook)
            installed = True

    def is_installed():
        return installed

    def start(new_mounts, new_code):
        nonlocal active, code, mounts, token
        if active:
            _refuse("a second start of the audit hook")
        mounts = tuple((posixpath.normpath(d), bool(ro)) for d, ro in new_mounts)
        code = new_code
        token = object()
        active = True
        return token

    def stop(held):
        nonlocal active, code, token
        if token is None or held is not token:
            _refuse("switching the audit hook off")
        active = False
        code = None
        token = None

    def is_active():
        return active

    def register(fn):
        if sealed:
            _refuse("registering a trusted function after start-up")
        trusted_functions.add(fn)
        return fn

    def seal():
        nonlocal sealed
        sealed = True

    def call_trusted(fn, *args):
        nonlocal trust
        if fn not in trusted_functions:
            _refuse("a trusted call of an unregistered function")
        for arg in args:
            if not (exact_data(arg) or type(arg) is types.TracebackType):
                _refuse(f"a trusted call with a {type(arg).__name__} argument")
        trust += 1
        try:
            return fn(*args)
        finally:
            trust -= 1

    def trusted_functions_view():
        return frozenset(trusted_functions)

    return (
        hook, install, is_installed, start, stop, is_active, register, seal, call_trusted,
        trusted_functions_view,
    )


(
    _hook,
    install,
    installed,
    start,
    stop,
    active,
    register,
    seal,
    call_trusted,
    trusted_functions,
) = _make()
del _make
