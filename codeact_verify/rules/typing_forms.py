"""String forward references inside `typing` subscripts (`Optional["int"]`).

`typing` turns a string argument of a subscript into a `ForwardRef`, which compiles the string;
the sandbox refuses compile, so such a program always ends as "the sandbox refused compile"
however it is written. Refusing it here keeps the verifier's verdict and the sandbox's in step
(red-team finding 06). `Literal["a"]` keeps its strings as values and `Annotated[T, "note"]`
its metadata: both are allowed.
"""

from __future__ import annotations

import ast
from typing import ClassVar

from .base import Context, Invalid, NodeRule, register

_TYPING_MODULES = frozenset({"typing", "typing_extensions"})
_VALUE_FORMS = frozenset({"Literal"})  # their string arguments are values, not types


@register
class TypingStringRule(NodeRule):
    code = "CV112"
    name = "typing-string"
    message = "a string inside a typing subscript is compiled as a type, which the sandbox refuses"
    hint = (
        'Write the type itself, not its name in quotes (Optional[int], not Optional["int"]); '
        "annotations are not checked at run time, so a plain one or none at all works too."
    )
    VALID: ClassVar[list[str]] = [
        "from typing import Optional, List\nx: Optional[int] = None\ny: List[str] = ['a']\n"
        "print(x, y)\n",
        "import typing\nMode = typing.Literal['r', 'w']\nprint(Mode)\n",
        "names: list['str'] = ['a']\nprint(names)\n",
        "def f(x: 'int') -> 'str':\n    return str(x)\n\nprint(f(1))\n",
    ]
    INVALID: ClassVar[list[Invalid]] = [
        Invalid(
            "# Source: red-team review of this project (finding 06): typing compiles the\n"
            "# string, so check said ok and the run was always refused\n"
            "import typing\nT = typing.Optional['int']\n",
            4,
            21,
        ),
        Invalid("from typing import List\nx: List['int'] = []\n", 2, 9),
        Invalid("from typing import Union as U\nT = U['a', int]\n", 2, 7),
        Invalid("import typing as t\nF = t.Callable[['int'], str]\n", 2, 17),
        Invalid("from typing import Dict, Optional\nD = Dict[str, Optional['x']]\n", 2, 24),
    ]

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.names: dict[str, str] = {}  # local name -> typing name (from typing import X as Y)
        for node in ctx.ast_nodes:
            if type(node) is ast.ImportFrom and node.module in _TYPING_MODULES and not node.level:
                for alias in node.names:
                    self.names[alias.asname or alias.name] = alias.name

    def _typing_name(self, node: ast.expr) -> str | None:
        if type(node) is ast.Name:
            return self.names.get(node.id)
        if type(node) is ast.Attribute and type(node.value) is ast.Name:
            if self.ctx.facts.module_aliases.get(node.value.id) in _TYPING_MODULES:
                return node.attr
        return None

    def visit_Subscript(self, node: ast.Subscript) -> None:
        form = self._typing_name(node.value)
        if form is None or form in _VALUE_FORMS:
            return
        args = list(node.slice.elts) if type(node.slice) is ast.Tuple else [node.slice]
        if form == "Annotated":
            args = args[:1]  # the rest is metadata, kept as values
        while args:
            arg = args.pop()
            if type(arg) is ast.Constant and isinstance(arg.value, str):
                self.report(arg, f"{self.message} ({arg.value!r} in {form}[...])")
            elif type(arg) in (ast.Tuple, ast.List):
                args.extend(arg.elts)  # type: ignore[attr-defined]


__all__ = ["TypingStringRule"]
