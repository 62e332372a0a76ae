"""Diagnostic positions from `ast` nodes: 1-based lines, 0-based *character* columns.

`ast` counts columns in UTF-8 bytes within a line (``col_offset``, ``end_col_offset``); a
`Diagnostic` counts characters, so every column is converted here. Some identifiers are plain
strings in `ast` (a def's name, a parameter, an import alias, `except E as name`, match
captures): `Part` says how to find one in the source text near its node.

Positions are resolved only when something is reported; the accepted path never pays for them.
"""

from __future__ import annotations

import ast
from typing import NamedTuple

from ..syntax import SourceLines, Span


class Part(NamedTuple):
    """Where an identifier sits relative to its node.

    ``kind="attr"``: the identifier that ends where the node ends (``x.name``).
    ``kind="scan"``: the ``nth`` identifier token (0-based) from ``line``/``col`` (an `ast`
    line and byte column), skipping punctuation, whitespace and comments; with ``last`` > nth,
    the span from token ``nth`` to token ``last`` (a dotted module name).
    """

    kind: str
    line: int = 0
    col: int = 0
    nth: int = 0
    last: int = -1


ATTR = Part("attr")


def scan(line: int, col: int, index: int, last: int = -1) -> Part:
    return Part("scan", line, col, index, last)


def scan_after(node: ast.AST, index: int, last: int = -1) -> Part:
    """Tokens counted from where ``node`` ends."""
    return Part("scan", node.end_lineno or 1, node.end_col_offset or 0, index, last)  # type: ignore[attr-defined]


def scan_from(node: ast.AST, index: int, last: int = -1) -> Part:
    """Tokens counted from where ``node`` starts."""
    return Part("scan", node.lineno, node.col_offset, index, last)  # type: ignore[attr-defined]


def _is_start(c: str) -> bool:
    return c == "_" or c.isidentifier()


def _is_continue(c: str) -> bool:
    return c == "_" or c.isalnum() or ("a" + c).isidentifier()


class Source(SourceLines):
    """The program text with its line starts, to turn `ast` positions into character spans.

    The byte-to-character conversion is `SourceLines`' (codeact_verify/syntax.py); this adds the
    identifiers inside a node (`Part`).
    """

    def span(self, node: ast.AST, part: Part | None = None) -> Span:
        """(line, col, end_line, end_col) of a node, or of an identifier part of it."""
        whole = super().span(node)
        if part is None:
            return whole
        found = self._part(node, part)
        return found if found is not None else whole

    def _part(self, node: ast.AST, part: Part) -> Span | None:
        text = self.text
        if part.kind == "attr":
            end_line = getattr(node, "end_lineno", None)
            if end_line is None:
                return None
            end = self.offset(end_line, getattr(node, "end_col_offset", 0) or 0)
            start = end
            while start > 0 and _is_continue(text[start - 1]):
                start -= 1
            if start == end:
                return None
            return (*self.position(start), *self.position(end))
        tokens = self._tokens(self.offset(part.line, part.col), max(part.nth, part.last) + 1)
        if len(tokens) <= part.nth:
            return None
        first = tokens[part.nth]
        last = tokens[part.last] if part.last > part.nth and len(tokens) > part.last else first
        return (*self.position(first[0]), *self.position(last[1]))

    def _tokens(self, offset: int, count: int) -> list[tuple[int, int]]:
        """The next ``count`` identifier tokens from ``offset`` (comments skipped)."""
        text, n = self.text, len(self.text)
        out: list[tuple[int, int]] = []
        i = offset
        while i < n and len(out) < count:
            c = text[i]
            if c == "#":
                while i < n and text[i] not in "\r\n":
                    i += 1
            elif _is_start(c):
                start = i
                while i < n and _is_continue(text[i]):
                    i += 1
                out.append((start, i))
            elif c.isdigit():
                while i < n and _is_continue(text[i]):
                    i += 1
            else:
                i += 1
        return out
