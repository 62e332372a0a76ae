"""The verifier's fast tree walks find exactly what the plain `ast` walks they replace found.

`syntax.child_nodes` replaces `ast.iter_child_nodes`, and `rules.source.folded_names` reads the
verifier's pre-order node list instead of walking the tree again with `ast.walk`. Each is
compared here with a reference written the plain way, on every program the project has (the
accept and escape corpora, the rules' examples, this package's own source) and on programs
written to tell the orders apart.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from codeact_verify.rules import source
from codeact_verify.rules.registry import all_rules
from codeact_verify.rules.walk import nodes_with_depth
from codeact_verify.syntax import bound_names, child_nodes

ROOT = Path(__file__).resolve().parent.parent

ORDER_PROGRAMS = [
    # several `Final` bindings of one name at different depths: which one the folder follows
    # first depends on the walk's order (breadth-first, as ast.walk)
    "a: Final = 0\nif x:\n    a: Final = 0.0\n    if y:\n        a: Final = ''\n"
    "a: Final = 1.5\ndef f():\n    a: Final = 2\nb = a + 2 ** 2000\n",
    "def f():\n    if c:\n        k: Final = 3\n    k: Final = 4\nk: Final = 5.0\nm = k * k\n",
    "x = 1\nfor (y, z) in [(1, 2)]:\n    w: int = y\nimport a.b as c, d.e\nglobal q\n"
    "match v:\n    case {**rest}:\n        pass\n    case [*s] if s:\n        t = 1\n"
    "try:\n    pass\nexcept E as err:\n    pass\nlam = lambda p, *ps, k=1, **kw: p\n",
]


def _programs() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("tests/corpus/**/*.py"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("fuzz/corpus/**/*.py"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted(ROOT.glob("codeact_verify/**/*.py"))]
    for rule in all_rules().values():
        texts += [*rule.VALID, *(str(i) for i in rule.INVALID)]
    out = []
    for text in [*texts, *ORDER_PROGRAMS]:
        try:
            ast.parse(text)
        except (SyntaxError, ValueError):
            continue
        out.append(text)
    return out


PROGRAMS = _programs()


def _reference_folded_names(tree: ast.Module) -> dict[str, list[ast.expr]]:
    """`folded_names` as it was written before it read the pre-order node list."""
    names: dict[str, list[ast.expr]] = {}
    count: dict[str, int] = {}
    single: dict[str, ast.expr] = {}

    def bind(name: str) -> None:
        count[name] = count.get(name, 0) + 1

    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bind(node.id)
        elif isinstance(node, ast.arg):
            bind(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bind(node.name)
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
            bind(node.name)
        elif isinstance(node, ast.alias):
            bind((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.Global | ast.Nonlocal):
            for name in node.names:
                bind(name)
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if node.value is not None:
                single[node.target.id] = node.value
                if source._is_final(node.annotation):
                    names.setdefault(node.target.id, []).append(node.value)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                single[target.id] = node.value
    for name, value in single.items():
        if count.get(name) == 1 and value not in names.get(name, ()):
            names.setdefault(name, []).append(value)
    return names


def _reference_bound_names(tree: ast.AST, module_level: bool = False) -> set[str]:
    from codeact_verify import syntax

    out: set[str] = set()
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        out.update(syntax.names_bound(node))
        if module_level and node is not tree and isinstance(node, syntax._SCOPES):
            if isinstance(node, syntax._COMPREHENSIONS):
                stack.append(node.generators[0].iter)
            continue
        stack.extend(ast.iter_child_nodes(node))
    return out


def _ids(names: dict[str, list[ast.expr]]) -> dict[str, list[int]]:
    return {name: [id(v) for v in values] for name, values in names.items()}


def test_there_are_programs_to_compare() -> None:
    assert len(PROGRAMS) > 500


@pytest.mark.parametrize("index", range(len(PROGRAMS)))
def test_fast_walks_match_the_plain_ast_walks(index: int) -> None:
    tree = ast.parse(PROGRAMS[index])
    for node in ast.walk(tree):
        plain = [c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.expr_context)]
        assert child_nodes(node) == plain
    nodes, depths = nodes_with_depth(tree)
    want = _ids(_reference_folded_names(tree))
    assert _ids(source.folded_names(tree, nodes, depths)) == want
    assert _ids(source.folded_names(tree)) == want
    for module_level in (False, True):
        assert bound_names(tree, module_level=module_level) == _reference_bound_names(
            tree, module_level
        )


def test_the_order_programs_tell_the_walks_apart() -> None:
    """The first order program binds `a` with `Final` five times: the folder's list for `a` is
    in breadth-first order, not source order (so the pre-order list must be re-sorted)."""
    tree = ast.parse(ORDER_PROGRAMS[0])
    values = [ast.unparse(v) for v in source.folded_names(tree)["a"]]
    assert values == ["0", "1.5", "0.0", "2", "''"]


def test_transpile_from_the_verifiers_tree_matches_a_fresh_parse() -> None:
    """The transpiler takes the `call_tool(...)` calls from the verifier's tool-call index
    instead of walking the tree: the output is what a fresh parse and walk give."""
    from codeact_verify.tools import load_tools_file, tool_specs
    from codeact_verify.transpile import transpile
    from codeact_verify.verifier import verify

    specs = tool_specs(load_tools_file(ROOT / "tests" / "corpus" / "tools.py"))
    tool_call = re.compile(r"\b(" + "|".join(specs) + r")\((\s*\)?)")
    # every direct tool call written as `call_tool("name", ...)` too
    variants = [
        tool_call.sub(lambda m: f'call_tool("{m[1]}"' + (")" if m[2] else ", "), text)
        for text in PROGRAMS
    ]
    rewritten = 0
    for text in PROGRAMS + variants:
        program = verify(text, specs, types=False).program
        if program is None:
            continue
        fresh = transpile(text, specs)
        reused = transpile(text, specs, program=program)
        assert (reused.code, reused.rewritten, reused.position_map) == (
            fresh.code,
            fresh.rewritten,
            fresh.position_map,
        )
        rewritten += len(fresh.rewritten)
    assert rewritten > 20


def test_transpile_finds_a_call_tool_spelled_with_non_ascii_letters() -> None:
    """The transpiler skips its walk when an ASCII text never spells `call_tool`; a non-ASCII
    spelling that Python's parser normalises to `call_tool` (NFKC) is still found."""
    from codeact_verify.tools import tool_specs
    from codeact_verify.transpile import transpile

    def get_weather(city: str) -> float:
        """Temperature."""
        return 1.0

    specs = tool_specs([get_weather])
    fullwidth = 'x = \uff43\uff41\uff4c\uff4c_tool("get_weather", city="a")\n'
    assert transpile(fullwidth, specs).rewritten == ("get_weather",)
    assert transpile('x = call_tool("get_weather", city="a")\n', specs).rewritten == (
        "get_weather",
    )
    assert transpile('x = get_weather(city="a")\n', specs).rewritten == ()
