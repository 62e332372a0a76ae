"""The OpenAI-compatible agent loop against the scripted server over real HTTP."""

from __future__ import annotations

import asyncio

import pytest
from fakellm import call_code, call_tool_turn, fakellm, say, tool_messages  # noqa: F401

from codeact_verify.cli.demo import BAD_PROGRAM, PROGRAM, TASK, demo_script
from codeact_verify.codeact import CodeAct
from codeact_verify.demo.tools import SIX_TOOLS
from codeact_verify.errors import CodeActError
from codeact_verify.openai import CodeActAgent


@pytest.fixture(scope="module")
def codeact() -> CodeAct:
    with CodeAct(tools=SIX_TOOLS) as ca:
        yield ca


def run(codeact: CodeAct, server, task: str = TASK, **kwargs):  # type: ignore[no-untyped-def]
    agent = CodeActAgent(codeact, model="scripted", base_url=server.base_url, **kwargs)
    return agent.run_sync(task)


def test_demo_conversation(codeact: CodeAct, fakellm) -> None:  # noqa: F811
    server = fakellm({TASK: demo_script()})
    result = run(codeact, server)
    assert result.stop_reason == "answer" and result.turns == 2
    (execution,) = result.executions
    assert execution.ok, execution.error
    assert [c.arguments["city"] for c in execution.tool_calls] == ["Seattle", "Amsterdam"]
    assert "Seattle: 11.0 °C" in result.answer and "Seattle is warmer by 2.0 °C" in result.answer
    first = server.requests[0]
    assert first["messages"][0] == {"role": "system", "content": codeact.instructions}
    assert [t["function"]["name"] for t in first["tools"]] == ["execute_code"]
    assert result.usage["total_tokens"] == server.usage["total_tokens"] > 0


def test_rejection_then_fix(codeact: CodeAct, fakellm) -> None:  # noqa: F811
    server = fakellm({TASK: demo_script(show_rejection=True)})
    result = run(codeact, server)
    assert result.turns == 3
    rejected, fixed = result.executions
    assert rejected.error.kind == "rejected" and rejected.tool_calls == []
    assert rejected.code == BAD_PROGRAM and fixed.code == PROGRAM
    assert fixed.ok
    feedback = tool_messages(server)[0]
    diag = rejected.report.errors[0]
    assert f"line {diag.line}, col {diag.col + 1}" in feedback
    assert "location" in feedback and "Nothing ran." in feedback
    assert "warmer" in result.answer


BAD_TURNS = [
    (call_tool_turn("execute_code", "{not json"), "not valid JSON"),
    (call_tool_turn("execute_code", {}), "`code` field is missing"),
    (call_tool_turn("execute_code", {"code": ["print(1)"]}), "`code` must be a string"),
    (call_tool_turn("execute_code", {"code": "print(1)", "timeout": 5}), "unexpected field(s)"),
    (call_tool_turn("execute_code", {"code": "x = 1\n" * 20000}), "the limit is"),
    (call_tool_turn("run_python", {"code": "print(1)"}), "no tool named 'run_python'"),
]


def test_every_bad_output_gets_a_clear_result_and_the_loop_goes_on(
    codeact: CodeAct, fakellm  # noqa: F811
) -> None:
    turns = [turn for turn, _ in BAD_TURNS] + [call_code("print('fine')"), say("done")]
    server = fakellm(turns)
    result = run(codeact, server, task="anything")
    assert result.answer == "done"
    assert result.turns == len(BAD_TURNS) + 2
    for text, (_, expected) in zip(result.tool_results, BAD_TURNS, strict=False):
        assert expected in text, (expected, text)
    assert result.tool_results[-1] == "fine"
    assert len(result.executions) == 1


def test_max_turns_stops_the_loop(codeact: CodeAct, fakellm) -> None:  # noqa: F811
    server = fakellm([call_code("print(1)")] * 5)
    result = run(codeact, server, task="loop", max_turns=3)
    assert result.stop_reason == "max_turns" and result.turns == 3 and result.answer is None


def test_missing_key_for_a_real_endpoint_is_a_clear_error(
    codeact: CodeAct, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    with pytest.raises(CodeActError, match="NO_SUCH_KEY_VAR"):
        CodeActAgent(codeact, model="gpt", api_key_env="NO_SUCH_KEY_VAR")


def test_async_run_with_event_hook(codeact: CodeAct, fakellm) -> None:  # noqa: F811
    server = fakellm([call_code("print(6 * 7)"), say("42")])
    events: list[str] = []

    async def go():  # type: ignore[no-untyped-def]
        agent = CodeActAgent(
            codeact, model="m", base_url=server.base_url,
            on_event=lambda kind, data: events.append(kind),
        )
        try:
            return await agent.run("compute")
        finally:
            await agent.aclose()

    result = asyncio.run(go())
    assert result.answer == "42"
    assert events == ["model", "execution", "model"]
