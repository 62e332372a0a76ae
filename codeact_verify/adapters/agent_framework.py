"""Microsoft Agent Framework: a drop-in for `agent_framework_hyperlight`'s provider and tool.

```python
# from agent_framework_hyperlight import HyperlightCodeActProvider
from codeact_verify.agent_framework import CodeActProvider as HyperlightCodeActProvider

agent = Agent(
    client=chat_client,
    context_providers=[HyperlightCodeActProvider(tools=[get_weather])],
)
```

`ExecuteCodeTool` is the `execute_code` `FunctionTool` (usable alone in `Agent(tools=[...])`);
`CodeActProvider` injects a run-scoped copy of it and short instructions on every run. Both take
the reference's keywords, input forms and methods; programs are verified before they run, and
the result is the reference's content: printed text, one `data` item per file written to
`/output`, an `error` item (with the verifier's diagnostics when the program was rejected).

Approval: the tool's `approval_mode` is the effective mode, as in the reference
("always_require" when the provider's mode is, or when a managed tool requires approval), and
Agent Framework asks before running such a block. The provider narrows that per model response
with the verifier's effects: a block that cannot call a tool needing approval runs without
asking (a chat middleware sets the run tool's mode for that response). The approval request's
`function_call.additional_properties["codeact"]` holds the code, effects and reasons. A "yes"
runs the block, a "no" reaches the model as the framework's rejection and nothing runs; invoked
without the framework's approval, a block that needs it is denied (fail closed) unless the
`CodeAct` has an `approval_callback` that says yes.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    from agent_framework import (
        ChatMiddleware,
        Content,
        ContextProvider,
        FunctionInvocationContext,
        FunctionMiddleware,
        FunctionTool,
        Message,
        MiddlewareTermination,
        normalize_tools,
    )
except ImportError as exc:  # pragma: no cover - depends on the optional extra
    raise ImportError(
        "codeact_verify.agent_framework needs agent-framework-core: "
        "pip install 'codeact-verify[agent-framework]'"
    ) from exc

from ..codeact import CodeAct
from ..errors import CodeActError, ToolSpecError
from ..execute_code import PARAMETERS, TOOL_NAME, parse_arguments
from ..host import turns
from ..host.inputs import FileMount, FileMountInput, normalize_file_mounts, resolve_workspace_root
from ..host.network import AllowedDomain, AllowedDomainInput, normalize_allowed_domains
from ..tools import ToolSpec
from .agent_framework_content import (
    DEFAULT_MAX_OUTPUT_FILE_BYTES,
    DEFAULT_MAX_OUTPUT_FILES,
    DEFAULT_MAX_OUTPUT_TOTAL_BYTES,
    clear_directory,
    error_item,
    execution_contents,
)

if TYPE_CHECKING:
    from agent_framework import AgentSession, SessionContext

    from ..grammar import Grammar
    from ..host import Limits, Mount
    from ..runlog import RunLog

__all__ = [
    "DEFAULT_MAX_OUTPUT_FILES",
    "DEFAULT_MAX_OUTPUT_FILE_BYTES",
    "DEFAULT_MAX_OUTPUT_TOTAL_BYTES",
    "AllowedDomain",
    "AllowedDomainInput",
    "CodeActProvider",
    "ExecuteCodeTool",
    "FileMount",
    "FileMountInput",
]

# Set by Agent Framework's function loop on every context it makes (not by a direct invoke()).
_FRAMEWORK_MARK = "_parent_tool_approval_source_ids"
DEFAULT_BACKEND = "wasm"
DEFAULT_MODULE = "python_guest.path"

ToolInput = FunctionTool | Callable[..., Any] | ToolSpec
ToolsInput = ToolInput | Sequence[ToolInput]


# --- tools ---------------------------------------------------------------------------------
# The `FunctionInvocationContext` of the `execute_code` call being run: a managed tool that takes
# a context parameter gets one made from it (its runtime kwargs, session and tools) on each call.
_INVOCATION: contextvars.ContextVar[FunctionInvocationContext | None] = contextvars.ContextVar(
    "codeact_verify_af_invocation", default=None
)


def _with_invocation_context(tool: FunctionTool, func: Callable[..., Any]) -> Callable[..., Any]:
    """`func` with its FunctionInvocationContext parameter filled in, as Agent Framework's own
    invoke() does: a context for this tool and these arguments, carrying the enclosing
    `execute_code` call's runtime kwargs, session and tools (empty outside an agent run)."""
    name = getattr(tool, "_context_parameter_name", None)
    if not name:
        return func

    signature = inspect.signature(func)

    def fill(args: tuple[Any, ...], kwargs: dict[str, Any]) -> inspect.BoundArguments:
        bound = signature.bind(*args, **kwargs)
        # only a real context stands (Agent Framework's own invoke passes one); anything else
        # (None, or a value a program smuggled in) is replaced by the context of this call
        if not isinstance(bound.arguments.get(name), FunctionInvocationContext):
            outer = _INVOCATION.get()
            bound.arguments[name] = FunctionInvocationContext(
                function=tool,
                arguments={k: v for k, v in bound.arguments.items() if k != name},
                session=getattr(outer, "session", None),
                kwargs=dict(getattr(outer, "kwargs", None) or {}),
                tools=getattr(outer, "tools", None),
            )
        return bound

    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def acall(*args: Any, **kwargs: Any) -> Any:
            bound = fill(args, kwargs)
            return await func(*bound.args, **bound.kwargs)

        return acall

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        bound = fill(args, kwargs)
        return func(*bound.args, **bound.kwargs)

    return call


