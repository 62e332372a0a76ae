"""Parse once: a run parses the model's program once on the host, and what reuses that parse
(the type check, the transpiler, the host's restricted transform) gives what a fresh parse gives.

The parse counter patches every host entry point that turns program text into a tree or code:
`ast.parse`, the builtin `compile` (on source text, not on a tree) and `libcst.parse_module`.
mypy parses the transpiled program again in its worker process and the guest compiles the
restricted text in its own interpreter: both are other processes (see README, "Parse once").
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import libcst
import pytest

from codeact_verify import verify
from codeact_verify.checked import CheckedProgram
from codeact_verify.codeact import CodeAct
from codeact_verify.executor import execute
from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.grammar import load_grammar
from codeact_verify.host import precompile
from codeact_verify.host.precompile import hand_over, restrict_on_host
from codeact_verify.rules import Facts
from codeact_verify.rules.positions import Source
from codeact_verify.syntax import SourceLines, bound_names, parse
from codeact_verify.toolcalls import find_tool_calls
from codeact_verify.tools import load_tools_file, tool_specs
from codeact_verify.transpile import transpile, transpile_for_run
from codeact_verify.typecheck import typecheck
from codeact_verify.verdict import NoneOrigins

CORPUS = Path(__file__).parent / "corpus"
ACCEPT = sorted((CORPUS / "accept").glob("*.py"))
SPECS = tool_specs(load_tools_file(CORPUS / "tools.py"))
PROGRAM = (
    'w = call_tool("get_weather", city="Paris")\n'
    "temps = [call_tool(\n"
    '    "get_weather", city=c)["temperature"] for c in ["Tokyo", "Cairo"]]\n'
    'label = "café"; t = call_tool("get_weather", city="Berlin")["temperature"]\n'
    'print(w["conditions"], max(temps), label, t)\n'
)


class Parses:
    """Counts parses of program text, per parser, while installed."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []  # (parser, source text)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real_parse, real_compile, real_cst = ast.parse, builtins.compile, libcst.parse_module
        inside_parse = False

        def counted_parse(source: Any, *args: Any, **kwargs: Any) -> Any:
            nonlocal inside_parse
            self.calls.append(("ast.parse", _text(source)))
            inside_parse = True  # ast.parse calls compile(): one parse, not two
            try:
                return real_parse(source, *args, **kwargs)
            finally:
                inside_parse = False

        def counted_compile(source: Any, *args: Any, **kwargs: Any) -> Any:
            if not inside_parse and not isinstance(source, ast.AST):
                self.calls.append(("compile", _text(source)))
            return real_compile(source, *args, **kwargs)

        def counted_cst(source: Any, *args: Any, **kwargs: Any) -> Any:
            self.calls.append(("libcst.parse_module", _text(source)))
            return real_cst(source, *args, **kwargs)

        monkeypatch.setattr(ast, "parse", counted_parse)
        monkeypatch.setattr(builtins, "compile", counted_compile)
        monkeypatch.setattr(libcst, "parse_module", counted_cst)

    def of(self, *texts: str) -> list[str]:
        """The parsers that parsed any of these texts, one entry per parse."""
        return [parser for parser, text in self.calls if text in texts]


def _text(source: Any) -> str:
    return source.decode("utf-8", "replace") if isinstance(source, bytes) else str(source)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    from codeact_verify.host import Sandbox

    box = Sandbox()
    yield box
    box.close()


