"""The facade end to end: verify -> transpile -> sandbox, the execute_code tool, the run log."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest

from codeact_verify.codeact import CodeAct
from codeact_verify.demo.tools import get_weather
from codeact_verify.runlog import RunLog

CALLS: list[str] = []


def counted_weather(city: str) -> float:
    """Temperature in a city."""
    CALLS.append(city)
    return 20.0


@pytest.fixture(scope="module")
def codeact() -> CodeAct:
    with CodeAct(tools=[get_weather, counted_weather]) as ca:
        yield ca


def test_verify_is_static(codeact: CodeAct) -> None:
    report = codeact.verify('counted_weather(city="Oslo")\n')
    assert report.ok
    assert [e.tool for e in report.effects] == ["counted_weather"]
    assert CALLS == []


def test_execute_runs_tools_in_the_sandbox(codeact: CodeAct) -> None:
    code = 'w = call_tool("get_weather", city="Paris")\nprint(w["conditions"])\n'
    result = asyncio.run(codeact.execute(code))
    assert result.ok, result.error
    assert result.stdout == "sunny\n"
    (call,) = result.tool_calls
    assert call.name == "get_weather" and call.arguments == {"city": "Paris"} and call.ok
    assert result.report is not None and result.report.ok
    assert {"verify_ms", "transpile_ms", "sandbox_ms", "total_ms"} <= set(result.timings)


def test_rejected_code_never_runs(codeact: CodeAct) -> None:
    CALLS.clear()
    result = codeact.execute_sync('counted_weather(city="Oslo")\nimport os\n')
    assert not result.ok and result.error.kind == "rejected"
    assert result.tool_calls == [] and CALLS == []
    assert result.report is not None and not result.report.ok
    assert result.error.line == result.report.errors[0].line


def test_tool_result_for_rejection_has_line_col_and_hint(codeact: CodeAct) -> None:
    text = codeact.execute_code_tool.call_sync(
        {"code": 'w = call_tool("get_weather", location="Oslo")\n'}
    )
    assert text.startswith("Rejected before running")
    assert "line 1, col" in text and "Nothing ran." in text


def test_tool_result_for_runtime_error_has_kind_and_line(codeact: CodeAct) -> None:
    text = codeact.execute_code_tool.call_sync(
        json.dumps({"code": 'print("before")\nx = 1 // 0\n'})
    )
    assert "before" in text
    assert "Error (runtime, line 2)" in text and "ZeroDivisionError" in text


def test_tool_result_for_silent_program(codeact: CodeAct) -> None:
    assert "Use print()" in codeact.execute_code_tool.call_sync({"code": "x = 1\n"})


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ({}, "`code` field is missing"),
        ({"code": 42}, "`code` must be a string, got int"),
        ({"code": None}, "`code` must be a string, got NoneType"),
        ({"code": "print(1)", "language": "python"}, "unexpected field(s): language"),
        ({"code": "   "}, "`code` is empty"),
    ],
)
def test_bad_arguments_get_a_clear_result(
    codeact: CodeAct, arguments: object, expected: str
) -> None:
    text, execution = asyncio.run(codeact.execute_code_tool.run(arguments))
    assert execution is None
    assert expected in text and "Nothing ran." in text


def test_code_over_the_size_limit(codeact: CodeAct) -> None:
    big = "x = 1\n" * (codeact.max_code_bytes // 6 + 10)
    text, execution = asyncio.run(codeact.execute_code_tool.run({"code": big}))
    assert execution is None
    assert f"the limit is {codeact.max_code_bytes} bytes" in text


def test_execute_code_tool_schema(codeact: CodeAct) -> None:
    tool = codeact.execute_code_tool.openai_tool()
    assert tool["function"]["name"] == "execute_code"
    params = tool["function"]["parameters"]
    assert params["required"] == ["code"] and params["additionalProperties"] is False


def test_run_log_writes_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    stream = io.StringIO()
    log = RunLog(path, stream=stream)
    with CodeAct(tools=[get_weather], run_log=log) as ca:
        ca.execute_sync('w = get_weather(city="Tokyo")\nprint(w["temperature_c"])\n')
        ca.execute_sync("import os\n")
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(lines) == 2 and stream.getvalue().count("\n") == 2
    ok, rejected = lines
    assert ok["code"].startswith("w = get_weather")
    assert ok["report"]["ok"] is True
    assert ok["tool_calls"][0]["arguments"] == {"city": "Tokyo"}
    assert ok["tool_calls"][0]["result"]["temperature_c"] == 18.0
    assert ok["outcome"]["ok"] is True and ok["outcome"]["stdout"] == "18.0\n"
    assert ok["timings"]["total_ms"] > 0
    assert rejected["outcome"]["error"]["kind"] == "rejected"
    assert rejected["report"]["diagnostics"]
    assert log.entries[1]["tool_calls"] == []


def test_run_log_path_argument(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "log.jsonl"
    with CodeAct(tools=[get_weather], run_log=path) as ca:
        ca.execute_sync("print(1)\n")
    assert json.loads(path.read_text())["outcome"]["stdout"] == "1\n"