def _to_spec(tool: FunctionTool | ToolSpec) -> ToolSpec:
    if isinstance(tool, ToolSpec):
        return tool
    if tool.func is None:
        raise ToolSpecError(f"tool {tool.name!r} is declaration-only; CodeAct needs a function")
    return ToolSpec.from_callable(
        _with_invocation_context(tool, tool.func),
        name=tool.name,
        description=tool.description or None,
        approval_mode=tool.approval_mode,  # type: ignore[arg-type]
    )


def _collect(tools: ToolsInput | None) -> list[FunctionTool | ToolSpec]:
    """Tools as `FunctionTool`s (callables wrapped as Agent Framework does) or our `ToolSpec`s;
    `execute_code` itself is skipped."""
    if tools is None:
        return []
    items: Sequence[Any] = (
        [tools] if isinstance(tools, ToolSpec | FunctionTool) or callable(tools) else tools
    )
    out: list[FunctionTool | ToolSpec] = []
    for item in items:
        if isinstance(item, ToolSpec):
            out.append(item)
            continue
        for tool in normalize_tools(item):
            if isinstance(tool, FunctionTool) and tool.name != TOOL_NAME:
                out.append(tool)
    return out


def _check_positive(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be a positive integer")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer")
    return value


def _check_description_format(value: Any) -> str | dict[str, str]:
    formats = ("compact", "json")
    if isinstance(value, str) and value in formats:
        return value
    if isinstance(value, Mapping) and all(
        isinstance(k, str) and v in formats for k, v in value.items()
    ):
        return dict(value)
    raise ValueError(
        "tool_description_format must be 'compact', 'json' or a mapping of tool name to one"
    )


# --- the execute_code tool ----------------------------------------------------------------
_USAGE_VISIBLE = " Prefer it to calling tools one at a time."


