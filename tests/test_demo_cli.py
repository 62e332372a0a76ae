"""`codeact-verify demo` end to end (scripted model over local HTTP, real sandbox)."""

from __future__ import annotations

import pytest

from codeact_verify.cli import main


def test_demo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "verifier: accepted" in out
    assert "effects: get_weather: line 3 (in a loop)" in out
    assert 'tool get_weather({"city": "Seattle"})' in out
    assert "Seattle is warmer by 2.0 °C" in out
    assert "turns: 2" in out and "tokens:" in out and "instructions:" in out


def test_demo_show_rejection(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--show-rejection"]) == 0
    out = capsys.readouterr().out
    assert "verifier: REJECTED" in out and "nothing ran" in out
    assert "turns: 3" in out
    assert out.index("REJECTED") < out.index("verifier: accepted")


def test_demo_base_url_needs_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--base-url", "http://127.0.0.1:9/v1"]) == 2


def test_readme_quotes_the_token_counts_the_demo_prints() -> None:
    import re
    from pathlib import Path

    from codeact_verify.cli.demo import instructions_line
    from codeact_verify.codeact import CodeAct
    from codeact_verify.demo.tools import SIX_TOOLS

    line = instructions_line(CodeAct(tools=SIX_TOOLS))
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    quoted = " ".join(readme.split())  # the paragraph wraps
    head = line.split(" (cl100k")[0]
    assert f"`{head}`" in quoted, f"README should quote what `codeact-verify demo` prints: {line}"
    whole = re.search(r"tool definition as JSON: (\d+)", line)
    assert whole and f"is {whole.group(1)})" in quoted
