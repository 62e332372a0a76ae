"""Rules on names: dunders, forbidden and unknown builtins, sandbox names, computed attributes."""

from __future__ import annotations

import ast
import builtins
import difflib
from typing import ClassVar

from .base import (
    ATTRIBUTE_FUNCTIONS,
    KEYWORD_NAMES,
    Context,
    Identifier,
    Invalid,
    NodeRule,
    attribute_accesses,
    is_dunder,
    register,
    string_literal,
)
from .positions import ATTR, Part, scan_from

# Identifiers arrive NFKC-normalised: Python's parser normalises them (fullwidth ｅｘｅｃ is exec),
# so the rules see names exactly as the program's code objects will.


# Calls whose string arguments are data, never attribute names (printing, tool arguments).
_DATA_CALLS = frozenset({"print", "call_tool", "call_tools"})


# Builtins whose calls the rules check by name: rebinding them would hide the builtin.
_CHECKED_BUILTINS = frozenset({"type", "getattr", "hasattr"})

# Calls that only show a value: `type(x)` may be their argument.
_SHOW_CALLS = frozenset({"print", "str", "repr"})

_STRING_CARRIERS = frozenset({ast.Constant, ast.Tuple, ast.List, ast.Set, ast.Dict})


def _string_constants(node: ast.expr) -> list[ast.Constant]:
    """The str constants of an argument, looking into tuple/list/set/dict displays."""
    if isinstance(node, ast.Constant):
        return [node] if isinstance(node.value, str) else []
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [c for e in node.elts for c in _string_constants(e)]
    if isinstance(node, ast.Dict):
        items = [e for e in (*node.keys, *node.values) if e is not None]
        return [c for e in items for c in _string_constants(e)]
    return []


@register
class DunderRule(NodeRule):
    code = "CV102"
    name = "dunder"
    message = "names and attributes like __x__ are not allowed"
    hint = "Dunder names reach the interpreter's internals; use the data and builtins directly."
    VALID: ClassVar[list[str]] = [
        "_private = 1\nfor _ in range(2):\n    print(_private)\n",
        "d = {'__class__': 1}\nprint(d['__class__'])\n",
        "print('__main__', '__init__.py')\nname = '__x__'.strip('_')\n",
    ]
    INVALID: ClassVar[list[Invalid]] = [
        Invalid(
            "# Source: the classic sandbox escape ().__class__.__base__.__subclasses__()\n"
            "x = ().__class__.__base__.__subclasses__()\n",
            2,
            8,
        ),
        Invalid("print(__builtins__)\n", 1, 7),
        Invalid("m = __import__('os')\n", 1, 5),
        Invalid(
            "# Source: NFKC-normalised identifiers, pyjail write-ups (fullwidth / italic letters)\n"
            "x = ().__ｃｌａｓｓ__\n",
            2,
            8,
        ),
        Invalid("f = lambda: 0\ng = getattr(f, '__globals__')\n", 2, 16),
        Invalid("def f(__x__=1):\n    return __x__\n", 1, 7),
        Invalid("from json import __spec__\n", 1, 18),
        Invalid(
            "# Source: red-team review of this project: update_wrapper copied a stdlib module's\n"
            "# globals (real builtins included) into the program's\n"
            "import functools\nimport typing\ndef w():\n    pass\n"
            "functools.update_wrapper(w, typing.cast, assigned=(), updated=('__globals__',))\n",
            7,
            64,
        ),
        Invalid("import statistics\nx = sorted([1], key=statistics.mean.__call__)\n", 2, 37),
        Invalid(
            "import functools\nf = functools.partial(getattr, print)\nprint(f('__self__'))\n",
            3,
            9,
        ),
    ]

    def _message(self, name: str) -> str:
        return f"`{name}` is a dunder name; these are not allowed"

    def visit_Name(self, node: ast.Name) -> None:
        if is_dunder(node.id):
            self.report(node, self._message(node.id))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if is_dunder(node.attr):
            self.report(node, self._message(node.attr), part=ATTR)

    def visit_keyword(self, node: ast.keyword) -> None:
        if node.arg is not None and is_dunder(node.arg):
            self.report(node, self._message(node.arg), part=scan_from(node, 0))

    def visit_identifier(self, occ: Identifier) -> None:
        if is_dunder(occ.name):
            self.report(occ.node, self._message(occ.name), part=occ.part)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if type(func) is ast.Name:
            reported = False
            for _, name, (where, _part) in attribute_accesses(node):
                if is_dunder(name):
                    self.report(where, f"attribute name {name!r} is a dunder; not allowed")
                    reported = True
            if reported or func.id in _DATA_CALLS or func.id in self.ctx.tool_names:
                return
        # Library functions that take attribute names as data (functools.update_wrapper's
        # updated=("__globals__",), operator.attrgetter) turn a string into an attribute access:
        # a dunder name passed to any other call is refused as if it were written as one.
        for arg in node.args:
            if type(arg) in _STRING_CARRIERS:
                self._dunder_strings(arg)
        for kw in node.keywords:
            if type(kw.value) in _STRING_CARRIERS:
                self._dunder_strings(kw.value)

    def _dunder_strings(self, arg: ast.expr) -> None:
        for const in _string_constants(arg):
            if is_dunder(const.value):
                self.report(const, f"string {const.value!r} names a dunder attribute; not allowed")


