"""Report rendering: JSON shape per DESIGN.md, compact model text, human text with a caret."""

from __future__ import annotations

import json

from codeact_verify.diagnostics import CallSite, Diagnostic, Effect, Report

SOURCE = "x = 1\ny = eval('2')\n"
DIAG = Diagnostic(
    code="CV301",
    rule="forbidden-builtin",
    message="`eval` is not allowed.",
    line=2,
    col=4,
    end_line=2,
    end_col=8,
    hint="Compute the value directly.",
)


def test_json_shape_matches_the_cli_contract() -> None:
    report = Report((DIAG,), (Effect("get_weather", (CallSite(3, 0, in_loop=True),)),), SOURCE)
    data = json.loads(report.to_json())
    assert data["ok"] is False
    assert set(data["diagnostics"][0]) == {
        "code", "rule", "severity", "message", "line", "col", "end_line", "end_col", "hint"
    }
    assert data["effects"][0]["tool"] == "get_weather"
    assert data["effects"][0]["in_loop"] is True


def test_model_and_human_renderings() -> None:
    report = Report((DIAG,), (), SOURCE)
    model = report.render_for_model()
    assert "line 2, col 5: CV301 `eval` is not allowed. Hint: Compute the value directly." in model
    human = report.render_for_human("prog.py").splitlines()
    assert human[0] == "prog.py:2:5: error CV301 [forbidden-builtin] `eval` is not allowed."
    assert human[1] == "    y = eval('2')"
    assert human[2] == "        ^^^^"
    assert Report((), (), "x = 1").ok
    assert Report((), (), "x = 1").render_for_model() == "Verified: no problems."


def test_warnings_do_not_reject() -> None:
    warning = Diagnostic("CV999", "style", "meh", 1, 0, severity="warning")
    assert Report((warning,), (), "x").ok


def test_json_columns_are_one_based_like_the_text() -> None:
    # One convention everywhere a person or a script reads a position: `eval` starts in the
    # 5th column of line 2; the span ends just after its last character (column 9).
    report = Report((DIAG,), (Effect("get_weather", (CallSite(3, 0, in_loop=True),)),), SOURCE)
    data = json.loads(report.to_json())
    d = data["diagnostics"][0]
    assert (d["line"], d["col"], d["end_line"], d["end_col"]) == (2, 5, 2, 9)
    assert report.render_for_human("p.py").startswith(f"p.py:{d['line']}:{d['col']}:")
    assert f"line {d['line']}, col {d['col']}:" in report.render_for_model()
    assert SOURCE.splitlines()[d["line"] - 1][d["col"] - 1 : d["end_col"] - 1] == "eval"
    assert data["effects"][0]["sites"][0]["col"] == 1
