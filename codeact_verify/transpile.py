"""The transpiler: ``call_tool("get_weather", city=c)`` becomes ``get_weather(city=c)``.

``get_weather`` is the typed host stub the sandbox guest provides under the tool's name, so the
rewritten program calls tools the way mypy checks them. The rewrite is a text edit at positions
Python's own parser (``ast``, about 20x faster than a libcst parse with metadata) found: only the
span from ``call_tool`` to the first argument after the tool name changes, and every line break
inside that span is kept (inside the call's parentheses), so each line of the output is the same
line of the model's program and a runtime traceback points at the model's own line. Columns after
a rewritten call on the same line shift; :class:`PositionMap` maps positions in the output back to
the original.

A call is left as ``call_tool(...)`` (still valid; the guest routes it by name at run time) when the
tool name is not a string literal of a registered tool, when the program binds the tool's name (or
``call_tool``) itself anywhere, so a rewrite could call the program's own function, or when
``call_tool`` or its name argument is written in extra parentheses. A program that does not parse is
returned unchanged (the verifier and the sandbox report its syntax error).
"""

from __future__ import annotations

import ast
import bisect
import re
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from typing import Any

from .astlock import AST_LOCK
from .checked import CheckedProgram, checked_program
from .syntax import SourceLines, bound_names, line_starts, parse, walk_nodes
from .toolcalls import CALL_TOOL

_NEWLINE = re.compile(r"\r\n|\r|\n")
_line_starts = line_starts


