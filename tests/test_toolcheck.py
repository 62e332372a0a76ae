"""Tool-call checks (CV601-CV610): misuses caught, legitimate calls passed."""

from __future__ import annotations

import datetime
import enum
from typing import Annotated, Literal

import pytest
from pydantic import Field

from codeact_verify.diagnostics import Diagnostic
from codeact_verify.toolcheck import CHECKS, ToolCheck, check_tool_calls, example_specs
from codeact_verify.tools import ToolSpec, tool_specs
from codeact_verify.verifier import verify


def check(code: str, specs: dict[str, ToolSpec] | None = None) -> list[Diagnostic]:
    return check_tool_calls(code, example_specs() if specs is None else specs)


def codes(code: str, specs: dict[str, ToolSpec] | None = None) -> list[str]:
    return [d.code for d in check(code, specs)]


EXAMPLES = [(c, v, True) for c in CHECKS for v in c.valid] + [
    (c, v, False) for c in CHECKS for v in c.invalid
]


@pytest.mark.parametrize(
    ("rule", "program", "valid"),
    EXAMPLES,
    ids=[f"{c.code}-{'valid' if ok else 'invalid'}-{i}" for i, (c, _, ok) in enumerate(EXAMPLES)],
)
def test_documented_examples(rule: ToolCheck, program: str, valid: bool) -> None:
    found = check(program)
    if valid:
        assert found == [], found
    else:
        assert rule.code in [d.code for d in found], found
        hit = next(d for d in found if d.code == rule.code)
        assert hit.rule == rule.name
        assert hit.severity == rule.severity


def test_every_check_has_examples_and_a_unique_code() -> None:
    assert len({c.code for c in CHECKS}) == len(CHECKS)
    for c in CHECKS:
        assert c.code.startswith("CV6")
        assert c.valid and c.invalid, c.code


def test_computed_name_is_rejected_with_the_tool_list() -> None:
    (d,) = check('t = "get_weather"\nw = call_tool(t, city="x")\n')
    assert (d.code, d.line, d.col, d.end_line, d.end_col) == ("CV601", 2, 14, 2, 15)
    assert d.hint is not None and "get_weather" in d.hint and "lookup" in d.hint


def test_fstring_name_is_a_computed_name() -> None:
    assert codes('k = "weather"\nw = call_tool(f"get_{k}", city="x")\n') == ["CV601"]


def test_unknown_tool_gets_did_you_mean() -> None:
    (d,) = check('w = call_tool("get_wheather", city="x")\n')
    assert d.code == "CV602" and d.hint is not None and "'get_weather'" in d.hint
    assert (d.line, d.col) == (1, 14)


def test_unknown_direct_name_is_not_a_tool_call() -> None:
    # an undefined plain name is the type checker's business, not a tool check
    assert codes("w = get_wheather(city='x')\n") == []


def test_tool_parameter_called_name() -> None:
    assert codes('p = call_tool("lookup", name="Ada")\n') == []
    assert codes('p = call_tool("lookup", "Ada")\n') == []
    assert codes('p = lookup(name="Ada")\n') == []
    assert codes('p = call_tool("lookup")\n') == ["CV604"]


def test_unknown_keyword_hint_and_no_duplicate_missing_report() -> None:
    found = check('w = call_tool("get_weather", citty="Paris")\n')
    assert [d.code for d in found] == ["CV603"], found
    assert found[0].hint is not None and "did you mean 'city'" in found[0].hint


def test_repeated_keyword() -> None:
    # ast.parse accepts it (compile() would not): reported as a duplicate argument
    assert codes('w = call_tool("get_weather", city="a", city="b")\n') == ["CV606"]


def test_positions_and_tree_can_be_passed_in() -> None:
    import ast

    code = 'é = 1; w = call_tool("get_weather", city=3)\n'
    found = check_tool_calls(code, example_specs(), tree=ast.parse(code))
    assert [(d.code, d.line, d.col, d.end_col) for d in found] == [
        ("CV607", 1, code.index("3"), code.index("3") + 1)
    ]


def test_all_problems_of_one_call_are_listed() -> None:
    found = codes('r = call_tool("convert", 1, [2], 3, amount="x", extra=1)\n')
    # [2] is not a list[str]; 3 is one positional too many; amount is given twice; no `extra`
    assert sorted(found) == ["CV603", "CV605", "CV606", "CV607"], found


def _only_pos(a: str, /, b: int = 0, *, c: bool = False) -> str:
    return a


async def _fetch(url: str, timeout: float = 5.0) -> str:
    return url


def test_parameter_kinds_are_honoured() -> None:
    specs = tool_specs([ToolSpec.from_callable(_only_pos, name="only_pos")])
    assert codes('x = only_pos("a", 1, c=True)\n', specs) == []
    assert sorted(codes('x = only_pos(a="a")\n', specs)) == ["CV603"]  # one problem, one report
    assert codes('x = only_pos("a", 1, True)\n', specs) == ["CV605"]
    assert codes('x = call_tool("only_pos", "a", c=1)\n', specs) == ["CV607"]


