"""Red-team findings red3/01-03 (findings/ in the red3 branch): each attack stopped, the
legitimate program next to it still accepted or run."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from agent_framework import FunctionInvocationContext
from pydantic import Field

from codeact_verify import CodeAct, verify
from codeact_verify.adapters.agent_framework import ExecuteCodeTool
from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.grammar import load_grammar
from codeact_verify.tools import ToolArgumentError, ToolSpec


def codes(report: Any) -> list[str]:
    return [d.code for d in report.diagnostics]


# --- red3/01: a helper the profile leaves out is refused wherever its name appears --------------
HIDDEN_BINDINGS = [
    "def f():\n    read_text = 1\n    return read_text\nprint(read_text('/data/x'))\n",
    "for http_get in []:\n    pass\nprint(http_get('http://x'))\n",
    "print([list_dir for list_dir in []], list_dir('/'))\n",
    "def g(write_text=1):\n    return write_text\nprint(write_text('/o/x', 'y'))\n",
    "print(http_request)\n",
    "print(read_json('/data/x.json'))\n",
]


@pytest.mark.parametrize("program", HIDDEN_BINDINGS)
def test_a_withheld_helper_is_refused_even_when_bound_in_another_scope(program: str) -> None:
    report = verify(program, [], grammar="strict")
    assert not report.ok
    assert "CV105" in codes(report), report.render_for_model()
    assert "does not provide" in report.render_for_model()


def test_the_withheld_helpers_are_the_abi_helpers_the_profile_leaves_out() -> None:
    strict = load_grammar("strict")
    assert "read_text" in strict.withheld_helpers and "http_get" in strict.withheld_helpers
    assert "call_tool" not in strict.withheld_helpers
    assert not load_grammar("default").withheld_helpers


def test_the_profiles_helpers_and_keyword_names_stay_accepted() -> None:
    legit = (
        "def f(**kw: int) -> dict[str, int]:\n    return kw\n"
        "print(f(read_text=1))\n"  # a keyword name is not the helper
        "try:\n    final_answer('done')\nexcept ToolError:\n    pass\n"
    )
    report = verify(legit, [], grammar="strict")
    assert report.ok, report.render_for_model()
    # in the default profile every helper is there
    assert verify("def f():\n    return 1\nprint(read_text('/data/x'))\n", []).ok


# --- red3/02: a framework-injected parameter cannot be set through **kwargs ---------------------
class InjectedState:  # LangGraph's marker, matched by name and module (LangGraph not installed)
    pass


InjectedState.__module__ = "langgraph.prebuilt"
SEEN: list[Any] = []


def find(
    query: str, *, state: Annotated[dict | None, InjectedState()] = None, **filters: Any
) -> str:
    """Search the graph's state (injected by the framework)."""
    SEEN.append((state, filters))
    return "ok"


def lookup_order(
    order_id: int, *, ctx: FunctionInvocationContext | None = None, **filters: str
) -> str:
    """Look up an order of the signed-in user."""
    SEEN.append(ctx)
    return "ok"


def test_an_injected_parameter_named_in_kwargs_is_refused_on_the_host() -> None:
    spec = ToolSpec.from_callable(find)
    with pytest.raises(ToolArgumentError, match="set by the framework"):
        spec.call_arguments({"query": "q", "filters": {"state": {"user": "admin"}}})
    # other keywords still go through **filters, and the injected value is the framework's
    assert spec.call_arguments({"query": "q", "filters": {"year": 2020}}) == (
        ["q"],
        {"state": None, "year": 2020},
    )


def _sandbox_or_skip() -> None:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")


@pytest.fixture(scope="module")
def af_tool() -> Iterator[ExecuteCodeTool]:
    _sandbox_or_skip()
    tool = ExecuteCodeTool(tools=[lookup_order])
    yield tool
    tool.codeact.close()


def test_a_program_cannot_pass_the_invocation_context(af_tool: ExecuteCodeTool) -> None:
    SEEN.clear()
    forged = asyncio.run(af_tool.codeact.execute('print(lookup_order(1, ctx="admin"))'))
    assert not forged.ok and forged.error.kind == "tool", forged.error
    assert "set by the framework" in forged.error.message
    assert SEEN == []  # the tool never ran
    honest = asyncio.run(af_tool.codeact.execute('print(lookup_order(1, status="open"))'))
    assert honest.ok, honest.error
    assert len(SEEN) == 1 and isinstance(SEEN[0], FunctionInvocationContext)


# --- red3/03: a report of another program is not trusted ----------------------------------------
def get_weather(city: str) -> str:
    """Weather for a city."""
    return city


EVIL = "x = 0\ndef f():\n    global x\n    x = 1\nf()\nprint('global ran', x)\n"


