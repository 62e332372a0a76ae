"""Per-run limits of the sandbox, each with a sane default and its own error kind."""

from __future__ import annotations

import importlib
import math
from dataclasses import asdict, dataclass
from typing import Any

# The sandbox ABI: which limits the guest enforces itself (their names are these fields').
_abi: Any = importlib.import_module("codeact_verify.guest.runtime.abi")


#: the longest time limit (a week): longer waits overflow the platform's timeouts (red14/69)
MAX_TIMEOUT_S = 7 * 24 * 3600.0
#: what the guest can take (red15/72): wasm32 addresses 4 GiB; the guest's
#: `sys.setrecursionlimit` takes a C int, and far fewer frames fit its stack anyway
_MAXIMA = {"memory_mb": 4096, "recursion": 1_000_000}


@dataclass(frozen=True)
class Limits:
    """What one run may use. Hitting a limit ends the run with a structured error:
    `timeout` (wall clock), `memory`, `output` (stdout+stderr bytes, truncated with a marker),
    `size` (a string crossing the guest/host boundary over its cap: a tool's arguments or
    result, an HTTP request, a name), `limit` (counts: tool calls, recursion, file writes,
    HTTP requests). Error messages (the program's, a tool's) are cut at `max_message_bytes`
    with a visible marker and keep their own kind."""

    timeout_s: float = 10.0
    memory_mb: int = 256
    output_bytes: int = 65536
    max_tool_calls: int = 1000
    max_arg_bytes: int = 1 << 20
    max_result_bytes: int = 4 << 20
    recursion: int = 500
    max_http_requests: int = 50
    max_http_response_bytes: int = 4 << 20
    max_write_bytes: int = 16 << 20
    max_write_files: int = 100
    max_artifacts: int = 50
    max_artifact_bytes: int = 16 << 20
    max_message_bytes: int = 8192
    max_name_bytes: int = 1024
    #: what the run's tool-call log keeps of arguments and results, in all (JSON bytes); past
    #: it an entry keeps its name, outcome and timing, and says how much was left out
    max_log_bytes: int = 1 << 20

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            # only the time limit may be a fraction; counts and sizes are whole numbers (a
            # float memory_mb broke every run: red15/72)
            kinds: tuple[type, ...] = (int, float) if name == "timeout_s" else (int,)
            try:
                good = (
                    isinstance(value, kinds)
                    and not isinstance(value, bool)
                    and value > 0  # NaN too
                    and math.isfinite(value)  # an infinite time limit overflowed (red13/64)
                )
            except OverflowError:  # an int too large for a float
                good = False
            if not good:
                what = "positive, finite number" if name == "timeout_s" else "positive integer"
                raise ValueError(f"Limits.{name} must be a {what}, got {value!r}")
        for name, most in _MAXIMA.items():
            value = getattr(self, name)
            if value > most:
                raise ValueError(f"Limits.{name} must be at most {most:g}, got {value!r}")
        if self.timeout_s > MAX_TIMEOUT_S:  # waits past threading.TIMEOUT_MAX overflow
            raise ValueError(
                f"Limits.timeout_s must be at most {MAX_TIMEOUT_S:g} s (one week), "
                f"got {self.timeout_s!r}"
            )
        if self.max_message_bytes < 256:
            raise ValueError("Limits.max_message_bytes must be at least 256")
        if self.memory_mb < 32:
            raise ValueError("Limits.memory_mb must be at least 32 (the interpreter needs it)")

    def guest_config(self) -> dict[str, Any]:
        """The part of the limits the guest enforces itself."""
        return {key: getattr(self, key) for key in _abi.LIMIT_KEYS}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
