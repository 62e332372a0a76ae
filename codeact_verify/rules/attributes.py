"""The attribute policy: private attributes and frame/generator/traceback/code attributes."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst

from .base import NodeRule, attribute_accesses, ident, is_dunder, register


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
    INVALID: ClassVar[list[str]] = [
        "# Source: pyjail write-ups walk gi_frame.f_back.f_globals from a generator expression\n"
        "g = (i for i in [1])\nprint(g.gi_frame.f_back.f_globals)\n",
        "def f():\n    pass\nprint(f.co_code)\n",
        "# Source: CVE-2023-37271 (RestrictedPython): generator gi_frame to reach frame globals\n"
        "g = (i for i in [1])\nframe = g.gi_frame\n",
        "try:\n    1 / 0\nexcept ZeroDivisionError as e:\n    t = e.tb_frame\n",
        "import random\nprint(random._os)\n",
        "print(int.mro())\n",
        "print(getattr(int, 'mro')())\n",
        "x = [1]\nprint(x._private)\n",
        "g = (i for i in [1])\nprint(g.ｇｉ_frame)\n",
        "# Source: class patterns read attributes without an attribute expression\n"
        "g = (i for i in [1])\nG = type(g)\n"
        "match g:\n    case G(gi_frame=fr):\n        print(fr)\n",
    ]

    def _check(self, name: str, where: cst.CSTNode) -> None:
        if is_dunder(name):
            return  # the dunder rule reports it
        policy = self.grammar.attributes
        if policy.deny_private and name.startswith("_"):
            self.report(where, f"attribute `{name}` is private; not allowed")
        elif policy.denies(name):
            self.report(where, f"attribute `{name}` exposes interpreter internals; not allowed")

    def visit_Attribute(self, node: cst.Attribute) -> None:
        for _, name, where in attribute_accesses(node):
            self._check(name, where)

    def visit_Call(self, node: cst.Call) -> None:
        for _, name, where in attribute_accesses(node):
            self._check(name, where)

    def visit_MatchKeywordElement(self, node: cst.MatchKeywordElement) -> None:
        # `case G(gi_frame=f)` reads the attribute gi_frame of the subject.
        self._check(ident(node.key.value), node.key)


def claimed_by_attribute_rules(name: str, rule: NodeRule) -> bool:
    """True when the dunder or attribute rule reports this attribute name (no double reports)."""
    policy = rule.grammar.attributes
    return is_dunder(name) or (policy.deny_private and name.startswith("_")) or policy.denies(name)
