"""Finding 11: a tool that needs approval, used as a value (`f = t`, `map(t, xs)`, ...).

Wall 1: the verifier's effects list such a use (`passed_as_value`, `in_loop`), so approval is
asked and the approver sees the tool. Wall 2: the host refuses a call of an approval-requiring
tool that was not approved for the run, even when the verifier is skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from codeact_verify.approval import ApprovalRequest
from codeact_verify.cli import main
from codeact_verify.codeact import CodeAct
from codeact_verify.effects import compute_effects
from codeact_verify.executor import execute_sync
from codeact_verify.host import Limits, Sandbox
from codeact_verify.tools import ToolSpec, tool_specs

DELETED: list[str] = []


def get_weather(city: str) -> str:
    """Weather for a city."""
    return f"sunny in {city}"


def delete_account(user: str) -> str:
    """Delete a user's account."""
    DELETED.append(user)
    return "deleted"


def specs() -> dict[str, ToolSpec]:
    return tool_specs(
        [
            ToolSpec.from_callable(get_weather),
            ToolSpec.from_callable(delete_account, approval_mode="always_require"),
        ]
    )


@pytest.fixture(autouse=True)
def _clear() -> None:
    DELETED.clear()


# every way of reaching delete_account without a direct call site
VARIANTS = {
    "alias": 'f = delete_account\nprint(f(user="bob"))\n',
    "map": 'print(list(map(delete_account, ["bob"])))\n',
    "list": 'for fn in [get_weather, delete_account]:\n    print(fn("bob"))\n',
    "sorted": 'print(sorted(["bob"], key=delete_account))\n',
    "dict": 'ops = {"del": delete_account}\nprint(ops["del"]("bob"))\n',
    "lambda": 'g = lambda: delete_account\nprint(g()("bob"))\n',
    "default": 'def run(op=delete_account):\n    return op("bob")\nprint(run())\n',
    "comprehension": 'print([fn("bob") for fn in (delete_account,)])\n',
    "in_function": 'def pick():\n    return delete_account\nprint(pick()("bob"))\n',
}


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_a_tool_used_as_a_value_is_an_effect(name: str) -> None:
    found = {e.tool: e for e in compute_effects(VARIANTS[name], specs())}
    effect = found["delete_account"]
    assert any(s.passed_as_value and s.in_loop for s in effect.sites)
    assert "used as a value" in effect.describe()


def test_a_direct_call_is_not_marked_as_a_value() -> None:
    (effect,) = compute_effects('delete_account(user="bob")\n', specs())
    assert [s.passed_as_value for s in effect.sites] == [False]


def test_a_program_own_name_shadowing_a_tool_is_not_an_effect() -> None:
    code = "def delete_account(user):\n    return user\nf = delete_account\nprint(f('x'))\n"
    assert compute_effects(code, specs()) == []


@pytest.fixture(scope="module")
def codeact_no() -> CodeAct:
    asked: list[ApprovalRequest] = []
    codeact = CodeAct(tools=specs(), approval_callback=lambda r: asked.append(r) or False)
    codeact.asked = asked  # type: ignore[attr-defined]
    yield codeact
    codeact.close()


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_approval_is_asked_and_a_no_runs_nothing(codeact_no: CodeAct, name: str) -> None:
    asked: list[ApprovalRequest] = codeact_no.asked  # type: ignore[attr-defined]
    asked.clear()
    code = VARIANTS[name]
    assert codeact_no.verify(code).ok, codeact_no.verify(code).diagnostics
    result = codeact_no.execute_sync(code)
    assert result.error is not None and result.error.kind == "denied"
    (request,) = asked
    assert request.tools_requiring_approval == ("delete_account",)
    assert "delete_account" in request.render()
    assert DELETED == [] and result.tool_calls == []


def test_call_tools_with_a_tool_value(codeact_no: CodeAct) -> None:
    # the tool itself as a batch entry's name: refused by the verifier (the name must be a string)
    batch = 'print(call_tools([(delete_account, {"user": "bob"})]))\n'
    assert codeact_no.execute_sync(batch).error.kind == "rejected"
    # a tool value next to a batch: the value is an effect, so approval is asked
    asked: list[ApprovalRequest] = codeact_no.asked  # type: ignore[attr-defined]
    asked.clear()
    code = 'f = delete_account\nprint(call_tools([("get_weather", {"city": "x"})]), f)\n'
    result = codeact_no.execute_sync(code)
    assert result.error is not None and result.error.kind == "denied"
    assert asked[0].tools_requiring_approval == ("delete_account",)
    assert DELETED == []


