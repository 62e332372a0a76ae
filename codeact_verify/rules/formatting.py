"""Format strings that walk attributes or items: str.format / format_map on unproven templates."""

from __future__ import annotations

import string
from typing import ClassVar

import libcst as cst

from .base import NodeRule, attribute_accesses, ident, register, string_literal

_FORMAT_METHODS = frozenset({"format", "format_map"})


def walking_field(template: str, depth: int = 0) -> str | None:
    """The first field that walks attributes or items ({0.x}, {0[k]}), or why it cannot parse."""
    if depth > 4:
        return "nested too deeply"
    try:
        parts = list(string.Formatter().parse(template))
    except (ValueError, TypeError) as exc:
        return f"malformed template ({exc})"
    for _, field_name, spec, _ in parts:
        if field_name and ("." in field_name or "[" in field_name):
            return "{" + field_name + "}"
        if spec:
            inner = walking_field(spec, depth + 1)
            if inner:
                return inner
    return None


@register
class FormatStringRule(NodeRule):
    code = "CV110"
    name = "format-string"
    message = "str.format/format_map on a template that is not a safe literal"
    hint = "Use an f-string, or .format() on a literal template without {x.attr}/{x[key]} fields."
    VALID: ClassVar[list[str]] = [
        "print('{} has {:.1f} mm'.format('Paris', 2.5))\n",
        "TEMPLATE = '{city}: {temp}'\nprint(TEMPLATE.format(city='Oslo', temp=3))\n",
        "print('{name}'.format_map({'name': 'x'}))\n",
        "print('{0:>{1}}'.format('x', 5))\n",
    ]
    INVALID: ClassVar[list[str]] = [
        "# Source: Armin Ronacher, 'Be Careful with Python's New-Style String Format' (2016)\n"
        "print('{0.__class__.__mro__}'.format(1))\n",
        "print('{0[secret]}'.format({'secret': 1}))\n",
        "t = call_tool('get_template')\nprint(t.format(1))\n",
        "f = str.format\nprint(f('{0.real}', 1))\n",
        "t = '{0}'\nt = '{0.real}'\nprint(t.format(1))\n",
        "print('{x.real}'.format_map({'x': 1}))\n",
        "print('{:{0.real}}'.format(1))\n",
        "print(getattr('{0.real}', 'format')(1))\n",
        "t = call_tool('get_template')\nmatch t:\n    case str(format=f):\n        print(f(1))\n",
    ]

    def _check(self, receiver: cst.BaseExpression, method: str, where: cst.CSTNode) -> None:
        if not self.grammar.format_method:
            self.report(where, f".{method}() is not allowed in this grammar; use an f-string")
            return
        template = string_literal(receiver)
        if template is None and isinstance(receiver, cst.Name):
            template = self.ctx.facts.literal_str.get(ident(receiver.value))
        if template is None:
            self.report(
                where,
                f".{method}() on a template that is not provably a literal string",
            )
            return
        bad = walking_field(template)
        if bad:
            self.report(where, f".{method}() template field {bad} walks attributes or items")

    def visit_Attribute(self, node: cst.Attribute) -> None:
        for receiver, name, where in attribute_accesses(node):
            if name in _FORMAT_METHODS:
                self._check(receiver, name, where)

    def visit_Call(self, node: cst.Call) -> None:
        for receiver, name, where in attribute_accesses(node):
            if name in _FORMAT_METHODS:
                self._check(receiver, name, where)

    def visit_MatchKeywordElement(self, node: cst.MatchKeywordElement) -> None:
        # `case str(format=f)` binds the subject's bound format method: receiver unknown.
        name = ident(node.key.value)
        if name in _FORMAT_METHODS:
            self.report(node.key, f".{name} taken from a match subject; use an f-string")
