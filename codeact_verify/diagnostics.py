"""What the verifier says about a program: diagnostics, effects and the report that holds them."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from .checked import CheckedProgram

Severity = Literal["error", "warning"]

# Columns in JSON (and text) are 1-based; the dataclasses hold 0-based offsets, as `ast` gives.
JSON_COLUMN_BASE = 1


@dataclass(frozen=True)
class Diagnostic:
    """One problem at one place.

    In Python, `line` is 1-based and `col` 0-based (a character offset, like `ast`), with `end_col`
    exclusive. Every output a person or a script reads is 1-based in both (text, `to_dict`,
    JSON), as editors and compilers count: `col` is the first character's column and `end_col`
    the column just after the last one (`JSON_COLUMN_BASE`).
    """

    code: str
    rule: str
    message: str
    line: int
    col: int
    end_line: int | None = None
    end_col: int | None = None
    hint: str | None = None
    severity: Severity = "error"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "line": self.line,
            "col": self.col + JSON_COLUMN_BASE,
            "end_line": self.end_line if self.end_line is not None else self.line,
            "end_col": (self.end_col if self.end_col is not None else self.col) + JSON_COLUMN_BASE,
            "hint": self.hint,
        }

    def render_for_model(self) -> str:
        text = f"line {self.line}, col {self.col + 1}: {self.code} {self.message}"
        if self.hint:
            text += f" Hint: {self.hint}"
        return text


@dataclass(frozen=True)
class CallSite:
    """Where a program may call a tool (`col` 0-based here, 1-based in `to_dict`)."""

    line: int
    col: int
    in_loop: bool = False
    in_function: bool = False
    # the tool's name is used as a value here (``f = t``, ``map(t, xs)``): it may be called
    # through that value any number of times (``in_loop`` is then True too)
    passed_as_value: bool = False

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["col"] = self.col + JSON_COLUMN_BASE
        return out


@dataclass(frozen=True)
class Effect:
    """A tool the program may call, and every place it may do so."""

    tool: str
    sites: tuple[CallSite, ...] = ()

    @property
    def in_loop(self) -> bool:
        return any(site.in_loop for site in self.sites)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "in_loop": self.in_loop,
            "sites": [site.to_dict() for site in self.sites],
        }

    def describe(self) -> str:
        where = ", ".join(
            f"line {s.line}"
            + (
                " (used as a value: may be called any number of times)"
                if s.passed_as_value
                else " (in a loop)" if s.in_loop else ""
            )
            for s in self.sites
        )
        return f"{self.tool}: {where}" if where else self.tool


@dataclass(frozen=True)
class Report:
    """The verdict on one program: `ok` is True only when no error-severity diagnostic exists."""

    diagnostics: tuple[Diagnostic, ...] = ()
    effects: tuple[Effect, ...] = ()
    source: str = field(default="", repr=False)
    # The program as the verifier parsed it (codeact_verify/checked.py), so the transpiler and
    # the host reuse its tree instead of parsing again; None when it did not parse. Not part of
    # the verdict: not compared, not serialised.
    program: CheckedProgram | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "effects": [e.to_dict() for e in self.effects],
        }

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), **kwargs)

    def render_for_model(self) -> str:
        """Compact text for the model: one line per problem, so it can fix all of them at once."""
        if self.ok and not self.diagnostics:
            return "Verified: no problems."
        head = "Rejected before running" if not self.ok else "Accepted with warnings"
        lines = [f"{head} ({len(self.diagnostics)} problem(s)):"]
        lines += [f"- {d.render_for_model()}" for d in self.diagnostics]
        return "\n".join(lines)

    def render_for_human(self, filename: str = "<program>") -> str:
        """Rich text for a person: each problem with its source line and a caret under it."""
        if not self.diagnostics:
            return f"{filename}: ok"
        source_lines = self.source.splitlines()
        out: list[str] = []
        for d in self.diagnostics:
            where = f"{filename}:{d.line}:{d.col + 1}"
            out.append(f"{where}: {d.severity} {d.code} [{d.rule}] {d.message}")
            if 1 <= d.line <= len(source_lines):
                text = source_lines[d.line - 1]
                out.append(f"    {text}")
                width = 1
                if d.end_line == d.line and d.end_col is not None and d.end_col > d.col:
                    width = d.end_col - d.col
                out.append("    " + " " * min(d.col, len(text)) + "^" * max(1, width))
            if d.hint:
                out.append(f"    hint: {d.hint}")
        verdict = "rejected" if not self.ok else "accepted"
        out.append(f"{filename}: {verdict}, {len(self.diagnostics)} diagnostic(s)")
        return "\n".join(out)
