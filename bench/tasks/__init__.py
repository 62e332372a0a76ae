"""The agent benchmark's tasks over the fixed tool set in `bench.tasks.tools`."""

from __future__ import annotations

from bench.tasks import computation, lookups, reports, wrangling
from bench.tasks.misuse import MISUSE
from bench.tasks.model import KINDS, Call, Fact, Task, call, missing_facts
from bench.tasks.tools import TOOLS

ALL_TASKS: list[Task] = [
    *lookups.TASKS,
    *computation.TASKS,
    *wrangling.TASKS,
    *reports.TASKS,
]

__all__ = ["ALL_TASKS", "KINDS", "MISUSE", "TOOLS", "Call", "Fact", "Task", "call", "missing_facts"]