# -- the count -------------------------------------------------------------------------------------
def test_a_run_parses_the_program_once(sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    grammar = load_grammar("default")
    warm = asyncio.run(execute("print(1)\n", SPECS, grammar=grammar, sandbox=sandbox))
    assert warm.ok, warm.error  # the stubs and the worker are ready: only the program is left
    parses = Parses()
    parses.install(monkeypatch)
    run = asyncio.run(execute(PROGRAM, SPECS, grammar=grammar, sandbox=sandbox))
    monkeypatch.undo()
    assert run.ok, run.error
    assert "café" in run.stdout and len(run.tool_calls) == 4
    transpiled = transpile(PROGRAM, SPECS).code
    assert transpiled != PROGRAM and "call_tool" not in transpiled
    # one ast parse of the model's text (the verifier's), none of the transpiled text (the
    # host's restricted transform took the verifier's tree), no libcst, no compile on the host
    assert parses.of(PROGRAM) == ["ast.parse"], parses.calls
    assert parses.of(transpiled) == [], parses.calls
    assert not [c for c in parses.calls if c[0] != "ast.parse"], parses.calls
    assert run.timings["sandbox.host_restricted"] == 1.0  # the host did transform it


def test_the_codeact_facade_parses_once(monkeypatch: pytest.MonkeyPatch) -> None:
    if sandbox_unavailable():
        pytest.skip("sandbox unavailable")
    with CodeAct(tools=load_tools_file(CORPUS / "tools.py")) as codeact:
        assert codeact.execute_sync("print(2)\n").ok
        parses = Parses()
        parses.install(monkeypatch)
        run = codeact.execute_sync(PROGRAM)
        monkeypatch.undo()
    assert run.ok, run.error
    assert parses.of(PROGRAM) == ["ast.parse"], parses.calls
    assert parses.of(transpile(PROGRAM, SPECS).code) == [], parses.calls


def test_without_a_checked_program_each_stage_parses(monkeypatch: pytest.MonkeyPatch) -> None:
    """The counter sees the parses parse-once removes (so the test above can fail)."""
    report = verify(PROGRAM, SPECS, types=False)
    parses = Parses()
    parses.install(monkeypatch)
    result = transpile(PROGRAM, SPECS)
    restrict_on_host(result.code, known_globals=SPECS)
    monkeypatch.undo()
    assert parses.of(PROGRAM) == ["ast.parse"] and parses.of(result.code) == ["ast.parse"]
    parses = Parses()
    parses.install(monkeypatch)
    reused, tree = transpile_for_run(PROGRAM, SPECS, report.program)
    monkeypatch.undo()
    assert reused.code == result.code and tree is not None
    assert parses.calls == []


# -- what reuses the parse gives what a fresh parse gives -----------------------------------------
def _dump(tree: ast.AST) -> str:
    return ast.dump(tree, include_attributes=False)


def _stmt_lines(tree: ast.AST) -> list[int]:
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.stmt)]


@pytest.mark.parametrize("path", ACCEPT, ids=[p.stem for p in ACCEPT])
def test_the_verifiers_tree_rewritten_is_the_transpiled_programs_tree(path: Path) -> None:
    code = path.read_text(encoding="utf-8")
    report = verify(code, SPECS, types=False)
    assert report.ok and report.program is not None
    result, tree = transpile_for_run(code, SPECS, report.program)
    assert result.code == transpile(code, SPECS).code
    assert tree is not None
    fresh = ast.parse(result.code)
    assert _dump(tree) == _dump(fresh)
    assert _stmt_lines(tree) == _stmt_lines(fresh)
    # and the host's restricted transform of it is the transform of a fresh parse, to the byte
    expected = restrict_on_host(result.code, known_globals=SPECS)
    hand_over(result.code, tree)
    assert restrict_on_host(result.code, known_globals=SPECS) == expected
    assert expected is not None


def test_typecheck_with_the_checked_program_finds_the_same() -> None:
    code = 'w = call_tool("get_weather", city=3)\nu = get_user(user_id="x")\nprint(u["nme"])\n'
    report = verify(code, SPECS, types=False)
    program = report.program
    assert program is not None
    assert typecheck(code, SPECS, program=program) == typecheck(code, SPECS)


# -- a stale or foreign checked program is never used ------------------------------------------
def test_a_checked_program_serves_only_its_own_text() -> None:
    program = verify(PROGRAM, SPECS, types=False).program
    assert program is not None
    other = PROGRAM.replace("Paris", "London")
    assert program.serves(PROGRAM) and program.serves(PROGRAM, SPECS)
    assert not program.serves(other)
    assert not program.serves(PROGRAM, {"get_weather": SPECS["get_weather"]})
    # another text: transpiled from its own parse, not the checked program's tree
    assert "London" in transpile(other, SPECS, program=program).code
    result, tree = transpile_for_run(other, SPECS, program)
    assert tree is None and "London" in result.code
    assert program.tree is not None  # untouched
    # a foreign program's type check: the same findings as without it
    bad = 'w = get_weather(city=3)\n'
    assert typecheck(bad, SPECS, program=program) == typecheck(bad, SPECS)
    assert typecheck(bad, SPECS, program=program)


