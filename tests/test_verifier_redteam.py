"""Red-team findings 03, 06, 08 and 10 against the verifier: each attack refused, the
legitimate program next to it still accepted."""

from __future__ import annotations

from codeact_verify import verify
from codeact_verify.diagnostics import Diagnostic
from codeact_verify.rules.source import MAX_LAMBDA_CALL_NESTING
from codeact_verify.typecheck import KnownSpans
from codeact_verify.verifier import MAX_DIAGNOSTICS


def search(query: str, **filters: int) -> str:
    """Search with integer filters."""
    return "ok"


def codes(report: object) -> list[str]:
    return [d.code for d in report.diagnostics]  # type: ignore[attr-defined]


# --- finding 08: a CV611 warning must not displace mypy's CV701 error -------------------------
def test_any_keyword_tool_with_wrong_value_type_is_an_error() -> None:
    report = verify('print(search(query="q", year="DROP TABLE"))\n', tools=[search])
    assert not report.ok
    assert "CV701" in codes(report)
    assert any(d.severity == "error" for d in report.diagnostics)


def test_any_keyword_tool_with_right_value_type_is_accepted_with_a_warning() -> None:
    report = verify('print(search(query="q", year=2020))\n', tools=[search])
    assert report.ok, report.render_for_model()
    assert codes(report) == ["CV611"]


def _diag(line: int, col: int, end_col: int, severity: str) -> Diagnostic:
    return Diagnostic("CV000", "x", "m", line, col, line, end_col, None, severity)  # type: ignore[arg-type]


def test_known_spans_only_let_as_severe_diagnostics_hide_a_finding() -> None:
    warning = KnownSpans([_diag(1, 5, 20, "warning")])
    assert not warning.covers(_diag(1, 10, 15, "error"))
    assert warning.covers(_diag(1, 10, 15, "warning"))
    error = KnownSpans([_diag(1, 5, 20, "error")])
    assert error.covers(_diag(1, 10, 15, "error"))
    assert not error.covers(_diag(2, 10, 15, "error"))  # another line
    assert not error.covers(_diag(1, 20, 25, "error"))  # ends before


# --- finding 10: diagnostic flood ------------------------------------------------------------
def test_a_flood_of_undefined_names_is_capped_and_skips_the_type_check() -> None:
    lines = [
        "print(" + ", ".join(f"v{i}" for i in range(k * 20, k * 20 + 20)) + ")" for k in range(40)
    ]
    report = verify("\n".join(lines) + "\n", tools=[])
    assert not report.ok
    assert len(report.diagnostics) == MAX_DIAGNOSTICS + 1
    last = report.diagnostics[-1]
    assert last.severity == "error" and "750 more" in last.message
    assert not any(d.code.startswith("CV7") for d in report.diagnostics)
    assert len(report.render_for_model()) < 20_000


def test_a_program_with_few_problems_keeps_them_all() -> None:
    report = verify("print(a, b, c)\n", tools=[])
    assert codes(report) == ["CV104"] * 3


def test_a_rule_error_skips_mypy_but_a_clean_program_is_type_checked() -> None:
    assert codes(verify("import os\nx: int = 'a'\n", tools=[])) == ["CV108"]
    # tool-call errors alone keep the type check: both problems show in one turn
    both = codes(verify('search(query=3)\nx: int = "a"\n', tools=[search]))
    assert "CV607" in both and "CV706" in both, both
    assert codes(verify("x: int = 'a'\n", tools=[])) == ["CV706"]


# --- finding 06: string forward references in typing subscripts ------------------------------
def test_typing_string_forward_references_are_refused() -> None:
    for program in [
        'import typing\nT = typing.Optional["int"]\n',
        'from typing import List\nx: List["x"] = []\n',
        'from typing import Union\nT = Union["a", int]\n',
    ]:
        report = verify(program, tools=[], types=False)
        assert codes(report) == ["CV112"], program
        assert "Optional[int]" in (report.diagnostics[0].hint or "")


def test_typing_forms_without_strings_and_literals_are_accepted() -> None:
    program = (
        "import typing\nfrom typing import Optional, Literal\n"
        "x: Optional[int] = None\nm: Literal['a', 'b'] = 'a'\nT = typing.List[int]\n"
        "print(x, m, T)\n"
    )
    assert verify(program, tools=[]).ok


# --- finding 03: nested lambda-taking calls -------------------------------------------------
def _nested(depth: int) -> str:
    expr = "x"
    for i in range(depth):
        expr = f"max(map(lambda a{i}: {expr}, x))"
    return f"x = [1, 2, 3]\ny = {expr}\nprint(y)\n"


def test_deeply_nested_lambda_calls_are_refused_before_mypy() -> None:
    report = verify(_nested(8), tools=[])
    assert codes(report) == ["CV004"]
    assert "def" in (report.diagnostics[0].hint or "")


def test_sibling_nested_lambda_calls_are_refused() -> None:
    expr = "x"
    for i in range(MAX_LAMBDA_CALL_NESTING + 1):
        expr = f"list(map(lambda a{i}: a{i}, {expr}))"
    report = verify(f"x = [1]\ny = {expr}\n", tools=[], types=False)
    assert codes(report) == ["CV004"]


def test_lambda_calls_within_the_bound_are_accepted() -> None:
    report = verify(
        "rows = [[3, 1], [2]]\n"
        "print(sorted(rows, key=lambda r: max(map(lambda v: v * 2, r))))\n",
        tools=[],
    )
    assert report.ok, report.render_for_model()
    assert verify(_nested(MAX_LAMBDA_CALL_NESTING), tools=[], types=False).ok
