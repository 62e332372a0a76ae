"""The restricted transform skips two passes when they have nothing to do, and only then.

- The tick pass (`ticks.add_ticks`) runs only when the transform visited a loop, a function or
  a comprehension (`SandboxTransformer._ticked`); without one it would change nothing.
- The plain-name analysis (`plain.plain_names`, which lets `x op= v` on a plain scalar go
  without `_inplacevar_`) is skipped when the host sees no augmented assignment operator in
  the program's text (`precompile._AUGASSIGN`); such a token cannot be spelled any other way,
  and a skipped analysis only keeps more guards.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from codeact_verify.host import precompile

CORPUS = Path(__file__).parent / "corpus"
_TICKED_NODES = (
    ast.For, ast.AsyncFor, ast.While, ast.FunctionDef, ast.AsyncFunctionDef, ast.comprehension,
)

EXTRA = {
    "none": "print(1 + 1)\nx = [1, 2][0]\nprint(x <= 2, x >= 1, x == 1, x != 2)\n",
    "walrus": "if (n := 3) > 2:\n    print(n)\n",
    "lambda": "f = lambda v: v * 2\nprint(f(2))\n",
    "comprehension": "print([i for i in range(3)], {k: 1 for k in 'ab'})\n",
    "generator": "print(sum(x * x for x in range(4)))\n",
    "while": "n = 0\nwhile n < 3:\n    n = n + 1\nprint(n)\n",
    "def": "def f():\n    return 1\nprint(f())\n",
    "for": "t = 0\nfor i in range(3):\n    t = t + i\n",
    "augassign": "t = 0\nfor i in range(3):\n    t += i\nprint(t)\n",
    "async_def": "async def f():\n    return 1\n",
    "keyword_equals": "print(1, sep='-', end='=')\nd = dict(a=-1, b=+2)\n",
}


def _programs() -> dict[str, str]:
    out = dict(EXTRA)
    for path in sorted(CORPUS.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        try:
            ast.parse(text)
        except SyntaxError:
            continue
        out[str(path.relative_to(CORPUS))] = text
    return out


PROGRAMS = _programs()


@pytest.mark.parametrize("op", ["+=", "-=", "*=", "/=", "//=", "%=", "**=", "@=", "&=", "|=",
                                "^=", ">>=", "<<="])
def test_every_augmented_operator_is_seen(op: str) -> None:
    program = f"x = 1\nx {op} 1\n"
    tree = ast.parse(program)
    assert any(isinstance(n, ast.AugAssign) for n in ast.walk(tree))
    assert precompile._AUGASSIGN.search(program) is not None


@pytest.mark.parametrize("text", ["a <= b", "a >= b", "a == b", "a != b", "f(a=-1)",
                                  "(n := 1)", "def f() -> int: ...", "x = +1"])
def test_comparisons_and_keywords_are_not_augmented_operators(text: str) -> None:
    assert precompile._AUGASSIGN.search(text) is None


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_a_program_with_an_augmented_assignment_is_never_skipped(name: str) -> None:
    program = PROGRAMS[name]
    if any(isinstance(n, ast.AugAssign) for n in ast.walk(ast.parse(program))):
        assert precompile._AUGASSIGN.search(program) is not None


def _transform(program: str, may_augassign: object) -> tuple[str, bool]:
    tree = ast.parse(program)
    transformer = precompile._restrict.transformer_for(None)([], [], {})
    transformer.known_globals = frozenset({"get_weather"})
    transformer.may_augassign = may_augassign
    tree = transformer.visit(tree)
    return ast.unparse(tree), transformer._ticked


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_skipping_changes_no_restricted_text(name: str) -> None:
    program = PROGRAMS[name]
    loops = any(isinstance(n, _TICKED_NODES) for n in ast.walk(ast.parse(program)))
    analysed, ticked = _transform(program, None)
    assert ticked == loops
    if not ticked:
        # the tick pass would have changed nothing
        tree = ast.parse(analysed)
        assert ast.unparse(precompile._restrict.add_ticks(tree)) == analysed
    skipped, _ = _transform(program, precompile._AUGASSIGN.search(program) is not None)
    assert skipped == analysed
