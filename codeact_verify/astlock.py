"""One lock for the `ast` work that may run on several threads at once (the HTTP service).

CPython 3.11's conversions between its C syntax tree and Python `ast` objects keep one
recursion counter per interpreter, not per thread: two threads parsing at once (one of them
paused by the garbage collector in the middle) fail with "SystemError: AST constructor
recursion depth mismatch". `serve` verifies on worker threads, so the verifier, the transpiler
and the host's restricted transform take this lock around their parse and unparse work.
"""

from __future__ import annotations

import threading

AST_LOCK = threading.RLock()
