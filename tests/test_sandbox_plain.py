"""`x op= v` without the `_inplacevar_` call, only where `x` provably holds a plain scalar
(sandbox/runtime/plain.py): the guard stays on every name that could hold anything else, and
the unguarded form computes exactly what the guarded one does."""

from __future__ import annotations

import ast
import operator
from pathlib import Path
from typing import Any

import pytest

from codeact_verify.fuzz.campaign import sandbox_unavailable
from codeact_verify.guest.runtime.abi import HELPER_NAMES
from codeact_verify.guest.runtime.plain import GUEST_GLOBALS, plain_names
from codeact_verify.host.precompile import restrict_on_host
from codeact_verify.host.sandbox import Sandbox
from codeact_verify.tools import tool_specs

GUEST = Path(__file__).resolve().parents[1] / "sandbox" / "guest.py"

CPU_LOOP = "total = 0\nfor i in range(1000):\n    total += i * i % 7\nprint(total)\n"


def plain(program: str, known: frozenset[str] | None = frozenset()) -> frozenset[str]:
    return plain_names(ast.parse(program), known)


def restricted(program: str, known: frozenset[str] | None = frozenset()) -> str:
    out = restrict_on_host(program, known_globals=known)
    assert out is not None
    return str(out["source"])


def test_the_cpu_loop_runs_without_the_guard() -> None:
    assert plain(CPU_LOOP) == {"total", "i"}
    text = restricted(CPU_LOOP)
    assert "total += i * i % 7" in text and "_inplacevar_" not in text
    # floats, strings, len(), `not`, comparisons, conditional expressions, for over a str
    program = (
        "x = 1.5\nx *= 2\ns = ''\nfor c in 'abc':\n    s += c * 2\nn = len(s)\nn -= 1\n"
        "b = not s\nb |= n > 2\ny = 1 if b else 2.0\ny **= 2\n"
    )
    assert plain(program) == {"x", "s", "c", "n", "b", "y"}
    assert "_inplacevar_" not in restricted(program)


# Each program binds `x` (or what `x` is computed from) in a way that could hold an object with
# an in-place method (a list, a Counter, a tool's result, a builtin's value...): the guard stays.
GUARDED = {
    "list": "x = []\nx += [1]\n",
    "tool result": "x = get_rate()\nx += 1\n",
    "tool result in loop": "x = 0.0\nfor i in range(3):\n    x += get_rate()\n",
    "unpacking": "x, y = 1, 2\nx += 1\n",
    "argument": "def f(x):\n    x += 1\n    return x\nx = 0\nx += 1\n",
    "import": "from collections import Counter as x\nx = 0\nx += 1\n",
    "dotted import": "import x.y\nx = 0\nx += 1\n",
    "del": "x = 0\ndel x\nx = 0\nx += 1\n",
    "global": "x = 0\ndef f():\n    global x\n    x = []\nf()\nx += [1]\n",
    "nonlocal": (
        "def f():\n    x = 0\n    def g():\n        nonlocal x\n        x = []\n"
        "    g()\n    x += [1]\n"
    ),
    "with": "import contextlib\nwith contextlib.nullcontext([]) as x:\n    x += [1]\n",
    "except": "try:\n    1 / 0\nexcept Exception as x:\n    pass\nx = 0\nx += 1\n",
    "comprehension": "x = 0\ny = [x for x in [[1]]]\nx += 1\n",
    "walrus": "x = 0\nif (x := [1]):\n    x += [2]\n",
    "for over a list": "for x in [[1]]:\n    x += [2]\n",
    "for over a call": "for x in sorted([[1]]):\n    x += [2]\n",
    "range rebound": "range = sorted\nx = 0\nfor i in range([[1]]):\n    x += i\n",
    "len rebound": "len = sorted\nx = len([[1]])\nx += [2]\n",
    "match capture": "match [1]:\n    case x:\n        x += [2]\n",
    "def name": "def x():\n    pass\nx = 0\nx += 1\n",
    "builtin name": "sum = 0\nsum += 1\n",
    "printed": "printed = ''\nprinted += 'a'\n",
    "guest helper": "call_tool = 0\ncall_tool += 1\n",
    "attribute value": "import math\nx = math.pi\nx += 1\n",
    "subscript value": "x = [[1]][0]\nx += [2]\n",
    "mixed bindings": "x = 0\nx += 1\nx = [1]\nx += [2]\n",
}


@pytest.mark.parametrize("name", sorted(GUARDED))
def test_the_guard_stays_where_the_value_could_have_an_in_place_method(name: str) -> None:
    program = GUARDED[name]
    targets = {n.target.id for n in ast.walk(ast.parse(program)) if isinstance(n, ast.AugAssign)}
    assert targets and not targets & plain(program, frozenset({"get_rate"}))
    out = restrict_on_host(program, known_globals=frozenset({"get_rate"}))
    if name in ("nonlocal", "printed"):  # RestrictedPython refuses these outright
        assert out is None
        return
    assert out is not None and "_inplacevar_('" in str(out["source"])