class ExecuteCodeTool(FunctionTool):
    """`execute_code` as an Agent Framework `FunctionTool`, like `HyperlightExecuteCodeTool`.

    Reference keywords: `tools`, `tool_description_format` (accepted and reported; the tools are
    always described as typed Python stubs), `approval_mode`, `workspace_root` (its contents
    under `/input`), `file_mounts`, `allowed_domains`, `max_output_files`,
    `max_output_file_bytes`, `max_output_total_bytes`, and the Hyperlight-specific `backend`,
    `module`, `module_path` (accepted and reported, no effect: the sandbox is wasmtime).
    Our extras: `grammar`, `limits`, `mounts` (host directories at guest paths), `run_log`,
    `approval_callback`, `one_turn_answers` (a program may end the agent run with
    `final_answer(text)`; with a ready `codeact` it overrides that CodeAct's setting when given),
    or a ready `codeact`.
    """

    def __init__(
        self,
        *,
        tools: ToolsInput | None = None,
        tool_description_format: Any = "compact",
        approval_mode: str | None = None,
        workspace_root: str | Path | None = None,
        file_mounts: FileMountInput | Sequence[FileMountInput] | None = None,
        allowed_domains: AllowedDomainInput | Sequence[AllowedDomainInput] | None = None,
        max_output_files: int = DEFAULT_MAX_OUTPUT_FILES,
        max_output_file_bytes: int = DEFAULT_MAX_OUTPUT_FILE_BYTES,
        max_output_total_bytes: int = DEFAULT_MAX_OUTPUT_TOTAL_BYTES,
        backend: str = DEFAULT_BACKEND,
        module: str | None = DEFAULT_MODULE,
        module_path: str | None = None,
        grammar: Grammar | str | Path = "default",
        limits: Limits | None = None,
        mounts: Sequence[Mount | str] = (),
        run_log: RunLog | str | Path | None = None,
        approval_callback: Any = None,
        codeact: CodeAct | None = None,
        one_turn_answers: bool | None = None,
    ) -> None:
        self._description_format = _check_description_format(tool_description_format)
        self._max_files = _check_positive("max_output_files", max_output_files)
        self._max_file_bytes = _check_positive("max_output_file_bytes", max_output_file_bytes)
        self._max_total_bytes = _check_positive("max_output_total_bytes", max_output_total_bytes)
        if approval_mode not in (None, "never_require", "always_require"):
            raise ValueError(f"approval_mode must be 'never_require' or 'always_require', "
                             f"not {approval_mode!r}")
        super().__init__(
            name=TOOL_NAME,
            description="",
            approval_mode="never_require",
            func=self._run_code,
            input_model=dict(PARAMETERS),
        )
        self.backend, self.module, self.module_path = backend, module, module_path
        self._default_approval_mode = approval_mode or "never_require"
        self._managed: list[FunctionTool | ToolSpec] = []
        if codeact is None:
            workspace_root = resolve_workspace_root(workspace_root)  # ValueError, as the reference
            try:
                codeact = CodeAct(
                    approval_mode=self._default_approval_mode,  # type: ignore[arg-type]
                    grammar=grammar,
                    limits=_with_output_caps(limits, max_output_files, max_output_total_bytes),
                    mounts=mounts,
                    workspace_root=workspace_root,
                    approval_callback=approval_callback,
                    run_log=run_log,
                    one_turn_answers=bool(one_turn_answers),
                )
            except CodeActError as exc:
                raise ValueError(str(exc)) from None
        elif one_turn_answers is not None:
            codeact.one_turn_answers = bool(one_turn_answers)  # the keyword wins over the CodeAct's
        self.codeact = codeact
        self._managed = list(codeact.tools.values())  # a given CodeAct's tools, as ToolSpecs
        if tools is not None:
            self.add_tools(tools)
        if file_mounts is not None:
            self.add_file_mounts(file_mounts)
        if allowed_domains is not None:
            self.add_allowed_domains(allowed_domains)
        self._sync_output()
        self._refresh_approval_mode()

    # The description follows the tools, mounts and domains (it is what the model reads).
    @property  # type: ignore[override]
    def description(self) -> str:
        codeact = self.__dict__.get("codeact")
        if codeact is None:
            return str(self.__dict__.get("_description", ""))
        return codeact.instructions

    @description.setter
    def description(self, value: str) -> None:
        self.__dict__["_description"] = value

    # --- tools ---
    def add_tools(self, tools: ToolsInput) -> None:
        """Add sandbox tools; a tool with an existing name replaces it."""
        new = _collect(tools)
        self.codeact.add_tools([_to_spec(t) for t in new])
        names = {t.name for t in new}
        self._managed = [t for t in self._managed if t.name not in names] + new
        self._refresh_approval_mode()

    def get_tools(self) -> list[Any]:
        """The sandbox tools, as given (`FunctionTool`s; callables wrapped as `FunctionTool`)."""
        return list(self._managed)

    def remove_tool(self, name: str) -> None:
        if not any(t.name == name for t in self._managed):
            raise KeyError(f"No managed tool named {name!r} is registered.")
        self.codeact.remove_tool(name)
        self._managed = [t for t in self._managed if t.name != name]
        self._refresh_approval_mode()

    def clear_tools(self) -> None:
        self.codeact.clear_tools()
        self._managed = []
        self._refresh_approval_mode()

    # --- file mounts ---
    def add_file_mounts(self, file_mounts: FileMountInput | Sequence[FileMountInput]) -> None:
        """A path (mounted at the same relative path under `/input`), a `(host_path,
        mount_path)` pair, a `FileMount`, or a list of any of these. Read-only copies."""
        self.codeact.add_file_mounts(normalize_file_mounts(file_mounts))
        self._sync_output()

    def get_file_mounts(self) -> list[FileMount]:
        """`FileMount(resolved host path, "/input/...")` for each mount."""
        return self.codeact.file_mounts

    def remove_file_mount(self, mount_path: str) -> None:
        self.codeact.remove_file_mount(mount_path)
        self._sync_output()

    def clear_file_mounts(self) -> None:
        self.codeact.clear_file_mounts()
        self._sync_output()

    # --- allowed domains ---
    def add_allowed_domains(
        self, domains: AllowedDomainInput | Sequence[AllowedDomainInput]
    ) -> None:
        """A host name, a `(target, methods)` pair, an `AllowedDomain`, or a list of these; the
        methods are enforced by the host's HTTP helper. A known target is replaced."""
        self.codeact.add_allowed_domains(normalize_allowed_domains(domains))

    def get_allowed_domains(self) -> list[AllowedDomain]:
        return self.codeact.allowed_domains

    def remove_allowed_domain(self, domain: str) -> None:
        self.codeact.remove_allowed_domain(domain)

    def clear_allowed_domains(self) -> None:
        self.codeact.clear_allowed_domains()

    # --- what the agent gets ---
    def build_instructions(self, *, tools_visible_to_model: bool) -> str:
        """Short system-prompt text; the tool's description carries the sandbox's details."""
        usage = _USAGE_VISIBLE if tools_visible_to_model else ""
        output = " Write files to `/output`." if self._filesystem_enabled() else ""
        return f"Use `execute_code` (see its description).{usage}{output}\n"

    def create_run_tool(self) -> ExecuteCodeTool:
        """A run-scoped copy with the current tools, mounts and domains (later changes to this
        tool do not affect it); it shares this tool's warm sandboxes."""
        copy = ExecuteCodeTool(
            tool_description_format=self._description_format,
            approval_mode=self._default_approval_mode,
            max_output_files=self._max_files,
            max_output_file_bytes=self._max_file_bytes,
            max_output_total_bytes=self._max_total_bytes,
            backend=self.backend,
            module=self.module,
            module_path=self.module_path,
            codeact=self.codeact.snapshot(),
        )
        copy._managed = list(self._managed)
        copy._refresh_approval_mode()
        return copy

    def build_serializable_state(self) -> dict[str, Any]:
        """A JSON-serializable snapshot of the effective state (the reference's keys, plus
        `grammar` and `limits`)."""
        codeact = self.codeact
        limits = codeact.limits
        state: dict[str, Any] = {
            "backend": self.backend,
            "module": self.module,
            "module_path": self.module_path,
            "approval_mode": self.approval_mode,
            "max_output_files": self._max_files,
            "max_output_file_bytes": self._max_file_bytes,
            "max_output_total_bytes": self._max_total_bytes,
            "tool_names": [t.name for t in self._managed],
            "tool_description_format": self._description_format,
            "filesystem_enabled": self._filesystem_enabled(),
            "workspace_root": str(codeact.workspace_root) if codeact.workspace_root else None,
            "file_mounts": [
                {"host_path": str(m.host_path), "mount_path": m.mount_path}
                for m in codeact.file_mounts
            ],
            "network_enabled": bool(codeact.allowed_domains),
            "allowed_domains": [
                {"target": d.target, "methods": list(d.methods) if d.methods else None}
                for d in codeact.allowed_domains
            ],
            "grammar": getattr(codeact.grammar, "name", None),
            "limits": limits.to_dict() if limits is not None else None,
        }
        return json.loads(json.dumps(state, default=str))

    def to_dict(
        self, *, exclude: set[str] | None = None, exclude_none: bool = True
    ) -> dict[str, Any]:
        data = super().to_dict(exclude=exclude, exclude_none=exclude_none)
        data["description"] = self.description
        return data

    # --- internals ---
    def _filesystem_enabled(self) -> bool:
        return self.codeact.workspace_root is not None or bool(self.codeact.file_mounts)

    def _sync_output(self) -> None:
        """`/output` exists (and is described) when the filesystem is, as in the reference:
        with a workspace root or file mounts. An explicit `CodeAct(output_dir=...)` stays."""
        if self.codeact.output_dir in (None, True):
            self.codeact.output_dir = True if self._filesystem_enabled() else None

    def _refresh_approval_mode(self) -> None:
        self.approval_mode = (
            "always_require" if self.codeact.requires_approval else "never_require"
        )

    def _framework_approval(self, ctx: FunctionInvocationContext | None) -> bool | None:
        """Agent Framework's decision for this call, or None when it did not ask.

        The framework runs a tool whose `approval_mode` is "always_require" only after a "yes"
        (the approval response is in the context when function middleware is present). A
        direct `invoke()` has an empty context: None, so CodeAct's own gate decides.
        """
        if ctx is None:
            return None
        response = ctx.metadata.get("approval_response")
        if response is not None:
            return bool(getattr(response, "approved", False))
        by_framework = "call_id" in ctx.metadata or _FRAMEWORK_MARK in ctx.metadata
        if by_framework and self.approval_mode == "always_require":
            return True
        return None

    async def _run_code(
        self, code: str, ctx: FunctionInvocationContext | None = None
    ) -> list[Content]:
        parsed = parse_arguments({"code": code}, max_code_bytes=self.codeact.max_code_bytes)
        if not isinstance(parsed, str):
            return execution_contents(None, parsed.message)
        approved = self._framework_approval(ctx)
        codeact = self.codeact
        output = codeact.output_path()
        token = _INVOCATION.set(ctx)  # for the managed tools' own contexts
        try:
            if output is None:
                return await self._execute(parsed, approved, None)
            # Runs that share an output directory take turns (host/turns.py: the directory's
            # own lock, which the sandbox's runs take too). Each run clears the directory
            # before and after itself, inside its turn. A block that a tool of a block started
            # runs inside the outer block's turn and clears nothing (red10/42).
            key = turns.directory_key(output)
            if turns.nested_in(key) is not None:
                return await self._execute(parsed, approved, None)
            owner = object()
            while not turns.REGISTRY.try_take(key, owner):  # polled: safe under cancellation
                await asyncio.sleep(0.005)
            turn = turns.Turn(key, float("inf"))  # the sandbox run inside bounds itself
            held = turns.HELD.set(turn)
            try:
                return await self._execute(parsed, approved, output)
            finally:
                turns.HELD.reset(held)
                try:
                    if turn.close():  # a nested block still going: a moment to stop
                        for _ in range(40):
                            if not turn.busy():
                                break
                            await asyncio.sleep(0.005)
                finally:
                    turns.REGISTRY.release(key, owner)
        finally:
            _INVOCATION.reset(token)

    async def _execute(
        self, code: str, approved: bool | None, output: Path | None
    ) -> list[Content]:
        clear_directory(output)
        try:
            execution = await self.codeact.execute(code, approved=approved)
        except CodeActError as exc:  # the host's setup failed (e.g. an input is a symlink)
            return [error_item("Execution error", str(exc))]
        note_final_answer(self.codeact, execution)
        try:
            return execution_contents(
                execution,
                max_output_files=self._max_files,
                max_output_file_bytes=self._max_file_bytes,
                max_output_total_bytes=self._max_total_bytes,
            )
        finally:
            clear_directory(output)


