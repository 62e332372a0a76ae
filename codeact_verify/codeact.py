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
from collections.abc import Awaitable, Iterable, Mapping, Sequence
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
    from .host.inputs import FileMount
    from .host.network import AllowedDomain
    from .host.pool import SandboxPool

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


_DEFAULT_LIMITS: list[Limits] = []


def _default_limits() -> Limits:
    """One default `Limits` (frozen) for every run without limits of its own: made once, not
    validated again per run."""
    if not _DEFAULT_LIMITS:
        from .host import Limits

        _DEFAULT_LIMITS.append(Limits())
    return _DEFAULT_LIMITS[0]


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
        if report is not None and report.source != code:
            report = None
        execution = await self._codeact.execute(code, approved=approved, report=report)
        return ec.render_result(execution), execution

    async def __call__(self, arguments: Any) -> str:
        return (await self.run(arguments))[0]

    def call_sync(self, arguments: Any) -> str:
        """Blocking `__call__` (not from inside a running event loop): the run goes through
        `CodeAct.execute_sync`, so async tools run on the run's own thread (red10/41)."""
        code = ec.parse_arguments(arguments, max_code_bytes=self._codeact.max_code_bytes)
        if isinstance(code, ec.BadArguments):
            return code.message
        return ec.render_result(self._codeact.execute_sync(code))


