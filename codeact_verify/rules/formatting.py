"""Format strings that walk attributes or items: str.format / format_map on unproven templates."""

from __future__ import annotations

import ast
import string
from typing import ClassVar

from .base import Invalid, NodeRule, Where, attribute_accesses, register, string_literal
from .positions import ATTR
from .roles import keyword_part

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
    INVALID: ClassVar[list[Invalid]] = [
        Invalid(
            "# Source: Armin Ronacher, 'Be Careful with Python's New-Style String Format' (2016)\n"
            "print('{0.__class__.__mro__}'.format(1))\n",
            2,
            31,
        ),
        Invalid("print('{0[secret]}'.format({'secret': 1}))\n", 1, 21),
        Invalid("t = call_tool('get_template')\nprint(t.format(1))\n", 2, 9),
        Invalid("f = str.format\nprint(f('{0.real}', 1))\n", 1, 9),
        Invalid("t = '{0}'\nt = '{0.real}'\nprint(t.format(1))\n", 3, 9),
        Invalid("print('{x.real}'.format_map({'x': 1}))\n", 1, 18),
        Invalid("print('{:{0.real}}'.format(1))\n", 1, 21),
        Invalid("print(getattr('{0.real}', 'format')(1))\n", 1, 27),
        Invalid(
            "t = call_tool('get_template')\nmatch t:\n    case str(format=f):\n        "
            "print(f(1))\n",
            3,
            14,
        ),
    ]

    def _check(self, receiver: ast.expr, method: str, where: Where) -> None:
        node, part = where
        if not self.grammar.format_method:
            self.report(
                node, f".{method}() is not allowed in this grammar; use an f-string", part=part
            )
            return
        template = string_literal(receiver)
        if template is None and type(receiver) is ast.Name:
            template = self.ctx.facts.literal_str.get(receiver.id)
        if template is None:
            self.report(
                node,
                f".{method}() on a template that is not provably a literal string",
                part=part,
            )
            return
        bad = walking_field(template)
        if bad:
            self.report(
                node, f".{method}() template field {bad} walks attributes or items", part=part
            )

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in _FORMAT_METHODS:
            self._check(node.value, node.attr, (node, ATTR))

    def visit_Call(self, node: ast.Call) -> None:
        if type(node.func) is ast.Name:
            for receiver, name, where in attribute_accesses(node):
                if name in _FORMAT_METHODS:
                    self._check(receiver, name, where)

    def visit_MatchClass(self, node: ast.MatchClass) -> None:
        # `case str(format=f)` binds the subject's bound format method: receiver unknown.
        for i, name in enumerate(node.kwd_attrs):
            if name in _FORMAT_METHODS:
                self.report(
                    node,
                    f".{name} taken from a match subject; use an f-string",
                    part=keyword_part(node, i),
                )