def _with_output_caps(limits: Limits | None, files: int, total_bytes: int) -> Limits:
    """The host's own caps on `/output` set from the reference's keywords."""
    import dataclasses

    from ..host import Limits

    base = limits or Limits()
    try:
        return dataclasses.replace(base, max_artifacts=files, max_artifact_bytes=total_bytes)
    except (TypeError, ValueError):
        return base


# --- the provider ---------------------------------------------------------------------------
class CodeActProvider(ContextProvider):
    """Injects a verified CodeAct surface (run-scoped `execute_code` + instructions) into every
    agent run, like `HyperlightCodeActProvider`; same keywords (see `ExecuteCodeTool`)."""

    DEFAULT_SOURCE_ID = "codeact_verify"

    def __init__(
        self,
        source_id: str = DEFAULT_SOURCE_ID,
        *,
        tools: ToolsInput | None = None,
        tool_description_format: Any = "compact",
        approval_mode: str | None = None,
        workspace_root: str | Path | None = None,
        file_mounts: FileMountInput | Sequence[FileMountInput] | None = None,
        allowed_domains: AllowedDomainInput | Sequence[AllowedDomainInput] | None = None,
        max_output_files: int = DEFAULT_MAX_OUTPUT_FILES,
        max_output_file_bytes: int = DEFAULT_MAX_OUTPUT_FILE_BYTES,
        max_output_total_bytes: int = DEFAULT_MAX_OUTPUT_TOTAL_BYTES,
        backend: str = DEFAULT_BACKEND,
        module: str | None = DEFAULT_MODULE,
        module_path: str | None = None,
        grammar: Grammar | str | Path = "default",
        limits: Limits | None = None,
        mounts: Sequence[Mount | str] = (),
        run_log: RunLog | str | Path | None = None,
        approval_callback: Any = None,
        codeact: CodeAct | None = None,
        one_turn_answers: bool | None = None,
    ) -> None:
        super().__init__(source_id)
        self._execute_code_tool = ExecuteCodeTool(
            tools=tools,
            tool_description_format=tool_description_format,
            approval_mode=approval_mode,
            workspace_root=workspace_root,
            file_mounts=file_mounts,
            allowed_domains=allowed_domains,
            max_output_files=max_output_files,
            max_output_file_bytes=max_output_file_bytes,
            max_output_total_bytes=max_output_total_bytes,
            backend=backend,
            module=module,
            module_path=module_path,
            grammar=grammar,
            limits=limits,
            mounts=mounts,
            run_log=run_log,
            approval_callback=approval_callback,
            codeact=codeact,
            one_turn_answers=one_turn_answers,
        )

    @property
    def codeact(self) -> CodeAct:
        return self._execute_code_tool.codeact

    @property
    def execute_code_tool(self) -> ExecuteCodeTool:
        return self._execute_code_tool

    def add_tools(self, tools: ToolsInput) -> None:
        self._execute_code_tool.add_tools(tools)

    def get_tools(self) -> list[Any]:
        return self._execute_code_tool.get_tools()

    def remove_tool(self, name: str) -> None:
        self._execute_code_tool.remove_tool(name)

    def clear_tools(self) -> None:
        self._execute_code_tool.clear_tools()

    def add_file_mounts(self, file_mounts: FileMountInput | Sequence[FileMountInput]) -> None:
        self._execute_code_tool.add_file_mounts(file_mounts)

    def get_file_mounts(self) -> list[FileMount]:
        return self._execute_code_tool.get_file_mounts()

    def remove_file_mount(self, mount_path: str) -> None:
        self._execute_code_tool.remove_file_mount(mount_path)

    def clear_file_mounts(self) -> None:
        self._execute_code_tool.clear_file_mounts()

    def add_allowed_domains(
        self, domains: AllowedDomainInput | Sequence[AllowedDomainInput]
    ) -> None:
        self._execute_code_tool.add_allowed_domains(domains)

    def get_allowed_domains(self) -> list[AllowedDomain]:
        return self._execute_code_tool.get_allowed_domains()

    def remove_allowed_domain(self, domain: str) -> None:
        self._execute_code_tool.remove_allowed_domain(domain)

    def clear_allowed_domains(self) -> None:
        self._execute_code_tool.clear_allowed_domains()

    def create_run_tool(self) -> ExecuteCodeTool:
        return self._execute_code_tool.create_run_tool()

    def build_instructions(self, *, tools_visible_to_model: bool = False) -> str:
        return self._execute_code_tool.build_instructions(
            tools_visible_to_model=tools_visible_to_model
        )

    async def before_run(
        self,
        *,
        agent: Any,
        session: AgentSession | None,
        context: SessionContext,
        state: dict[str, Any],
    ) -> None:
        """Inject the instructions, a run-scoped `execute_code`, and the effects-based approval
        narrowing for it."""
        run_tool = self._execute_code_tool.create_run_tool()
        state[self.source_id] = run_tool.build_serializable_state()
        context.extend_instructions(
            self.source_id, run_tool.build_instructions(tools_visible_to_model=False)
        )
        context.extend_tools(self.source_id, [run_tool])
        extend_middleware = getattr(context, "extend_middleware", None)
        if run_tool.approval_mode == "always_require" and extend_middleware is not None:
            extend_middleware(self.source_id, [_EffectsApproval(run_tool)])
        if self.codeact.one_turn_answers and extend_middleware is not None:
            _FINAL_ANSWER.set([])  # one-turn answers of this run (see note_final_answer)
            extend_middleware(self.source_id, [_FinalAnswerGate()])

    async def after_run(
        self,
        *,
        agent: Any,
        session: AgentSession | None,
        context: SessionContext,
        state: dict[str, Any],
    ) -> None:
        """A program's final answer (one-turn answers) becomes the run's assistant reply."""
        answers = _FINAL_ANSWER.get()
        response = getattr(context, "response", None)
        if answers and response is not None:
            response.messages.append(Message(role="assistant", contents=[answers[-1]]))
        _FINAL_ANSWER.set(None)


