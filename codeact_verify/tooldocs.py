"""Descriptions a tool's author wrote: docstring parameter sections and schema constraints.

`split_docstring` reads Google (``Args:``), NumPy (``Parameters`` + dashes) and Sphinx
(``:param x:``) parameter sections and returns the docstring without them plus one description
per parameter, so the stub can show each once, next to its constraints.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_GOOGLE_HEADS = ("args:", "arguments:", "parameters:", "params:", "keyword args:", "kwargs:")
_GOOGLE_ITEM = re.compile(r"^\*{0,2}([A-Za-z_]\w*)\s*(?:\(([^)]*)\))?\s*:\s*(.*)$")
_NUMPY_ITEM = re.compile(r"^\*{0,2}([A-Za-z_]\w*)\s*(?::\s*(.*))?$")
_SPHINX_PARAM = re.compile(r"^:param\s+(?:[^:]*\s)?\*{0,2}([A-Za-z_]\w*)\s*:\s*(.*)$")
_SPHINX_OTHER = re.compile(r"^:(type|rtype)\b")
_NUMPY_SECTIONS = ("parameters", "other parameters", "keyword arguments")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _join(parts: list[str]) -> str:
    return " ".join(p.strip() for p in parts if p.strip())


def split_docstring(doc: str) -> tuple[str, dict[str, str]]:
    """(the docstring without its parameter section(s), parameter name -> description)."""
    lines = doc.expandtabs().splitlines()
    kept: list[str] = []
    params: dict[str, str] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        low = stripped.lower()
        # Google style: "Args:" then indented "name (type): text" items
        if low in _GOOGLE_HEADS:
            base = _indent(line)
            i += 1
            current: list[str] | None = None
            item_indent = None
            while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > base):
                text = lines[i]
                if text.strip():
                    ind = _indent(text)
                    found = _GOOGLE_ITEM.match(text.strip())
                    if found and (item_indent is None or ind <= item_indent):
                        item_indent = ind
                        current = [found.group(3)]
                        params[found.group(1)] = ""
                        params[found.group(1)] = current  # type: ignore[assignment]
                    elif current is not None:
                        current.append(text)
                i += 1
            continue
        # NumPy style: "Parameters" underlined with dashes
        if (
            low in _NUMPY_SECTIONS
            and i + 1 < len(lines)
            and set(lines[i + 1].strip()) == {"-"}
        ):
            base = _indent(line)
            i += 2
            current = None
            while i < len(lines):
                text = lines[i]
                if (
                    text.strip()
                    and _indent(text) <= base
                    and i + 1 < len(lines)
                    and set(lines[i + 1].strip()) == {"-"}
                ):
                    break  # the next section
                if text.strip():
                    found = _NUMPY_ITEM.match(text.strip())
                    if _indent(text) <= base and found:
                        current = []
                        params[found.group(1)] = current  # type: ignore[assignment]
                    elif _indent(text) <= base:
                        break
                    elif current is not None:
                        current.append(text)
                i += 1
            continue
        found = _SPHINX_PARAM.match(stripped)
        if found:
            current = [found.group(2)]
            params[found.group(1)] = current  # type: ignore[assignment]
            i += 1
            while i < len(lines) and lines[i].strip() and _indent(lines[i]) > _indent(line):
                current.append(lines[i])
                i += 1
            continue
        if _SPHINX_OTHER.match(stripped):
            i += 1
            continue
        kept.append(line)
        i += 1
    text = "\n".join(kept).strip()
    text = re.sub(r"\n{3,}", "\n\n", text)
    out = {name: _join(parts) for name, parts in params.items()}  # type: ignore[arg-type]
    return text, {k: v for k, v in out.items() if v}


_FORMATS = {
    "date": "ISO date",
    "date-time": "ISO datetime",
    "time": "ISO time",
    "uuid": "UUID",
}


def constraint_text(schema: Mapping[str, Any], root: Mapping[str, Any] | None = None) -> str:
    """The constraints of a parameter's schema in a few words (">= 1, <= 10; max 40 chars")."""
    parts: list[str] = []
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    if alternatives:
        for alt in alternatives:
            if isinstance(alt, Mapping) and alt.get("type") != "null":
                text = constraint_text(alt, root)
                if text and text not in parts:
                    parts.append(text)
        return "; ".join(parts)
    for key, word in (
        ("minimum", ">="),
        ("exclusiveMinimum", ">"),
        ("maximum", "<="),
        ("exclusiveMaximum", "<"),
        ("multipleOf", "multiple of"),
    ):
        if key in schema:
            parts.append(f"{word} {schema[key]}")
    if "minLength" in schema:
        parts.append(f"min {schema['minLength']} chars")
    if "maxLength" in schema:
        parts.append(f"max {schema['maxLength']} chars")
    if "pattern" in schema:
        parts.append(f"pattern {schema['pattern']}")
    if "minItems" in schema and schema.get("type") == "array" and "prefixItems" not in schema:
        parts.append(f"min {schema['minItems']} items")
    if "maxItems" in schema and schema.get("type") == "array" and "prefixItems" not in schema:
        parts.append(f"max {schema['maxItems']} items")
    fmt = _FORMATS.get(str(schema.get("format")))
    if fmt:
        parts.append(fmt)
    return ", ".join(parts)
