"""Microsoft Agent Framework adapter: a context provider shaped like `HyperlightCodeActProvider`.

```python
from agent_framework import Agent
from codeact_verify.agent_framework import CodeActProvider

agent = Agent(
    client=chat_client,
    context_providers=[CodeActProvider(tools=[get_weather], approval_mode="never_require")],
)
```

On every run the provider registers a run-scoped `execute_code` tool and injects the CodeAct
instructions. Programs are verified before they run. Approvals go through Agent Framework's own
function-approval requests, raised per code block by a function middleware the provider adds: a
block needs approval when the provider's approval mode is "always_require", or when the verifier's
effects show it may call a tool whose `approval_mode` is "always_require" (the reference provider
asks for every block as soon as one such tool is registered). The request's
`additional_properties["codeact"]` holds the code, the effects and the reasons. A "yes" runs the
block; a "no" reaches the model as the framework's rejection and nothing runs. A tool that is also
passed to the agent directly keeps its own approval mode there.
"""

from __future__ import annotations

import contextvars
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

try:
    from agent_framework import (
        Content,
        ContextProvider,
        FunctionMiddleware,
        FunctionTool,
        Message,
        MiddlewareTermination,
    )
except ImportError as exc:  # pragma: no cover - depends on the optional extra
    raise ImportError(
        "codeact_verify.agent_framework needs agent-framework-core: "
        "pip install 'codeact-verify[agent-framework]'"
    ) from exc

from ..codeact import CodeAct
from ..diagnostics import Report
from ..execute_code import PARAMETERS, TOOL_NAME
from ..tools import ToolSpec

if TYPE_CHECKING:
    from agent_framework import AgentSession, SessionContext

    from ..grammar import Grammar
    from ..host import Limits, Mount
    from ..runlog import RunLog

ToolInput = FunctionTool | Callable[..., Any] | ToolSpec


__all__ = ["CodeActProvider"]

def _to_spec(tool: ToolInput) -> ToolSpec:
    if isinstance(tool, ToolSpec):
        return tool
    if isinstance(tool, FunctionTool):
        if tool.func is None:
            from ..errors import ToolSpecError

            raise ToolSpecError(f"tool {tool.name!r} is declaration-only; CodeAct needs a function")
        return ToolSpec.from_callable(
            tool.func,
            name=tool.name,
            description=tool.description or None,
            approval_mode=tool.approval_mode,  # type: ignore[arg-type]
        )
    return ToolSpec.from_callable(tool)


def _specs(tools: ToolInput | Sequence[ToolInput] | None) -> list[ToolSpec]:
    if tools is None:
        return []
    if isinstance(tools, FunctionTool | ToolSpec) or callable(tools):
        return [_to_spec(tools)]  # type: ignore[arg-type]
    return [_to_spec(t) for t in tools if not getattr(t, "name", None) == TOOL_NAME]


