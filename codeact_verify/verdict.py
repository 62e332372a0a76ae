"""The verdict rule: which findings reject a program (errors) and which are only shown (warnings).

A rejection costs the agent a model turn; an acceptance promises that the program is inside the
subset and uses the tools as they are declared. So:

**error** (the program is rejected) when the program is wrong for *every* value the tools'
declared types allow, or when part of it cannot be checked, or when a checker failed:

- an unknown or misspelled tool, an unknown keyword, a missing argument, a literal of the wrong
  scalar type or outside a ``Literal``/Enum (CV602-CV607);
- a type error that stays when every data-dependent imprecision is relaxed (below): a ``float``
  or ``list`` indexed like a dict, a missing TypedDict/model key, a wrong scalar type (CV70x);
- a tool result declared ``X | None`` used without a ``None`` check (CV704): ``None`` is the
  tool's documented answer, not an imprecision;
- tool arguments that cannot be checked before running: ``**``/``*`` unpacking of anything but
  a literal into a tool call, a ``call_tools`` pair whose arguments are not a dict literal (CV608);
- any checker failed: the stubs did not compile, mypy raised, or it went over its time or memory
  budget (CV799, CV999). The message says the checker failed, not the program.

**warning** (shown to the model with the output; the program runs) for a finding that depends on
the data: the guest's typed stubs and the host's validation catch the bad case at run time.

How a type error is classified (one rule, applied to every mypy finding): mypy checks the program
twice. First against the *strict* stubs, exactly as the tools declare themselves. If that finds
errors, again against *lenient* stubs in which data-dependent imprecision is relaxed: a union of
two or more non-``None`` types becomes ``Any`` (``dict[str, float | str]`` -> ``dict[str, Any]``,
keeping ``| None``), a ``Literal``/Enum parameter becomes its values' base type (``str``), and
``object`` becomes ``Any``. Two imprecisions of mypy itself have no switch and are relaxed by
reading its message: a type mypy inferred as ``object`` (the join of mixed values, as in
``{"name": "a", "price": 3.0}``) and an overloaded function passed as a callback
(``max(d, key=d.get)``). A strict error that the lenient run also reports at the same place with
the same code is definite: an error. Any other strict error is a warning. ``None`` errors are
judged on their own: an error when the value comes straight from a call of a tool whose result is
declared ``X | None`` (or from a variable assigned from one), else a warning (``re.match(...)``,
``dict.get``).

A grammar may ask for mypy's full strictness (``[types] strict = true``): then every mypy error
is an error.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from .diagnostics import Severity
from .syntax import SourceLines
from .toolcalls import CALL_TOOL

#: A message about a type mypy inferred as ``object`` (a join of mixed types) or about an
#: overloaded function used as a callback: mypy's own imprecision, relaxed like a union.
_RELAXED = re.compile(r'\bobject\b(?=[\]",)|]| \|)|overloaded function')


def relaxed_message(message: str) -> bool:
    """Is this mypy message about an imprecision the lenient run reads as ``Any``?"""
    return bool(_RELAXED.search(message))


# -- lenient stubs ------------------------------------------------------------------------------
def _members(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return _members(node.left) + _members(node.right)
    return [node]


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _join(members: list[ast.expr]) -> ast.expr:
    out = members[0]
    for m in members[1:]:
        out = ast.BinOp(left=out, op=ast.BitOr(), right=m)
    return out


def _any() -> ast.expr:
    return ast.Name(id="Any", ctx=ast.Load())


def _literal_base(node: ast.expr) -> ast.expr | None:
    """``Literal["a", "b"]`` -> ``str`` (the values' base types), else None."""
    if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)):
        return None
    if node.value.id != "Literal":
        return None
    items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    names: list[str] = []
    for item in items:
        value = item.value if isinstance(item, ast.Constant) else None
        name = {bool: "bool", int: "int", str: "str", bytes: "bytes"}.get(type(value), "Any")
        if value is None and isinstance(item, ast.Constant):
            name = "None"
        if name not in names:
            names.append(name)
    return _join([ast.Name(id=n, ctx=ast.Load()) for n in names])


