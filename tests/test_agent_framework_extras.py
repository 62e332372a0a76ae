"""What the drop-in adds or must hold beyond the reference's API: allow-list methods enforced
on a real HTTP server, input staging refusing symlinks, the token budget, effects-based
approval narrowing."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("agent_framework")

from agent_framework import FunctionTool, tool
from test_sandbox_network import server  # noqa: F401  (the 127.0.0.1 HTTP server fixture)

from codeact_verify.agent_framework import AllowedDomain, CodeActProvider, ExecuteCodeTool
from codeact_verify.demo.tokens import count_tokens
from codeact_verify.demo.tools import SIX_TOOLS, get_weather
from codeact_verify.host import NetworkPolicy
from codeact_verify.host.network import normalize_allowed_domains


@tool
def compute(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def invoke(tool: ExecuteCodeTool, code: str) -> list[Any]:
    return asyncio.run(tool.invoke(arguments={"code": code}))


# --- allow-list entries -------------------------------------------------------------------
def test_a_bare_pair_is_one_entry_and_a_list_of_names_is_several() -> None:
    assert normalize_allowed_domains(("api.github.com", "GET")) == [
        AllowedDomain("api.github.com", ("GET",))
    ]
    assert normalize_allowed_domains(["api.github.com", "example.org"]) == [
        AllowedDomain("api.github.com"), AllowedDomain("example.org")
    ]
    assert normalize_allowed_domains([("a.example.com", ["post", "GET", "get"])]) == [
        AllowedDomain("a.example.com", ("GET", "POST"))
    ]
    assert normalize_allowed_domains("HTTP://127.0.0.1:8080/path") == [
        AllowedDomain("http://127.0.0.1:8080")
    ]


@pytest.mark.parametrize(
    "bad",
    [("api.github.com", "FETCH"), ("api.github.com", []), "ftp://x.org", 42, ("", "GET"),
     ("api.github.com", 7)],
)
def test_bad_entries_are_refused_when_added(bad: Any) -> None:
    with pytest.raises(ValueError):
        normalize_allowed_domains(bad)


def test_policy_enforces_the_methods_of_an_allowed_domain() -> None:
    policy = NetworkPolicy(allowed_domains=[AllowedDomain("api.example.com", ("GET",))])
    assert policy.check("GET", "https://api.example.com/x") is None
    assert "POST" in str(policy.check("POST", "https://api.example.com/x"))
    assert policy.check("GET", "https://other.example.com/x") is not None


def test_methods_are_enforced_in_the_sandbox(server: Any) -> None:  # noqa: F811
    port, hits = server
    hits.clear()
    tool = ExecuteCodeTool(allowed_domains=[(f"http://127.0.0.1:{port}", "GET")])
    assert "(GET)" in tool.description
    got = invoke(tool, f"print(http_get('http://127.0.0.1:{port}/hello')['status'])")
    assert got[0].text == "200\n"
    denied = invoke(tool, f"http_request('POST', 'http://127.0.0.1:{port}/p', json={{}})")
    assert denied[-1].type == "error"
    assert "method POST" in str(denied[-1].error_details)
    assert hits == [("GET", "/hello")]
    tool.codeact.close()


# --- inputs -------------------------------------------------------------------------------
def test_symlinks_inside_a_mounted_directory_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("host secret", encoding="utf-8")
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "ok.txt").write_text("fine", encoding="utf-8")
    os.symlink(secret, shared / "link.txt")
    tool = ExecuteCodeTool(file_mounts=[(shared, "shared")])
    refused = invoke(tool, 'print(read_text("/input/shared/ok.txt"))')
    assert refused[0].type == "error" and "symbolic link" in str(refused[0].error_details)
    (shared / "link.txt").unlink()
    assert invoke(tool, 'print(read_text("/input/shared/ok.txt"))')[0].text == "fine\n"
    tool.codeact.close()


def test_inputs_are_read_only(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a", encoding="utf-8")
    tool = ExecuteCodeTool(workspace_root=tmp_path)
    result = invoke(tool, 'write_text("/input/a.txt", "changed")\n')
    assert result[-1].type == "error"
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "a"
    tool.codeact.close()


# --- what the model reads -----------------------------------------------------------------
def test_six_tools_fit_the_token_budget_through_the_provider() -> None:
    tool = ExecuteCodeTool(tools=SIX_TOOLS)
    total = count_tokens(tool.build_instructions(tools_visible_to_model=False)) + count_tokens(
        tool.description
    )
    assert total <= 600, total
    tool.codeact.close()


def test_rejected_code_returns_an_error_with_the_verifiers_diagnostics() -> None:
    execute_code = ExecuteCodeTool(tools=[compute])
    result = invoke(execute_code, 'call_tool("compute", a="x", b=1)\n')
    (error,) = result
    assert error.type == "error" and error.error_code == "rejected"
    assert "line 1" in str(error.error_details)
    diagnostics = error.additional_properties["diagnostics"]
    assert diagnostics and diagnostics[0]["line"] == 1
    execute_code.codeact.close()


# --- approval -----------------------------------------------------------------------------
def test_direct_invoke_of_a_block_needing_approval_is_denied() -> None:
    sent: list[str] = []

    def send(to: str) -> bool:
        """Send."""
        sent.append(to)
        return True

    tool = ExecuteCodeTool(
        tools=[get_weather, FunctionTool(name="send", func=send, approval_mode="always_require")]
    )
    assert tool.approval_mode == "always_require"
    result = invoke(tool, 'send(to="x")\n')
    assert result[0].type == "error" and "Approval denied" in str(result[0].error_details)
    assert sent == []
    # A block that cannot call `send` needs no approval, even invoked directly.
    assert invoke(tool, 'print(get_weather(city="Paris")["conditions"])\n')[0].text == "sunny\n"
    tool.codeact.close()


def test_provider_with_an_explicit_codeact_keeps_its_settings() -> None:
    from codeact_verify import CodeAct

    codeact = CodeAct(tools=[get_weather], grammar_detail="full")
    provider = CodeActProvider(codeact=codeact)
    assert provider.codeact is codeact
    assert [t.name for t in provider.get_tools()] == ["get_weather"]
    assert "get_weather" in provider.create_run_tool().description
    codeact.close()


def test_concurrent_runs_each_get_only_their_own_output_files(tmp_path: Path) -> None:
    tool = ExecuteCodeTool(file_mounts=[(tmp_path, "d")])

    async def both() -> list[Any]:
        return list(await asyncio.gather(*(
            tool.invoke(arguments={"code": f'write_text("/output/{n}.txt", "{n}")\nprint("{n}")'})
            for n in ("a", "b", "c")
        )))

    for name, result in zip("abc", asyncio.run(both()), strict=True):
        assert result[0].text == f"{name}\n"
        paths = [i.additional_properties["path"] for i in result if i.type == "data"]
        assert paths == [f"/output/{name}.txt"]
    tool.codeact.close()


def test_codeact_takes_domain_pairs_and_names_their_methods() -> None:
    from codeact_verify import CodeAct

    with CodeAct(tools=[get_weather], allowed_domains=[("api.github.com", "GET")]) as codeact:
        assert codeact.allowed_domains == [AllowedDomain("api.github.com", ("GET",))]
        assert "`api.github.com` (GET)" in codeact.instructions
        assert codeact.execute_sync("print(1)\n").stdout == "1\n"  # the policy builds and runs
