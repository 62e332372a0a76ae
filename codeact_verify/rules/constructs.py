"""Node kinds outside the grammar's allowed constructs."""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any, ClassVar

from ..grammar import CONSTRUCTS, CORE_NODES, HEAD_NODES, SUB_NODES
from .base import Invalid, NodeRule, register


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
    INVALID: ClassVar[list[Invalid]] = [
        Invalid(
            "# Source: smolagents LocalPythonExecutor escapes build classes to reach "
            "__subclasses__\n"
            "class A:\n    pass\n",
            2,
            1,
        ),
        Invalid("def f():\n    global x\n    x = 1\n", 2, 5),
        Invalid("def f():\n    yield 1\n", 2, 5),
        Invalid(
            "# Source: pyjail write-ups read gi_frame.f_back.f_globals from a running generator\n"
            "g = (x for x in [1])\nasync def h():\n    await g\n",
            3,
            1,
        ),
        Invalid(
            "def f():\n    n = 0\n    def g():\n        nonlocal n\n        n += 1\n    g()\n",
            4,
            9,
        ),
        Invalid("with ctx() as c:\n    pass\n", 1, 1),
    ]

    def handler_for(self, cls: type) -> Callable[[ast.AST], None] | None:
        """The check for one node class (None for core nodes): heads, sub-nodes, the unknown."""
        kind = cls.__name__
        if kind in CORE_NODES:
            return None
        special = _SPECIAL.get(kind)
        heads = HEAD_NODES.get(kind)
        if heads is None:
            if kind in SUB_NODES:
                if special is None:
                    return None
                return lambda node: special(self, node)
            return lambda node: self.report(node, f"unsupported syntax: {kind}")
        denied = [c for c in heads if c not in self.grammar.constructs]

        def check(node: ast.AST) -> None:
            for construct in denied:
                self.deny(node, construct)
            if special is not None:
                special(self, node)

        return check

    def deny(self, node: ast.AST, construct: str) -> None:
        label = CONSTRUCTS[construct][0]
        self.report(node, f"{label} are not allowed in grammar {self.grammar.name!r}")

    # --- constructs recognised from a field rather than a node class --------------------------
    def decorators(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        if node.decorator_list and "decorator" not in self.grammar.constructs:
            for decorator in node.decorator_list:
                self.deny(decorator, "decorator")

    def lazy_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if getattr(node, "is_lazy", 0) and "lazy_import" not in self.grammar.constructs:
            self.deny(node, "lazy_import")

    def comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        # `async for` inside (the `comprehension` sub-node has no position: report the whole)
        allowed = self.grammar.constructs
        if "async" not in allowed and any(g.is_async for g in node.generators):
            self.deny(node, "async")
        if "starred_comprehension" in allowed:
            return
        element = getattr(node, "elt", None)
        if isinstance(element, ast.Starred) or (
            isinstance(node, ast.DictComp) and node.value is None  # {**d for d in ds}
        ):
            self.deny(node, "starred_comprehension")


_SPECIAL: dict[str, Callable[[ConstructRule, Any], None]] = {
    "FunctionDef": ConstructRule.decorators,
    "AsyncFunctionDef": ConstructRule.decorators,
    "ClassDef": ConstructRule.decorators,
    "Import": ConstructRule.lazy_import,
    "ImportFrom": ConstructRule.lazy_import,
    "ListComp": ConstructRule.comprehension,
    "SetComp": ConstructRule.comprehension,
    "GeneratorExp": ConstructRule.comprehension,
    "DictComp": ConstructRule.comprehension,
}
