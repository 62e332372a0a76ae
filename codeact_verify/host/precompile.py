"""The RestrictedPython transform done on the host, so the guest only has to compile the result.

The transform (parse, the sandbox's `SandboxTransformer`, unparse) is pure Python and runs
about 4x faster natively than in the WebAssembly guest, and in a fresh instance it also touches
many cold pages. The host runs the very transformer the guest uses (`sandbox/runtime/
restrict.py`), turns the restricted tree back into source and ships it with a line map; the
guest compiles that source in its own interpreter and runs it with its own guards (`_getattr_`,
`_getitem_`, `_write_`, ...), which stay in the guest.

Two things the restricted tree holds cannot be written as source as they are:
- slices outside a subscript (`x[1:2]` becomes `_getitem_(x, 1:2)`): they become calls of
  `_slice_` (the builtin `slice`, bound in the guest; no program can name `_slice_`);
- line numbers (`ast.unparse` lays the code out anew): the unparsed text is parsed again and
  walked beside the restricted tree, so each line of the new text maps to the program's line.

The program is normally not parsed here: the executor hands over the verifier's own tree
(`hand_over`, keyed by the exact text it is the tree of; `codeact_verify/checked.py`), already
rewritten as the transpiler rewrote the text, and the transform takes it (once: it rewrites the
tree in place). Only a program that comes without one (an unverified run, a direct `Sandbox.run`)
is parsed here.

When anything does not fit (a syntax or policy error, which the guest reports itself with its
exact message; syntax newer than the host's Python; a tree that does not round-trip), the host
sends nothing and the guest transforms the program itself, as before.
"""

from __future__ import annotations

import ast
import importlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from ..astlock import AST_LOCK, renew_after_fork
from ..digest import text_digest

# The guest's own transformer module (sandbox/runtime/restrict.py, shipped as
# codeact_verify.guest): one transformer for host and guest.
_restrict: Any = importlib.import_module("codeact_verify.guest.runtime.restrict")
SandboxTransformer: Any = _restrict.SandboxTransformer

SLICE_HELPER = "_slice_"

# Every augmented assignment operator token (a program without one has no `x op= v`).
_AUGASSIGN = re.compile(r"(?:\*\*|//|>>|<<|[-+*/%@&|^])=")


_Unparser: Any = getattr(ast, "_Unparser", None)

# The node types the sandbox's transform leaves exactly as they are: it only checks them
# (RestrictedPython's visitors for these return the node after visiting its children; the
# sandbox's `print` visitor returns the name as it is), given the conditions of `_left_as_is`.
_AS_IS_NODES = frozenset(
    {
        ast.Module, ast.Expr, ast.Call, ast.keyword, ast.Name, ast.Load, ast.Store,
        ast.Constant, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp, ast.If,
        ast.Pass, ast.List, ast.Tuple, ast.Set, ast.Dict, ast.Assign,
        ast.Add, ast.Sub, ast.Mult, ast.MatMult, ast.Div, ast.Mod, ast.Pow, ast.LShift,
        ast.RShift, ast.BitOr, ast.BitXor, ast.BitAnd, ast.FloorDiv,
        ast.Invert, ast.Not, ast.UAdd, ast.USub, ast.And, ast.Or,
        ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot, ast.In, ast.NotIn,
    }
)  # fmt: skip

# Printable ASCII and newlines, no backslash: a text the host's and the guest's Pythons
# tokenize alike (no escapes, no line continuations, no tabs or form feeds, no identifier
# that Unicode normalisation could change).
_PLAIN_TEXT = re.compile(r"[\n\x20-\x5b\x5d-\x7e]*")
_AS_IS_MAX_LINES = 2000


def _left_as_is(program: str, tree: ast.AST) -> bool:
    """True when the restricted transform provably leaves `tree` (parsed here from `program`)
    unchanged, so the guest may compile `program` itself: every node is of a type the
    transform only checks, no call unpacks `**kwargs` (that becomes `_apply_`), every
    assignment target is a plain name (tuple targets are unpacked through a guard), no name is
    `printed` (RestrictedPython rewrites it), and the text is plain (`_PLAIN_TEXT`). No loop,
    function or comprehension: nothing to tick. At most `_AS_IS_MAX_LINES` lines: the text
    goes with one line-map entry per line, blank lines too (the unparsed text has one per
    statement line), so a text of mostly blank lines would cost the run more (red7/22)."""
    if program.count("\n") > _AS_IS_MAX_LINES or _PLAIN_TEXT.fullmatch(program) is None:
        return False
    as_is = _AS_IS_NODES
    for node in ast.walk(tree):
        kind = type(node)
        if kind not in as_is:
            return False
        if kind is ast.Name:
            if node.id == "printed":  # type: ignore[attr-defined]
                return False
        elif kind is ast.keyword:
            if node.arg is None:  # type: ignore[attr-defined]
                return False
        elif kind is ast.Assign:
            if any(type(t) is not ast.Name for t in node.targets):  # type: ignore[attr-defined]
                return False
    return True


