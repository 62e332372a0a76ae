"""`CodeAct`: what an agent developer uses. Verify, approve, run; instructions and the tool.

```python
codeact = CodeAct(tools=[get_weather], approval_mode="never_require")
report = codeact.verify(code)            # static only
result = await codeact.execute(code)     # verify -> approve -> transpile -> sandbox
codeact.instructions                     # system-prompt text
codeact.execute_code_tool                # the tool an agent loop registers
```
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import execute_code as ec
from . import executor
from .approval import (
    ApprovalCallback,
    ApprovalDecision,
    ApprovalMode,
    ApprovalRequest,
    approval_request,
    ask,
    denial_message,
)
from .diagnostics import Report
from .errors import CodeActError
from .instructions import EXECUTE_CODE_DESCRIPTION, build_instructions
from .runlog import RunLog
from .tools import ToolLike, ToolSpec, tool_specs

if TYPE_CHECKING:
    from .executor import Execution
    from .grammar import Grammar
    from .host import Limits, Mount, Sandbox

_MODES = ("never_require", "always_require")


def _as_mount(value: Any) -> Mount:
    from .host import Mount

    if isinstance(value, Mount):
        return value
    if isinstance(value, str):
        return Mount.parse(value)
    if isinstance(value, tuple) and len(value) in (2, 3):
        return Mount(Path(value[0]), str(value[1]), *(value[2:]))
    raise CodeActError(f"cannot use {value!r} as a mount; use Mount(...) or 'HOST:GUEST[:ro|:rw]'")


class ExecuteCodeTool:
    """The `execute_code` tool: name, description, JSON schema and handler.

    `await tool(arguments)` takes the raw arguments (a JSON string or a mapping) and returns the
    compact text for the model; `await tool.run(arguments)` also returns the `Execution` (None when
    the arguments were unusable and nothing ran).
    """

    name = ec.TOOL_NAME

    def __init__(self, codeact: CodeAct) -> None:
        self._codeact = codeact

    @property
    def description(self) -> str:
        return EXECUTE_CODE_DESCRIPTION

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(ec.PARAMETERS)

    def openai_tool(self) -> dict[str, Any]:
        return ec.openai_tool(self.description)

    async def run(
        self, arguments: Any, *, approved: bool | None = None, report: Report | None = None
    ) -> tuple[str, Execution | None]:
        code = ec.parse_arguments(arguments, max_code_bytes=self._codeact.max_code_bytes)
        if isinstance(code, ec.BadArguments):
            return code.message, None
        if report is not None and report.source and report.source != code:
            report = None
        execution = await self._codeact.execute(code, approved=approved, report=report)
        return ec.render_result(execution), execution

    async def __call__(self, arguments: Any) -> str:
        return (await self.run(arguments))[0]

    def call_sync(self, arguments: Any) -> str:
        return _run_blocking(self(arguments))


def _run_blocking(coro: Any) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    coro.close()
    raise CodeActError("called a blocking CodeAct method inside an event loop; await the async one")


class CodeAct:
    """Verified CodeAct over a set of tools.

    - `approval_mode="always_require"` asks `approval_callback` before every block runs; with
      "never_require" only blocks that may call a tool whose own `approval_mode` is
      "always_require" (known from the verifier's effects) are asked about.
    - Tools, mounts and allowed domains may change between runs; `instructions` follow.
    - `run_log`: a `RunLog`, or a path to append JSON lines to.
    - `grammar_detail`: "compact" (default) puts what the subset forbids in the instructions;
      "full" puts `Grammar.describe()` there as is (everything allowed too; ~600 more tokens).
    - `one_turn_answers=True`: the instructions tell the model to end a program that can state
      the whole answer with `final_answer(text)`; an execution that does so has
      `execution.final_answer` set (and `execution.is_final` true), and the agent loops
      (`CodeActAgent`, the Agent Framework provider) end with that text as the reply, without
      another model turn.
    """

    def __init__(
        self,
        tools: Iterable[ToolLike] | Mapping[str, ToolSpec] | None = None,
        *,
        approval_mode: ApprovalMode = "never_require",
        grammar: Grammar | str | Path = "default",
        limits: Limits | None = None,
        mounts: Sequence[Mount | str] = (),
        allowed_domains: Sequence[str] = (),
        approval_callback: ApprovalCallback | None = None,
        run_log: RunLog | str | Path | None = None,
        types: bool = True,
        output_dir: Path | None = None,
        pool_size: int = 1,
        grammar_detail: str = "compact",
        one_turn_answers: bool = False,
    ) -> None:
        if approval_mode not in _MODES:
            raise CodeActError(f"approval_mode must be one of {_MODES}, not {approval_mode!r}")
        from .grammar import load_grammar

        self.approval_mode: ApprovalMode = approval_mode
        self.approval_callback = approval_callback
        self.grammar = load_grammar(grammar) if isinstance(grammar, str | Path) else grammar
        self.limits = limits
        self.types = types
        self.output_dir = output_dir
        self.pool_size = pool_size
        self.grammar_detail = grammar_detail
        self.one_turn_answers = one_turn_answers
        self.run_log = (
            run_log if isinstance(run_log, RunLog) or run_log is None else RunLog(run_log)
        )
        self._lock = threading.RLock()
        self._tools: dict[str, ToolSpec] = {}
        self._mounts: dict[str, Mount] = {}
        self._domains: list[str] = []
        self._sandbox: Sandbox | None = None
        self.execute_code_tool = ExecuteCodeTool(self)
        self.add_tools(tools or ())
        self.add_mounts(mounts)
        self.add_allowed_domains(allowed_domains)

    # --- tools, mounts, domains -------------------------------------------------------------
    @property
    def tools(self) -> dict[str, ToolSpec]:
        with self._lock:
            return dict(self._tools)

    def add_tools(self, tools: Iterable[ToolLike] | Mapping[str, ToolSpec] | ToolLike) -> None:
        """Add tools (callables or ToolSpecs); a tool with an existing name replaces it."""
        if isinstance(tools, ToolSpec) or (callable(tools) and not isinstance(tools, Mapping)):
            tools = [tools]  # type: ignore[list-item]
        new = tool_specs(tools)  # type: ignore[arg-type]
        with self._lock:
            self._tools.update(new)

    def remove_tool(self, name: str) -> None:
        with self._lock:
            if name not in self._tools:
                raise KeyError(f"no tool named {name!r}")
            del self._tools[name]

    def clear_tools(self) -> None:
        with self._lock:
            self._tools.clear()

    @property
    def mounts(self) -> list[Mount]:
        with self._lock:
            return list(self._mounts.values())

    def add_mounts(self, mounts: Sequence[Mount | str] | Mount | str) -> None:
        """Add mounts (`Mount` or "HOST:GUEST[:ro|:rw]"); same guest path replaces."""
        items = [mounts] if isinstance(mounts, str) or not isinstance(mounts, Sequence) else mounts
        parsed = [_as_mount(m) for m in items]
        with self._lock:
            for mount in parsed:
                self._mounts[mount.guest_dir] = mount
            if parsed:
                self._reset_sandbox()

    def remove_mount(self, guest_dir: str) -> None:
        with self._lock:
            if guest_dir not in self._mounts:
                raise KeyError(f"no mount at {guest_dir!r}")
            del self._mounts[guest_dir]
            self._reset_sandbox()

    @property
    def allowed_domains(self) -> list[str]:
        with self._lock:
            return list(self._domains)

    def add_allowed_domains(self, domains: Sequence[str] | str) -> None:
        items = [domains] if isinstance(domains, str) else list(domains)
        with self._lock:
            added = [d for d in items if d not in self._domains]
            self._domains.extend(added)
            if added:
                self._reset_sandbox()

    def remove_allowed_domain(self, domain: str) -> None:
        with self._lock:
            if domain not in self._domains:
                raise KeyError(f"{domain!r} is not an allowed domain")
            self._domains.remove(domain)
            self._reset_sandbox()

    # --- what the model sees ----------------------------------------------------------------
    @property
    def instructions(self) -> str:
        with self._lock:
            return build_instructions(
                self._tools,
                self.grammar,
                mounts=list(self._mounts.values()),
                allowed_domains=list(self._domains),
                grammar_detail=self.grammar_detail,
                final_answer=self.one_turn_answers,
            )

    @property
    def max_code_bytes(self) -> int:
        limits = getattr(self.grammar, "limits", None)
        return int(getattr(limits, "max_bytes", 0) or ec.DEFAULT_MAX_CODE_BYTES)

    @property
    def requires_approval(self) -> bool:
        """True when some block could need approval (the mode, or a tool's own approval_mode)."""
        with self._lock:
            return self.approval_mode == "always_require" or any(
                s.approval_mode == "always_require" for s in self._tools.values()
            )

    # --- running ----------------------------------------------------------------------------
    def _reset_sandbox(self) -> None:
        if self._sandbox is not None:
            self._sandbox.close()
            self._sandbox = None

    def sandbox(self) -> Sandbox:
        """The sandbox for the current mounts and domains (made on first use)."""
        from .host import Limits, NetworkPolicy, Sandbox

        with self._lock:
            if self._sandbox is None:
                self._sandbox = Sandbox(
                    limits=self.limits or Limits(),
                    mounts=list(self._mounts.values()),
                    network=NetworkPolicy(allowed_domains=list(self._domains))
                    if self._domains
                    else None,
                    output_dir=self.output_dir,
                    pool_size=self.pool_size,
                )
            return self._sandbox

    def warm_up(self) -> None:
        """Load the type checker and the sandbox guest now, so the first execution is fast."""
        self.verify("print(1)\n")
        self.sandbox().warm_up()

    def verify(self, code: str) -> Report:
        """The verifier's report (static only; nothing runs)."""
        return executor.check(code, self.tools, grammar=self.grammar, types=self.types)

    def approval_request(self, code: str, report: Report | None = None) -> ApprovalRequest | None:
        """The approval request this code would raise, or None if it may run without one."""
        report = report if report is not None else self.verify(code)
        return approval_request(code, report, self.tools, self.approval_mode)

    async def execute(
        self, code: str, *, approved: bool | None = None, report: Report | None = None
    ) -> Execution:
        """Verify, ask for approval when needed, transpile and run.

        `approved=True` means the host already approved this exact code (e.g. through Agent
        Framework's approval flow) and the callback is not asked; `approved=False` denies it.
        `report`: the verifier's report for this exact code, when the caller already has it.
        """
        specs = self.tools
        asked: list[tuple[ApprovalRequest, ApprovalDecision]] = []

        async def gate(report: Report) -> str | None:
            request = approval_request(code, report, specs, self.approval_mode)
            if request is None:
                return None
            if approved is None:
                decision = await ask(self.approval_callback, request)
            else:
                decision = ApprovalDecision(approved, None if approved else "denied by the host")
            asked.append((request, decision))
            return None if decision.approved else denial_message(request, decision)

        execution = await executor.execute(
            code,
            specs,
            grammar=self.grammar,
            sandbox=self.sandbox(),
            types=self.types,
            gate=gate,
            report=report,
        )
        if self.run_log is not None:
            self.run_log.record(execution, approval=asked[0] if asked else None)
        return execution

    def final_answer(self, execution: Execution | None) -> str | None:
        """The reply that ends the agent loop after `execution`: its `final_answer` when one-turn
        answers are on and the program ran to the end; None otherwise (the model takes a turn)."""
        if not self.one_turn_answers or execution is None or not execution.ok:
            return None
        return execution.final_answer

    def execute_sync(self, code: str, *, approved: bool | None = None) -> Execution:
        """Blocking `execute()`; not from inside a running event loop."""
        return _run_blocking(self.execute(code, approved=approved))

    def close(self) -> None:
        with self._lock:
            self._reset_sandbox()

    def __enter__(self) -> CodeAct:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
