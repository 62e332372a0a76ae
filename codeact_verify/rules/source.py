"""Rules on the program text and its size: encoding, NUL bytes, size, syntax.

They run first because they decide whether the node rules run at all: the text must decode, parse
with CPython's own parser (`ast`, guarded against deep nesting: a SyntaxError or RecursionError,
never a crash) and stay within the grammar's limits (bytes, nodes, depth, string literals).
"""

from __future__ import annotations

import ast
import re
from typing import ClassVar

from .base import Context, Invalid, SourceRule, register
from .positions import Source
from .walk import nodes_with_depth

_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_UTF8_NAMES = {"utf-8", "utf8", "utf_8"}


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    start = text.rfind("\n", 0, index) + 1
    return line, index - start


@register
class EncodingRule(SourceRule):
    code = "CV002"
    name = "encoding"
    message = "the program must be UTF-8 text"
    hint = "Write plain UTF-8 source without a coding cookie."
    VALID: ClassVar[list[str]] = [
        "# -*- coding: utf-8 -*-\nprint('héllo')\n",
        "name = 'Zürich'\nprint(name.upper())\n",
    ]
    INVALID: ClassVar[list[Invalid]] = [
        Invalid(
            "# Source: PEP 263 cookies let `# coding: unicode_escape` hide code in "
            "comments/strings\n"
            "# coding: unicode_escape\nx = 1 #\\u000aimport os\n",
            1,
            42,
        ),
        Invalid("# -*- coding: latin-1 -*-\nx = 1\n", 1, 15),
        Invalid("#!/usr/bin/env python\n# vim: set fileencoding=utf-7 :\nx = 1\n", 2, 25),
    ]

    @classmethod
    def decode(cls, ctx: Context, code: str | bytes) -> str:
        """The program as text; every encoding problem reported (decoding goes on regardless)."""
        if isinstance(code, bytearray | memoryview):
            code = bytes(code)
        raw = code if isinstance(code, bytes) else None
        if raw is not None:
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                good = raw[: exc.start].decode("utf-8", errors="replace")
                line, col = _line_col(good, len(good))
                cls.at(
                    ctx, line, col, f"the program is not valid UTF-8 (byte {raw[exc.start]:#04x})"
                )
                text = raw.decode("utf-8", errors="replace")
        else:
            text = code if isinstance(code, str) else str(code)
            if text.startswith("\ufeff"):
                text = text[1:]
            try:
                text.encode("utf-8")
            except UnicodeEncodeError as exc:
                line, col = _line_col(text, exc.start)
                cls.at(ctx, line, col, "the program contains a lone surrogate (not encodable)")
                text = text.encode("utf-8", errors="replace").decode("utf-8")
        head = text.split("\n", 2)[:2]
        for number, line_text in enumerate(head, start=1):
            match = _COOKIE.match(line_text.encode("utf-8", errors="replace"))
            if match:
                name = match.group(1).decode("ascii", errors="replace").lower()
                if name not in _UTF8_NAMES and not name.startswith("utf-8-"):
                    cls.at(
                        ctx,
                        number,
                        match.start(1),
                        f"coding cookie {name!r}: only utf-8 is accepted",
                        end_line=number,
                        end_col=match.end(1),
                    )
        return text


@register
class NulByteRule(SourceRule):
    code = "CV003"
    name = "nul-byte"
    message = "the program contains NUL bytes"
    hint = "Remove the \\0 characters; write '\\x00' inside a string literal if you need one."
    VALID: ClassVar[list[str]] = ["s = '\\x00'\nprint(len(s))\n"]
    INVALID: ClassVar[list[Invalid]] = [
        Invalid(
            "# Source: NUL bytes truncate source in C-level consumers and desynchronise parsers\n"
            "x = 1\x00\nprint(x)\n",
            2,
            6,
        ),
        Invalid("print('a')\x00import os\n", 1, 11),
    ]

    @classmethod
    def strip(cls, ctx: Context, text: str) -> str:
        index = text.find("\x00")
        if index < 0:
            return text
        line, col = _line_col(text, index)
        count = text.count("\x00")
        cls.at(ctx, line, col, f"the program contains {count} NUL byte(s)")
        return text.replace("\x00", " ")


