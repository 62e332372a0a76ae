"""Every rule's own examples are its tests: VALID programs pass clean, INVALID ones get its code."""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

import pytest

from codeact_verify.rules import REGISTRY, Rule
from codeact_verify.rules.docs import render_docs
from codeact_verify.tools import tool_specs
from codeact_verify.verifier import verify

RULES = sorted(REGISTRY.values(), key=lambda r: r.code)
ROOT = Path(__file__).resolve().parent.parent


class Weather(TypedDict):
    city: str
    temperature: float


def get_weather(city: str, units: str = "c") -> Weather:
    """The weather in a city."""
    return {"city": city, "temperature": 20.0}


def get_template(kind: str = "plain") -> str:
    """A text template (untrusted: it comes from a tool)."""
    return "{0}"


SPECS = tool_specs([get_weather, get_template])

VALID = [(r.code, i, code) for r in RULES for i, code in enumerate(r.VALID)]
INVALID = [(r.code, i, code) for r in RULES for i, code in enumerate(r.INVALID)]


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_rule_is_documented_by_examples(rule: type[Rule]) -> None:
    assert rule.VALID, f"{rule.code} has no VALID example"
    assert rule.INVALID, f"{rule.code} has no INVALID example"
    assert rule.code.startswith("CV") and rule.name and rule.message and rule.hint


@pytest.mark.parametrize(("code", "index", "program"), VALID, ids=[f"{c}-{i}" for c, i, _ in VALID])
def test_valid_example_passes_clean(code: str, index: int, program: str) -> None:
    report = verify(program, SPECS, grammar=REGISTRY[code].GRAMMAR, types=False)
    assert list(report.diagnostics) == [], report.render_for_human()


@pytest.mark.parametrize(
    ("code", "index", "program"), INVALID, ids=[f"{c}-{i}" for c, i, _ in INVALID]
)
def test_invalid_example_is_rejected_by_its_rule(code: str, index: int, program: str) -> None:
    for source in (program, program.encode("utf-8")):
        report = verify(source, SPECS, grammar=REGISTRY[code].GRAMMAR, types=False)
        assert not report.ok
        assert code in {d.code for d in report.diagnostics}, report.render_for_human()
    # One problem is reported once: no two diagnostics share the same span.
    spans = [(d.line, d.col, d.end_line, d.end_col) for d in report.diagnostics]
    assert len(spans) == len(set(spans)), report.render_for_human()


def test_rule_codes_and_names_are_unique() -> None:
    assert len({r.name for r in RULES}) == len(RULES)


def test_docs_are_up_to_date() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render_docs(), (
        "regenerate: python -m codeact_verify.rules --write docs/rules.md"
    )


# --- targeted cases beyond the examples ----------------------------------------------------


def codes(program: str | bytes, **kwargs: object) -> list[str]:
    return [d.code for d in verify(program, SPECS, types=False, **kwargs).diagnostics]  # type: ignore[arg-type]


def test_every_problem_in_one_pass() -> None:
    program = "import os\nx = ().__class__\nprint(eval('1'))\nclass A:\n    pass\n"
    assert codes(program) == ["CV108", "CV102", "CV103", "CV101"]


def test_positions_are_line_and_col_of_the_node() -> None:
    report = verify("x = 1\ny = x.__class__\n", types=False)
    (d,) = report.diagnostics
    assert (d.line, d.col, d.end_line, d.end_col) == (2, 6, 2, 15)


def test_syntax_error_position() -> None:
    (d,) = verify("x = 1\ny = (2,\n", types=False).diagnostics
    assert d.code == "CV001" and d.line == 2 and d.col == 4


def test_nfkc_normalised_names_are_seen_as_python_sees_them() -> None:
    assert codes("ｅｖａｌ('1')\n") == ["CV103"]
    assert codes("import ｏｓ\n") == ["CV108"]
    assert codes("x = [].𝒄𝒐𝒑𝒚()\nprint(x)\n") == []  # normalises to copy: allowed


def test_shadowing_a_forbidden_builtin_does_not_make_it_allowed() -> None:
    assert "CV103" in codes("def eval(s):\n    return s\nprint(eval('x'))\n")


def test_tool_names_cannot_be_rebound() -> None:
    assert "CV105" in codes("get_weather = print\n")
    assert "CV105" in codes("def f(get_weather):\n    return get_weather\n")


def test_module_alias_attribute_checks() -> None:
    assert codes("import json as j\nprint(j.dumps(1))\n") == []
    assert codes("import json as j\nprint(j.codecs)\n") == ["CV109"]
    assert codes("import json\nf = [json][0]\n") == ["CV109"]


