"""The roles of names: which uses are callees or `module.attr` values, and identifiers as strings.

`ast` already marks every `Name` as a load, a store or a delete (a store or delete binds it). What
it does not give the rules directly:
- whether a `Name` is the callee of a call or the value of an attribute (`Call` and `Attribute`
  are visited before their children, so this pass notes it on the way down);
- the identifiers `ast` keeps as plain strings: def and class names, parameters, import aliases
  and dotted module names, `except E as name`, match captures and class-pattern keywords,
  `global`/`nonlocal` names. This pass turns each into an `Identifier` with its role and position
  and hands it to every rule's ``visit_identifier``.

It runs first for every node, before the rules' own visitors.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence

from .base import Context, Identifier
from .positions import Part, scan, scan_after, scan_from


class Roles:
    def __init__(self, ctx: Context, rules: Sequence[object]) -> None:
        self.ctx = ctx
        self.handlers: list[Callable[[Identifier], None]] = [
            r.visit_identifier  # type: ignore[attr-defined]
            for r in rules
            if hasattr(r, "visit_identifier")
        ]

    def _emit(
        self, name: str, node: ast.AST, part: Part | None, binding: bool, reference: bool
    ) -> None:
        occ = Identifier(name, node, part, binding, reference)
        for handler in self.handlers:
            handler(occ)

    # --- Name nodes: callee and module.attr marks ------------------------------------------
    def visit_Call(self, node: ast.Call) -> None:
        if type(node.func) is ast.Name:
            self.ctx.called.add(id(node.func))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if type(node.value) is ast.Name:
            self.ctx.module_value_ok.add(id(node.value))

    # --- identifiers kept as strings ---------------------------------------------------------
    def _defined(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        index = 2 if isinstance(node, ast.AsyncFunctionDef) else 1  # [async] def|class NAME
        self._emit(node.name, node, scan_from(node, index), True, True)

    visit_FunctionDef = _defined
    visit_AsyncFunctionDef = _defined
    visit_ClassDef = _defined

    def visit_arg(self, node: ast.arg) -> None:
        self._emit(node.arg, node, scan_from(node, 0), True, True)

    def visit_Global(self, node: ast.Global | ast.Nonlocal) -> None:
        for i, name in enumerate(node.names):
            self._emit(name, node, scan_from(node, i + 1), True, True)

    visit_Nonlocal = visit_Global

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            parts = alias.name.split(".")
            for i, part in enumerate(parts):
                bound = i == 0 and alias.asname is None
                self._emit(part, alias, scan_from(alias, i), bound, False)
            if alias.asname is not None:
                self._emit(alias.asname, alias, scan_from(alias, len(parts) + 1), True, False)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module is not None:
            for i, part in enumerate(node.module.split(".")):
                self._emit(part, node, scan_from(node, i + 1), False, False)
        for alias in node.names:
            if alias.name == "*":
                continue
            self._emit(alias.name, alias, scan_from(alias, 0), alias.asname is None, False)
            if alias.asname is not None:
                self._emit(alias.asname, alias, scan_from(alias, 2), True, False)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name is not None:
            anchor = scan_after(node.type, 1) if node.type is not None else None
            self._emit(node.name, node, anchor, True, True)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name is not None:
            where = scan_after(node.pattern, 1) if node.pattern is not None else scan_from(node, 0)
            self._emit(node.name, node, where, True, True)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name is not None:
            self._emit(node.name, node, scan_from(node, 0), True, True)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest is not None:
            where = scan_after(node.patterns[-1], 0) if node.patterns else scan_from(node, 0)
            self._emit(node.rest, node, where, True, True)

    def visit_MatchClass(self, node: ast.MatchClass) -> None:
        for i, name in enumerate(node.kwd_attrs):
            self._emit(name, node, keyword_part(node, i), False, False)


def keyword_part(node: ast.MatchClass, i: int) -> Part:
    """Where the i-th keyword of a class pattern (`case C(key=...)`) is written."""
    if i > 0:
        anchor: ast.AST = node.kwd_patterns[i - 1]
    elif node.patterns:
        anchor = node.patterns[-1]
    else:
        anchor = node.cls
    return scan(anchor.end_lineno or 1, anchor.end_col_offset or 0, 0)  # type: ignore[attr-defined]
