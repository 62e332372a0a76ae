"""Which `Name` nodes are variable uses, which bind, and which are something else.

libcst marks no load/store context, so this visitor runs first in the batched traversal: it sees a
parent before its children and records the roles of the children's `Name` nodes, which the rules
then read when they visit those names.
"""

from __future__ import annotations

import libcst as cst

from .base import CachedVisitors, Context


def target_names(node: cst.CSTNode) -> list[cst.Name]:
    """The names an assignment target binds (through tuples, lists and starred elements)."""
    if isinstance(node, cst.Name):
        return [node]
    if isinstance(node, cst.Tuple | cst.List):
        out: list[cst.Name] = []
        for element in node.elements:
            out += target_names(element.value)
        return out
    if isinstance(node, cst.StarredElement):
        return target_names(node.value)
    return []


def dotted_names(node: cst.CSTNode) -> list[cst.Name]:
    if isinstance(node, cst.Name):
        return [node]
    if isinstance(node, cst.Attribute):
        return [*dotted_names(node.value), node.attr]
    return []


class Roles(CachedVisitors):
    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx

    def _bind(self, names: list[cst.Name]) -> None:
        self.ctx.bindings.update(id(n) for n in names)

    def _store(self, target: cst.CSTNode) -> None:
        """Record attribute targets (x.a = ..., for x.a in ..., del x.a)."""
        if isinstance(target, cst.Attribute):
            self.ctx.stored_attributes.add(id(target))
        elif isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self._store(element.value)
        elif isinstance(target, cst.StarredElement):
            self._store(target.value)

    def _skip(self, names: list[cst.Name]) -> None:
        self.ctx.not_reference.update(id(n) for n in names)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip([node.attr])
        if isinstance(node.value, cst.Name):
            self.ctx.module_value_ok.add(id(node.value))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._skip([node.keyword])

    def visit_MatchKeywordElement(self, node: cst.MatchKeywordElement) -> None:
        self._skip([node.key])

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            path = dotted_names(alias.name)
            self._skip(path)
            if alias.asname is not None:
                self._bind(target_names(alias.asname.name))
                self._skip(target_names(alias.asname.name))
            elif path:
                self._bind(path[:1])

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is not None:
            self._skip(dotted_names(node.module))
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            self._skip(dotted_names(alias.name))
            if alias.asname is not None:
                self._bind(target_names(alias.asname.name))
                self._skip(target_names(alias.asname.name))
            else:
                self._bind(dotted_names(alias.name))

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._bind(target_names(node.target))
        self._store(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._bind(target_names(node.target))
        self._store(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(target_names(node.target))
        self._store(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind(target_names(node.target))
        self._store(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind(target_names(node.target))
        self._store(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(target_names(node.target))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind([node.name])

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind([node.name])

    def visit_Param(self, node: cst.Param) -> None:
        self._bind([node.name])

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind(target_names(node.name.name))

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        if node.name is not None:
            self._bind(target_names(node.name.name))

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(target_names(node.asname.name))

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        if node.name is not None:
            self._bind([node.name])

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        if node.name is not None:
            self._bind([node.name])

    def visit_MatchMapping(self, node: cst.MatchMapping) -> None:
        if node.rest is not None:
            self._bind([node.rest])

    def visit_Del(self, node: cst.Del) -> None:
        self._bind(target_names(node.target))
        self._store(node.target)

    def visit_Global(self, node: cst.Global) -> None:
        self._bind([item.name for item in node.names])

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self._bind([item.name for item in node.names])
