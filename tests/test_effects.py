"""Effects: which tools a program may call, where, and whether a call may repeat."""

from __future__ import annotations

from codeact_verify.diagnostics import Effect
from codeact_verify.effects import compute_effects
from codeact_verify.toolcheck import example_specs


def effects(code: str) -> dict[str, Effect]:
    found = compute_effects(code, example_specs())
    return {e.tool: e for e in found}


def sites(code: str, tool: str) -> list[tuple[int, int, bool, bool]]:
    return [(s.line, s.col, s.in_loop, s.in_function) for s in effects(code)[tool].sites]


def test_straight_line_calls() -> None:
    code = 'w = call_tool("get_weather", city="a")\nr = get_exchange_rate(base="a", quote="b")\n'
    found = effects(code)
    assert list(found) == ["get_weather", "get_exchange_rate"]
    assert sites(code, "get_weather") == [(1, 4, False, False)]
    assert sites(code, "get_exchange_rate") == [(2, 4, False, False)]
    assert found["get_weather"].to_dict()["in_loop"] is False


def test_loops_and_comprehensions() -> None:
    code = (
        "for c in ['a', 'b']:\n"
        "    get_weather(city=c)\n"
        "while False:\n"
        "    lookup(name='x')\n"
        "rates = [get_exchange_rate(base=b, quote='EUR') for b in ['USD']]\n"
    )
    assert sites(code, "get_weather") == [(2, 4, True, False)]
    assert sites(code, "lookup") == [(4, 4, True, False)]
    assert sites(code, "get_exchange_rate") == [(5, 9, True, False)]


def test_the_loop_iterable_runs_once() -> None:
    code = (
        "for c in lookup(name='x') or []:\n"
        "    print(c)\n"
        "xs = [c for c in get_weather(city='a')]\n"
        "for i in range(2):\n"
        "    pass\n"
        "else:\n"
        "    get_exchange_rate(base='a', quote='b')\n"
    )
    assert sites(code, "lookup") == [(1, 9, False, False)]
    assert sites(code, "get_weather") == [(3, 17, False, False)]
    assert sites(code, "get_exchange_rate")[0][2] is False


def test_function_called_once_vs_in_a_loop() -> None:
    once = "def f(c):\n    return get_weather(city=c)\nf('a')\n"
    assert sites(once, "get_weather") == [(2, 11, False, True)]
    looped = "def f(c):\n    return get_weather(city=c)\nfor c in 'ab':\n    f(c)\n"
    assert sites(looped, "get_weather") == [(2, 11, True, True)]
    twice = "def f(c):\n    return get_weather(city=c)\nf('a')\nf('b')\n"
    assert sites(twice, "get_weather")[0][2] is True
    mapped = "def f(c):\n    return get_weather(city=c)\nxs = list(map(f, 'ab'))\n"
    assert sites(mapped, "get_weather")[0][2] is True


def test_function_passed_to_map_or_called_from_a_looping_function() -> None:
    mapped = "def f(c):\n    return get_weather(city=c)\nxs = sorted('ab', key=lambda c: f(c))\n"
    assert sites(mapped, "get_weather")[0][2] is True
    chain = (
        "def inner(c):\n    return lookup(name=c)\n"
        "def outer(cs):\n    return [inner(c) for c in cs]\n"
        "outer(['a'])\n"
    )
    assert sites(chain, "lookup")[0][2] is True
    recursive = "def r(n):\n    lookup(name='x')\n    return r(n - 1) if n else 0\nr(3)\n"
    assert sites(recursive, "lookup")[0][2] is True


def test_lambda_counts_as_repeating() -> None:
    code = "xs = sorted(['a'], key=lambda c: get_exchange_rate(base=c, quote='x'))\n"
    assert sites(code, "get_exchange_rate") == [(1, 33, True, True)]


def test_batch_entries() -> None:
    code = (
        "rs = call_tools([('get_weather', {'city': 'a'}), ('lookup', {'name': 'b'})])\n"
        "rs2 = call_tools([('get_weather', {'city': c}) for c in 'xy'])\n"
    )
    # a batch entry's position is its (name, arguments) pair
    assert sites(code, "get_weather") == [(1, 17, False, False), (2, 18, True, False)]
    assert sites(code, "lookup") == [(1, 49, False, False)]


def test_unknown_or_computed_tools_are_not_effects() -> None:
    code = "t = 'get_weather'\ncall_tool(t, city='a')\ncall_tool('nope')\nprint(1)\n"
    assert effects(code) == {}


def test_program_own_function_with_a_tool_name_is_not_an_effect() -> None:
    code = "def lookup(name):\n    return name\nlookup('x')\n"
    assert effects(code) == {}


def test_describe_for_an_approver() -> None:
    code = "for c in 'ab':\n    get_weather(city=c)\nlookup(name='x')\n"
    described = [
        e.describe()
        for e in compute_effects(code, example_specs())
    ]
    assert described == ["get_weather: line 2 (in a loop)", "lookup: line 3"]
