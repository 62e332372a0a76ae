"""Verify, then transpile, then run in the sandbox. Nothing runs when verification fails.

`execute()` (async) and `execute_sync()` are the single entry point for running a model's
program; the `CodeAct` facade, the HTTP service and the `run` command all come through here.
"""

from __future__ import annotations

import inspect
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .aio import run_detached
from .diagnostics import Report
from .tools import ToolSpec

if TYPE_CHECKING:
    from .grammar import Grammar
    from .host import ExecutionResult, Sandbox
    from .host.sandbox import RunAhead

# Approval gate: called with the report of an accepted program; returns None to go on, or the
# message explaining why the program must not run (then nothing runs, error kind "denied").
# Going on approves, for this run, the approval-requiring tools listed in the report's effects;
# the host refuses a call of any other approval-requiring tool. A gate that always lets a
# program go on when it calls no tool says so with an attribute, `gate.tool_free_passes =
# True`: such a program may then start in the sandbox while mypy checks it (see
# `_Steps.prepare`), as it may with no gate at all.
Gate = Callable[[Report], "str | Awaitable[str | None] | None"]


@dataclass
class Execution:
    """One execution: the verifier's report (None when verification was skipped) and the result.

    It reads like the sandbox's `ExecutionResult` (`ok`, `stdout`, `stderr`, `error`,
    `tool_calls`, `artifacts`, `duration_ms`, `timings`) and adds `report`.
    """

    result: ExecutionResult
    report: Report | None = None
    code: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.result.ok)

    @property
    def stdout(self) -> str:
        return self.result.stdout

    @property
    def stderr(self) -> str:
        return self.result.stderr

    @property
    def error(self) -> Any:
        return self.result.error

    @property
    def tool_calls(self) -> list[Any]:
        return list(self.result.tool_calls)

    @property
    def artifacts(self) -> list[Any]:
        return list(getattr(self.result, "artifacts", []) or [])

    @property
    def duration_ms(self) -> float:
        return float(self.timings.get("total_ms", self.result.duration_ms))

    @property
    def final_answer(self) -> str | None:
        """The text the program gave through `final_answer(text)` (None when it gave none)."""
        answer = getattr(self.result, "final_answer", None)
        return answer if isinstance(answer, str) else None

    @property
    def is_final(self) -> bool:
        """True when the program ran to the end and gave its final answer."""
        return self.ok and self.final_answer is not None

    @property
    def rejected(self) -> bool:
        return self.error is not None and self.error.kind == "rejected"

    def to_dict(self, *, results: bool = False) -> dict[str, Any]:
        """The `run --json` shape: ok, stdout, error, tool_calls, diagnostics, duration_ms.

        `results=True` also keeps each tool call's arguments' results and errors (for the run log).
        """
        calls = []
        for call in self.tool_calls:
            item: dict[str, Any] = {"name": call.name, "arguments": call.arguments, "ok": call.ok}
            if results:
                item["result"] = call.result
                item["error"] = call.error
                item["duration_ms"] = call.duration_ms
            calls.append(item)
        error = self.error
        return {
            "ok": self.ok,
            "stdout": self.stdout,
            "stderr": self.stderr,
            "error": None
            if error is None
            else {"kind": error.kind, "message": error.message, "line": error.line},
            "tool_calls": calls,
            "diagnostics": [d.to_dict() for d in self.report.diagnostics] if self.report else [],
            "effects": [e.to_dict() for e in self.report.effects] if self.report else [],
            "duration_ms": round(self.duration_ms, 3),
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "final_answer": self.final_answer,
        }


def _resolve_grammar(grammar: Grammar | str | Path) -> Grammar:
    from .grammar import Grammar, load_grammar

    return grammar if isinstance(grammar, Grammar) else load_grammar(grammar)


def _not_run(kind: str, message: str, line: int | None, ms: float) -> ExecutionResult:
    from .host import ExecutionError, ExecutionResult

    return ExecutionResult(
        ok=False,
        stdout="",
        stderr="",
        error=ExecutionError(kind=kind, message=message, line=line),
        tool_calls=[],
        artifacts=[],
        duration_ms=ms,
        timings={},
    )