@register
class ForbiddenBuiltinRule(NodeRule):
    code = "CV103"
    name = "forbidden-builtin"
    message = "this builtin is not available in the sandbox"
    hint = "Use an allowed builtin or module instead (see the grammar's description)."
    VALID: ClassVar[list[str]] = [
        "print(type(3) is int, type([]) == list, type('x'), f'{type(1.5)}')\n",
        "x = 3\nif type(x) in (int, float):\n    print(str(type(x)))\n",
        "print(sorted({'b': 1, 'a': 2}))\n",
    ]
    INVALID: ClassVar[list[Invalid]] = [
        Invalid(
            "# Source: smolagents LocalPythonExecutor escapes start from eval/exec if reachable\n"
            "eval('1+1')\n",
            2,
            1,
        ),
        Invalid("exec('import os')\n", 1, 1),
        Invalid("code = compile('1', 'x', 'eval')\n", 1, 8),
        Invalid("print(open('/etc/passwd').read())\n", 1, 7),
        Invalid("ｅｘｅｃ('print(1)')\n", 1, 1),
        Invalid("def f():\n    return globals()\n", 2, 12),
        Invalid("e = eval\n", 1, 5),
        Invalid("T = type('T', (), {})\n", 1, 5),
        Invalid("t = type\nT = t('T', (), {})\n", 1, 5),
        Invalid(
            "# Source: red-team review of this project (issue 10 item 1): type(int) is `type`,\n"
            "# which built a str subclass whose __eq__ passed a Literal check\n"
            "from typing import Any\nT: Any = type(int)\nS = T('S', (str,), {})\n",
            4,
            10,
        ),
        Invalid("M = type(type(1))\n", 1, 5),
        Invalid("if False:\n    type = print\nT = type(int)\n", 2, 5),
        Invalid("def f(getattr):\n    return getattr\n", 1, 7),
        Invalid("open = print\nopen('x')\n", 1, 1),
        Invalid("breakpoint()\n", 1, 1),
        Invalid("print(vars(), dir(), locals())\n", 1, 7),
    ]

    def _check(self, name: str, node: ast.AST, part: Part | None = None) -> None:
        why = self.grammar.denied_builtins.get(name)
        if why is not None:
            self.report(node, f"`{name}` is not available: it {why}", part=part)

    def _rebound(self, name: str, node: ast.AST, part: Part | None = None) -> None:
        # the rules below trust that `type`/`getattr`/`hasattr` are the guarded builtins; a
        # binding anywhere (`if False: type = 1`) would make that unprovable
        if name in _CHECKED_BUILTINS and name in self.grammar.builtins:
            self.report(
                node, f"`{name}` is a checked builtin and cannot be rebound; pick another name",
                part=part,
            )

    def visit_Name(self, node: ast.Name) -> None:
        name = node.id
        if is_dunder(name):
            return
        self._check(name, node)
        if type(node.ctx) is not ast.Load:
            self._rebound(name, node)
        # `type` used as a value (t = type; t("X", (), {})) escapes the argument check below.
        if (
            name == "type"
            and "type" in self.grammar.builtins
            and id(node) not in self.ctx.called
            and self.ctx.facts.bound["type"] == 0
        ):
            self.report(node, "`type` may only be called directly, with one argument")

    def visit_identifier(self, occ: Identifier) -> None:
        if (occ.binding or occ.reference) and not is_dunder(occ.name):
            self._check(occ.name, occ.node, occ.part)
        if occ.binding:
            self._rebound(occ.name, occ.node, occ.part)

    # `type(x)` hands out a class: `type(int)` is the metaclass `type`, which builds classes
    # (type("S", (str,), {"__eq__": ...})). So its result may only be compared (`type(x) is
    # int`, `type(x) in (int, float)`) or shown (print/str/repr, an f-string field), never kept.
    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._type_ok: set[int] = set()

    def visit_Compare(self, node: ast.Compare) -> None:
        for operand in (node.left, *node.comparators):
            if type(operand) is ast.Call:
                self._type_ok.add(id(operand))

    def visit_FormattedValue(self, node: ast.FormattedValue) -> None:
        if type(node.value) is ast.Call:
            self._type_ok.add(id(node.value))

    def _mark_shown(self, node: ast.Call) -> None:
        func = node.func
        if type(func) is ast.Name and func.id in _SHOW_CALLS:
            for arg in node.args:
                if type(arg) is ast.Call:
                    self._type_ok.add(id(arg))

    def visit_Call(self, node: ast.Call) -> None:
        self._mark_shown(node)
        func = node.func
        if type(func) is not ast.Name or func.id != "type" or "type" not in self.grammar.builtins:
            return
        if len(node.args) != 1 or node.keywords or isinstance(node.args[0], ast.Starred):
            self.report(node, "type() with other than one argument creates classes")
        elif id(node) not in self._type_ok:
            self.report(
                node,
                "type(x) may only be compared (`type(x) is int`) or printed: the class it "
                "returns can build classes; use isinstance(x, int)",
            )


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
    INVALID: ClassVar[list[Invalid]] = [
        Invalid("print(credits)\n", 1, 7),
        Invalid("print(copyright)\n", 1, 7),
        Invalid("print(undefined_variable)\n", 1, 7),
        Invalid(
            "# Source: site.py adds license/credits/exit to builtins; the grammar does not "
            "list them\n"
            "license()\n",
            2,
            1,
        ),
    ]

    def visit_Name(self, node: ast.Name) -> None:
        name = node.id
        if (
            name in KEYWORD_NAMES
            or is_dunder(name)
            or name in self.grammar.denied_builtins
            or name in self.grammar.withheld_helpers  # CV105 says why
            or name in self.ctx.known_names
            or self.ctx.facts.bound[name] > 0
        ):
            return
        if hasattr(builtins, name):
            self.report(node, f"`{name}` is a Python builtin this grammar does not allow")
        else:
            self.report(node, f"`{name}` is not defined", hint=self._hint_for(name))

    # A "did you mean" costs a fuzzy match against every name the program defines: for a
    # program of 1200 undefined and 1200 defined names that was 16 s (red-team finding
    # red3/06). The report shows at most 50 diagnostics anyway: hints for the first few names.
    MAX_HINTED_NAMES: ClassVar[int] = 20

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self._hints: dict[str, str | None] = {}

    def _hint_for(self, name: str) -> str | None:
        if name in self._hints:
            return self._hints[name]
        if len(self._hints) >= self.MAX_HINTED_NAMES:
            return None  # the rule's general hint
        hint = self._hints[name] = self._did_you_mean(name)
        return hint

    def _did_you_mean(self, name: str) -> str | None:
        """`complete_tsak(...)`: the hint names the tool (or other defined name) meant, as
        `call_tool("complete_tsak", ...)` does; tools first, then everything else defined."""
        tools = sorted(self.ctx.tool_names)
        close = difflib.get_close_matches(name, tools, n=3, cutoff=0.6)
        if close:
            what = f"the tool{'s' if len(close) > 1 else ''} "
            return f"did you mean {what}{' or '.join(repr(c) for c in close)}? tools: " + (
                ", ".join(tools)
            )
        defined = sorted(
            {n for n, count in self.ctx.facts.bound.items() if count}
            | self.grammar.builtins
            | self.grammar.sandbox_names
        )
        close = difflib.get_close_matches(name, defined, n=1, cutoff=0.75)
        if close:
            return f"did you mean {close[0]!r}? " + (self.hint or "")
        return None


