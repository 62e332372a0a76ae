"""What the generators need from a grammar profile, read from the grammar itself.

Everything comes from ``load_grammar(name)``: the allowed construct kinds (``Grammar.constructs``)
and the runtime policy (``Grammar.runtime_policy()``: builtins, modules with allow/deny lists),
so a new profile in ``grammars/`` is fuzzed without new code.
"""

from __future__ import annotations

import builtins
import keyword
import sys
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from codeact_verify.grammar import guest_stdlib_names


@lru_cache(maxsize=4096)
def norm(kind: str) -> str:
    """Compare construct names loosely: ``FunctionDef``, ``function_def`` and ``functiondef``
    (remembered: the generators ask about the same few names dozens of times a program)."""
    return kind.replace("_", "").replace("-", "").replace(" ", "").lower()


@dataclass(frozen=True)
class GrammarView:
    name: str
    constructs: frozenset[str]  # normalised with norm()
    builtins: frozenset[str]
    modules: dict[str, tuple[frozenset[str] | None, frozenset[str]]]  # name -> (allow, deny)
    max_bytes: int | None
    max_depth: int | None

    def allows(self, *kinds: str) -> bool:
        """True when any of the names for a construct is allowed."""
        return any(norm(k) in self.constructs for k in kinds)

    def module_names(self, module: str) -> list[str]:
        """The names of an allowed module a program may use: the guest's public names of it
        (grammars/guest_stdlib.json, the list the verifier and the sandbox share), within the
        profile's allow list, minus its deny list."""
        allow, deny = self.modules[module]
        entry = guest_stdlib_names().get(module)
        names = entry[0] if entry is not None else frozenset()
        if allow is not None:
            names = names & allow
        return sorted(names - deny)

    def forbidden_builtins(self) -> list[str]:
        # True/False/None are in dir(builtins) but are keywords: constants, not names to forbid
        return sorted(
            n
            for n in dir(builtins)
            if n not in self.builtins and not n.startswith("_") and not keyword.iskeyword(n)
        )

    def forbidden_modules(self) -> list[str]:
        names = getattr(sys, "stdlib_module_names", ())
        return sorted(n for n in names if n not in self.modules and not n.startswith("_"))


def from_grammar(grammar: Any) -> GrammarView:
    policy = grammar.runtime_policy()
    modules: dict[str, tuple[frozenset[str] | None, frozenset[str]]] = {}
    for mod, rule in (policy.get("modules") or {}).items():
        allow = rule.get("allow")
        modules[mod] = (
            None if allow is None else frozenset(allow),
            frozenset(rule.get("deny") or ()),
        )
    limits = getattr(grammar, "limits", None)
    return GrammarView(
        name=str(getattr(grammar, "name", "?")),
        constructs=frozenset(norm(str(k)) for k in grammar.constructs),
        builtins=frozenset(policy.get("builtins") or ()),
        modules=modules,
        max_bytes=getattr(limits, "max_bytes", None),
        max_depth=getattr(limits, "max_depth", None),
    )


@lru_cache(maxsize=16)
def load_view(name_or_path: str = "default") -> GrammarView:
    from codeact_verify.grammar import load_grammar

    return from_grammar(load_grammar(name_or_path))
