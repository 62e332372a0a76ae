"""The verifier's rules, one module per concern; `REGISTRY` maps each code to its rule class.

The node rules work on Python's own `ast` tree: the parser that checks the program is the one
that compiles it. Every CV code (these, the tool-call and type codes, the internal one) is
registered in `registry.all_rules()`; `python -m codeact_verify.rules --docs` prints docs/rules.md
from it.
"""

from __future__ import annotations

from . import attributes, constructs, formatting, imports, names, source
from .base import (
    REGISTRY,
    Context,
    Facts,
    Identifier,
    NodeRule,
    Rule,
    SourceRule,
    node_rules,
)
from .roles import Roles

__all__ = [
    "REGISTRY",
    "Context",
    "Facts",
    "Identifier",
    "NodeRule",
    "Roles",
    "Rule",
    "SourceRule",
    "attributes",
    "constructs",
    "formatting",
    "imports",
    "names",
    "node_rules",
    "source",
]
