"""Imports and module attributes: only allowed modules, and only their allowed names."""

from __future__ import annotations

from typing import ClassVar

import libcst as cst
from libcst.helpers import get_full_name_for_node

from .attributes import claimed_by_attribute_rules
from .base import NodeRule, attribute_accesses, ident, is_dunder, register


def _dotted(node: cst.CSTNode | None) -> str:
    if node is None:
        return ""
    name = get_full_name_for_node(node) or ""
    return ".".join(ident(part) for part in name.split("."))


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
    INVALID: ClassVar[list[str]] = [
        "# Source: every published smolagents/RestrictedPython escape ends in `import os`\n"
        "import os\nos.system('id')\n",
        "import subprocess\n",
        "from os import path\n",
        "from . import secrets\n",
        "from json import *\n",
        "import json.decoder\n",
        "import importlib\n",
        "import sys\n",
    ]

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            module = _dotted(alias.name)
            if any(is_dunder(p) for p in module.split(".")):
                continue  # the dunder rule reports it
            if module not in self.grammar.modules:
                self.report(alias, f"module `{module}` is not allowed")

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = _dotted(node.module)
        if node.relative:
            self.report(node, "relative imports are not allowed")
        elif any(is_dunder(p) for p in module.split(".")):
            return
        elif module not in self.grammar.modules:
            self.report(node.module or node, f"module `{module}` is not allowed")
        elif isinstance(node.names, cst.ImportStar):
            self.report(node.names, "`from ... import *` is not allowed; name what you import")


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
    INVALID: ClassVar[list[str]] = [
        "# Source: modules re-export modules (json.codecs -> codecs.open reads host files)\n"
        "import json\nprint(json.codecs)\n",
        "import statistics\nsys = statistics.sys\n",
        "import json as j\nc = j.codecs\n",
        "from json import codecs\n",
        "from random import _os\n",
        "from collections import abc\n",
        "import json\nm = json\nprint(m.codecs)\n",
        "import json\nprint(getattr(json, 'codecs'))\n",
        "import operator\nf = operator.attrgetter('x')\n",
        "from operator import methodcaller\n",
        "import string\nf = string.Formatter()\n",
        "import typing\nprint(typing.get_type_hints)\n",
        "import json\njson.dumps = print\n",
        "import math\ndel math.pi\n",
    ]

    def _module_of(self, node: cst.BaseExpression) -> str | None:
        if isinstance(node, cst.Name):
            module = self.ctx.facts.module_aliases.get(ident(node.value))
            if module is not None and module in self.grammar.modules:
                return module
        return None

    def _check(self, module: str, name: str, where: cst.CSTNode, imported: bool = False) -> None:
        # `m._x` is the attribute rule's; `from m import _x` has no attribute node: ours.
        if is_dunder(name) or (not imported and claimed_by_attribute_rules(name, self)):
            return
        if not self.grammar.modules[module].allows(name):
            self.report(where, f"`{module}.{name}` is not allowed")

    def visit_Attribute(self, node: cst.Attribute) -> None:
        module = self._module_of(node.value)
        if module is None:
            return
        if id(node) in self.ctx.stored_attributes:
            # json.dumps = ... would change the module for the sandbox's own runtime too
            self.report(node, f"module `{module}` is read-only; assign to a variable instead")
        else:
            self._check(module, ident(node.attr.value), node.attr)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = _dotted(node.module)
        if node.relative or module not in self.grammar.modules:
            return
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            self._check(module, _dotted(alias.name), alias.name, imported=True)

    def visit_Name(self, node: cst.Name) -> None:
        # A module used as a value (m = json; f(json); getattr(json, ...)) escapes the name check.
        if (
            self.ctx.is_reference(node)
            and id(node) not in self.ctx.module_value_ok
            and id(node) not in self.ctx.bindings
            and self._module_of(node) is not None
        ):
            self.report(node, f"module `{ident(node.value)}` may only be used as `module.name`")


__all__ = ["ImportRule", "ModuleAttributeRule", "attribute_accesses"]
