"""The attribute policy: private attributes and frame/generator/traceback/code attributes."""

from __future__ import annotations

import ast
from typing import ClassVar

from .base import Invalid, NodeRule, Where, attribute_accesses, is_dunder, register
from .roles import keyword_part


@register
class AttributeRule(NodeRule):
    code = "CV107"
    name = "attribute"
    message = "this attribute is not allowed"
    hint = "Private and interpreter attributes (frames, code objects, tracebacks) are off limits."
    VALID: ClassVar[list[str]] = [
        "words = 'a b'.split()\nwords.append('c')\nprint(words.count('a'))\n",
        "import datetime\nprint(datetime.date(2024, 1, 2).isoformat())\n",
        "print({'f_back': 1}['f_back'])\n",
    ]
    INVALID: ClassVar[list[Invalid]] = [
        Invalid(
            "# Source: pyjail write-ups walk gi_frame.f_back.f_globals from a generator "
            "expression\n"
            "g = (i for i in [1])\nprint(g.gi_frame.f_back.f_globals)\n",
            3,
            9,
        ),
        Invalid("def f():\n    pass\nprint(f.co_code)\n", 3, 9),
        Invalid(
            "# Source: CVE-2023-37271 (RestrictedPython): generator gi_frame to reach frame "
            "globals\n"
            "g = (i for i in [1])\nframe = g.gi_frame\n",
            3,
            11,
        ),
        Invalid("try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    t = e.tb_frame\n", 4, 11),
        Invalid("import random\nprint(random._os)\n", 2, 14),
        Invalid("print(int.mro())\n", 1, 11),
        Invalid("print(getattr(int, 'mro')())\n", 1, 20),
        Invalid("x = [1]\nprint(x._private)\n", 2, 9),
        Invalid("g = (i for i in [1])\nprint(g.ｇｉ_frame)\n", 2, 9),
        Invalid(
            "# Source: class patterns read attributes without an attribute expression\n"
            "g = (i for i in [1])\nG = type(g)\n"
            "match g:\n    case G(gi_frame=fr):\n        print(fr)\n",
            5,
            12,
        ),
    ]

    def _check(self, name: str, where: Where) -> None:
        if is_dunder(name):
            return  # the dunder rule reports it
        policy = self.grammar.attributes
        node, part = where
        if policy.deny_private and name.startswith("_"):
            self.report(node, f"attribute `{name}` is private; not allowed", part=part)
        elif policy.denies(name):
            self.report(
                node, f"attribute `{name}` exposes interpreter internals; not allowed", part=part
            )

    def visit_Attribute(self, node: ast.Attribute) -> None:
        for _, name, where in attribute_accesses(node):
            self._check(name, where)

    def visit_Call(self, node: ast.Call) -> None:
        if type(node.func) is ast.Name:
            for _, name, where in attribute_accesses(node):
                self._check(name, where)

    def visit_MatchClass(self, node: ast.MatchClass) -> None:
        # `case G(gi_frame=f)` reads the attribute gi_frame of the subject.
        for i, name in enumerate(node.kwd_attrs):
            self._check(name, (node, keyword_part(node, i)))


def claimed_by_attribute_rules(name: str, rule: NodeRule) -> bool:
    """True when the dunder or attribute rule reports this attribute name (no double reports)."""
    policy = rule.grammar.attributes
    return is_dunder(name) or (policy.deny_private and name.startswith("_")) or policy.denies(name)
