"""The verdict rule: one example per class gets its code and severity; warnings still run."""

from __future__ import annotations

import pytest

from codeact_verify.tools import tool_specs
from codeact_verify.verdict import EXAMPLES, Example, example_tools, lenient_stubs, widen
from codeact_verify.verifier import verify

SPECS = tool_specs(example_tools())


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.what for e in EXAMPLES])
def test_each_class_gets_its_verdict(example: Example) -> None:
    report = verify(example.program, SPECS)
    found = {(d.code, d.severity) for d in report.diagnostics}
    assert (example.code, example.severity) in found, report.render_for_human()
    if example.severity == "warning":
        assert report.ok, report.render_for_human()
        assert all(d.severity == "warning" for d in report.diagnostics)
    else:
        assert not report.ok
        (d,) = [d for d in report.diagnostics if d.code == example.code]
        assert d.hint, "every definite misuse comes with a one-line fix"


def test_the_reference_weather_task_is_accepted() -> None:
    code = (
        'seattle = call_tool("get_weather", city="Seattle")\n'
        'amsterdam = call_tool("get_weather", city="Amsterdam")\n'
        'diff = seattle["temperature_c"] - amsterdam["temperature_c"]\n'
        "print(f\"Seattle {seattle['temperature_c']}, Amsterdam {amsterdam['temperature_c']}, "
        'diff {diff:+.1f}")\n'
    )
    report = verify(code, SPECS)
    assert report.ok, report.render_for_human()


def test_strict_mode_makes_every_finding_an_error() -> None:
    from codeact_verify.typecheck import typecheck

    code = 'd = {"a": 1.5, "b": 2.5}\nprint(max(d, key=d.get))\n'
    assert {d.severity for d in typecheck(code, SPECS)} == {"warning"}
    assert {d.severity for d in typecheck(code, SPECS, strict=True)} == {"error"}


def test_lenient_stubs_widen_unions_literals_and_object_but_keep_none() -> None:
    import ast

    def w(text: str, parameter: bool) -> str:
        return ast.unparse(widen(ast.parse(text, mode="eval").body, parameter=parameter))

    assert w("dict[str, float | str]", False) == "dict[str, Any]"
    assert w("User | None", False) == "User | None"
    assert w("float | str | None", False) == "Any | None"
    assert w("Literal['c', 'f'] | None", True) == "str | None"
    assert w("list[Literal[1, 2]]", True) == "list[int]"
    assert w("dict[str, object]", False) == "dict[str, Any]"
    text = lenient_stubs("def f(u: Literal['a']) -> int | str: ...\n")
    assert text.strip() == "def f(u: str) -> Any:\n    ..."


def test_a_grammar_can_ask_for_mypy_strictness(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from importlib.resources import files

    from codeact_verify.grammar import load_grammar

    default = files("codeact_verify.grammars").joinpath("default.toml").read_text("utf-8")
    path = tmp_path / "strict_types.toml"
    path.write_text(default + "\n\n[types]\nstrict = true\n", encoding="utf-8")
    grammar = load_grammar(path)
    assert grammar.strict_types and not load_grammar("default").strict_types
    code = 'd = {"a": 1.5, "b": 2.5}\nprint(max(d, key=d.get))\n'
    assert verify(code, SPECS).ok
    assert not verify(code, SPECS, grammar=grammar).ok


def test_the_constant_folder_follows_final_names_in_any_scope() -> None:
    # the fuzz campaign's "renest" mutation wraps a program in a function: still refused
    code = "def f():\n    from typing import Final\n    N: Final = 40\n    return 2 ** 2 ** N\n"
    report = verify(code, SPECS, types=False)
    assert [d.code for d in report.errors] == ["CV004"]
    loop = "x = 3\nfor i in range(3):\n    x = x * x\nprint(2 ** x)\n"  # bound twice: runtime's
    assert verify(loop, SPECS, types=False).ok
