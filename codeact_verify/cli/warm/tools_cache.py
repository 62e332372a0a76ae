"""The daemon's loaded tools files, each reloaded when it or a local module it imports changes.

A tools file is kept with its size, mtime and SHA-256; every request reads it again and compares
all three (so an edit within the same second and of the same size is still seen). The modules the
file imported that live outside the interpreter's own directories and site-packages (the user's
own helper modules) are kept with their size and mtime. On any difference the file and those
modules are dropped from ``sys.modules``, their bytecode caches removed (Python validates a
``.pyc`` by whole-second mtime and size only), and the file is loaded again, so the daemon answers
what a fresh process would. A file that fails to load is never kept: the error is reported, as
in-process, on every request.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import site
import sys
import sysconfig
from dataclasses import dataclass, field
from typing import Any

from ..common import load_specs


def _system_dirs() -> tuple[str, ...]:
    dirs = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    for name in ("stdlib", "platstdlib", "purelib", "platlib"):
        with contextlib.suppress(KeyError):
            dirs.add(sysconfig.get_paths()[name])
    with contextlib.suppress(AttributeError):
        dirs.update(site.getsitepackages())
    package = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    dirs.add(package)
    return tuple(os.path.join(os.path.realpath(d), "") for d in dirs if d)


_SYSTEM = _system_dirs()


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns)


@dataclass
class _Entry:
    stamp: tuple[int, int]
    digest: str
    specs: dict[str, Any]
    #: local modules the file imported: name -> (file, (size, mtime_ns))
    local: dict[str, tuple[str, tuple[int, int] | None]] = field(default_factory=dict)

    def fresh(self, stamp: tuple[int, int], digest: str) -> bool:
        return (
            stamp == self.stamp
            and digest == self.digest
            and all(_stamp(path) == seen for path, seen in self.local.values())
        )


def _local_file(module: Any) -> str | None:
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return None
    real = os.path.realpath(path)
    return None if real.startswith(_SYSTEM) else real


def _drop_bytecode(path: str) -> None:
    with contextlib.suppress(OSError, ValueError, NotImplementedError):
        os.unlink(importlib.util.cache_from_source(path))


class ToolsCache:
    """Loaded tools files by absolute path (see the module docstring)."""

    def __init__(self) -> None:
        self.entries: dict[str, _Entry] = {}
        self.loads = 0

    def load(self, path: str | None) -> dict[str, Any]:
        """What :func:`codeact_verify.cli.common.load_specs` returns, reusing a fresh load."""
        if not path:
            return {}
        key = os.path.abspath(path)
        try:
            with open(key, "rb") as fh:
                data = fh.read()
            stamp = _stamp(key)
        except OSError:
            data, stamp = b"", None
        entry = self.entries.get(key)
        digest = hashlib.sha256(data).hexdigest()
        if entry is not None and stamp is not None and entry.fresh(stamp, digest):
            return entry.specs
        if entry is not None:
            self._forget(key, entry)
        before = set(sys.modules)
        self.loads += 1
        _drop_bytecode(key)
        specs = load_specs(path)  # raises as in-process (the message names `path` as typed)
        local: dict[str, tuple[str, tuple[int, int] | None]] = {}
        for name in set(sys.modules) - before:
            file = _local_file(sys.modules.get(name))
            if file is not None and file != os.path.realpath(key):
                local[name] = (file, _stamp(file))
        if stamp is not None:
            self.entries[key] = _Entry(stamp, digest, specs, local)
        return specs

    def _forget(self, key: str, entry: _Entry) -> None:
        del self.entries[key]
        for name, (file, _seen) in entry.local.items():
            sys.modules.pop(name, None)
            _drop_bytecode(file)
