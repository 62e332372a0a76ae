"""What a benchmark task is: a prompt, the facts a correct answer must state, and two transcripts.

`facts()` computes the expected values by calling the tools directly in Python (the reference
solution), so the expected answer is never typed in by hand. `check(text)` lists the facts that a
final answer (or a program's output) fails to state; numbers match within `tolerance`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Fact = str | int | float | re.Pattern[str]
"""A string that must appear (case-insensitive), a number that must appear (within tolerance),
or a pattern that must match somewhere (`near("high", 3)` builds one)."""

ANSWERS: dict[str, str] = {
    key: entry["answer"]
    for key, entry in tomllib.loads(
        (Path(__file__).with_name("answers.toml")).read_text(encoding="utf-8")
    ).items()
}
"""The final answer text of each task, by task id (bench/tasks/answers.toml)."""

KINDS = ("lookup", "computation", "wrangling", "report")

_NUMBER = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?")


@dataclass(frozen=True)
class Call:
    """One tool call of the classic tool-calling transcript."""

    name: str
    arguments: Mapping[str, Any]


def call(name: str, **arguments: Any) -> Call:
    """Shorthand for a `Call`."""
    return Call(name, arguments)


def near(label: str, number: int) -> re.Pattern[str]:
    """A fact: `label` and `number` close together, in either order ("high: 3", "3 high")."""
    lab, num = re.escape(label), rf"(?<![\d.]){number}(?![\d]|\.\d)"
    return re.compile(rf"{lab}\W{{0,20}}{num}|{num}\W{{0,20}}{lab}", re.IGNORECASE)


def numbers_in(text: str) -> list[float]:
    """Every number written in `text` (thousands separators allowed)."""
    out = []
    for match in _NUMBER.finditer(text):
        try:
            out.append(float(match.group().replace(",", "")))
        except ValueError:
            continue
    return out


def missing_facts(text: str, facts: list[Fact], tolerance: float = 0.01) -> list[str]:
    """The facts `text` does not state, rendered for a message (empty: the answer is correct)."""
    lowered = text.lower()
    numbers = numbers_in(text)
    missing = []
    for fact in facts:
        if isinstance(fact, re.Pattern):
            if not fact.search(text):
                missing.append(fact.pattern)
        elif isinstance(fact, str):
            if fact.lower() not in lowered:
                missing.append(repr(fact))
        elif not any(abs(n - float(fact)) <= tolerance for n in numbers):
            missing.append(repr(fact))
    return missing


@dataclass(frozen=True)
class Task:
    """One benchmark task.

    program: the CodeAct program (one `execute_code` call); codeact_answer: the model's final text
    after seeing the program's output. classic_turns: one tuple of tool calls per model turn (a turn
    with several calls uses parallel tool calls); classic_answer: the final text of that strategy.
    """

    id: str
    kind: str
    prompt: str
    solve: Callable[[], list[Fact]]
    program: str
    codeact_answer: str
    classic_turns: tuple[tuple[Call, ...], ...]
    classic_answer: str
    tolerance: float = 0.01
    side_effects: tuple[str, ...] = field(default=())

    def facts(self) -> list[Fact]:
        return self.solve()

    def check(self, text: str) -> list[str]:
        """The expected facts missing from `text` (empty: correct)."""
        return missing_facts(text, self.facts(), self.tolerance)

    @property
    def classic_tool_calls(self) -> int:
        return sum(len(turn) for turn in self.classic_turns)
