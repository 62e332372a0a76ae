"""Which names of a program provably hold only plain scalars (exact int, float, complex, bool
or str), so `name op= value` needs no `_inplacevar_` guard call.

`_inplacevar_` is the run-time hook for in-place operators: it exists for objects whose
`__iadd__` (and the like) could do something the sandbox must see. int, float, complex, bool
and str have no in-place methods at all, and any binary operator between two of them returns
one of them (or raises), so on such a name `x += v` is `x = x + v` done by the interpreter, with
nothing to guard. The transformer (restrict.py) keeps the guard for every other name.

A name is plain when, over the whole program (all scopes; name-based, so conservative):
- every binding of it is `name = e`, `name: T = e`, `name op= e`, `(name := e)` with `e` plain,
  or `for name in it` where `it` is plain (its items are str) or a call of the builtin `range`;
- nothing else binds it anywhere: no `del`, `global`/`nonlocal`, import, def, class, argument,
  `except ... as`, `with ... as`, unpacking, match capture, comprehension target, ...;
- it can never resolve to anything but those bindings: it is not a builtin's name, not a name
  the runtime puts in the program's globals (tools, helpers: `known_globals`), and not one the
  restricted transform rewrites (`print`, `printed`). A read before any binding therefore
  raises NameError/UnboundLocalError instead of finding a non-plain value.

Plain expressions: int/float/complex/bool/str constants, plain names, unary and binary
operators, `and`/`or`, comparisons and conditional expressions over plain operands, `not`
anything, and `len(...)` of anything (always an exact int) when `len` is the builtin.
The analysis runs only when the caller says what else is in the program's globals
(`known_globals` is not None); without that knowledge no name is plain.
This module needs only `ast`, `builtins` and the ABI (abi.py), so the host can import it too.
"""

import ast
import builtins

from .abi import HELPER_NAMES

PLAIN_CONSTANTS = (int, float, complex, bool, str)

# What guest.py puts in a program's globals besides the tools: the sandbox ABI's helpers.
GUEST_GLOBALS = frozenset(HELPER_NAMES)

# Names the restricted transform rewrites or that no program may bind as plain.
_REWRITTEN = frozenset({"print", "printed"})

# Every builtin the guest could have (the host's own, plus newer ones the guest's Python has).
_BUILTIN_NAMES = frozenset(dir(builtins)) | {"PythonFinalizationError", "_IncompleteInputError"}

# Fields holding identifiers that are not bindings (an attribute's name, a keyword argument's
# name, a module path, a constant's kind).
_NOT_BINDINGS = {
    ("Attribute", "attr"),
    ("keyword", "arg"),
    ("ImportFrom", "module"),
    ("Constant", "kind"),
    ("Constant", "value"),
    ("Name", "id"),  # Name nodes are handled by their context
}


class _Bindings(ast.NodeVisitor):
    """Collects the allowed bindings per name, and every name bound any other way."""

    def __init__(self):
        self.values = {}  # name -> [value expression | ("iter", expression)]
        self.other = set()  # names bound some other way: never plain

    def _allowed(self, name, value):
        self.values.setdefault(name, []).append(value)

    def visit_Assign(self, node):
        for target in node.targets:
            if isinstance(target, ast.Name):
                self._allowed(target.id, node.value)
            else:
                self.visit(target)
        self.visit(node.value)

    def visit_AnnAssign(self, node):
        if isinstance(node.target, ast.Name) and node.value is not None:
            self._allowed(node.target.id, node.value)
        elif not isinstance(node.target, ast.Name):
            self.visit(node.target)
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.annotation)

    def visit_AugAssign(self, node):
        if isinstance(node.target, ast.Name):
            self._allowed(node.target.id, node.value)
        else:
            self.visit(node.target)
        self.visit(node.value)

    def visit_NamedExpr(self, node):
        self._allowed(node.target.id, node.value)
        self.visit(node.value)

    def visit_For(self, node):
        if isinstance(node.target, ast.Name):
            self._allowed(node.target.id, ("iter", node.iter))
        else:
            self.visit(node.target)
        for child in (node.iter, *node.body, *node.orelse):
            self.visit(child)

    def _other(self, name):
        self.other.add(name)
        self.other.add(name.split(".")[0])  # `import a.b` binds `a`

    def visit_Name(self, node):
        if not isinstance(node.ctx, ast.Load):
            self.other.add(node.id)  # any other store (unpacking, with, comprehension) or del

    def generic_visit(self, node):
        kind = type(node).__name__
        for field, value in ast.iter_fields(node):
            if (kind, field) in _NOT_BINDINGS:
                continue
            if isinstance(value, str):
                self._other(value)  # def/class/arg/import/except/match/global names, ...
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, str):
                        self._other(item)
                    elif isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)


class _Typing:
    def __init__(self, plain, trusted_builtins):
        self.plain = plain
        self.trusted = trusted_builtins

    def expr(self, node):
        if isinstance(node, ast.Constant):
            return type(node.value) in PLAIN_CONSTANTS
        if isinstance(node, ast.Name):
            return node.id in self.plain
        if isinstance(node, ast.BinOp):
            return self.expr(node.left) and self.expr(node.right)
        if isinstance(node, ast.UnaryOp):
            return isinstance(node.op, ast.Not) or self.expr(node.operand)
        if isinstance(node, ast.BoolOp):
            return all(self.expr(v) for v in node.values)
        if isinstance(node, ast.Compare):
            return self.expr(node.left) and all(self.expr(c) for c in node.comparators)
        if isinstance(node, ast.IfExp):
            return self.expr(node.body) and self.expr(node.orelse)
        if self._builtin_call(node, "len", 1):
            return True
        return False

    def _builtin_call(self, node, name, max_args):
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == name
            and name in self.trusted
            and not node.keywords
            and 1 <= len(node.args) <= max_args
            and not any(isinstance(a, ast.Starred) for a in node.args)
        )

    def binding(self, value):
        if isinstance(value, tuple):  # ("iter", it): a for loop's target
            it = value[1]
            return self._builtin_call(it, "range", 3) or self.expr(it)
        return self.expr(value)


def plain_names(tree, known_globals):
    """The names of `tree` (a program's Module) that provably hold only plain scalars.

    `known_globals`: every name the runtime puts in the program's globals besides the
    `_`-prefixed guards (the tools' names; GUEST_GLOBALS is added here), or None when unknown
    (then nothing is plain)."""
    if known_globals is None:
        return frozenset()
    collector = _Bindings()
    collector.visit(tree)
    excluded = collector.other | _BUILTIN_NAMES | _REWRITTEN | GUEST_GLOBALS
    excluded |= frozenset(known_globals)
    bound = set(collector.values) | collector.other
    # builtins a plain expression may call: never bound by the program, never shadowed by a tool
    trusted = frozenset(
        n for n in ("range", "len") if n not in bound and n not in known_globals
    )
    plain = {n for n in collector.values if n not in excluded}
    typing = _Typing(plain, trusted)
    changed = True
    while changed:  # the greatest fixed point: drop names with a binding that is not plain
        changed = False
        for name in list(plain):
            if not all(typing.binding(v) for v in collector.values[name]):
                plain.discard(name)
                changed = True
    return frozenset(plain)
