"""The host sends a program's own text as its restricted text when the transform provably
leaves it as it is (`precompile._left_as_is`), and only then.

For every such program in the corpora and below, the full transform gives back the very tree
the text parses to (so skipping the unparse changes nothing the guest compiles); programs the
transform rewrites, or whose text the two Pythons might read differently, take the full path;
and the checks still run (a refused name or call is still refused).
"""

from __future__ import annotations

import ast

import pytest
from test_sandbox_transform_skips import PROGRAMS

from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.host import precompile
from codeact_verify.host.sandbox import Sandbox, default_policy

ATTRIBUTES = default_policy().get("attributes")

AS_IS = {
    "print": "print(1+1)\n",
    "operators": (
        "x = 1\ny = -x + 2 * 3 ** 2 // 4 % 5 << 1 >> 1 | 2 & 3 ^ 4 - ~x\n"
        "z = not (x < y <= 3 > 2 >= 1 == 1 != 0) and x in [1] or y not in (2,)\n"
        "w = x is None or y is not None or +x @ 1 if False else x / 2\n"
    ),
    "if": (
        "x = 3\nif x > 2:\n    print('big', sep='')\nelif x:\n    pass\n"
        "else:\n    y = {1: {2}}\n"
    ),
    "chained_assign": "a = b = 2\nprint(a, b)\n",
    "tool_call": "r = get_weather(city='Paris')\nprint(r)\n",
    "comment": "# a comment\nprint(1)  # another\n",
}

NOT_AS_IS = {
    "printed": "print(printed)\n",
    "star_kwargs": "d = {}\nprint(**d)\n",
    "star_args": "a = [1]\nprint(*a)\n",
    "tuple_target": "a, b = 1, 2\n",
    "list_target": "[a, b] = 1, 2\n",
    "attribute": "x = 'a'.upper()\n",
    "subscript": "x = [1][0]\n",
    "slice": "x = [1, 2][0:1]\n",
    "for": "for i in range(2):\n    print(i)\n",
    "while": "while False:\n    pass\n",
    "def": "def f():\n    return 1\n",
    "lambda": "f = lambda: 1\n",
    "comprehension": "print([i for i in range(2)])\n",
    "fstring": "x = 1\nprint(f'{x}')\n",
    "augassign": "x = 1\nx += 1\n",
    "annassign": "x: int = 1\n",
    "import": "import json\n",
    "backslash_escape": "print('a\\\\n')\n",
    "continuation": "x = 1 + \\\\\n    2\n",
    "tab": "if True:\n\tprint(1)\n",
    "non_ascii": "print('\\u00b0C')\n",
    "non_ascii_name": "\\u00e9t\\u00e9 = 1\n",
    "carriage_return": "print(1)\\r\\nprint(2)\\r\\n",
    "form_feed": "\\x0cprint(1)\n",
    "try": "try:\n    pass\nexcept ValueError:\n    pass\n",
    "with_walrus": "if (n := 1):\n    print(n)\n",
}


def _full_transform_dump(program: str) -> str | None:
    """ast.dump of the tree the full transform leaves, or None when it refuses the program."""
    tree = ast.parse(program)
    errors: list[str] = []
    policy = (
        True, tuple(ATTRIBUTES.get("deny") or ()), tuple(ATTRIBUTES.get("deny_prefixes") or ())
    )
    transformer = precompile._restrict.transformer_for(policy)(errors, [], {})
    transformer.known_globals = frozenset({"get_weather"})
    transformer.may_augassign = None
    tree = transformer.visit(tree)
    if errors:
        return None
    return ast.dump(tree)


def _as_is_programs() -> dict[str, str]:
    out = dict(AS_IS)
    for name, text in PROGRAMS.items():
        if precompile._left_as_is(text, ast.parse(text)):
            out[name] = text
    return out


@pytest.mark.parametrize("name", sorted(_as_is_programs()))
def test_as_is_programs_are_left_unchanged_by_the_full_transform(name: str) -> None:
    program = _as_is_programs()[name]
    assert precompile._left_as_is(program, ast.parse(program))
    full = _full_transform_dump(program)
    if full is None:  # refused: the host sends nothing, whichever path
        assert precompile.restrict_on_host(program, attributes=ATTRIBUTES) is None
        return
    assert full == ast.dump(ast.parse(program))
    sent = precompile.restrict_on_host(
        program, attributes=ATTRIBUTES, known_globals=frozenset({"get_weather"})
    )
    assert sent is not None and sent["source"] == program
    assert sent["lines"] == list(range(program.count("\n") + 2))


@pytest.mark.parametrize("name", sorted(NOT_AS_IS))
def test_other_programs_take_the_full_path(name: str) -> None:
    program = NOT_AS_IS[name].encode("ascii").decode("unicode_escape")
    try:
        tree = ast.parse(program)
    except SyntaxError:
        pytest.skip("not Python on this host")
    assert not precompile._left_as_is(program, tree)
    sent = precompile.restrict_on_host(
        program, attributes=ATTRIBUTES, known_globals=frozenset({"get_weather"})
    )
    if sent is not None:  # the full path: the unparsed (rewritten, laid out anew) text
        assert sent["source"] != program


def test_a_handed_over_tree_is_unparsed() -> None:
    program = "print(1+1)\n"
    precompile.hand_over(program, ast.parse(program))
    sent = precompile.restrict_on_host(program, attributes=ATTRIBUTES, known_globals=frozenset())
    assert sent is not None and sent["source"] == "print(1 + 1)"


@pytest.fixture(scope="module")
def sandbox():  # type: ignore[no-untyped-def]
    reason = sandbox_unavailable()
    if reason:
        pytest.skip(f"sandbox unavailable: {reason}")
    with Sandbox(pool_size=0) as sb:
        yield sb


def test_as_is_runs_keep_lines_and_checks(sandbox: Sandbox) -> None:
    ok = sandbox.run_sync("x = 2\nif x > 1:\n    print(x * 3)\n")
    assert ok.ok and ok.stdout == "6\n" and ok.timings["host_restricted"] == 1.0
    failed = sandbox.run_sync("x = 1\ny = 2\nprint(undefined_name)\n")
    assert failed.error is not None and failed.error.kind == "runtime"
    assert failed.error.line == 3 and "undefined_name" in failed.error.message
    for refused in ("print(_secret)\n", "exec('print(1)')\n", "eval('1')\n", "x = __import__\n"):
        result = sandbox.run_sync(refused)
        assert not result.ok and result.error is not None, refused
        assert result.error.kind in ("syntax", "rejected", "runtime"), (refused, result.error)
