"""The verifier's rules, one module per concern; `REGISTRY` maps each code to its rule class.

`python -m codeact_verify.rules --docs` prints docs/rules.md from the registry.
"""

from __future__ import annotations

from . import attributes, constructs, formatting, imports, names, source
from .base import REGISTRY, Context, Facts, NodeRule, Rule, SourceRule, node_rules
from .roles import Roles

__all__ = [
    "REGISTRY",
    "Context",
    "Facts",
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
