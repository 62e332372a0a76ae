"""The system-prompt text that tells the model how to use `execute_code`.

Generated from the tools (typed stubs with return shapes), the grammar (`Grammar.describe()`:
what the subset allows and forbids) and the configured mounts and domains. The file and http
helpers are mentioned only when mounts or domains are configured. Kept short on purpose: the
demo prints its cl100k token count.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any

from .tools import ToolSpec

EXECUTE_CODE_DESCRIPTION = "Run a Python program in the verified sandbox (see the instructions)."

_INTRO = """\
`execute_code` runs Python once in an isolated sandbox (no files, network or environment unless \
listed here). Code is verified first; if rejected, nothing ran: fix every listed problem and \
resend."""

_TOOLS = """\
Call tools as typed functions, e.g. `{example}`, or as `call_tool("{name}", ...)`; \
`call_tools([("name", {{...}}), ...])` runs calls concurrently. Failures raise `ToolError` \
(`.tool`, `.message`). Results are JSON data."""

_NO_TOOLS = "No tools are registered."

_OUTPUT = """\
Only `print()` output comes back; a failure gives its kind, message and line. Do the whole task \
in one program."""


def _example_call(spec: ToolSpec) -> str:
    props = spec.parameters.get("properties", {})
    required = spec.parameters.get("required", [])
    samples = {"string": '"..."', "integer": "1", "number": "1.0", "boolean": "True"}
    args = []
    for pname in required[:2]:
        kind = props.get(pname, {}).get("type", "string")
        args.append(f"{pname}={samples.get(kind, '...')}")
    return f"{spec.name}({', '.join(args)})"


def compact_struct(source: str) -> str:
    """A TypedDict class on one line (`class W(TypedDict): a: int; b: str`), still valid Python.

    Classes whose body is not one simple statement per line (multi-line docstrings) stay as is.
    """
    head, *body = source.splitlines()
    fields = [line.strip() for line in body]
    for text in fields:
        if text.startswith('"""') and (len(text) < 6 or not text.endswith('"""')):
            return source
    if not fields or not head.endswith(":"):
        return source
    return head + " " + "; ".join(fields)


def tool_stubs(specs: Mapping[str, ToolSpec]) -> str:
    """TypedDict classes (one line each) and one typed stub per tool (signature + docstring)."""
    parts: list[str] = []
    seen: set[str] = set()
    for spec in specs.values():
        for struct in spec.structs:
            if struct not in seen:
                seen.add(struct)
                parts.append(compact_struct(struct))
    parts += [spec.stub() for spec in specs.values()]
    return "\n".join(parts)


def _describe(item: Any, *fields: str) -> str:
    for name in fields:
        value = getattr(item, name, None)
        if value is not None:
            return str(value)
    return str(item)


def _files_section(mounts: Sequence[Any]) -> str:
    where = ", ".join(
        f"`{_describe(m, 'guest_dir')}` "
        f"({'read-only' if getattr(m, 'read_only', True) else 'read-write'})"
        for m in mounts
    )
    return (
        f"Files: only under {where}, with `read_text(path)`, `write_text(path, text)`, "
        "`read_json(path)`, `write_json(path, data)`, `list_dir(path)`; `open()` is not available."
    )


def _http_section(domains: Sequence[Any]) -> str:
    names = ", ".join(f"`{_describe(d, 'pattern', 'domain', 'target')}`" for d in domains)
    return (
        f"HTTP only to {names}: `http_get(url, headers=None, timeout=None)` and "
        "`http_request(method, url, headers=None, body=None, json=None)` return "
        "`{status: int, headers: dict, text: str, url: str}`."
    )


def describe_grammar(grammar: Any) -> str:
    """The grammar's rules in a few lines: what a program must not contain or use.

    `Grammar.describe()` lists everything that is allowed as well (about 600 tokens for the
    default profile); models know Python, so the instructions carry what differs from it: the
    constructs not allowed, the builtins not available, the importable modules and the size limit.
    The verifier's diagnostics name the finer rules (e.g. a module's denied names) when they bite.
    """
    from .grammar import CONSTRUCTS, Grammar

    if not isinstance(grammar, Grammar):
        return str(grammar.describe()).strip()
    module = sys.modules[Grammar.__module__]
    undescribed: frozenset[str] = getattr(module, "_UNDESCRIBED", frozenset())
    denied = [
        CONSTRUCTS[c][0].replace(" statements", "").replace(" definitions", "")
        for c in CONSTRUCTS
        if c not in grammar.constructs and c not in undescribed
    ]
    lines = [f"Python subset ({grammar.name}):"]
    if denied:
        lines.append("- Not allowed: " + "; ".join(denied) + ".")
    if grammar.denied_builtins:
        names = ", ".join(sorted(grammar.denied_builtins))
        lines.append(f"- Builtins not available: {names}.")
    lines.append("- Import only: " + (", ".join(sorted(grammar.modules)) or "nothing") + ".")
    private = ", no _private attributes" if grammar.attributes.deny_private else ""
    lines.append(
        f"- No __dunder__ names{private}. At most {grammar.limits.max_bytes} bytes of code."
    )
    return "\n".join(lines)


def build_instructions(
    specs: Mapping[str, ToolSpec],
    grammar: Any | None = None,
    *,
    mounts: Sequence[Any] = (),
    allowed_domains: Sequence[Any] = (),
    grammar_detail: str = "compact",
) -> str:
    """The instructions for the current tools, grammar, mounts and domains.

    `grammar_detail="full"` includes `Grammar.describe()` as is instead of `describe_grammar()`.
    """
    sections = [_INTRO]
    if specs:
        first = next(iter(specs.values()))
        sections.append(_TOOLS.format(example=_example_call(first), name=first.name))
        sections.append("```python\n" + tool_stubs(specs) + "\n```")
    else:
        sections.append(_NO_TOOLS)
    if mounts:
        sections.append(_files_section(mounts))
    if allowed_domains:
        sections.append(_http_section(allowed_domains))
    if grammar is not None:
        described = (
            grammar.describe().strip() if grammar_detail == "full" else describe_grammar(grammar)
        )
        if described:
            sections.append(described)
    sections.append(_OUTPUT)
    return "\n\n".join(sections) + "\n"
