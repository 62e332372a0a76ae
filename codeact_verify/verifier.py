"""`verify`: decide, before anything runs, whether a program stays inside the grammar.

The stages, in order (each later stage runs only when the earlier ones make it safe):
1. decode (bytes: UTF-8 only, no other coding cookie), NUL bytes, byte size;
2. CPython's parser (`ast`), once: syntax errors, node count, nesting depth, string literal
   sizes. The program is parsed by the same parser that will compile it, so there is no parser
   differential between what is verified and what runs. The tree, its positions, the names the
   program binds and its tool-call sites become a `CheckedProgram` (`Report.program`), which
   the type check, the transpiler and the host's restricted transform reuse (no second parse);
3. every node rule in one walk over that `ast` tree (`rules.walk.dispatch`), then the tool-call
   checks and effects on the same tree;
4. mypy against the tools' typed stubs (`types=True`).

`verify` is total: for any text or bytes it returns a `Report`, never raises, and lists every
problem it finds in one pass. An unexpected internal failure rejects the program (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .checked import CheckedProgram
from .diagnostics import Diagnostic, Effect, Report
from .effects import compute_effects
from .grammar import Grammar, load_grammar
from .rules import Context, Facts, Roles, node_rules
from .rules.constructs import ConstructRule
from .rules.positions import Source
from .rules.source import EncodingRule, NulByteRule, SizeRule, SyntaxRule
from .rules.walk import dispatch
from .syntax import parse
from .toolcalls import find_tool_calls
from .toolcheck import check_tool_calls
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
    specs = tool_specs(tools)  # type: ignore[arg-type]  # (a mapping: checked, not rebuilt)
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


def _verify(
    code: str | bytes, specs: Mapping[str, ToolSpec], grammar: Grammar, types: bool
) -> Report:
    ctx = Context(grammar, frozenset(specs))
    text = EncodingRule.decode(ctx, code)
    text = NulByteRule.strip(ctx, text)
    source = Source(text)
    if not SizeRule.check_bytes(ctx, text):
        return _report(ctx, source)

    try:
        tree = parse(text)  # the one parse: SyntaxWarning for odd escapes is not our business
    except SyntaxError as exc:
        SyntaxRule.from_python(ctx, exc)
        return _report(ctx, source)
    except (RecursionError, MemoryError, ValueError):
        SizeRule.at(ctx, 1, 0, "the program is nested too deeply to parse")
        return _report(ctx, source)
    if not SizeRule.check_tree(ctx, tree, source):
        return _report(ctx, source)
    ctx.facts = Facts.from_ast(ctx.ast_nodes)

    rules = [rule(ctx) for rule in node_rules()]
    construct = next(r for r in rules if isinstance(r, ConstructRule))
    dispatch(ctx.ast_nodes, [Roles(ctx, rules), *rules], construct.handler_for)

    index = find_tool_calls(tree, specs)  # one walk serves the tool checks and the effects
    program = CheckedProgram(text, tree, source, index, frozenset(specs))
    extra = check_tool_calls(text, specs, tree=tree, index=index, lines=source)
    effects = compute_effects(text, specs, tree=tree, index=index, lines=source)
    diagnostics = _resolve(ctx, source) + extra
    if types and _worth_type_checking(diagnostics):
        from .typecheck import typecheck  # mypy loads on first use, not on import

        diagnostics += typecheck(
            text, specs, known=tuple(diagnostics), strict=grammar.strict_types, program=program
        )
    return _finish(diagnostics, effects, text, program)


def _worth_type_checking(diagnostics: list[Diagnostic]) -> bool:
    """False when mypy cannot change or usefully add to the verdict.

    A grammar error (CV0xx, CV1xx) means the program is outside the language: it will not run,
    and mypy would mostly repeat it (an undefined name is CV104 and CV703). So would a report
    already at the diagnostics cap. Skipping mypy then bounds the cost of a rejected program
    (red-team finding 10: 1900 undefined names cost seconds of mypy). Tool-call errors (CV6xx)
    alone still get the type check, so the model sees every problem in one turn.
    """
    errors = [d for d in diagnostics if d.severity == "error"]
    if len(errors) >= MAX_DIAGNOSTICS:
        return False
    return not any(d.code[:3] in ("CV0", "CV1") for d in errors)


def _report(ctx: Context, source: Source) -> Report:
    return _finish(_resolve(ctx, source), [], source.text)


def _finish(
    diagnostics: list[Diagnostic],
    effects: list[Effect],
    text: str,
    program: CheckedProgram | None = None,
) -> Report:
    # One problem, one report: when two checks flag exactly the same span (the grammar rules and
    # the tool checks both refuse `call_tool = print`), the lower code (the more basic rule) wins.
    # An error always beats a warning on the same span (a CV611 warning must not hide CV701).
    unique: dict[tuple[Any, ...], Diagnostic] = {}
    for d in sorted(diagnostics, key=lambda d: (d.severity != "error", d.code)):
        if d.line == d.end_line and d.col == d.end_col:
            key: tuple[Any, ...] = (d.code, d.line, d.col, d.message)  # a point, not a span
        else:
            key = (d.line, d.col, d.end_line, d.end_col)
        unique.setdefault(key, d)
    ordered = sorted(unique.values(), key=lambda d: (d.line, d.col, d.code))
    return Report(
        diagnostics=tuple(_cap(ordered)), effects=tuple(effects), source=text, program=program
    )


MAX_DIAGNOSTICS = 50


def _cap(ordered: list[Diagnostic]) -> list[Diagnostic]:
    """At most `MAX_DIAGNOSTICS` diagnostics, then one line saying how many more there were.

    The report goes into a model's context: 1900 copies of "undefined name" (red-team finding
    10) say nothing the first 50 do not. Errors are kept before warnings, so the verdict and
    the first errors to fix are always shown; the summary line is an error only when there are
    errors (it never changes the verdict).
    """
    if len(ordered) <= MAX_DIAGNOSTICS:
        return ordered
    errors = [d for d in ordered if d.severity == "error"]
    warnings_ = [d for d in ordered if d.severity != "error"]
    kept = (errors + warnings_)[:MAX_DIAGNOSTICS]
    kept_ids = {id(d) for d in kept}
    shown = [d for d in ordered if id(d) in kept_ids]
    dropped = len(ordered) - len(shown)
    more_errors = len(errors) - sum(1 for d in shown if d.severity == "error")
    summary = Diagnostic(
        code=SizeRule.code,
        rule=SizeRule.name,
        message=f"... and {dropped} more diagnostic(s) not shown ({more_errors} error(s))",
        line=shown[-1].line,
        col=shown[-1].col,
        hint="Fix the problems shown first; the rest are often the same mistake.",
        severity="error" if errors else "warning",
    )
    return [*shown, summary]


def _resolve(ctx: Context, source: Source) -> list[Diagnostic]:
    """Diagnostics with positions (character columns), resolved only for what was reported."""
    out: list[Diagnostic] = []
    for p in ctx.pending:
        line, col, end_line, end_col = p.line, p.col, p.end_line, p.end_col
        if p.node is not None:
            line, col, end_line, end_col = source.span(p.node, p.part)
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