def test_async_tool_is_checked_like_a_sync_one() -> None:
    specs = tool_specs([ToolSpec.from_callable(_fetch, name="fetch")])
    assert codes('t = fetch(url="https://x", timeout=2)\n', specs) == []
    assert codes("t = fetch(url=1)\n", specs) == ["CV607"]


@pytest.mark.parametrize(
    "program",
    [
        'w = call_tool("get_weather", city=None)\n',
        'w = call_tool("get_weather", city=["Paris"])\n',
        'w = call_tool("get_weather", city={"a": 1})\n',
        'w = call_tool("get_weather", city=True)\n',
        'w = call_tool("get_weather", city="x", units="C")\n',
        'r = call_tool("get_exchange_rate", base=b"USD", quote="EUR")\n',
        'r = call_tool("convert", amount=-1.5j, currencies=["x"])\n',
        'r = call_tool("convert", amount=1, currencies=[["USD"]])\n',
        # a bool is not a number once it crosses as JSON: the guest and the host refuse it
        'r = call_tool("convert", amount=True, currencies=[])\n',
    ],
)
def test_wrong_literal_types(program: str) -> None:
    assert codes(program) == ["CV607"]


@pytest.mark.parametrize(
    "program",
    [
        'r = call_tool("convert", amount=-2, currencies=["USD"])\n',  # int where float
        # a tuple crosses as a JSON array, which a list parameter takes (mypy may still object)
        'r = call_tool("convert", amount=1, currencies=("USD",))\n',
        'w = call_tool("get_weather", city=f"{1}", units="f")\n',
        'w = call_tool("get_weather", city="a" "b")\n',
        'c = "x"\nw = call_tool("get_weather", city=c)\n',  # not a literal: mypy's job
        'w = get_weather(*["Paris", "c"])\n',
        'w = get_weather(**{"city": "Paris"})\n',
    ],
)
def test_fitting_or_unknown_values_pass(program: str) -> None:
    assert codes(program) == []


def test_literal_splats_are_checked() -> None:
    assert codes('w = get_weather(**{"city": 3})\n') == ["CV607"]
    assert sorted(codes('w = get_weather(**{"town": "x"})\n')) == ["CV603", "CV604"]
    assert codes('w = get_weather(*["a", "c", 1])\n') == ["CV605"]


def test_opaque_splats_are_errors_with_the_keyword_form_and_skip_missing_check() -> None:
    # the verdict rule: arguments that cannot be checked before running are rejected
    found = check('kw = {"city": "x"}\nw = call_tool("get_weather", **kw)\n')
    assert [(d.code, d.severity) for d in found] == [("CV608", "error")]
    want = 'pass each argument by keyword: call_tool("get_weather", city=..., units=...)'
    assert found[0].hint == want
    found = check('a = ["x"]\nw = get_weather(*a)\n')
    assert [(d.code, d.severity) for d in found] == [("CV608", "error")]
    assert found[0].hint == "pass each argument by keyword: get_weather(city=..., units=...)"


def test_call_tools_pair_without_a_dict_literal_is_an_error() -> None:
    found = check('a = {"city": "x"}\nrs = call_tools([("get_weather", a)])\n')
    assert [(d.code, d.severity) for d in found] == [("CV608", "error")]
    assert found[0].hint == 'spell them out: ("get_weather", {"city": ..., "units": ...})'


def test_positional_only_tool_parameter_by_position_is_accepted() -> None:
    def lookup(name: str, /) -> str:
        """Find a person."""
        return name

    specs = {"lookup": ToolSpec.from_callable(lookup)}
    report = verify('print(call_tool("lookup", "Ada"), lookup("Bob"))\n', specs)
    assert report.ok, report.render_for_human()
    found = check_tool_calls('print(call_tool("lookup", name="Ada"))\n', specs)
    assert [d.code for d in found] == ["CV603"]
    assert "positional-only" in found[0].message


def test_nested_calls_are_all_checked() -> None:
    found = check('w = call_tool("get_weather", city=call_tool("lookup", nam="x"))\n')
    assert [d.code for d in found] == ["CV603"]
    assert found[0].col == 54


def test_calls_inside_functions_comprehensions_and_lambdas() -> None:
    program = (
        "def f(c):\n"
        '    return call_tool("get_weather", citi=c)\n'
        'ws = [get_weather(c, "k") for c in ["a"]]\n'
        'g = lambda: call_tool("nope")\n'
    )
    assert codes(program) == ["CV603", "CV607", "CV602"]


def test_program_defining_a_tool_name_calls_its_own_function() -> None:
    program = "def get_weather(c, d):\n    return c\nw = get_weather(1, 2)\n"
    assert codes(program) == []
    # ...and a variable or parameter of that name counts too
    assert codes("lookup = print\nlookup(1, 2, 3)\n") == []
    assert codes("def f(lookup):\n    return lookup(1, 2)\n") == []


