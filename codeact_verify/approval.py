"""Approvals: which code blocks need a person's yes before they run, and asking for it.

A block needs approval when the CodeAct approval mode is "always_require", or when the verifier's
effects show that it may call a tool whose own `approval_mode` is "always_require" (a tool used as
a value, `f = t` or `map(t, xs)`, is an effect too). The host enforces the same rule where tools
are called: an approved run may call only the approval-requiring tools its effects listed.
The request shows the code and the effects (which tools, on which lines, whether in a loop). The
host answers through a callback, sync or async, returning a bool or an `ApprovalDecision`.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .diagnostics import Effect, Report
from .tools import ToolSpec

ApprovalMode = Literal["never_require", "always_require"]


@dataclass(frozen=True)
class ApprovalDecision:
    approved: bool
    reason: str | None = None


@dataclass(frozen=True)
class ApprovalRequest:
    """What the approver sees: the code, its effects and why approval is needed."""

    code: str
    effects: tuple[Effect, ...]
    reasons: tuple[str, ...]
    tools_requiring_approval: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "effects": [e.to_dict() for e in self.effects],
            "reasons": list(self.reasons),
            "tools_requiring_approval": list(self.tools_requiring_approval),
        }

    def render(self) -> str:
        """Text for a person: why, the effects, and the numbered code."""
        lines = ["Approval needed: " + "; ".join(self.reasons)]
        if self.effects:
            lines.append("This code may call:")
            lines += [f"  - {e.describe()}" for e in self.effects]
        else:
            lines.append("This code calls no tools.")
        lines.append("Code:")
        width = len(str(max(1, self.code.count("\n") + 1)))
        lines += [f"  {n:>{width}} | {text}" for n, text in enumerate(self.code.splitlines(), 1)]
        return "\n".join(lines)


ApprovalCallback = Callable[
    [ApprovalRequest], "bool | ApprovalDecision | Awaitable[bool | ApprovalDecision]"
]


def tools_needing_approval(report: Report, specs: Mapping[str, ToolSpec]) -> tuple[str, ...]:
    """The tools in the report's effects whose own approval_mode is "always_require"."""
    return tuple(
        effect.tool
        for effect in report.effects
        if (spec := specs.get(effect.tool)) is not None and spec.approval_mode == "always_require"
    )


def approval_request(
    code: str,
    report: Report,
    specs: Mapping[str, ToolSpec],
    mode: ApprovalMode = "never_require",
) -> ApprovalRequest | None:
    """The request for this accepted program, or None when it may run without asking."""
    reasons: list[str] = []
    if mode == "always_require":
        reasons.append('approval_mode is "always_require" for every code block')
    needing = tools_needing_approval(report, specs)
    if needing:
        reasons.append("it may call " + ", ".join(needing) + ", which require(s) approval")
    if not reasons:
        return None
    return ApprovalRequest(
        code=code,
        effects=tuple(report.effects),
        reasons=tuple(reasons),
        tools_requiring_approval=needing,
    )


async def ask(callback: ApprovalCallback | None, request: ApprovalRequest) -> ApprovalDecision:
    """The approver's answer. With no callback configured, the answer is no."""
    if callback is None:
        return ApprovalDecision(False, "approval is required but no approver is configured")
    answer = callback(request)
    if inspect.isawaitable(answer):
        answer = await answer
    if isinstance(answer, ApprovalDecision):
        return answer
    return ApprovalDecision(bool(answer))


def denial_message(request: ApprovalRequest, decision: ApprovalDecision) -> str:
    """What the model reads when a block was not approved."""
    why = "; ".join(request.reasons)
    text = f"Approval denied, so nothing ran (approval was needed because {why})."
    if decision.reason:
        text += f" Reason: {decision.reason}."
    return text + " Do not retry the same code unless the user asks."
