"""Stand-ins for framework context types whose packages are not installed in the dev venv.

Each has the real class's name and module, which is how codeact_verify recognises an injected
parameter (it never imports the frameworks). Agent Framework's FunctionInvocationContext is the
real one (agent-framework-core is a dev dependency).
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

T = TypeVar("T")


class RunContextWrapper(Generic[T]):  # openai-agents: agents.run_context.RunContextWrapper
    context: Any


RunContextWrapper.__module__ = "agents.run_context"


class ToolContext(RunContextWrapper[T]):  # openai-agents: agents.tool_context.ToolContext
    tool_call_id: str


ToolContext.__module__ = "agents.tool_context"


class RunContext(Generic[T]):  # pydantic-ai: pydantic_ai.tools.RunContext
    deps: Any


RunContext.__module__ = "pydantic_ai.tools"


class RunnableConfig(dict):  # type: ignore[type-arg]  # langchain_core.runnables.config
    pass


RunnableConfig.__module__ = "langchain_core.runnables.config"


class InjectedToolArg:  # langchain_core.tools.base.InjectedToolArg
    pass


InjectedToolArg.__module__ = "langchain_core.tools.base"


class InjectedToolCallId(InjectedToolArg):  # langchain_core.tools.base.InjectedToolCallId
    pass


InjectedToolCallId.__module__ = "langchain_core.tools.base"


class InjectedState(InjectedToolArg):  # langgraph.prebuilt.InjectedState
    def __init__(self, field: str | None = None) -> None:
        self.field = field


InjectedState.__module__ = "langgraph.prebuilt.tool_node"


class InjectedStore(InjectedToolArg):  # langgraph.prebuilt.InjectedStore
    pass


InjectedStore.__module__ = "langgraph.prebuilt.tool_node"


class BaseStore:  # langgraph.store.base.BaseStore
    pass


BaseStore.__module__ = "langgraph.store.base"
