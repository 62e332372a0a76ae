"""Walking the `ast` tree: one pre-order pass that lists every node, then one dispatch pass.

`nodes_with_depth` reads each node class's fields directly (faster than `ast.iter_child_nodes`,
a generator per node). `dispatch` runs every rule's ``visit_<AstClass>`` methods over that list;
a parent comes before its children, so a rule (or the `Roles` pass) can note something about a
child while visiting its parent, as a `Call` marks its callee `Name`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence

_FIELDS: dict[type, tuple[str, ...]] = {}  # node class -> fields that may hold nodes, reversed
# Fields that never hold a node (identifiers, flags, constants); skipped without a lookup.
_SCALAR_FIELDS = frozenset(
    {"id", "attr", "name", "arg", "module", "level", "is_async", "conversion", "simple", "kind",
     "asname", "rest", "kwd_attrs", "type_comment"}
)  # fmt: skip


def _fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        if cls is ast.Constant:
            names = ()
        else:
            # Global/Nonlocal `names` are strings; Import/ImportFrom `names` are alias nodes.
            names = tuple(
                f
                for f in reversed(getattr(cls, "_fields", ()))
                if f not in _SCALAR_FIELDS and not (f == "names" and cls in _STRING_NAMES)
            )
        _FIELDS[cls] = names
    return names


_STRING_NAMES = (ast.Global, ast.Nonlocal)


def nodes_with_depth(tree: ast.AST) -> tuple[list[ast.AST], list[int]]:
    """Every node of the tree and its depth, parents before children, left to right.

    A chain of boolean operands counts as nested pairs (``a or b or c`` as ``a or (b or c)``),
    so a long flat chain meets the depth limit like the nested expression it stands for.
    """
    nodes: list[ast.AST] = []
    depths: list[int] = []
    stack: list[ast.AST] = [tree]
    dstack: list[int] = [0]
    pop, push, dpop, dpush = stack.pop, stack.append, dstack.pop, dstack.append
    add_node, add_depth = nodes.append, depths.append
    fields_of, AST, BoolOp = _FIELDS.get, ast.AST, ast.BoolOp
    while stack:
        node = pop()
        depth = dpop()
        cls = type(node)
        if cls is BoolOp:  # `a or b or c` counts as nested pairs: a or (b or c)
            depth += len(node.values) - 1  # type: ignore[attr-defined]
        add_node(node)
        add_depth(depth)
        depth += 1
        names = fields_of(cls)
        if names is None:
            names = _fields(cls)
        for name in names:  # reversed fields, pushed reversed: popped left to right
            value = getattr(node, name, None)
            if type(value) is list:
                for item in reversed(value):
                    if isinstance(item, AST):
                        push(item)
                        dpush(depth)
            elif isinstance(value, AST):
                push(value)
                dpush(depth)
    return nodes, depths


Handler = Callable[[ast.AST], object]


_PLANS: dict[tuple[tuple[type, ...], type], tuple[int, ...]] = {}


def _plan(kinds: tuple[type, ...], cls: type) -> tuple[int, ...]:
    """Which visitors (by index) have a ``visit_<cls>`` method; found once per class set."""
    key = (kinds, cls)
    plan = _PLANS.get(key)
    if plan is None:
        method = "visit_" + cls.__name__
        plan = _PLANS[key] = tuple(i for i, k in enumerate(kinds) if hasattr(k, method))
    return plan


def dispatch(
    nodes: Sequence[ast.AST],
    visitors: Sequence[object],
    fallback: Callable[[type], Handler | None] | None = None,
) -> None:
    """Call each visitor's ``visit_<AstClass>`` for every node, in order.

    ``fallback(cls)`` may add one more handler for a class, run first (the construct check for
    every class that is not a core node).
    """
    kinds = tuple(type(v) for v in visitors)
    table: dict[type, tuple[Handler, ...]] = {}
    get = table.get
    for node in nodes:
        handlers = get(type(node))
        if handlers is None:
            cls = type(node)
            method = "visit_" + cls.__name__
            found = [getattr(visitors[i], method) for i in _plan(kinds, cls)]
            extra = fallback(cls) if fallback is not None else None
            if extra is not None:
                found.insert(0, extra)
            handlers = table[cls] = tuple(found)
        for handler in handlers:
            handler(node)
