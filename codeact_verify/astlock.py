"""One lock for the `ast` work that may run on several threads at once (the HTTP service).

CPython 3.11's conversions between its C syntax tree and Python `ast` objects keep one
recursion counter per interpreter, not per thread: two threads parsing at once (one of them
paused by the garbage collector in the middle) fail with "SystemError: AST constructor
recursion depth mismatch". `serve` verifies on worker threads, so the verifier, the transpiler
and the host's restricted transform take this lock around their parse and unparse work.
"""

from __future__ import annotations

import os
import threading

AST_LOCK = threading.RLock()


def renew_after_fork(*locks: object) -> None:
    """In a forked child, make ``locks`` new and free: a lock another thread of the parent
    held at the fork stays held in the child, where that thread does not exist, and the
    child's first verification would wait for it forever (red15/71)."""
    for lock in locks:
        reinit = getattr(lock, "_at_fork_reinit", None)  # what `threading` does for its own
        if reinit is not None:
            reinit()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: renew_after_fork(AST_LOCK))