class CodeActProvider(ContextProvider):
    """Injects a verified CodeAct surface (`execute_code` + instructions) into every agent run."""

    DEFAULT_SOURCE_ID = "codeact_verify"

    def __init__(
        self,
        source_id: str = DEFAULT_SOURCE_ID,
        *,
        tools: ToolInput | Sequence[ToolInput] | None = None,
        approval_mode: str | None = None,
        grammar: Grammar | str | Path = "default",
        limits: Limits | None = None,
        file_mounts: Sequence[Mount | str] = (),
        allowed_domains: Sequence[str] = (),
        run_log: RunLog | str | Path | None = None,
        codeact: CodeAct | None = None,
    ) -> None:
        super().__init__(source_id)
        self.codeact = codeact or CodeAct(
            approval_mode=approval_mode or "never_require",  # type: ignore[arg-type]
            grammar=grammar,
            limits=limits,
            mounts=file_mounts,
            allowed_domains=allowed_domains,
            run_log=run_log,
        )
        if tools is not None:
            self.codeact.add_tools(_specs(tools))

    # The reference provider's management methods.
    def add_tools(self, tools: ToolInput | Sequence[ToolInput]) -> None:
        self.codeact.add_tools(_specs(tools))

    def get_tools(self) -> list[ToolSpec]:
        return list(self.codeact.tools.values())

    def remove_tool(self, name: str) -> None:
        self.codeact.remove_tool(name)

    def clear_tools(self) -> None:
        self.codeact.clear_tools()

    def add_file_mounts(self, file_mounts: Sequence[Mount | str] | Mount | str) -> None:
        self.codeact.add_mounts(file_mounts)

    def get_file_mounts(self) -> list[Mount]:
        return self.codeact.mounts

    def remove_file_mount(self, mount_path: str) -> None:
        self.codeact.remove_mount(mount_path)

    def add_allowed_domains(self, domains: Sequence[str] | str) -> None:
        self.codeact.add_allowed_domains(domains)

    def get_allowed_domains(self) -> list[str]:
        return self.codeact.allowed_domains

    def remove_allowed_domain(self, domain: str) -> None:
        self.codeact.remove_allowed_domain(domain)

    def create_run_tool(self) -> FunctionTool:
        """A run-scoped `execute_code` FunctionTool.

        Its own approval mode is "never_require": the approval middleware (see `before_run`)
        decides per code block from the verifier's effects and raises Agent Framework's approval
        request only when needed. Used without that middleware, a block that needs approval is
        denied unless the CodeAct object has an `approval_callback` that says yes (fail closed).
        """
        codeact = self.codeact

        async def execute_code(code: str) -> str:
            approved, report = _APPROVED.get()
            text, execution = await codeact.execute_code_tool.run(
                {"code": code}, approved=approved, report=report
            )
            note_final_answer(codeact, execution)
            return text

        return FunctionTool(
            name=TOOL_NAME,
            description=codeact.execute_code_tool.description,
            func=execute_code,
            approval_mode="never_require",
            input_model=dict(PARAMETERS),
        )

    def create_approval_middleware(self) -> FunctionMiddleware:
        return _ApprovalGate(self.codeact)

    async def before_run(
        self,
        *,
        agent: Any,
        session: AgentSession | None,
        context: SessionContext,
        state: dict[str, Any],
    ) -> None:
        """Inject the instructions, a run-scoped `execute_code` and its approval middleware."""
        tool = self.create_run_tool()
        state["tool_names"] = list(self.codeact.tools)
        state["approval_mode"] = self.codeact.approval_mode
        context.extend_instructions(self.source_id, self.codeact.instructions)
        context.extend_middleware(self.source_id, [self.create_approval_middleware()])
        context.extend_tools(self.source_id, [tool])
        _FINAL_ANSWER.set([])  # one-turn answers of this run (see note_final_answer)

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

    The approval middleware then ends Agent Framework's function-invocation loop with
    `MiddlewareTermination` (no further model turn), and `after_run` appends the answer as the
    assistant's reply.
    """
    answer = codeact.final_answer(execution)
    answers = _FINAL_ANSWER.get()
    if answer is not None and answers is not None:
        answers.append(answer)


# (approved, report) for the execute_code call in progress, set by the approval middleware.
_APPROVED: contextvars.ContextVar[tuple[bool | None, Report | None]] = contextvars.ContextVar(
    "codeact_verify_approved", default=(None, None)
)


def _code_argument(arguments: Any) -> Any:
    if isinstance(arguments, Mapping):
        return arguments.get("code")
    return getattr(arguments, "code", None)


class _ApprovalGate(FunctionMiddleware):
    """Asks for approval through Agent Framework only for blocks that need it.

    A block needs approval when the CodeAct approval mode is "always_require" or when the
    verifier's effects show it may call a tool whose own approval mode is "always_require".
    The approval request carries the CodeAct request (code, effects, reasons) in its
    `additional_properties["codeact"]`. Rejected code is never offered for approval.
    """

    def __init__(self, codeact: CodeAct) -> None:
        self.codeact = codeact

    async def process(self, context: Any, call_next: Callable[[], Awaitable[None]]) -> None:
        if context.function.name != TOOL_NAME:
            await call_next()
            return
        code = _code_argument(context.arguments)
        if not isinstance(code, str):
            await call_next()  # the tool reports the bad arguments
            return
        report = self.codeact.verify(code)
        request = self.codeact.approval_request(code, report) if report.ok else None
        if request is None:
            token = _APPROVED.set((None, report))
        else:
            response = context.metadata.get("approval_response")
            if response is None:
                occurrence = context.metadata.get("function_call_occurrence_id")
                call_id = context.metadata.get("call_id") or occurrence
                context.result = Content.from_function_approval_request(
                    id=occurrence or call_id,
                    function_call=Content.from_function_call(
                        call_id=call_id, name=TOOL_NAME, arguments={"code": code}, id=occurrence
                    ),
                    additional_properties={"codeact": request.to_dict()},
                )
                raise MiddlewareTermination("CodeAct approval required")
            token = _APPROVED.set((bool(getattr(response, "approved", False)), report))
        given = len(_FINAL_ANSWER.get() or ())
        try:
            await call_next()
        finally:
            _APPROVED.reset(token)
        if len(_FINAL_ANSWER.get() or ()) > given:  # one-turn answer: end the loop here
            raise MiddlewareTermination("CodeAct: the program gave the final answer")
