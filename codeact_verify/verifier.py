"""`verify`: decide, before anything runs, whether a program stays inside the grammar.

The stages, in order (each later stage runs only when the earlier ones make it safe):
1. decode (bytes: UTF-8 only, no other coding cookie), NUL bytes, byte size;
2. CPython's parser (`ast`): syntax errors, node count, nesting depth, string literal sizes. It
   runs before libcst because libcst is quadratic in nesting depth and crashes the process on
   deep nesting;
3. libcst: every node rule in one batched traversal, then the tool-call checks and effects;
4. mypy against the tools' typed stubs (`types=True`).

`verify` is total: for any text or bytes it returns a `Report`, never raises, and lists every
problem it finds in one pass. An unexpected internal failure rejects the program (fail closed).
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .diagnostics import Diagnostic, Effect, Report
from .grammar import Grammar, load_grammar
from .rules import Context, Facts, Roles, node_rules
from .rules.source import EncodingRule, NulByteRule, SizeRule, SyntaxRule
from .rules.walk import walk_batched
from .tools import ToolSpec, tool_specs

ToolsArg = Iterable[Callable[..., Any] | ToolSpec] | Mapping[str, ToolSpec]

INTERNAL_CODE = "CV999"


def verify(
    code: str | bytes,
    tools: ToolsArg = (),
    *,
    grammar: Grammar | str | Path = "default",
    types: bool = True,
) -> Report:
    """Check a program against the grammar, the tools' signatures and (optionally) types.

    Raises only for bad *configuration* (an invalid grammar: `GrammarError`; an undescribable
    tool: `ToolSpecError`), never for anything in ``code``.
    """
    resolved = grammar if isinstance(grammar, Grammar) else load_grammar(grammar)
    specs = tools if _is_spec_mapping(tools) else tool_specs(tools)  # type: ignore[arg-type]
    source = code if isinstance(code, str) else ""
    try:
        return _verify(code, specs, resolved, types)  # type: ignore[arg-type]
    except Exception as exc:  # fail closed: a bug in a check must not let a program through
        if isinstance(code, bytes):
            source = code.decode("utf-8", errors="replace")
        diagnostic = Diagnostic(
            code=INTERNAL_CODE,
            rule="internal",
            message=f"the verifier failed on this program ({type(exc).__name__}: {exc})",
            line=1,
            col=0,
            hint="Simplify the program; this is a verifier bug worth reporting.",
        )
        return Report(diagnostics=(diagnostic,), source=source)


def _is_spec_mapping(tools: object) -> bool:
    return isinstance(tools, Mapping) and all(isinstance(v, ToolSpec) for v in tools.values())


def _verify(
    code: str | bytes, specs: Mapping[str, ToolSpec], grammar: Grammar, types: bool
) -> Report:
    ctx = Context(grammar, frozenset(specs))
    text = EncodingRule.decode(ctx, code)
    text = NulByteRule.strip(ctx, text)
    if not SizeRule.check_bytes(ctx, text):
        return _report(ctx, text, None)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for odd escapes is not our business
            tree = ast.parse(text)
    except SyntaxError as exc:
        SyntaxRule.from_python(ctx, exc)
        return _report(ctx, text, None)
    except (RecursionError, MemoryError, ValueError):
        SizeRule.at(ctx, 1, 0, "the program is nested too deeply to parse")
        return _report(ctx, text, None)
    if not SizeRule.check_tree(ctx, tree, text.splitlines()):
        return _report(ctx, text, None)
    ctx.facts = Facts.from_ast(ctx.ast_nodes)

    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        SyntaxRule.from_libcst(ctx, exc)
        return _report(ctx, text, None)
    except (RecursionError, MemoryError):
        SizeRule.at(ctx, 1, 0, "the program is nested too deeply to parse")
        return _report(ctx, text, None)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    walk_batched(module, [Roles(ctx), *(rule(ctx) for rule in node_rules())])

    extra: list[Diagnostic] = []
    effects: list[Effect] = []
    passes = _integrations()
    if passes.check_tool_calls is not None:
        extra += passes.check_tool_calls(wrapper, specs, tree=tree, source=text)
    if passes.compute_effects is not None:
        effects = list(passes.compute_effects(wrapper, specs, tree=tree, source=text))
    diagnostics = _resolve(ctx, wrapper) + extra
    if types and passes.typecheck is not None:
        diagnostics += passes.typecheck(text, specs, known=tuple(diagnostics))
    return _finish(diagnostics, effects, text)


def _report(ctx: Context, text: str, wrapper: MetadataWrapper | None) -> Report:
    return _finish(_resolve(ctx, wrapper), [], text)


def _finish(diagnostics: list[Diagnostic], effects: list[Effect], text: str) -> Report:
    # One problem, one report: when two checks flag exactly the same span (the grammar rules and
    # the tool checks both refuse `call_tool = print`), the lower code (the more basic rule) wins.
    unique: dict[tuple[Any, ...], Diagnostic] = {}
    for d in sorted(diagnostics, key=lambda d: d.code):
        if d.line == d.end_line and d.col == d.end_col:
            key: tuple[Any, ...] = (d.code, d.line, d.col, d.message)  # a point, not a span
        else:
            key = (d.line, d.col, d.end_line, d.end_col)
        unique.setdefault(key, d)
    ordered = sorted(unique.values(), key=lambda d: (d.line, d.col, d.code))
    return Report(diagnostics=tuple(ordered), effects=tuple(effects), source=text)


def _resolve(ctx: Context, wrapper: MetadataWrapper | None) -> list[Diagnostic]:
    """Diagnostics with positions; node positions are computed only when some node was reported."""
    positions: Mapping[cst.CSTNode, Any] = {}
    if wrapper is not None and any(p.node is not None for p in ctx.pending):
        positions = wrapper.resolve(PositionProvider)
    out: list[Diagnostic] = []
    for p in ctx.pending:
        line, col, end_line, end_col = p.line, p.col, p.end_line, p.end_col
        if p.node is not None and p.node in positions:
            where = positions[p.node]
            line, col = where.start.line, where.start.column
            end_line, end_col = where.end.line, where.end.column
        out.append(
            Diagnostic(
                code=p.rule.code,
                rule=p.rule.name,
                message=p.message,
                line=line,
                col=col,
                end_line=end_line if end_line is not None else line,
                end_col=end_col if end_col is not None else col,
                hint=p.hint,
                severity="error",
            )
        )
    return out


class _Passes:
    """The checks another module owns (tool calls, effects, types), imported at call time.

    This is the single integration point: a pass whose module is missing is skipped.
    """

    def __init__(self) -> None:
        self.check_tool_calls: Callable[..., list[Diagnostic]] | None = None
        self.compute_effects: Callable[..., list[Effect]] | None = None
        self.typecheck: Callable[..., list[Diagnostic]] | None = None
        try:
            from .toolcheck import check_tool_calls

            self.check_tool_calls = check_tool_calls
        except ImportError:
            pass
        try:
            from .effects import compute_effects

            self.compute_effects = compute_effects
        except ImportError:
            pass
        try:
            from .typecheck import typecheck

            self.typecheck = typecheck
        except ImportError:
            pass


_PASSES: _Passes | None = None


def _integrations() -> _Passes:
    global _PASSES
    if _PASSES is None:
        _PASSES = _Passes()
    return _PASSES
