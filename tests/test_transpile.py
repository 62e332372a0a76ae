"""The transpiler: call_tool("t", ...) -> t(...), lines kept, positions mapped back."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codeact_verify.toolcheck import example_specs
from codeact_verify.transpile import transpile

SPECS = example_specs()


def out(code: str) -> str:
    return transpile(code, SPECS).code


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ('w = call_tool("get_weather", city="x")\n', 'w = get_weather(city="x")\n'),
        ('w = call_tool("get_weather" , city="x")\n', 'w = get_weather(city="x")\n'),
        ('w = call_tool("get_weather",)\n', "w = get_weather()\n"),
        ('w = call_tool("get_weather")\n', "w = get_weather()\n"),
        ('w = call_tool( "get_" "weather", "x")\n', 'w = get_weather("x")\n'),
        ('p = call_tool("lookup", name="Ada")\n', 'p = lookup(name="Ada")\n'),
        (
            'w = call_tool("get_weather", city=call_tool("lookup", name="a"))\n',
            'w = get_weather(city=lookup(name="a"))\n',
        ),
        (
            'w = call_tool(  # which tool\n  "get_weather",  # this one\n  city="x")\n',
            'w = get_weather(\n\ncity="x")\n',
        ),
        ('w = call_tool(\\\n"get_weather", city="x")\n', 'w = get_weather(\ncity="x")\n'),
        ('é = "é"; w = call_tool("get_weather", city="é")\r\nx = 1', None),
    ],
)
def test_rewrites(code: str, expected: str | None) -> None:
    result = transpile(code, SPECS)
    if expected is not None:
        assert result.code == expected
    assert len(result.code.splitlines()) == len(code.splitlines())
    ast.parse(result.code)
    assert result.rewritten


@pytest.mark.parametrize(
    "code",
    [
        'w = call_tool("nope", city="x")\n',  # unknown tool: the guest reports it at run time
        't = "get_weather"\nw = call_tool(t, city="x")\n',  # computed name
        'w = call_tool(f"get_weather", city="x")\n',
        'w = (call_tool)("get_weather", city="x")\n',
        'w = call_tool(("get_weather"), city="x")\n',
        'def get_weather(c):\n    return c\nw = call_tool("get_weather", city="x")\n',
        'def f(get_weather):\n    return call_tool("get_weather", city="x")\n',
        'call_tool = print\ncall_tool("get_weather", city="x")\n',
        'w = call_tool(*["get_weather"], city="x")\n',
        'w = call_tool(city="x")\n',
        "w = obj.call_tool('get_weather')\n",
        "x = 'call_tool(\"get_weather\")'\n",
    ],
)
def test_left_alone(code: str) -> None:
    result = transpile(code, SPECS)
    assert result.code == code
    assert result.rewritten == ()


def test_syntax_error_is_returned_unchanged() -> None:
    result = transpile("def f(:\n", SPECS)
    assert result.code == "def f(:\n"
    assert result.position_map.to_original(1, 3) == (1, 3)


def test_position_map_round_trip() -> None:
    code = 'a = 1; w = call_tool("get_weather", city=3); b = call_tool("lookup", name=a)\n'
    result = transpile(code, SPECS)
    assert result.code == "a = 1; w = get_weather(city=3); b = lookup(name=a)\n"
    pm = result.position_map
    for token in ("3", "b =", "name=a", "a = 1"):
        assert pm.to_original(1, result.code.index(token)) == (1, code.index(token))
        assert pm.to_transpiled(1, code.index(token)) == (1, result.code.index(token))
    # a position inside the rewritten callee maps to the start of call_tool
    assert pm.to_original(1, result.code.index("get_weather") + 3) == (1, code.index("call_tool"))


def test_position_map_across_kept_line_breaks() -> None:
    code = 'w = call_tool(\n    "get_weather",\n    city=3,\n)\nz = 1\n'
    result = transpile(code, SPECS)
    lines = result.code.splitlines()
    assert len(lines) == 5
    row = next(i for i, line in enumerate(lines) if "city=3" in line) + 1
    assert result.position_map.to_original(row, lines[row - 1].index("3")) == (3, 9)
    assert result.position_map.to_original(5, 0) == (5, 0)


def test_transpiled_program_runs_with_the_same_traceback_line() -> None:
    code = 'x = 1\nw = call_tool(\n  "get_weather",\n  city="x")\nraise ValueError(w)\n'
    result = transpile(code, SPECS)
    namespace = {"get_weather": lambda city: {"city": city}}
    with pytest.raises(ValueError) as info:
        exec(compile(result.code, "<model>", "exec"), namespace)
    assert info.traceback[-1].lineno + 1 == 5  # pytest's lineno is 0-based


# -- property: every parsable program with call_tool calls transpiles to valid Python ---------
TOOLS = [*sorted(SPECS), "unknown_tool"]
SPACE = st.sampled_from(["", " ", "  ", "\n", "\n    ", " # note\n  ", "\\\n", "\t"])
STRINGS = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='\\"\r\n\x00'),
    max_size=6,
)


@st.composite
def tool_calls(draw: st.DrawFn, depth: int = 0) -> str:
    tool = draw(st.sampled_from(TOOLS))
    quote = draw(st.sampled_from(['"', "'", '"""']))
    name = f"{quote}{tool}{quote}"
    if draw(st.booleans()):
        half = len(tool) // 2
        gap = draw(st.sampled_from(["", " ", "\t"]))
        name = f'"{tool[:half]}"{gap}"{tool[half:]}"'
    args: list[str] = []
    for _ in range(draw(st.integers(0, 2))):
        if depth < 2 and draw(st.integers(0, 4)) == 0:
            value = draw(tool_calls(depth + 1))
        else:
            value = repr(draw(st.one_of(STRINGS, st.integers(-5, 5), st.none())))
        args.append(draw(st.sampled_from([f"city={value}", value, f"name={value}"])))
    seps = [draw(SPACE) for _ in range(len(args) + 3)]
    trailing = draw(st.sampled_from(["", ","])) if args or draw(st.booleans()) else ""
    parts = [f"{seps[0]}{name}"] + [f"{seps[i + 1]}{a}" for i, a in enumerate(args)]
    return f"call_tool({','.join(parts)}{trailing}{seps[-1]})"


