"""A fast pre-order walk that runs batchable visitors over a libcst tree.

libcst's own traversal (`MetadataWrapper.visit_batched`) rebuilds every node as it goes, which
costs more than all the rules together. The rules only read the tree, so this walker reads each
node's dataclass fields directly, skips whitespace and punctuation (no rule looks at them), and
calls the same `visit_<Kind>` / `leave_<Kind>` methods in the same parent-before-child order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import libcst as cst

_SKIP = (
    cst.BaseParenthesizableWhitespace,
    cst.TrailingWhitespace,
    cst.EmptyLine,
    cst.Comment,
    cst.Newline,
    cst.LeftParen,
    cst.RightParen,
    cst.LeftSquareBracket,
    cst.RightSquareBracket,
    cst.LeftCurlyBrace,
    cst.RightCurlyBrace,
    cst.Comma,
    cst.Semicolon,
    cst.Colon,
    cst.Dot,
    cst.AssignEqual,
)
_FIELDS: dict[type, tuple[str, ...]] = {}
_KIND: dict[type, int] = {}  # 0: not a node, 1: a node no rule needs, 2: a node to walk
_LEAVE = object()


def _fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


def _kind(cls: type) -> int:
    kind = _KIND.get(cls)
    if kind is None:
        if not issubclass(cls, cst.CSTNode):
            kind = 0
        else:
            kind = 1 if issubclass(cls, _SKIP) else 2
        _KIND[cls] = kind
    return kind


def walk_batched(module: cst.Module, visitors: Sequence[cst.BatchableCSTVisitor]) -> None:
    """Run the visitors' visit_/leave_ methods over the tree, parents before children."""
    visit: dict[str, list[Callable[[cst.CSTNode], object]]] = {}
    leave: dict[str, list[Callable[[cst.CSTNode], object]]] = {}
    for visitor in visitors:
        for name, method in visitor.get_visitors().items():
            if name.startswith("visit_") and name.count("_") == 1:
                visit.setdefault(name[6:], []).append(method)
            elif name.startswith("leave_") and name.count("_") == 1:
                leave.setdefault(name[6:], []).append(method)
    stack: list[object] = [module]
    pop, push = stack.pop, stack.append
    while stack:
        item = pop()
        if item is _LEAVE:
            node = pop()
            for method in leave[type(node).__name__]:
                method(node)  # type: ignore[arg-type]
            continue
        kind = type(item).__name__
        for method in visit.get(kind, ()):
            method(item)  # type: ignore[arg-type]
        if kind in leave:
            push(item)
            push(_LEAVE)
        children: list[object] = []
        for field in _fields(type(item)):
            value = getattr(item, field)
            vtype = type(value)
            if vtype is tuple or vtype is list:
                children += [v for v in value if _kind(type(v)) == 2]
            elif _kind(vtype) == 2:
                children.append(value)
        children.reverse()
        stack += children