def rejection_message(report: Report) -> str:
    """One-line summary of why the verifier rejected a program."""
    errors = report.errors
    first = errors[0] if errors else None
    if first is None:
        return "rejected by the verifier"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{first.code} {first.message}{more}"


def check(
    code: str,
    specs: Mapping[str, ToolSpec],
    *,
    grammar: Grammar | str | Path = "default",
    types: bool = True,
) -> Report:
    """The verifier's report on `code` (static only; never raises on any code input)."""
    from .verifier import verify

    return verify(code, specs, grammar=grammar, types=types)


def _runtime_policy(grammar: Grammar) -> dict[str, Any]:
    """The grammar's runtime policy, built once per grammar (a Grammar is frozen); the sandbox
    only reads it."""
    policy = _POLICIES.get(grammar)
    if policy is None:
        policy = grammar.runtime_policy()
        _POLICIES[grammar] = policy
    return policy


_POLICIES: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


class _Steps:
    """One execution's steps around the sandbox run, shared by `execute` and `execute_sync`."""

    def __init__(
        self, code: str, specs: Mapping[str, ToolSpec], grammar: Grammar | str | Path
    ) -> None:
        self.started = time.perf_counter()
        self.code = code
        self.specs = specs
        self.timings: dict[str, float] = {}
        self.grammar = _resolve_grammar(grammar)
        self.report: Report | None = None
        # the transpiled program, made while mypy checked the code (`prepare`), and its run
        # when it started ahead of the check's answer (`Sandbox.run_ahead`)
        self.prepared: str | None = None
        self.ahead: RunAhead | None = None
        self.may_run_ahead = False

    def _stop(self, result: ExecutionResult) -> Execution:
        self.timings["total_ms"] = (time.perf_counter() - self.started) * 1000
        return Execution(result=result, report=self.report, code=self.code, timings=self.timings)

    def verify(
        self,
        report: Report | None,
        types: bool,
        sandbox: Any = None,
        gate: Any = None,
        run_ahead: bool = False,
    ) -> Execution | None:
        """None to go on, or the execution of a rejected program (nothing ran that anyone
        sees). With a ``sandbox``, the run is prepared while mypy checks the program
        (`prepare`); with ``run_ahead``, a program that names no tool may start then, when
        the ``gate`` (if any) lets such programs pass (`Gate`)."""
        self.may_run_ahead = run_ahead and (
            gate is None or getattr(gate, "tool_free_passes", False) is True
        )
        try:
            return self._verify(report, types, sandbox)
        except BaseException:
            self.cancel_ahead()
            raise

    def cancel_ahead(self) -> None:
        ahead, self.ahead = self.ahead, None
        if ahead is not None:
            ahead.cancel()

    def _verify(self, report: Report | None, types: bool, sandbox: Any) -> Execution | None:
        if report is not None and report.source != self.code:
            # a report of another text is not a report of this one (red-team finding red3/03):
            # verify the code that runs
            report = None
        if report is None:
            t0 = time.perf_counter()
            if types and getattr(sandbox, "host_restrict", False) is True:
                from .typecheck import while_checking

                with while_checking(lambda checked, known: self.prepare(checked, known, sandbox)):
                    report = check(self.code, self.specs, grammar=self.grammar, types=types)
            else:
                report = check(self.code, self.specs, grammar=self.grammar, types=types)
            self.timings["verify_ms"] = (time.perf_counter() - t0) * 1000
        self.report = report
        if report.ok:
            if self.code.startswith("\ufeff") and report.source == self.code[1:]:
                # the verifier checked the text without its byte-order mark, which the guest's
                # compile() of a str refuses: that text is what runs (red13/63)
                self.code = report.source
            return None
        self.cancel_ahead()  # rejected: its run ahead, if any, is stopped and never read
        first = report.errors[0] if report.errors else None
        result = _not_run(
            "rejected",
            rejection_message(report),
            first.line if first else None,
            (time.perf_counter() - self.started) * 1000,
        )
        return self._stop(result)

    def denied(self, verdict: str, t0: float) -> Execution:
        self.timings["approval_ms"] = (time.perf_counter() - t0) * 1000
        return self._stop(_not_run("denied", verdict, None, 0.0))

    def approved(self, approved_tools: Iterable[str] | None, t0: float) -> Iterable[str]:
        """The gate let the program run: the tools it may call that need approval (those the
        caller named, else the report's effects)."""
        self.timings["approval_ms"] = (time.perf_counter() - t0) * 1000
        if approved_tools is not None:
            return approved_tools
        from .approval import tools_needing_approval

        assert self.report is not None
        return tools_needing_approval(self.report, self.specs)

    def prepare(self, checked: Any, known: tuple[Any, ...], sandbox: Any) -> None:
        """While mypy checks the program in its own process (`typecheck.while_checking`):
        transpile it and make the host's restricted transform of the result, which the run then
        takes (`Sandbox.prepare`). Nothing runs; a program the check rejects leaves an unused
        transform behind (dropped after a few more). Only for a program with no error so far."""
        if any(d.severity == "error" for d in known):
            return
        if not checked.serves(self.code, self.specs) or checked.index is None:
            # not this text's (the verifier dropped a BOM: red13/62) or its tree is gone:
            # transpiling would parse again, under a lock this must not wait for
            return
        # the verifier's own tree goes to the restricted transform, as after the verdict (the
        # type check reads it no more once its request is sent: `typecheck._typecheck`)
        program = transpile_to_run(self.code, self.specs, checked, sandbox)
        self.prepared = program
        if self.may_run_ahead and callable(getattr(sandbox, "run_ahead", None)):
            self.ahead = sandbox.run_ahead(program, self.specs, self.policy())
        else:
            sandbox.prepare(program, self.specs, self.policy())

    def transpile(self, sandbox: Any) -> str:
        assert self.report is not None
        t0 = time.perf_counter()
        if self.prepared is not None:  # transpiled while mypy checked it, from the same tree
            program = self.prepared
        else:
            program = transpile_to_run(self.code, self.specs, self.report.program, sandbox)
        self.timings["transpile_ms"] = (time.perf_counter() - t0) * 1000
        return program

    def policy(self) -> dict[str, Any]:
        return _runtime_policy(self.grammar)

    def ran_ahead(self, result: ExecutionResult | None) -> ExecutionResult | None:
        """The result of the run ahead (None: there was none, or it must run again)."""
        if result is not None:
            self.timings["ran_ahead"] = 1.0
        return result

    def finish(self, result: ExecutionResult, t0: float) -> Execution:
        self.timings["sandbox_ms"] = (time.perf_counter() - t0) * 1000
        for key, value in (getattr(result, "timings", None) or {}).items():
            self.timings.setdefault(f"sandbox.{key}", float(value))
        return self._stop(result)


