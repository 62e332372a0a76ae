"""Tool calls checked against the tools' signatures, before anything runs.

``call_tool``'s first argument must be a string literal naming a registered tool; the remaining
arguments (and those of a direct call of a tool's typed name, and of each ``call_tools`` batch
entry) are bound to the tool's signature the way Python would bind them: unknown keywords, missing
required parameters, too many positionals, a parameter given twice and literals of the wrong type
are errors. ``call_tool``'s own name parameter is positional-only, so a tool may have a parameter
called ``name``.

Splats (``*args`` / ``**kwargs``) cannot be bound statically. A ``**{...}`` dict literal with string
keys and a ``*[...]`` / ``*(...)`` literal are expanded and checked; any other splat, and a
``call_tools`` pair whose arguments are not a dict literal, is an *error* (CV608): arguments that
cannot be checked before running are rejected, with a hint that spells out the keyword form (the
verdict rule, :mod:`codeact_verify.verdict`).
"""

from __future__ import annotations

import ast
import difflib
import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypedDict

from .diagnostics import Diagnostic, Severity
from .linear_regex import LinearPattern, linear_pattern
from .syntax import SourceLines
from .toolcalls import (
    CALL_TOOL,
    CALL_TOOLS,
    ToolCallIndex,
    ToolCallSite,
    find_tool_calls,
    program_tree,
    string_value,
)
from .tools import ToolSpec

# The one binder and validator, shared with the guest and the host (shipped as the guest's
# runtime package: see codeact_verify/host/build.py).
_binding: Any = importlib.import_module("codeact_verify.guest.runtime.binding")
_schema: Any = importlib.import_module("codeact_verify.guest.runtime.schema")


class _HostPattern:
    """A literal argument's `pattern` check on the host, in linear time (`linear_regex`): the
    verifier has no time limit, and Python's `re` could hold the GIL for hours on a sloppy
    pattern (red-team finding red3/05). A value with a line break is left to the run (Python's
    `$` also matches before a final newline, Rust's does not)."""

    __slots__ = ("_linear",)

    def __init__(self, linear: LinearPattern) -> None:
        self._linear = linear

    def search(self, value: str) -> bool | None:
        if "\n" in value or "\r" in value:
            return True  # not decided here: the guest checks it at run time
        return True if self._linear.search(value) else None


class _HostSchemaChecker(_schema.SchemaChecker):  # type: ignore[misc, name-defined]
    """The guest's schema checker with linear-time `pattern` matching (see `_HostPattern`)."""

    def _pattern(self, pattern: object) -> _HostPattern | bool:
        linear = linear_pattern(pattern)
        # a pattern Rust's engine does not compile is not checked before running
        return _HostPattern(linear) if linear is not None else False


@dataclass(frozen=True)
class ToolCheck:
    """One tool-call check: its code, rule name, what it means, and examples that document it.

    ``valid`` programs must pass with no CV6xx diagnostic and each ``invalid`` program must raise
    ``code``, both against :func:`example_specs`.
    """

    code: str
    name: str
    summary: str
    severity: Severity = "error"
    valid: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()


