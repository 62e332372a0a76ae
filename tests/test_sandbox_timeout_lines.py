"""A timeout names the program's line whenever the program is in its own loops: loops,
functions and comprehensions all tick. One long built-in call (`sum(range(10**14))`, or a
built-in calling a lambda item by item) never reaches a tick; the epoch backstop stops it from
outside and the message says so."""

from __future__ import annotations

import pytest
from test_sandbox_support import make_sandbox, run

from codeact_verify.host import Limits


@pytest.fixture(params=[True, False], ids=["host-restrict", "guest-restrict"])
def sb(request):
    with make_sandbox(limits=Limits(timeout_s=0.5)) as sandbox:
        sandbox.host_restrict = request.param
        yield sandbox


@pytest.mark.parametrize(
    ("program", "line"),
    [
        ("x = 1\ntotal = sum(v * x for v in range(10**12))\n", 2),
        ("x = 1\nkept = [v for v in range(10**12) if v < 0]\n", 2),
        # the host's laid-out text maps an expression to its statement's first line
        ("x = 1\nd = {\n    v: v\n    for v in range(10**12)\n    if v < 0\n}\n", (2, 4)),
        ("def f(n):\n    return sum(1 for _ in range(n))\n\nf(10**12)\n", 2),
    ],
    ids=["genexpr", "listcomp", "dictcomp-multiline", "genexpr-in-function"],
)
def test_python_level_loops_time_out_on_their_line(
    sb, program: str, line: int | tuple[int, ...]
) -> None:
    r = run(sb, program)
    assert r.error is not None and r.error.kind == "timeout", r.error
    assert r.error.message == "time limit of 0.5 s exceeded"
    assert r.error.line in (line if isinstance(line, tuple) else (line,))


@pytest.mark.parametrize(
    "call", ["sum(range(10**14))", "max(range(10**12), key=lambda v: -v)"]
)
def test_one_long_builtin_call_says_why_it_has_no_line(sb, call: str) -> None:
    r = run(sb, f"print('started')\n{call}\n")
    assert r.error is not None and r.error.kind == "timeout", r.error
    assert r.error.line is None
    assert r.error.message.startswith("time limit of 0.5 s exceeded, most likely in a single")
    assert "line is not known" in r.error.message
    assert r.stdout == "started\n"


def test_comprehensions_and_lambdas_keep_their_meaning(sb) -> None:
    program = (
        "pairs = [(a, b) for a in range(4) if a % 2 for b in range(3) if b != a]\n"
        "squares = {v: v * v for v in range(5) if v}\n"
        "evens = {v for v in range(10) if not v % 2}\n"
        "gen = list(v for v in 'abc')\n"
        "nested = [[c for c in w] for w in ['ab', 'c']]\n"
        "falsy = [(lambda: 0)(), (lambda: None)(), (lambda: '')(), (lambda: [])()]\n"
        "add = lambda a, b=10, *rest, k=1: a + b + sum(rest) + k\n"
        "order = sorted(['bb', 'a', 'ccc'], key=lambda s: -len(s))\n"
        "print(pairs, squares, evens, gen, nested)\n"
        "print(falsy, add(1), add(1, 2, 3, k=0), order)\n"
    )
    r = run(sb, program)
    assert r.ok, r.error
    assert r.stdout == (
        "[(1, 0), (1, 2), (3, 0), (3, 1), (3, 2)] {1: 1, 2: 4, 3: 9, 4: 16} {0, 2, 4, 6, 8} "
        "['a', 'b', 'c'] [['a', 'b'], ['c']]\n"
        "[0, None, '', []] 12 6 ['ccc', 'bb', 'a']\n"
    )
