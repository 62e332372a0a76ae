"""The instructions: every tool's stub, the subset's rules, helpers only when configured, short."""

from __future__ import annotations

from pathlib import Path

from codeact_verify.codeact import CodeAct
from codeact_verify.demo.tokens import count_tokens
from codeact_verify.demo.tools import SIX_TOOLS, get_weather, local_time
from codeact_verify.instructions import compact_struct


def test_every_stub_and_return_shape_is_in_the_instructions() -> None:
    with CodeAct(tools=SIX_TOOLS) as codeact:
        text = codeact.instructions
        for spec in codeact.tools.values():
            assert spec.stub() in text
            for struct in spec.structs:
                assert compact_struct(struct) in text
    assert "class Weather(TypedDict): city: str; temperature_c: float;" in text
    assert "def get_forecast(city: str, days: int = 3) -> list[DayForecast]:" in text


def test_how_to_call_tools_and_results_are_explained() -> None:
    with CodeAct(tools=[get_weather]) as codeact:
        text = codeact.instructions
    for phrase in (
        'call_tool("get_weather"',
        "get_weather(city=",
        "call_tools(",
        "ToolError",
        "printed output",
        "execute_code",
    ):
        assert phrase in text, phrase


def test_the_subset_rules_come_from_the_grammar() -> None:
    from codeact_verify.grammar import CONSTRUCTS

    for profile in ("default", "strict"):
        with CodeAct(tools=[get_weather], grammar=profile) as codeact:
            grammar, text = codeact.grammar, codeact.instructions
            assert f"Python subset ({profile})" in text
            for name in grammar.denied_builtins:
                if not name.startswith("__") and not grammar.allows("class"):
                    assert name in text or name in (
                        "classmethod",
                        "staticmethod",
                        "property",
                        "super",
                    )
            assert ", ".join(sorted(grammar.modules)) in text
            assert f"At most {grammar.limits.max_bytes} bytes" in text
            if not grammar.allows("class"):
                assert "class" in text.split("Not allowed:")[1]
            for key in ("while", "lambda", "assert"):
                if key in CONSTRUCTS and not grammar.allows(key):
                    assert CONSTRUCTS[key][0].split()[0] in text.split("Not allowed:")[1]


def test_full_grammar_detail_includes_describe() -> None:
    with CodeAct(tools=[get_weather], grammar_detail="full") as codeact:
        assert codeact.grammar.describe(full=True).strip() in codeact.instructions


def test_helpers_appear_only_when_configured(tmp_path: Path) -> None:
    with CodeAct(tools=[get_weather]) as codeact:
        plain = codeact.instructions
        assert "read_text" not in plain and "http_get" not in plain
        codeact.add_mounts(f"{tmp_path}:/data:ro")
        assert "read_text(path)" in codeact.instructions
        assert "`/data` (read-only)" in codeact.instructions
        codeact.add_allowed_domains("api.example.com")
        assert "http_get(" in codeact.instructions and "api.example.com" in codeact.instructions
        codeact.remove_mount("/data")
        codeact.remove_allowed_domain("api.example.com")
        assert codeact.instructions == plain


def test_instructions_follow_tool_changes() -> None:
    with CodeAct(tools=[get_weather]) as codeact:
        assert "def local_time" not in codeact.instructions
        codeact.add_tools([local_time])
        assert "def local_time(city: str) -> str:" in codeact.instructions
        codeact.remove_tool("get_weather")
        assert "def get_weather" not in codeact.instructions
        codeact.clear_tools()
        assert "No tools are registered." in codeact.instructions


def test_six_tools_fit_the_token_budget() -> None:
    with CodeAct(tools=SIX_TOOLS) as codeact:
        total = count_tokens(codeact.instructions) + count_tokens(
            codeact.execute_code_tool.description
        )
    assert total <= 600, total
