"""An audit hook (PEP 578) that refuses, once the program starts, what it must never do.

Default deny: only a short list of harmless events passes; `open` and directory listing pass
only for paths inside a mount (writes only inside a writable one); `exec`/`compile` pass only
for the runtime's own compile of the program and for trusted stdlib paths (namedtuple);
`import` of a module not already loaded is refused. A refusal raises PermissionError in the
program and is recorded: the run then ends with a `rejected` error even if the program
catches it.
"""

import posixpath
import sys
from contextlib import contextmanager

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


class _Hook:
    def __init__(self):
        self.active = False
        self.trust = 0
        self.code = None
        self.mounts = ()  # ((guest_dir, read_only), ...)
        self.installed = False

    def refuse(self, what):
        message = f"the sandbox refused {what}"
        STATE.hit("rejected", message)
        raise PermissionError(message)

    def path_allowed(self, path, write):
        if isinstance(path, bytes):
            path = path.decode("utf-8", "surrogateescape")
        if not isinstance(path, str) or not path.startswith("/"):
            return False
        path = posixpath.normpath(path)
        for guest_dir, read_only in self.mounts:
            if path == guest_dir or path.startswith(guest_dir.rstrip("/") + "/"):
                return not (write and read_only)
        return False

    def __call__(self, event, args):
        if not self.active or self.trust:
            return
        if event in _ALLOWED_EVENTS:
            return
        if event == "open":
            path, mode, flags = (*tuple(args), None, None, None)[:3]
            write = bool(mode and any(c in mode for c in "wax+")) or bool(
                isinstance(flags, int) and flags & _WRITE_FLAGS
            )
            if not self.path_allowed(path, write):
                self.refuse(f"open({path!r}, {mode or flags!r})")
            return
        if event in ("os.listdir", "os.scandir"):
            if not self.path_allowed(args[0] if args else None, False):
                self.refuse(f"{event}({args[0] if args else ''!r})")
            return
        if event == "exec" and args and args[0] is self.code:
            self.code = None
            return
        if event in ("object.__setattr__", "object.__delattr__"):
            name = args[1] if len(args) > 1 else ""
            if isinstance(name, str) and not name.startswith("_"):
                return
        if event == "import":
            self.refuse(f"import of {args[0]!r}")
        self.refuse(f"{event}")


HOOK = _Hook()


def install():
    if not HOOK.installed:
        sys.addaudithook(HOOK)
        HOOK.installed = True


def start(mounts, code):
    HOOK.mounts = tuple((posixpath.normpath(d), bool(ro)) for d, ro in mounts)
    HOOK.code = code
    HOOK.active = True


def stop():
    HOOK.active = False


@contextmanager
def trusted():
    HOOK.trust += 1
    try:
        yield
    finally:
        HOOK.trust -= 1
