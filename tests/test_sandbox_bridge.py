"""The call_tool bridge: round trips, stubs checking types in the guest, ToolError, async
tools, batches running concurrently, non-JSON results."""

from __future__ import annotations

import asyncio
import threading
from typing import TypedDict

import pytest
from test_sandbox_support import make_sandbox, run, specs

from codeact_verify.host import ExecutionResult


class Weather(TypedDict):
    city: str
    temp: float
    tags: list[str]


def get_weather(city: str, units: str = "c") -> Weather:
    """Weather for a city."""
    if city == "Nowhere":
        raise ValueError("unknown city")
    return {"city": city, "temp": 21.5, "tags": [units, "☀"]}


def echo(data: dict) -> dict:
    """Echo back."""
    return data


def bad_result() -> str:
    """Returns something that is not JSON."""
    return object()  # type: ignore[return-value]


async def slow_async(x: int) -> int:
    """Async tool."""
    await asyncio.sleep(0)
    return x * 2


@pytest.fixture(scope="module")
def sb():
    sandbox = make_sandbox()
    yield sandbox
    sandbox.close()


def test_print(sb) -> None:
    r = run(sb, "print(1 + 1)")
    assert isinstance(r, ExecutionResult)
    assert r.ok and r.stdout == "2\n" and r.error is None


def test_tool_round_trip_typed_stub_and_call_tool(sb) -> None:
    r = run(
        sb,
        'w = get_weather("Paris")\nprint(w["temp"], w["tags"][1])\n'
        'print(call_tool("get_weather", "Oslo", units="f")["tags"])',
        [get_weather],
    )
    assert r.ok, r.error
    assert r.stdout == "21.5 ☀\n['f', '☀']\n"
    assert [c.arguments for c in r.tool_calls] == [
        {"city": "Paris"},
        {"city": "Oslo", "units": "f"},
    ]
    assert all(c.ok for c in r.tool_calls)


def test_nested_unicode_and_large_values(sb) -> None:
    program = (
        'data = {"a": [1, 2.5, None, True, {"b": "ünïcødé 🎉"}], "big": "x" * 200000}\n'
        "back = echo(data)\n"
        'print(back == data, len(back["big"]), back["a"][4]["b"])\n'
    )
    r = run(sb, program, [echo])
    assert r.ok, r.error
    assert r.stdout == "True 200000 ünïcødé 🎉\n"


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        ("get_weather(3)", "parameter 'city' expects str, got int"),
        ("get_weather('a', units=None)", "parameter 'units' expects str, got None"),
        ("get_weather()", "missing required argument 'city'"),
        ("get_weather('a', colour='red')", "unexpected keyword argument 'colour'"),
        ("get_weather('a', 'b', 'c')", "takes 2 positional argument(s) but 3 were given"),
        ("echo([1])", "parameter 'data' expects dict, got list"),
    ],
)
def test_wrong_types_stopped_in_guest(sb, call: str, needle: str) -> None:
    r = run(sb, call, [get_weather, echo])
    assert not r.ok and r.error is not None
    assert r.error.kind == "runtime" and "TypeError" in r.error.message
    assert needle in r.error.message
    assert r.error.line == 1
    assert r.tool_calls == []  # nothing crossed to the host


def test_tool_error_is_catchable(sb) -> None:
    program = (
        "try:\n"
        "    get_weather('Nowhere')\n"
        "except ToolError as e:\n"
        "    print('caught', e.tool, e.message)\n"
    )
    r = run(sb, program, [get_weather])
    assert r.ok, r.error
    assert r.stdout == "caught get_weather ValueError: unknown city\n"
    assert len(r.tool_calls) == 1 and not r.tool_calls[0].ok
    assert "unknown city" in (r.tool_calls[0].error or "")


def test_uncaught_tool_error_kind(sb) -> None:
    r = run(sb, "x = 1\nget_weather('Nowhere')\n", [get_weather])
    assert r.error is not None and r.error.kind == "tool" and r.error.line == 2