if _Unparser is not None:

    class _LineUnparser(_Unparser):  # type: ignore[misc, valid-type]
        """`ast.unparse` that records, for each line it starts, the program line of the first
        node written there, and writes slices outside a subscript as `_slice_(...)` calls."""

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)  # f-string fields use a nested unparser
            self.lines: list[int] = [0, 0]
            self._scanned = 0
            self._newlines = 0
            self._stmt_line = 0
            self._pending = False
            self._index_slices: set[int] = set()

        def fill(self, text: str = "") -> None:
            super().fill(text)
            source = self._source
            for i in range(self._scanned, len(source)):
                self._newlines += source[i].count("\n")
            self._scanned = len(source)
            line = self._newlines + 1
            lines = self.lines
            while len(lines) <= line:
                lines.append(lines[-1])
            lines[line] = self._stmt_line
            self._pending = True

        def traverse(self, node: Any) -> None:
            if isinstance(node, list):
                super().traverse(node)
                return
            line = getattr(node, "lineno", None)
            if line is not None and self._pending:
                self.lines[-1] = line
                self._pending = False
            if isinstance(node, ast.stmt):
                outer = self._stmt_line
                self._stmt_line = line or outer
                super().traverse(node)
                self._stmt_line = outer
            else:
                super().traverse(node)

        def visit_Subscript(self, node: ast.Subscript) -> None:
            index = node.slice
            self._index_slices.add(id(index))
            if isinstance(index, ast.Tuple):
                self._index_slices.update(id(e) for e in index.elts)
            super().visit_Subscript(node)

        def visit_Slice(self, node: ast.Slice) -> None:
            if id(node) in self._index_slices:
                super().visit_Slice(node)
                return
            self.write(SLICE_HELPER + "(")
            for i, part in enumerate((node.lower, node.upper, node.step)):
                if i:
                    self.write(", ")
                if part is None:
                    self.write("None")
                else:
                    self.traverse(part)
            self.write(")")


def _unparse_with_lines(tree: ast.AST) -> tuple[str, list[int]] | None:
    if _Unparser is None:
        return None
    unparser = _LineUnparser()
    text = unparser.visit(tree)
    lines = unparser.lines
    total = text.count("\n") + 2
    while len(lines) < total:
        lines.append(lines[-1])
    return text, lines[:total]


# Trees handed over for the next restricted transform of exactly their text (see the module
# docstring). A few at most: a tree whose run never came is dropped after `_HANDED_MAX` more.
_handed: OrderedDict[str, ast.Module] = OrderedDict()
_handed_lock = threading.Lock()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: renew_after_fork(_handed_lock))
_HANDED_MAX = 16


def hand_over(program: str, tree: ast.Module) -> None:
    """Offer ``tree`` (the `ast` of exactly ``program``, no one else's to read or change any
    more) to the next :func:`restrict_on_host` of ``program``, which then does not parse it."""
    with _handed_lock:
        _handed[program] = tree
        _handed.move_to_end(program)
        while len(_handed) > _HANDED_MAX:
            _handed.popitem(last=False)


def _take_handed(program: str) -> ast.Module | None:
    with _handed_lock:
        return _handed.pop(program, None)


# Transforms made ahead of their run (`Sandbox.prepare`: `transform_now`, then `keep`), for
# the next `restrict_on_host` of exactly the same text, attribute policy and tool names; taken
# once, like a handed-over tree.
_Key = tuple[str, Any, frozenset[str] | None]
_prepared: OrderedDict[_Key, tuple[dict[str, Any] | None, frozenset[str]]] = OrderedDict()
_PREPARED_MAX = 16


def _prepared_key(
    program: str, attributes: dict[str, Any] | None, known_globals: Iterable[str] | None
) -> _Key:
    return (
        program,
        _policy_of(attributes),
        frozenset(known_globals) if known_globals is not None else None,
    )


Made = tuple[dict[str, Any] | None, frozenset[str]]