@register
class SandboxNameRule(NodeRule):
    code = "CV105"
    name = "rebound-sandbox-name"
    message = "a tool or sandbox helper name is rebound"
    hint = "Pick another variable name: tools and helpers like call_tool must keep their meaning."
    VALID: ClassVar[list[str]] = [
        "result = call_tool('get_weather', city='Paris')\nprint(result)\n",
    ]
    INVALID: ClassVar[list[Invalid]] = [
        Invalid("call_tool = print\ncall_tool('x')\n", 1, 1),
        Invalid("def f(read_text):\n    return read_text\n", 1, 7),
        Invalid("for ToolError in range(3):\n    pass\n", 1, 5),
        Invalid("from json import loads as call_tools\n", 1, 27),
    ]

    def _check(self, name: str, node: ast.AST, part: Part | None = None) -> None:
        if name in self.grammar.sandbox_names:
            self.report(node, f"`{name}` is a sandbox helper and cannot be rebound", part=part)
        elif name in self.ctx.tool_names:
            self.report(node, f"`{name}` is a tool and cannot be rebound", part=part)
        else:
            self._withheld(name, node, part)

    def _withheld(self, name: str, node: ast.AST, part: Part | None = None) -> None:
        # The guest gives every program every helper of the sandbox ABI, whatever the profile:
        # a helper the profile leaves out is refused wherever its name appears, bound or read
        # (a binding in another scope must not make a module-level read pass; red3/01).
        if name in self.grammar.withheld_helpers and name not in self.ctx.tool_names:
            self.report(
                node,
                f"`{name}` is a sandbox helper this grammar ({self.grammar.name}) does not "
                "provide; it cannot be used or rebound",
                part=part,
                hint="Use only the helpers the grammar's description lists, and pick another "
                "variable name.",
            )

    def visit_Name(self, node: ast.Name) -> None:
        if type(node.ctx) is not ast.Load:  # a store or a delete binds the name
            self._check(node.id, node)
        else:
            self._withheld(node.id, node)

    def visit_identifier(self, occ: Identifier) -> None:
        if occ.binding:
            self._check(occ.name, occ.node, occ.part)
        elif occ.reference:
            self._withheld(occ.name, occ.node, occ.part)


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
    INVALID: ClassVar[list[Invalid]] = [
        Invalid("name = 'up' + 'per'\nprint(getattr('x', name)())\n", 2, 20),
        Invalid("g = getattr\nprint(g('x', 'upper'))\n", 1, 5),
        Invalid("print(getattr('x', *['upper']))\n", 1, 7),
        Invalid("print(list(map(getattr, ['a'], ['upper'])))\n", 1, 16),
        Invalid("print(getattr('x', f'{1}'))\n", 1, 20),
    ]

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if type(func) is not ast.Name or func.id not in ATTRIBUTE_FUNCTIONS:
            return
        args = node.args  # positional only: a keyword among the first two leaves fewer here
        if len(args) < 2 or any(isinstance(a, ast.Starred) for a in args[:2]):
            self.report(node, f"{func.id}() needs an object and a literal name")
        elif string_literal(args[1]) is None:
            self.report(args[1], f"{func.id}() with a computed attribute name")

    def visit_Name(self, node: ast.Name) -> None:
        name = node.id
        if (
            name in ATTRIBUTE_FUNCTIONS
            and name not in self.grammar.denied_builtins
            and type(node.ctx) is ast.Load
            and id(node) not in self.ctx.called
            and self.ctx.facts.bound[name] == 0
        ):
            self.report(node, f"`{name}` may only be called directly, with a literal name")
