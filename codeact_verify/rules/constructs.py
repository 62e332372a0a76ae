"""Node kinds outside the grammar's allowed constructs."""

from __future__ import annotations

import inspect
from typing import Any, ClassVar

import libcst as cst

from ..grammar import CONSTRUCTS, CORE_NODES, HEAD_NODES, SUB_NODES
from .base import NodeRule, register


@register
class ConstructRule(NodeRule):
    code = "CV101"
    name = "construct"
    message = "this kind of statement or expression is not allowed"
    hint = "Rewrite it with the allowed constructs (functions, loops, comprehensions, dicts)."
    VALID: ClassVar[list[str]] = [
        "def area(w, h):\n    return w * h\n\nprint([area(w, 2) for w in range(3)])\n",
        "try:\n    x = int('3')\nexcept ValueError as e:\n    x = 0\nprint(x)\n",
        "match {'k': 1}:\n    case {'k': v}:\n        print(v)\n    case _:\n        pass\n",
        "sq = lambda v: v * v\nprint(f'{sq(3)=}')\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "# Source: smolagents LocalPythonExecutor escapes build classes to reach __subclasses__\n"
        "class A:\n    pass\n",
        "def f():\n    global x\n    x = 1\n",
        "def f():\n    yield 1\n",
        "# Source: pyjail write-ups read gi_frame.f_back.f_globals from a running generator\n"
        "g = (x for x in [1])\nasync def h():\n    await g\n",
        "def f():\n    n = 0\n    def g():\n        nonlocal n\n        n += 1\n    g()\n",
        "with ctx() as c:\n    pass\n",
    ]

    def _check(self, node: cst.CSTNode) -> None:
        kind = type(node).__name__
        construct = HEAD_NODES.get(kind)
        if construct is None:
            self.report(node, f"unsupported syntax: {kind}")
        elif construct not in self.grammar.constructs:
            label = CONSTRUCTS[construct][0]
            self.report(node, f"{label} are not allowed in grammar {self.grammar.name!r}")


def _visitor(kind: str) -> Any:
    def visit(self: ConstructRule, node: cst.CSTNode) -> None:
        self._check(node)

    visit.__name__ = visit.__qualname__ = f"visit_{kind}"
    return visit


# One visit_<Kind> method per libcst node class that is neither core nor a sub-node: construct
# heads are checked against the grammar, and any node class unknown to the grammar is rejected.
for _name, _cls in vars(cst).items():
    if (
        inspect.isclass(_cls)
        and issubclass(_cls, cst.CSTNode)
        and not inspect.isabstract(_cls)
        and _name not in CORE_NODES
        and _name not in SUB_NODES
    ):
        setattr(ConstructRule, f"visit_{_name}", _visitor(_name))