TOOL_NAME_LITERAL = ToolCheck(
    "CV601",
    "tool-name-literal",
    "call_tool/call_tools name the tool with a string literal",
    valid=(
        'w = call_tool("get_weather", city="Paris")\n',
        'rs = call_tools([("get_weather", {"city": c}) for c in ["a", "b"]])\n',
    ),
    invalid=(
        'tool = "get_weather"\nw = call_tool(tool, city="Paris")\n',
        'w = call_tool(city="Paris")\n',
        "rs = call_tools(pairs)\n",
    ),
)
UNKNOWN_TOOL = ToolCheck(
    "CV602",
    "unknown-tool",
    "the named tool is registered",
    valid=('r = call_tool("get_exchange_rate", base="USD", quote="EUR")\n',),
    invalid=(
        'w = call_tool("get_wether", city="Paris")\n',
        'rs = call_tools([("search", {"q": "x"})])\n',
    ),
)
UNKNOWN_ARGUMENT = ToolCheck(
    "CV603",
    "unknown-argument",
    "every keyword argument is a parameter of the tool",
    valid=('w = get_weather(city="Paris", units="f")\n', 'n = call_tool("lookup", name="Ada")\n'),
    invalid=(
        'w = call_tool("get_weather", town="Paris")\n',
        'w = get_weather(city="Paris", unit="f")\n',
    ),
)
MISSING_ARGUMENT = ToolCheck(
    "CV604",
    "missing-argument",
    "every required parameter is given",
    valid=('r = call_tool("get_exchange_rate", "USD", quote="EUR")\n',),
    invalid=('r = call_tool("get_exchange_rate", base="USD")\n', "w = get_weather()\n"),
)
TOO_MANY_POSITIONAL = ToolCheck(
    "CV605",
    "too-many-positional",
    "no more positional arguments than positional parameters",
    valid=('w = call_tool("get_weather", "Paris", "c")\n',),
    invalid=('w = call_tool("get_weather", "Paris", "c", 3)\n',),
)
DUPLICATE_ARGUMENT = ToolCheck(
    "CV606",
    "duplicate-argument",
    "no parameter is given twice",
    valid=('w = get_weather("Paris", units="c")\n',),
    invalid=(
        'w = get_weather("Paris", city="Rome")\n',
        'w = call_tool("get_weather", "a", **{"city": "b"})\n',
    ),
)
ARGUMENT_TYPE = ToolCheck(
    "CV607",
    "argument-type",
    "a literal argument has the parameter's type",
    valid=(
        'r = call_tool("convert", amount=3, currencies=["USD", "EUR"])\n',
        'w = get_weather(city="Paris", units="f")\n',
    ),
    invalid=(
        'w = call_tool("get_weather", city=3)\n',
        'w = get_weather(city="Paris", units="kelvin")\n',
        'r = call_tool("convert", amount="3", currencies=["USD"])\n',
        'r = call_tool("convert", amount=3, currencies=["USD", 1])\n',
    ),
)
UNCHECKED_ARGUMENTS = ToolCheck(
    "CV608",
    "unchecked-arguments",
    "tool arguments are checkable before running: no * or ** of a non-literal, and call_tools "
    "pairs carry dict literals",
    valid=(
        'w = call_tool("get_weather", **{"city": "Paris"})\n',
        'rs = call_tools([("get_weather", {"city": c}) for c in ["a", "b"]])\n',
    ),
    invalid=(
        'args = {"city": "Paris"}\nw = call_tool("get_weather", **args)\n',
        'args = ["Paris"]\nw = get_weather(*args)\n',
        'a = {"city": "Paris"}\nrs = call_tools([("get_weather", a)])\n',
        'rs = call_tools([("get_weather", dict(city=c)) for c in ["a", "b"]])\n',
    ),
)
CALL_TOOL_REFERENCE = ToolCheck(
    "CV609",
    "call-tool-reference",
    "call_tool/call_tools are only called, never passed around or aliased",
    valid=('w = call_tool("get_weather", city="Paris")\n',),
    invalid=(
        'f = call_tool\nw = f("get_weather", city="Paris")\n',
        'ws = list(map(call_tool, ["get_weather"]))\n',
    ),
)
CALL_TOOL_REBOUND = ToolCheck(
    "CV610",
    "call-tool-rebound",
    "the program does not define its own call_tool/call_tools",
    valid=('def get_weather(city):\n    return {"city": city}\nw = get_weather(3)\n',),
    invalid=('def call_tool(name, **kw):\n    return None\nx = call_tool("get_weather")\n',),
)
ANY_KEYWORD = ToolCheck(
    "CV611",
    "any-keyword-tool",
    "keywords a tool takes through **kwargs (or extra positionals through *args) cannot be "
    "checked before running (warning)",
    severity="warning",
    valid=('n = call_tool("tag", "a", color="red")\n',),
    invalid=('n = call_tool("tag", "a", colour="red", size=3)\n',),
)