@pytest.fixture(scope="module")
def codeact() -> Iterator[CodeAct]:
    _sandbox_or_skip()
    ca = CodeAct(tools=[get_weather])
    yield ca
    ca.close()


def test_execute_verifies_code_whose_report_is_of_another_text(codeact: CodeAct) -> None:
    run = asyncio.run(codeact.execute(EVIL, report=codeact.verify("print(1)\n")))
    assert run.rejected and run.stdout == "", run.error
    assert run.report is not None and "CV101" in codes(run.report)
    # the empty program's report (source "") is another text too
    _, run2 = asyncio.run(codeact.execute_code_tool.run({"code": EVIL}, report=codeact.verify("")))
    assert run2 is not None and run2.rejected and run2.stdout == ""


def test_execute_reuses_the_report_of_the_same_text(codeact: CodeAct) -> None:
    code = "print(get_weather(city='Paris'))\n"
    report = codeact.verify(code)
    run = asyncio.run(codeact.execute(code, report=report))
    assert run.ok and run.stdout == "Paris\n", run.error
    assert run.report is report  # not verified again


# --- red3/04: a sync tool in a call_tools batch runs in the run's context ------------------------
USER: contextvars.ContextVar[str | None] = contextvars.ContextVar("red3_user", default=None)
TOKEN: contextvars.ContextVar[str | None] = contextvars.ContextVar("red3_token", default=None)


def who(n: int) -> str:
    """The signed-in user (a request-scoped contextvar)."""
    return str(USER.get())


def login() -> str:
    """Caches a token in a contextvar; returns the one it saw."""
    seen = TOKEN.get()
    TOKEN.set(f"{USER.get()}-token")
    return str(seen)


def test_a_batch_sees_the_runs_context_and_leaves_nothing_behind() -> None:
    _sandbox_or_skip()
    with CodeAct(tools=[who, login]) as ca:

        async def as_user(user: str, code: str) -> str:
            USER.set(user)
            run = await ca.execute(code)
            assert run.ok, run.error
            return run.stdout.strip()

        code = "print(who(1), call_tool('who', 1), call_tools([('who', {'n': 1})])[0])\n"
        assert asyncio.run(as_user("alice", code)) == "alice alice alice"
        batch = "print(call_tools([('login', {}), ('login', {})]))\n"
        assert asyncio.run(as_user("alice", batch)) == "['None', 'None']"
        assert asyncio.run(as_user("bob", batch)) == "['None', 'None']"


# --- red3/05: schema patterns are matched on the host in linear time -----------------------------
SLOPPY = r"^([a-z0-9]+-?)+$"  # a common slug pattern; Python's re backtracks exponentially on it


def set_slug(slug: Annotated[str, Field(pattern=SLOPPY)]) -> str:
    """Set the page's slug."""
    return slug


def test_the_verifier_matches_a_literal_against_a_sloppy_pattern_at_once() -> None:
    # with Python's re this literal takes hours (2**60 steps) and holds the GIL throughout
    attack = verify(f'print(set_slug(slug="{"a" * 60}!"))\n', [set_slug], types=False)
    assert not attack.ok and codes(attack) == ["CV607"]
    assert verify('print(set_slug(slug="my-page"))\n', [set_slug], types=False).ok
    # a value Rust's `$` and Python's `$` judge differently is left to the run
    assert verify('print(set_slug(slug="page\\n"))\n', [set_slug], types=False).ok


def _labels_spec(**schema: Any) -> ToolSpec:
    from codeact_verify.adapters.mcp_tools import tool_spec_from_json_schema

    labels = {"type": "object", **schema}
    return tool_spec_from_json_schema(
        "tag_issue",
        {"type": "object", "properties": {"labels": labels}, "required": ["labels"]},
        func=lambda **kw: "ok",
    )


def test_an_mcp_tools_pattern_keywords_are_matched_in_linear_time() -> None:
    spec = _labels_spec(patternProperties={SLOPPY: {"type": "string"}})
    key = "a" * 60 + "!"
    # matches no pattern: no subschema applies (hours with jsonschema's own `re.search`)
    assert spec.validate_arguments({"labels": {key: 1}}) == {"labels": {key: 1}}
    with pytest.raises(ToolArgumentError):  # a matching key gets the pattern's subschema
        spec.validate_arguments({"labels": {"bug": 1}})
    closed = _labels_spec(patternProperties={SLOPPY: {}}, additionalProperties=False)
    with pytest.raises(ToolArgumentError, match="not allowed"):
        closed.validate_arguments({"labels": {key: "x"}})
    assert closed.validate_arguments({"labels": {"bug": "x"}})
    strings = _labels_spec(additionalProperties={"type": "string", "pattern": SLOPPY})
    with pytest.raises(ToolArgumentError, match="does not match"):
        strings.validate_arguments({"labels": {"k": "a" * 60 + "!"}})
    assert strings.validate_arguments({"labels": {"k": "my-label"}})


