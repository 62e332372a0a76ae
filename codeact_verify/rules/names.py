"""Rules on names: dunders, forbidden and unknown builtins, sandbox names, computed attributes."""

from __future__ import annotations

import builtins
from typing import Any, ClassVar

import libcst as cst

from .base import (
    ATTRIBUTE_FUNCTIONS,
    KEYWORD_NAMES,
    NodeRule,
    attribute_accesses,
    ident,
    is_dunder,
    register,
    string_literal,
)


@register
class DunderRule(NodeRule):
    code = "CV102"
    name = "dunder"
    message = "names and attributes like __x__ are not allowed"
    hint = "Dunder names reach the interpreter's internals; use the data and builtins directly."
    VALID: ClassVar[list[str]] = [
        "_private = 1\nfor _ in range(2):\n    print(_private)\n",
        "d = {'__class__': 1}\nprint(d['__class__'])\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "# Source: the classic sandbox escape ().__class__.__base__.__subclasses__()\n"
        "x = ().__class__.__base__.__subclasses__()\n",
        "print(__builtins__)\n",
        "m = __import__('os')\n",
        "# Source: NFKC-normalised identifiers, pyjail write-ups (fullwidth / italic letters)\n"
        "x = ().__ｃｌａｓｓ__\n",
        "f = lambda: 0\ng = getattr(f, '__globals__')\n",
        "def f(__x__=1):\n    return __x__\n",
        "from json import __spec__\n",
    ]

    def visit_Name(self, node: cst.Name) -> None:
        if is_dunder(ident(node.value)):
            self.report(node, f"`{ident(node.value)}` is a dunder name; these are not allowed")

    def visit_Call(self, node: cst.Call) -> None:
        for _, name, where in attribute_accesses(node):
            if is_dunder(name) and isinstance(where, cst.BaseString):
                self.report(where, f"attribute name {name!r} is a dunder; not allowed")


@register
class ForbiddenBuiltinRule(NodeRule):
    code = "CV103"
    name = "forbidden-builtin"
    message = "this builtin is not available in the sandbox"
    hint = "Use an allowed builtin or module instead (see the grammar's description)."
    VALID: ClassVar[list[str]] = [
        "t = type(3)\nprint(t is int)\n",
        "print(sorted({'b': 1, 'a': 2}))\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "# Source: smolagents LocalPythonExecutor escapes start from eval/exec if reachable\n"
        "eval('1+1')\n",
        "exec('import os')\n",
        "code = compile('1', 'x', 'eval')\n",
        "print(open('/etc/passwd').read())\n",
        "ｅｘｅｃ('print(1)')\n",
        "def f():\n    return globals()\n",
        "e = eval\n",
        "T = type('T', (), {})\n",
        "t = type\nT = t('T', (), {})\n",
        "open = print\nopen('x')\n",
        "breakpoint()\n",
        "print(vars(), dir(), locals())\n",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._called: set[int] = set()

    def visit_Name(self, node: cst.Name) -> None:
        name = ident(node.value)
        if is_dunder(name) or (
            id(node) in self.ctx.not_reference and id(node) not in self.ctx.bindings
        ):
            return
        why = self.grammar.denied_builtins.get(name)
        if why is not None:
            self.report(node, f"`{name}` is not available: it {why}")

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Name):
            self._called.add(id(func))
        if (
            isinstance(func, cst.Name)
            and ident(func.value) == "type"
            and "type" in self.grammar.builtins
            and (len(node.args) != 1 or node.args[0].star or node.args[0].keyword)
        ):
            self.report(node, "type() with other than one argument creates classes")

    def leave_Name(self, node: cst.Name) -> None:
        # `type` used as a value (t = type; t("X", (), {})) escapes the argument check above.
        if (
            ident(node.value) == "type"
            and "type" in self.grammar.builtins
            and self.ctx.is_reference(node)
            and id(node) not in self._called
            and self.ctx.facts.bound["type"] == 0
        ):
            self.report(node, "`type` may only be called directly, with one argument")


