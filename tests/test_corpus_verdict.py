"""The verdict corpus: natural programs against loosely typed tools pass and run the same in
CPython and in the sandbox; definite misuses are rejected with the expected code and a fix.

`python -m codeact_verify.bench.verdict` prints the same corpus's false-rejection and catch rates.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.fuzz.reference import run_reference
from codeact_verify.grammar import load_grammar
from codeact_verify.tools import ToolSpec, load_tools_file, tool_specs
from codeact_verify.transpile import transpile
from codeact_verify.verifier import verify

CORPUS = Path(__file__).parent / "corpus" / "verdict"
ACCEPT = sorted((CORPUS / "accept").glob("*.py"))
REJECT = sorted((CORPUS / "reject").glob("*.py"))
EXPECT = re.compile(r"^# expect: (CV\d{3}) \S")


@pytest.fixture(scope="module")
def tools() -> list[Callable[..., Any]]:
    return load_tools_file(CORPUS / "tools.py")


@pytest.fixture(scope="module")
def specs(tools):  # type: ignore[no-untyped-def]
    return tool_specs(tools)


def _as_host(fn: Callable[..., Any], spec: ToolSpec) -> Callable[..., Any]:
    # as the host calls a tool: JSON arguments validated and converted (an Enum parameter gets
    # its member), the result as JSON (a pydantic model becomes its dict)
    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        bound = inspect.signature(fn).bind(*args, **kwargs).arguments
        pos, kw = spec.call_arguments(json.loads(json.dumps(bound)))
        return spec.result_json(fn(*pos, **kw))

    return call


def _reference_tools(tools: list[Callable[..., Any]], specs) -> dict[str, Callable[..., Any]]:  # type: ignore[no-untyped-def]
    return {f.__name__: _as_host(f, specs[f.__name__]) for f in tools}


def test_corpus_sizes() -> None:
    assert len(ACCEPT) >= 50
    assert len(REJECT) >= 20


@pytest.mark.parametrize("path", ACCEPT, ids=[p.stem for p in ACCEPT])
def test_natural_program_is_accepted_and_runs_in_cpython(path: Path, specs, tools) -> None:  # type: ignore[no-untyped-def]
    code = path.read_text(encoding="utf-8")
    assert code.startswith("# "), "first line must say what the program does"
    report = verify(code, specs)
    assert report.ok, report.render_for_human()
    reference = run_reference(code, _reference_tools(tools, specs))
    assert reference.ok, (reference.error_type, reference.error_message)
    assert reference.stdout


@pytest.mark.parametrize("path", REJECT, ids=[p.stem for p in REJECT])
def test_definite_misuse_is_rejected_with_a_fix(path: Path, specs) -> None:  # type: ignore[no-untyped-def]
    code = path.read_text(encoding="utf-8")
    match = EXPECT.match(code)
    assert match, "first line: # expect: CVxxx what the misuse is"
    report = verify(code, specs)
    assert not report.ok
    hits = [d for d in report.diagnostics if d.code == match.group(1) and d.severity == "error"]
    assert hits, report.render_for_human()
    assert hits[0].hint and "\n" not in hits[0].hint, "a one-line fix"


@pytest.fixture(scope="module")
def sandbox():  # type: ignore[no-untyped-def]
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    from codeact_verify.host import Sandbox

    box = Sandbox()
    yield box
    box.close()


@pytest.mark.parametrize("path", ACCEPT, ids=[p.stem for p in ACCEPT])
def test_natural_program_runs_the_same_in_the_sandbox(path: Path, specs, tools, sandbox) -> None:  # type: ignore[no-untyped-def]
    code = path.read_text(encoding="utf-8")
    result = sandbox.run_sync(
        transpile(code, specs).code, specs, load_grammar("default").runtime_policy()
    )
    reference = run_reference(code, _reference_tools(tools, specs))
    assert result.error is None, result.error.to_dict()
    assert result.stdout == reference.stdout
