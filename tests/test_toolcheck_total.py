"""Totality: tool checks, effects, transpiler and type check never raise on program input."""

from __future__ import annotations

import ast
import warnings

import hypothesmith
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codeact_verify.effects import compute_effects
from codeact_verify.toolcheck import check_tool_calls, example_specs
from codeact_verify.transpile import transpile
from codeact_verify.typecheck import typecheck

SPECS = example_specs()


def _parses(code: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(hypothesmith.from_grammar())
def test_static_passes_are_total_on_valid_python(code: str) -> None:
    tree = _parses(code)
    if tree is None:
        return
    for diagnostic in check_tool_calls(code, SPECS, tree=tree):
        assert diagnostic.line >= 1 and diagnostic.col >= 0
    compute_effects(code, SPECS, tree=tree)
    result = transpile(code, SPECS)
    assert len(result.code.splitlines()) == len(code.splitlines())


@settings(max_examples=20, deadline=None)
@given(st.one_of(st.text(max_size=80), hypothesmith.from_grammar().map(lambda c: c[:400])))
def test_typecheck_is_total(code: str) -> None:
    for diagnostic in typecheck(code, SPECS):
        assert diagnostic.rule == "types" and diagnostic.line >= 1 and diagnostic.col >= 0
