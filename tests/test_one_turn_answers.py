"""One-turn answers: `final_answer(text)` in the sandbox ends the agent loop without another
model turn, in CodeAct, the OpenAI-compatible loop and the Agent Framework provider."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fakellm import ScriptedServer, call_code, say

from codeact_verify import CodeAct
from codeact_verify.demo.tools import get_weather
from codeact_verify.openai import CodeActAgent
from codeact_verify.tools import HELPERS_STUB, RESERVED_NAMES

PROGRAM = """\
w = get_weather(city="Seattle")
print("looked it up")
final_answer(f"Seattle: {w['temperature_c']} °C")
print("never printed")
"""


@pytest.fixture(scope="module")
def one_turn() -> Any:
    codeact = CodeAct(tools=[get_weather], one_turn_answers=True)
    yield codeact
    codeact.close()


def test_helper_is_declared_everywhere() -> None:
    from codeact_verify.grammar import load_grammar

    assert "final_answer" in RESERVED_NAMES
    assert "def final_answer(text: str) -> NoReturn" in HELPERS_STUB
    for profile in ("default", "strict"):
        assert "final_answer" in load_grammar(profile).sandbox_names


def test_instructions_mention_it_only_when_on(one_turn: CodeAct) -> None:
    assert "final_answer(text)" in one_turn.instructions
    with CodeAct(tools=[get_weather]) as plain:
        assert "final_answer" not in plain.instructions


def test_execution_says_it_is_final_and_the_program_stops(one_turn: CodeAct) -> None:
    execution = one_turn.execute_sync(PROGRAM)
    assert execution.ok and execution.is_final
    assert execution.final_answer == "Seattle: 11.0 °C"
    assert execution.stdout == "looked it up\n"  # nothing after final_answer ran
    assert one_turn.final_answer(execution) == "Seattle: 11.0 °C"
    assert execution.to_dict()["final_answer"] == "Seattle: 11.0 °C"
    text, _ = asyncio.run(one_turn.execute_code_tool.run({"code": PROGRAM}))
    assert "Final answer given:\nSeattle: 11.0 °C" in text


def test_a_non_string_answer_is_rejected_before_running(one_turn: CodeAct) -> None:
    execution = one_turn.execute_sync('final_answer(get_weather(city="Oslo")["temperature_c"])\n')
    assert execution.rejected and execution.final_answer is None
    assert "final_answer" in execution.error.message


def test_except_exception_does_not_swallow_it(one_turn: CodeAct) -> None:
    code = 'try:\n    final_answer("done")\nexcept Exception:\n    print("swallowed")\n'
    execution = one_turn.execute_sync(code)
    assert execution.is_final and execution.final_answer == "done"
    assert "swallowed" not in execution.stdout


def test_a_failed_program_gives_no_final_answer(one_turn: CodeAct) -> None:
    execution = one_turn.execute_sync('x = [1][int("3")]\nfinal_answer("unreachable")\n')
    assert not execution.ok and execution.final_answer is None
    assert one_turn.final_answer(execution) is None


def test_rebinding_the_helper_is_rejected(one_turn: CodeAct) -> None:
    assert not one_turn.verify("final_answer = print\n").ok


def test_off_by_default_the_answer_goes_back_to_the_model() -> None:
    with CodeAct(tools=[get_weather]) as codeact:
        execution = codeact.execute_sync(PROGRAM)
        assert execution.is_final  # the program gave one...
        assert codeact.final_answer(execution) is None  # ...but the loop does not end on it


def _loop(codeact: CodeAct, turns: list[Any]) -> tuple[Any, ScriptedServer]:
    server = ScriptedServer({"weather?": turns}).start()
    try:
        agent = CodeActAgent(codeact, model="scripted", base_url=server.base_url, api_key="x")
        return agent.run_sync("weather?"), server
    finally:
        server.stop()


def test_openai_loop_ends_without_a_second_model_turn(one_turn: CodeAct) -> None:
    run, _ = _loop(one_turn, [call_code(PROGRAM), say("the model should not be asked")])
    assert run.turns == 1 and run.stop_reason == "final_answer"
    assert run.answer == "Seattle: 11.0 °C"
    assert run.messages[-2]["role"] == "tool"
    assert run.messages[-1] == {"role": "assistant", "content": "Seattle: 11.0 °C"}


def test_openai_loop_without_the_option_takes_the_second_turn() -> None:
    with CodeAct(tools=[get_weather]) as codeact:
        run, _ = _loop(codeact, [call_code(PROGRAM), say("It is 11 °C.")])
    assert run.turns == 2 and run.stop_reason == "answer" and run.answer == "It is 11 °C."
    assert "Final answer given:" in run.tool_results[0]


def test_openai_loop_goes_on_after_a_rejected_program(one_turn: CodeAct) -> None:
    bad = 'final_answer(get_weather(city="Oslo")["temperature_c"])\n'
    run, _ = _loop(one_turn, [call_code(bad), call_code(PROGRAM), say("unused")])
    assert run.turns == 2 and run.answer == "Seattle: 11.0 °C"
    assert "Nothing ran" in run.tool_results[0]


def test_agent_framework_provider_ends_the_function_loop(one_turn: CodeAct) -> None:
    pytest.importorskip("agent_framework")
    from agent_framework import Agent
    from test_agent_framework_provider import ScriptedChatClient

    from codeact_verify.agent_framework import CodeActProvider

    provider = CodeActProvider(codeact=one_turn)
    client = ScriptedChatClient([("execute_code", {"code": PROGRAM}), "a second turn"])
    agent = Agent(client=client, context_providers=[provider])
    response = asyncio.run(agent.run("weather?"))
    assert len(client.requests) == 1  # the model was asked once
    assert response.text == "Seattle: 11.0 °C"
    assert client.turns == ["a second turn"]
    results = [c for m in response.messages for c in m.contents if c.type == "function_result"]
    assert results and "looked it up" in str(results[0].result)  # the tool's own result
    assert response.messages[-1].role == "assistant"


def test_run_command_prints_the_final_answer(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from codeact_verify.cli import main

    program = tmp_path / "p.py"
    program.write_text('print("working")\nfinal_answer("the answer is 42")\n')
    assert main(["run", str(program)]) == 0
    assert capsys.readouterr().out == "working\nthe answer is 42\n"
    assert main(["run", str(program), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["final_answer"] == "the answer is 42"


def test_agent_framework_provider_takes_the_keyword() -> None:
    pytest.importorskip("agent_framework")
    from agent_framework import Agent
    from test_agent_framework_provider import ScriptedChatClient

    from codeact_verify.agent_framework import CodeActProvider, ExecuteCodeTool

    provider = CodeActProvider(tools=[get_weather], one_turn_answers=True)
    assert provider.codeact.one_turn_answers
    assert "final_answer(text)" in provider.execute_code_tool.description
    client = ScriptedChatClient([("execute_code", {"code": PROGRAM}), "a second turn"])
    response = asyncio.run(Agent(client=client, context_providers=[provider]).run("weather?"))
    assert len(client.requests) == 1 and response.text == "Seattle: 11.0 °C"
    # off by default, and the keyword overrides a given CodeAct's setting when passed
    assert not CodeActProvider(tools=[get_weather]).codeact.one_turn_answers
    assert "final_answer(text)" not in ExecuteCodeTool(tools=[get_weather]).description
    given = CodeAct(tools=[get_weather], one_turn_answers=True)
    assert not CodeActProvider(codeact=given, one_turn_answers=False).codeact.one_turn_answers