@register
class UnknownNameRule(NodeRule):
    code = "CV104"
    name = "unknown-name"
    message = "this name is not defined by the program, the tools or the sandbox"
    hint = "Define it first, or use only the allowed builtins, sandbox helpers and tools."
    VALID: ClassVar[list[str]] = [
        "def helper(v):\n    return v + 1\n\nprint(helper(1))\n",
        "print([y for y in range(3)], True, None)\n",
        "try:\n    call_tool('get_weather', city='Oslo')\nexcept ToolError as e:\n    print(e)\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "print(credits)\n",
        "print(copyright)\n",
        "print(undefined_variable)\n",
        "# Source: site.py adds license/credits/exit to builtins; the grammar does not list them\n"
        "license()\n",
    ]

    def visit_Name(self, node: cst.Name) -> None:
        if not self.ctx.is_reference(node):
            return
        name = ident(node.value)
        if (
            name in KEYWORD_NAMES
            or is_dunder(name)
            or name in self.grammar.denied_builtins
            or name in self.ctx.known_names
            or self.ctx.facts.bound[name] > 0
        ):
            return
        if hasattr(builtins, name):
            self.report(node, f"`{name}` is a Python builtin this grammar does not allow")
        else:
            self.report(node, f"`{name}` is not defined")


@register
class SandboxNameRule(NodeRule):
    code = "CV105"
    name = "rebound-sandbox-name"
    message = "a tool or sandbox helper name is rebound"
    hint = "Pick another variable name: tools and helpers like call_tool must keep their meaning."
    VALID: ClassVar[list[str]] = [
        "result = call_tool('get_weather', city='Paris')\nprint(result)\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "call_tool = print\ncall_tool('x')\n",
        "def f(read_text):\n    return read_text\n",
        "for ToolError in range(3):\n    pass\n",
        "from json import loads as call_tools\n",
    ]

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self.ctx.bindings:
            return
        name = ident(node.value)
        if name in self.grammar.sandbox_names:
            self.report(node, f"`{name}` is a sandbox helper and cannot be rebound")
        elif name in self.ctx.tool_names:
            self.report(node, f"`{name}` is a tool and cannot be rebound")


@register
class DynamicAttributeRule(NodeRule):
    code = "CV106"
    name = "dynamic-attribute"
    message = "getattr/hasattr/setattr/delattr need a literal attribute name"
    hint = "Write the attribute name as a string literal, or use obj.name / a dict."
    VALID: ClassVar[list[str]] = [
        "print(getattr('x', 'upper')())\n",
        "print(hasattr([], 'append'))\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "name = 'up' + 'per'\nprint(getattr('x', name)())\n",
        "g = getattr\nprint(g('x', 'upper'))\n",
        "print(getattr('x', *['upper']))\n",
        "print(list(map(getattr, ['a'], ['upper'])))\n",
        "print(getattr('x', f'{1}'))\n",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._called: set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Name) or ident(func.value) not in ATTRIBUTE_FUNCTIONS:
            return
        self._called.add(id(func))
        args = node.args
        if len(args) < 2 or any(a.star or a.keyword for a in args[:2]):
            self.report(node, f"{ident(func.value)}() needs an object and a literal name")
        elif string_literal(args[1].value) is None:
            self.report(args[1].value, f"{ident(func.value)}() with a computed attribute name")

    def leave_Name(self, node: cst.Name) -> None:
        name = ident(node.value)
        if (
            name in ATTRIBUTE_FUNCTIONS
            and name not in self.grammar.denied_builtins
            and self.ctx.is_reference(node)
            and id(node) not in self._called
            and id(node) not in self.ctx.bindings
            and self.ctx.facts.bound[name] == 0
        ):
            self.report(node, f"`{name}` may only be called directly, with a literal name")