# The final answers given in this agent run (`CodeAct(one_turn_answers=True)`); a list set by
# `before_run` and read by `after_run`, so concurrent runs never see each other's.
_FINAL_ANSWER: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "codeact_verify_final_answer", default=None
)


def note_final_answer(codeact: CodeAct, execution: Any) -> None:
    """Record the program's final answer for this run (one-turn answers on, program ran).

    `_FinalAnswerGate` then ends Agent Framework's function-invocation loop with
    `MiddlewareTermination` (no further model turn), and `after_run` appends the answer as the
    assistant's reply.
    """
    answer = codeact.final_answer(execution)
    answers = _FINAL_ANSWER.get()
    if answer is not None and answers is not None:
        answers.append(answer)


class _FinalAnswerGate(FunctionMiddleware):
    """Ends the function-invocation loop after an `execute_code` call whose program gave its
    final answer (`final_answer(text)`, one-turn answers on); the tool's result is kept."""

    async def process(self, context: Any, call_next: Callable[[], Awaitable[None]]) -> None:
        given = len(_FINAL_ANSWER.get() or ())
        await call_next()
        if context.function.name == TOOL_NAME and len(_FINAL_ANSWER.get() or ()) > given:
            raise MiddlewareTermination("CodeAct: the program gave the final answer")


