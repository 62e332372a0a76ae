"""An audit log of executions: one JSON object per execution, as JSON lines when a path is given.

Each entry holds the code, the verifier's report, the approval (if one was asked), the tool calls
with their arguments and results, the outcome and the timings.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .approval import ApprovalDecision, ApprovalRequest
    from .executor import Execution


def _default(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        return value.to_dict()
    return repr(value)


class RunLog:
    """Keeps entries in memory (`entries`) and appends them as JSON lines to `path` or `stream`."""

    def __init__(
        self, path: str | Path | None = None, *, stream: IO[str] | None = None, keep: bool = True
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.stream = stream
        self.keep = keep
        self.entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def record(
        self,
        execution: Execution,
        *,
        approval: tuple[ApprovalRequest, ApprovalDecision] | None = None,
    ) -> dict[str, Any]:
        outcome = execution.to_dict(results=True)
        entry: dict[str, Any] = {
            "id": uuid.uuid4().hex,
            "time": time.time(),
            "code": execution.code,
            "report": execution.report.to_dict() if execution.report is not None else None,
            "approval": None
            if approval is None
            else {
                "request": approval[0].to_dict(),
                "approved": approval[1].approved,
                "reason": approval[1].reason,
            },
            "tool_calls": outcome["tool_calls"],
            "outcome": {
                "ok": outcome["ok"],
                "error": outcome["error"],
                "stdout": outcome["stdout"],
                "stderr": outcome["stderr"],
            },
            "timings": outcome["timings"],
        }
        line = json.dumps(entry, default=_default, ensure_ascii=False)
        with self._lock:
            if self.keep:
                self.entries.append(entry)
            if self.path is not None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as fh:
                    fh.write(line + "\n")
            if self.stream is not None:
                self.stream.write(line + "\n")
                self.stream.flush()
        return entry