def test_format_on_name_bound_twice_is_not_proven() -> None:
    assert codes("t = '{}'\nprint(t.format(1))\n") == []
    assert codes("t = '{}'\nt = t + '{}'\nprint(t.format(1, 2))\n") == ["CV110"]


def test_strict_grammar_is_stricter() -> None:
    program = "n = 0\nwhile n < 3:\n    n += 1\nprint('{}'.format(n))\n"
    assert codes(program) == []
    assert codes(program, grammar="strict") == ["CV101", "CV110"]


def test_syntax_newer_than_the_host_parser_is_rejected() -> None:
    # `type X = int` is 3.12 syntax: a syntax error on a 3.11 host, CV101 (type_alias) on newer
    assert not verify("type X = int\n", types=False).ok


def test_every_ast_node_class_is_classified_or_refused() -> None:
    import ast
    import inspect

    from codeact_verify.grammar import CORE_NODES, HEAD_NODES, SUB_NODES, load_grammar
    from codeact_verify.rules.base import Context
    from codeact_verify.rules.constructs import ConstructRule

    rule = ConstructRule(Context(load_grammar("default"), frozenset()))
    known = CORE_NODES | set(HEAD_NODES) | set(SUB_NODES)
    for name, cls in vars(ast).items():
        if inspect.isclass(cls) and issubclass(cls, ast.AST) and name not in known:
            handler = rule.handler_for(cls)
            assert handler is not None, name  # an unknown class gets the "unsupported" check
    for name in CORE_NODES | set(SUB_NODES):
        if hasattr(ast, name):
            assert name not in HEAD_NODES


def test_no_libcst_in_the_rules_or_the_verifier() -> None:
    package = ROOT / "codeact_verify"
    for path in [
        package / "verifier.py",
        package / "grammar.py",
        *(package / "rules").glob("*.py"),
    ]:
        text = path.read_text(encoding="utf-8")
        assert "import libcst" not in text and "from libcst" not in text, path


@pytest.mark.parametrize(
    ("program", "span"),
    [
        ("def get_weather(x):\n    return x\n", (1, 4, 1, 15)),
        ("def f(a, *call_tool):\n    return a\n", (1, 10, 1, 19)),
        ("import json as call_tools\n", (1, 15, 1, 25)),
        ("from json import __spec__\n", (1, 17, 1, 25)),
        ("from  os . path  import  join\n", (1, 6, 1, 15)),
        ("x = 'é'; y = x.__class__\n", (1, 15, 1, 24)),
        ("try:\n    pass\nexcept ValueError as ToolError:\n    pass\n", (3, 21, 3, 30)),
        ("match 1:\n    case int(gi_frame=g):\n        pass\n", (2, 13, 2, 21)),
    ],
)
def test_identifier_positions_are_character_spans(
    program: str, span: tuple[int, int, int, int]
) -> None:
    report = verify(program, SPECS, types=False)
    first = next(d for d in report.diagnostics if d.code.startswith("CV1"))  # not the tool checks
    assert (first.line, first.col, first.end_line, first.end_col) == span


def test_getattr_literal_routes_to_attribute_rules() -> None:
    assert codes("g = (i for i in [1])\nprint(getattr(g, 'gi_frame'))\n") == ["CV107"]
    assert codes("print(getattr(1, '_x'))\n") == ["CV107"]


def test_direct_call_with_a_typo_gets_did_you_mean_like_call_tool() -> None:
    def complete_task(task_id: int) -> bool:
        """Mark a task done."""
        return True

    specs = tool_specs([complete_task, get_weather])
    direct = verify("complete_tsak(task_id=1)\n", specs, types=False)
    generic = verify("call_tool('complete_tsak', task_id=1)\n", specs, types=False)
    (d,) = direct.diagnostics
    (g,) = generic.diagnostics
    assert d.code == "CV104" and "did you mean the tool 'complete_task'?" in (d.hint or "")
    assert "did you mean 'complete_task'?" in (g.hint or "")
    assert "did you mean the tool 'complete_task'" in direct.render_for_model()
    # other defined names are suggested too; nothing close, no suggestion
    near = verify("total = 1\nprint(totl)\n", specs, types=False).diagnostics[0]
    assert "did you mean 'total'?" in (near.hint or "")
    far = verify("print(zzzqqq)\n", specs, types=False).diagnostics[0]
    assert "did you mean" not in (far.hint or "")