def widen(node: ast.expr, *, parameter: bool) -> ast.expr:
    """An annotation with data-dependent imprecision relaxed (see the module docstring)."""
    if parameter:
        base = _literal_base(node)
        if base is not None:
            return base
    if isinstance(node, ast.Name) and node.id == "object":
        return _any()
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        members = [widen(m, parameter=parameter) for m in _members(node)]
        none = [m for m in members if _is_none(m)]
        rest = [m for m in members if not _is_none(m)]
        if len(rest) > 1 and not parameter:
            rest = [_any()]
        return _join(rest + none[:1])
    if isinstance(node, ast.Subscript):
        inner = node.slice
        if isinstance(inner, ast.Tuple):
            new_slice: ast.expr = ast.Tuple(
                elts=[widen(e, parameter=parameter) for e in inner.elts], ctx=ast.Load()
            )
        else:
            new_slice = widen(inner, parameter=parameter)
        return ast.Subscript(value=node.value, slice=new_slice, ctx=ast.Load())
    return node


class _Lenient(ast.NodeTransformer):
    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        args = node.args
        for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
            if a.annotation is not None:
                a.annotation = widen(a.annotation, parameter=True)
        if node.returns is not None:
            node.returns = widen(node.returns, parameter=False)
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        # TypedDict fields are results, except a tool's arguments (typecheck's `_CvArgs_<tool>`)
        parameter = node.name.startswith("_CvArgs_")
        for item in node.body:
            if isinstance(item, ast.AnnAssign):
                item.annotation = widen(item.annotation, parameter=parameter)
        return node


def lenient_stubs(text: str) -> str:
    """The stub module with data-dependent imprecision relaxed (raises SyntaxError if invalid)."""
    tree = _Lenient().visit(ast.parse(text))
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def optional_results(text: str) -> frozenset[str]:
    """Names of the stub module's functions whose declared result is ``X | None``."""
    out: set[str] = set()
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns is not None:
            ret = node.returns
            if isinstance(ret, ast.Subscript) and isinstance(ret.value, ast.Name):
                if ret.value.id == "Optional":
                    out.add(node.name)
                    continue
            if any(_is_none(m) for m in _members(ret)):
                out.add(node.name)
    return out


# -- where a None comes from -----------------------------------------------------------------------
class NoneOrigins:
    """Which expressions of the model's program hold a result of an ``X | None`` tool.

    Straight from the call (``lookup(name="a")["x"]``, ``call_tool("lookup", ...)["x"]``) or
    through a variable assigned from such a call anywhere in the program. A value passed on
    further (into a function, a container) is not followed: its ``None`` finding stays a warning.
    """

    def __init__(
        self,
        tree: ast.Module,
        code: str,
        tools: Iterable[str],
        lines: SourceLines | None = None,
    ) -> None:
        self.tools = frozenset(tools)
        self.lines = lines if lines is not None and lines.text == code else SourceLines(code)
        self.starts: dict[tuple[int, int], list[ast.AST]] = {}
        self.names: dict[str, str] = {}  # variable -> the tool whose result it holds
        if not self.tools:
            return
        for node in ast.walk(tree):
            if isinstance(node, ast.expr) and hasattr(node, "lineno"):
                key = (node.lineno, self.lines.char_col(node.lineno, node.col_offset))
                self.starts.setdefault(key, []).append(node)
            value: ast.expr | None = None
            targets: list[ast.expr] = []
            if isinstance(node, ast.Assign):
                value, targets = node.value, node.targets
            elif isinstance(node, ast.AnnAssign | ast.NamedExpr):
                value, targets = node.value, [node.target]
            tool = self._tool_call(value) if value is not None else None
            if tool is not None:
                self.names.update((t.id, tool) for t in targets if isinstance(t, ast.Name))

    def _tool_call(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Await):
            node = node.value
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            return None
        name = node.func.id
        if name == CALL_TOOL and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                name = first.value
        return name if name in self.tools else None

    def _root(self, node: ast.AST) -> str | None:
        for _ in range(200):
            tool = self._tool_call(node) if isinstance(node, ast.expr) else None
            if tool is not None:
                return tool
            if isinstance(node, ast.Attribute | ast.Subscript | ast.Starred):
                node = node.value
            elif isinstance(node, ast.Call):
                node = node.func
            elif isinstance(node, ast.Await):
                node = node.value
            elif isinstance(node, ast.BinOp):
                return self._root(node.left) or self._root(node.right)
            elif isinstance(node, ast.Name):
                return self.names.get(node.id)
            else:
                return None
        return None

    def from_tool(self, line: int, col: int) -> str | None:
        """The ``X | None`` tool whose result an expression starting at (line, col) holds."""
        for node in self.starts.get((line, col), ()):
            tool = self._root(node)
            if tool is not None:
                return tool
        return None