def test_unknown_tool(sb) -> None:
    r = run(sb, "call_tool('nope')", [get_weather])
    assert r.error is not None and r.error.kind == "tool"
    assert "no tool named 'nope'" in r.error.message


def test_non_json_result_is_clear_error(sb) -> None:
    r = run(
        sb, "try:\n    bad_result()\nexcept ToolError as e:\n    print(e.message)\n", [bad_result]
    )
    assert r.ok, r.error
    assert "not JSON" in r.stdout and "object" in r.stdout
    assert not r.tool_calls[0].ok


def test_async_tool_sync_and_async_entry(sb) -> None:
    r = run(sb, "print(slow_async(21))", [slow_async])
    assert r.ok and r.stdout == "42\n"

    async def main() -> ExecutionResult:
        return await sb.run("print(slow_async(4))", specs(slow_async))

    r2 = asyncio.run(main())
    assert r2.ok and r2.stdout == "8\n"


def test_async_tool_runs_on_callers_loop(sb) -> None:
    seen: list[asyncio.AbstractEventLoop] = []

    async def where() -> str:
        """Records its loop."""
        seen.append(asyncio.get_running_loop())
        return "ok"

    async def main() -> tuple[ExecutionResult, asyncio.AbstractEventLoop]:
        return await sb.run("print(where())", specs(where)), asyncio.get_running_loop()

    r, loop = asyncio.run(main())
    assert r.ok and seen == [loop]


def test_batch_sync_tools_run_concurrently(sb) -> None:
    barrier = threading.Barrier(3, timeout=5)

    def meet(i: int) -> int:
        """Only returns once three calls wait together."""
        barrier.wait()
        return i

    r = run(sb, "print(call_tools([('meet', {'i': i}) for i in range(3)]))", [meet])
    assert r.ok, r.error
    assert r.stdout == "[0, 1, 2]\n"


def test_batch_async_tools_gathered(sb) -> None:
    async def meet_async(i: int) -> int:
        """Waits until all three are in flight."""
        state["n"] += 1
        while state["n"] < 3:
            await asyncio.sleep(0.001)
        return i * 10

    state = {"n": 0}

    async def main() -> ExecutionResult:
        return await sb.run(
            "print(call_tools([('meet_async', {'i': i}) for i in range(3)]))", specs(meet_async)
        )

    r = asyncio.run(asyncio.wait_for(main(), 20))
    assert r.ok, r.error
    assert r.stdout == "[0, 10, 20]\n"


def test_batch_failures_each_their_own_tool_error(sb) -> None:
    program = (
        "res = call_tools([('get_weather', {'city': 'A'}), ('get_weather', {'city': 'Nowhere'}),"
        " ('get_weather', {'city': 'B'})], return_exceptions=True)\n"
        "print(['err' if isinstance(x, ToolError) else x['city'] for x in res])\n"
        "try:\n"
        "    call_tools([('get_weather', {'city': 'Nowhere'})])\n"
        "except ToolError as e:\n"
        "    print('raised', e.tool)\n"
    )
    r = run(sb, program, [get_weather])
    assert r.ok, r.error
    assert r.stdout == "['A', 'err', 'B']\nraised get_weather\n"
    assert [c.ok for c in r.tool_calls] == [True, False, True, False]


def test_batch_arguments_checked_in_guest(sb) -> None:
    r = run(sb, "call_tools([('get_weather', {'city': 1})])", [get_weather])
    assert r.error is not None and "parameter 'city' expects str" in r.error.message
    assert r.tool_calls == []


def test_no_state_leaks_between_runs(sb) -> None:
    assert run(sb, "x = 41\nprint(x)").ok
    r = run(sb, "print(x)")
    assert r.error is not None and r.error.kind == "runtime" and "NameError" in r.error.message
