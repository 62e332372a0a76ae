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

When anything does not fit (a syntax or policy error, which the guest reports itself with its
exact message; syntax newer than the host's Python; a tree that does not round-trip), the host
sends nothing and the guest transforms the program itself, as before.
"""

from __future__ import annotations

import ast
import hashlib
from typing import Any

from codeact_verify.guest.runtime.restrict import SandboxTransformer

SLICE_HELPER = "_slice_"


class _SlicesToCalls(ast.NodeTransformer):
    """Slices that are not a subscript's own index become `_slice_(lower, upper, step)`."""

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        node.value = self.visit(node.value)
        index = node.slice
        if isinstance(index, ast.Slice):
            self._visit_slice_parts(index)
        elif isinstance(index, ast.Tuple):
            index.elts = [
                self._visit_slice_parts(e) if isinstance(e, ast.Slice) else self.visit(e)
                for e in index.elts
            ]
        else:
            node.slice = self.visit(index)
        return node

    def _visit_slice_parts(self, node: ast.Slice) -> ast.Slice:
        for field in ("lower", "upper", "step"):
            part = getattr(node, field)
            if part is not None:
                setattr(node, field, self.visit(part))
        return node

    def visit_Slice(self, node: ast.Slice) -> ast.AST:
        self._visit_slice_parts(node)
        none = ast.Constant(value=None)
        call = ast.Call(
            func=ast.Name(id=SLICE_HELPER, ctx=ast.Load()),
            args=[node.lower or none, node.upper or none, node.step or none],
            keywords=[],
        )
        return ast.copy_location(call, node)


def _line_map(restricted: ast.AST, reparsed: ast.AST, text: str) -> list[int] | None:
    """For each line of `text` (1-based, index 0 unused), the program line it came from;
    None when the two trees differ in shape."""
    lines = [0] * (text.count("\n") + 2)
    before, after = list(ast.walk(restricted)), list(ast.walk(reparsed))
    if len(before) != len(after):
        return None
    for old, new in zip(before, after, strict=True):
        if type(old) is not type(new):
            return None
        line = getattr(new, "lineno", None)
        orig = getattr(old, "lineno", None)
        if line is not None and orig is not None and 0 < line < len(lines):
            if lines[line] == 0:
                lines[line] = orig
    # lines no node starts on (continuations) take the line above
    for i in range(1, len(lines)):
        if lines[i] == 0:
            lines[i] = lines[i - 1]
    return lines


def program_digest(program: str) -> str:
    return hashlib.sha256(program.encode("utf-8", "surrogatepass")).hexdigest()


def restrict_on_host(program: str, filename: str = "<program>") -> dict[str, Any] | None:
    """{"source", "lines", "digest"} for the guest, or None to let the guest transform it."""
    try:
        tree = ast.parse(program, filename, "exec")
        errors: list[str] = []
        warnings: list[str] = []
        used: dict[str, bool] = {}
        SandboxTransformer(errors, warnings, used).visit(tree)
        if errors:
            return None  # the guest reports it, with RestrictedPython's exact message
        text = ast.unparse(tree)
        try:
            reparsed = ast.parse(text)
        except SyntaxError:  # slices left in `_getitem_(x, 1:2)`: rewrite them, once
            tree = _SlicesToCalls().visit(tree)
            text = ast.unparse(tree)
            reparsed = ast.parse(text)
        lines = _line_map(tree, reparsed, text)
    except (SyntaxError, ValueError, TypeError, RecursionError, MemoryError):
        return None
    if lines is None:
        return None
    return {"source": text, "lines": lines, "digest": program_digest(program)}
