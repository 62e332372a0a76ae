"""Imports and module attributes: only allowed modules, and only their allowed names."""

from __future__ import annotations

import ast
from typing import ClassVar

from ..grammar import refusal_reason
from .attributes import claimed_by_attribute_rules
from .base import Invalid, NodeRule, Where, attribute_accesses, is_dunder, register
from .positions import ATTR, scan_from

# Module and alias names arrive NFKC-normalised from Python's parser (`import ｏｓ` is os).


def _is_star(node: ast.ImportFrom) -> bool:
    return len(node.names) == 1 and node.names[0].name == "*"


@register
class ImportRule(NodeRule):
    code = "CV108"
    name = "import"
    message = "this import is not allowed"
    hint = (
        "Import only the grammar's modules by absolute name: `import json`, `from math import pi`."
    )
    VALID: ClassVar[list[str]] = [
        "import json\nimport math as m\nfrom statistics import mean\n"
        "print(json.dumps([m.pi, mean([1, 2])]))\n",
        "from collections import Counter, defaultdict\nprint(Counter('aab'), defaultdict(int))\n",
    ]
    INVALID: ClassVar[list[Invalid]] = [
        Invalid(
            "# Source: every published smolagents/RestrictedPython escape ends in `import os`\n"
            "import os\nos.system('id')\n",
            2,
            8,
        ),
        Invalid("import subprocess\n", 1, 8),
        Invalid("from os import path\n", 1, 6),
        Invalid("from . import secrets\n", 1, 1),
        Invalid("from json import *\n", 1, 18),
        Invalid("import json.decoder\n", 1, 8),
        Invalid("import importlib\n", 1, 8),
        Invalid("import sys\n", 1, 8),
    ]

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            module = alias.name
            if any(is_dunder(p) for p in module.split(".")):
                continue  # the dunder rule reports it
            if module not in self.grammar.modules:
                self.report(alias, f"module `{module}` is not allowed")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        parts = module.split(".")
        if node.level:
            self.report(node, "relative imports are not allowed")
        elif any(is_dunder(p) for p in parts):
            return
        elif module not in self.grammar.modules:
            where = scan_from(node, 1, len(parts)) if node.module else None
            self.report(node, f"module `{module}` is not allowed", part=where)
        elif _is_star(node):
            self.report(node.names[0], "`from ... import *` is not allowed; name what you import")


@register
class ModuleAttributeRule(NodeRule):
    code = "CV109"
    name = "module-attribute"
    message = "this name of an allowed module is not allowed"
    hint = "Use the module's public functions and classes, written as `module.name`."
    VALID: ClassVar[list[str]] = [
        "import json\nprint(json.loads('[1]'))\n",
        "import operator\nprint(sorted([(1, 'b'), (0, 'a')], key=operator.itemgetter(0)))\n",
        "from datetime import datetime, timedelta\n"
        "print(datetime(2024, 1, 1) + timedelta(days=1))\n",
    ]
    INVALID: ClassVar[list[Invalid]] = [
        Invalid(
            "# Source: modules re-export modules (json.codecs -> codecs.open reads host files)\n"
            "import json\nprint(json.codecs)\n",
            3,
            12,
        ),
        Invalid("import statistics\nsys = statistics.sys\n", 2, 18),
        Invalid("import json as j\nc = j.codecs\n", 2, 7),
        Invalid("from json import codecs\n", 1, 18),
        Invalid("from random import _os\n", 1, 20),
        Invalid("from collections import abc\n", 1, 25),
        Invalid("import json\nm = json\nprint(m.codecs)\n", 2, 5),
        Invalid("import json\nprint(getattr(json, 'codecs'))\n", 2, 15),
        Invalid("import operator\nf = operator.attrgetter('x')\n", 2, 14),
        Invalid("from operator import methodcaller\n", 1, 22),
        Invalid("import string\nf = string.Formatter()\n", 2, 12),
        Invalid("import typing\nprint(typing.get_type_hints)\n", 2, 14),
        Invalid("import json\njson.dumps = print\n", 2, 1),
        Invalid("import math\ndel math.pi\n", 2, 5),
        Invalid(
            "# Source: red-team review of this project (issue 10 item 14): NamedTuple's "
            "functional\n"
            "# form builds a class (and compiles code)\n"
            "import typing\nP = typing.NamedTuple('P', [('x', int)])\n",
            4,
            12,
        ),
        Invalid(
            "# Source: red-team review (issue 10 item 13): 3.14's calendar exports IntEnum, whose\n"
            "# functional API built a class with a program-defined __str__\n"
            "import calendar\nF = calendar.IntEnum('F', {'A': 1})\n",
            4,
            14,
        ),
        Invalid(
            "# Source: red-team review (issue 10 item 9): GenericAlias forwards attribute reads\n"
            "import functools\nA = functools.GenericAlias\n",
            3,
            15,
        ),
        Invalid("from typing import TypedDict\n", 1, 20),
    ]

    def _module_of(self, node: ast.expr) -> str | None:
        if type(node) is ast.Name:
            module = self.ctx.facts.module_aliases.get(node.id)
            if module is not None and module in self.grammar.modules:
                return module
        return None

    def _check(self, module: str, name: str, where: Where, imported: bool = False) -> None:
        # `m._x` is the attribute rule's; `from m import _x` has no attribute node: ours.
        if is_dunder(name) or (not imported and claimed_by_attribute_rules(name, self)):
            return
        if not self.grammar.modules[module].allows(name):
            message = f"`{module}.{name}` is not allowed"
            why = refusal_reason(module, name)  # the sandbox's own verdict, from its Python
            if why is not None and why.startswith("builds classes"):
                message += f": it {why}; use a dict, or collections.namedtuple for records"
            elif why is not None:
                message += f" ({why})"
            self.report(where[0], message, part=where[1])

    def visit_Attribute(self, node: ast.Attribute) -> None:
        module = self._module_of(node.value)
        if module is None:
            return
        if type(node.ctx) is not ast.Load:
            # json.dumps = ... would change the module for the sandbox's own runtime too
            self.report(node, f"module `{module}` is read-only; assign to a variable instead")
        else:
            self._check(module, node.attr, (node, ATTR))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level or module not in self.grammar.modules or _is_star(node):
            return
        for alias in node.names:
            self._check(module, alias.name, (alias, scan_from(alias, 0)), imported=True)

    def visit_Name(self, node: ast.Name) -> None:
        # A module used as a value (m = json; f(json); getattr(json, ...)) escapes the name check.
        if (
            type(node.ctx) is ast.Load
            and id(node) not in self.ctx.module_value_ok
            and self._module_of(node) is not None
        ):
            self.report(node, f"module `{node.id}` may only be used as `module.name`")


__all__ = ["ImportRule", "ModuleAttributeRule", "attribute_accesses"]
