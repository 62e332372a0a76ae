"""The attribute policy: private attributes and frame/generator/traceback/code attributes."""

from __future__ import annotations

import ast
import collections
from typing import ClassVar

from .base import Invalid, NodeRule, Where, attribute_accesses, is_dunder, register
from .positions import ATTR
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


# Methods of the built-in data types and of the collections classes: on an instance of a subclass
# (a Counter, an OrderedDict, a defaultdict) `q.items = f` shadows the method that the tool
# bridge's encoder, `match` mapping patterns (`d.get`) and the stdlib call, so what was checked
# is not what is sent.
_DATA_TYPES = (
    dict, list, set, frozenset, tuple, str, bytes, bytearray, collections.Counter,
    collections.OrderedDict, collections.defaultdict, collections.deque, collections.ChainMap,
    collections.UserDict, collections.UserList, collections.UserString,
)
DATA_METHODS = frozenset(
    name
    for cls in _DATA_TYPES
    for name in dir(cls)
    if not name.startswith("_") and callable(getattr(cls, name, None))
)


@register
class MethodOverwriteRule(NodeRule):
    code = "CV111"
    name = "method-overwrite"
    message = "this assignment replaces a method of a built-in data type"
    hint = "Keep data in dict keys or variables; methods like items/get/keys keep their meaning."
    VALID: ClassVar[list[str]] = [
        "import decimal\nctx = decimal.getcontext()\nctx.prec = 6\n"
        "print(decimal.Decimal(1) / decimal.Decimal(7))\n",
        "import textwrap\nw = textwrap.TextWrapper()\nw.width = 20\nprint(w.wrap('a b c'))\n",
        "d = {'items': 1}\nd['items'] = 2\nprint(d)\n",
    ]
    INVALID: ClassVar[list[Invalid]] = [
        Invalid(
            "# Source: red-team review of this project (issue 10 item 10): the schema check "
            "saw the\n"
            "# first answer of a program-set items(), the encoder the second\n"
            "import collections\nq = collections.Counter()\nq['A1'] = 2\n"
            "q.items = lambda: [('A1', 'x')]\n",
            6,
            3,
        ),
        Invalid("import collections\nd = collections.OrderedDict()\nd.get = print\n", 3, 3),
        Invalid("import collections\nd = collections.defaultdict(int)\ndel d.keys\n", 3, 7),
        Invalid("import collections\nd = collections.Counter()\nd.values += 1\n", 3, 3),
        Invalid(
            "import collections\nd = collections.Counter()\nfor d.get in [print]:\n    pass\n",
            3,
            7,
        ),
    ]

    def visit_Attribute(self, node: ast.Attribute) -> None:
        # a store or a delete: `=`, `+=`, annotated, `del`, for/comprehension targets
        if type(node.ctx) is not ast.Load and node.attr in DATA_METHODS:
            self.report(
                node,
                f"`.{node.attr} = ...` would replace the `{node.attr}` method of a data type",
                part=ATTR,
            )