class _EffectsApproval(ChatMiddleware):
    """Sets the run tool's approval mode for each model response from the verifier's effects.

    Agent Framework decides whether to ask for approval from the tool's `approval_mode` once the
    model's response is in. Before that, this middleware verifies each `execute_code` call in
    the response: when none may call a tool that needs approval (and the provider's mode is not
    "always_require"), the blocks run without asking; otherwise the framework asks as usual,
    and the call's `additional_properties["codeact"]` says why.
    """

    def __init__(self, tool: ExecuteCodeTool) -> None:
        self.tool = tool

    async def process(self, context: Any, call_next: Callable[[], Awaitable[None]]) -> None:
        await call_next()
        result = context.result
        messages = getattr(result, "messages", None)
        if messages is None:  # streaming: keep the effective mode (asks for every block)
            return
        needs = False
        for message in messages:
            for content in getattr(message, "contents", None) or []:
                if content.type != "function_call" or content.name != TOOL_NAME:
                    continue
                needs |= self._needs_approval(content)
        self.tool.approval_mode = "always_require" if needs else "never_require"

    def _needs_approval(self, call: Content) -> bool:
        try:
            arguments = call.parse_arguments()
        except Exception:  # unparseable arguments: ask, as the mode says
            return True
        code = parse_arguments(arguments or {}, max_code_bytes=self.tool.codeact.max_code_bytes)
        if not isinstance(code, str):
            return False  # nothing will run; the tool explains the bad arguments
        codeact = self.tool.codeact
        report = codeact.verify(code)
        if not report.ok:
            return False  # rejected code never runs; the model gets the diagnostics
        request = codeact.approval_request(code, report)
        if request is None:
            return False
        props = call.additional_properties if call.additional_properties is not None else {}
        props["codeact"] = request.to_dict()
        call.additional_properties = props
        return True