@st.composite
def programs(draw: st.DrawFn) -> str:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        call = draw(tool_calls())
        text = draw(STRINGS)
        form = draw(st.integers(0, 5))
        if form == 0:
            lines.append(f"x = {call}")
        elif form == 1:
            lines.append(f"for c in [{text!r}]:\n    y = [{call}, {text!r}]")
        elif form == 2:
            lines.append(f"def f(c):\n    return {call}")
        elif form == 3:
            lines.append(f"s = {text!r}; print({call}, s)")
        elif form == 4:
            lines.append(f"if {text!r}:\n    pass\nelse:\n    z = {{'k': {call}}}")
        else:
            lines.append(f"w = lambda: {call}  # {text}")
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join("\n".join(lines).split("\n")) + draw(st.sampled_from(["", newline]))


class _Expected(ast.NodeTransformer):
    """The transpiler's contract, on the AST: call_tool("known", *rest) -> known(*rest)."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if (
            isinstance(node.func, ast.Name)
            and node.func.id == "call_tool"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value in SPECS
        ):
            return ast.Call(ast.Name(node.args[0].value, ast.Load()), node.args[1:], node.keywords)
        return node


def _statement_lines(tree: ast.AST) -> list[int]:
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.stmt)]


@settings(max_examples=150, deadline=None)
@given(programs())
def test_transpile_output_parses_and_keeps_lines(code: str) -> None:
    try:
        original = ast.parse(code)
    except SyntaxError:  # the generator can make a bad program (e.g. a comment eating a paren)
        return
    result = transpile(code, SPECS)
    tree = ast.parse(result.code)
    assert len(result.code.splitlines()) == len(code.splitlines())
    assert _statement_lines(tree) == _statement_lines(original)
    assert ast.dump(tree) == ast.dump(_Expected().visit(original))
