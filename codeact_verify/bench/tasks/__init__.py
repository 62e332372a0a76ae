"""The agent benchmark's tasks over the fixed tool set in `codeact_verify.bench.tasks.tools`."""

from __future__ import annotations

from codeact_verify.bench.tasks import computation, lookups, reports, wrangling
from codeact_verify.bench.tasks.misuse import MISUSE
from codeact_verify.bench.tasks.model import KINDS, Call, Fact, Task, call, missing_facts
from codeact_verify.bench.tasks.tools import TOOLS

ALL_TASKS: list[Task] = [
    *lookups.TASKS,
    *computation.TASKS,
    *wrangling.TASKS,
    *reports.TASKS,
]

__all__ = ["ALL_TASKS", "KINDS", "MISUSE", "TOOLS", "Call", "Fact", "Task", "call", "missing_facts"]