async def execute(
    code: str,
    specs: Mapping[str, ToolSpec],
    *,
    grammar: Grammar | str | Path = "default",
    sandbox: Sandbox,
    types: bool = True,
    verified: bool = True,
    report: Report | None = None,
    gate: Gate | None = None,
    approved_tools: Iterable[str] | None = None,
    run_ahead: bool = True,
) -> Execution:
    """Verify `code`, transpile it, and run it in `sandbox`.

    - `verified=False` skips the verifier and the transpiler (the sandbox alone contains the code).
    - `report`: a report already computed for this exact code (it is not verified again; a
      report whose `source` is another text is ignored and the code is verified).
    - `gate`: called with the report of an accepted program before anything runs (approvals).
    - `approved_tools`: the tools whose own approval_mode is "always_require" that this run may
      call (the host refuses the others, error kind "denied"). None: those the gate approved
      (the report's effects), or none when there is no gate or the verifier is skipped.
    Error kinds beyond the sandbox's: "rejected" (verifier said no, diagnostics in `report`),
    "denied" (the gate said no). In both cases no tool is called and no guest code runs. The
    sandbox's own "denied": the program called an approval-requiring tool not approved for this
    run (that call was refused; earlier calls and output stand).
    - `run_ahead`: a program that names no tool, no file and no HTTP helper may start in the
      sandbox once every grammar rule and tool check has passed, while mypy still checks its
      types (`Sandbox.run_ahead`: no output directory, no writable mount); its result is used
      only if the types pass, and it is stopped at once if they do not. False: nothing starts
      before the whole verdict.
    """
    steps = _Steps(code, specs, grammar)
    program = code
    try:
        if verified:
            stopped = steps.verify(report, types, sandbox, gate, run_ahead)
            if stopped is not None:
                return stopped
            assert steps.report is not None
            if gate is not None:
                t0 = time.perf_counter()
                verdict = gate(steps.report)
                if inspect.isawaitable(verdict):
                    verdict = await verdict
                if verdict is not None:
                    return steps.denied(str(verdict), t0)
                approved_tools = steps.approved(approved_tools, t0)
            program = steps.transpile(sandbox)
        t0 = time.perf_counter()
        ahead, steps.ahead = steps.ahead, None
        result = steps.ran_ahead(await ahead.result_async()) if ahead is not None else None
        if result is None:
            result = await sandbox.run(
                program, specs, policy=steps.policy(), approved_tools=approved_tools or ()
            )
        return steps.finish(result, t0)
    finally:
        steps.cancel_ahead()