# --- red3/06: "did you mean" hints are computed for a few names, not for every one ---------------
def test_a_flood_of_undefined_names_computes_few_fuzzy_hints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from codeact_verify.rules.names import UnknownNameRule

    calls: list[str] = []
    real = UnknownNameRule._did_you_mean

    def counted(self: Any, name: str) -> str | None:
        calls.append(name)
        return real(self, name)

    monkeypatch.setattr(UnknownNameRule, "_did_you_mean", counted)
    k = 300
    code = (
        "[" + ",".join(f"x{i:04d}" for i in range(k)) + f"] = range({k})\n"
        "print(" + ",".join(f"y{i:04d}" for i in range(k)) + ", y0000)\n"
    )
    report = verify(code, [], types=False)
    assert not report.ok and codes(report)[0] == "CV104"
    assert len(calls) == UnknownNameRule.MAX_HINTED_NAMES  # was one per undefined name (301)
    # a single typo still gets its hint
    typo = verify("weather = 1\nprint(waether)\n", [], types=False)
    assert "did you mean 'weather'" in typo.render_for_model()


# --- red3/07: tools named like the sandbox's helpers or `print`, also from a mapping / MCP -------
def test_a_mapping_of_specs_cannot_name_a_tool_like_a_helper() -> None:
    from codeact_verify.errors import ToolSpecError
    from codeact_verify.tools import tool_specs

    spec = ToolSpec.from_callable(get_weather)
    for reserved in ("print", "read_text", "call_tool"):
        with pytest.raises(ToolSpecError, match="reserved"):
            tool_specs({reserved: spec})
        with pytest.raises(ToolSpecError, match="reserved"):
            verify("print(1)\n", {reserved: spec})
    assert verify("print(get_weather(city='Oslo'))\n", {"get_weather": spec}).ok


def test_an_mcp_servers_reserved_tool_names_are_skipped() -> None:
    import sys
    from pathlib import Path

    from codeact_verify.adapters.mcp_client import MCPTools

    server = str(Path(__file__).parent / "mcp_reserved_server.py")
    with MCPTools.stdio(sys.executable, [server]) as tools:
        assert sorted(tools.specs) == ["get_weather"]
        assert "reserved" in tools.skipped["print"] and "reserved" in tools.skipped["read_text"]
        report = verify('print("hi")\nprint(get_weather(city="Oslo"))\n', tools.specs)
    assert report.ok, report.render_for_model()
    assert [e.tool for e in report.effects] == ["get_weather"]  # `print` is the builtin


# --- red3/08: the lambda-call cost is bounded in total, not only in depth ------------------------
def _lambda_nests(depth: int, count: int) -> str:
    expr = "x"
    for i in range(depth):
        expr = f"max(map(lambda a{i}: {expr}, x))"
    return "x = [1, 2, 3]\n" + "".join(f"y{j} = {expr}\nprint(y{j})\n" for j in range(count))


def test_many_sibling_lambda_nests_are_refused_before_mypy() -> None:
    from codeact_verify.rules.source import MAX_LAMBDA_CALL_COST

    report = verify(_lambda_nests(3, 32), [], types=False)  # 8 s of mypy before the fix
    assert not report.ok and codes(report) == ["CV004"]
    assert f"the limit is {MAX_LAMBDA_CALL_COST}" in report.render_for_model()


def test_a_few_lambda_nests_and_many_plain_lambda_calls_are_accepted() -> None:
    assert verify(_lambda_nests(3, 4), [], types=False).ok
    natural = "xs = [3, 1, 2]\n" + "".join(
        f"z{j} = sorted(filter(lambda v: v > {j}, xs), key=lambda v: -v)\nprint(z{j})\n"
        for j in range(100)
    )
    report = verify(natural, [], types=False)
    assert report.ok, report.render_for_model()


def test_execute_sync_tools_see_the_callers_context() -> None:
    """`CodeAct.execute_sync` runs without an event loop (the sandbox's `run_sync`): its sync
    tools still see the caller's context variables, single calls and batches alike."""
    _sandbox_or_skip()

    def as_user(user: str) -> str:
        USER.set(user)
        with CodeAct(tools=[who, login]) as ca:
            run = ca.execute_sync(
                "print(who(1), call_tool('who', 1), call_tools([('who', {'n': 1})])[0])\n"
            )
        assert run.ok, run.error
        return run.stdout.strip()

    assert contextvars.copy_context().run(as_user, "carol") == "carol carol carol"
    assert USER.get() is None  # the caller's own context was not changed by the run