def test_call_tool_still_checked_when_tool_name_is_shadowed() -> None:
    program = 'def get_weather(c):\n    return c\nw = call_tool("get_weather", city=3)\n'
    assert codes(program) == ["CV607"]


def test_rebinding_call_tool_is_rejected_everywhere() -> None:
    for program in [
        "call_tool = print\n",
        "def f(call_tool):\n    return 1\n",
        "for call_tool in []:\n    pass\n",
        "import json as call_tools\n",
        "with open('x') as call_tool:\n    pass\n",
        "[1 for call_tool in range(3)]\n",
        "(call_tool := 1)\n",
    ]:
        assert "CV610" in codes(program), program


def test_call_tool_as_a_value_is_rejected_but_attributes_and_keywords_are_not() -> None:
    assert codes("x = [call_tool]\n") == ["CV609"]
    assert codes("x = call_tools\n") == ["CV609"]
    assert codes("d = dict(call_tool=1)\nprint(d)\n") == []
    assert codes("import json\nx = json.call_tool\n") == []


def test_batch_calls() -> None:
    ok = (
        'rs = call_tools([("get_weather", {"city": "a"}), ("lookup", {"name": "b"})])\n'
        'rs2 = call_tools([("get_weather", {"city": c}) for c in ["x", "y"]])\n'
    )
    assert codes(ok) == []
    assert codes('rs = call_tools([("get_weather", {"city": 1})])\n') == ["CV607"]
    assert codes('rs = call_tools([("get_weather", {})])\n') == ["CV604"]
    assert codes('rs = call_tools([("nope", {})])\n') == ["CV602"]
    assert codes('t = "lookup"\nrs = call_tools([(t, {"name": "x"})])\n') == ["CV601"]
    assert codes("rs = call_tools([1, 2])\n") == ["CV601"]
    assert codes('rs = call_tools([("lookup", kw)])\n') == ["CV608"]


def test_no_tools_registered() -> None:
    (d,) = check('x = call_tool("get_weather", city="x")\n', {})
    assert d.code == "CV602" and d.hint is not None and "no tools" in d.hint


def test_positions_are_the_model_s_own() -> None:
    program = 'x = 1\nif x:\n    w = call_tool(\n        "get_weather",\n        cty="a",\n    )\n'
    (d,) = check(program)
    assert (d.code, d.line, d.col, d.end_line, d.end_col) == ("CV603", 5, 8, 5, 15)


def _pick(kind: Literal["a", "b"], n: int = 1) -> list[str]:
    return [kind] * n


def test_enum_parameter() -> None:
    specs = tool_specs([ToolSpec.from_callable(_pick, name="pick")])
    assert codes('x = pick(kind="a", n=2)\n', specs) == []
    assert codes('x = pick(kind="c")\n', specs) == ["CV607"]
    assert codes("x = pick(kind=1)\n", specs) == ["CV607"]


class _Color(str, enum.Enum):  # noqa: UP042 (as tool authors write it)
    RED = "red"
    BLUE = "blue"


def _paint(
    code: Annotated[str, Field(pattern=r"^[A-Z]{3}$")],
    color: _Color = _Color.RED,
    when: datetime.date | None = None,
    coats: Annotated[int, Field(ge=1, le=3)] = 1,
    tags: set[str] | None = None,
    /,
) -> str:
    return code


def _label(item: str, /, color: str = "blue", **labels: str) -> str:
    return item


def test_enum_date_and_constraints_are_checked_on_literals() -> None:
    specs = tool_specs([ToolSpec.from_callable(_paint, name="paint")])
    good = 'x = call_tool("paint", "ABC", "blue", "2024-03-01", 2, {"a", "b"})\n'
    assert codes(good, specs) == []
    assert codes('x = paint(f"{1}")\n', specs) == []  # an f-string: its value is unknown
    for bad in (
        'x = paint("abc")\n',  # pattern
        'x = paint("ABC", "green")\n',  # not an Enum value
        'x = paint("ABC", "red", "March 1")\n',  # not an ISO date
        'x = paint("ABC", "red", None, 4)\n',  # > le
        'x = paint("ABC", "red", None, True)\n',  # a bool is not a JSON integer
        'x = paint("ABC", "red", None, 1, {1})\n',  # set of str
    ):
        assert codes(bad, specs) == ["CV607"], bad
    assert codes('x = paint(code="ABC")\n', specs) == ["CV603"]  # positional-only


def test_any_keyword_tools_warn_only() -> None:
    specs = tool_specs([ToolSpec.from_callable(_label, name="label")])
    assert codes('x = label("a", color="red")\n', specs) == []
    found = check('x = label("a", colour="red", size="L")\n', specs)
    assert [(d.code, d.severity) for d in found] == [("CV611", "warning")]
    assert "'colour', 'size'" in found[0].message
    assert codes('x = label(item="a")\n', specs) == ["CV603"]  # positional-only