def transpile_to_run(code: str, specs: Mapping[str, ToolSpec], program: Any, sandbox: Any) -> str:
    """The program to run: ``code`` transpiled, from the verifier's own tree (``program``, the
    report's `CheckedProgram`) when it has one for this code. That tree, rewritten as the text
    was, goes on to the host's restricted transform (`host.precompile.hand_over`), so the run
    parses the program once."""
    from .transpile import transpile, transpile_for_run

    if getattr(sandbox, "host_restrict", False) is not True:
        # a host that does not do the restricted transform itself would never take the tree
        return transpile(code, specs, program=program).code
    result, tree = transpile_for_run(code, specs, program)
    if tree is not None:
        from .host.precompile import hand_over

        hand_over(result.code, tree)
    return result.code


async def _awaited(value: Awaitable[Any]) -> Any:
    return await value


def execute_sync(
    code: str,
    specs: Mapping[str, ToolSpec],
    *,
    grammar: Grammar | str | Path = "default",
    sandbox: Sandbox,
    types: bool = True,
    verified: bool = True,
    report: Report | None = None,
    gate: Gate | None = None,
    approved_tools: Iterable[str] | None = None,
    run_ahead: bool = True,
) -> Execution:
    """Blocking `execute()` (for the CLI and other sync callers; not from inside an event loop).

    The steps run here and the sandbox runs through `Sandbox.run_sync` (no loop to start and
    close per call). Async tools run on an event loop of the run's own thread, never on this
    one, so one that blocks its loop (a blocking call inside `async def`) cannot hold the
    caller past the time limit (red10/41). A gate may still answer with an awaitable (an async
    approval callback): only then is a loop started here, for it alone.
    """
    steps = _Steps(code, specs, grammar)
    program = code
    try:
        if verified:
            stopped = steps.verify(report, types, sandbox, gate, run_ahead)
            if stopped is not None:
                return stopped
            assert steps.report is not None
            if gate is not None:
                t0 = time.perf_counter()
                verdict = gate(steps.report)
                if inspect.isawaitable(verdict):
                    verdict = run_detached(_awaited(verdict))
                if verdict is not None:
                    return steps.denied(str(verdict), t0)
                approved_tools = steps.approved(approved_tools, t0)
            program = steps.transpile(sandbox)
        t0 = time.perf_counter()
        ahead, steps.ahead = steps.ahead, None
        result = steps.ran_ahead(ahead.result()) if ahead is not None else None
        if result is None:
            result = sandbox.run_sync(
                program, specs, policy=steps.policy(), approved_tools=approved_tools or ()
            )
        return steps.finish(result, t0)
    finally:
        steps.cancel_ahead()