# -- one example per class (documented in docs/rules.md, tested in tests/test_verdict.py) --------
@dataclass(frozen=True)
class Example:
    """A program against :func:`example_tools` and the finding it must get."""

    what: str
    severity: Severity
    code: str
    program: str


EXAMPLES: tuple[Example, ...] = (
    Example("unknown or misspelled tool", "error", "CV602",
            'w = call_tool("get_wether", city="Paris")\n'),
    Example("unknown keyword", "error", "CV603", 'w = call_tool("get_weather", town="Paris")\n'),
    Example("missing argument", "error", "CV604",
            'n = call_tool("check_inventory", warehouse="east")\n'),
    Example("wrong scalar type", "error", "CV607", "w = get_weather(city=3)\n"),
    Example("value outside a Literal/Enum", "error", "CV607",
            'n = check_inventory(sku="A1", warehouse="north")\n'),
    Example("a float indexed like a dict", "error", "CV702",
            'r = get_rate(base="USD", quote="EUR")\nprint(r["rate"])\n'),
    Example("missing TypedDict/model key", "error", "CV702",
            'u = find_user(name="ada")\nif u is not None:\n    print(u["phone"])\n'),
    Example("a tool's `X | None` result used without a None check", "error", "CV704",
            'u = find_user(name="ada")\nprint(u["email"])\n'),
    Example("`**` of a non-literal into a tool call", "error", "CV608",
            'args = {"city": "Paris"}\nw = call_tool("get_weather", **args)\n'),
    Example("a call_tools pair whose arguments are not a dict literal", "error", "CV608",
            'args = {"city": "Paris"}\nws = call_tools([("get_weather", args)])\n'),
    Example("arithmetic on values of a union-valued result", "warning", "CV705",
            'a = call_tool("get_weather", city="Seattle")\n'
            'b = call_tool("get_weather", city="Amsterdam")\n'
            'print(f"{a[\'temperature_c\'] - b[\'temperature_c\']:+.1f}")\n'),
    Example("a str variable passed to a Literal/Enum parameter", "warning", "CV701",
            'for wh in ["central", "east"]:\n'
            '    print(call_tool("check_inventory", sku="A1", warehouse=wh))\n'),
    Example("max/min with key=d.get", "warning", "CV701",
            'd = {"a": 1.5, "b": 2.5}\nprint(max(d, key=d.get))\n'),
    Example("values of a dict literal with mixed value types", "warning", "CV705",
            'row = {"name": "a", "price": 3.0}\nprint(row["price"] * 2)\n'),
    Example("a union value passed where a float is expected", "warning", "CV701",
            'import math\nw = get_weather(city="Oslo")\n'
            'print(math.isclose(20.0, w["temperature_c"]))\n'),
    Example("a None that does not come from a tool's declared result", "warning", "CV704",
            'import re\nm = re.match("a", "abc")\nprint(m.group(0))\n'),
)  # fmt: skip


class User(TypedDict):
    name: str
    email: str


def example_tools() -> list[Callable[..., Any]]:
    """Tools annotated the loose way real tool sets are, for :data:`EXAMPLES`."""

    def get_weather(city: str) -> dict[str, float | str]:
        """Current weather: temperature_c (float) and conditions (str)."""
        return {"temperature_c": 20.0, "conditions": "sunny"}

    def check_inventory(sku: str, warehouse: Literal["central", "east", "west"] = "central") -> int:
        """Units of a SKU in stock at a warehouse."""
        return 3

    def find_user(name: str) -> User | None:
        """A user by name, or None when there is none."""
        return None

    def get_rate(base: str, quote: str) -> float:
        """Exchange rate from base to quote."""
        return 1.1

    return [get_weather, check_inventory, find_user, get_rate]
