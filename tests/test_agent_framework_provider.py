"""The Agent Framework adapter with the real agent-framework-core and a scripted chat client."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytest.importorskip("agent_framework")

from agent_framework import (
    Agent,
    BaseChatClient,
    ChatMiddlewareLayer,
    ChatResponse,
    Content,
    FunctionInvocationContext,
    FunctionInvocationLayer,
    FunctionTool,
    Message,
)
from agent_framework.observability import ChatTelemetryLayer

from codeact_verify.agent_framework import CodeActProvider
from codeact_verify.cli.demo import PROGRAM
from codeact_verify.demo.tools import get_weather

SENT: list[str] = []


def send_message(to: str, text: str) -> bool:
    """Send a message."""
    SENT.append(to)
    return True


class ScriptedChatClient(
    FunctionInvocationLayer, ChatMiddlewareLayer, ChatTelemetryLayer, BaseChatClient
):
    """Answers from a list of turns: a str is a text reply, (name, args) a function call."""

    def __init__(self, turns: list[Any]) -> None:
        super().__init__()
        self.turns = list(turns)
        self.requests: list[tuple[list[Message], dict[str, Any]]] = []

    async def _inner_get_response(self, *, messages: Any, stream: bool, options: Any, **kw: Any):
        self.requests.append((list(messages), dict(options)))
        turn = self.turns.pop(0)
        if isinstance(turn, str):
            return ChatResponse(messages=[Message(role="assistant", contents=[turn])])
        name, arguments = turn
        call = Content.from_function_call(
            call_id=f"call_{len(self.requests)}", name=name, arguments=arguments
        )
        return ChatResponse(messages=[Message(role="assistant", contents=[call])])


def _text(result: Content) -> str:
    """A function result's items as text: printed output, or the error's details."""
    parts = [
        (item.text if item.type == "text" else item.error_details or "") or ""
        for item in result.items or []
    ]
    return "".join(parts) if parts else str(result.result)


def results(client: ScriptedChatClient) -> list[str]:
    messages, _ = client.requests[-1]
    return [
        _text(c).rstrip("\n") for m in messages for c in m.contents if c.type == "function_result"
    ]


def test_provider_registers_execute_code_and_instructions_each_run() -> None:
    provider = CodeActProvider(tools=[get_weather], approval_mode="never_require")
    client = ScriptedChatClient([("execute_code", {"code": PROGRAM}), "compared"])
    agent = Agent(client=client, context_providers=[provider])
    response = asyncio.run(agent.run("Get the weather for Seattle and Amsterdam and compare them."))
    assert response.text == "compared"
    _, options = client.requests[0]
    assert [t.name for t in options["tools"]] == ["execute_code"]
    assert options["tools"][0].description == provider.codeact.instructions
    assert "execute_code" in options["instructions"]
    (result,) = results(client)
    assert "Seattle: 11.0 °C" in result and "Seattle is warmer by 2.0 °C" in result
    provider.codeact.close()


def test_rejected_code_reaches_the_model_with_diagnostics() -> None:
    provider = CodeActProvider(tools=[get_weather])
    client = ScriptedChatClient(
        [("execute_code", {"code": 'get_weather(place="Oslo")\n'}), "fixed it"]
    )
    asyncio.run(Agent(client=client, context_providers=[provider]).run("weather?"))
    (result,) = results(client)
    assert result.startswith("Rejected before running") and "line 1, col" in result
    provider.codeact.close()


SEND = 'send_message(to="ann", text="hi")\nprint("sent")\n'
WEATHER = 'print(get_weather(city="Paris")["conditions"])\n'


def _approval_agent(approve: bool | None, code: str = SEND, mode: str | None = None):  # type: ignore[no-untyped-def]
    provider = CodeActProvider(
        tools=[get_weather, FunctionTool(name="send_message", func=send_message,
                                         approval_mode="always_require")],
        approval_mode=mode,
    )
    client = ScriptedChatClient([("execute_code", {"code": code}), "ok"])
    agent = Agent(client=client, context_providers=[provider])
    session = agent.create_session()

    async def go() -> tuple[Any, Any]:
        first = await agent.run("do it", session=session)
        requests = first.user_input_requests
        if approve is None:
            return first, requests
        (request,) = requests
        assert request.function_call.name == "execute_code"
        assert request.function_call.arguments["code"] == code
        answer = Message(role="user", contents=[request.to_function_approval_response(approve)])
        return await agent.run(answer, session=session), requests

    try:
        response, requests = asyncio.run(go())
        return client, response, requests
    finally:
        provider.codeact.close()


def test_per_tool_approval_goes_through_agent_framework_and_runs_when_approved() -> None:
    SENT.clear()
    client, response, (request,) = _approval_agent(True)
    details = request.function_call.additional_properties["codeact"]
    assert details["tools_requiring_approval"] == ["send_message"]
    assert details["effects"][0]["tool"] == "send_message" and details["code"] == SEND
    assert response.text == "ok"
    assert results(client) == ["sent"]
    assert SENT == ["ann"]


def test_denied_approval_runs_nothing() -> None:
    SENT.clear()
    client, response, _ = _approval_agent(False)
    assert SENT == []
    assert response.text == "ok"
    assert "sent" not in results(client)


def test_block_that_cannot_call_the_approval_tool_runs_without_asking() -> None:
    client, response, requests = _approval_agent(None, code=WEATHER)
    assert requests == []
    assert response.text == "ok" and results(client) == ["sunny"]


def test_always_require_asks_for_every_block() -> None:
    _, _, requests = _approval_agent(None, code=WEATHER, mode="always_require")
    assert len(requests) == 1


def test_tools_can_change_between_runs() -> None:
    provider = CodeActProvider(tools=[get_weather])
    assert not provider.codeact.requires_approval
    provider.add_tools([FunctionTool(name="send_message", func=send_message,
                                     approval_mode="always_require")])
    assert provider.codeact.requires_approval
    assert "def send_message" in provider.codeact.instructions
    provider.remove_tool("send_message")
    assert not provider.codeact.requires_approval
    assert [s.name for s in provider.get_tools()] == ["get_weather"]
    assert provider.create_run_tool().approval_mode == "never_require"
    provider.codeact.close()


def test_run_tool_without_the_middleware_fails_closed() -> None:
    SENT.clear()
    provider = CodeActProvider(
        tools=[FunctionTool(name="send_message", func=send_message, approval_mode="always_require")]
    )
    tool = provider.create_run_tool()
    result = asyncio.run(tool.invoke(arguments={"code": SEND}))
    assert result[0].type == "error" and SENT == []
    assert "Approval denied" in str(result[0].error_details)
    provider.codeact.close()


def test_a_managed_tool_gets_a_real_invocation_context() -> None:
    """A tool written for Agent Framework with a `FunctionInvocationContext` parameter gets one
    on each call from the sandbox: its own name and arguments, and the agent run's runtime
    kwargs (as `FunctionTool.invoke` would give it); the model never sees the parameter."""
    seen: list[tuple[str, dict[str, Any], dict[str, Any]]] = []

    def lookup_order(order_id: int, ctx: FunctionInvocationContext) -> str:
        """Look an order up for the current user."""
        seen.append((ctx.function.name, dict(ctx.arguments), dict(ctx.kwargs)))
        return f"order {order_id} of {ctx.kwargs.get('user_id', 'nobody')}"

    async def lookup_async(order_id: int, ctx: FunctionInvocationContext) -> str:
        """The same, async."""
        return f"async {order_id} of {ctx.kwargs.get('user_id', 'nobody')}"

    provider = CodeActProvider(tools=[lookup_order, lookup_async])
    assert "ctx" not in provider.execute_code_tool.description
    code = "print(lookup_order(order_id=7))\nprint(lookup_async(order_id=8))\n"
    client = ScriptedChatClient([("execute_code", {"code": code}), "done"])
    agent = Agent(client=client, context_providers=[provider])
    asyncio.run(agent.run("orders?", function_invocation_kwargs={"user_id": "u-42"}))
    assert results(client) == ["order 7 of u-42\nasync 8 of u-42"]
    [(name, arguments, runtime)] = seen
    assert (name, arguments, runtime["user_id"]) == ("lookup_order", {"order_id": 7}, "u-42")
    # outside an agent run (the tool invoked directly) the context is still there, empty
    direct = asyncio.run(provider.execute_code_tool.invoke(arguments={"code": code}))
    assert "order 7 of nobody" in "".join(item.text or "" for item in direct)
