"""Every accepted corpus program runs in the sandbox with the same output as plain CPython.

The verifier accepting a program is a promise that it runs: a program the verifier accepts but
the sandbox's runtime guard refuses (or runs differently) is a disagreement between the layers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.fuzz.reference import run_reference
from codeact_verify.grammar import load_grammar
from codeact_verify.tools import load_tools_file, tool_specs
from codeact_verify.transpile import transpile

CORPUS = Path(__file__).parent / "corpus"
ACCEPT = sorted((CORPUS / "accept").glob("*.py"))


@pytest.fixture(scope="module")
def env():  # type: ignore[no-untyped-def]
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    from codeact_verify.host import Sandbox

    funcs = load_tools_file(CORPUS / "tools.py")
    sandbox = Sandbox()
    yield sandbox, tool_specs(funcs), {f.__name__: f for f in funcs}
    sandbox.close()


@pytest.mark.parametrize("path", ACCEPT, ids=[p.stem for p in ACCEPT])
def test_accept_program_runs_the_same_in_the_sandbox(path: Path, env) -> None:  # type: ignore[no-untyped-def]
    sandbox, specs, tools = env
    code = path.read_text(encoding="utf-8")
    result = sandbox.run_sync(
        transpile(code, specs).code, specs, load_grammar("default").runtime_policy()
    )
    reference = run_reference(code, tools)
    assert result.error is None, result.error.to_dict()
    if "ToolError" not in code:  # ToolError messages are worded by each runtime
        assert result.stdout == reference.stdout
