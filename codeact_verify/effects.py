"""Effects: which tools a program may call, where, and whether a call may repeat.

What an approver sees before a block runs. Kept honest and simple:

* every call site of a registered tool (``call_tool("t", ...)``, ``t(...)``, and each entry of a
  ``call_tools`` batch), with its line and column;
* ``in_loop``: the call sits in a ``for``/``while`` body, a comprehension or a lambda, **or** in a
  function (a ``def``) that may itself run repeatedly: one called more than once or inside a loop,
  a lambda or a comprehension, passed around as a value (``map(f, xs)``), called from its own body
  or from another such function (functions are matched by name, which can only over-approximate);
* ``in_function``: the call sits inside a ``def`` or a lambda, so it runs only if that function is
  called;
* ``passed_as_value``: not a call but a read of the tool's name as a value (``f = t``,
  ``map(t, xs)``, ``for fn in (t, u)``, ``{"t": t}``, a default argument...). The program may call
  the tool through that value, any number of times, so it is an effect (``in_loop`` too): approval
  and the approver's view cover it.

Calls whose tool cannot be named statically (rejected by the tool checks) are not listed. Whether a
branch is taken, or how often a loop turns, is not known before running.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from .diagnostics import CallSite, Effect
from .syntax import SourceLines
from .toolcalls import ToolCallIndex, find_tool_calls, program_tree


def _repeating_functions(index: ToolCallIndex) -> set[str]:
    """Names of defs that may run more than once."""
    defs = set(index.defs)
    # a def may repeat when it is referenced more than once, in a loop/lambda/comprehension, as a
    # value rather than a call, from a function that itself repeats, or from its own body
    refs: dict[str, list[tuple[bool, str | None]]] = {}
    for ref in index.name_refs:
        if ref.name in defs:
            # passed around (map(f, xs), key=f): may run any number of times
            repeats = ref.in_loop or not ref.called
            refs.setdefault(ref.name, []).append((repeats, ref.function))
    repeating: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, uses in refs.items():
            if name in repeating:
                continue
            calls = len(uses)
            if calls > 1 or any(in_loop or fn == name or fn in repeating for in_loop, fn in uses):
                repeating.add(name)
                changed = True
    return repeating


def compute_effects(
    source: str,
    specs: Mapping[str, Any],
    *,
    tree: ast.Module | None = None,
    index: ToolCallIndex | None = None,
    lines: SourceLines | None = None,
) -> list[Effect]:
    """One Effect per registered tool the program may call, in order of first call.

    ``tree``/``index``/``lines``: as for :func:`codeact_verify.toolcheck.check_tool_calls`.
    """
    parsed = program_tree(source, tree)
    if parsed is None:
        return []
    if index is None:
        index = find_tool_calls(parsed, specs)
    text = source
    sites = [s for s in index.sites if s.tool is not None and s.tool in specs]
    values = [v for v in index.tool_values if v.tool in specs]
    if not sites and not values:
        return []
    if lines is None or lines.text != text:
        lines = SourceLines(text)
    repeating = _repeating_functions(index)
    found: list[tuple[tuple[int, int], str, CallSite]] = []
    for site in sites:
        assert site.tool is not None
        line, col = lines.span(site.node)[:2]
        in_loop = site.in_loop or (site.function is not None and site.function in repeating)
        found.append(
            ((line, col), site.tool, CallSite(line, col, in_loop, site.in_function))
        )
    for value in values:
        line, col = lines.span(value.node)[:2]
        site = CallSite(line, col, True, value.in_function, passed_as_value=True)
        found.append(((line, col), value.tool, site))
    by_tool: dict[str, list[CallSite]] = {}
    for _, tool, call_site in sorted(found, key=lambda f: f[0]):
        by_tool.setdefault(tool, []).append(call_site)
    return [Effect(tool=tool, sites=tuple(sites)) for tool, sites in by_tool.items()]