@register
class SizeRule(SourceRule):
    code = "CV004"
    name = "size"
    message = "the program is over the grammar's size limits"
    hint = "Split the work: shorter programs, flatter expressions, data from tools not literals."
    VALID: ClassVar[list[str]] = [
        "total = 0\nfor i in range(10):\n    total += i\nprint(total)\n",
        "x = " + "+".join(["1"] * 30) + "\n",
        "big = 2 ** 4096\nline = '-' * 80\nprint(big % 97, line)\n",
    ]
    INVALID: ClassVar[list[Invalid]] = [
        Invalid("x = " + "[" * 60 + "]" * 60 + "\n", 1, 1),
        Invalid("x = " + " or ".join(["a"] * 60) + "\n", 1, 1),
        Invalid("x = '" + "a" * 10_001 + "'\n", 1, 5),
        Invalid("x = [" + ", ".join(["1"] * 7000) + "]\n", 1, 1),
        Invalid("# padding\n" * 4000, 1, 1),
        Invalid(
            "# Source: red-team review of this project: mypy folds module-level int "
            "constants without\n"
            "# a bound, so the type check itself ran out of memory on this line\n"
            "x = 2 ** 2 ** 40\n",
            3,
            5,
        ),
        Invalid("N = 40\nx = 2 ** 2 ** N\n", 2, 5),
        Invalid("y = 1 << (1 << 40)\n", 1, 5),
        Invalid("from typing import Final\nx: Final = 'a' * 10 ** 10\n", 2, 12),
        Invalid("s = 'ab' * 10 ** 10\nprint(len(s))\n", 1, 5),
    ]

    @classmethod
    def check_bytes(cls, ctx: Context, text: str) -> bool:
        size = len(text.encode("utf-8", errors="replace"))
        limit = ctx.grammar.limits.max_bytes
        if size > limit:
            cls.at(ctx, 1, 0, f"the program is {size} bytes; the limit is {limit}")
            return False
        return True

    @classmethod
    def check_tree(cls, ctx: Context, tree: ast.AST, source: Source) -> bool:
        """Node count, nesting depth and string literal sizes; False stops the verification.

        Every node is kept in ``ctx.ast_nodes`` (pre-order) for the rules' walk.
        """
        limits = ctx.grammar.limits
        max_string = limits.max_string_literal
        deepest: tuple[int, ast.AST | None] = (0, None)
        max_depth = 0
        nodes_list, depths = nodes_with_depth(tree)
        ctx.ast_nodes = nodes_list
        Constant = ast.Constant
        for node, depth in zip(nodes_list, depths, strict=True):
            if type(node) is Constant:
                value = node.value  # type: ignore[attr-defined]
                if isinstance(value, (str, bytes)) and len(value) > max_string:
                    line, col, _, _ = source.span(node)
                    cls.at(
                        ctx,
                        line,
                        col,
                        f"a string literal of {len(value)} characters; the limit is {max_string}",
                    )
            if depth > max_depth:
                max_depth = depth
                deepest = (depth, node)
        nodes = len(nodes_list)
        ok = True
        if nodes > limits.max_nodes:
            cls.at(
                ctx, 1, 0, f"the program has {nodes} syntax nodes; the limit is {limits.max_nodes}"
            )
            ok = False
        if deepest[0] > limits.max_depth and deepest[1] is not None:
            line, col, _, _ = source.span(deepest[1])
            cls.at(
                ctx,
                line,
                col,
                f"nesting depth {deepest[0]} is over the limit of {limits.max_depth}",
            )
            ok = False
        return ok and check_constants(cls, ctx, tree, source)


class _TooBig(Exception):
    pass


# An integer constant larger than this (in bits) is not something a CodeAct program computes; the
# type checker would try to fold it (mypy evaluates `2 ** 2 ** 40` at module level, unbounded).
_MAX_CONSTANT_BITS = 1 << 16
_MAX_CONSTANT_CHARS = 1 << 20  # likewise for str constants (mypy folds "a" * n too)
_GROWING_OPS = frozenset({ast.Pow, ast.LShift, ast.Mult})
_FOLD_OPS: dict[type, object] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.BitAnd: lambda a, b: a & b,
    ast.BitOr: lambda a, b: a | b,
    ast.BitXor: lambda a, b: a ^ b,
    ast.RShift: lambda a, b: a >> b if b >= 0 else None,
    ast.FloorDiv: lambda a, b: a // b if b else None,
    ast.Mod: lambda a, b: a % b if b else None,
}


