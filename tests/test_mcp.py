"""MCP both ways, with real MCP server processes from the official SDK (stdio and 127.0.0.1):
an MCP server's tools become typed, verified CodeAct tools; `codeact-verify mcp` serves
`execute_code` and `verify` to any MCP client."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("mcp")

from mcp import Client, StdioServerParameters

from codeact_verify import CodeAct
from codeact_verify.adapters.mcp_client import MCPTools
from codeact_verify.adapters.mcp_tools import (
    python_name,
    schema_type_source,
    tool_spec_from_json_schema,
)
from codeact_verify.errors import CodeActError, ToolSpecError

HERE = Path(__file__).resolve().parent
WEATHER_SERVER = str(HERE / "mcp_weather_server.py")
TOOLS_FILE = str(HERE / "corpus" / "tools.py")


# --- JSON schema -> typed stubs ---------------------------------------------------------------
def _noop(**_: Any) -> None:
    return None


def test_schema_types_become_stub_types() -> None:
    cases = {
        "str": {"type": "string"},
        "int": {"type": "integer"},
        "float": {"type": "number"},
        "bool": {"type": "boolean"},
        "None": {"type": "null"},
        "Literal['a', 'b']": {"type": "string", "enum": ["a", "b"]},
        "Literal[3]": {"const": 3},
        "list[str]": {"type": "array", "items": {"type": "string"}},
        "list[Any]": {"type": "array"},
        "dict[str, float]": {"type": "object", "additionalProperties": {"type": "number"}},
        "dict[str, Any]": {"type": "object"},
        "str | None": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "int | str": {"type": ["integer", "string"]},
        "Any": {"anyOf": [{"type": "string"}, {}]},
    }
    for expected, schema in cases.items():
        assert schema_type_source(schema)[0] == expected, schema


def test_objects_become_typeddicts_and_refs_are_followed() -> None:
    schema = {
        "type": "object",
        "properties": {
            "where": {"$ref": "#/$defs/Place"},
            "tags": {"type": "array", "items": {"$ref": "#/$defs/Place"}},
        },
        "required": ["where"],
        "$defs": {
            "Place": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "zip": {"type": "string"}},
                "required": ["city"],
            }
        },
    }
    spec = tool_spec_from_json_schema(
        "plan",
        schema,
        func=_noop,
        output_schema={"type": "object", "properties": {"ok": {"type": "boolean"}}},
    )
    assert spec.signature_source == (
        "def plan(where: Place, tags: list[Place] = ...) -> PlanResult:"
    )
    assert "class Place(TypedDict):\n    city: str\n    zip: NotRequired[str]" in spec.structs
    assert "class PlanResult(TypedDict):\n    ok: NotRequired[bool]" in spec.structs
    assert spec.param_names == ("where", "tags")
    assert spec.parameters["required"] == ["where"] and "$defs" in spec.parameters


def test_defaults_and_docstring_reach_the_stub() -> None:
    spec = tool_spec_from_json_schema(
        "get_forecast",
        {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer", "default": 3}},
            "required": ["city"],
        },
        func=_noop,
        description='Forecast. Says """ safely.',
    )
    assert spec.signature_source == "def get_forecast(city: str, days: int = 3) -> Any:"
    compile(spec.stub(), "<stub>", "exec")


def test_unusable_names_are_errors_or_made_usable() -> None:
    assert python_name("get-forecast") == "get_forecast"
    assert python_name("2fa.check") == "t_2fa_check"
    assert python_name("class") == "class_"
    with pytest.raises(ToolSpecError):
        tool_spec_from_json_schema("not-a-name", {"type": "object"}, func=_noop)
    with pytest.raises(ToolSpecError, match="not a Python identifier"):
        tool_spec_from_json_schema(
            "t", {"type": "object", "properties": {"from-date": {"type": "string"}}}, func=_noop
        )
    with pytest.raises(ToolSpecError, match="object"):
        tool_spec_from_json_schema("t", {"type": "string"}, func=_noop)


def test_a_recursive_schema_terminates() -> None:
    schema = {
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
            }
        },
        "$ref": "#/$defs/Node",
    }
    text, structs = schema_type_source(schema)
    assert text == "Node" and structs == ["class Node(TypedDict):\n    children: "
                                          "NotRequired[list[Node]]"]


