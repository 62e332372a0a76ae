"""`verify` end to end: bytes and text, every stage, totality on arbitrary input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codeact_verify import verifier
from codeact_verify.diagnostics import Report
from codeact_verify.rules.names import DunderRule
from codeact_verify.verifier import verify


def get_weather(city: str) -> dict[str, float]:
    """Weather."""
    return {"t": 1.0}


def test_accepts_a_realistic_program_with_types() -> None:
    program = (
        "import json\n"
        "cities = ['Paris', 'Oslo']\n"
        "temps = {c: call_tool('get_weather', city=c)['t'] for c in cities}\n"
        "best = max(temps, key=lambda c: temps[c])\n"
        "print(json.dumps({'best': best}))\n"
    )
    report = verify(program, [get_weather])
    assert report.ok and report.diagnostics == (), report.render_for_human()
    assert [e.tool for e in report.effects] == ["get_weather"]


def test_bytes_input_and_encodings() -> None:
    assert verify("print('é')\n".encode(), types=False).ok
    assert verify(b"\xef\xbb\xbfprint(1)\n", types=False).ok  # UTF-8 BOM
    report = verify(b"x = 1\nprint('\xff')\n", types=False)
    (d,) = report.diagnostics
    assert (d.code, d.line) == ("CV002", 2)
    report = verify(b"# coding: latin-1\nx = 1\n", types=False)
    assert [d.code for d in report.diagnostics] == ["CV002"]


def test_lone_surrogate_in_text() -> None:
    assert [d.code for d in verify("x = '\ud800'\n", types=False).diagnostics] == ["CV002"]


def test_nul_bytes_reported_with_other_problems() -> None:
    codes = [d.code for d in verify("x = 1\x00\nimport os\n", types=False).diagnostics]
    assert codes == ["CV003", "CV108"]


@pytest.mark.parametrize(
    "program",
    [
        "(" * 5000 + ")" * 5000,
        "[" * 5000 + "]" * 5000,
        "x = " + "a+" * 15000 + "a",
        "x = " + "-" * 15000 + "1",
        "x = " + " or ".join(["a"] * 6000),
        "x = f" + "()" * 10000,
        "x = a" + ".b" * 10000,
        "".join(" " * i + "if x:\n" for i in range(150)) + " " * 150 + "pass\n",
    ],
    ids=["parens", "lists", "plus", "unary", "or", "calls", "attrs", "indent"],
)
def test_deep_nesting_is_refused_quickly(program: str) -> None:
    # CPython's parser refuses some (SyntaxError / RecursionError); the limits catch the rest.
    report = verify(program, types=False)
    assert not report.ok
    assert {d.code for d in report.diagnostics} <= {"CV001", "CV004"}


def test_internal_failure_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: object, node: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(DunderRule, "visit_Name", boom)
    report = verify("x = 1\n", types=False)
    assert not report.ok and report.diagnostics[0].code == verifier.INTERNAL_CODE


def test_report_json_shape() -> None:
    data = verify("import os\n", types=False).to_dict()
    assert data["ok"] is False
    assert set(data["diagnostics"][0]) == {
        "code", "rule", "severity", "message", "line", "col", "end_line", "end_col", "hint",
    }  # fmt: skip


def test_types_pass_reports_mypy_errors_once() -> None:
    report = verify("x: int = 'a'\nprint(undefined_name)\n", [get_weather])
    codes = [d.code for d in report.diagnostics]
    assert "CV104" in codes  # the rule, not also mypy's "name is not defined"
    assert codes.count("CV104") == 1
    assert len({(d.line, d.col) for d in report.diagnostics}) == len(codes)


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_verify_is_total_on_text(text: str) -> None:
    assert isinstance(verify(text, types=False), Report)


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_verify_is_total_on_bytes(data: bytes) -> None:
    assert isinstance(verify(data, types=False), Report)


_TOKENS = st.sampled_from(
    ["x", "(", ")", "[", "]", "{", "}", ":", "=", "+", " or ", "lambda", "\n", "    ", "'s'",
     "f'{x}'", ".", "__class__", "def ", "import ", "1", ",", "*", "if ", "else", "for "]
)  # fmt: skip


@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TOKENS, max_size=200).map("".join))
def test_verify_is_total_on_python_like_text(text: str) -> None:
    report = verify(text, types=False)
    assert isinstance(report, Report)
    assert all(d.code != verifier.INTERNAL_CODE for d in report.diagnostics), report.diagnostics
