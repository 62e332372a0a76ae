"""Where a program calls tools: the one finder that tool checks and effects share.

A tool is called in one of three ways:

* ``call_tool("get_weather", city=c)``: the sandbox's generic entry point (kind ``"call_tool"``);
* ``get_weather(city=c)``: the tool's typed name, unless the program binds that name itself
  anywhere (a def, an assignment, a parameter, an import...; kind ``"direct"``). "Anywhere" rather
  than "in a scope the call sees" keeps this cheap (no scope analysis) and errs on the safe side:
  the transpiler then leaves ``call_tool("get_weather", ...)`` alone, which is always correct;
* ``call_tools([("get_weather", {"city": c}), ...])``: a batch (kind ``"batch"``), one site per
  ``(name, arguments)`` pair of a list literal or list comprehension.

Each site knows its loop context: a call is ``in_loop`` when it sits in a ``for``/``while`` body,
a comprehension (beyond the first iterable, which runs once) or a lambda (which usually runs
once per item of ``map``/``sorted``/...). A ``def`` starts a fresh context; which functions run
repeatedly is worked out by :mod:`codeact_verify.effects`.

The finder works on Python's own ``ast`` (positions included, about 20x cheaper than a libcst
traversal plus libcst positions); columns are converted from UTF-8 bytes to characters, the
convention of :class:`~codeact_verify.diagnostics.Diagnostic`.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, NamedTuple

from .syntax import BINDERS, SourceLines, bound_names, child_nodes, line_starts, parse

__all__ = [
    "CALL_TOOL",
    "CALL_TOOLS",
    "NameRef",
    "SourceLines",
    "ToolCallIndex",
    "ToolCallSite",
    "ToolValue",
    "bound_names",
    "find_tool_calls",
    "line_starts",
    "parse",
    "program_tree",
    "string_value",
]

CALL_TOOL = "call_tool"
CALL_TOOLS = "call_tools"

CallKind = Literal["call_tool", "direct", "batch"]

@dataclass(frozen=True)
class ToolCallSite:
    """One place where the program may call a tool."""

    kind: CallKind
    tool: str | None  # None: the name is not a string literal
    node: ast.AST  # the Call (call_tool/direct) or the batch entry
    name_node: ast.expr | None  # the expression that names the tool (call_tool/batch)
    args: tuple[ast.expr, ...]  # positional arguments of the tool (call_tool: without the name)
    keywords: tuple[ast.keyword, ...]  # keyword arguments (arg None: a ** splat)
    kwargs_node: ast.expr | None  # batch: the arguments expression
    in_loop: bool
    function: str | None  # innermost enclosing def (None at module level or in a lambda)
    in_function: bool


class NameRef(NamedTuple):
    """A read of a name, with its loop context (used to see which functions run repeatedly).

    A named tuple (one per name read: cheaper to make than a frozen dataclass)."""

    name: str
    in_loop: bool
    function: str | None
    called: bool  # the callee of a call (else: passed around, e.g. map(f, xs))


@dataclass(frozen=True)
class ToolValue:
    """A registered tool used as a value rather than called by name."""

    tool: str
    node: ast.Name
    in_function: bool


@dataclass
class ToolCallIndex:
    """Everything the finder saw in one program."""

    sites: list[ToolCallSite] = field(default_factory=list)
    # `call_tool`/`call_tools` read other than as a callee (aliasing, map(call_tool, ...))
    bare_references: list[tuple[str, ast.AST]] = field(default_factory=list)
    # bindings of `call_tool`/`call_tools` made by the program itself
    rebindings: list[tuple[str, ast.AST]] = field(default_factory=list)
    # batch calls whose argument is not a list literal / comprehension of pairs
    opaque_batches: list[ast.Call] = field(default_factory=list)
    name_refs: list[NameRef] = field(default_factory=list)
    # a registered tool's name read other than as a callee (``f = t``, ``map(t, xs)``,
    # ``[t, u]``): the program may call it through that value, any number of times
    tool_values: list[ToolValue] = field(default_factory=list)
    defs: dict[str, list[str | None]] = field(default_factory=dict)  # def name -> enclosing def
    bound: set[str] = field(default_factory=set)  # every name the program binds, anywhere


def string_value(node: ast.AST | None) -> str | None:
    """The value of a plain string literal (implicit concatenation included), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