def test_the_tree_is_given_out_once() -> None:
    program = verify(PROGRAM, SPECS, types=False).program
    assert program is not None
    first = transpile_for_run(PROGRAM, SPECS, program)
    assert first[1] is not None
    assert program.tree is None and program.index is None and not program.serves(PROGRAM)
    second = transpile_for_run(PROGRAM, SPECS, program)  # parses again, the tree stays its own
    assert second[1] is None and second[0].code == first[0].code
    assert transpile(PROGRAM, SPECS, program=program).code == first[0].code


def test_a_handed_tree_serves_only_its_own_text() -> None:
    code = transpile(PROGRAM, SPECS).code
    other = code.replace("Paris", "Lyon")
    hand_over(code, parse(code))
    restricted = restrict_on_host(other, known_globals=SPECS)
    assert restricted is not None and "Lyon" in restricted["source"]
    assert code in precompile._handed  # still waiting for its own text
    assert restrict_on_host(code, known_globals=SPECS) is not None
    assert code not in precompile._handed  # taken once


def test_the_handed_trees_are_bounded() -> None:
    for i in range(precompile._HANDED_MAX + 5):
        hand_over(f"x = {i}\n", parse(f"x = {i}\n"))
    assert len(precompile._handed) == precompile._HANDED_MAX
    precompile._handed.clear()


def test_the_report_compares_and_pickles_without_its_program() -> None:
    a = verify(PROGRAM, SPECS, types=False)
    b = verify(PROGRAM, SPECS, types=False)
    assert a == b and a.program is not b.program
    copy = pickle.loads(pickle.dumps(a))
    assert copy == a and isinstance(copy.program, CheckedProgram)
    assert copy.program.serves(PROGRAM) and "program" not in a.to_dict()
    assert verify("x = (\n", SPECS, types=False).program is None  # no tree, no program


# -- one column conversion, one list of what binds a name ------------------------------------
@pytest.mark.parametrize("path", ACCEPT[:12], ids=[p.stem for p in ACCEPT[:12]])
def test_bound_names_agree(path: Path) -> None:
    code = path.read_text(encoding="utf-8")
    tree = parse(code)
    everywhere = bound_names(tree)
    assert set(Facts.from_ast(tree).bound) == everywhere
    assert find_tool_calls(tree, SPECS).bound == everywhere
    program = verify(code, SPECS, types=False).program
    assert program is not None and program.bound == everywhere
    assert program.module_bound == bound_names(tree, module_level=True) <= everywhere


def test_bound_names_cover_every_kind_of_binding() -> None:
    code = (
        "import a.b, c as d\nfrom e import f as g, h\n"
        "def fn(p, /, q, *r, s, **t):\n    global G\n    def inner():\n        nonlocal p\n"
        "class K: pass\n"
        "try:\n    pass\nexcept E as exc:\n    pass\n"
        "match v:\n    case [x, *rest]: pass\n    case {'k': y, **others}: pass\n"
        "    case Point(z) as whole: pass\n"
        "del gone\n[w for w in range(3)]\n(walrus := 1)\nlambda lam: lam\n"
    )
    expected = {
        "a", "d", "g", "h", "fn", "p", "q", "r", "s", "t", "G", "inner", "K", "exc", "x",
        "rest", "y", "others", "z", "whole", "gone", "w", "walrus", "lam",
    }  # fmt: skip
    tree = parse(code)
    assert bound_names(tree) == expected
    assert set(Facts.from_ast(tree).bound) == expected
    assert find_tool_calls(tree, {}).bound == expected
    assert bound_names(tree, module_level=True) == {
        "a", "d", "g", "h", "fn", "K", "exc", "x", "rest", "y", "others", "z", "whole",
        "gone", "walrus",
    }  # fmt: skip


def test_one_column_conversion() -> None:
    code = 'é = "ü"; x = 1\n\fy = "日本"; z = 2\n'
    lines = SourceLines(code)
    tree = parse(code)
    x = next(n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "x")
    z = next(n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "z")
    assert lines.span(x) == (1, 9, 1, 10)
    assert lines.span(z) == (2, 11, 2, 12)
    assert Source(code).span(z) == lines.span(z)
    assert isinstance(Source(code), SourceLines)
    # the None-origin finder keys expressions by the same character columns (a \f does not end
    # a line for Python, so it must not for the finder either)
    origins = NoneOrigins(tree, code, ["t"], lines)
    assert (2, 11) in origins.starts and origins.lines is lines