CHECKS: tuple[ToolCheck, ...] = (
    TOOL_NAME_LITERAL,
    UNKNOWN_TOOL,
    UNKNOWN_ARGUMENT,
    MISSING_ARGUMENT,
    TOO_MANY_POSITIONAL,
    DUPLICATE_ARGUMENT,
    ARGUMENT_TYPE,
    UNCHECKED_ARGUMENTS,
    CALL_TOOL_REFERENCE,
    CALL_TOOL_REBOUND,
    ANY_KEYWORD,
)


# -- example tools the checks' examples are written against ----------------------------------
class _Weather(TypedDict):
    city: str
    temperature_c: float


def _get_weather(city: str, units: Literal["c", "f"] = "c") -> _Weather:
    """Current weather for a city."""
    return {"city": city, "temperature_c": 20.0}


def _get_exchange_rate(base: str, quote: str) -> float:
    """Exchange rate from base to quote."""
    return 1.0


def _convert(amount: float, currencies: list[str]) -> dict[str, float]:
    """Convert an amount into several currencies."""
    return {c: amount for c in currencies}


def _lookup(name: str) -> str | None:
    """Find a person by name (a tool parameter may be called `name`)."""
    return None


def _tag(item: str, /, color: str = "blue", **labels: str) -> str:
    """Tag an item; any other keyword is a label."""
    return item


def example_specs() -> dict[str, ToolSpec]:
    """The small tool set the checks' VALID/INVALID examples use."""
    tools: list[tuple[str, Callable[..., Any]]] = [
        ("get_weather", _get_weather),
        ("get_exchange_rate", _get_exchange_rate),
        ("convert", _convert),
        ("lookup", _lookup),
        ("tag", _tag),
    ]
    return {name: ToolSpec.from_callable(fn, name=name) for name, fn in tools}


# -- the checker ------------------------------------------------------------------------------
_MISSING = object()


def _literal_value(node: ast.expr) -> Any:
    """The value of a scalar literal, or _MISSING."""
    if isinstance(node, ast.Constant):
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub | ast.UAdd)
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, int | float | complex)
        and not isinstance(node.operand.value, bool)
    ):
        value = node.operand.value
        return -value if isinstance(node.op, ast.USub) else value
    return _MISSING


def wire_value(node: ast.expr, depth: int = 0) -> Any:
    """An argument expression as the JSON data it would cross as: literals exactly (tuples and
    sets as lists, int dict keys as strings), anything else as the validator's "unknown"
    (an f-string as an unknown string). _MISSING when a literal cannot cross as JSON."""
    if depth > 20:
        return _schema.UNKNOWN
    if isinstance(node, ast.JoinedStr):
        return _schema.UNKNOWN_STRING
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        if any(isinstance(e, ast.Starred) for e in node.elts):
            return _schema.UNKNOWN
        items = [wire_value(e, depth + 1) for e in node.elts]
        return _MISSING if any(i is _MISSING for i in items) else items
    if isinstance(node, ast.Dict):
        out: dict[str, Any] = {}
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            key = _literal_value(key_node) if key_node is not None else _MISSING
            if isinstance(key, bool) or not isinstance(key, str | int):
                return _schema.UNKNOWN  # a ** splat or a computed key
            value = wire_value(value_node, depth + 1)
            if value is _MISSING:
                return _MISSING
            out[str(key)] = value
        return out
    value = _literal_value(node)
    if value is _MISSING:
        return _schema.UNKNOWN
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else _MISSING
    return _MISSING  # bytes, complex, Ellipsis: not JSON


def _literal_keywords(node: ast.expr | None) -> list[tuple[str, ast.expr, ast.AST]] | None:
    """A dict literal with only string-literal keys as (key, value, where) triples, else None."""
    if not isinstance(node, ast.Dict):
        return None
    out: list[tuple[str, ast.expr, ast.AST]] = []
    for key_node, value in zip(node.keys, node.values, strict=True):
        key = string_value(key_node)
        if key is None or key_node is None:
            return None
        out.append((key, value, key_node))
    return out