def _fold(node: ast.AST, names: dict[str, ast.expr], depth: int = 0) -> int | str | None:
    """The value of an int or str constant expression (following names bound once at module
    level), or None when it is not one; raises _TooBig instead of computing a huge value."""
    if depth > 64:
        return None
    if isinstance(node, ast.Constant):
        return node.value if type(node.value) in (int, str) else None
    if isinstance(node, ast.Name):
        bound = names.get(node.id)
        return None if bound is None else _fold(bound, names, depth + 1)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd | ast.Invert):
        v = _fold(node.operand, names, depth + 1)
        if not isinstance(v, int):
            return None
        if isinstance(node.op, ast.USub):
            return -v
        return ~v if isinstance(node.op, ast.Invert) else v
    if not isinstance(node, ast.BinOp):
        return None
    left, right = _fold(node.left, names, depth + 1), _fold(node.right, names, depth + 1)
    if left is None or right is None:
        return None
    op = node.op
    if isinstance(left, str) or isinstance(right, str):
        return _fold_str(op, left, right)
    if isinstance(op, ast.Pow):
        if right < 0:
            return None
        if abs(left) > 1 and left.bit_length() * right > _MAX_CONSTANT_BITS:
            raise _TooBig
        return left ** right if abs(left) > 1 else left ** min(right, 2)
    if isinstance(op, ast.LShift):
        if right < 0:
            return None
        if left and left.bit_length() + right > _MAX_CONSTANT_BITS:
            raise _TooBig
        return left << right
    if isinstance(op, ast.Mult):
        if left.bit_length() + right.bit_length() > _MAX_CONSTANT_BITS:
            raise _TooBig
        return left * right
    fn = _FOLD_OPS.get(type(op))
    return fn(left, right) if fn is not None else None  # type: ignore[operator]


def _fold_str(op: ast.operator, left: int | str, right: int | str) -> str | None:
    if isinstance(op, ast.Add) and isinstance(left, str) and isinstance(right, str):
        value = left + right
    elif isinstance(op, ast.Mult) and isinstance(left, str) and isinstance(right, int):
        if len(left) * right > _MAX_CONSTANT_CHARS:
            raise _TooBig
        value = left * right
    elif isinstance(op, ast.Mult) and isinstance(left, int) and isinstance(right, str):
        return _fold_str(op, right, left)
    else:
        return None
    if len(value) > _MAX_CONSTANT_CHARS:
        raise _TooBig
    return value


def check_constants(cls: type[SourceRule], ctx: Context, tree: ast.Module, source: Source) -> bool:
    """Integer constant expressions too large to evaluate (the type checker would try)."""
    names: dict[str, ast.expr] = {}
    seen: dict[str, int] = {}
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else (
            [stmt.target] if isinstance(stmt, ast.AnnAssign | ast.AugAssign) else []
        )
        for target in targets:
            if isinstance(target, ast.Name):
                seen[target.id] = seen.get(target.id, 0) + 1
                if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
                    names[target.id] = stmt.value
    names = {k: v for k, v in names.items() if seen[k] == 1}
    ok = True
    binop, growing = ast.BinOp, _GROWING_OPS
    for node in ctx.ast_nodes:
        if type(node) is binop and type(node.op) in growing:  # type: ignore[attr-defined]
            try:
                _fold(node, names)
            except _TooBig:
                line, col, _, _ = source.span(node)
                cls.at(
                    ctx,
                    line,
                    col,
                    "this constant expression is too large to evaluate (over "
                    f"{_MAX_CONSTANT_BITS} bits or {_MAX_CONSTANT_CHARS} characters)",
                )
                ok = False
                break
    return ok


@register
class SyntaxRule(SourceRule):
    code = "CV001"
    name = "syntax"
    message = "the program is not valid Python"
    hint = "Fix the syntax at the marked position."
    VALID: ClassVar[list[str]] = ["def f(x):\n    return x * 2\n\nprint(f(2))\n"]
    INVALID: ClassVar[list[Invalid]] = [
        Invalid("x = (1,\n", 1, 5),
        Invalid("def f(:\n    pass\n", 1, 7),
        Invalid("print('unterminated)\n", 1, 7),
        Invalid("if True:\nprint(1)\n", 2, 1),
    ]

    @classmethod
    def from_python(cls, ctx: Context, exc: SyntaxError) -> None:
        line = exc.lineno or 1
        col = max((exc.offset or 1) - 1, 0)
        end_line = exc.end_lineno if exc.end_lineno and exc.end_lineno >= line else None
        end_col = max(exc.end_offset - 1, 0) if end_line and exc.end_offset else None
        if end_line == line and end_col is not None and end_col <= col:
            end_col = None
        cls.at(ctx, line, col, f"syntax error: {exc.msg}", end_line=end_line, end_col=end_col)
