"""Nothing unchecked reaches a tool: the guest checks the JSON copy it sends, and the host checks
again with pydantic before calling, so each layer holds alone (the host is tested here with a
guest that sends whatever it likes; the guest with the verifier off)."""

from __future__ import annotations

import concurrent.futures
import enum
import json
import time
from typing import Any, Literal

import pytest
from test_sandbox_support import make_sandbox, run

from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host.bridge import RunBridge
from codeact_verify.host.limits import Limits
from codeact_verify.tools import tool_specs

RECEIVED: list[tuple[str, Any]] = []


class Unit(str, enum.Enum):  # noqa: UP042 (as tool authors write it)
    C = "c"
    F = "f"


def set_units(units: Literal["c", "f"]) -> str:
    """Set the display units."""
    RECEIVED.append(("set_units", units))
    return units


def set_unit_enum(unit: Unit = Unit.C) -> str:
    """Set the unit."""
    RECEIVED.append(("set_unit_enum", unit))
    return unit.value


def place_order(quantities: dict[str, int]) -> int:
    """Place an order."""
    RECEIVED.append(("place_order", quantities))
    return sum(quantities.values())


def lookup(name: str, /) -> str:
    """Find a person."""
    RECEIVED.append(("lookup", name))
    return name.upper()


TOOLS = [set_units, set_unit_enum, place_order, lookup]


def _bridge() -> RunBridge:
    pool = concurrent.futures.ThreadPoolExecutor(2)
    return RunBridge(tool_specs(TOOLS), Limits(), None, time.monotonic() + 30, None, pool)


@pytest.mark.parametrize(
    ("tool", "arguments", "needle"),
    [
        ("set_units", {"units": "kelvin"}, "units"),
        ("set_units", {"units": 1}, "units"),
        ("set_units", {}, "units"),
        ("set_units", {"units": "c", "extra": 1}, "extra"),
        ("set_unit_enum", {"unit": "kelvin"}, "unit"),
        ("place_order", {"quantities": {"A1": "2; DROP TABLE orders", "x": [1, 2]}}, "A1"),
        ("place_order", {"quantities": {"A1": True}}, "A1"),
        ("lookup", {"name": 12345}, "name"),
    ],
)
def test_host_refuses_what_a_guest_sends_unchecked(tool: str, arguments: Any, needle: str) -> None:
    RECEIVED.clear()
    ok, payload = _bridge().call_tool(tool, json.dumps(arguments))
    assert not ok and RECEIVED == []
    error = json.loads(payload)
    assert error["kind"] == "tool" and tool in error["message"] and needle in error["message"]


def test_host_converts_and_calls_positional_only_by_position() -> None:
    RECEIVED.clear()
    bridge = _bridge()
    assert bridge.call_tool("lookup", '{"name": "Ada"}') == (True, '"ADA"')
    assert bridge.call_tool("set_unit_enum", '{"unit": "f"}') == (True, '"f"')
    assert RECEIVED == [("lookup", "Ada"), ("set_unit_enum", Unit.F)]
    assert type(RECEIVED[1][1]) is Unit


@pytest.fixture(scope="module")
def sb():  # type: ignore[no-untyped-def]
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(reason)
    sandbox = make_sandbox()
    yield sandbox
    sandbox.close()


def _only_valid_values_arrived() -> None:
    for tool, value in RECEIVED:
        if tool == "set_units":
            assert type(value) is str and value in ("c", "f"), value
        if tool == "place_order":
            assert type(value) is dict
            assert all(type(k) is str and type(v) is int for k, v in value.items()), value


def test_positional_only_tool_runs_end_to_end(sb) -> None:  # type: ignore[no-untyped-def]
    RECEIVED.clear()
    r = run(sb, 'print(call_tool("lookup", "Ada"), lookup("Bo"))', TOOLS)
    assert r.ok, r.error
    assert r.stdout == "ADA BO\n"


def test_str_subclass_with_eq_does_not_deliver_unchecked_data(sb) -> None:  # type: ignore[no-untyped-def]
    # issue 10 item 1, verifier off: a str whose __eq__ says yes to every Literal member
    RECEIVED.clear()
    program = (
        'u = "_"\n'
        "T = type(int)\n"
        'S = T("S", (str,), {u + u + "eq" + u + u: lambda self, other: True,'
        ' u + u + "hash" + u + u: lambda self: 0})\n'
        'print(set_units(units=S("kelvin")))\n'
    )
    r = run(sb, program, TOOLS)
    assert not r.ok
    _only_valid_values_arrived()
    assert RECEIVED == []


def test_container_that_changes_between_looks_does_not_deliver_unchecked_data(sb) -> None:  # type: ignore[no-untyped-def]
    # issue 10 item 10, verifier off: .items answers differently on each call
    RECEIVED.clear()
    program = (
        "import collections\n"
        "calls = [0]\n"
        "def fake_items():\n"
        "    calls[0] += 1\n"
        "    if calls[0] == 1:\n"
        '        return [("A1", 2)]\n'
        '    return [("A1", "2; DROP TABLE orders"), ("extra", [1, 2, 3])]\n'
        "q = collections.Counter()\n"
        'q["A1"] = 2\n'
        "try:\n"
        "    q.items = fake_items\n"
        "except Exception as exc:\n"
        '    print("refused")\n'
        "try:\n"
        "    print(place_order(quantities=q))\n"
        "    print(call_tools([('place_order', {'quantities': q})]))\n"
        "except TypeError as exc:\n"
        '    print("TypeError")\n'
    )
    r = run(sb, program, TOOLS)
    assert r.ok, r.error
    _only_valid_values_arrived()
    assert "TypeError" in r.stdout or "refused" in r.stdout  # the changed answer was caught
