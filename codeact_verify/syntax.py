"""The program's text and `ast` tree: the one parse, the one column conversion, the one binder list.

- :func:`parse`: Python's own parser (``ast.parse``), warnings silenced (an odd escape in the
  model's program is input, not our bug) and under :data:`~codeact_verify.astlock.AST_LOCK`.
  Every parse of a model's program on the host goes through it (the verifier's, and the fall
  backs of the type check, the transpiler and the tool checks when they get no parsed program).
- :class:`SourceLines`: line starts of the text, and `ast` positions (1-based lines, columns in
  UTF-8 *bytes* within a line) as character offsets and columns, the convention of
  :class:`~codeact_verify.diagnostics.Diagnostic`.
- :data:`BINDERS` / :func:`names_bound`: which names one `ast` node binds (a def, a parameter, a
  store, an import alias, an ``except``/``match`` capture, ``global``/``nonlocal``); the rules'
  facts, the tool-call finder and :func:`bound_names` all read it.
"""

from __future__ import annotations

import ast
import bisect
import re
import warnings
from collections.abc import Callable
from typing import Any

from .astlock import AST_LOCK

_NEWLINE = re.compile(r"\r\n|\r|\n")  # what Python's tokenizer treats as line ends


def parse(code: str) -> ast.Module:
    """``ast.parse`` with its warnings (invalid escapes...) silenced: input, not our bug.

    Raises what ``ast.parse`` raises (SyntaxError, ValueError, RecursionError, MemoryError).
    """
    with AST_LOCK, warnings.catch_warnings():  # AST_LOCK: see astlock.py
        warnings.simplefilter("ignore")
        return ast.parse(code)


def line_starts(text: str) -> list[int]:
    """Character offset of the start of each line (``\\r\\n``, ``\\r`` and ``\\n`` end a line)."""
    return [0] + [m.end() for m in _NEWLINE.finditer(text)]


Span = tuple[int, int, int, int]


class SourceLines:
    """Character positions of `ast` positions (which count UTF-8 bytes within a line)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = line_starts(text)

    @property
    def code(self) -> str:  # the name the tool checks use
        return self.text

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, its line break included ("" outside the text)."""
        if not 1 <= line <= len(self.starts):
            return ""
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end]

    def char_col(self, line: int, byte_col: int) -> int:
        """The character column of an `ast` byte column on a 1-based line."""
        if not 1 <= line <= len(self.starts):
            return byte_col
        text = self.line_text(line)
        if text.isascii():
            return byte_col
        head = text.encode("utf-8", "surrogatepass")[:byte_col]
        return len(head.decode("utf-8", "ignore"))

    def offset(self, line: int, byte_col: int) -> int:
        """Character offset into the text of an `ast` (line, byte column)."""
        line = min(max(line, 1), len(self.starts))
        return self.starts[line - 1] + self.char_col(line, byte_col)

    def position(self, offset: int) -> tuple[int, int]:
        """(line, character column) of a character offset."""
        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index]

    def span(self, node: ast.AST) -> Span:
        """(line, col, end_line, end_col) of a node, columns in characters."""
        line = getattr(node, "lineno", 1) or 1
        end_line = getattr(node, "end_lineno", None) or line
        col = self.char_col(line, getattr(node, "col_offset", 0) or 0)
        end_col = self.char_col(end_line, getattr(node, "end_col_offset", None) or 0)
        return line, col, end_line, end_col


# -- what a node binds ---------------------------------------------------------------------------
def _name(node: ast.Name) -> tuple[str, ...]:
    return () if type(node.ctx) is ast.Load else (node.id,)


def _defined(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> tuple[str, ...]:
    return (node.name,)


def _arg(node: ast.arg) -> tuple[str, ...]:
    return (node.arg,)


def _alias(node: ast.alias) -> tuple[str, ...]:
    if node.name == "*":
        return ()
    return (node.asname or node.name.split(".")[0],)  # `import a.b` binds `a`


def _capture(node: ast.ExceptHandler | ast.MatchAs | ast.MatchStar) -> tuple[str, ...]:
    return (node.name,) if node.name else ()


def _rest(node: ast.MatchMapping) -> tuple[str, ...]:
    return (node.rest,) if node.rest else ()


def _declared(node: ast.Global | ast.Nonlocal) -> tuple[str, ...]:
    return tuple(node.names)


#: Node class -> the names a node of that class binds (a store or delete of a `Name` binds it).
BINDERS: dict[type, Callable[[Any], tuple[str, ...]]] = {
    ast.Name: _name,
    ast.FunctionDef: _defined,
    ast.AsyncFunctionDef: _defined,
    ast.ClassDef: _defined,
    ast.arg: _arg,
    ast.alias: _alias,
    ast.ExceptHandler: _capture,
    ast.MatchAs: _capture,
    ast.MatchStar: _capture,
    ast.MatchMapping: _rest,
    ast.Global: _declared,
    ast.Nonlocal: _declared,
}


def names_bound(node: ast.AST) -> tuple[str, ...]:
    """The names this one node binds (not its children's)."""
    binder = BINDERS.get(type(node))
    return binder(node) if binder is not None else ()


# -- children ------------------------------------------------------------------------------------
# Fields that never hold a node (identifiers, flags, constants) or only a Load/Store/Del marker.
_NOT_CHILDREN = frozenset(
    {"ctx", "id", "attr", "name", "arg", "module", "level", "is_async", "conversion", "simple",
     "kind", "asname", "rest", "kwd_attrs", "type_comment"}
)  # fmt: skip
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {ast.Constant: ()}


def _child_fields(cls: type) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(cls)
    if fields is None:
        fields = tuple(f for f in getattr(cls, "_fields", ()) if f not in _NOT_CHILDREN)
        _CHILD_FIELDS[cls] = fields
    return fields


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``list(ast.iter_child_nodes(node))`` in the same order, without the ``ctx`` markers
    (``Load()``/``Store()``/``Del()``, which carry nothing but the context) and several times
    faster: the fields that may hold a node are looked up once per node class."""
    out: list[ast.AST] = []
    fields = _CHILD_FIELDS.get(type(node))
    if fields is None:
        fields = _child_fields(type(node))
    AST, add = ast.AST, out.append
    for name in fields:
        value = getattr(node, name, None)
        if type(value) is list:
            for item in value:
                if isinstance(item, AST):
                    add(item)
        elif isinstance(value, AST):
            add(value)
    return out


def walk_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of the tree but the ``ctx`` markers, parents before children (the same
    nodes as ``ast.walk``, in pre-order rather than breadth-first)."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = [tree]
    pop, push, add = stack.pop, stack.extend, out.append
    while stack:
        node = pop()
        add(node)
        children = child_nodes(node)
        children.reverse()
        push(children)
    return out


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, *_COMPREHENSIONS)


def bound_names(tree: ast.AST, *, module_level: bool = False) -> set[str]:
    """Names the program binds: anywhere, or (``module_level``) in its global scope only."""
    out: set[str] = set()
    binders = BINDERS
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        binder = binders.get(type(node))
        if binder is not None:
            out.update(binder(node))
        if module_level and node is not tree and isinstance(node, _SCOPES):
            # a new scope: its own name is bound outside (above), its body inside; only a
            # comprehension's first iterable runs in the enclosing scope
            if isinstance(node, _COMPREHENSIONS):
                stack.append(node.generators[0].iter)
            continue
        stack.extend(child_nodes(node))
    return out