@dataclass(frozen=True)
class Edit:
    """Original text ``[start, end)`` (character offsets) replaced by ``text``."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class PositionMap:
    """Maps (line, col) in the transpiled code back to (line, col) in the model's code.

    Lines are 1-based and columns 0-based character offsets, as libcst and the diagnostics use.
    A position inside a rewritten span maps to the start of the original ``call_tool``.
    """

    original: str
    transpiled: str
    edits: tuple[Edit, ...] = ()

    def to_original(self, line: int, col: int) -> tuple[int, int]:
        if not self.edits:
            return line, col
        offset = _offset(_line_starts(self.transpiled), self.transpiled, line, col)
        delta = 0
        for edit in self.edits:
            new_start = edit.start + delta
            new_end = new_start + len(edit.text)
            if offset < new_start:
                break
            if offset < new_end:
                return _position(_line_starts(self.original), edit.start)
            delta += len(edit.text) - (edit.end - edit.start)
        return _position(_line_starts(self.original), max(0, offset - delta))

    def to_transpiled(self, line: int, col: int) -> tuple[int, int]:
        """The inverse direction (a position in the model's code, in the transpiled code)."""
        if not self.edits:
            return line, col
        offset = _offset(_line_starts(self.original), self.original, line, col)
        delta = 0
        for edit in self.edits:
            if offset < edit.start:
                break
            if offset < edit.end:
                return _position(_line_starts(self.transpiled), edit.start + delta)
            delta += len(edit.text) - (edit.end - edit.start)
        return _position(_line_starts(self.transpiled), offset + delta)


def _offset(starts: list[int], text: str, line: int, col: int) -> int:
    line = min(max(line, 1), len(starts))
    return min(starts[line - 1] + max(col, 0), len(text))


def _position(starts: list[int], offset: int) -> tuple[int, int]:
    index = bisect.bisect_right(starts, offset) - 1
    return index + 1, offset - starts[index]


@dataclass(frozen=True)
class TranspileResult:
    """The rewritten program, how to map its positions back, and which calls were rewritten."""

    code: str
    position_map: PositionMap
    rewritten: tuple[str, ...] = ()  # tool names, one per rewritten call, in source order
    # the rewritten `call_tool(...)` nodes of the tree that was transpiled, with their tool
    # (for `rewrite_tree`, which makes that tree the tree of `code`)
    calls: tuple[tuple[ast.Call, str], ...] = field(default=(), repr=False, compare=False)


def _skip_trivia(text: str, i: int) -> int:
    """Skip whitespace, comments and backslash continuations (inside a call's parentheses)."""
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\f\r\n":
            i += 1
        elif ch == "\\" and i + 1 < n and text[i + 1] in "\r\n":
            i += 1
        elif ch == "#":
            while i < n and text[i] not in "\r\n":
                i += 1
        else:
            break
    return i


def transpile_tree(
    tree: ast.Module,
    code: str,
    specs: Mapping[str, Any],
    extra: Iterable[Edit] = (),
    *,
    bound: Set[str] | None = None,
    lines: SourceLines | None = None,
    call_sites: Iterable[ast.AST] | None = None,
) -> TranspileResult:
    """Like :func:`transpile`, for a program already parsed (``ast.parse(code)``).

    ``extra``: more edits (original offsets, not overlapping the rewrites; insertions have
    ``start == end``), applied in the same pass and mapped back by the same :class:`PositionMap`
    (the type check uses them; what runs never has any). ``bound`` (the names the program binds
    anywhere) and ``lines`` (its `SourceLines`): when the caller has them already. ``call_sites``:
    every ``call_tool(...)`` call of the tree (the ``"call_tool"`` sites of its
    `ToolCallIndex`), when the caller has them; else the tree is walked to find them.
    """
    if bound is None:
        bound = bound_names(tree)
    extra_edits = list(extra)
    if CALL_TOOL in bound and not extra_edits:
        return TranspileResult(code, PositionMap(code, code))
    if lines is None or lines.text != code:
        lines = SourceLines(code)
    edits: list[Edit] = []
    names: list[str] = []
    calls: dict[int, tuple[ast.Call, str]] = {}
    if CALL_TOOL in bound or (code.isascii() and CALL_TOOL not in code):
        # no `call_tool` name can be in an ASCII text that never spells it (the parser
        # NFKC-normalises identifiers, so only a non-ASCII text may hide one)
        candidates: Iterable[ast.AST] = ()
    else:
        candidates = call_sites if call_sites is not None else walk_nodes(tree)
    for node in candidates:
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == CALL_TOOL
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            continue
        tool = node.args[0].value
        if tool not in specs or tool in bound or not tool.isidentifier():
            continue
        first = node.args[0]
        start = lines.offset(node.func.lineno, node.func.col_offset)
        func_end = lines.offset(node.func.end_lineno or 1, node.func.end_col_offset or 0)
        arg_start = lines.offset(first.lineno, first.col_offset)
        arg_end = lines.offset(first.end_lineno or 1, first.end_col_offset or 0)
        paren = _skip_trivia(code, func_end)
        if code[paren : paren + 1] != "(" or _skip_trivia(code, paren + 1) != arg_start:
            continue  # (call_tool)(...) or call_tool(("name"), ...): leave it alone
        end = _skip_trivia(code, arg_end)
        if code[end : end + 1] == ",":
            end = _skip_trivia(code, end + 1)
        elif code[end : end + 1] != ")":
            continue
        breaks = "".join(m.group(0) for m in _NEWLINE.finditer(code, start, end))
        edit = Edit(start, end, f"{tool}({breaks}")
        edits.append(edit)
        calls[id(edit)] = (node, tool)
    rewrites = {id(e) for e in edits}
    edits += extra_edits
    edits.sort(key=lambda e: (e.start, e.end))
    pieces: list[str] = []
    last = 0
    for edit in edits:
        pieces.append(code[last : edit.start])
        pieces.append(edit.text)
        if id(edit) in rewrites:
            names.append(edit.text.split("(", 1)[0])
        last = edit.end
    pieces.append(code[last:])
    out = "".join(pieces)
    rewritten = tuple(calls[id(e)] for e in edits if id(e) in calls)
    return TranspileResult(out, PositionMap(code, out, tuple(edits)), tuple(names), rewritten)


def transpile(
    code: str, specs: Mapping[str, Any], *, program: CheckedProgram | None = None
) -> TranspileResult:
    """Rewrite ``call_tool("tool", ...)`` calls into direct calls of the tools' typed stubs.

    The output has the same number of lines as ``code`` and each statement on its original line.
    A program that does not parse is returned unchanged. ``program``: the verifier's checked
    program of ``code`` (``report.program``), whose tree is reused instead of parsing again.
    """
    return _transpile(code, specs, program, take=False)[0]


def transpile_for_run(
    code: str, specs: Mapping[str, Any], program: CheckedProgram | None
) -> tuple[TranspileResult, ast.Module | None]:
    """:func:`transpile`, and the `ast` tree of its output for the host's restricted transform.

    The tree is the checked program's own, taken from it (`CheckedProgram.take_tree`: once, as
    the transform rewrites it in place) and rewritten as the text was (:func:`rewrite_tree`), so
    the host does not parse the program again. None when there is no checked program of
    ``code`` or its tree was taken already (the host parses the text then).
    """
    return _transpile(code, specs, program, take=True)


def _transpile(
    code: str, specs: Mapping[str, Any], program: CheckedProgram | None, take: bool
) -> tuple[TranspileResult, ast.Module | None]:
    checked = checked_program(program, code)
    if checked is not None:
        with checked.reading(code) as tree:
            index = checked.index
            result = (
                transpile_tree(
                    tree,
                    code,
                    specs,
                    bound=checked.bound,
                    lines=checked.lines,
                    call_sites=[s.node for s in index.sites if s.kind == "call_tool"],
                )
                if tree is not None and index is not None
                else None
            )
        if result is not None:
            taken = checked.take_tree(code) if take else None
            if taken is not tree:  # taken meanwhile by another run: its nodes are not ours
                return result, None
            return result, rewrite_tree(taken, result) if taken is not None else None
    with AST_LOCK:  # see astlock.py: `serve` transpiles on several threads
        try:
            parsed = parse(code)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return TranspileResult(code, PositionMap(code, code)), None
        return transpile_tree(parsed, code, specs), None


def rewrite_tree(tree: ast.Module, result: TranspileResult) -> ast.Module:
    """Apply the transpiler's rewrites to the tree they were found in (in place): each
    ``call_tool("t", args...)`` call becomes ``t(args...)``, as in ``result.code``. Lines stay
    (the text kept them too); the columns of a rewritten callee are the original ``call_tool``'s.
    """
    for call, tool in result.calls:
        func = call.func
        name = ast.Name(id=tool, ctx=ast.Load())
        ast.copy_location(name, func)
        call.func = name
        call.args = call.args[1:]
    return tree
