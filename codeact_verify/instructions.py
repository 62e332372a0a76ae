"""The system-prompt text that tells the model how to use `execute_code`.

Generated from the tools (typed stubs with return shapes), the grammar (`Grammar.describe()`:
what the subset allows and forbids) and the configured mounts and domains. The file and http
helpers are mentioned only when mounts or domains are configured. Kept short on purpose: the
demo prints its cl100k token count.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from typing import Any

from .tools import ToolSpec

# The sandbox ABI: the helpers' signatures the file, http and final-answer lines show.
_abi: Any = importlib.import_module("codeact_verify.guest.runtime.abi")

EXECUTE_CODE_DESCRIPTION = "Run a Python program in the verified sandbox (see the instructions)."

_INTRO = """\
`execute_code` runs one Python program in an isolated sandbox. It is verified first; if \
rejected, nothing ran: fix every listed problem."""

_TOOLS = """\
Call tools as typed functions (`{example}`) or as `call_tool("{name}", ...)`; \
`call_tools([("name", {{...}}), ...])` runs several concurrently. A failed call raises \
`ToolError` (`.tool`, `.message`)."""

_NO_TOOLS = "No tools are registered."

_OUTPUT = """\
Only printed output comes back (or the error's kind, message and line). Do the whole task in \
one program."""


_FINAL_ANSWER = """\
If the program can state the whole answer, end it with `{final_answer}`: the user gets \
`text` as your reply and you get no further turn. Print instead when you must see results \
first."""


def helper_call(helper: Any) -> str:
    """How the instructions write a sandbox helper: `name(a, b=None, *, c=None)` from the
    ABI's signature (positional-only and variadic parameters are written like plain ones)."""
    parts: list[str] = []
    saw_star = False
    for p in helper.params:
        if p.kind == _abi.KEYWORD_ONLY and not saw_star:
            parts.append("*")
        star = {_abi.VAR_POSITIONAL: "*", _abi.VAR_KEYWORD: "**"}.get(p.kind, "")
        saw_star = saw_star or p.kind in (_abi.VAR_POSITIONAL, _abi.KEYWORD_ONLY)
        default = "" if p.default is _abi.REQUIRED else f"={p.default}"
        parts.append(f"{star}{p.name}{default}")
    return f"{helper.name}({', '.join(parts)})"


def _helper_calls(section: str) -> list[str]:
    return [f"`{helper_call(h)}`" for h in _abi.HELPERS if h.section == section]


def _struct_text(name: str) -> str:
    fields = dict(_abi.STRUCTS)[name]
    return "{" + ", ".join(f"{f}: {t}" for f, t in fields) + "}"


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


def _files_section(mounts: Sequence[Any], inputs: Sequence[str], output: bool) -> str:
    places = [
        f"`{_describe(m, 'guest_dir')}` "
        f"({'read-only' if getattr(m, 'read_only', True) else 'read-write'})"
        for m in mounts
    ]
    if inputs:
        places.append(", ".join(f"`{p}`" for p in inputs) + " (read-only inputs)")
    if output:
        places.append("`/output` (write files there; they are returned to you)")
    return (
        f"Files: only under {'; '.join(places)}, with {', '.join(_helper_calls('files'))}; "
        "`open()` is not available."
    )


def _domain_text(domain: Any) -> str:
    target = _describe(domain, "target", "pattern", "domain")
    methods = getattr(domain, "methods", None)
    if methods:
        return f"`{target}` ({', '.join(sorted(methods))})"
    return f"`{target}`"


def _http_section(domains: Sequence[Any]) -> str:
    names = ", ".join(_domain_text(d) for d in domains)
    calls = _helper_calls("http")
    returns = {h.returns for h in _abi.HELPERS if h.section == "http"}
    shape = " or ".join(f"`{_struct_text(r)}`" for r in sorted(returns))
    return f"HTTP only to {names}: {' and '.join(calls)} return {shape}."


def build_instructions(
    specs: Mapping[str, ToolSpec],
    grammar: Any | None = None,
    *,
    mounts: Sequence[Any] = (),
    allowed_domains: Sequence[Any] = (),
    grammar_detail: str = "compact",
    input_paths: Sequence[str] = (),
    output_dir: bool = False,
    final_answer: bool = False,
) -> str:
    """The instructions for the current tools, grammar, mounts and domains.

    `input_paths`: what is staged under `/input` (`/input` itself for a workspace root, else
    each file mount's path); `output_dir`: whether `/output` is there and returned.

    The subset's rules come from `Grammar.describe()` (compact by default: what differs from
    ordinary Python); `grammar_detail="full"` also lists everything that is allowed.
    `final_answer=True` (one-turn answers) tells the model about `final_answer(text)`.
    """
    sections = [_INTRO]
    if specs:
        first = next(iter(specs.values()))
        sections.append(_TOOLS.format(example=_example_call(first), name=first.name))
        sections.append("```python\n" + tool_stubs(specs) + "\n```")
    else:
        sections.append(_NO_TOOLS)
    if mounts or input_paths or output_dir:
        sections.append(_files_section(mounts, input_paths, output_dir))
    if allowed_domains:
        sections.append(_http_section(allowed_domains))
    if grammar is not None:
        described = grammar.describe(full=grammar_detail == "full").strip()
        if described:
            sections.append(described)
    sections.append(_OUTPUT)
    if final_answer:
        (call,) = _helper_calls("final_answer")
        sections.append(_FINAL_ANSWER.format(final_answer=call.strip("`")))
    return "\n\n".join(sections) + "\n"
