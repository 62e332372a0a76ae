# ruff: noqa
# Finding 02 (MEDIUM, tool-argument forgery): a program can set a tool's framework-injected
# parameter (Agent Framework's `ctx: FunctionInvocationContext`, LangGraph's
# `state: Annotated[dict, InjectedState]`, `tool_call_id: InjectedToolCallId`, ...) when the tool
# also takes `**kwargs` and the injected parameter is keyword-only: the hidden name is not a
# visible parameter, so the binder puts `ctx=...` into the `**kwargs` dict, and the host's
# `_binding.call_arguments` applies `kwargs.update(var_keyword)` AFTER the injected value, so the
# program's value replaces it. The Agent Framework adapter's wrapper then keeps it (it fills the
# context only when the value is None). The verifier only warns (CV611, any-keyword tool).
# Layer beaten: host tool-call validation (guest stub and host both accept it).
#
#   $ .venv/bin/python docs/redteam/02_injected_parameter_forged.py
#   expected: the forged call fails (ToolError / TypeError), the tool never sees "admin"
#   actual (main 10a659e):
#     honest  -> HOST lookup_order 1 user: nobody            (a real FunctionInvocationContext)
#     forged  -> HOST lookup_order 1 user: FORGED str 'admin' (the program's value as ctx)
#     state   -> HOST find state={'user': 'admin', 'role': 'root'}   (InjectedState forged)
#   A FunctionInvocationContext cannot be built from JSON, so an AF tool mostly crashes on it;
#   a dict-typed injected state (LangGraph) is forged outright.
# Fix (red3): ToolSpec.call_arguments refuses a `**kwargs` key that names an injected (hidden)
# parameter: ToolArgumentError, nothing reaches the tool.
import asyncio
from typing import Annotated, Any

from agent_framework import FunctionInvocationContext

from codeact_verify import CodeAct
from codeact_verify.adapters.agent_framework import ExecuteCodeTool


def lookup_order(
    order_id: int, *, ctx: FunctionInvocationContext | None = None, **filters: str
) -> str:
    """Look up an order of the signed-in user (ctx.kwargs['user_id'], set by the application)."""
    if isinstance(ctx, FunctionInvocationContext):
        user = ctx.kwargs.get("user_id", "nobody")
    else:
        user = f"FORGED {type(ctx).__name__} {ctx!r}"
    print("HOST lookup_order", order_id, "user:", user, flush=True)
    return f"order {order_id} of {user}"


class InjectedState:  # LangGraph's marker, matched by name and module (LangGraph not installed)
    pass


InjectedState.__module__ = "langgraph.prebuilt"


def find(query: str, *, state: Annotated[dict, InjectedState()] = None, **filters: Any) -> str:
    """Search the graph's state (injected by the framework)."""
    print("HOST find state=", state, flush=True)
    return "ok"


tool = ExecuteCodeTool(tools=[lookup_order])
for label, code in [
    ("honest", "print(lookup_order(1))"),
    ("forged", 'print(lookup_order(1, ctx="admin"))'),
]:
    e = asyncio.run(tool.codeact.execute(code))
    print(label, "->", e.ok, e.error)

ca = CodeAct(tools=[find])
e = asyncio.run(ca.execute('print(find("q", state={"user": "admin", "role": "root"}))'))
print("state ->", e.ok, e.error)