# --- (a) an MCP server's tools in our programs ----------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _http_process(args: list[str], port: int) -> Iterator[str]:
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 600  # the server warms up first (may build the guest)
        while True:
            if proc.poll() is not None:
                raise AssertionError(proc.stderr.read().decode() if proc.stderr else "exited")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise AssertionError("the MCP server did not start listening")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def weather() -> Iterator[MCPTools]:
    with MCPTools.stdio(sys.executable, [WEATHER_SERVER]) as tools:
        yield tools


def test_stdio_tools_are_listed_with_typed_stubs(weather: MCPTools) -> None:
    assert weather.server_name == "weather"
    assert list(weather.specs) == ["get_forecast", "list_cities", "fail"]  # "list-cities"
    forecast = weather.specs["get_forecast"]
    assert forecast.signature_source == (
        "def get_forecast(city: str, days: int = 1, unit: Literal['c', 'f'] = 'c') -> Forecast:"
    )
    assert any(s.startswith("class Forecast(TypedDict):") for s in forecast.structs)
    assert weather.call("get_forecast", city="oslo", days=2)["high_c"] == 26.0


def test_programs_call_mcp_tools_in_the_sandbox(weather: MCPTools) -> None:
    with CodeAct(tools=weather.specs) as codeact:
        assert "def get_forecast(city: str" in codeact.instructions
        execution = codeact.execute_sync(
            'f = get_forecast(city="Oslo", days=2)\n'
            'print(f["city"], f["high_c"], len(f["conditions"]), list_cities()["result"])\n'
            'try:\n    fail(reason="x")\nexcept ToolError as e:\n    print("failed:", e.tool)\n'
        )
    assert execution.ok, execution.error
    assert execution.stdout == "Oslo 26.0 2 Oslo,Lima,Perth\nfailed: fail\n"
    assert [c.name for c in execution.tool_calls] == ["get_forecast", "list_cities", "fail"]


def test_a_type_error_against_an_mcp_tool_is_caught_before_running(weather: MCPTools) -> None:
    with CodeAct(tools=weather.specs) as codeact:
        execution = codeact.execute_sync(
            'f = get_forecast(city="Oslo", days="two", unit="kelvin")\nprint(f["low_c"])\n'
        )
    assert execution.rejected and execution.tool_calls == []
    text = execution.report.render_for_model()
    assert "3 problem" in text and "days" in text and "unit" in text and "low_c" in text


def test_streamable_http_server_tools(tmp_path: Path) -> None:
    port = _free_port()
    with (
        _http_process([sys.executable, WEATHER_SERVER, "http", str(port)], port) as url,
        MCPTools.http(url, prefix="wx_", include=["get_forecast"]) as tools,
        CodeAct(tools=tools.specs) as codeact,
    ):
        assert list(tools.specs) == ["wx_get_forecast"]
        execution = codeact.execute_sync('print(wx_get_forecast(city="Lima")["high_c"])\n')
        assert execution.ok and execution.stdout == "25.0\n"


def test_an_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(CodeActError, match="cannot connect to the MCP server") as refused:
        MCPTools.http(f"http://127.0.0.1:{_free_port()}/mcp", timeout_s=10)
    assert "TaskGroup" not in str(refused.value) and "ConnectError" in str(refused.value)


def test_a_server_that_exits_at_start_names_the_cause_not_a_task_group() -> None:
    """A server whose import fails (e.g. `from mcp.server.fastmcp import FastMCP` under mcp 2.x)
    said only "ExceptionGroup: unhandled errors in a TaskGroup (1 sub-exception)"."""
    with pytest.raises(CodeActError, match="cannot connect to the MCP server") as exited:
        MCPTools.stdio(sys.executable, ["-c", "raise SystemExit(3)"], timeout_s=60)
    message = str(exited.value)
    assert "TaskGroup" not in message and "ExceptionGroup" not in message
    assert "Connection closed" in message


# --- (b) codeact-verify mcp: our tools to any MCP client --------------------------------------
async def _use_our_server(target: Any) -> dict[str, Any]:
    async with Client(target, read_timeout_seconds=600) as client:
        listed = await client.list_tools()
        tools = {t.name: t for t in listed.tools}
        ran = await client.call_tool(
            "execute_code", {"code": 'w = get_weather(city="Paris")\nprint(w["city"])\n'}
        )
        bad = await client.call_tool(
            "execute_code", {"code": 'print(get_weather(city="Paris")["temp"])\n'}
        )
        checked = await client.call_tool("verify", {"code": 'get_weather(city=3)\n'})
        return {"tools": tools, "ran": ran, "bad": bad, "checked": checked}


