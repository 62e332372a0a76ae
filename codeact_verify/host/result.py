"""What a sandbox run returns: `ExecutionResult`, with its error, tool-call log and artifacts."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

# The guest's string caps, shared with the host (bundled into the guest, importable here).
_caps: Any = importlib.import_module("codeact_verify.guest.runtime.caps")

# The sandbox ABI (bundled into the guest, importable here): the error kinds host and guest share.
_abi: Any = importlib.import_module("codeact_verify.guest.runtime.abi")

ERROR_KINDS: tuple[str, ...] = tuple(_abi.ERROR_KINDS)


@dataclass(frozen=True)
class ExecutionError:
    """Why a run did not finish: `kind` (one of ERROR_KINDS), a message, the program's line."""

    kind: str
    message: str
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "line": self.line}


@dataclass(frozen=True)
class ToolCallRecord:
    """One tool call the program made, as the host performed it."""

    name: str
    arguments: dict[str, Any]
    ok: bool
    result: Any = None
    error: str | None = None
    duration_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "arguments": self.arguments,
            "ok": self.ok,
            "result": self.result,
            "error": self.error,
            "duration_ms": round(self.duration_ms, 3),
        }


@dataclass(frozen=True)
class Artifact:
    """A file the program left in the output directory."""

    path: str  # as the guest saw it, e.g. /output/report.csv
    host_path: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "host_path": self.host_path, "size": self.size}


@dataclass(frozen=True)
class ExecutionResult:
    ok: bool
    stdout: str
    stderr: str
    error: ExecutionError | None
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    duration_ms: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    final_answer: str | None = None  # given by the program through final_answer(text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "error": self.error.to_dict() if self.error else None,
            "tool_calls": [t.to_dict() for t in self.tool_calls],
            "artifacts": [a.to_dict() for a in self.artifacts],
            "duration_ms": round(self.duration_ms, 3),
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "final_answer": self.final_answer,
        }


def clip_text(text: str, limit: int) -> str:
    """`text` as at most about `limit` UTF-8 bytes of valid UTF-8 (a lone surrogate becomes
    the text `\\udcff`), with a visible marker when cut: the guest's `runtime.caps.clip`, the
    one implementation, applied on the host to every message that reaches a result."""
    if isinstance(text, str) and type(text) is not str:
        text = str.__str__(text)  # an exact str (caps.clip refuses subclasses)
    return str(_caps.clip(text, limit))


def exception_text(exc: BaseException, limit: int) -> str:
    """`Type: message` of an exception, capped; never raises (a `__str__` that raises or
    returns something odd gives the type name alone)."""
    name = type(exc).__name__
    try:
        message = str(exc)
    except Exception:
        message = ""
    if not isinstance(message, str):
        message = ""
    return clip_text(f"{name}: {message}" if message else name, limit)