def test_a_tool_named_like_a_builtin_keeps_the_guard() -> None:
    """A tool named `range` shadows the builtin in the guest: its items could be anything."""
    program = "x = 0\nfor i in range(3):\n    x += i\n"
    assert plain(program) == {"x", "i"}
    assert "i" not in plain(program, frozenset({"range"}))
    assert "_inplacevar_" in restricted(program, frozenset({"range"}))
    program = "x = 0\nx += 1\n"
    assert plain(program, frozenset({"x"})) == frozenset()  # a tool named x


def test_without_the_tool_names_every_augmented_assignment_is_guarded() -> None:
    """The guest's own transform (and the host's, when it is not told the tools) knows nothing
    about the run's globals: it keeps every `_inplacevar_`."""
    assert plain(CPU_LOOP, None) == frozenset()
    assert "_inplacevar_('+='" in restricted(CPU_LOOP, None)


def test_guest_globals_are_the_helpers_guest_py_gives_a_program() -> None:
    """guest.py puts the sandbox ABI's helpers in a program's globals (`HELPER_GLOBALS`, looked
    up from abi.HELPERS), and GUEST_GLOBALS is the ABI's names (tests/test_abi.py)."""
    assert "helpers = dict(HELPER_GLOBALS)" in GUEST.read_text()
    assert GUEST_GLOBALS == frozenset(HELPER_NAMES)


class _Dangerous(list):  # type: ignore[type-arg]
    """What a guarded `+=` must see: an object whose `__iadd__` is not the builtin's."""


def test_a_dangerous_in_place_method_still_goes_through_the_guard() -> None:
    seen: list[tuple[str, Any]] = []

    def inplacevar(op: str, x: Any, y: Any) -> Any:
        seen.append((op, x))
        return operator.iadd(x, y)

    program = "total = 0\nfor i in range(3):\n    total += i\nx = get_rate()\nx += [1]\n"
    text = restricted(program, frozenset({"get_rate"}))
    scope: dict[str, Any] = {
        "_inplacevar_": inplacevar,
        "_getiter_": iter,
        "_tick_": lambda: None,  # the time-limit ticks the transform adds to loops
        "_tick_iter_": iter,
        "get_rate": _Dangerous,
    }
    exec(compile(text, "<program>", "exec"), scope)
    assert scope["total"] == 3
    assert [type(x) for _, x in seen] == [_Dangerous]  # the plain int never needed the guard


OPS = ["+=", "-=", "*=", "/=", "//=", "%=", "**=", "<<=", ">>=", "|=", "&=", "^="]


def _ops_program() -> str:
    lines = ["out = ''"]
    for op in OPS:
        for start, operand in (("7", "3"), ("-7", "2"), ("2.5", "2"), ("True", "True")):
            if op in ("<<=", ">>=", "|=", "&=", "^=") and "." in start:
                continue
            lines += [
                f"v = {start}",
                "try:",
                f"    v {op} {operand}",
                "    out += repr(v) + ' '",
                "except Exception as e:",
                "    out += 'err '",
            ]
    lines += ["s = 'ab'", "s *= 3", "s += 'c%d'", "s %= 5", "out += s", "print(out)"]
    return "\n".join(lines) + "\n"


def test_unguarded_operators_compute_what_python_computes() -> None:
    program = _ops_program()
    text = restricted(program)
    assert "v += 3" in text and "v **= 2" in text and "s *= 3" in text  # left unguarded
    assert "out = _inplacevar_('+=', out" in text  # repr() could return anything
    native: dict[str, Any] = {"print": lambda *a: None}
    exec(program, native)
    ops = {"+=": operator.iadd}
    scope: dict[str, Any] = {
        "_getiter_": iter,
        "_inplacevar_": lambda op, x, y: ops[op](x, y),
    }
    body = text.replace("_print = _print_(_getattr_)\n", "").replace("_print._call_print", "id")
    exec(compile(body, "<program>", "exec"), scope)
    assert scope["out"] == native["out"]


@pytest.mark.skipif(bool(sandbox_unavailable()), reason="sandbox guest unavailable")
def test_in_the_sandbox_results_match_with_and_without_the_host_transform() -> None:
    def get_rate() -> float:
        """A rate."""
        return 0.5

    specs = tool_specs([get_rate])
    tool_loop = "r = 0.0\nfor k in range(4):\n    r += get_rate()\nprint(r)\n"
    program = CPU_LOOP + _ops_program() + tool_loop
    native: list[str] = []
    exec(program, {"print": lambda *a: native.append(" ".join(map(str, a))), "get_rate": get_rate})
    outputs = []
    for host_restrict in (True, False):
        with Sandbox(pool_size=0) as sb:
            sb.host_restrict = host_restrict
            result = sb.run_sync(program, specs)
        assert result.ok, result.error
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1] == "\n".join(native) + "\n"