class _Finder(ast.NodeVisitor):
    # Faster than NodeVisitor's own dispatch: the visit method per node class is looked up once,
    # and `ctx` (Load/Store/Del markers) is never walked.
    _methods: ClassVar[dict[type, Any]] = {}

    def visit(self, node: ast.AST) -> None:
        cls = node.__class__
        if cls is _CONSTANT:
            return  # nothing inside, binds nothing
        binder = BINDERS.get(cls)
        if binder is not None:
            for name in binder(node):
                self._bind(name, node)
        method = self._methods.get(cls)
        if method is None:
            method = getattr(type(self), "visit_" + cls.__name__, type(self).generic_visit)
            self._methods[cls] = method
        if method is _GENERIC:  # the children, without one more call per node
            visit = self.visit
            for child in child_nodes(node):
                visit(child)
        else:
            method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        visit = self.visit
        for child in child_nodes(node):  # in field order, without the `ctx` markers
            visit(child)

    def __init__(self, tool_names: frozenset[str]) -> None:
        self.tool_names = tool_names
        self.index = ToolCallIndex()
        self.loop_depth = 0
        self.lambda_depth = 0
        self.functions: list[str | None] = []
        self.callees: set[int] = set()
        self.references: list[tuple[str, ast.AST]] = []
        self.opaque: list[ast.Call] = []

    # -- context ------------------------------------------------------------------------------
    @property
    def in_loop(self) -> bool:
        return self.loop_depth > 0 or self.lambda_depth > 0

    @property
    def function(self) -> str | None:
        return self.functions[-1] if self.functions else None

    def _visit_all(self, nodes: list[Any]) -> None:
        for node in nodes:
            self.visit(node)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.target)
        self.visit(node.iter)
        self.loop_depth += 1
        self._visit_all(node.body)
        self.loop_depth -= 1
        self._visit_all(node.orelse)

    visit_AsyncFor = visit_For

    def visit_While(self, node: ast.While) -> None:
        self.loop_depth += 1
        self.visit(node.test)
        self._visit_all(node.body)
        self.loop_depth -= 1
        self._visit_all(node.orelse)

    def _visit_comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        first, *rest = node.generators
        self.visit(first.iter)  # the first iterable is evaluated once, outside the loop
        self.loop_depth += 1
        self.visit(first.target)
        self._visit_all(first.ifs)
        for gen in rest:
            self.visit(gen)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        self.loop_depth -= 1

    visit_ListComp = _visit_comprehension
    visit_SetComp = _visit_comprehension
    visit_GeneratorExp = _visit_comprehension
    visit_DictComp = _visit_comprehension

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.index.defs.setdefault(node.name, []).append(self.function)
        self._visit_all(node.decorator_list)
        self._visit_defaults(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        saved = self.loop_depth, self.lambda_depth
        self.loop_depth, self.lambda_depth = 0, 0
        self.functions.append(node.name)
        self._bind_params(node.args)
        self._visit_all(node.body)
        self.functions.pop()
        self.loop_depth, self.lambda_depth = saved

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._visit_defaults(node.args)
        self.lambda_depth += 1
        self.functions.append(None)
        self._bind_params(node.args)
        self.visit(node.body)
        self.functions.pop()
        self.lambda_depth -= 1

    def _visit_defaults(self, args: ast.arguments) -> None:
        self._visit_all(args.defaults)
        self._visit_all([d for d in args.kw_defaults if d is not None])
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None and arg.annotation is not None:
                self.visit(arg.annotation)

    def _bind_params(self, args: ast.arguments) -> None:
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None:
                self._bind(arg.arg, arg)  # arg nodes are not visited (annotations are)

    # -- bindings (what binds a name: `syntax.BINDERS`, read in `visit`) -----------------------
    def _bind(self, name: str, node: ast.AST) -> None:
        self.index.bound.add(name)
        if name in (CALL_TOOL, CALL_TOOLS):
            self.index.rebindings.append((name, node))

    # -- calls and names ----------------------------------------------------------------------
    def visit_Name(self, node: ast.Name) -> None:
        name = node.id
        if type(node.ctx) is not ast.Load:
            return  # a binding: see `visit`
        called = id(node) in self.callees
        if name in (CALL_TOOL, CALL_TOOLS) and not called:
            self.references.append((name, node))
        elif name in self.tool_names and not called:
            self.index.tool_values.append(ToolValue(name, node, bool(self.functions)))
        functions = self.functions
        self.index.name_refs.append(
            NameRef(
                name,
                self.loop_depth > 0 or self.lambda_depth > 0,  # self.in_loop, inlined
                functions[-1] if functions else None,  # self.function, inlined
                called,
            )
        )

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            self.callees.add(id(func))
            name = func.id
            if name == CALL_TOOL:
                self._call_tool(node)
            elif name == CALL_TOOLS:
                self._batch(node)
            elif name in self.tool_names:
                self._site("direct", name, node, None, tuple(node.args), tuple(node.keywords))
        self.generic_visit(node)

    def _site(
        self,
        kind: CallKind,
        tool: str | None,
        node: ast.AST,
        name_node: ast.expr | None,
        args: tuple[ast.expr, ...],
        keywords: tuple[ast.keyword, ...],
        kwargs_node: ast.expr | None = None,
        repeated: bool = False,
    ) -> None:
        self.index.sites.append(
            ToolCallSite(
                kind=kind,
                tool=tool,
                node=node,
                name_node=name_node,
                args=args,
                keywords=keywords,
                kwargs_node=kwargs_node,
                in_loop=self.in_loop or repeated,
                function=self.function,
                in_function=bool(self.functions),
            )
        )

    def _call_tool(self, node: ast.Call) -> None:
        first = node.args[0] if node.args else None
        if first is None or isinstance(first, ast.Starred):
            self._site("call_tool", None, node, None, tuple(node.args), tuple(node.keywords))
            return
        tool = string_value(first)
        self._site("call_tool", tool, node, first, tuple(node.args[1:]), tuple(node.keywords))

    def _batch(self, node: ast.Call) -> None:
        arg = node.args[0] if len(node.args) == 1 and not node.keywords else None
        entries: list[tuple[ast.expr, bool]] = []
        if isinstance(arg, ast.List) and not any(isinstance(e, ast.Starred) for e in arg.elts):
            entries = [(e, False) for e in arg.elts]
        elif isinstance(arg, ast.ListComp):
            entries = [(arg.elt, True)]
        pairs = [e for e, _ in entries if isinstance(e, ast.Tuple) and len(e.elts) == 2]
        if not entries or len(pairs) != len(entries):
            self.opaque.append(node)
            return
        for entry, repeated in entries:
            assert isinstance(entry, ast.Tuple)
            name_node, kwargs_node = entry.elts
            if isinstance(name_node, ast.Starred) or isinstance(kwargs_node, ast.Starred):
                self.opaque.append(node)
                return
            tool = string_value(name_node)
            self._site("batch", tool, entry, name_node, (), (), kwargs_node, repeated)

    def finish(self) -> ToolCallIndex:
        """Drop what the program's own bindings turn into ordinary calls."""
        index, bound = self.index, self.index.bound
        index.sites = [
            s
            for s in index.sites
            if not (
                (s.kind == "direct" and s.tool in bound)
                or (s.kind == "call_tool" and CALL_TOOL in bound)
                or (s.kind == "batch" and CALL_TOOLS in bound)
            )
        ]
        index.opaque_batches = [] if CALL_TOOLS in bound else self.opaque
        index.bare_references = [(n, node) for n, node in self.references if n not in bound]
        index.tool_values = [v for v in index.tool_values if v.tool not in bound]
        return index


# `visit` skips constants itself (NodeVisitor's own `visit_Constant` looks for the deprecated
# `visit_Num`/`visit_Str`... methods first, at every constant) and inlines `generic_visit`.
_CONSTANT = ast.Constant
_GENERIC = _Finder.generic_visit


def find_tool_calls(tree: ast.Module, specs: Mapping[str, Any]) -> ToolCallIndex:
    """Every tool call site, bare use of ``call_tool`` and rebinding of it, in a parsed program."""
    finder = _Finder(frozenset(specs))
    finder.visit(tree)
    return finder.finish()


def program_tree(source: str, tree: ast.Module | None = None) -> ast.Module | None:
    """The program's ``ast`` tree: ``tree`` when the caller parsed it already, else parsed here.

    None when Python's parser rejects the program: the syntax check reports it.
    """
    if tree is not None:
        return tree
    try:
        return parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