def _check_our_server(out: dict[str, Any]) -> None:
    tools = out["tools"]
    assert set(tools) == {"execute_code", "verify"}
    assert "def get_weather(city: str" in tools["execute_code"].description
    ran, bad, checked = out["ran"], out["bad"], out["checked"]
    assert not ran.is_error and ran.content[0].text == "Paris"
    assert bad.is_error and "Nothing ran" in bad.content[0].text and "temp" in bad.content[0].text
    assert checked.structured_content["ok"] is False
    assert checked.structured_content["diagnostics"][0]["line"] == 1


def test_mcp_command_over_stdio() -> None:
    params = StdioServerParameters(  # our environment: the same guest cache as this process
        command=sys.executable,
        args=["-m", "codeact_verify", "mcp", "--tools", TOOLS_FILE],
        env=dict(os.environ),
    )
    _check_our_server(asyncio.run(_use_our_server(params)))


def test_mcp_command_over_streamable_http() -> None:
    port = _free_port()
    args = [sys.executable, "-m", "codeact_verify", "mcp", "--tools", TOOLS_FILE, "--http"]
    with _http_process([*args, "--port", str(port)], port) as url:
        _check_our_server(asyncio.run(_use_our_server(url)))


def test_mcp_command_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    from codeact_verify.cli import main

    assert main(["mcp", "--tools", "/nonexistent/tools.py"]) == 2
    assert "tools file not found" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["mcp", "--help"])
    assert exc.value.code == 0


# --- (c) check/run --mcp: an MCP server's tools from the command line -------------------------
def _cli(args: list[str], program: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "prog.py"
    path.write_text(program)
    return subprocess.run(
        [sys.executable, "-m", "codeact_verify", *args, str(path)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )


def test_run_and_check_take_an_mcp_server_as_tools(tmp_path: Path) -> None:
    server = f"{sys.executable} {WEATHER_SERVER}"
    good = 'f = get_forecast(city="Oslo", days=2)\nprint(f["city"], f["high_c"])\n'
    ran = _cli(["run", "--mcp", server], good, tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "Oslo 26.0\n"
    checked = _cli(["check", "--json", "--mcp", server], good, tmp_path)
    assert checked.returncode == 0, checked.stderr
    # typed from the server's schema: a wrong argument type is rejected before running
    bad = _cli(["run", "--mcp", server], 'print(get_forecast(city="Oslo", days="two"))\n', tmp_path)
    assert bad.returncode == 1 and "days" in bad.stderr and bad.stdout == ""
    # --tools and --mcp combine
    (tmp_path / "local_tools.py").write_text(
        "def add(a: int, b: int) -> int:\n    return a + b\n"
    )
    both = _cli(
        ["run", "--tools", str(tmp_path / "local_tools.py"), "--mcp", server],
        'print(add(a=1, b=2), list_cities()["result"])\n',
        tmp_path,
    )
    assert both.returncode == 0, both.stdout + both.stderr
    assert both.stdout == "3 Oslo,Lima,Perth\n"
    clash = _cli(["check", "--tools", TOOLS_FILE, "--mcp", server], "print(1)\n", tmp_path)
    assert clash.returncode == 2 and "two tools are named 'get_forecast'" in clash.stderr


def test_mcp_option_usage_errors(tmp_path: Path) -> None:
    unreachable = _cli(
        ["check", "--mcp", f"http://127.0.0.1:{_free_port()}/mcp"], "print(1)\n", tmp_path
    )
    assert unreachable.returncode == 2 and "cannot connect to the MCP server" in unreachable.stderr
    unbalanced = _cli(["run", "--mcp", "python 'unclosed"], "print(1)\n", tmp_path)
    assert unbalanced.returncode == 2 and "not a command line" in unbalanced.stderr
    server = f"{sys.executable} {WEATHER_SERVER}"
    twice = _cli(["check", "--mcp", server, "--mcp", server], "print(1)\n", tmp_path)
    assert twice.returncode == 2 and "two tools are named" in twice.stderr
    # without --tools or --mcp, a program calling a tool is a usage error naming both
    none = _cli(["check"], 'print(get_forecast(city="Oslo"))\n', tmp_path)
    assert none.returncode == 2 and "--tools" in none.stderr and "--mcp" in none.stderr