def _keyword_form(spec: ToolSpec, kind: str) -> str:
    """The call written out with every parameter by keyword (by position if positional-only)."""
    parts: list[str] = []
    for name, pkind, _ in spec.params:
        if pkind in (_binding.VAR_POSITIONAL, _binding.VAR_KEYWORD):
            continue
        if kind == "batch":
            parts.append(f'"{name}": ...')
        elif pkind == _binding.POSITIONAL_ONLY:
            parts.append(f"<{name}>")
        else:
            parts.append(f"{name}=...")
    args = ", ".join(parts)
    if kind == "batch":
        return f'("{spec.name}", {{{args}}})'
    if kind == "direct":
        return f"{spec.name}({args})"
    return f'{CALL_TOOL}("{spec.name}"' + (f", {args})" if args else ")")


class _Checker:
    def __init__(
        self, source: str, specs: Mapping[str, ToolSpec], lines: SourceLines | None = None
    ) -> None:
        self.specs = specs
        self.lines = lines if lines is not None and lines.text == source else SourceLines(source)
        self.out: list[Diagnostic] = []

    def report(
        self,
        check: ToolCheck,
        node: ast.AST,
        message: str,
        hint: str | None = None,
    ) -> None:
        line, col, end_line, end_col = self.lines.span(node)
        self.out.append(
            Diagnostic(
                code=check.code,
                rule=check.name,
                message=message,
                line=line,
                col=col,
                end_line=end_line,
                end_col=end_col,
                hint=hint,
                severity=check.severity,
            )
        )

    def tool_list(self) -> str:
        names = sorted(self.specs)
        return ", ".join(names) if names else "(no tools are registered)"

    # -- per site ---------------------------------------------------------------------------
    def site(self, site: ToolCallSite) -> None:
        what = CALL_TOOLS if site.kind == "batch" else CALL_TOOL
        if site.kind != "direct":
            if site.name_node is None:
                self.report(
                    TOOL_NAME_LITERAL,
                    site.node,
                    f"{what} needs the tool's name as its first positional argument",
                    hint=f'write {CALL_TOOL}("tool_name", arg=...); tools: {self.tool_list()}',
                )
                return
            if site.tool is None:
                self.report(
                    TOOL_NAME_LITERAL,
                    site.name_node,
                    f"the tool name given to {what} must be a string literal",
                    hint=f'name one tool in quotes, e.g. {what}("{self.example_tool()}", ...)'
                    f" (branch with if/else to pick between tools); tools: {self.tool_list()}",
                )
                return
        spec = self.specs.get(site.tool or "")
        if spec is None:
            close = difflib.get_close_matches(site.tool or "", list(self.specs), n=3, cutoff=0.6)
            hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
            where = site.name_node if site.name_node is not None else site.node
            self.report(
                UNKNOWN_TOOL,
                where,
                f"there is no tool named {site.tool!r}",
                hint=f"{hint}tools: {self.tool_list()}",
            )
            return
        if site.kind == "batch":
            self.bind_batch(spec, site)
        else:
            self.bind(spec, site)

    def example_tool(self) -> str:
        return next(iter(self.specs), "tool_name")

    def bind_batch(self, spec: ToolSpec, site: ToolCallSite) -> None:
        keywords = _literal_keywords(site.kwargs_node)
        if keywords is not None:
            self.bind_values(spec, site, [], keywords, unknown_rest=False)
            return
        self.report(
            UNCHECKED_ARGUMENTS,
            site.kwargs_node if site.kwargs_node is not None else site.node,
            f"the arguments of this {spec.name} batch entry are not a dict literal, "
            "so they cannot be checked before running",
            hint=f"spell them out: {_keyword_form(spec, 'batch')}",
        )

    def bind(self, spec: ToolSpec, site: ToolCallSite) -> None:
        positional: list[tuple[ast.expr, ast.AST]] = []
        keywords: list[tuple[str, ast.expr, ast.AST]] = []
        unknown_rest = False
        for arg in site.args:
            if isinstance(arg, ast.Starred):
                value = arg.value
                if isinstance(value, ast.List | ast.Tuple) and not any(
                    isinstance(e, ast.Starred) for e in value.elts
                ):
                    positional += [(e, e) for e in value.elts]
                    continue
                unknown_rest = True
                self.report(
                    UNCHECKED_ARGUMENTS,
                    arg,
                    f"arguments passed to {spec.name} with * cannot be checked before running",
                    hint=f"pass each argument by keyword: {_keyword_form(spec, site.kind)}",
                )
            else:
                positional.append((arg, arg))
        for kw in site.keywords:
            if kw.arg is not None:
                keywords.append((kw.arg, kw.value, kw))
                continue
            literal = _literal_keywords(kw.value)
            if literal is not None:
                keywords += literal
                continue
            unknown_rest = True
            self.report(
                UNCHECKED_ARGUMENTS,
                kw,
                f"arguments passed to {spec.name} with ** cannot be checked before running",
                hint=f"pass each argument by keyword: {_keyword_form(spec, site.kind)}",
            )
        self.bind_values(spec, site, positional, keywords, unknown_rest)

    def bind_values(
        self,
        spec: ToolSpec,
        site: ToolCallSite,
        positional: Sequence[tuple[ast.expr, ast.AST]],
        keywords: Sequence[tuple[str, ast.expr, ast.AST]],
        unknown_rest: bool,
    ) -> None:
        params = spec.params
        var_kinds = (_binding.VAR_POSITIONAL, _binding.VAR_KEYWORD)
        names = [n for n, k, _ in params if k not in var_kinds]
        signature = spec.signature_source.removesuffix(":") or spec.name
        keys = [key for key, _, _ in keywords]
        found = _binding.match(params, len(positional), keys, partial=unknown_rest)
        key_nodes: dict[str, list[tuple[ast.expr, ast.AST]]] = {}
        for key, value, node in keywords:
            key_nodes.setdefault(key, []).append((value, node))
        misspelt: set[str] = set()  # parameters an unknown keyword was probably meant to be
        reported_too_many = False
        problems = list(found.problems)
        for kind, name, _ in problems:  # misspellings first: they silence "missing"
            if kind == _binding.UNEXPECTED_KEYWORD:
                misspelt.update(difflib.get_close_matches(name, names, n=1, cutoff=0.6))
        for kind, name, index in problems:
            if kind == _binding.TOO_MANY_POSITIONAL:
                if reported_too_many:
                    continue
                reported_too_many = True
                count = _binding.positional_count(params)
                self.report(
                    TOO_MANY_POSITIONAL,
                    positional[index][1],
                    f"{spec.name} takes {count} positional argument(s) but "
                    f"{len(positional)} were given",
                    hint=f"signature: {signature}",
                )
            elif kind == _binding.UNEXPECTED_KEYWORD:
                close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
                hint = (f"did you mean {close[0]!r}? " if close else "") + f"signature: {signature}"
                for _, node in key_nodes.get(name, ()):
                    self.report(
                        UNKNOWN_ARGUMENT, node, f"{spec.name} has no parameter {name!r}", hint=hint
                    )
            elif kind == _binding.POSITIONAL_AS_KEYWORD:
                self.report(
                    UNKNOWN_ARGUMENT,
                    key_nodes[name][0][1],
                    f"{spec.name}'s parameter {name!r} is positional-only",
                    hint=f"pass it by position; signature: {signature}",
                )
            elif kind in (_binding.MULTIPLE_VALUES, _binding.DUPLICATE_KEYWORD):
                node = key_nodes[name][-1][1]
                self.report(
                    DUPLICATE_ARGUMENT,
                    node,
                    f"{spec.name} got more than one value for parameter {name!r}",
                    hint=f"give each parameter once; signature: {signature}",
                )
        missing = [
            name
            for kind, name, _ in problems
            if kind == _binding.MISSING and name not in misspelt
        ]
        if missing and not unknown_rest:
            listed = ", ".join(repr(m) for m in missing)
            self.report(
                MISSING_ARGUMENT,
                site.node,
                f"{spec.name} is missing required argument(s) {listed}",
                hint=f"signature: {signature}",
            )
        bound: dict[str, ast.expr] = {}
        for name, index in found.positional.items():
            bound[name] = positional[index][0]
        for name, key in found.keyword.items():
            bound[name] = key_nodes[key][0][0]
        if found.var_keyword is not None:
            extra = found.var_keyword[1]
            self.report(
                ANY_KEYWORD,
                key_nodes[extra[0]][0][1],
                f"{spec.name} takes any keyword (**{found.var_keyword[0]}): "
                f"{', '.join(repr(k) for k in extra)} cannot be checked before running",
                hint=f"check the spelling against the tool's description; signature: {signature}",
            )
        properties: Mapping[str, Any] = spec.parameters.get("properties", {})
        checker = _HostSchemaChecker(spec.parameters)
        for key, value in bound.items():
            schema = properties.get(key)
            if not schema:
                continue
            wire = wire_value(value)
            where = f"argument {key!r} of {spec.name}"
            expected = _schema.describe(schema, checker)
            if wire is _MISSING:
                problem: str | None = f"{where} must be {expected} (this value is not JSON data)"
            else:
                problem = checker.error(wire, schema, where)
            if problem:
                if problem.startswith(f"{where} expects "):  # say what would fit, as a type
                    problem = f"{where} must be {expected}, got {_given(wire)}"
                self.report(ARGUMENT_TYPE, value, problem, hint=f"signature: {signature}")

    # -- whole program ----------------------------------------------------------------------
    def run(self, index: ToolCallIndex) -> list[Diagnostic]:
        for name, where in index.rebindings:
            self.report(
                CALL_TOOL_REBOUND,
                where,
                f"{name} is provided by the sandbox; the program must not bind it",
                hint=f"rename your own function or variable; call tools with {name}(...)",
            )
        for name, where in index.bare_references:
            self.report(
                CALL_TOOL_REFERENCE,
                where,
                f"{name} can only be called directly, not used as a value",
                hint=f'write {CALL_TOOL}("tool_name", arg=...) at each call; '
                "a tool's typed name (e.g. get_weather) may be passed around instead",
            )
        for where in index.opaque_batches:
            self.report(
                TOOL_NAME_LITERAL,
                where,
                f"{CALL_TOOLS} takes a list (or list comprehension) of "
                '("tool_name", {...arguments}) pairs with the tool name as a string literal',
                hint=f'e.g. {CALL_TOOLS}([("{self.example_tool()}", {{...}}) for ... in ...]);'
                f" tools: {self.tool_list()}",
            )
        for site in index.sites:
            self.site(site)
        self.out.sort(key=lambda d: (d.line, d.col, d.code))
        return self.out


def check_tool_calls(
    source: str,
    specs: Mapping[str, ToolSpec],
    *,
    tree: ast.Module | None = None,
    index: ToolCallIndex | None = None,
    lines: SourceLines | None = None,
) -> list[Diagnostic]:
    """Diagnostics (CV601-CV610) for every tool call in the program, sorted by position.

    The checks run on Python's ``ast`` of the program. Pass ``tree`` (and the ``index`` of
    :func:`find_tool_calls`) when the caller has them, as the verifier does, so the program is
    parsed and walked once. A program Python's parser rejects gets no tool diagnostics (the
    syntax check reports it). ``lines``: the program's `SourceLines`, when the caller has them.
    """
    parsed = program_tree(source, tree)
    if parsed is None:
        return []
    return _Checker(source, specs, lines).run(index or find_tool_calls(parsed, specs))


def _given(wire: Any) -> str:
    """The literal value a call passed, short (`'games'`, `[1, 2]`); a type name for a value
    the verifier only knows the kind of."""
    if type(wire) is _schema.Unknown:
        return "an f-string" if wire.kind == "string" else "a computed value"
    return str(_schema._short(wire))