def test_block_level_approver_is_told_about_the_tool_value() -> None:
    requests: list[ApprovalRequest] = []
    with CodeAct(
        tools=specs(),
        approval_mode="always_require",
        approval_callback=lambda r: requests.append(r) or False,
    ) as codeact:
        result = codeact.execute_sync(VARIANTS["alias"])
    assert result.error.kind == "denied" and DELETED == []
    text = requests[0].render()
    assert "This code calls no tools." not in text
    assert "delete_account: line 1 (used as a value" in text


def test_a_legitimate_program_using_tools_as_values_runs_when_approved() -> None:
    with CodeAct(tools=specs(), approval_callback=lambda r: True) as codeact:
        result = codeact.execute_sync(VARIANTS["list"])
    assert result.ok, result.error
    assert result.stdout.splitlines() == ["sunny in bob", "deleted"]
    assert DELETED == ["bob"]


def test_tools_not_needing_approval_as_values_run_without_asking() -> None:
    asked: list[ApprovalRequest] = []
    code = 'print(list(map(get_weather, ["a", "b"])))\n'
    with CodeAct(tools=specs(), approval_callback=asked.append) as codeact:
        result = codeact.execute_sync(code)
    assert result.ok, result.error
    assert asked == []


# -- wall 2: the host --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sandbox() -> Sandbox:
    box = Sandbox(limits=Limits(timeout_s=10.0), pool_size=0)
    yield box
    box.close()


def test_unverified_run_cannot_call_an_unapproved_tool(sandbox: Sandbox) -> None:
    code = 'print(delete_account(user="bob"))\n'
    result = execute_sync(code, specs(), sandbox=sandbox, verified=False)
    assert result.error is not None and result.error.kind == "denied"
    assert "requires approval" in result.error.message
    assert DELETED == []
    (call,) = result.tool_calls
    assert call.name == "delete_account" and not call.ok


def test_catching_the_refusal_does_not_hide_it(sandbox: Sandbox) -> None:
    code = (
        "try:\n    call_tool('delete_account', user='bob')\nexcept ToolError as e:\n"
        "    print('caught', e)\nprint(get_weather(city='x'))\n"
    )
    result = sandbox.run_sync(code, specs())
    assert DELETED == []
    assert "caught" in result.stdout and "sunny in x" in result.stdout
    assert not result.ok and result.error.kind == "denied"


def test_a_batch_cannot_call_an_unapproved_tool(sandbox: Sandbox) -> None:
    code = "print(call_tools([('get_weather', {'city': 'x'}), ('delete_account', {'user': 'b'})]," \
        " return_exceptions=True))\n"
    result = sandbox.run_sync(code, specs())
    assert DELETED == [] and result.error.kind == "denied"


def test_an_approved_tool_runs_on_the_host(sandbox: Sandbox) -> None:
    code = 'print(delete_account(user="bob"))\n'
    result = execute_sync(
        code, specs(), sandbox=sandbox, verified=False, approved_tools=["delete_account"]
    )
    assert result.ok, result.error
    assert DELETED == ["bob"]


def test_a_verified_run_without_a_gate_approves_nothing(sandbox: Sandbox) -> None:
    result = execute_sync('print(delete_account(user="bob"))\n', specs(), sandbox=sandbox)
    assert result.error.kind == "denied" and DELETED == []


def test_cli_run_refuses_an_unapproved_tool_unless_approved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tools = tmp_path / "tools.py"
    tools.write_text(
        "def delete_account(user: str) -> str:\n"
        '    """Delete an account."""\n'
        "    return 'deleted ' + user\n"
        "delete_account.approval_mode = 'always_require'\n"
    )
    program = tmp_path / "prog.py"
    program.write_text('print(delete_account(user="bob"))\n')
    base = ["run", str(program), "--tools", str(tools)]
    assert main([*base, "--unverified"]) == 3
    assert "error [denied]" in capsys.readouterr().err
    assert main(base) == 3
    assert main([*base, "--approve", "delete_account"]) == 0
    assert capsys.readouterr().out.strip() == "deleted bob"