class CodeAct:
    """Verified CodeAct over a set of tools.

    - `approval_mode="always_require"` asks `approval_callback` before every block runs; with
      "never_require" only blocks that may call a tool whose own `approval_mode` is
      "always_require" (known from the verifier's effects) are asked about.
    - Tools, mounts, file mounts and allowed domains may change between runs; `instructions`
      follow.
    - `mounts`: host directories preopened at guest paths (`Mount` or "HOST:GUEST[:ro|:rw]").
    - `file_mounts` / `workspace_root`: files and directories copied under `/input` (read-only),
      in Agent Framework's forms: a path (same relative path under `/input`), a
      `(host_path, mount_path)` pair or a `FileMount`.
    - `allowed_domains`: a host name, a `(target, methods)` pair or an `AllowedDomain`, or a list
      of any of these; the methods are enforced by the host's HTTP helper.
    - `output_dir`: a host directory the program sees as `/output` (new files become
      `artifacts`); `True` makes a temporary one.
    - `run_log`: a `RunLog`, or a path to append JSON lines to.
    - `grammar_detail`: "compact" (default) puts what the subset forbids in the instructions;
      "full" puts `Grammar.describe()` there as is (everything allowed too; ~600 more tokens).
    - `one_turn_answers=True`: the instructions tell the model to end a program that can state
      the whole answer with `final_answer(text)`; an execution that does so has
      `execution.final_answer` set (and `execution.is_final` true), and the agent loops
      (`CodeActAgent`, the Agent Framework provider) end with that text as the reply, without
      another model turn.
    - `run_ahead` (default True): a program that names no tool, file or HTTP helper may start
      in the sandbox once every grammar rule and tool check has passed, while mypy still checks
      its types; its output is used only when the types pass (see `executor.execute`). False:
      nothing starts before the whole verdict.
    """

    def __init__(
        self,
        tools: Iterable[ToolLike] | Mapping[str, ToolSpec] | None = None,
        *,
        approval_mode: ApprovalMode = "never_require",
        grammar: Grammar | str | Path = "default",
        limits: Limits | None = None,
        mounts: Sequence[Mount | str] = (),
        allowed_domains: Any = (),
        file_mounts: Any = None,
        workspace_root: str | Path | None = None,
        approval_callback: ApprovalCallback | None = None,
        run_log: RunLog | str | Path | None = None,
        types: bool = True,
        output_dir: Path | str | bool | None = None,
        pool_size: int = 1,
        grammar_detail: str = "compact",
        one_turn_answers: bool = False,
        run_ahead: bool = True,
    ) -> None:
        if approval_mode not in _MODES:
            raise CodeActError(f"approval_mode must be one of {_MODES}, not {approval_mode!r}")
        from .grammar import load_grammar
        from .host.inputs import resolve_workspace_root

        self.approval_mode: ApprovalMode = approval_mode
        self.approval_callback = approval_callback
        self.grammar = load_grammar(grammar) if isinstance(grammar, str | Path) else grammar
        self.limits = limits
        self.types = types
        self.output_dir = output_dir
        self.pool_size = pool_size
        self.grammar_detail = grammar_detail
        self.one_turn_answers = one_turn_answers
        self.run_ahead = run_ahead
        self.run_log = (
            run_log if isinstance(run_log, RunLog) or run_log is None else RunLog(run_log)
        )
        self._lock = threading.RLock()
        self._tools: dict[str, ToolSpec] = {}
        self._mounts: dict[str, Mount] = {}
        self._file_mounts: dict[str, FileMount] = {}
        self._domains: dict[str, AllowedDomain] = {}
        try:
            self.workspace_root = resolve_workspace_root(workspace_root)
        except ValueError as exc:
            raise CodeActError(str(exc)) from None
        self._pool_holder: list[SandboxPool] = []  # made on first use, shared with snapshots
        self._owns_pool = True
        self.execute_code_tool = ExecuteCodeTool(self)
        self.add_tools(tools or ())
        self.add_mounts(mounts)
        self.add_file_mounts(file_mounts)
        self.add_allowed_domains(allowed_domains)

    @property
    def _pool(self) -> SandboxPool:
        if not self._pool_holder:
            from .host.pool import SandboxPool

            self._pool_holder.append(SandboxPool())
        return self._pool_holder[0]

    def snapshot(self) -> CodeAct:
        """A copy with the current tools, mounts and domains that shares this one's sandboxes.

        Later changes to either do not affect the other; closing the copy leaves the sandboxes
        open (the original owns them).
        """
        with self._lock:
            copy = object.__new__(CodeAct)
            copy.__dict__.update(self.__dict__)
            copy._lock = threading.RLock()
            copy._tools = dict(self._tools)
            copy._mounts = dict(self._mounts)
            copy._file_mounts = dict(self._file_mounts)
            copy._domains = dict(self._domains)
            copy._owns_pool = False
            copy.execute_code_tool = ExecuteCodeTool(copy)
            return copy

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
            for name in new:
                self._tools.pop(name, None)  # a replaced tool moves to the end, as it was added
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

    def remove_mount(self, guest_dir: str) -> None:
        with self._lock:
            if guest_dir not in self._mounts:
                raise KeyError(f"no mount at {guest_dir!r}")
            del self._mounts[guest_dir]

    def clear_mounts(self) -> None:
        with self._lock:
            self._mounts.clear()

    @property
    def file_mounts(self) -> list[FileMount]:
        """`FileMount(resolved host path, "/input/...")` for each file mount."""
        with self._lock:
            return list(self._file_mounts.values())

    def add_file_mounts(self, file_mounts: Any) -> None:
        """Add file mounts (path, `(host_path, mount_path)`, `FileMount`, or a list); the same
        mount path replaces."""
        from .host.inputs import normalize_file_mounts

        try:
            parsed = normalize_file_mounts(file_mounts)
        except ValueError as exc:
            raise CodeActError(str(exc)) from None
        with self._lock:
            for mount in parsed:
                self._file_mounts[mount.mount_path] = mount

    def remove_file_mount(self, mount_path: str) -> None:
        from .host.inputs import guest_path

        with self._lock:
            try:
                key = guest_path(mount_path)
            except ValueError as exc:
                raise KeyError(str(exc)) from None
            if key not in self._file_mounts:
                raise KeyError(f"no file mount at {mount_path!r}")
            del self._file_mounts[key]

    def clear_file_mounts(self) -> None:
        with self._lock:
            self._file_mounts.clear()

    @property
    def filesystem_enabled(self) -> bool:
        """True when `/input` is staged (a workspace root or file mounts) or `/output` is set."""
        with self._lock:
            return bool(
                self.workspace_root is not None or self._file_mounts or self.output_dir
            )

    @property
    def allowed_domains(self) -> list[AllowedDomain]:
        """The allow-list, sorted by target: `AllowedDomain(target, methods or None)`."""
        with self._lock:
            return sorted(self._domains.values(), key=lambda d: d.target)

    def add_allowed_domains(self, domains: Any) -> None:
        """Add allow-list entries: a host name, a `(target, methods)` pair, an `AllowedDomain`,
        or a list of any of these; an entry for a known target replaces it."""
        from .host.network import normalize_allowed_domains

        try:
            parsed = normalize_allowed_domains(domains)
        except ValueError as exc:
            raise CodeActError(str(exc)) from None
        with self._lock:
            for domain in parsed:
                self._domains[domain.target] = domain

    def remove_allowed_domain(self, domain: str) -> None:
        from .host.network import normalize_target

        with self._lock:
            try:
                key = normalize_target(domain)
            except ValueError as exc:
                raise KeyError(str(exc)) from None
            if key not in self._domains:
                raise KeyError(f"{domain!r} is not an allowed domain")
            del self._domains[key]

    def clear_allowed_domains(self) -> None:
        with self._lock:
            self._domains.clear()

    # --- what the model sees ----------------------------------------------------------------
    @property
    def instructions(self) -> str:
        with self._lock:
            return build_instructions(
                self._tools,
                self.grammar,
                mounts=list(self._mounts.values()),
                allowed_domains=self.allowed_domains,
                grammar_detail=self.grammar_detail,
                input_paths=self._input_paths(),
                output_dir=self.output_path() is not None,
                final_answer=self.one_turn_answers,
            )

    def _input_paths(self) -> list[str]:
        paths = ["/input"] if self.workspace_root is not None else []
        return paths + [m.mount_path for m in self._file_mounts.values()]

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
    def output_path(self) -> Path | None:
        """The host directory the program sees as `/output` (None: no `/output`)."""
        if self.output_dir is True:
            return self._pool.output_dir()
        if self.output_dir is None or self.output_dir is False:
            return None
        return Path(self.output_dir)

    def sandbox(self) -> Sandbox:
        """The sandbox for the current mounts, inputs, domains and limits (made on first use)."""
        from .host import Mount, NetworkPolicy, Sandbox

        with self._lock:
            mounts = list(self._mounts.values())
            if self.workspace_root is not None or self._file_mounts:
                try:
                    staged = self._pool.input_dir(
                        self.workspace_root, list(self._file_mounts.values())
                    )
                except (ValueError, OSError) as exc:
                    raise CodeActError(f"cannot stage the /input files: {exc}") from None
                mounts.append(Mount(staged, "/input", read_only=True))
            domains = tuple(self.allowed_domains)
            output = self.output_path()
            limits = self.limits or _default_limits()
            key = (tuple(mounts), domains, output, limits, self.pool_size)

            def make() -> Sandbox:
                return Sandbox(
                    limits=limits,
                    mounts=mounts,
                    network=NetworkPolicy(allowed_domains=domains) if domains else None,
                    output_dir=output,
                    pool_size=self.pool_size,
                )

            try:
                return self._pool.get(key, make)
            except ValueError as exc:
                raise CodeActError(str(exc)) from None

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
        execution = await executor.execute(
            code,
            specs,
            grammar=self.grammar,
            sandbox=self.sandbox(),
            types=self.types,
            gate=self._gate(code, specs, approved, asked),
            report=report,
            run_ahead=self.run_ahead,
        )
        return self._logged(execution, asked)

    def _gate(
        self,
        code: str,
        specs: Mapping[str, ToolSpec],
        approved: bool | None,
        asked: list[tuple[ApprovalRequest, ApprovalDecision]],
    ) -> executor.Gate:
        """The approval gate for one execution: None (go on) at once when no approval is needed
        or the host decided already (``approved``); else an awaitable asking the callback."""

        def decided(request: ApprovalRequest, decision: ApprovalDecision) -> str | None:
            asked.append((request, decision))
            return None if decision.approved else denial_message(request, decision)

        async def asking(request: ApprovalRequest) -> str | None:
            return decided(request, await ask(self.approval_callback, request))

        def gate(report: Report) -> str | Awaitable[str | None] | None:
            request = approval_request(code, report, specs, self.approval_mode)
            if request is None:
                return None
            if approved is None:
                return asking(request)
            return decided(
                request, ApprovalDecision(approved, None if approved else "denied by the host")
            )

        # a program that names no tool needs no approval unless every block does (see
        # executor.Gate): it may start while its types are checked
        gate.tool_free_passes = self.approval_mode != "always_require"  # type: ignore[attr-defined]
        return gate

    def _logged(
        self, execution: Execution, asked: list[tuple[ApprovalRequest, ApprovalDecision]]
    ) -> Execution:
        if self.run_log is not None:
            self.run_log.record(execution, approval=asked[0] if asked else None)
        return execution

    def final_answer(self, execution: Execution | None) -> str | None:
        """The reply that ends the agent loop after `execution`: its `final_answer` when one-turn
        answers are on and the program ran to the end; None otherwise (the model takes a turn)."""
        if not self.one_turn_answers or execution is None or not execution.ok:
            return None
        return execution.final_answer

    def execute_sync(
        self, code: str, *, approved: bool | None = None, report: Report | None = None
    ) -> Execution:
        """Blocking `execute()`; not from inside a running event loop.

        No event loop is started here unless an approval callback asks for one: verify and
        transpile happen on this thread, as `executor.execute_sync` does them, and the sandbox
        run on one of the sandbox's runner threads while this one waits (async tools run on
        the run's own thread, with a loop of their own)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise CodeActError(
                "called a blocking CodeAct method inside an event loop; await the async one"
            )
        specs = self.tools
        asked: list[tuple[ApprovalRequest, ApprovalDecision]] = []
        execution = executor.execute_sync(
            code,
            specs,
            grammar=self.grammar,
            sandbox=self.sandbox(),
            types=self.types,
            gate=self._gate(code, specs, approved, asked),
            report=report,
            run_ahead=self.run_ahead,
        )
        return self._logged(execution, asked)

    def close(self) -> None:
        """Close the sandboxes and remove the staged directories (a snapshot leaves them)."""
        if self._owns_pool and self._pool_holder:
            self._pool_holder[0].close()

    def __enter__(self) -> CodeAct:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