def transform_now(
    program: str,
    attributes: dict[str, Any] | None = None,
    *,
    known_globals: Iterable[str] | None = None,
) -> Made | None:
    """The restricted transform of ``program`` and the names it reads, made now, for a caller
    that must not wait for the `ast` lock (it may hold other locks, the type checker's): None
    when another thread holds that lock."""
    if not AST_LOCK.acquire(blocking=False):
        return None
    try:
        names: set[str] = set()
        result = _restrict_on_host(program, "<program>", attributes, known_globals, names)
    finally:
        AST_LOCK.release()
    return result, frozenset(names)


def keep(
    program: str,
    attributes: dict[str, Any] | None,
    known_globals: Iterable[str] | None,
    made: Made,
) -> None:
    """Keep ``made`` (`transform_now` of exactly these inputs) for the next
    `restrict_on_host` of them, which takes it instead of transforming again."""
    key = _prepared_key(program, attributes, known_globals)
    with _handed_lock:
        _prepared[key] = made
        _prepared.move_to_end(key)
        while len(_prepared) > _PREPARED_MAX:
            _prepared.popitem(last=False)


def _take_prepared(
    program: str, attributes: dict[str, Any] | None, known_globals: Iterable[str] | None
) -> tuple[dict[str, Any] | None, frozenset[str]] | None:
    key = _prepared_key(program, attributes, known_globals)
    with _handed_lock:
        return _prepared.pop(key, None)


def _policy_of(attributes: dict[str, Any] | None) -> tuple[Any, ...] | None:
    """The attribute policy as the transformer takes it (`transformer_for`)."""
    if attributes is None:
        return None
    return (
        attributes.get("deny_private", True) is not False,
        tuple(attributes.get("deny") or ()),
        tuple(attributes.get("deny_prefixes") or ()),
    )


def restrict_on_host(
    program: str,
    filename: str = "<program>",
    attributes: dict[str, Any] | None = None,
    *,
    known_globals: Iterable[str] | None = None,
    names: set[str] | None = None,
) -> dict[str, Any] | None:
    """{"source", "lines", "digest"} for the guest, or None to let the guest transform it.
    `names`, when given, receives the names the program reads (RestrictedPython's
    `used_names`). One at a time: see codeact_verify/astlock.py. A transform made ahead for
    exactly these inputs (`keep`) is taken instead of made again."""
    ready = _take_prepared(program, attributes, known_globals)
    if ready is not None:
        result, used = ready
        if names is not None and result is not None:
            names.update(used)
        return result
    with AST_LOCK:
        return _restrict_on_host(program, filename, attributes, known_globals, names)


def _restrict_on_host(
    program: str,
    filename: str,
    attributes: dict[str, Any] | None,
    known_globals: Iterable[str] | None,
    names: set[str] | None = None,
) -> dict[str, Any] | None:
    """{"source", "lines", "digest"} for the guest, or None to let the guest transform it.
    `attributes`: the run policy's attribute policy (`Grammar.runtime_policy()["attributes"]`),
    applied as the guest applies it when it transforms the program itself.

    `known_globals`: the names of the run's tools (what the guest adds to the program's
    globals besides its fixed helpers). Only with it may the transform leave `x += v` on a
    provably plain scalar unguarded (`sandbox/runtime/plain.py`); without it every `+=` keeps
    its `_inplacevar_` call."""
    policy = _policy_of(attributes)
    try:
        tree = _take_handed(program)
        # only for a tree parsed here from this very text (a handed-over tree is unparsed)
        as_is = False
        if tree is None:
            tree = ast.parse(program, filename, "exec")
            as_is = _left_as_is(program, tree)
        errors: list[str] = []
        warnings: list[str] = []
        used: dict[str, bool] = {}
        transformer = _restrict.transformer_for(policy)(errors, warnings, used)
        if known_globals is not None:
            transformer.known_globals = frozenset(known_globals)
            transformer.may_augassign = _AUGASSIGN.search(program) is not None
        transformer.visit(tree)
        if errors:
            return None  # the guest reports it, with RestrictedPython's exact message
        if names is not None:
            names.update(used)
        if as_is:  # the text itself, its lines its own
            return {
                "source": program,
                "lines": list(range(program.count("\n") + 2)),
                "digest": text_digest(program),
            }
        result = _unparse_with_lines(tree)
    except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError):
        return None
    if result is None:
        return None
    text, lines = result
    return {"source": text, "lines": lines, "digest": text_digest(program)}
