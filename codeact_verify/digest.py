"""SHA-256 of a program's text (UTF-8, lone surrogates kept), in hex: the name a program goes by
between the verifier, the host's restricted transform and the guest, which checks it.

CPython's own SHA-256 (`_sha256`, `_sha2` from 3.12) rather than OpenSSL's through `hashlib`: the
digests are the same, but OpenSSL looks its algorithm up on every new hash object, and inside a
sandbox run's cycle (the guest's work between two runs leaves the caches cold) that took about
31 µs a program against 10 µs (host timers around the call, 60 pooled runs each way).
`hashlib.sha256` is the fallback where neither module exists.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

_sha256: Callable[[bytes], Any]
try:
    from _sha256 import sha256 as _sha256  # type: ignore[import-not-found,no-redef]
except ImportError:  # pragma: no cover - Python 3.12+
    try:
        from _sha2 import sha256 as _sha256  # type: ignore[import-not-found,no-redef]
    except ImportError:
        _sha256 = hashlib.sha256


def text_digest(text: str) -> str:
    """SHA-256 of `text` encoded as UTF-8 with lone surrogates kept (`surrogatepass`), in hex."""
    return str(_sha256(text.encode("utf-8", "surrogatepass")).hexdigest())
